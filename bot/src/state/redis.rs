//! Dialogue states in Redis, for several bot instances behind one webhook: one string key per
//! chat, `<prefix><chat_id>` (by default `tourcrm:dialogue:<chat_id>`), holding the JSON state.

use super::{BoxFuture, StateError, decode, encode};
use ::redis::AsyncCommands;
use ::redis::aio::{ConnectionManager, ConnectionManagerConfig};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::sync::Arc;
use std::time::Duration;
use teloxide::dispatching::dialogue::Storage;
use teloxide::types::ChatId;

/// The key prefix in production; tests pass their own so runs on a shared server don't collide.
pub const DEFAULT_PREFIX: &str = "tourcrm:dialogue:";

/// How long one Redis call may take, connecting included; a dialogue step needs a few calls.
pub(super) const CALL_TIMEOUT: Duration = Duration::from_secs(1);

/// A [`Storage`] on Redis through a [`ConnectionManager`], which reconnects by itself after the
/// server restarts or the connection drops.
#[derive(Clone)]
pub struct RedisStorage {
    conn: ConnectionManager,
    prefix: String,
}

impl std::fmt::Debug for RedisStorage {
    // The connection's info carries the URL with its password: never print it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStorage").field("prefix", &self.prefix).finish_non_exhaustive()
    }
}

impl RedisStorage {
    /// Connects now (an unreachable server is an error here, not on the first message).
    pub async fn open(url: &str, prefix: &str) -> Result<Arc<RedisStorage>, StateError> {
        let client = ::redis::Client::open(url)?;
        Self::connect(client, prefix).await
    }

    /// Connects with an already parsed client (the fallback storage reconnects with it).
    pub(super) async fn connect(client: ::redis::Client, prefix: &str) -> Result<Arc<RedisStorage>, StateError> {
        // Short bounded waits: an update must not wait on a dead connection. A call that gets no
        // answer in time fails, and the fallback storage turns to the database.
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(CALL_TIMEOUT))
            .set_response_timeout(Some(CALL_TIMEOUT))
            .set_number_of_retries(1);
        let conn = ConnectionManager::new_with_config(client, config).await?;
        Ok(Arc::new(RedisStorage { conn, prefix: prefix.to_owned() }))
    }

    /// Writes a state's stored text as it is (handing the database's states over to Redis).
    pub(super) async fn put_text(&self, chat_id: i64, text: &str) -> Result<(), StateError> {
        let mut conn = self.conn.clone();
        let () = conn.set(self.key(ChatId(chat_id)), text).await?;
        Ok(())
    }

    /// Whether Redis answers a PING.
    pub(super) async fn ping(&self) -> Result<(), StateError> {
        let mut conn = self.conn.clone();
        let _: String = ::redis::cmd("PING").query_async(&mut conn).await?;
        Ok(())
    }

    fn key(&self, chat_id: ChatId) -> String {
        format!("{}{}", self.prefix, chat_id.0)
    }
}

impl<D> Storage<D> for RedisStorage
where
    D: Serialize + DeserializeOwned + Send + 'static,
{
    type Error = StateError;

    fn remove_dialogue(self: Arc<Self>, chat_id: ChatId) -> BoxFuture<Result<(), StateError>>
    where
        D: Send + 'static,
    {
        Box::pin(async move {
            // The manager is a cheap handle onto one shared multiplexed connection.
            let mut conn = self.conn.clone();
            let removed: i64 = conn.del(self.key(chat_id)).await?;
            if removed > 0 { Ok(()) } else { Err(StateError::DialogueNotFound) }
        })
    }

    fn update_dialogue(self: Arc<Self>, chat_id: ChatId, dialogue: D) -> BoxFuture<Result<(), StateError>>
    where
        D: Send + 'static,
    {
        Box::pin(async move {
            let text = encode(&dialogue)?;
            let mut conn = self.conn.clone();
            let () = conn.set(self.key(chat_id), text).await?;
            Ok(())
        })
    }

    fn get_dialogue(self: Arc<Self>, chat_id: ChatId) -> BoxFuture<Result<Option<D>, StateError>> {
        Box::pin(async move {
            let mut conn = self.conn.clone();
            let text: Option<Vec<u8>> = conn.get(self.key(chat_id)).await?;
            Ok(decode(chat_id, text))
        })
    }
}
