//! A client's way to a person: which agent answers a client (one rule, for a booking request
//! and for a message alike), the client's message to that agent, and the agency's phone for
//! when no agent can answer in the chat. A client's message is never dropped: it is written to
//! the client's history whatever happens next, so it shows on the client's card in the panel.

use super::Crm;
use super::clients::Access;
use crate::audit::{self, AuditAction, AuditField, AuditObject, Entry};
use crate::domain::{ClientId, Direction, InteractionKind, Invalid, Phone, Role, StaffId};
use crate::store::clients::{self as clients_store, Client};
use crate::store::interactions::{self as interactions_store, NewInteraction};
use crate::store::staff::{self as staff_store, Staff};
use crate::store::{Conn, bookings as bookings_store};
use crate::{Actor, Conflict, Error, Result};

/// The longest message a client may send through the bot (Telegram's own limit).
const MAX_MESSAGE: usize = 4096;

/// Where a client's message went.
#[derive(Debug, Clone)]
pub struct ClientMessage {
    /// The agent who answers: the client's own, or the one just assigned by the booking rule.
    /// `None` when the agency has no active agent at all (the message waits in the history).
    pub agent: Option<Staff>,
    /// Whether the agent was assigned by this message (the client had none, or theirs left).
    pub newly_assigned: bool,
}

/// The agent who answers `client`: their own while that agent is active, otherwise the active
/// agent with the fewest open bookings (ties by id). The same rule assigns the agent of a
/// booking request and of a message, so a client always has one person to talk to.
pub(crate) async fn responsible_agent(conn: &mut Conn, client: &Client) -> Result<Option<StaffId>> {
    if let Some(id) = client.agent_id
        && staff_store::get(conn, id).await?.is_some_and(|s| s.active && s.role == Role::Agent)
    {
        return Ok(Some(id));
    }
    Ok(bookings_store::free_agent(conn).await?)
}

impl Crm {
    /// The agency's phone for clients who need a person now (no agent can answer in the chat,
    /// a blacklisted client). Configured once (`TOURCRM_AGENCY_PHONE`).
    pub fn agency_phone(&self) -> Option<&Phone> {
        self.agency_phone.as_ref()
    }

    /// The same CRM with the agency's phone set.
    pub fn with_agency_phone(mut self, phone: Option<Phone>) -> Crm {
        self.agency_phone = phone;
        self
    }

    /// A client writes to their agent (the bot's «Написать агенту»). A client without an
    /// agent, or whose agent left, gets one by [`responsible_agent`]'s rule; the message goes
    /// to the client's history with the client as its author, in one transaction with the
    /// assignment. The front-end delivers it to the returned agent.
    pub async fn client_writes(&self, actor: &Actor, client: ClientId, text: &str) -> Result<ClientMessage> {
        if *actor != Actor::Client(client) {
            return Err(Error::Forbidden("a client writes only as themself"));
        }
        let body = text.trim();
        if body.is_empty() {
            return Err(Error::Invalid(Invalid::TextEmpty));
        }
        if body.chars().count() > MAX_MESSAGE {
            return Err(Error::Invalid(Invalid::TextTooLong));
        }
        let c = self.client_for(actor, client, Access::Read).await?;
        if c.is_blacklisted() {
            return Err(Error::Conflict(Conflict::Blacklisted));
        }
        let mut tx = self.audited(actor).await?;
        let now = tx.now();
        let agent_id = responsible_agent(&mut tx, &c).await?;
        let newly_assigned = agent_id.is_some() && agent_id != c.agent_id;
        if newly_assigned {
            clients_store::set_agent(&mut tx, c.id, agent_id).await?;
        }
        let agent = match agent_id {
            Some(id) => staff_store::get(&mut tx, id).await?,
            None => None,
        };
        let id = interactions_store::insert(
            &mut tx,
            &NewInteraction {
                client_id: Some(c.id),
                hotel_id: None,
                kind: InteractionKind::Message,
                direction: Direction::In,
                subject: "",
                body,
                hotel_manager_id: None,
                occurred_at: now,
                author: &actor.audit_name(),
                corrects: None,
                booking_id: None,
                now,
            },
        )
        .await?;
        let entry = Entry::new(AuditAction::InteractionAdd, AuditObject::Client(c.id))
            .with(AuditField::Entry, audit::number(id))
            .with(AuditField::Kind, InteractionKind::Message.title_ru())
            .with_some(AuditField::Agent, agent.as_ref().filter(|_| newly_assigned).map(|s| s.name.clone()));
        tx.commit(entry).await?;
        Ok(ClientMessage { agent, newly_assigned })
    }
}
