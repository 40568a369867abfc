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

/// An operator's published excursion tour with one departure in a month.
pub async fn published_tour(crm: &crm::Crm) -> (i64, i64) {
    let op = crm
        .add_staff(&Actor::System, NewStaffInput { login: "oleg", name: "Орлов Олег", role: Role::Operator })
        .await
        .unwrap();
    let operator = Actor::staff(op.staff.id, Role::Operator);
    let card = crm
        .create_tour(
            &operator,
            TourInput {
                kind: TourKind::Excursion,
                title: "Алтай: золотые горы".into(),
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
    let dep = crm.add_departure(&operator, card.tour.id, start, start + Duration::days(6), 10).await.unwrap();
    crm.publish_tour(&operator, card.tour.id).await.unwrap();
    (card.tour.id.0, dep.id.0)
}

pub async fn register(w: &World, user: &FakeUser, phone: &str) {
    w.say(user, "/start post_42", "Как вас зовут").await;
    w.say(user, "Иванова Мария", "номером телефона").await;
    let seen = w.fake.count_sent(user.id);
    w.fake.push_contact(user, phone, Some(user.id));
    w.fake.wait_for_new_message(user.id, seen, |m| m.text().contains("Дата рождения"), WAIT).await;
    let cities = w.say(user, "05.03.1990", "вылетаете").await;
    let consent = w.press(user, &cities, "c:0", "согласие").await;
    let marketing = w.press(user, &consent, "y", "подборки").await;
    w.press(user, &marketing, "n", "Готово, Мария").await;
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
    let agent = crm
        .add_staff(&Actor::System, NewStaffInput { login: "anna", name: "Смирнова Анна", role: Role::Agent })
        .await
        .unwrap();
    let anna = w.fake.user(500_001, "Анна", None);
    w.say(&anna, &format!("/start staff_{}", agent.invite_token), "Смирнова Анна").await;

    let maria = w.fake.user(600_001, "Мария", Some("maria"));
    register(&w, &maria, "+79123456789").await;
    let client = crm.client_by_telegram(&Actor::System, maria.id).await.unwrap().unwrap();
    assert_eq!(client.phone, "+79123456789");
    assert_eq!(client.source.as_deref(), Some("post_42"));
    assert!(client.pd_consent_at.is_some() && !client.marketing_consent);

    let list = w.say(&maria, "🌍 Туры", "Алтай: золотые горы").await;
    let card = w.press(&maria, &list, &format!("t:{tour_id}"), "Маршрут").await;
    assert!(card.text().contains("Включено: сопровождение гида"), "{}", card.text());
    let ask = w.press(&maria, &card, &format!("d:{dep_id}"), "Сколько человек").await;
    let done = w.press(&maria, &ask, "k:2", "Заявка на бронирование").await;
    assert!(done.text().contains("100\u{a0}000,00\u{a0}₽"), "{}", done.text());

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
    w.say(&maria, "Нужна ли виза?", "Передал агенту").await;
    w.fake.wait_for_message(anna.id, |m| m.text().contains("Нужна ли виза?"), WAIT).await;
    let history = crm.client_history(&Actor::System, client.id, 10).await.unwrap();
    assert!(history.iter().any(|i| i.body == "Нужна ли виза?"));

    // /stop withdraws marketing consent at once.
    crm.set_marketing_consent(&Actor::System, client.id, true).await.unwrap();
    w.say(&maria, "/stop", "отписались").await;
    assert!(!crm.get_client(&Actor::System, client.id).await.unwrap().marketing_consent);
    drop(server);
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
    w.say(&user, "/start", "Как вас зовут").await;
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
    w.say(&user, "/start", "Как вас зовут").await;
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

    // Typing the phone proves nothing: refused as taken.
    let typed = w.fake.user(600_010, "Кто-то", None);
    w.say(&typed, "/start", "Как вас зовут").await;
    w.say(&typed, "Иванова Мария", "номером телефона").await;
    w.say(&typed, "+79123456789", "Дата рождения").await;
    let cities = w.say(&typed, "05.03.1990", "вылетаете").await;
    let consent = w.press(&typed, &cities, "c:0", "согласие").await;
    let marketing = w.press(&typed, &consent, "y", "подборки").await;
    w.press(&typed, &marketing, "n", "уже есть в нашей базе").await;

    // Her own contact links her Telegram to the card the agent made.
    let maria = w.fake.user(600_011, "Мария", None);
    register(&w, &maria, "+79123456789").await;
    let linked = crm.client_by_telegram(&Actor::System, maria.id).await.unwrap().unwrap();
    assert_eq!(linked.id, card.id, "the same card, not a second client");
    assert_eq!(linked.agent_id, Some(agent.staff.id));
    assert!(linked.pd_consent_at.is_some(), "the consent she gave in the bot is recorded");
    let all = crm.list_clients(&Actor::System, Default::default()).await.unwrap();
    assert_eq!(all.len(), 1);
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
        w.fake.wait_for_message(u.id, |m| m.text().contains("Как вас зовут"), WAIT * 3).await;
    }
    assert!(w.fake.rejected_429() >= 6, "the storm happened: {}", w.fake.rejected_429());
    for u in &users {
        assert_eq!(w.fake.count_sent(u.id), 1, "exactly one welcome for {}", u.id);
    }
}

#[tokio::test]
async fn a_blacklisted_client_gets_silence() {
    let w = World::on(Backend::Sqlite).await;
    let _server = w.serve().await;
    let crm = w.crm().await;
    let maria = w.fake.user(620_001, "Мария", None);
    register(&w, &maria, "+79123456789").await;
    let client = crm.client_by_telegram(&Actor::System, maria.id).await.unwrap().unwrap();
    let admin = crm
        .add_staff(&Actor::System, NewStaffInput { login: "boss", name: "Главный Админ", role: Role::Admin })
        .await
        .unwrap();
    crm.set_blacklist(&Actor::staff(admin.staff.id, Role::Admin), client.id, true, "мошенничество").await.unwrap();
    let before = w.fake.count_sent(maria.id);
    let mut last = 0;
    for t in ["🌍 Туры", "/start", "привет"] {
        last = w.fake.push_text(&maria, t);
    }
    w.fake.wait_until_acked(last, WAIT).await;
    // Give the bot the time it takes to answer an update, then check it did not.
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    assert_eq!(w.fake.count_sent(maria.id), before, "{:#?}", w.fake.sent_to(maria.id));
}
