//! Fault tests: Redis, the database and the Bot API going away mid-dialogue and coming back.
//! Each starts servers of its own (free ports, killed and restarted at will, see
//! `testkit::RedisServer`/`PostgresServer`) and asserts every message got an answer, none got
//! two, and the data is whole.
//!
//! Crashes (SIGKILL) during a payment webhook or a signature belong here too once those exist:
//! kill the server between the provider's request and its answer, restart, have the provider
//! repeat the request, and assert one payment row and one status move per event id.

use crate::bot_client::World;
use crate::fake_telegram::{Calls, FakeUser, Fault, SentMessage, WAIT};
use crate::helpers::Server;
use crm::Actor;
use serde_json::Value;
use std::time::{Duration, Instant};
use testkit::{Backend, PostgresServer, RedisServer};

async fn health(server: &Server) -> (u16, Value) {
    let res = reqwest::get(format!("{}/healthz", server.base)).await.unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

/// Polls `/healthz` until `pred` holds (the probe and the pool recover on their own time).
async fn wait_health(server: &Server, pred: impl Fn(u16, &Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let (code, body) = health(server).await;
        if pred(code, &body) {
            return body;
        }
        assert!(Instant::now() < deadline, "health never became as expected; last: {code} {body}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The next message the user gets after sending `text`, whatever it says. (A database that
/// does not answer fails a request after the pool's 5 s acquire timeout.)
async fn any_answer(w: &World, user: &FakeUser, text: &str) -> SentMessage {
    let seen = w.fake.count_sent(user.id);
    w.fake.push_text(user, text);
    w.fake.wait_for_new_message(user.id, seen, |_| true, WAIT * 2).await
}

fn count(w: &World, user: &FakeUser, needle: &str) -> usize {
    w.fake.sent_to(user.id).iter().filter(|m| m.text().contains(needle)).count()
}

#[tokio::test]
async fn redis_going_away_mid_dialogue_leaves_nobody_unanswered() {
    let Some(mut redis) = RedisServer::start() else { return };
    let w = World::on(Backend::Sqlite).await;
    let url = redis.url();
    let server = w.serve_with(&[("TOURCRM_REDIS_URL", &url)]).await;
    assert_eq!(health(&server).await.1["redis"], "ok");
    let maria = w.fake.user(700_001, "Мария", None);
    w.say(&maria, "/start", "Здравствуйте").await;
    w.say(&maria, "📝 Зарегистрироваться", "Как вас зовут").await;

    redis.kill();
    // Her step lived in Redis and is gone: she is answered all the same (from the start).
    any_answer(&w, &maria, "Иванова Мария").await;
    // A second client goes through while Redis is away: the database keeps the step.
    let petr = w.fake.user(700_002, "Пётр", None);
    w.say(&petr, "/start", "Здравствуйте").await;
    w.say(&petr, "📝 Зарегистрироваться", "Как вас зовут").await;
    w.say(&petr, "Петров Пётр", "номером телефона").await;
    let down = wait_health(&server, |_, b| b["redis"] == "down").await;
    assert_eq!(down["status"], "degraded");

    redis.restart();
    wait_health(&server, |_, b| b["redis"] == "ok").await;
    // His step came back with Redis, and a newcomer is answered too.
    w.say(&petr, "+7 913 000-00-01", "Дата рождения").await;
    let ivan = w.fake.user(700_003, "Иван", None);
    w.say(&ivan, "/start", "Здравствуйте").await;
    w.say(&ivan, "📝 Зарегистрироваться", "Как вас зовут").await;

    let (_, log) = server.stop();
    let warns = log.lines().filter(|l| l.contains("WARN") && l.contains("Redis does not answer")).count();
    let infos = log.lines().filter(|l| l.contains("INFO") && l.contains("Redis answers again")).count();
    assert_eq!((warns, infos), (1, 1), "one WARN when it went, one INFO when it came back:\n{log}");
    assert_eq!(count(&w, &petr, "Как вас зовут"), 1, "nothing sent twice");
}

#[tokio::test]
async fn a_database_restart_is_answered_with_try_again_and_the_pool_reconnects() {
    let Some(pg) = PostgresServer::start() else { return };
    let w = World::on_database(pg.url()).await;
    let server = w.serve().await;
    let olga = w.fake.user(700_011, "Ольга", None);
    w.say(&olga, "/start", "Здравствуйте").await;
    w.say(&olga, "📝 Зарегистрироваться", "Как вас зовут").await;

    pg.kill();
    // Nothing can be read or written: she is asked to repeat, not left in silence.
    let answer = any_answer(&w, &olga, "Смирнова Ольга").await;
    assert!(answer.text().contains("повторите"), "{}", answer.text());
    let (code, body) = health(&server).await;
    assert_eq!((code, body["database"].as_str()), (503, Some("unreachable")));

    pg.restart();
    wait_health(&server, |code, _| code == 200).await;
    // The pool reconnected by itself; the step she repeats goes on from where she was.
    w.say(&olga, "Смирнова Ольга", "номером телефона").await;
    w.say(&olga, "+7 913 000-00-02", "Дата рождения").await;
    let cities = w.say(&olga, "05.03.1990", "вылетаете").await;
    let consent = w.press(&olga, &cities, "c:0", "согласие").await;
    let marketing = w.press(&olga, &consent, "y", "подборки").await;
    w.press(&olga, &marketing, "n", "Готово, Ольга").await;
    let crm = w.crm().await;
    let all = crm.list_clients(&Actor::System, Default::default()).await.unwrap();
    assert_eq!(all.len(), 1, "one client, whole");
    assert_eq!(all[0].phone, "+79130000002");
    drop(server);
}

#[tokio::test]
async fn telegram_unreachable_at_start_only_delays_the_bot() {
    let w = World::on(Backend::Sqlite).await;
    // The first questions of who the bot is go unanswered: it asks again, then polls.
    w.fake.fail_next(Calls::Me, 2, Fault::CloseConnection);
    let _server = w.serve().await;
    let anna = w.fake.user(700_031, "Анна", None);
    w.say(&anna, "/start", "Здравствуйте").await;
    assert_eq!(w.fake.failed_on_command(), 2);
}

#[tokio::test]
async fn the_bot_api_failing_loses_and_duplicates_nothing() {
    let w = World::on(Backend::Sqlite).await;
    let _server = w.serve().await;
    let anna = w.fake.user(700_021, "Анна", None);
    // A poll that breaks: the update stays unconfirmed and comes again.
    w.fake.fail_next(Calls::Polls, 1, Fault::CloseConnection);
    w.say(&anna, "/start", "Здравствуйте").await;
    w.say(&anna, "📝 Зарегистрироваться", "Как вас зовут").await;
    // Replies whose connection breaks, then a 500: sent again until they go, once.
    w.fake.fail_next(Calls::Sends, 2, Fault::CloseConnection);
    w.say(&anna, "Кузнецова Анна", "номером телефона").await;
    // (teloxide itself pauses 10 s after a 5xx before it reports it.)
    w.fake.fail_next(Calls::Sends, 1, Fault::ServerError);
    let seen = w.fake.count_sent(anna.id);
    w.fake.push_text(&anna, "+7 913 000-00-03");
    w.fake.wait_for_new_message(anna.id, seen, |m| m.text().contains("Дата рождения"), WAIT * 2).await;
    assert_eq!(w.fake.failed_on_command(), 4);
    for prompt in ["Как вас зовут", "номером телефона", "Дата рождения"] {
        assert_eq!(count(&w, &anna, prompt), 1, "{prompt}: exactly once");
    }
}

/// Waits until `ready` holds (checked every 20 ms, up to 10 s).
async fn until<F: std::future::Future<Output = bool>>(what: &str, ready: impl Fn() -> F) {
    let deadline = Instant::now() + WAIT;
    while !ready().await {
        assert!(Instant::now() < deadline, "{what} did not happen within {WAIT:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// SIGKILL: no shutdown at all.
fn kill(mut server: Server) {
    server.child.kill().unwrap();
    server.child.wait().unwrap();
}

/// Killed after the registration was written and before its answer went out: the update was not
/// confirmed, comes again after the restart, is answered, and the client exists once.
#[tokio::test]
async fn a_registration_killed_before_its_answer_is_whole_once_and_answered_after_the_restart() {
    let w = World::on(Backend::Sqlite).await;
    let server = w.serve().await;
    let crm = w.crm().await;
    let ira = w.fake.user(700_031, "Ирина", None);
    w.say(&ira, "/start", "Здравствуйте").await;
    w.say(&ira, "📝 Зарегистрироваться", "Как вас зовут").await;
    w.say(&ira, "Соколова Ирина", "номером телефона").await;
    w.say(&ira, "+7 913 000-00-04", "Дата рождения").await;
    let cities = w.say(&ira, "05.03.1990", "вылетаете").await;
    let consent = w.press(&ira, &cities, "c:0", "согласие").await;
    let marketing = w.press(&ira, &consent, "y", "подборки").await;

    w.fake.fail_next(Calls::Sends, 1, Fault::Stall);
    let seen = w.fake.count_sent(ira.id);
    w.fake.push_callback(&ira, marketing.message_id, "n");
    until("the registration", || async { crm.client_by_telegram(&Actor::System, ira.id).await.unwrap().is_some() })
        .await;
    until("the stalled answer", || async { w.fake.failed_on_command() == 1 }).await;
    kill(server);

    let _server = w.serve().await;
    w.fake.wait_for_new_message(ira.id, seen, |_| true, WAIT).await;
    let all = crm.list_clients(&Actor::System, Default::default()).await.unwrap();
    assert_eq!(all.len(), 1, "one client: {all:?}");
    assert!(all[0].pd_consent_at.is_some() && !all[0].marketing_consent, "whole: {:?}", all[0]);
}

/// Killed after the booking was written and before its answer went out: the pressed button comes
/// again after the restart and is answered, and no second booking or seat is taken.
#[tokio::test]
async fn a_booking_killed_before_its_answer_is_made_once_and_answered_after_the_restart() {
    let w = World::on(Backend::Sqlite).await;
    let server = w.serve().await;
    let crm = w.crm().await;
    let (tour_id, dep_id) = crate::bot_client::published_tour(&crm).await;
    let maria = w.fake.user(700_041, "Мария", None);
    crate::bot_client::register(&w, &maria, "+79123456789").await;
    let list = w.say(&maria, "🌍 Туры", "Алтай: золотые горы").await;
    let card = w.press(&maria, &list, &format!("t:{tour_id}"), "Маршрут").await;
    let ask = w.press(&maria, &card, &format!("d:{dep_id}"), "Сколько человек").await;
    let quote = w.press(&maria, &ask, "k:2", "Стоимость брони").await;

    w.fake.fail_next(Calls::Sends, 1, Fault::Stall);
    let seen = w.fake.count_sent(maria.id);
    w.fake.push_callback(&maria, quote.message_id, "bc:2");
    let bookings = || async { crm.list_bookings(&Actor::System, Default::default()).await.unwrap() };
    until("the booking", || async { bookings().await.len() == 1 }).await;
    until("the stalled answer", || async { w.fake.failed_on_command() == 1 }).await;
    kill(server);

    let _server = w.serve().await;
    w.fake.wait_for_new_message(maria.id, seen, |_| true, WAIT).await;
    let made = bookings().await;
    assert_eq!(made.len(), 1, "one booking: {made:?}");
    assert_eq!(made[0].travellers_count, 2);
    let tour = crm.tour_card(&Actor::System, crm::domain::TourId(tour_id)).await.unwrap();
    assert_eq!(tour.departures[0].seats_booked, 2, "two seats, taken once");
}

/// PostgreSQL restarted in the middle of a broadcast: the scheduler loses its lead with its
/// connection, takes it again when the database is back and the outbox resumes; every recipient
/// gets the message once (a row whose mark was lost with the connection reads `unknown`).
#[tokio::test]
async fn a_database_restart_mid_broadcast_delivers_every_message_once() {
    use crm::notify::BroadcastKind;
    use crm::services::notify::BroadcastInput;
    use crm::services::{AudienceFilter, OutboxFilter, OutboxStatus};
    const RECIPIENTS: i64 = 90;
    const FIRST_CHAT: i64 = 710_000;
    let Some(pg) = PostgresServer::start() else { return };
    let w = World::on_database(pg.url()).await;
    let hours = crate::broadcast::hours_around_now();
    let env = [("TOURCRM_BOT_RATE", "30"), ("TOURCRM_SCHEDULER_TICK", "1"), ("TOURCRM_NOTIFY_HOURS", hours.as_str())];
    let server = w.serve_with(&env).await;
    let crm = w.crm().await;
    let (tour_id, _) = crate::bot_client::published_tour(&crm).await;
    crate::subscribers::subscribers(&crm, RECIPIENTS, FIRST_CHAT, 915).await;
    let input = BroadcastInput {
        kind: BroadcastKind::HotTour,
        title: "Горящий Алтай".into(),
        template: BroadcastKind::HotTour.default_template().into(),
        tour_id: Some(crm::domain::TourId(tour_id)),
        audience: AudienceFilter::default(),
        send_at: None,
    };
    let bc = crm.create_broadcast(&Actor::System, input).await.unwrap();
    let received = || (0..RECIPIENTS).map(|i| w.fake.count_sent(FIRST_CHAT + i)).collect::<Vec<_>>();
    until("a third of the broadcast", || async { received().iter().sum::<usize>() >= (RECIPIENTS / 3) as usize }).await;

    pg.kill();
    tokio::time::sleep(Duration::from_secs(2)).await;
    pg.restart();

    let deadline = Instant::now() + Duration::from_secs(60);
    while crm.broadcast_card(&Actor::System, bc.id).await.map(|c| c.broadcast.status != "done").unwrap_or(true) {
        if Instant::now() > deadline {
            let card = crm.broadcast_card(&Actor::System, bc.id).await;
            let (_, log) = server.stop();
            let tail: Vec<&str> = log.lines().rev().take(25).collect();
            panic!("not done after the restart: {:?}\n{}", card.map(|c| c.counts), tail.join("\n"));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(received().iter().all(|n| *n == 1), "each recipient once: {:?}", received());
    let rows = crm
        .outbox_entries(&Actor::System, OutboxFilter { broadcast_id: Some(bc.id), limit: 500, ..Default::default() })
        .await
        .unwrap();
    assert_eq!(rows.len() as i64, RECIPIENTS);
    let statuses: Vec<_> = rows.iter().map(|r| r.status).collect();
    assert!(statuses.iter().all(|s| matches!(s, OutboxStatus::Sent | OutboxStatus::Unknown)), "{statuses:?}");
    drop(server);
}

/// SQLite locked by another process (a backup, a manual `sqlite3` session): the update that must
/// write waits out the busy timeout, is answered «повторите», and changes nothing; once the lock
/// is gone the repeated message goes on.
#[tokio::test]
async fn a_locked_sqlite_file_is_answered_with_try_again_and_changes_nothing() {
    use sqlx::Connection;
    let w = World::on(Backend::Sqlite).await;
    let _server = w.serve().await;
    let vera = w.fake.user(700_051, "Вера", None);
    w.say(&vera, "/start", "Здравствуйте").await;
    w.say(&vera, "📝 Зарегистрироваться", "Как вас зовут").await;

    let mut other = sqlx::sqlite::SqliteConnection::connect(&w.sb.database_url).await.unwrap();
    sqlx::query("BEGIN EXCLUSIVE").execute(&mut other).await.unwrap();
    let answer = any_answer(&w, &vera, "Орлова Вера").await;
    assert!(answer.text().contains("повторите"), "{}", answer.text());
    sqlx::query("ROLLBACK").execute(&mut other).await.unwrap();
    other.close().await.unwrap();

    w.say(&vera, "Орлова Вера", "номером телефона").await;
    assert_eq!(count(&w, &vera, "номером телефона"), 1, "the locked attempt changed nothing");
}
