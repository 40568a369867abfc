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
        // Bounded waits: a dialogue step should fail and be retried by the user rather than hang
        // the update while Redis is away.
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(5)))
            .set_response_timeout(Some(Duration::from_secs(5)))
            .set_number_of_retries(3);
        let conn = ConnectionManager::new_with_config(client, config).await?;
        Ok(Arc::new(RedisStorage { conn, prefix: prefix.to_owned() }))
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
