//! Dialogue states in the CRM database (table `dialogue_states`), the default when no Redis is
//! configured. The CRM keeps the text (`Crm::chat_state` and its siblings); this is only the teloxide
//! glue.

use super::{BoxFuture, StateError, decode, encode};
use crm::{Actor, Crm};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::sync::Arc;
use teloxide::dispatching::dialogue::Storage;
use teloxide::types::ChatId;

/// A [`Storage`] on the CRM's database pool (SQLite or PostgreSQL, whichever the CRM runs on).
#[derive(Debug, Clone)]
pub struct DbStorage {
    crm: Crm,
}

impl DbStorage {
    pub fn new(crm: Crm) -> Arc<DbStorage> {
        Arc::new(DbStorage { crm })
    }
}

impl<D> Storage<D> for DbStorage
where
    D: Serialize + DeserializeOwned + Send + 'static,
{
    type Error = StateError;

    fn remove_dialogue(self: Arc<Self>, chat_id: ChatId) -> BoxFuture<Result<(), StateError>>
    where
        D: Send + 'static,
    {
        Box::pin(async move {
            let removed = self.crm.remove_chat_state(&Actor::System, chat_id.0).await?;
            if removed { Ok(()) } else { Err(StateError::DialogueNotFound) }
        })
    }

    fn update_dialogue(self: Arc<Self>, chat_id: ChatId, dialogue: D) -> BoxFuture<Result<(), StateError>>
    where
        D: Send + 'static,
    {
        Box::pin(async move {
            let text = encode(&dialogue)?;
            self.crm.put_chat_state(&Actor::System, chat_id.0, &text).await?;
            Ok(())
        })
    }

    fn get_dialogue(self: Arc<Self>, chat_id: ChatId) -> BoxFuture<Result<Option<D>, StateError>> {
        Box::pin(async move {
            let text = self.crm.chat_state(&Actor::System, chat_id.0).await?;
            Ok(decode(chat_id, text))
        })
    }
}
