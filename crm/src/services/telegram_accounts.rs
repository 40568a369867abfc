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
        may_look_up(actor, telegram_id)?;
        let Some(row) = store::get(&mut *self.store.conn().await?, telegram_id).await? else { return Ok(None) };
        account(row.is_staff, row.id, row.name, &row.role, row.blacklisted, row.marketing).map(Some)
    }

    /// [`Crm::telegram_account`] and the bot's stored dialogue state of `chat_id` (see
    /// [`Crm::chat_state`]), read in one query: what every update of the bot starts with. The
    /// system's only, as the dialogue states are.
    pub async fn telegram_account_and_chat_state(
        &self,
        actor: &Actor,
        telegram_id: i64,
        chat_id: i64,
    ) -> Result<(Option<TelegramAccount>, Option<String>)> {
        actor.require(&[], "dialogue states")?;
        let row = store::get_with_state(&mut *self.store.conn().await?, telegram_id, chat_id).await?;
        let found = match (row.is_staff, row.id, row.name, row.role, row.blacklisted, row.marketing) {
            (Some(is_staff), Some(id), Some(name), Some(role), Some(blacklisted), Some(marketing)) => {
                Some(account(is_staff, id, name, &role, blacklisted, marketing)?)
            }
            _ => None,
        };
        Ok((found, row.state))
    }
}

fn may_look_up(actor: &Actor, telegram_id: i64) -> Result<()> {
    match actor {
        Actor::System => Ok(()),
        Actor::Telegram(t) if *t == telegram_id => Ok(()),
        _ => Err(Error::Forbidden("a Telegram lookup is the bot's")),
    }
}

/// An account's row as the account.
fn account(
    is_staff: i64,
    id: i64,
    name: String,
    role: &str,
    blacklisted: i64,
    marketing: i64,
) -> Result<TelegramAccount> {
    Ok(if is_staff != 0 {
        let role = Role::parse(role).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
        TelegramAccount::Staff { id: StaffId(id), role, name }
    } else {
        TelegramAccount::Client {
            id: ClientId(id),
            full_name: name,
            blacklisted: blacklisted != 0,
            marketing_consent: marketing != 0,
        }
    })
}
