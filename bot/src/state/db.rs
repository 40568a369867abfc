//! Dialogue states in the CRM database (table `dialogue_states`), the default when no Redis is
//! configured. The SQL lives in `crm::store::dialogue_states`; this is only the teloxide glue.

use super::{BoxFuture, StateError, decode, encode};
use crm::Crm;
use crm::store::dialogue_states;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::sync::Arc;
use teloxide::dispatching::dialogue::Storage;
use teloxide::types::ChatId;

/// A [`Storage`] on the CRM's database pool (SQLite or PostgreSQL, whichever the CRM runs on).
#[derive(Debug, Clone)]
pub struct DbStorage {
    // The whole CRM rather than its store: `updated_at` comes from the CRM's clock, which tests set.
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
            let mut conn = self.crm.store().conn().await?;
            let removed = dialogue_states::remove(&mut conn, chat_id.0).await.map_err(crm::Error::from)?;
            if removed { Ok(()) } else { Err(StateError::DialogueNotFound) }
        })
    }

    fn update_dialogue(self: Arc<Self>, chat_id: ChatId, dialogue: D) -> BoxFuture<Result<(), StateError>>
    where
        D: Send + 'static,
    {
        Box::pin(async move {
            let text = encode(&dialogue)?;
            let mut conn = self.crm.store().conn().await?;
            dialogue_states::upsert(&mut conn, chat_id.0, &text, self.crm.now()).await.map_err(crm::Error::from)?;
            Ok(())
        })
    }

    fn get_dialogue(self: Arc<Self>, chat_id: ChatId) -> BoxFuture<Result<Option<D>, StateError>> {
        Box::pin(async move {
            let mut conn = self.crm.store().conn().await?;
            let text = dialogue_states::get(&mut conn, chat_id.0).await.map_err(crm::Error::from)?;
            Ok(decode(chat_id, text))
        })
    }
}
