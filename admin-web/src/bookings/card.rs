//! The booking card: client, tour and departure, travellers, rooms, the price, the payment
//! schedule with what is paid and left, the ledger operations, the status history (who, when,
//! why) and — for the admin — the status change along the moves the status table allows; for
//! the booking's agent and admins, a payment to send the client (`payment_offer`).

use crate::clients::staff_names;
use crate::error::parse_id;
use crate::guard::Current;
use crate::{AppError, AppState, views};
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use crm::domain::{BookingId, BookingStatus, Money};
use crm::services::{BookingCard, Capability, Installment, PanelSession};
use crm::text;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;

/// A refused form of the card (status change, new companion, a payment to send): the reason
/// beside its field and the input kept.
#[derive(Default)]
pub(super) struct Refusal {
    pub errors: HashMap<&'static str, String>,
    pub values: HashMap<&'static str, String>,
    /// The payment was just sent to the client (the card after the form's redirect).
    pub payment_sent: bool,
    /// What a form just saved (`saved`).
    pub saved: Option<serde_json::Value>,
}

/// Each installment with how much of it the payments so far cover, earliest first. A cancelled
/// booking's instalments not paid are no longer expected.
fn schedule_rows(schedule: &[Installment], paid: Money, cancelled: bool, today: chrono::NaiveDate) -> Vec<Value> {
    let mut left_to_apply = paid.minor.max(0);
    schedule
        .iter()
        .map(|i| {
            let covered = left_to_apply.min(i.amount.minor);
            left_to_apply -= covered;
            let state = if covered >= i.amount.minor {
                "paid"
            } else if cancelled {
                "cancelled"
            } else if i.due_on < today {
                "overdue"
            } else if covered > 0 {
                "partly"
            } else {
                "due"
            };
            json!({
                "kind": i.kind,
                "amount": i.amount.to_string(),
                "due_on": views::day(i.due_on),
                "paid": Money::new(covered, i.amount.currency).to_string(),
                "left": Money::new(i.amount.minor - covered, i.amount.currency).to_string(),
                "state": state,
            })
        })
        .collect()
}

pub(super) async fn render_card(
    state: &AppState,
    session: &PanelSession,
    id: BookingId,
    refusal: Refusal,
    status: StatusCode,
) -> Result<Response, AppError> {
    let actor = &session.actor;
    let card: BookingCard = state.crm.booking_card(actor, id).await?;
    let names = staff_names(&state.crm, session).await?;
    let who = |a: &str| views::actor_name(a, &names);
    let b = &card.booking;
    let booking_status = b.status;
    let booking = json!({
        "id": b.id.0,
        "client_id": b.client_id.0,
        "client": b.client_name,
        "tour_id": b.tour_id.0,
        "tour_title": b.tour_title,
        "starts_on": views::day(b.starts_on),
        "ends_on": views::day(b.ends_on),
        "agent": b.agent_id.map(|a| who(&format!("staff:{a}"))),
        "status": b.status.as_str(),
        "status_title": b.status.title_ru(),
        "travellers_count": b.travellers_count,
        "price_per_person": b.tour_price_per_person.to_string(),
        "rooms_total": b.rooms_total.to_string(),
        "has_rooms": b.rooms_total.minor != 0,
        "total": b.total.to_string(),
        "paid": card.paid.to_string(),
        "due": card.due.to_string(),
        "penalty": b.penalty.map(|m| m.to_string()),
        "refund_due": b.refund_due.map(|m| m.to_string()),
        "refund_left": card.refund_left.map(|m| m.to_string()),
        "notes": b.notes,
        "created_by": who(&b.created_by),
        "created_at": views::when(b.created_at),
    });
    // Whoever sees documents gets the travellers with their documents' state and warnings
    // (`travellers` decides, and audits the reading); the others their names only.
    let (travellers, documents_visible, can_add) = match state.crm.travellers(actor, id).await {
        Ok(list) => (super::travellers::rows(&list), true, list.can_add),
        Err(crm::Error::Forbidden(_)) => {
            let rows = card
                .travellers
                .iter()
                .map(|t| json!({"full_name": t.full_name, "birth_date": views::day(t.birth_date), "is_client": t.client_id.is_some()}))
                .collect();
            (rows, false, false)
        }
        Err(e) => return Err(e.into()),
    };
    let rooms: Vec<_> = card
        .rooms
        .iter()
        .map(|r| {
            json!({
                "hotel": r.hotel_name,
                "room_type": r.room_type,
                "check_in": views::day(r.check_in),
                "nights": r.nights,
                "rooms": r.rooms,
                "total": r.total.to_string(),
            })
        })
        .collect();
    let operations: Vec<_> = card
        .operations
        .iter()
        .map(|o| {
            json!({
                "at": views::when(o.at),
                "kind_title": o.kind.title_ru(),
                "amount": o.amount.to_string(),
                "method_title": o.method.title_ru(),
                "note": o.note,
                "recorded_by": who(&o.recorded_by),
                "reversal": o.reverses.is_some(),
                "reversed": o.reversed_by.is_some(),
            })
        })
        .collect();
    let history: Vec<_> = card
        .history
        .iter()
        .map(|h| {
            json!({
                "from": h.from.map(BookingStatus::title_ru),
                "to": h.to.title_ru(),
                "actor": who(&h.actor),
                "reason": h.reason,
                "at": views::when(h.at),
            })
        })
        .collect();
    let moves: Vec<_> = card
        .manual_moves
        .iter()
        .map(|s| json!({"value": s.as_str(), "title": card.booking.status.move_title_ru(*s)}))
        .collect();
    let mut ctx = views::page(session, "bookings");
    ctx.insert("booking", &booking);
    ctx.insert("travellers", &travellers);
    ctx.insert("documents_visible", &documents_visible);
    ctx.insert("may_edit_travellers", &(documents_visible && super::travellers::may_edit(actor)));
    ctx.insert("can_add_traveller", &can_add);
    ctx.insert("rooms", &rooms);
    ctx.insert(
        "schedule",
        &schedule_rows(&card.schedule, card.paid, booking_status == BookingStatus::Cancelled, state.crm.today()),
    );
    ctx.insert("ledger_visible", &card.ledger_visible);
    ctx.insert("operations", &operations);
    ctx.insert("history", &history);
    ctx.insert("moves", &moves);
    ctx.insert("may_move", &Capability::MoveBookings.allows(actor));
    let documents = state.crm.booking_documents(actor, id).await?;
    // Offered while the booking waits for its contract and none is signed; crm decides again.
    let may_issue = booking_status == BookingStatus::ContractPending
        && !documents.iter().any(|d| d.state == crm::services::DocumentState::Signed)
        && matches!(actor.role(), Some(crm::domain::Role::Admin | crm::domain::Role::Agent));
    ctx.insert("documents", &crate::signing::panel::rows(&documents, &names));
    ctx.insert("may_issue_contract", &may_issue);
    ctx.insert("pay_offer", &super::payment_offer::form(state, actor, id, booking_status).await?);
    ctx.insert("payment_sent", &refusal.payment_sent);
    ctx.insert("saved", &refusal.saved);
    ctx.insert("errors", &refusal.errors);
    ctx.insert("values", &refusal.values);
    Ok((status, views::render("bookings/card.html", &ctx)?).into_response())
}

#[derive(Deserialize, Default)]
pub struct CardQuery {
    /// Set by the redirect after a payment was sent to the client.
    #[serde(default)]
    sent: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    Current(session): Current,
    Path(id): Path<String>,
    Query(q): Query<CardQuery>,
    Query(saved): Query<crate::saved::SavedQuery>,
) -> Result<Response, AppError> {
    let id = BookingId(parse_id(&id)?);
    let shown = Refusal {
        payment_sent: q.sent.is_some(),
        saved: crate::saved::notice(&saved, &saved_notices()),
        ..Default::default()
    };
    render_card(&state, &session, id, shown, StatusCode::OK).await
}

/// What the booking card says was saved, and where.
pub(crate) fn saved_notices() -> [(&'static str, &'static str, &'static str); 3] {
    [
        ("status", "status", text::get("web", "saved_status")),
        ("contract", "documents", text::get("web", "saved_contract")),
        ("contract_held", "documents", text::get("web", "saved_contract_held")),
    ]
}

#[derive(Deserialize, Default)]
pub struct StatusForm {
    #[serde(default)]
    to: String,
    #[serde(default)]
    reason: String,
}

/// Moves the booking along the status table. A move the table does not allow for a person
/// (a tampered form, or a booking that moved meanwhile) is refused with both statuses named.
pub async fn change_status(
    State(state): State<AppState>,
    Current(session): Current,
    Path(id): Path<String>,
    Form(f): Form<StatusForm>,
) -> Result<Response, AppError> {
    let id = BookingId(parse_id(&id)?);
    Capability::MoveBookings.check(&session.actor)?;
    let (status, field, reason) = match BookingStatus::parse(&f.to) {
        None => (StatusCode::UNPROCESSABLE_ENTITY, "to", text::get("web", "choose_status").to_owned()),
        Some(to) => match state.crm.change_booking_status(&session.actor, id, to, &f.reason).await {
            Ok(_) => {
                let to = crate::saved::url(&format!("/bookings/{id}"), &saved_notices(), "status", 0);
                return Ok(Redirect::to(&to).into_response());
            }
            Err(crm::Error::Invalid(i)) => (StatusCode::UNPROCESSABLE_ENTITY, "reason", i.message_ru().to_owned()),
            Err(crm::Error::IllegalMove(m)) => (StatusCode::CONFLICT, "to", m.message_ru()),
            Err(crm::Error::Conflict(c)) => (StatusCode::CONFLICT, "to", c.message_ru()),
            Err(e) => return Err(e.into()),
        },
    };
    let refusal = Refusal {
        errors: HashMap::from([(field, reason)]),
        values: HashMap::from([("to", f.to.clone()), ("reason", f.reason.clone())]),
        ..Default::default()
    };
    render_card(&state, &session, id, refusal, status).await
}
