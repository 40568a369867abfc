//! Dialogue state storages: the same cases on SQLite (always), on PostgreSQL when
//! `TOURCRM_TEST_POSTGRES_URL` is set and on Redis when `TOURCRM_TEST_REDIS_URL` is set. A set but
//! unreachable server fails the test rather than skipping it.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use bot::state::{DEFAULT_PREFIX, DbStorage, RedisStorage, StateError};
use crm::clock::SystemClock;
use crm::crypto::MasterKey;
use crm::{Actor, Crm};
use dialogues::State;
use dialogues::staff::Awaiting;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::sync::Arc;
use teloxide::dispatching::dialogue::{ErasedStorage, Storage};
use teloxide::types::ChatId;
use testkit::{Backend, TestDb, backends, open_crm, redis_url, unique_suffix};

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
enum Step {
    AskName,
    AskPhone { name: String },
}

/// Where the states live; every `open` builds a new storage object (and, for the database, a new
/// pool), as a restarted bot would.
enum Home {
    Db { db: TestDb, master: String },
    Redis { url: String, prefix: String },
}

fn rand_u64() -> u64 {
    u64::from_str_radix(&unique_suffix(), 16).unwrap()
}

/// A fresh database of `backend` (see [`testkit::backends`]).
async fn database(backend: Backend) -> Home {
    Home::Db { db: TestDb::new(backend).await, master: MasterKey::generate_base64() }
}

async fn sqlite() -> Home {
    database(Backend::Sqlite).await
}

fn redis(url: &str) -> Home {
    Home::Redis { url: url.to_owned(), prefix: format!("tourcrm_test:{}:dialogue:", unique_suffix()) }
}

async fn crm_on(db: &TestDb, master: &str) -> Crm {
    open_crm(&db.url, master, Arc::new(SystemClock)).await.unwrap_or_else(|e| panic!("open {}: {e}", db.backend))
}

impl Home {
    async fn open<D: Serialize + DeserializeOwned + Send + 'static>(&self) -> Arc<ErasedStorage<D>> {
        match self {
            Home::Db { db, master } => DbStorage::new(crm_on(db, master).await).erase(),
            Home::Redis { url, prefix } => RedisStorage::open(url, prefix)
                .await
                .unwrap_or_else(|e| panic!("TOURCRM_TEST_REDIS_URL is set but Redis does not answer: {e}"))
                .erase(),
        }
    }

    /// Writes a stored value as-is, bypassing serialisation (an old or foreign state).
    async fn put_raw(&self, chat: ChatId, value: &[u8]) {
        match self {
            Home::Db { db, master } => {
                let crm = crm_on(db, master).await;
                let text = std::str::from_utf8(value).unwrap();
                crm.put_chat_state(&Actor::System, chat.0, text).await.unwrap();
            }
            Home::Redis { url, prefix } => {
                let mut conn =
                    redis::Client::open(url.as_str()).unwrap().get_multiplexed_async_connection().await.unwrap();
                let () = redis::AsyncCommands::set(&mut conn, format!("{prefix}{}", chat.0), value).await.unwrap();
            }
        }
    }
}

async fn get<D>(s: &Arc<ErasedStorage<D>>, chat: ChatId) -> Option<D> {
    Arc::clone(s).get_dialogue(chat).await.unwrap()
}

async fn put(s: &Arc<ErasedStorage<Step>>, chat: ChatId, step: Step) {
    Arc::clone(s).update_dialogue(chat, step).await.unwrap();
}

fn phone(name: &str) -> Step {
    Step::AskPhone { name: name.to_owned() }
}

/// Every case on one backend; each case uses its own chats.
async fn all_cases(b: &Home) {
    let s = b.open::<Step>().await;

    assert_eq!(get(&s, ChatId(1)).await, None, "missing chat");

    put(&s, ChatId(2), Step::AskName).await;
    assert_eq!(get(&s, ChatId(2)).await, Some(Step::AskName), "update then get");

    put(&s, ChatId(3), Step::AskName).await;
    put(&s, ChatId(3), phone("Мария")).await;
    assert_eq!(get(&s, ChatId(3)).await, Some(phone("Мария")), "update overwrites");

    // Negative ids are group chats: they must be keys like any other.
    put(&s, ChatId(-1001234567890), phone("группа")).await;
    assert_eq!(get(&s, ChatId(-1001234567890)).await, Some(phone("группа")), "group chat id");

    put(&s, ChatId(4), Step::AskName).await;
    Arc::clone(&s).remove_dialogue(ChatId(4)).await.unwrap();
    assert_eq!(get(&s, ChatId(4)).await, None, "remove then get");
    assert_eq!(get(&s, ChatId(2)).await, Some(Step::AskName), "remove touches only its chat");

    // teloxide's contract: removing a dialogue that does not exist is an error.
    let err = Arc::clone(&s).remove_dialogue(ChatId(5)).await.unwrap_err();
    assert!(matches!(err.downcast_ref::<StateError>(), Some(StateError::DialogueNotFound)), "remove missing: {err}");

    b.put_raw(ChatId(6), br#"{"OldStep":{"tour":7}}"#).await;
    assert_eq!(get(&s, ChatId(6)).await, None, "a state of an older shape restarts the dialogue");
    b.put_raw(ChatId(7), b"not json").await;
    assert_eq!(get(&s, ChatId(7)).await, None, "garbage restarts the dialogue");
    put(&s, ChatId(7), Step::AskName).await;
    assert_eq!(get(&s, ChatId(7)).await, Some(Step::AskName), "and the next step overwrites it");

    // The bot's own states: one the version before codes wrote (a position in `BookingStatus::ALL`)
    // restarts the dialogue; the same state as this version writes it reads back.
    let states = b.open::<State>().await;
    b.put_raw(ChatId(9), br#"{"Staff":{"MoveReason":{"booking":17,"to":1}}}"#).await;
    assert_eq!(get(&states, ChatId(9)).await, None, "a position of the version before codes");
    b.put_raw(ChatId(9), br#"{"Staff":{"MoveReason":{"booking":17,"to":"contract_signed"}}}"#).await;
    let signed = Awaiting::MoveReason { booking: 17, to: crm::domain::BookingStatus::ContractSigned };
    assert_eq!(get(&states, ChatId(9)).await, Some(State::Staff(Some(signed))), "a code");

    drop(s);
    let reopened = b.open::<Step>().await;
    assert_eq!(get(&reopened, ChatId(3)).await, Some(phone("Мария")), "state survives reopening");
    assert_eq!(get(&reopened, ChatId(4)).await, None, "removal survives reopening");
}

#[tokio::test]
async fn sqlite_storage() {
    all_cases(&sqlite().await).await;
}

#[tokio::test]
async fn postgres_storage() {
    if !backends().contains(&Backend::Postgres) {
        eprintln!("TOURCRM_TEST_POSTGRES_URL unset: PostgreSQL dialogue storage not tested");
        return;
    }
    all_cases(&database(Backend::Postgres).await).await;
}

#[tokio::test]
async fn redis_storage() {
    let Some(url) = redis_url() else {
        eprintln!("TOURCRM_TEST_REDIS_URL unset: Redis dialogue storage not tested");
        return;
    };
    let b = redis(&url);
    all_cases(&b).await;

    // A value that is not even UTF-8 (another program's key) restarts the dialogue too.
    b.put_raw(ChatId(8), &[0xff, 0xfe, 0x00]).await;
    assert_eq!(get(&b.open::<Step>().await, ChatId(8)).await, None, "non-UTF-8 value");

    // Leave the shared server as found (a failed run leaves its keys, under a prefix of its own).
    let Home::Redis { prefix, .. } = &b else { unreachable!() };
    let mut conn = redis::Client::open(url.as_str()).unwrap().get_multiplexed_async_connection().await.unwrap();
    let keys: Vec<String> = redis::AsyncCommands::keys(&mut conn, format!("{prefix}*")).await.unwrap();
    let _: i64 = redis::AsyncCommands::del(&mut conn, keys).await.unwrap();
}

#[tokio::test]
async fn without_redis_the_database_is_used() {
    let Home::Db { db, master } = sqlite().await else { unreachable!() };
    let crm = crm_on(&db, &master).await;
    let (s, health) = bot::open_state_storage::<Step>(&crm, None, "tourcrm:").await.unwrap();
    assert!(health.is_none());
    put(&s, ChatId(10), phone("Ольга")).await;
    let stored = crm.chat_state(&Actor::System, 10).await.unwrap().unwrap();
    assert_eq!(serde_json::from_str::<Step>(&stored).unwrap(), phone("Ольга"));
}

#[tokio::test]
async fn with_redis_url_redis_is_used() {
    let Some(url) = redis_url() else { return };
    let Home::Db { db, master } = sqlite().await else { unreachable!() };
    let crm = crm_on(&db, &master).await;
    let (s, health) = bot::open_state_storage::<Step>(&crm, Some(&url), "tourcrm:").await.unwrap();
    assert!(health.unwrap().is_up());
    // The production prefix, so a random chat id keeps clear of real chats; removed at the end.
    let chat = ChatId(-(i64::try_from(rand_u64() >> 2).unwrap()) - 1);
    put(&s, chat, Step::AskName).await;
    let mut conn = redis::Client::open(url.as_str()).unwrap().get_multiplexed_async_connection().await.unwrap();
    let key = format!("{DEFAULT_PREFIX}{}", chat.0);
    let stored: Option<String> = redis::AsyncCommands::get(&mut conn, &key).await.unwrap();
    Arc::clone(&s).remove_dialogue(chat).await.unwrap();
    assert_eq!(stored.as_deref(), Some("\"AskName\""));
    assert_eq!(crm.chat_state(&Actor::System, chat.0).await.unwrap(), None, "nothing went to the database");
}

#[tokio::test]
async fn unreachable_redis_is_an_error_at_open() {
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    let started = std::time::Instant::now();
    let err = RedisStorage::open("redis://127.0.0.1:1", DEFAULT_PREFIX).await.unwrap_err();
    assert!(matches!(err, StateError::Redis(_)), "{err}");
    assert!(started.elapsed() < std::time::Duration::from_secs(30), "open gave up in {:?}", started.elapsed());
}

/// Redis stops and comes back empty: every call is still answered (from the database meanwhile,
/// each within a few seconds), the health flag follows, and the states written during the
/// outage are handed back to Redis and leave the database.
#[tokio::test]
async fn while_redis_is_away_states_go_to_the_database_and_come_back() {
    let Some(mut redis) = testkit::RedisServer::start() else { return };
    let Home::Db { db, master } = sqlite().await else { unreachable!() };
    let crm = crm_on(&db, &master).await;
    let (s, health) = bot::open_state_storage::<Step>(&crm, Some(&redis.url()), "t:").await.unwrap();
    let health = health.unwrap();
    put(&s, ChatId(1), Step::AskName).await;
    assert!(health.is_up());
    assert_eq!(crm.chat_state(&Actor::System, 1).await.unwrap(), None, "in Redis, not the database");

    redis.kill();
    let started = std::time::Instant::now();
    // Chat 1's state lived only in Redis: it is gone, and the chat starts over.
    assert_eq!(get(&s, ChatId(1)).await, None);
    put(&s, ChatId(2), phone("Мария")).await;
    assert_eq!(get(&s, ChatId(2)).await, Some(phone("Мария")));
    assert!(started.elapsed() < std::time::Duration::from_secs(3), "calls waited {:?}", started.elapsed());
    assert!(!health.is_up());
    assert!(crm.chat_state(&Actor::System, 2).await.unwrap().is_some(), "kept in the database");

    redis.restart();
    wait_up(&health).await;
    assert_eq!(crm.chat_state(&Actor::System, 2).await.unwrap(), None, "handed over to Redis");
    assert_eq!(get(&s, ChatId(2)).await, Some(phone("Мария")), "and read from there");
    let mut conn = redis::Client::open(redis.url()).unwrap().get_multiplexed_async_connection().await.unwrap();
    let stored: Option<String> = redis::AsyncCommands::get(&mut conn, "t:dialogue:2").await.unwrap();
    assert_eq!(stored.as_deref(), Some(r#"{"AskPhone":{"name":"Мария"}}"#));
}

/// A bot started while Redis is down starts on the database and moves to Redis when it answers.
#[tokio::test]
async fn a_bot_started_without_redis_moves_to_it_when_it_answers() {
    let Some(mut redis) = testkit::RedisServer::start() else { return };
    redis.kill();
    let Home::Db { db, master } = sqlite().await else { unreachable!() };
    let crm = crm_on(&db, &master).await;
    let (s, health) = bot::open_state_storage::<Step>(&crm, Some(&redis.url()), "t:").await.unwrap();
    let health = health.unwrap();
    assert!(!health.is_up());
    put(&s, ChatId(3), Step::AskName).await;
    redis.restart();
    wait_up(&health).await;
    assert_eq!(crm.chat_state(&Actor::System, 3).await.unwrap(), None);
    assert_eq!(get(&s, ChatId(3)).await, Some(Step::AskName));
    // A URL that is not one stays an error at start.
    assert!(bot::open_state_storage::<Step>(&crm, Some("http://x"), "t:").await.is_err());
}

async fn wait_up(health: &bot::RedisHealth) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !health.is_up() {
        assert!(std::time::Instant::now() < deadline, "Redis was not used again within 10 s");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}
