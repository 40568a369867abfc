//! The client hears of every move of their booking's status the same way, whoever made it — an
//! agent in the bot, staff in the panel, or a payment: one outbox row, queued inside the move's
//! own transaction, so the move and its message commit together or not at all, and the outbox's
//! exactly-once delivery applies (the bot only delivers). The text is the `booking_status`
//! notification, which the admin edits and may switch off like the others; the outbox skips
//! the blacklisted and those without Telegram when it sends, as for every message. A recorded
//! payment is told the same way (`payment_received`), queued in the payment's transaction.

use super::{failed, merge, person_context, render_for, settings};
use crate::Result;
use crate::domain::{BookingStatus, Money, format_ru_date};
use crate::notify::NotificationKind;
use crate::sandbox::Template;
use crate::store::Conn;
use crate::store::bookings::Booking;
use crate::store::notifications as store;
use crate::store::outbox::{self, NewMessage, OutboxStatus};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;

/// Queues the message about `booking` having moved to `to`; `move_id` (the status history row)
/// makes its key, so a retried transaction cannot queue it twice.
pub(crate) async fn announce_move(
    conn: &mut Conn,
    booking: &Booking,
    to: BookingStatus,
    move_id: i64,
    now: DateTime<Utc>,
) -> Result<()> {
    let extra = json!({
        "status": to.title_ru(),
        "previous_status": booking.status.title_ru(),
        // The client's cancellation request withdrawn: the booking stands again.
        "withdrawn": booking.status == BookingStatus::CancellationRequested && to != BookingStatus::Cancelled,
    });
    queue(conn, NotificationKind::BookingStatus, booking, extra, move_id, now).await
}

/// What a recorded payment tells the client: the amount, what is paid and left, and the next
/// instalment still open (empty when nothing is left to pay).
pub(crate) struct PaymentNews {
    pub operation_id: i64,
    pub amount: Money,
    pub paid: Money,
    pub left: Money,
    pub status: BookingStatus,
    pub next: Option<(Money, NaiveDate)>,
}

/// Queues the client's message about a payment recorded on `booking`, in the payment's own
/// transaction; the operation's id makes its key.
pub(crate) async fn announce_payment(
    conn: &mut Conn,
    booking: &Booking,
    p: &PaymentNews,
    now: DateTime<Utc>,
) -> Result<()> {
    let extra = json!({
        "status": p.status.title_ru(),
        "amount": p.amount.to_string(),
        "paid": p.paid.to_string(),
        "left": p.left.to_string(),
        "paid_in_full": p.left.minor <= 0,
        "next_amount": p.next.map(|(m, _)| m.to_string()).unwrap_or_default(),
        "next_date": p.next.map(|(_, d)| format_ru_date(d)).unwrap_or_default(),
    });
    queue(conn, NotificationKind::PaymentReceived, booking, extra, p.operation_id, now).await
}

/// Queues the agent's note that money the client paid online (YooKassa, Telegram Payments)
/// landed on their booking: nobody at the agency typed it in, so the agent would not know.
/// Staff-typed payments are not noted: the person who typed it knows. In the payment's own
/// transaction, keyed by the operation, like the client's message.
pub(crate) async fn note_agent_of_payment(
    conn: &mut Conn,
    booking: &Booking,
    p: &PaymentNews,
    now: DateTime<Utc>,
) -> Result<()> {
    let Some(agent) = booking.agent_id else { return Ok(()) };
    let body = crate::text::fill(
        "staff_note",
        "payment_landed",
        &[
            ("client", &booking.client_name),
            ("amount", &p.amount),
            ("booking", &booking.id.0),
            ("tour", &booking.tour_title),
            ("paid", &p.paid),
            ("total", &booking.total),
            ("status", &p.status.title_ru()),
        ],
    );
    let key = format!("payment_note:{}:{}", booking.id.0, p.operation_id);
    let msg = NewMessage::service(key, "payment_note", booking.client_id, body, now);
    outbox::insert_for_staff(conn, &msg, agent, now).await?;
    Ok(())
}

/// Queues the agent's note that the client signed a document (in the chat or the Mini App):
/// nobody at the agency was there, and a signed contract is what lets the agent go on with the
/// booking. The contract's note goes to the booking's agent, a consent's to the client's; in the
/// signature's own transaction, keyed by the document, so it is sent once.
pub(crate) async fn note_agent_of_signature(
    conn: &mut Conn,
    agent: Option<crate::domain::StaffId>,
    client: crate::domain::ClientId,
    document: crate::domain::IssuedDocumentId,
    body: String,
    now: DateTime<Utc>,
) -> Result<()> {
    let Some(agent) = agent else { return Ok(()) };
    let key = format!("signed_note:{}", document.0);
    let msg = NewMessage::service(key, "signed_note", client, body, now);
    outbox::insert_for_staff(conn, &msg, agent, now).await?;
    Ok(())
}

/// One event message about a booking: the kind's template (skipped when the admin switched it
/// off) with the booking's common variables plus `extra` under `booking`.
async fn queue(
    conn: &mut Conn,
    kind: NotificationKind,
    booking: &Booking,
    extra: serde_json::Value,
    key: i64,
    now: DateTime<Utc>,
) -> Result<()> {
    let all = settings::effective_settings(conn).await?;
    let Some(setting) = all.into_iter().find(|s| s.kind == kind && s.enabled) else { return Ok(()) };
    let Some(person) = store::person(conn, booking.client_id).await? else { return Ok(()) };
    let mut ctx = person_context(&person);
    let mut b = json!({
        "id": booking.id.0,
        "departure_date": format_ru_date(booking.starts_on),
        "return_date": format_ru_date(booking.ends_on),
        "travellers": booking.travellers_count,
        "total": booking.total.to_string(),
    });
    merge(&mut b, extra);
    merge(&mut ctx, json!({"tour": {"id": booking.tour_id.0, "title": booking.tour_title}, "booking": b}));
    // Saved templates are checked against this same context's sample; a failure here (a
    // default broken by a release) is recorded on the row rather than losing the event.
    let rendered = Template::compile(&setting.template).map_err(|e| failed(&e)).and_then(|t| render_for(&t, &ctx));
    let (body, status) = match rendered {
        Ok(body) => (body, OutboxStatus::Pending),
        Err(reason) => {
            tracing::error!(booking = booking.id.0, kind = kind.as_str(), error = %reason, "booking event message failed");
            (reason, OutboxStatus::Failed)
        }
    };
    let msg = NewMessage {
        dedup_key: format!("{}:{}:{key}", kind.as_str(), booking.id.0),
        kind: kind.as_str().to_owned(),
        client_id: booking.client_id,
        broadcast_id: None,
        tour_id: None,
        advertising: false,
        body,
        not_before: now,
        status,
    };
    outbox::insert(conn, &msg, now).await?;
    Ok(())
}
