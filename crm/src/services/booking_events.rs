//! What follows a booking's creation and each move of its status, besides the move itself:
//! an entry in the client's interaction history (linked to the booking) and, for a move, the
//! client's message. Both are written inside the caller's transaction, so a booking or a move
//! never exists without its history entry and message, nor they without it. Every move —
//! a person's (`change_booking_status`), a payment's (`ledger::follow_payments`) or the client's
//! signature on the contract (`signing::code`) — ends here.

use super::Crm;
use crate::domain::{BookingId, BookingStatus, ClientId, Direction, InteractionKind, Money, Role, format_ru_range};
use crate::store::Conn;
use crate::store::bookings::Booking;
use crate::store::interactions::{self, NewInteraction};
use crate::store::staff::Staff;
use crate::text;
use crate::{Actor, Result};
use chrono::{DateTime, Utc};

/// Who a history entry is from: the client's own request comes in; what staff or the system
/// do is the agency's own record.
fn direction(actor: &str) -> Direction {
    if actor.starts_with("client:") { Direction::In } else { Direction::None }
}

async fn write(
    conn: &mut Conn,
    client: ClientId,
    booking: BookingId,
    actor: &str,
    body: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    interactions::insert(
        conn,
        &NewInteraction {
            client_id: Some(client),
            hotel_id: None,
            kind: InteractionKind::Booking,
            direction: direction(actor),
            subject: "",
            body,
            hotel_manager_id: None,
            occurred_at: now,
            author: actor,
            corrects: None,
            booking_id: Some(booking),
            now,
        },
    )
    .await?;
    Ok(())
}

/// What a new booking writes into its client's history.
pub(crate) struct Created<'a> {
    pub id: BookingId,
    pub client: ClientId,
    pub tour: &'a str,
    pub starts_on: chrono::NaiveDate,
    pub ends_on: chrono::NaiveDate,
    pub travellers: i64,
    pub total: Money,
}

pub(crate) async fn booking_created(conn: &mut Conn, b: &Created<'_>, actor: &str, now: DateTime<Utc>) -> Result<()> {
    let body = text::fill(
        "booking_events",
        "created",
        &[
            ("id", &b.id.0),
            ("tour", &b.tour),
            ("dates", &format_ru_range(b.starts_on, b.ends_on)),
            ("travellers", &b.travellers),
            ("total", &b.total),
            ("status", &BookingStatus::ContractPending.title_ru()),
        ],
    );
    write(conn, b.client, b.id, actor, &body, now).await
}

/// After `booking` moved to `to` (history row `move_id`): the client's message and the history
/// entry with the reason given.
pub(crate) async fn status_moved(
    conn: &mut Conn,
    booking: &Booking,
    to: BookingStatus,
    move_id: i64,
    actor: &str,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    super::notify::status::announce_move(conn, booking, to, move_id, now).await?;
    let body = text::fill(
        "booking_events",
        "moved",
        &[("id", &booking.id.0), ("from", &booking.status.title_ru()), ("to", &to.title_ru()), ("reason", &reason)],
    );
    write(conn, booking.client_id, booking.id, actor, &body, now).await
}

/// Who hears in Telegram of what a client does with a booking (asks to cancel it).
#[derive(Debug, Clone)]
pub struct BookingListeners {
    /// The booking's agent, when active and bound to Telegram.
    pub agent: Option<Staff>,
    /// Everyone else on duty — active agents and admins bound to Telegram — told when the agent
    /// is missing or could not be reached, so a client's request never falls into a void.
    pub duty: Vec<Staff>,
}

impl Crm {
    pub async fn booking_listeners(&self, actor: &Actor, id: BookingId) -> Result<BookingListeners> {
        let b = self.booking_for(actor, id, false).await?;
        let all = crate::store::staff::list(&mut *self.store.conn().await?).await?;
        let agent = b.agent_id.and_then(|a| all.iter().find(|s| s.id == a && s.reachable()).cloned());
        let duty = all
            .into_iter()
            .filter(|s| s.reachable() && matches!(s.role, Role::Agent | Role::Admin) && Some(s.id) != b.agent_id)
            .collect();
        Ok(BookingListeners { agent, duty })
    }
}
