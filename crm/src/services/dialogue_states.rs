//! The bot's dialogue states, kept for it by chat: the bot's state storage calls these as the
//! system (the text is the bot's own, opaque here), so the bot needs no store of its own.

use super::Crm;
use crate::store::dialogue_states as store;
use crate::{Actor, Result};

const WHAT: &str = "dialogue states";

impl Crm {
    /// The stored dialogue state of `chat_id`, or `None` when the chat has none in progress.
    pub async fn chat_state(&self, actor: &Actor, chat_id: i64) -> Result<Option<String>> {
        actor.require(&[], WHAT)?;
        let mut conn = self.store.conn().await?;
        Ok(store::get(&mut conn, chat_id).await?)
    }

    /// Stores `state` for `chat_id`, replacing any previous one; stamped with the CRM's clock.
    pub async fn put_chat_state(&self, actor: &Actor, chat_id: i64, state: &str) -> Result<()> {
        actor.require(&[], WHAT)?;
        let mut conn = self.store.write_conn().await?;
        Ok(store::upsert(&mut conn, chat_id, state, self.now()).await?)
    }

    /// Deletes the state of `chat_id`; answers whether there was one.
    pub async fn remove_chat_state(&self, actor: &Actor, chat_id: i64) -> Result<bool> {
        actor.require(&[], WHAT)?;
        let mut conn = self.store.write_conn().await?;
        Ok(store::remove(&mut conn, chat_id).await?)
    }

    /// Every stored state (chat, text), oldest first.
    pub async fn all_chat_states(&self, actor: &Actor) -> Result<Vec<(i64, String)>> {
        actor.require(&[], WHAT)?;
        let mut conn = self.store.conn().await?;
        Ok(store::all(&mut conn).await?)
    }

    /// Deletes the state of `chat_id` if it is still `state`; answers whether it was.
    pub async fn remove_chat_state_if(&self, actor: &Actor, chat_id: i64, state: &str) -> Result<bool> {
        actor.require(&[], WHAT)?;
        let mut conn = self.store.write_conn().await?;
        Ok(store::remove_if(&mut conn, chat_id, state).await?)
    }
}
