//! Persistent dialogue state: teloxide's [`Storage`] trait on our own database ([`DbStorage`])
//! and on Redis ([`RedisStorage`]), so a restart mid-dialogue resumes it and several bot
//! instances behind one webhook share it.
//!
//! teloxide ships storages of its own, but they pull in their own sqlx and pool (a second
//! SQLite library); these go through `crm`'s store and the workspace's `redis` instead.
//!
//! Both keep a dialogue as JSON text. A stored state that no longer parses (the dialogue types
//! changed in an upgrade) reads as "no dialogue" with a warning, so the user starts over
//! instead of the chat being stuck on an error.

mod db;
mod fallback;
mod redis;

pub use self::db::DbStorage;
pub use self::fallback::{FallbackStorage, RedisHealth};
pub use self::redis::{DEFAULT_PREFIX, RedisStorage};

use crate::BotError;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use teloxide::dispatching::dialogue::{ErasedStorage, Storage};
use teloxide::types::ChatId;

/// teloxide's `futures::future::BoxFuture`, spelled out so the bot needs no `futures` crate.
type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// `remove_dialogue` of a chat without a dialogue: teloxide's `Storage` contract says this
    /// is an error (its own storages do the same).
    #[error("no dialogue is stored for this chat")]
    DialogueNotFound,
    #[error("dialogue state in the database: {0}")]
    Db(#[from] crm::Error),
    #[error("dialogue state in Redis: {0}")]
    Redis(#[from] ::redis::RedisError),
    #[error("dialogue state does not serialise: {0}")]
    Encode(#[from] serde_json::Error),
    #[error("dialogue state in Redis: no answer in time")]
    Timeout,
}

/// Opens the dialogue storage the configuration asks for: Redis when a URL is given (shared by
/// several bot instances), with the CRM database as its fallback while Redis is away (see
/// [`FallbackStorage`]; the [`RedisHealth`] tells the health check), otherwise the database.
/// A URL that does not parse fails here; a server that does not answer is only a warning.
/// `redis_prefix` namespaces the keys (`<prefix>dialogue:<chat>`), so several agencies or test
/// runs can share one Redis.
pub async fn open_state_storage<D>(
    crm: &crm::Crm,
    redis_url: Option<&str>,
    redis_prefix: &str,
) -> Result<(Arc<ErasedStorage<D>>, Option<RedisHealth>), BotError>
where
    D: Serialize + DeserializeOwned + Send + Clone + 'static,
{
    Ok(match redis_url {
        Some(url) => {
            let storage = FallbackStorage::open(crm.clone(), url, &format!("{redis_prefix}dialogue:")).await?;
            let health = storage.health();
            (storage.erase(), Some(health))
        }
        None => (DbStorage::new(crm.clone()).erase(), None),
    })
}

fn encode<D: Serialize>(dialogue: &D) -> Result<String, StateError> {
    Ok(serde_json::to_string(dialogue)?)
}

/// The stored text as a dialogue, or `None` (with a warning) when it no longer parses.
/// Bytes rather than text, so a value that is not even UTF-8 (written by something else into a
/// Redis key) also restarts the dialogue instead of failing every update of the chat.
pub(crate) fn decode<D: DeserializeOwned>(chat_id: ChatId, text: Option<impl AsRef<[u8]>>) -> Option<D> {
    let text = text?;
    match serde_json::from_slice(text.as_ref()) {
        Ok(d) => Some(d),
        Err(e) => {
            // The text itself may hold personal data the user typed: log only the reason.
            tracing::warn!(chat_id = chat_id.0, error = %e, "stored dialogue state does not parse; restarting the dialogue");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    enum Step {
        Name,
        Phone { name: String },
    }

    #[test]
    fn states_round_trip_and_bad_text_reads_as_none() {
        let s = Step::Phone { name: "Мария".into() };
        let text = encode(&s).unwrap();
        assert_eq!(decode::<Step>(ChatId(1), Some(text)), Some(s));
        assert_eq!(decode::<Step>(ChatId(1), Some("\"Name\"")), Some(Step::Name));
        assert_eq!(decode::<Step>(ChatId(1), None::<String>), None);
        assert_eq!(decode::<Step>(ChatId(1), Some(vec![0xff, 0xfe])), None);
        assert_eq!(decode::<Step>(ChatId(1), Some("{\"OldStep\":1}")), None);
        assert_eq!(decode::<Step>(ChatId(1), Some("not json")), None);
    }
}
