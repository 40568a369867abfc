//! Tour pages: the create and edit round-trip with every kind of field, refusals beside their
//! fields with nothing saved, publishing and its checks, departures, who sees and changes what,
//! filters and pages of the list, escaping of hostile text.

use crate::each_backend;
use crate::helpers::{Browser, TestApp};
use axum::http::StatusCode;
use chrono::Duration;
use crm::domain::{
    BookingId, Currency, DepartureId, HotelId, Invalid, MealPlan, Money, Role, RoomId, TourId, TourKind, TourStatus,
};
use crm::services::{BookingRequest, Client, HotelInput, RoomInput, RoutePoint, Staff, TourFilter, TourInput};
use crm::{Actor, Crm};

fn actor(s: &Staff) -> Actor {
    Actor::staff(s.id, s.role)
}

pub fn excursion(title: &str) -> TourInput {
    TourInput {
        kind: TourKind::Excursion,
        title: title.into(),
        description: "Авторский маршрут с гидом".into(),
        country: "Россия".into(),
        region: "Алтай".into(),
        departure_city: "Новосибирск".into(),
        price: Money::new(5_000_000, Currency::RUB),
        route: vec![RoutePoint {
            day_number: 1, place: "Горно-Алтайск".into(), description: "Встреча".into()
        }],
        services: vec![],
        hotels: vec![],
        hot: None,
        early_booking: None,
    }
}

impl TestApp {
    /// A published excursion of `operator` with one departure a month from now (10 seats).
    pub async fn published_tour(&self, operator: &Staff) -> (TourId, DepartureId) {
        let op = actor(operator);
        let card = self.crm.create_tour(&op, excursion("Алтай: золотые горы")).await.unwrap();
        let start = self.crm.today() + Duration::days(30);
        let d = self.crm.add_departure(&op, card.tour.id, start, start + Duration::days(6), 10).await.unwrap();
        self.crm.publish_tour(&op, card.tour.id).await.unwrap();
        (card.tour.id, d.id)
    }

    /// A booking for one traveller (the client) made by `agent`.
    pub async fn booking(&self, agent: &Staff, client: &Client, departure: DepartureId) -> BookingId {
        let req = BookingRequest {
            client_id: client.id,
            departure_id: departure,
            travellers_count: 1,
            client_travels: true,
            companions: vec![],
            rooms: vec![],
            notes: String::new(),
            request_key: None,
        };
        self.crm.create_booking(&actor(agent), req).await.unwrap().booking.id
    }

    /// A hotel with one room, as the operator enters it.
    pub async fn hotel(&self, operator: &Staff, name: &str) -> (HotelId, RoomId) {
        let input = HotelInput {
            name: name.into(),
            country: "Турция".into(),
            city: "Кемер".into(),
            address: String::new(),
            stars: None,
            description: String::new(),
        };
        let h = self.crm.create_hotel(&actor(operator), input).await.unwrap();
        let room = RoomInput {
            room_type: "Standard".into(),
            capacity: 2,
            meal_plan: MealPlan::parse("AI").unwrap(),
            description: String::new(),
        };
        (h.id, self.crm.add_room(&actor(operator), h.id, room).await.unwrap().id)
    }
}

async fn tours_of(crm: &Crm) -> Vec<crm::services::Tour> {
    crm.list_tours(&Actor::System, TourFilter { limit: 200, ..Default::default() }).await.unwrap()
}

/// The create form as a browser sends it, with every field the e2e test will fill.
fn full_form<'a>(hotel: &'a str, room: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("kind", "package"),
        ("title", "Турция, Кемер: всё включено"),
        ("country", "Турция"),
        ("region", "Кемер"),
        ("departure_city", "Новосибирск"),
        ("price", "85 000,50"),
        ("currency", "RUB"),
        ("description", "Отдых у моря.\nВылет ночью."),
        ("route", "1: Прилёт, трансфер\n2: Кемер — отдых\n3: Анталья — экскурсия в старый город"),
        ("service_flight", "included"),
        ("service_transfer", "included"),
        ("service_insurance", "excluded"),
        ("service_guide", ""),
        ("hotel_id", hotel),
        ("room_id", room),
        ("nights", "7"),
        ("hotel_id", ""),
        ("room_id", ""),
        ("nights", ""),
        ("hot_from", "25.11.2026"),
        ("hot_until", "2026-12-10"),
        ("early_from", ""),
        ("early_until", ""),
    ]
}

each_backend!(an_operator_creates_edits_and_publishes_a_package_tour, |app| {
    let (oleg, operator) = app.signed_in("oleg", Role::Operator).await;
    let (hotel, room) = app.hotel(&oleg, "Rixos Sungate").await;
    let new = app.get(&operator, "/tours/new").await;
    assert_eq!(new.status, StatusCode::OK);
    assert!(new.body.contains("action=\"/tours\"") && new.body.contains("Rixos Sungate, Кемер"));
    let (hotel, room) = (hotel.to_string(), room.to_string());
    let created = app.post(&operator, "/tours", &full_form(&hotel, &room)).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let card_url = created.location.clone().unwrap();
    let card = app.get(&operator, &card_url).await;
    for shown in [
        "Турция, Кемер: всё включено",
        "пакетный тур",
        "85\u{a0}000,50\u{a0}₽",
        "Прилёт, трансфер",
        "экскурсия в старый город",
        "перелёт: включено",
        "медицинская страховка: <strong>не включено</strong>",
        "Rixos Sungate",
        "Standard",
        "25.11.2026 – 10.12.2026",
        "горящий",
        "черновик",
    ] {
        assert!(card.body.contains(shown), "{shown} is on the card");
    }
    assert!(!card.body.contains("сопровождение гида"), "an unmentioned service is not listed");

    // The edit form shows what was saved, as typed; a change round-trips.
    let edit = app.get(&operator, &format!("{card_url}/edit")).await;
    assert!(edit.body.contains("value=\"85000,50\""));
    assert!(edit.body.contains("2: Кемер — отдых"));
    assert!(edit.body.contains(&format!("<option value=\"{room}\" selected>")));
    let mut form = full_form(&hotel, &room);
    form[1] = ("title", "Турция, Кемер: ультра всё включено");
    form[8] = ("route", "1: Прилёт\n5: Памуккале");
    form[19] = ("hot_from", "");
    form[20] = ("hot_until", "");
    let saved = app.post(&operator, &card_url, &form).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let card = app.get(&operator, &card_url).await;
    assert!(card.body.contains("ультра всё включено") && card.body.contains("Памуккале"));
    assert!(!card.body.contains("Кемер — отдых") && !card.body.contains("горящий"));

    // Publishing needs a departure: refused with the reason, then done after one is added.
    let refused = app.post(&operator, &format!("{card_url}/publish"), &[]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("Добавьте хотя бы одну дату заезда"));
    let dep = [("starts_on", "10.01.2027"), ("ends_on", "17.01.2027"), ("capacity", "20")];
    assert_eq!(app.post(&operator, &format!("{card_url}/departures"), &dep).await.status, StatusCode::SEE_OTHER);
    assert!(app.post(&operator, &format!("{card_url}/publish"), &[]).await.redirects_to(&format!("{card_url}#status")));
    let card = app.get(&operator, &card_url).await;
    assert!(
        card.body.contains("опубликован")
            && card.body.contains("10.01.2027 –</span> <span class=\"nowrap\">17.01.2027")
    );
    let tour = &tours_of(&app.crm).await[0];
    assert_eq!((tour.status, tour.price.minor, tour.kind), (TourStatus::Published, 8_500_050, TourKind::Package));
});

each_backend!(a_refused_form_names_each_bad_field_keeps_the_input_and_saves_nothing, |app| {
    let (oleg, operator) = app.signed_in("oleg", Role::Operator).await;
    let (hotel, _) = app.hotel(&oleg, "Rixos Sungate").await;
    let (other_hotel, other_room) = app.hotel(&oleg, "Old Palace").await;
    let (hotel, other_hotel, other_room) = (hotel.to_string(), other_hotel.to_string(), other_room.to_string());
    let mut form = full_form(&hotel, &other_room);
    form[1] = ("title", "  ");
    form[2] = ("country", "");
    form[5] = ("price", "сто рублей");
    form[8] = ("route", "1: Прилёт\nКемер без номера\n0: Дом");
    form[19] = ("hot_from", "31.02.2027");
    form[21] = ("early_from", "01.03.2027");
    let page = app.post(&operator, "/tours", &form).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    for reason in [
        "Укажите название.",
        "Укажите страну.",
        "Сумма должна быть числом",
        "Строка 2: начните с номера дня",
        "Строка 3: номер дня — от 1 до 366.",
        "Строка 1: этот номер не из выбранного отеля.",
        "Такого дня нет в календаре",
        "Укажите обе даты периода",
    ] {
        assert!(page.body.contains(reason), "{reason}");
    }
    assert!(page.body.contains("value=\"сто рублей\"") && page.body.contains("Кемер без номера"), "input kept");
    assert!(page.body.contains("value=\"01.03.2027\""));
    assert!(tours_of(&app.crm).await.is_empty(), "nothing saved");

    // A hotel that is not on offer (or a made-up one) is refused beside the hotels.
    app.crm.archive_hotel(&Actor::System, HotelId(other_hotel.parse().unwrap()), true).await.unwrap();
    let form = full_form(&other_hotel, "");
    let page = app.post(&operator, "/tours", &form).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("Строка 1: выберите отель из списка."));
    assert!(tours_of(&app.crm).await.is_empty());
});

each_backend!(hostile_text_on_a_tour_is_shown_as_text, |app| {
    let (_, admin) = app.signed_in("boss", Role::Admin).await;
    let script = "<script>alert('x')</script>";
    let route = format!("1: {script}");
    let form = [
        ("kind", "excursion"),
        ("title", script),
        ("country", "Россия"),
        ("departure_city", "Омск"),
        ("price", "1000"),
        ("currency", "RUB"),
        ("description", script),
        ("route", route.as_str()),
    ];
    let created = app.post(&admin, "/tours", &form).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    for url in [created.location.clone().unwrap(), "/tours".to_owned()] {
        let page = app.get(&admin, &url).await;
        assert!(!page.body.contains("<script>") && page.body.contains("&lt;script&gt;"), "{url}");
    }
    let refused = app.post(&admin, "/tours", &[("title", script), ("price", "x")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!refused.body.contains("<script>") && refused.body.contains("&lt;script&gt;"));
});

each_backend!(only_the_tours_operator_and_admins_change_it, |app| {
    let (oleg, _) = app.signed_in("oleg", Role::Operator).await;
    let (_, olga) = app.signed_in("olga", Role::Operator).await;
    let (_, agent) = app.signed_in("anna", Role::Agent).await;
    let (_, admin) = app.signed_in("boss", Role::Admin).await;
    let (_, accountant) = app.signed_in("buh", Role::Accountant).await;
    let (tour, _) = app.published_tour(&oleg).await;
    let card = format!("/tours/{tour}");
    let form = [("kind", "excursion"), ("title", "Чужой"), ("country", "Россия"), ("departure_city", "Омск")];
    let form = [form.as_slice(), &[("price", "1"), ("currency", "RUB")]].concat();
    for (who, b) in [("another operator", &olga), ("an agent", &agent)] {
        let page = app.get(b, &card).await;
        assert_eq!(page.status, StatusCode::OK, "{who} reads a published tour");
        assert!(!page.body.contains("/edit") && !page.body.contains("/archive"), "{who} gets no forms");
        for path in [format!("{card}/edit")] {
            assert_eq!(app.get(b, &path).await.status, StatusCode::FORBIDDEN, "{who}");
        }
        for path in [card.clone(), format!("{card}/archive"), format!("{card}/unpublish")] {
            assert_eq!(app.post(b, &path, &form).await.status, StatusCode::FORBIDDEN, "{who} {path}");
        }
    }
    assert_eq!(app.get(&accountant, &card).await.status, StatusCode::FORBIDDEN, "no tours section");
    assert_eq!(tours_of(&app.crm).await[0].title, "Алтай: золотые горы", "nothing changed");
    // Drafts are the operator's: another operator and agents are told it is not theirs.
    assert!(app.post(&admin, &format!("{card}/unpublish"), &[]).await.redirects_to(&format!("{card}#status")));
    assert_eq!(app.get(&agent, &card).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get(&olga, &card).await.status, StatusCode::FORBIDDEN);
    let admin_card = app.get(&admin, &card).await;
    assert!(admin_card.body.contains("Опубликовать") && admin_card.body.contains("черновик"));
    assert!(app.post(&admin, &format!("{card}/archive"), &[]).await.redirects_to(&format!("{card}#status")));
    let archived = app.get(&admin, &card).await;
    assert!(archived.body.contains("в архиве") && archived.body.contains("Вернуть в черновики"));
    let again = app.post(&admin, &format!("{card}/archive"), &[]).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "archiving twice is refused on the card");
    assert!(again.body.contains("Изменять нечего"));
});

each_backend!(departures_are_added_resized_and_removed_on_the_card, |app| {
    let (oleg, operator) = app.signed_in("oleg", Role::Operator).await;
    let (anna, _) = app.signed_in("anna", Role::Agent).await;
    let (tour, booked) = app.published_tour(&oleg).await;
    let client = app.client("Иванова Мария", "+7 912 345-67-89", Some(&anna)).await;
    app.booking(&anna, &client, booked).await;
    let card = format!("/tours/{tour}");
    let bad = [("starts_on", "10.01.2027"), ("ends_on", "01.01.2027"), ("capacity", "много")];
    let page = app.post(&operator, &format!("{card}/departures"), &bad).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("Число мест — от 1 до 1000") && page.body.contains("value=\"много\""));
    let bad = [("starts_on", "10.01.2027"), ("ends_on", "01.01.2027"), ("capacity", "5")];
    let page = app.post(&operator, &format!("{card}/departures"), &bad).await;
    assert!(page.body.contains("Дата окончания не может быть раньше даты начала"));
    let late =
        [("starts_on", "10.01.2027"), ("ends_on", "17.01.2027"), ("capacity", "5"), ("departure_time", "7 утра")];
    let page = app.post(&operator, &format!("{card}/departures"), &late).await;
    assert!(page.body.contains("Время — в формате ЧЧ:ММ") && page.body.contains("value=\"7 утра\""));
    let good = [
        ("starts_on", "10.01.2027"),
        ("ends_on", "17.01.2027"),
        ("capacity", "5"),
        ("departure_time", "06:40"),
        ("meeting_point", "Толмачёво, стойка 12"),
    ];
    assert_eq!(app.post(&operator, &format!("{card}/departures"), &good).await.status, StatusCode::SEE_OTHER);
    let deps = app.crm.tour_card(&Actor::System, tour).await.unwrap().departures;
    assert_eq!(deps.len(), 2);
    let added = deps.iter().find(|d| d.id != booked).unwrap();
    assert_eq!(added.departure_time.map(|t| t.to_string()).as_deref(), Some("06:40:00"));
    assert!(app.get(&operator, &card).await.body.contains("06:40 Толмачёво, стойка 12"));
    let fresh = deps.iter().find(|d| d.id != booked).unwrap().id.to_string();
    let booked = booked.to_string();

    // Below the seats booked is refused in the departure's own row, with the input kept.
    let capacity = format!("{card}/departures/capacity");
    let low = app.post(&operator, &capacity, &[("departure_id", &booked), ("capacity", "0")]).await;
    assert_eq!(low.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(low.body.contains("Мест должно быть хотя бы 1") && low.body.contains("value=\"0\""));
    let up =
        [("departure_id", booked.as_str()), ("capacity", "12"), ("departure_time", "25:00"), ("meeting_point", "")];
    assert_eq!(app.post(&operator, &capacity, &up).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    let up = [
        ("departure_id", booked.as_str()),
        ("capacity", "12"),
        ("departure_time", "05:15"),
        ("meeting_point", "Шереметьево"),
    ];
    assert_eq!(app.post(&operator, &capacity, &up).await.status, StatusCode::SEE_OTHER);
    let gone = app.post(&operator, &format!("{card}/departures/remove"), &[("departure_id", &booked)]).await;
    assert_eq!(gone.status, StatusCode::CONFLICT);
    assert!(gone.body.contains("На этот заезд есть брони"));
    let removed = app.post(&operator, &format!("{card}/departures/remove"), &[("departure_id", &fresh)]).await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    let deps = app.crm.tour_card(&Actor::System, tour).await.unwrap().departures;
    assert_eq!((deps.len(), deps[0].capacity, deps[0].meeting_point.as_str()), (1, 12, "Шереметьево"));

    // A departure of another tour names nothing here.
    let (other, other_dep) = app.published_tour(&oleg).await;
    let foreign = [("departure_id", other_dep.to_string()), ("capacity", "3".to_owned())];
    let foreign: Vec<_> = foreign.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let page = app.post(&operator, &capacity, &foreign).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert_eq!(app.crm.tour_card(&Actor::System, other).await.unwrap().departures[0].capacity, 10);
});

each_backend!(the_list_filters_and_pages_and_operators_see_their_own, |app| {
    let (oleg, operator) = app.signed_in("oleg", Role::Operator).await;
    let olga = app.staff("olga", Role::Operator).await;
    let (_, agent) = app.signed_in("anna", Role::Agent).await;
    let (_, admin) = app.signed_in("boss", Role::Admin).await;
    let today = app.crm.today();
    for i in 0..53 {
        let mut t = excursion(&format!("Тур номер {i:02}"));
        if i == 7 {
            t.country = "Турция".into();
            t.departure_city = "Москва".into();
            t.hot = Some((today, today + Duration::days(3)));
        }
        if i == 8 {
            t.early_booking = Some((today - Duration::days(1), today + Duration::days(30)));
        }
        app.crm.create_tour(&actor(&oleg), t).await.unwrap();
    }
    let (altai, _) = app.published_tour(&olga).await;
    let draft = app.crm.create_tour(&actor(&olga), excursion("Черновик Ольги")).await.unwrap();
    let count = |b: &str| b.matches("<a href=\"/tours/").count() - b.matches("<a href=\"/tours/new").count();

    let first = app.get(&operator, "/tours").await;
    assert_eq!(count(&first.body), 50, "a page holds 50 of the operator's own drafts");
    assert!(!first.body.contains("Алтай: золотые горы"), "own tours by default");
    let next = first.body.split("href=\"/tours?").nth(1).unwrap().split('"').next().unwrap().replace("&amp;", "&");
    let second = app.get(&operator, &format!("/tours?{next}")).await;
    assert_eq!(count(&second.body), 3);
    assert!(second.body.contains("Тур номер 00"));
    let all = app.get(&operator, "/tours?scope=all").await;
    assert_eq!(count(&all.body), 1, "everyone's published tours");
    assert!(all.body.contains("Алтай: золотые горы"));
    // When each tour goes next, with its free seats; a tour without dates says so.
    let later = today + Duration::days(90);
    app.crm.add_departure(&actor(&olga), altai, later, later + Duration::days(6), 12).await.unwrap();
    let past = today - Duration::days(20);
    app.crm.add_departure(&actor(&olga), altai, past, past + Duration::days(6), 12).await.unwrap();
    let all = app.get(&admin, "/tours?status=published").await;
    let next = crm::domain::format_ru_date(today + Duration::days(30));
    assert!(all.body.contains(&next) && all.body.contains("свободно 10 из 10 · дат впереди: 2"), "{}", all.body);
    assert!(!all.body.contains(&crm::domain::format_ru_date(past)), "past departures are not next");
    assert!(first.body.contains("не назначен"), "drafts without dates");

    let by_country = app.get(&admin, "/tours?country=%D0%A2%D1%83%D1%80%D1%86%D0%B8%D1%8F").await;
    assert_eq!(count(&by_country.body), 1);
    assert!(by_country.body.contains("Тур номер 07"));
    let by_city = app.get(&admin, "/tours?departure_city=%D0%9C%D0%BE%D1%81%D0%BA%D0%B2%D0%B0").await;
    assert!(by_city.body.contains("Тур номер 07") && count(&by_city.body) == 1);
    let hot = app.get(&admin, "/tours?hot=1").await;
    assert!(hot.body.contains("Тур номер 07") && count(&hot.body) == 1);
    let early = app.get(&admin, "/tours?early=1").await;
    assert!(early.body.contains("Тур номер 08") && count(&early.body) == 1);
    let text = app.get(&admin, "/tours?q=%D0%BD%D0%BE%D0%BC%D0%B5%D1%80+12").await; // «номер 12»
    assert!(text.body.contains("Тур номер 12") && count(&text.body) == 1);
    let drafts = app.get(&admin, "/tours?status=draft&q=%D0%BE%D0%BB%D1%8C%D0%B3%D0%B8").await; // «ольги»
    assert!(drafts.body.contains("Черновик Ольги") && drafts.body.contains("Сотрудник olga"));

    // Agents get the published catalog, whatever the filter asks for.
    let catalog = app.get(&agent, "/tours?status=draft").await;
    assert_eq!(count(&catalog.body), 1);
    assert!(catalog.body.contains("Алтай: золотые горы") && !catalog.body.contains("Новый тур"));
    assert_eq!(app.get(&agent, &format!("/tours/{}", draft.tour.id)).await.status, StatusCode::FORBIDDEN);
});

each_backend!(tampered_tour_ids_end_in_a_clear_page, |app| {
    let (_, admin) = app.signed_in("boss", Role::Admin).await;
    for path in ["/tours/999999", "/tours/abc", "/tours/0", "/tours/999999/edit"] {
        let page = app.get(&admin, path).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
        assert!(page.body.contains("Страница не найдена"));
    }
    let page = app.post(&admin, "/tours/999999/publish", &[]).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    let page = app.post(&admin, "/tours/999999/departures/remove", &[("departure_id", "1")]).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    let _ = Browser::default();
});

each_backend!(a_tour_at_zero_roubles_and_a_date_without_seats_are_refused_with_their_reasons, |app| {
    let (oleg, operator) = app.signed_in("oleg", Role::Operator).await;
    let (tour, _) = app.published_tour(&oleg).await;
    let card = format!("/tours/{tour}");
    let none = [("starts_on", "10.02.2027"), ("ends_on", "17.02.2027"), ("capacity", "0")];
    let page = app.post(&operator, &format!("{card}/departures"), &none).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("Мест должно быть хотя бы 1"), "{}", page.body);
    let no_day = [("starts_on", "29.02.2027"), ("ends_on", "07.03.2027"), ("capacity", "5")];
    let page = app.post(&operator, &format!("{card}/departures"), &no_day).await;
    assert!(page.body.contains("Такого дня нет в календаре"));
    assert_eq!(app.crm.tour_card(&Actor::System, tour).await.unwrap().departures.len(), 1, "nothing added");

    let edit = app.get(&operator, &format!("{card}/edit")).await;
    assert!(edit.body.contains("name=\"price\""));
    let input = TourInput { price: Money::new(0, Currency::RUB), ..excursion("Алтай: даром") };
    let refused = app.crm.update_tour(&actor(&oleg), tour, input).await;
    assert!(matches!(refused, Err(crm::Error::Invalid(Invalid::TourPriceZero))), "{refused:?}");
    assert!(Invalid::TourPriceZero.message_ru().contains("0 ₽"));
});

each_backend!(a_forbidden_page_keeps_the_navigation, |app| {
    let (_, agent) = app.signed_in("anna", Role::Agent).await;
    let page = app.get(&agent, "/staff").await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(page.body.contains("Доступ запрещён") && page.body.contains("<nav class=\"main\">"), "{}", page.body);
    assert!(page.body.contains("href=\"/clients\"") && page.body.contains("Выйти"));
    let (_, accountant) = app.signed_in("olga", Role::Accountant).await;
    let page = app.get(&accountant, "/tours/new").await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(page.body.contains("<nav class=\"main\">"), "a handler's refusal too");
});
