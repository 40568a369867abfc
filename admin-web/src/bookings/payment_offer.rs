//! «Отправить клиенту оплату» on the booking card: the booking's agent or an admin sends the
//! client a payment link (card, СБП) or the bank-transfer QR code for an amount within the
//! balance. crm decides and queues everything (`Crm::payment_offer_choices`,
//! `Crm::send_payment_offer`, the same calls as the bot's «Ссылка на оплату»); this shows the
//! form with the ways that are on, and a refusal beside its field with the input kept.

use super::card::{Refusal, render_card};
use crate::error::parse_id;
use crate::guard::Current;
use crate::{AppError, AppState};
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use crm::domain::{BookingId, BookingStatus, format_ru_date};
use crm::services::{Capability, PayWay};
use crm::{Actor, text};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;

/// The form as the card shows it: `shown` for whoever may send on a booking that takes
/// payments; `unavailable` says why nothing can be sent now (no way on, the client not in
/// Telegram…), in place of the form.
pub(super) async fn form(
    state: &AppState,
    actor: &Actor,
    id: BookingId,
    status: BookingStatus,
) -> Result<Value, AppError> {
    if !Capability::SendPayments.allows(actor) || !status.accepts_payments() {
        return Ok(json!({"shown": false}));
    }
    let offer = match state.crm.payment_offer_choices(actor, id).await {
        Ok(offer) => offer,
        Err(crm::Error::Forbidden(_)) => return Ok(json!({"shown": false})),
        Err(e) => match e.refusal_ru() {
            Some(reason) => return Ok(json!({"shown": true, "unavailable": reason})),
            None => return Err(e.into()),
        },
    };
    if offer.ways.is_empty() {
        return Ok(json!({"shown": true, "unavailable": text::get("web", "pay_offer_no_ways")}));
    }
    let c = &offer.choices;
    let ways: Vec<Value> = offer.ways.iter().map(|w| json!({"value": w.code(), "title": w.title_ru()})).collect();
    Ok(json!({
        "shown": true,
        "ways": ways,
        "due": c.due.to_string(),
        "next": c.next.map(|(amount, on)| json!({"amount": amount.to_string(), "due_on": format_ru_date(on)})),
        "min": c.range.min.to_string(),
        "max": c.range.max.to_string(),
        // A link way is on: the message brings an «Оплатить» button besides the QR code.
        "links": offer.ways.iter().any(|w| w.is_link()),
        // The client does not use the bot: it goes to the sender's Telegram to forward.
        "forward": offer.forward_by.is_some(),
    }))
}

#[derive(Deserialize, Default)]
pub struct OfferForm {
    #[serde(default)]
    amount: String,
    #[serde(default)]
    way: String,
}

/// Sends the payment; a refusal re-renders the card with the reason beside its field.
pub async fn send(
    State(state): State<AppState>,
    Current(session): Current,
    Path(id): Path<String>,
    Form(f): Form<OfferForm>,
) -> Result<Response, AppError> {
    let id = BookingId(parse_id(&id)?);
    let actor = &session.actor;
    Capability::SendPayments.check(actor)?;
    let refused = |field: &'static str, reason: String| Refusal {
        errors: HashMap::from([(field, reason)]),
        values: HashMap::from([("pay_amount", f.amount.clone()), ("pay_way", f.way.clone())]),
        ..Default::default()
    };
    let (status, refusal) = match PayWay::from_code(&f.way) {
        None => (StatusCode::UNPROCESSABLE_ENTITY, refused("pay_way", text::get("web", "choose_pay_way").to_owned())),
        Some(way) => match state.crm.payment_offer_choices(actor, id).await {
            Err(e @ (crm::Error::Forbidden(_) | crm::Error::NotFound(_))) => return Err(e.into()),
            Err(e) => (StatusCode::CONFLICT, refused("pay_offer", e.refusal_ru().ok_or(e)?)),
            // The amount is read in the booking's currency and checked against the balance here,
            // with the words the bot uses; crm checks it again when it sends.
            Ok(offer) => match offer.choices.range.parse(&f.amount) {
                Err(why) => (StatusCode::UNPROCESSABLE_ENTITY, refused("pay_amount", why.message_ru())),
                Ok(amount) => match state.crm.send_payment_offer(actor, id, amount, way).await {
                    Ok(_) => return Ok(Redirect::to(&format!("/bookings/{id}?sent=1#pay-offer")).into_response()),
                    Err(e @ (crm::Error::Forbidden(_) | crm::Error::NotFound(_))) => return Err(e.into()),
                    Err(e) => (StatusCode::CONFLICT, refused("pay_offer", e.refusal_ru().ok_or(e)?)),
                },
            },
        },
    };
    render_card(&state, &session, id, refusal, status).await
}
