//! Who is writing to the bot: the one look-up the bot makes per update.

use super::Crm;
use crate::domain::{ClientId, Role, StaffId};
use crate::store::telegram_accounts as store;
use crate::{Actor, Error, Result};

/// What a Telegram account is to the agency: only what the bot needs to choose a dialogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TelegramAccount {
    /// An active employee whose Telegram is bound.
    Staff { id: StaffId, role: Role, name: String },
    /// A client card with this Telegram.
    Client { id: ClientId, full_name: String, blacklisted: bool, marketing_consent: bool },
}

impl Crm {
    /// The account behind a Telegram id, `None` for a stranger. Only the account itself (or the
    /// system) may ask; an active employee wins over a client card with the same Telegram.
    pub async fn telegram_account(&self, actor: &Actor, telegram_id: i64) -> Result<Option<TelegramAccount>> {
        match actor {
            Actor::System => {}
            Actor::Telegram(t) if *t == telegram_id => {}
            _ => return Err(Error::Forbidden("a Telegram lookup is the bot's")),
        }
        let Some(row) = store::get(&mut *self.store.conn().await?, telegram_id).await? else { return Ok(None) };
        Ok(Some(if row.is_staff != 0 {
            let role = Role::parse(&row.role).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
            TelegramAccount::Staff { id: StaffId(row.id), role, name: row.name }
        } else {
            TelegramAccount::Client {
                id: ClientId(row.id),
                full_name: row.name,
                blacklisted: row.blacklisted != 0,
                marketing_consent: row.marketing != 0,
            }
        }))
    }
}
