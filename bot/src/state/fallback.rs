//! Redis first, the database while Redis is away: the storage the bot uses when Redis is
//! configured, so a client who writes while Redis blinks still gets an answer.
//!
//! Every Redis call has a deadline ([`CALL_TIMEOUT`]). The first call that fails or misses it
//! marks Redis down (one WARN line) and is answered from the database; from then on no update
//! touches Redis, so none waits on a dead connection. A background probe tries a fresh
//! connection every [`PROBE_EVERY`]; when Redis answers it hands the states written to the
//! database meanwhile over to Redis, marks Redis up (one INFO line) and the bot uses it again.
//!
//! The hand-over holds the write side of `gate`, every database fallback call its read side:
//! so no state is written to the database after the hand-over read it, and none is left there
//! newer than its copy in Redis. The database rows are removed only while they still read what
//! was copied (`remove_chat_state_if`), and the hand-over runs at start too, so a row left by a
//! crash, or by another instance still on its fallback, reaches Redis at the latest then.
//! A state that lived only in Redis when it went away is gone with it: that chat starts over
//! from its menu, which is an answer, not silence.

use super::redis::{CALL_TIMEOUT, RedisStorage};
use super::{BoxFuture, DbStorage, StateError};
use crm::{Actor, Crm};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use teloxide::dispatching::dialogue::Storage;
use teloxide::types::ChatId;

/// How often the probe tries Redis while it is down.
pub(super) const PROBE_EVERY: Duration = Duration::from_secs(1);

/// Whether Redis answers, as the dialogue storage last saw it; for the health check.
#[derive(Debug, Clone)]
pub struct RedisHealth(Arc<AtomicBool>);

impl RedisHealth {
    pub fn is_up(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }
}

pub struct FallbackStorage {
    client: ::redis::Client,
    prefix: String,
    /// The live connection, replaced by the probe's fresh one on recovery.
    redis: Mutex<Option<Arc<RedisStorage>>>,
    db: Arc<DbStorage>,
    crm: Crm,
    up: Arc<AtomicBool>,
    gate: tokio::sync::RwLock<()>,
}

impl std::fmt::Debug for FallbackStorage {
    // The client's info carries the URL with its password: never print it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FallbackStorage").field("prefix", &self.prefix).field("up", &self.up).finish_non_exhaustive()
    }
}

impl FallbackStorage {
    /// A bad URL is an error; an unreachable server is not: the bot starts on the database,
    /// says so once, and moves to Redis when it answers.
    pub async fn open(crm: Crm, url: &str, prefix: &str) -> Result<Arc<FallbackStorage>, StateError> {
        let client = ::redis::Client::open(url)?;
        let storage = Arc::new(FallbackStorage {
            client,
            prefix: prefix.to_owned(),
            redis: Mutex::new(None),
            db: DbStorage::new(crm.clone()),
            crm,
            up: Arc::new(AtomicBool::new(false)),
            gate: tokio::sync::RwLock::new(()),
        });
        match storage.try_recover().await {
            Ok(()) => tracing::info!("dialogue state in Redis"),
            Err(e) => {
                tracing::warn!(error = %e, "Redis does not answer; dialogue state is kept in the database until it does");
                storage.spawn_probe();
            }
        }
        Ok(storage)
    }

    pub fn health(&self) -> RedisHealth {
        RedisHealth(self.up.clone())
    }

    fn live(&self) -> Option<Arc<RedisStorage>> {
        if !self.up.load(Ordering::Acquire) {
            return None;
        }
        self.redis.lock().ok().and_then(|r| r.clone())
    }

    /// Redis failed a call: the first to notice says so and starts the probe.
    fn went_down(self: &Arc<Self>, error: &str) {
        if self.up.swap(false, Ordering::AcqRel) {
            tracing::warn!(error, "Redis does not answer; dialogue state goes to the database until it returns");
            self.spawn_probe();
        }
    }

    fn spawn_probe(self: &Arc<Self>) {
        let this = Arc::clone(self);
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(PROBE_EVERY).await;
                if this.try_recover().await.is_ok() {
                    tracing::info!("Redis answers again; dialogue state is back in Redis");
                    return;
                }
            }
        });
    }

    /// Connects afresh; when Redis answers, hands the database's states over and marks it up.
    async fn try_recover(&self) -> Result<(), StateError> {
        let redis = deadline(CALL_TIMEOUT * 2, RedisStorage::connect(self.client.clone(), &self.prefix)).await?;
        deadline(CALL_TIMEOUT, redis.ping()).await?;
        let _gate = self.gate.write().await;
        for (chat, text) in self.crm.all_chat_states(&Actor::System).await? {
            deadline(CALL_TIMEOUT, redis.put_text(chat, &text)).await?;
            self.crm.remove_chat_state_if(&Actor::System, chat, &text).await?;
        }
        if let Ok(mut slot) = self.redis.lock() {
            *slot = Some(redis);
        }
        self.up.store(true, Ordering::Release);
        Ok(())
    }

    /// One storage call: on Redis while it is up (within the deadline), else on the database.
    async fn route<T>(
        self: Arc<Self>,
        on_redis: impl Fn(Arc<RedisStorage>) -> BoxFuture<Result<T, StateError>>,
        on_db: impl Fn(Arc<DbStorage>) -> BoxFuture<Result<T, StateError>>,
    ) -> Result<T, StateError> {
        // Twice at most: Redis may come back between the first look and taking the gate.
        for _ in 0..2 {
            if let Some(redis) = self.live() {
                match deadline(CALL_TIMEOUT, on_redis(redis)).await {
                    Err(e @ (StateError::Redis(_) | StateError::Timeout)) => self.went_down(&e.to_string()),
                    answer => return answer,
                }
            }
            let _gate = self.gate.read().await;
            if !self.up.load(Ordering::Acquire) {
                return on_db(self.db.clone()).await;
            }
        }
        Err(StateError::Timeout)
    }
}

/// `fut`, or [`StateError::Timeout`] when it takes longer than `limit`.
async fn deadline<T>(limit: Duration, fut: impl Future<Output = Result<T, StateError>>) -> Result<T, StateError> {
    tokio::time::timeout(limit, fut).await.unwrap_or(Err(StateError::Timeout))
}

impl<D> Storage<D> for FallbackStorage
where
    D: Serialize + DeserializeOwned + Send + Clone + 'static,
{
    type Error = StateError;

    fn remove_dialogue(self: Arc<Self>, chat_id: ChatId) -> BoxFuture<Result<(), StateError>>
    where
        D: Send + 'static,
    {
        Box::pin(self.route(
            move |r| <RedisStorage as Storage<D>>::remove_dialogue(r, chat_id),
            move |d| <DbStorage as Storage<D>>::remove_dialogue(d, chat_id),
        ))
    }

    fn update_dialogue(self: Arc<Self>, chat_id: ChatId, dialogue: D) -> BoxFuture<Result<(), StateError>>
    where
        D: Send + 'static,
    {
        let for_db = dialogue.clone();
        Box::pin(self.route(
            move |r| r.update_dialogue(chat_id, dialogue.clone()),
            move |d| d.update_dialogue(chat_id, for_db.clone()),
        ))
    }

    fn get_dialogue(self: Arc<Self>, chat_id: ChatId) -> BoxFuture<Result<Option<D>, StateError>> {
        Box::pin(self.route(
            move |r| <RedisStorage as Storage<D>>::get_dialogue(r, chat_id),
            move |d| <DbStorage as Storage<D>>::get_dialogue(d, chat_id),
        ))
    }
}
