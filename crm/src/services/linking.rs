//! A newcomer in the bot and the records the agency already has: where they came from (their
//! first `/start`, kept until they register, since they may browse first), and whether the
//! phone they give belongs to a client on record — asked at the phone step, so the bot can
//! link a card an agent made or explain a taken number before anything else is asked.

use super::Crm;
use super::clients::Access;
use super::scope::Scope;
use crate::domain::{ClientId, PersonName, Phone, Role};
use crate::store::Conn;
use crate::store::clients::{self as clients_store, Client};
use crate::store::interactions::{self as interactions_store, NewInteraction};
use crate::store::starts;
use crate::{Actor, Error, Result, text};
use chrono::{DateTime, Utc};

/// What the agency has on record for a phone a newcomer gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhoneOnRecord {
    /// No client has it.
    Free,
    /// A card without Telegram (an agent made it) has it, and the phone came from the sender's
    /// own shared contact, so it is theirs: the card may be linked. Its name is shown to them
    /// to confirm or correct.
    Linkable { full_name: String },
    /// A card without Telegram has it, but the phone was typed: nothing proves it is the
    /// sender's, so the card's name is not shown; sharing the contact would prove it.
    Unconfirmed,
    /// A client already using the bot from another Telegram account has it.
    Taken,
    /// The sender's own verified phone is on a blacklisted card: it is theirs, and the bot
    /// declines politely (pointing to the agency's phone) rather than registering them.
    Declined,
    /// Staff registering a client: the card of a client they may open has it.
    Card { client: ClientId, full_name: String },
}

impl Crm {
    /// Keeps where a Telegram user came from (a `/start` payload) until they register; the
    /// first source wins.
    pub async fn record_start(&self, actor: &Actor, source: &str) -> Result<()> {
        let Actor::Telegram(telegram_id) = *actor else {
            return Err(Error::Forbidden("a start is recorded for the Telegram account itself"));
        };
        let mut conn = self.store.write_conn().await?;
        starts::record(&mut conn, telegram_id, source, self.now()).await?;
        Ok(())
    }

    /// Whether `phone` is on record, for a newcomer registering in the bot, or for staff
    /// registering a client (asked at the phone step, before the rest is typed: the card when
    /// they may open it, otherwise only that it is taken, as registering would refuse).
    /// `verified`: the phone came from the sender's own shared contact (Telegram vouches for it).
    pub async fn phone_on_record(&self, actor: &Actor, phone: &Phone, verified: bool) -> Result<PhoneOnRecord> {
        let staff = match actor {
            Actor::Telegram(_) => false,
            Actor::Staff { role: Role::Admin | Role::Agent, .. } => true,
            _ => return Err(Error::Forbidden("a phone is checked for a registering client")),
        };
        let found = clients_store::by_phone(&mut *self.store.conn().await?, phone.as_str()).await?;
        Ok(match found {
            None => PhoneOnRecord::Free,
            Some(c) if staff && Scope::of(actor, Access::Read).client(&c) => {
                PhoneOnRecord::Card { client: c.id, full_name: c.full_name }
            }
            Some(_) if staff => PhoneOnRecord::Taken,
            Some(c) if c.telegram_id.is_some() => PhoneOnRecord::Taken,
            Some(c) if verified && c.is_blacklisted() => PhoneOnRecord::Declined,
            Some(c) if verified => PhoneOnRecord::Linkable { full_name: c.full_name },
            Some(_) => PhoneOnRecord::Unconfirmed,
        })
    }
}

/// Writes to the client's history that the client linked their Telegram to the card, with
/// the name they confirmed or the correction they made.
pub(crate) async fn note_link(
    conn: &mut Conn,
    client: &Client,
    renamed: Option<&PersonName>,
    author: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let body = match renamed {
        Some(n) => {
            text::fill("client_history", "telegram_linked_renamed", &[("old", &client.full_name), ("new", &n.as_str())])
        }
        None => text::fill("client_history", "telegram_linked", &[("name", &client.full_name)]),
    };
    interactions_store::insert(
        conn,
        &NewInteraction {
            client_id: Some(client.id),
            hotel_id: None,
            kind: crate::domain::InteractionKind::Note,
            direction: crate::domain::Direction::None,
            subject: "",
            body: &body,
            hotel_manager_id: None,
            occurred_at: now,
            author,
            corrects: None,
            booking_id: None,
            now,
        },
    )
    .await?;
    Ok(())
}
