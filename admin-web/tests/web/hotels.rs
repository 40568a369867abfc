//! Hotel pages: entering a hotel through its forms and reading it back on the card, refused
//! forms (the reason beside the field, the input kept, nothing saved), hostile text, who may
//! read and who may write, the list's filters, archiving, and tampered ids.

use crate::each_backend;
use crate::helpers::{Browser, Page, TestApp};
use axum::http::StatusCode;
use crm::Actor;
use crm::domain::{Direction, HotelId, InteractionKind, MealPlan, Role, RoomId};
use crm::services::{CorrespondenceInput, HotelFilter, HotelInput, ManagerInput, RoomInput};

/// A hotel with one room and one manager, entered by the system; their ids.
pub async fn hotel_with_room_and_manager(app: &TestApp) -> (HotelId, RoomId, i64) {
    let sys = &Actor::System;
    let hotel = HotelInput {
        name: "Rixos Premium".into(),
        country: "Турция".into(),
        city: "Кемер".into(),
        ..Default::default()
    };
    let h = app.crm.create_hotel(sys, hotel).await.unwrap();
    let room =
        RoomInput { room_type: "Standard".into(), capacity: 2, meal_plan: MealPlan::AI, description: String::new() };
    let r = app.crm.add_room(sys, h.id, room).await.unwrap();
    let manager = ManagerInput { name: "Ayşe Yılmaz".into(), ..Default::default() };
    let m = app.crm.add_manager(sys, h.id, manager).await.unwrap();
    (h.id, r.id, m.id)
}

/// Posts a form that must be accepted; returns the page it leads to.
async fn accepted(app: &TestApp, b: &Browser, path: &str, form: &[(&str, &str)]) -> Page {
    let page = app.post(b, path, form).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{path}: {}", page.body);
    let to = page.location.unwrap();
    app.get(b, to.split('#').next().unwrap()).await
}

/// Posts a form that must be refused with `reason` on the page.
async fn refused(app: &TestApp, b: &Browser, path: &str, form: &[(&str, &str)], reason: &str) -> Page {
    let page = app.post(b, path, form).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {}", page.body);
    assert!(page.body.contains(reason), "{path}: «{reason}» not on the page:\n{}", page.body);
    page
}

/// The HTML of the labelled field named `name`: its input and the reason beside it.
fn field<'a>(page: &'a Page, name: &str) -> &'a str {
    let at = page.body.find(&format!("name=\"{name}\"")).unwrap_or_else(|| panic!("no field {name}"));
    let start = page.body[..at].rfind("<label").unwrap();
    let end = at + page.body[at..].find("</label>").unwrap();
    &page.body[start..end]
}

/// The `<article>` of the card that holds `text`.
fn entry_with<'a>(page: &'a Page, text: &str) -> &'a str {
    let at = page.body.find(text).unwrap_or_else(|| panic!("«{text}» not on the page"));
    let start = page.body[..at].rfind("<article").unwrap();
    let end = at + page.body[at..].find("</article>").unwrap();
    &page.body[start..end]
}

/// Whether the collapsible form whose summary is `summary` is shown open.
fn opened(page: &Page, summary: &str) -> bool {
    let at = page.body.find(&format!("<summary>{summary}")).unwrap_or_else(|| panic!("no {summary}"));
    page.body[..at].rfind("<details").is_some_and(|d| page.body[d..at].contains("open"))
}

each_backend!(an_operator_enters_a_hotel_through_the_forms_and_reads_it_on_the_card, |app| {
    let (_, op) = app.signed_in("oper", Role::Operator).await;
    let form = app.get(&op, "/hotels/new").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("action=\"/hotels\""), "the create form posts to /hotels");
    let hotel = [("name", "Rixos  Premium"), ("country", "Турция"), ("city", "Кемер"), ("stars", "5")];
    let card = accepted(&app, &op, "/hotels", &hotel).await;
    assert!(card.body.contains("Rixos Premium") && card.body.contains("★★★★★") && card.body.contains("Кемер"));
    let id = app.crm.list_hotels(&Actor::System, HotelFilter::default()).await.unwrap()[0].id;
    let base = format!("/hotels/{id}");

    let edited = [("name", "Rixos Premium"), ("country", "Турция"), ("city", "Кемер"), ("address", "Atatürk Cd. 1")];
    let card = accepted(&app, &op, &base, &edited).await;
    assert!(card.body.contains("Atatürk Cd. 1") && !card.body.contains("★"));

    let room = [("room_type", "Deluxe sea view"), ("capacity", "3"), ("meal_plan", "UAI"), ("description", "")];
    let card = accepted(&app, &op, &format!("{base}/rooms"), &room).await;
    assert!(card.body.contains("Deluxe sea view") && card.body.contains("Ультра всё включено"));
    let room_id = app.crm.hotel_rooms(&Actor::System, id).await.unwrap()[0].id;
    let room_page = app.get(&op, &format!("/hotels/rooms/{room_id}")).await;
    assert!(room_page.body.contains(&format!("action=\"/hotels/rooms/{room_id}/seasons\"")));
    let season =
        [("starts_on", "01.06.2027"), ("ends_on", "2027-06-30"), ("price_per_night", "15 000,50"), ("currency", "EUR")];
    let page = accepted(&app, &op, &format!("/hotels/rooms/{room_id}/seasons"), &season).await;
    assert!(page.body.contains("01.06.2027 — 30.06.2027") && page.body.contains("15\u{a0}000,50\u{a0}€"));
    assert!(page.body.contains("value=\"01.07.2027\""), "the next season starts where the last ended");
    let card = app.get(&op, &base).await;
    assert!(card.body.contains("15\u{a0}000,50\u{a0}€"), "seasons are on the card");
    // A mistyped season is removed from the room's page and entered again.
    let mistyped = app.crm.room_seasons(&Actor::System, room_id).await.unwrap()[0].id;
    let removal = [("season_id", mistyped.to_string())];
    let removal: Vec<(&str, &str)> = removal.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let page = accepted(&app, &op, &format!("/hotels/rooms/{room_id}/seasons/remove"), &removal).await;
    assert!(!page.body.contains("15\u{a0}000,50\u{a0}€") && page.body.contains("Сезонов пока нет"));
    accepted(&app, &op, &format!("/hotels/rooms/{room_id}/seasons"), &season).await;

    let terms = [
        ("free_days", "14"),
        ("min_days_0", "7"),
        ("max_days_0", "13"),
        ("penalty_0", "30"),
        ("unit_0", "percent"),
        ("min_days_1", "0"),
        ("max_days_1", "6"),
        ("penalty_1", "500"),
        ("unit_1", "EUR"),
        ("min_days_2", ""),
        ("max_days_2", ""),
        ("penalty_2", ""),
        ("unit_2", "percent"),
    ];
    let card = accepted(&app, &op, &format!("{base}/terms"), &terms).await;
    assert!(card.body.contains("за 14 дн.") && card.body.contains("7–13 дн.") && card.body.contains("30 %"));
    assert!(card.body.contains("500\u{a0}€"));
    assert!(card.body.contains("0–6 дн."));
    assert!(
        card.body.contains("name=\"penalty_0\" value=\"500,00\"")
            && card.body.contains("name=\"penalty_1\" value=\"30\"")
    );

    let manager = [
        ("name", "Ayşe Yılmaz"),
        ("position", "Reservations"),
        ("phone", "+90 (242) 555-12-34"),
        ("email", "Res@Rixos.COM"),
        ("telegram", "@rixos_res"),
    ];
    let card = accepted(&app, &op, &format!("{base}/managers"), &manager).await;
    assert!(card.body.contains("href=\"tel:+902425551234\"") && card.body.contains("Res@rixos.com"));
    assert!(card.body.contains("https://t.me/rixos_res"));
    let manager_id = app.crm.hotel_managers(&Actor::System, id).await.unwrap()[0].id;

    let agreement =
        [("agreed_on", "2026-11-01"), ("commission", "12,5"), ("allotment", "10"), ("terms", "Оплата за 7 дней")];
    let card = accepted(&app, &op, &format!("{base}/agreements"), &agreement).await;
    assert!(card.body.contains("с 01.11.2026") && card.body.contains("12,5 %") && card.body.contains("действует"));

    let mid = manager_id.to_string();
    let letter = [
        ("kind", "call"),
        ("direction", "in"),
        ("occurred_at", "24.11.2026 15:30"),
        ("subject", "Квота на июль"),
        ("body", "Подтвердили 10 номеров"),
        ("manager_id", mid.as_str()),
    ];
    let card = accepted(&app, &op, &format!("{base}/correspondence"), &letter).await;
    let entry = entry_with(&card, "Подтвердили 10 номеров");
    assert!(entry.contains("Звонок") && entry.contains("от отеля") && entry.contains("24.11.2026 15:30"), "{entry}");
    assert!(entry.contains("Ayşe Yılmaz") && entry.contains("Квота на июль") && entry.contains("Сотрудник oper"));
    let stored = app.crm.hotel_correspondence(&Actor::System, id, 5).await.unwrap();
    assert_eq!(stored[0].occurred_at.to_rfc3339(), "2026-11-24T12:30:00+00:00", "typed in Moscow time");
    // What a browser's datetime-local input sends is read the same way.
    let letter = [("kind", "email"), ("direction", "out"), ("occurred_at", "2026-11-25T11:45"), ("body", "Письмо")];
    let card = accepted(&app, &op, &format!("{base}/correspondence"), &letter).await;
    assert!(card.body.contains("25.11.2026 11:45"));
});

each_backend!(a_refused_form_names_the_field_keeps_the_input_and_saves_nothing, |app| {
    let (_, op) = app.signed_in("oper", Role::Operator).await;
    let long = "x".repeat(201);
    let hotel = [("name", "  "), ("country", "Турция"), ("city", long.as_str()), ("stars", "9")];
    let page = refused(&app, &op, "/hotels", &hotel, "Укажите название.").await;
    assert!(field(&page, "name").contains("Укажите название."));
    assert!(field(&page, "city").contains("не больше 200 символов"), "every bad field is marked at once");
    assert!(field(&page, "stars").contains("Звёздность — от 1 до 5."));
    assert!(field(&page, "country").contains("value=\"Турция\"") && !field(&page, "country").contains("em class"));
    assert!(
        app.crm
            .list_hotels(&Actor::System, HotelFilter { include_archived: true, ..Default::default() })
            .await
            .unwrap()
            .is_empty()
    );

    let (id, room_id, manager_id) = hotel_with_room_and_manager(&app).await;
    let base = format!("/hotels/{id}");
    let room = [("room_type", "Семейный люкс"), ("capacity", "0"), ("meal_plan", "AI")];
    let page = refused(&app, &op, &format!("{base}/rooms"), &room, "Вместимость номера — от 1 до 20 человек.").await;
    assert!(
        field(&page, "capacity").contains("от 1 до 20")
            && field(&page, "room_type").contains("value=\"Семейный люкс\"")
    );
    assert!(opened(&page, "Добавить номер") && !opened(&page, "Добавить менеджера"), "the refused form is open");
    assert_eq!(app.crm.hotel_rooms(&Actor::System, id).await.unwrap().len(), 1, "no room saved");

    let seasons = format!("/hotels/rooms/{room_id}/seasons");
    accepted(
        &app,
        &op,
        &seasons,
        &[("starts_on", "01.06.2027"), ("ends_on", "30.06.2027"), ("price_per_night", "100"), ("currency", "RUB")],
    )
    .await;
    let overlap =
        [("starts_on", "15.06.2027"), ("ends_on", "15.07.2027"), ("price_per_night", "120"), ("currency", "RUB")];
    let page = refused(&app, &op, &seasons, &overlap, "пересекается").await;
    assert!(
        field(&page, "starts_on").contains("пересекается") && field(&page, "price_per_night").contains("value=\"120\"")
    );
    let backwards =
        [("starts_on", "10.08.2027"), ("ends_on", "01.08.2027"), ("price_per_night", "сто"), ("currency", "RUB")];
    let page = refused(&app, &op, &seasons, &backwards, "не может быть раньше даты начала").await;
    assert!(field(&page, "price_per_night").contains("Сумма должна быть числом"));
    assert_eq!(app.crm.room_seasons(&Actor::System, room_id).await.unwrap().len(), 1, "no season saved");

    let terms =
        [("free_days", "7"), ("min_days_0", "3"), ("max_days_0", "10"), ("penalty_0", "50"), ("unit_0", "percent")];
    let page = refused(&app, &op, &format!("{base}/terms"), &terms, "ближе к заезду, чем срок бесплатной отмены").await;
    assert!(page.body.contains("name=\"max_days_0\" value=\"10\""), "the rows typed are kept");
    let bad_row =
        [("free_days", "7"), ("min_days_1", "0"), ("max_days_1", "2"), ("penalty_1", "много"), ("unit_1", "percent")];
    refused(&app, &op, &format!("{base}/terms"), &bad_row, "Строка 2: Процент — число").await;
    assert_eq!(app.crm.hotel_cancellation_terms(&Actor::System, id).await.unwrap().free_days, 0, "terms unchanged");

    let manager = [("name", "Mehmet"), ("phone", "555-12"), ("email", "mehmet@"), ("telegram", "@ab")];
    let page = refused(&app, &op, &format!("{base}/managers"), &manager, "в международном формате").await;
    assert!(field(&page, "email").contains("name@hotel.com") && field(&page, "telegram").contains("5–32"));
    assert!(field(&page, "name").contains("value=\"Mehmet\""));
    assert_eq!(app.crm.hotel_managers(&Actor::System, id).await.unwrap().len(), 1, "no manager saved");

    let agreement = [("agreed_on", ""), ("commission", "150"), ("allotment", "-1")];
    let page = refused(&app, &op, &format!("{base}/agreements"), &agreement, "Комиссия — от 0 до 100 %.").await;
    assert!(field(&page, "agreed_on").contains("дд.мм.гггг, например"));
    assert!(app.crm.hotel_agreements(&Actor::System, id).await.unwrap().is_empty(), "no agreement saved");

    let mid = manager_id.to_string();
    let future = [
        ("kind", "call"),
        ("direction", "in"),
        ("occurred_at", "26.11.2026 10:00"),
        ("body", "Позвонят завтра"),
        ("manager_id", mid.as_str()),
    ];
    let page = refused(&app, &op, &format!("{base}/correspondence"), &future, "ещё не наступило").await;
    assert!(
        field(&page, "occurred_at").contains("ещё не наступило") && page.body.contains(">Позвонят завтра</textarea>")
    );
    assert!(page.body.contains(&format!("<option value=\"{manager_id}\" selected>")), "the manager chosen is kept");
    let typo = [("kind", "email"), ("direction", "out"), ("occurred_at", "вчера"), ("body", " ")];
    let page = refused(&app, &op, &format!("{base}/correspondence"), &typo, "Текст не может быть пустым.").await;
    assert!(field(&page, "occurred_at").contains("дд.мм.гггг чч:мм"));
    let (other, _, other_manager) = hotel_with_room_and_manager(&app).await;
    let theirs = other_manager.to_string();
    let wrong = [("kind", "call"), ("direction", "in"), ("body", "x"), ("manager_id", theirs.as_str())];
    refused(&app, &op, &format!("{base}/correspondence"), &wrong, "Выберите менеджера этого отеля.").await;
    assert!(app.crm.hotel_correspondence(&Actor::System, id, 10).await.unwrap().is_empty(), "nothing logged");
    assert!(app.crm.hotel_correspondence(&Actor::System, other, 10).await.unwrap().is_empty());
});

each_backend!(hostile_text_is_shown_as_text, |app| {
    let (_, admin) = app.signed_in("boss", Role::Admin).await;
    let script = "<script>alert('x')</script>";
    let card = accepted(&app, &admin, "/hotels", &[("name", script), ("country", "Турция"), ("city", script)]).await;
    let id = app.crm.list_hotels(&Actor::System, HotelFilter::default()).await.unwrap()[0].id;
    let letter = [("kind", "note"), ("direction", "none"), ("subject", script), ("body", script)];
    let card_again = accepted(&app, &admin, &format!("/hotels/{id}/correspondence"), &letter).await;
    let refused_page = refused(
        &app,
        &admin,
        &format!("/hotels/{id}/rooms"),
        &[("room_type", script), ("capacity", "99")],
        "от 1 до 20",
    )
    .await;
    for page in [&card, &card_again, &app.get(&admin, "/hotels").await, &refused_page] {
        assert!(!page.body.contains("<script>"), "raw script:\n{}", page.body);
        assert!(page.body.contains("&lt;script&gt;"));
    }
});

each_backend!(agents_and_the_accountant_read_hotels_but_neither_change_them_nor_see_the_letters, |app| {
    let (_, agent) = app.signed_in("anna", Role::Agent).await;
    let (_, accountant) = app.signed_in("buh", Role::Accountant).await;
    let (id, room_id, manager_id) = hotel_with_room_and_manager(&app).await;
    let letter = CorrespondenceInput {
        kind: InteractionKind::Email,
        direction: Direction::In,
        subject: "Секретная квота".into(),
        body: "Скидка только для нас".into(),
        occurred_at: None,
        manager_id: None,
    };
    app.crm.log_hotel_correspondence(&Actor::System, id, letter).await.unwrap();
    for b in [&agent, &accountant] {
        let list = app.get(b, "/hotels").await;
        assert!(list.body.contains("Rixos Premium") && !list.body.contains("Новый отель"));
        let card = app.get(b, &format!("/hotels/{id}")).await;
        assert_eq!(card.status, StatusCode::OK);
        assert!(card.body.contains("Standard") && card.body.contains("Ayşe Yılmaz"), "rooms and contacts are read");
        assert!(!card.body.contains("Скидка только для нас") && !card.body.contains("Переписка"), "no letters");
        assert!(!card.body.contains("method=\"post\" action=\"/hotels/"), "no forms to change the hotel");
        for path in [
            "/hotels/new".to_owned(),
            format!("/hotels/{id}/edit"),
            format!("/hotels/rooms/{room_id}"),
            format!("/hotels/managers/{manager_id}"),
        ] {
            assert_eq!(app.get(b, &path).await.status, StatusCode::FORBIDDEN, "{path}");
        }
        let room = [("room_type", "Agent's room"), ("capacity", "2"), ("meal_plan", "BB")];
        let page = app.post(b, &format!("/hotels/{id}/rooms"), &room).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN);
        assert!(page.body.contains("Доступ запрещён"));
        let bad = [("room_type", ""), ("capacity", "0")];
        assert_eq!(
            app.post(b, &format!("/hotels/{id}/rooms"), &bad).await.status,
            StatusCode::FORBIDDEN,
            "refused before the form is read"
        );
        let letter = [("kind", "call"), ("direction", "in"), ("body", "Звонок агента")];
        assert_eq!(app.post(b, &format!("/hotels/{id}/correspondence"), &letter).await.status, StatusCode::FORBIDDEN);
    }
    assert_eq!(app.crm.hotel_rooms(&Actor::System, id).await.unwrap().len(), 1, "nothing saved");
    assert_eq!(app.crm.hotel_correspondence(&Actor::System, id, 10).await.unwrap().len(), 1);
});

each_backend!(the_list_searches_by_text_country_and_city_and_hides_the_archive, |app| {
    let (_, op) = app.signed_in("oper", Role::Operator).await;
    let sys = &Actor::System;
    let input = |name: &str, country: &str, city: &str| HotelInput {
        name: name.into(),
        country: country.into(),
        city: city.into(),
        ..Default::default()
    };
    app.crm.create_hotel(sys, input("Ёлки Парк", "Россия", "Сочи")).await.unwrap();
    let rixos = app.crm.create_hotel(sys, input("Rixos Premium", "Турция", "Кемер")).await.unwrap();
    app.crm.create_hotel(sys, input("Atlantis The Palm", "ОАЭ", "Дубай")).await.unwrap();
    let names = |page: &Page| {
        ["Ёлки Парк", "Rixos Premium", "Atlantis The Palm"]
            .into_iter()
            .filter(|n| page.body.contains(n))
            .collect::<Vec<_>>()
    };
    assert_eq!(names(&app.get(&op, "/hotels").await).len(), 3);
    assert_eq!(names(&app.get(&op, "/hotels?q=%D0%B5%D0%BB%D0%BA%D0%B8").await), ["Ёлки Парк"], "«елки» finds «Ёлки»");
    assert_eq!(names(&app.get(&op, "/hotels?country=%D1%82%D1%83%D1%80%D1%86%D0%B8%D1%8F").await), ["Rixos Premium"]);
    assert_eq!(names(&app.get(&op, "/hotels?city=%D0%94%D1%83%D0%B1%D0%B0%D0%B9&q=palm").await), ["Atlantis The Palm"]);
    let card = accepted(&app, &op, &format!("/hotels/{}/archive", rixos.id), &[("archived", "1")]).await;
    assert!(card.body.contains("в архиве") && card.body.contains("Вернуть из архива"));
    assert!(!names(&app.get(&op, "/hotels").await).contains(&"Rixos Premium"));
    let with_archive = app.get(&op, "/hotels?archived=1").await;
    assert!(names(&with_archive).contains(&"Rixos Premium") && with_archive.body.contains("в архиве"));
    let twice = app.post(&op, &format!("/hotels/{}/archive", rixos.id), &[("archived", "1")]).await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    accepted(&app, &op, &format!("/hotels/{}/archive", rixos.id), &[("archived", "0")]).await;
    assert!(names(&app.get(&op, "/hotels").await).contains(&"Rixos Premium"));
});

each_backend!(rooms_and_managers_are_edited_on_their_pages, |app| {
    let (_, admin) = app.signed_in("boss", Role::Admin).await;
    let (id, room_id, manager_id) = hotel_with_room_and_manager(&app).await;
    let room_page = app.get(&admin, &format!("/hotels/rooms/{room_id}")).await;
    assert!(room_page.body.contains("value=\"Standard\"") && room_page.body.contains("<option value=\"AI\" selected>"));
    let room =
        [("room_type", "Standard garden view"), ("capacity", "3"), ("meal_plan", "HB"), ("description", "Первый этаж")];
    let card = accepted(&app, &admin, &format!("/hotels/rooms/{room_id}"), &room).await;
    assert!(
        card.body.contains("Standard garden view")
            && card.body.contains("до 3 чел.")
            && card.body.contains("Полупансион")
    );
    let card = accepted(&app, &admin, &format!("/hotels/rooms/{room_id}/archive"), &[("archived", "1")]).await;
    assert!(card.body.contains(&format!("class=\"room old\" id=\"room-{room_id}\"")));
    let bad = [("room_type", "Standard"), ("capacity", "два"), ("meal_plan", "XX")];
    let page = refused(&app, &admin, &format!("/hotels/rooms/{room_id}"), &bad, "Вместимость номера").await;
    assert!(field(&page, "meal_plan").contains("Питание: RO, BB"));

    let page = app.get(&admin, &format!("/hotels/managers/{manager_id}")).await;
    assert!(page.body.contains("value=\"Ayşe Yılmaz\""));
    let manager =
        [("name", "Ayşe Yılmaz"), ("position", "Sales"), ("phone", "+971 4 123 4567"), ("email", ""), ("telegram", "")];
    let card = accepted(&app, &admin, &format!("/hotels/managers/{manager_id}"), &manager).await;
    assert!(card.body.contains("Sales") && card.body.contains("tel:+97141234567"));
    let page =
        refused(&app, &admin, &format!("/hotels/managers/{manager_id}"), &[("name", "")], "Укажите фамилию и имя.")
            .await;
    assert!(field(&page, "name").contains("Укажите"));
    let card = accepted(&app, &admin, &format!("/hotels/managers/{manager_id}/active"), &[("active", "0")]).await;
    assert!(card.body.contains("не работает"));
    assert!(!app.crm.hotel_manager(&Actor::System, manager_id).await.unwrap().active);
    let page = app.get(&admin, &format!("/hotels/managers/{manager_id}")).await;
    assert!(page.body.contains("Снова работает в отеле"));
    accepted(&app, &admin, &format!("/hotels/managers/{manager_id}/active"), &[("active", "1")]).await;
    assert!(app.crm.hotel_manager(&Actor::System, manager_id).await.unwrap().active, "back at the hotel");
    let _ = id;
});

each_backend!(tampered_ids_end_in_a_clear_page, |app| {
    let (_, op) = app.signed_in("oper", Role::Operator).await;
    for path in [
        "/hotels/999999",
        "/hotels/abc",
        "/hotels/-1",
        "/hotels/999999/edit",
        "/hotels/rooms/999999",
        "/hotels/managers/999999",
    ] {
        let page = app.get(&op, path).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
        assert!(page.body.contains("Страница не найдена"), "{path}");
    }
    let room = [("room_type", "Standard"), ("capacity", "2"), ("meal_plan", "BB")];
    assert_eq!(app.post(&op, "/hotels/999999/rooms", &room).await.status, StatusCode::NOT_FOUND);
    let bad_room = [("room_type", ""), ("capacity", "2"), ("meal_plan", "BB")];
    assert_eq!(
        app.post(&op, "/hotels/999999/rooms", &bad_room).await.status,
        StatusCode::NOT_FOUND,
        "even a refused form"
    );
    let season =
        [("starts_on", "01.06.2027"), ("ends_on", "30.06.2027"), ("price_per_night", "100"), ("currency", "RUB")];
    assert_eq!(app.post(&op, "/hotels/rooms/999999/seasons", &season).await.status, StatusCode::NOT_FOUND);
    let (_, room_id, _) = hotel_with_room_and_manager(&app).await;
    let path = format!("/hotels/rooms/{room_id}/seasons/remove");
    for tampered in ["999999", "abc", ""] {
        assert_eq!(app.post(&op, &path, &[("season_id", tampered)]).await.status, StatusCode::NOT_FOUND, "{tampered}");
    }
    assert_eq!(app.post(&op, "/hotels/managers/999999/active", &[("active", "0")]).await.status, StatusCode::NOT_FOUND);
});
