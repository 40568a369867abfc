//! The client's side of the bot, end to end: the real binary, a fresh database, the fake
//! Telegram. A client registers, browses, books; an agent gets the request and the client's
//! messages; a restart mid-registration resumes; bad input changes nothing.

use crate::fake_telegram::{FakeTelegram, FakeUser, SentMessage, TEST_TOKEN, WAIT};
use crate::helpers::{Sandbox, Server};
use chrono::Duration;
use crm::Actor;
use crm::domain::{Currency, Money, Role, TourKind, TourService};
use crm::services::{NewStaffInput, RoutePoint, TourInput};
use testkit::{Backend, backends};

pub struct World {
    pub fake: FakeTelegram,
    pub sb: Sandbox,
    /// Dialogue state in Redis (with a prefix of this test's own), or in the database.
    redis: Option<(String, String)>,
}

impl World {
    /// The bot suite runs on every configured backend ([`testkit::backends`]); on PostgreSQL
    /// with dialogue state in Redis when `TOURCRM_TEST_REDIS_URL` is set.
    pub async fn on(backend: Backend) -> World {
        let sb = Sandbox::new(backend).await;
        let redis = testkit::redis_url().filter(|_| backend == Backend::Postgres).map(|url| {
            let prefix = format!("tourcrm_test_{}:", sb.dir.path().file_name().unwrap().to_string_lossy());
            (url, prefix)
        });
        World { fake: FakeTelegram::start().await, sb, redis }
    }

    /// On a database of the test's own (e.g. a PostgreSQL server it restarts), state in it.
    pub async fn on_database(database_url: String) -> World {
        let sb = Sandbox { dir: tempfile::tempdir().unwrap(), database_url };
        World { fake: FakeTelegram::start().await, sb, redis: None }
    }

    pub async fn serve(&self) -> Server {
        self.serve_with(&[]).await
    }

    /// Like [`serve`](Self::serve) with more settings.
    pub async fn serve_with(&self, extra: &[(&str, &str)]) -> Server {
        let api = self.fake.api_url();
        let mut env = vec![("TELOXIDE_TOKEN", TEST_TOKEN), ("TELOXIDE_API_URL", api.as_str())];
        env.extend_from_slice(extra);
        if let Some((url, prefix)) = &self.redis {
            env.push(("TOURCRM_REDIS_URL", url));
            env.push(("TOURCRM_REDIS_PREFIX", prefix));
        }
        self.sb.serve(&env).await
    }

    pub async fn crm(&self) -> crm::Crm {
        open_crm(&self.sb).await
    }

    /// The agent «Смирнова Анна» (login `anna`), her Telegram `telegram_id` linked by her
    /// invite as every agent starts.
    pub async fn linked_agent(&self, crm: &crm::Crm, telegram_id: i64) -> (crm::services::StaffCreated, FakeUser) {
        let input = NewStaffInput { login: "anna", name: "Смирнова Анна", role: Role::Agent };
        let agent = crm.add_staff(&Actor::System, input).await.unwrap();
        let user = self.fake.user(telegram_id, "Анна", None);
        self.say(&user, &format!("/start staff_{}", agent.invite_token), "Смирнова Анна").await;
        (agent, user)
    }

    /// Sends a text and waits for the next reply whose text contains `expect`.
    pub async fn say(&self, user: &FakeUser, text: &str, expect: &str) -> SentMessage {
        let seen = self.fake.count_sent(user.id);
        self.fake.push_text(user, text);
        self.fake.wait_for_new_message(user.id, seen, |m| m.text().contains(expect), WAIT).await
    }

    pub async fn press(&self, user: &FakeUser, on: &SentMessage, data: &str, expect: &str) -> SentMessage {
        assert!(on.callback_data().iter().any(|d| d == data), "no button {data} in {:?}", on.callback_data());
        let seen = self.fake.count_sent(user.id);
        self.fake.push_callback(user, on.message_id, data);
        self.fake.wait_for_new_message(user.id, seen, |m| m.text().contains(expect), WAIT).await
    }
}

/// The CRM over the sandbox's database and key, beside the running server (WAL lets both in).
pub async fn open_crm(sb: &Sandbox) -> crm::Crm {
    let key = std::fs::read_to_string(sb.data_dir().join("master.key")).unwrap();
    testkit::open_crm(&sb.database_url, &key, std::sync::Arc::new(crm::clock::SystemClock)).await.unwrap()
}

/// A one-traveller booking (the client travels) of `client` on the departure `dep`, by `actor`.
pub async fn book_one(
    crm: &crm::Crm,
    actor: &Actor,
    client: crm::domain::ClientId,
    dep: i64,
) -> crm::services::BookingCard {
    let req = crm::services::BookingRequest {
        client_id: client,
        departure_id: crm::domain::DepartureId(dep),
        travellers_count: 1,
        client_travels: true,
        companions: vec![],
        rooms: vec![],
        notes: String::new(),
        request_key: None,
    };
    crm.create_booking(actor, req).await.unwrap()
}

/// An operator's published excursion tour with one departure in a month.
pub async fn published_tour(crm: &crm::Crm) -> (i64, i64) {
    let op = crm
        .add_staff(&Actor::System, NewStaffInput { login: "oleg", name: "Орлов Олег", role: Role::Operator })
        .await
        .unwrap();
    publish_tour_as(crm, &Actor::staff(op.staff.id, Role::Operator), "Алтай: золотые горы").await
}

/// A published excursion tour titled `title` with one departure in 30 days: (tour, departure).
pub async fn publish_tour_as(crm: &crm::Crm, operator: &Actor, title: &str) -> (i64, i64) {
    let card = crm
        .create_tour(
            operator,
            TourInput {
                kind: TourKind::Excursion,
                title: title.into(),
                description: "Авторский тур с гидом".into(),
                country: "Россия".into(),
                region: "Алтай".into(),
                departure_city: "Новосибирск".into(),
                price: Money::new(5_000_000, Currency::RUB),
                route: vec![RoutePoint {
                    day_number: 1, place: "Чемал".into(), description: "Встреча".into()
                }],
                services: vec![(TourService::Guide, true), (TourService::Flight, false)],
                hotels: vec![],
                hot: None,
                early_booking: None,
            },
        )
        .await
        .unwrap();
    let start = crm.today() + Duration::days(30);
    let dep = crm.add_departure(operator, card.tour.id, start, start + Duration::days(6), 10).await.unwrap();
    crm.publish_tour(operator, card.tour.id).await.unwrap();
    (card.tour.id.0, dep.id.0)
}

pub async fn register(w: &World, user: &FakeUser, phone: &str) {
    w.say(user, "/start post_42", "без регистрации").await;
    register_as(w, user, "Иванова Мария", phone).await;
}

/// The registration from the guest menu's button on: `full_name` is «Фамилия Имя».
pub async fn register_as(w: &World, user: &FakeUser, full_name: &str, phone: &str) {
    w.say(user, "📝 Зарегистрироваться", "Как вас зовут").await;
    answer_registration(w, user, full_name, phone).await;
}

/// The registration's answers once the name is asked, up to the greeting: the phone shared as
/// a contact, no marketing.
pub async fn answer_registration(w: &World, user: &FakeUser, full_name: &str, phone: &str) {
    w.say(user, full_name, "номером телефона").await;
    let seen = w.fake.count_sent(user.id);
    w.fake.push_contact(user, phone, Some(user.id));
    w.fake.wait_for_new_message(user.id, seen, |m| m.text().contains("Дата рождения"), WAIT).await;
    let cities = w.say(user, "05.03.1990", "вылетаете").await;
    let consent = w.press(user, &cities, "c:0", "согласие").await;
    let marketing = w.press(user, &consent, "y", "подборки").await;
    let first_name = full_name.split_whitespace().nth(1).unwrap_or(full_name);
    w.press(user, &marketing, "n", &format!("Готово, {first_name}")).await;
}

#[tokio::test]
async fn a_client_registers_browses_and_books_and_the_agent_hears_of_it() {
    for backend in backends() {
        client_books(World::on(backend).await).await;
    }
}

async fn client_books(w: World) {
    let server = w.serve().await;
    let crm = w.crm().await;
    let (tour_id, dep_id) = published_tour(&crm).await;
    let (agent, anna) = w.linked_agent(&crm, 500_001).await;

    let maria = w.fake.user(600_001, "Мария", Some("maria"));
    register(&w, &maria, "+79123456789").await;
    let client = crm.client_by_telegram(&Actor::System, maria.id).await.unwrap().unwrap();
    assert_eq!(client.phone, "+79123456789");
    assert_eq!(client.source.as_deref(), Some("post_42"));
    assert!(client.pd_consent_at.is_some() && !client.marketing_consent);

    let list = w.say(&maria, "🌍 Туры", "Алтай: золотые горы").await;
    let card = w.press(&maria, &list, &format!("t:{tour_id}"), "Маршрут").await;
    assert!(card.text().contains("Включено: сопровождение гида"), "{}", card.text());
    // The card says what one person pays on the departure; the breakdown comes before booking,
    // and the booking is the price confirmed.
    let per_person = Money::new(5_000_000, Currency::RUB).to_string();
    let total = Money::new(10_000_000, Currency::RUB).to_string();
    assert!(card.text().contains(&format!("Цена: {per_person} на человека\n")), "{}", card.text());
    let buttons = card.reply_markup.as_ref().map(|m| m.to_string()).unwrap_or_default();
    assert!(buttons.contains(&format!("· {per_person} · мест: 10")), "{buttons}");
    let ask = w.press(&maria, &card, &format!("d:{dep_id}"), "Сколько человек").await;
    // More than the departure has seats: asked again before any price.
    let again = w.say(&maria, "нас 12", "осталось мест: 10").await;
    assert!(!again.text().contains("Итого"), "{}", again.text());
    let quote = w.press(&maria, &ask, "k:2", "Стоимость брони").await;
    assert!(quote.text().contains(&format!("Тур: 2 × {per_person} = {total}\nИтого: {total}")), "{}", quote.text());
    assert!(quote.text().contains("График оплаты"), "{}", quote.text());
    assert!(crm.list_bookings(&Actor::System, Default::default()).await.unwrap().is_empty(), "not booked yet");
    let done = w.press(&maria, &quote, "bc:2", "Заявка на бронирование").await;
    assert!(done.text().contains(&total), "{}", done.text());

    // The request went to a free agent, who now handles the client.
    w.fake
        .wait_for_message(anna.id, |m| m.text().contains("Новая заявка") && m.text().contains("Иванова Мария"), WAIT)
        .await;
    let client = crm.get_client(&Actor::System, client.id).await.unwrap();
    assert_eq!(client.agent_id, Some(agent.staff.id));
    let bookings = w.say(&maria, "🧳 Мои брони", "Ваши брони").await;
    assert!(bookings.text().contains("заключение договора"), "{}", bookings.text());

    // The client writes to the agent; the message is relayed and logged.
    w.say(&maria, "💬 Написать агенту", "Напишите ваш вопрос").await;
    w.say(&maria, "Нужна ли виза?", "Ответит ваш агент, Смирнова Анна").await;
    w.fake.wait_for_message(anna.id, |m| m.text().contains("Нужна ли виза?"), WAIT).await;
    let history = crm.client_history(&Actor::System, client.id, 10).await.unwrap();
    assert!(history.iter().any(|i| i.body == "Нужна ли виза?"));

    // A question typed at the menu is offered to the agent, with what follows it, and passed
    // on as one message when the client presses the button.
    w.say(&maria, "/menu", "Мария").await;
    w.say(&maria, "а когда вылет?", "Передать ему ваше сообщение?").await;
    let offer = w.say(&maria, "и можно с собакой?", "Передать агенту ваши сообщения (2)?").await;
    w.press(&maria, &offer, "y", "Ответит ваш агент, Смирнова Анна").await;
    w.fake.wait_for_message(anna.id, |m| m.text().contains("а когда вылет?\nи можно с собакой?"), WAIT).await;

    // /stop withdraws marketing consent at once.
    crm.set_marketing_consent(&Actor::System, client.id, true).await.unwrap();
    w.say(&maria, "/stop", "отписались").await;
    assert!(!crm.get_client(&Actor::System, client.id).await.unwrap().marketing_consent);
    drop(server);
}

#[tokio::test]
async fn browsing_the_tours_keeps_one_list_in_the_chat() {
    for backend in backends() {
        one_list(World::on(backend).await).await;
    }
}

async fn one_list(w: World) {
    let _server = w.serve().await;
    let crm = w.crm().await;
    let op = crm
        .add_staff(&Actor::System, NewStaffInput { login: "oleg", name: "Орлов Олег", role: Role::Operator })
        .await
        .unwrap();
    let operator = Actor::staff(op.staff.id, Role::Operator);
    for n in 1..=7 {
        publish_tour_as(&crm, &operator, &format!("Алтай, тур {n}")).await;
    }
    let maria = w.fake.user(600_001, "Мария", None);
    let list = w.say(&maria, "🌍 Туры", "страница 1").await;
    // The next page, a filter and back: each takes the list's place, nothing is added.
    let next = w.press(&maria, &list, "p:1", "страница 2").await;
    assert_eq!((next.method.as_str(), next.message_id), ("editMessageText", list.message_id));
    assert!(next.text().contains("Алтай, тур 1") && !next.text().contains("Алтай, тур 7"), "{}", next.text());
    let hot = w.press(&maria, &next, "fh", "не нашлось").await;
    assert_eq!((hot.method.as_str(), hot.message_id), ("editMessageText", list.message_id));
    let all = w.press(&maria, &hot, "fx", "страница 1").await;
    assert_eq!((all.method.as_str(), all.message_id), ("editMessageText", list.message_id));
    // A list Telegram will not edit (deleted from the chat meanwhile) is sent anew.
    let seen = w.fake.count_sent(maria.id);
    w.fake.push_callback(&maria, list.message_id, "p:1");
    w.fake.delete_message(maria.id, list.message_id);
    let anew = w.fake.wait_for_new_message(maria.id, seen, |m| m.text().contains("страница 2"), WAIT).await;
    assert_eq!(anew.method, "sendMessage");
    // Opening a tour keeps the list: the card is a message of its own.
    let tour = anew.callback_data().into_iter().find(|d| d.starts_with("t:")).unwrap();
    let card = w.press(&maria, &anew, &tour, "Маршрут").await;
    assert_eq!(card.method, "sendMessage");
}

#[tokio::test]
async fn the_budget_filter_checks_what_a_person_pays_with_the_hotel() {
    for backend in backends() {
        budget(World::on(backend).await).await;
    }
}

/// A package at 40 000 ₽ a person plus a room for two at 10 000 ₽ a night for 7 nights: one
/// person pays 75 000 ₽ at the least, though the tour's own price is under 50 000 ₽.
async fn budget(w: World) {
    use crm::domain::{MealPlan, Stars};
    use crm::services::{HotelInput, RoomInput, SeasonInput, TourHotelLink};
    let _server = w.serve().await;
    let crm = w.crm().await;
    published_tour(&crm).await;
    let op = crm
        .add_staff(&Actor::System, NewStaffInput { login: "irina", name: "Ковалёва Ирина", role: Role::Operator })
        .await
        .unwrap();
    let operator = Actor::staff(op.staff.id, Role::Operator);
    let hotel = HotelInput {
        name: "Rixos Sungate".into(),
        country: "Турция".into(),
        city: "Кемер".into(),
        address: "Kemer".into(),
        stars: Some(Stars::new(5).unwrap()),
        description: String::new(),
    };
    let h = crm.create_hotel(&operator, hotel).await.unwrap();
    let room =
        RoomInput { room_type: "Standard".into(), capacity: 2, meal_plan: MealPlan::AI, description: String::new() };
    let room = crm.add_room(&operator, h.id, room).await.unwrap().id;
    let (today, rub) = (crm.today(), |r: i64| Money::new(r * 100, Currency::RUB));
    let season = SeasonInput { starts_on: today, ends_on: today + Duration::days(365), price_per_night: rub(10_000) };
    crm.add_season(&operator, room, season).await.unwrap();
    let input = TourInput {
        kind: TourKind::Package,
        title: "Турция, Кемер".into(),
        description: "Неделя у моря".into(),
        country: "Турция".into(),
        region: "Кемер".into(),
        departure_city: "Москва".into(),
        price: rub(40_000),
        route: vec![RoutePoint { day_number: 1, place: "Кемер".into(), description: "Заселение".into() }],
        services: vec![(TourService::Flight, true)],
        hotels: vec![TourHotelLink { hotel_id: h.id, room_id: Some(room), nights: 7 }],
        hot: None,
        early_booking: None,
    };
    let tour = crm.create_tour(&operator, input).await.unwrap().tour.id;
    let start = today + Duration::days(40);
    crm.add_departure(&operator, tour, start, start + Duration::days(7), 10).await.unwrap();
    let later = today + Duration::days(100);
    crm.add_departure(&operator, tour, later, later + Duration::days(7), 10).await.unwrap();
    crm.publish_tour(&operator, tour).await.unwrap();

    let maria = w.fake.user(600_001, "Мария", None);
    // Prices are written with no-break spaces in the thousands.
    let plain = |m: &SentMessage| m.text().replace(['\u{a0}', '\u{202f}'], " ");
    let list = w.say(&maria, "🌍 Туры", "страница 1").await;
    assert!(plain(&list).contains("Турция, Кемер — Турция, Кемер\n   от 75 000 ₽"), "{}", list.text());
    let ask = w.press(&maria, &list, "fb", "Бюджет").await;
    let within = w.press(&maria, &ask, "b:50", "на человека), страница 1").await;
    assert!(within.text().contains("Алтай: золотые горы"), "{}", within.text());
    assert!(!within.text().contains("Кемер"), "75 000 ₽ a person is over 50 000 ₽: {}", within.text());
    let ask = w.press(&maria, &within, "fb", "Бюджет").await;
    let within = w.press(&maria, &ask, "b:100", "на человека), страница 1").await;
    assert!(plain(&within).contains("Кемер\n   от 75 000 ₽"), "{}", within.text());
    // In a chosen month the list names that month's departure, not the first one.
    let ask = w.press(&maria, &within, "fm", "месяц").await;
    let month = format!("m:{}", later.format("%Y%m"));
    let in_month = w.press(&maria, &ask, &month, "месяц: ").await;
    let dates = crm::domain::format_ru_range(later, later + Duration::days(7));
    assert!(in_month.text().contains(&format!("ближайший заезд {dates}")), "{}", in_month.text());
}

#[tokio::test]
async fn a_restart_in_the_middle_of_registration_resumes_it() {
    for backend in backends() {
        restart_resumes(World::on(backend).await).await;
    }
}

async fn restart_resumes(w: World) {
    let server = w.serve().await;
    let user = w.fake.user(600_002, "Пётр", None);
    w.say(&user, "📝 Зарегистрироваться", "Как вас зовут").await;
    w.say(&user, "Петров Пётр", "номером телефона").await;
    server.stop();
    let _server = w.serve().await;
    w.say(&user, "+7 913 000-00-01", "Дата рождения").await;
}

#[tokio::test]
async fn bad_input_is_answered_or_ignored_and_changes_nothing() {
    for backend in backends() {
        bad_input(World::on(backend).await).await;
    }
}

async fn bad_input(w: World) {
    let _server = w.serve().await;
    let user = w.fake.user(600_003, "Ольга", None);
    w.say(&user, "/start", "без регистрации").await;
    w.say(&user, "📝 Зарегистрироваться", "Как вас зовут").await;
    // Each of these leaves the dialogue at the name step.
    w.fake.push_sticker(&user);
    w.fake.push_photo(&user);
    w.fake.push_edited_text(&user, 1, "Исправленный текст");
    w.fake.push_group_text(-100_500, &user, "сообщение в группе");
    w.say(&user, &"я".repeat(5000), "слишком длинное").await;
    w.say(&user, "/unknown_command", "фамилию и имя").await;
    let bot_message = w.fake.sent_to(user.id)[0].message_id;
    for crafted in ["t:1", "d:999", "k:99", "garbage", "c:9999"] {
        w.fake.push_callback(&user, bot_message, crafted);
    }
    w.say(&user, "Смирнова Ольга", "номером телефона").await;
    assert!(w.fake.calls("sendMessage").iter().all(|c| c["chat_id"] != -100_500), "nothing is sent to groups");
    // A contact that is not the sender's own is refused.
    let before = w.fake.count_sent(user.id);
    w.fake.push_contact(&user, "+79001112233", Some(42));
    w.fake.wait_for_new_message(user.id, before, |m| m.text().contains("не ваш контакт"), WAIT).await;
}

#[tokio::test]
async fn a_client_an_agent_registered_is_linked_by_their_own_contact_not_duplicated() {
    let w = World::on(Backend::Sqlite).await;
    let _server = w.serve().await;
    let crm = w.crm().await;
    let agent = crm
        .add_staff(&Actor::System, NewStaffInput { login: "anna", name: "Смирнова Анна", role: Role::Agent })
        .await
        .unwrap();
    let agent_actor = Actor::staff(agent.staff.id, Role::Agent);
    let today = crm.today();
    let card = crm
        .register_client(
            &agent_actor,
            crm::services::NewClient {
                full_name: crm::domain::PersonName::parse("Иванова Мария").unwrap(),
                phone: crm::domain::Phone::parse("+79123456789").unwrap(),
                birth_date: crm::domain::BirthDate::parse("05.03.1990", today).unwrap(),
                city: crm::domain::City::parse("Москва").unwrap(),
                telegram_id: None,
                telegram_username: None,
                source: None,
                personal_data_consent: false,
                marketing_consent: false,
                agent_id: None,
            },
        )
        .await
        .unwrap();

    // Typing the phone proves nothing: at the phone step (not after the consent) the newcomer
    // is told the number is on record, without the card's name, and asked for the contact.
    let typed = w.fake.user(600_010, "Кто-то", None);
    w.say(&typed, "📝 Зарегистрироваться", "Как вас зовут").await;
    w.say(&typed, "Мариванна Ивановна", "номером телефона").await;
    let asked = w.say(&typed, "+79123456789", "уже есть в нашей базе").await;
    assert!(!asked.text().contains("Иванова"), "the card's name is not shown: {}", asked.text());
    assert!(asked.body.to_string().contains("request_contact"), "the contact button is offered: {}", asked.body);
    // Another number goes on with the registration from where it stood.
    w.say(&typed, "+79120000001", "Дата рождения").await;

    // Her own contact finds the card the agent made: the name on record is shown; she corrects
    // it, and the correction is in the card's history.
    let maria = w.fake.user(600_011, "Мария", None);
    w.say(&maria, "📝 Зарегистрироваться", "Как вас зовут").await;
    w.say(&maria, "Иванова Маша", "номером телефона").await;
    let seen = w.fake.count_sent(maria.id);
    w.fake.push_contact(&maria, "+79123456789", Some(maria.id));
    let confirm = w.fake.wait_for_new_message(maria.id, seen, |m| m.text().contains("«Иванова Мария»"), WAIT).await;
    assert!(confirm.text().contains("«Иванова Маша»"), "{}", confirm.text());
    let fix = w.press(&maria, &confirm, "n", "как вас записать").await;
    let _ = fix;
    let consent = w.say(&maria, "Иванова Мария Петровна", "согласие").await;
    let marketing = w.press(&maria, &consent, "y", "подборки").await;
    w.press(&maria, &marketing, "n", "Готово, Мария").await;
    let linked = crm.client_by_telegram(&Actor::System, maria.id).await.unwrap().unwrap();
    assert_eq!(linked.id, card.id, "the same card, not a second client");
    assert_eq!(linked.full_name, "Иванова Мария Петровна");
    assert_eq!(linked.agent_id, Some(agent.staff.id));
    assert!(linked.pd_consent_at.is_some(), "the consent she gave in the bot is recorded");
    let history = crm.client_history(&Actor::System, card.id, 10).await.unwrap();
    assert!(history.iter().any(|i| i.body.contains("«Иванова Мария» → «Иванова Мария Петровна»")), "{history:?}");
    let all = crm.list_clients(&Actor::System, Default::default()).await.unwrap();
    assert_eq!(all.len(), 1, "only the card; the typed newcomer has not finished");

    // A number already used from another Telegram account is refused at the phone step.
    let other = w.fake.user(600_012, "Кто-то", None);
    w.say(&other, "📝 Зарегистрироваться", "Как вас зовут").await;
    w.say(&other, "Иванова Мария", "номером телефона").await;
    let seen = w.fake.count_sent(other.id);
    w.fake.push_contact(&other, "+79123456789", Some(other.id));
    w.fake.wait_for_new_message(other.id, seen, |m| m.text().contains("другому аккаунту Telegram"), WAIT).await;
}

#[tokio::test]
async fn a_429_storm_delays_but_loses_and_duplicates_nothing() {
    let w = World::on(Backend::Sqlite).await;
    let _server = w.serve().await;
    let users: Vec<FakeUser> = (0..4).map(|i| w.fake.user(610_000 + i, "Гость", None)).collect();
    w.fake.fail_next_with_429(6, 1);
    for u in &users {
        w.fake.push_text(u, "/start");
    }
    for u in &users {
        w.fake.wait_for_message(u.id, |m| m.text().contains("без регистрации"), WAIT * 3).await;
    }
    assert!(w.fake.rejected_429() >= 6, "the storm happened: {}", w.fake.rejected_429());
    for u in &users {
        assert_eq!(w.fake.count_sent(u.id), 1, "exactly one welcome for {}", u.id);
    }
}

#[tokio::test]
async fn a_blacklisted_client_gets_one_polite_line_a_day() {
    let w = World::on(Backend::Sqlite).await;
    let _server = w.serve_with(&[("TOURCRM_AGENCY_PHONE", "8 (495) 123-45-67")]).await;
    let crm = w.crm().await;
    let maria = w.fake.user(620_001, "Мария", None);
    register(&w, &maria, "+79123456789").await;
    let client = crm.client_by_telegram(&Actor::System, maria.id).await.unwrap().unwrap();
    let admin = crm
        .add_staff(&Actor::System, NewStaffInput { login: "boss", name: "Главный Админ", role: Role::Admin })
        .await
        .unwrap();
    crm.set_blacklist(&Actor::staff(admin.staff.id, Role::Admin), client.id, true, "мошенничество").await.unwrap();
    let line = w.say(&maria, "🌍 Туры", "позвоните в агентство: +7 495 123-45-67").await;
    assert!(!line.text().contains("Алтай"), "{}", line.text());
    let before = w.fake.count_sent(maria.id);
    let mut last = 0;
    for t in ["/start", "привет", "💬 Написать агенту"] {
        last = w.fake.push_text(&maria, t);
    }
    w.fake.wait_until_acked(last, WAIT).await;
    // Give the bot the time it takes to answer an update, then check it did not.
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    assert_eq!(w.fake.count_sent(maria.id), before, "one line a day: {:#?}", w.fake.sent_to(maria.id));
    let history = crm.client_history(&Actor::System, client.id, 10).await.unwrap();
    assert!(history.is_empty(), "nothing reached the agency: {history:?}");
}
