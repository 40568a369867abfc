//! A bank transfer received: the accountant pastes the payment's purpose from the bank
//! statement (or types the booking number), checks the booking it names — client, tour, total,
//! paid, due — and records it as the client's payment by bank transfer under the bank
//! document's number, which cannot be recorded twice.

use crate::guard::Current;
use crate::{AppError, AppState, views};
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use crm::domain::{BookingId, Invalid, Money};
use crm::services::{Capability, PanelSession, TransferMatch};
use crm::{Conflict, text};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashMap;

#[derive(Debug, Default, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct TransferFields {
    /// The payment's purpose as the bank shows it, or a booking number.
    pub purpose: String,
    /// The booking confirmed on the check step.
    pub booking: String,
    pub amount: String,
    pub document: String,
    pub note: String,
}

type Errors = HashMap<&'static str, String>;

fn page(
    session: &PanelSession,
    form: &TransferFields,
    found: Option<&TransferMatch>,
    errors: &Errors,
    status: StatusCode,
) -> Result<Response, AppError> {
    Capability::Finance.check(&session.actor)?;
    let mut ctx = views::page(session, "operations");
    if let Some(m) = found {
        let b = &m.booking;
        ctx.insert(
            "found",
            &json!({"id": b.id.0, "client": b.client_name, "tour": b.tour_title,
                    "starts_on": views::day(b.starts_on), "status": b.status.title_ru(),
                    "total": b.total.accounting(), "paid": m.paid.accounting(), "due": m.due.accounting(),
                    "accepts_payments": b.status.accepts_payments()}),
        );
    }
    ctx.insert("form", form);
    ctx.insert("errors", errors);
    Ok((status, views::render("operations/transfer.html", &ctx)?).into_response())
}

pub async fn form(Current(session): Current) -> Result<Response, AppError> {
    page(&session, &TransferFields::default(), None, &Errors::new(), StatusCode::OK)
}

/// The booking the purpose names, or the reason beside the purpose field.
async fn find(
    state: &AppState,
    session: &PanelSession,
    purpose: &str,
) -> Result<Result<TransferMatch, String>, AppError> {
    match state.crm.match_bank_transfer(&session.actor, purpose).await {
        Ok(m) => Ok(Ok(m)),
        Err(crm::Error::NotFound(_)) => Ok(Err(text::get("web", "booking_not_found").to_owned())),
        Err(crm::Error::Invalid(why)) => Ok(Err(why.message_ru().to_owned())),
        Err(e) => Err(e.into()),
    }
}

/// Step one: show the booking the purpose names, to confirm.
pub async fn check(
    State(state): State<AppState>,
    Current(session): Current,
    Form(mut form): Form<TransferFields>,
) -> Result<Response, AppError> {
    Capability::Finance.check(&session.actor)?;
    match find(&state, &session, &form.purpose).await? {
        Ok(m) => {
            form.booking = m.booking.id.0.to_string();
            if form.amount.trim().is_empty() {
                form.amount = m.due.as_typed();
            }
            page(&session, &form, Some(&m), &Errors::new(), StatusCode::OK)
        }
        Err(why) => {
            form.booking.clear();
            page(&session, &form, None, &HashMap::from([("purpose", why)]), StatusCode::UNPROCESSABLE_ENTITY)
        }
    }
}

/// Step two: record the confirmed booking's payment.
pub async fn record(
    State(state): State<AppState>,
    Current(session): Current,
    Form(form): Form<TransferFields>,
) -> Result<Response, AppError> {
    Capability::Finance.check(&session.actor)?;
    let found = match find(&state, &session, &form.booking).await? {
        Ok(m) => m,
        Err(why) => {
            return page(&session, &form, None, &HashMap::from([("purpose", why)]), StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    let mut errors = Errors::new();
    let amount = Money::parse(&form.amount, found.booking.total.currency)
        .map_err(|e| errors.insert("amount", e.message_ru().to_owned()))
        .ok();
    if form.document.trim().is_empty() {
        errors.insert("document", Invalid::DocumentNumberRequired.message_ru().to_owned());
    }
    let (Some(amount), true) = (amount, errors.is_empty()) else {
        return page(&session, &form, Some(&found), &errors, StatusCode::UNPROCESSABLE_ENTITY);
    };
    let booking = BookingId(found.booking.id.0);
    let note = if form.note.trim().is_empty() { form.purpose.clone() } else { form.note.clone() };
    match state.crm.record_bank_transfer(&session.actor, booking, amount, &form.document, &note).await {
        Ok(done) => Ok(Redirect::to(&format!("/operations?recorded={}", done.operation.id.0)).into_response()),
        Err(e) => {
            let field = match &e {
                crm::Error::Conflict(Conflict::DocumentRecorded { .. }) => "document",
                crm::Error::Invalid(Invalid::DocumentNumberRequired | Invalid::FieldTooLong) => "document",
                crm::Error::Invalid(Invalid::TextTooLong) => "purpose",
                // The booking itself does not take payments (a contract not signed, cancelled).
                crm::Error::Conflict(Conflict::PaymentsNotAccepted(_)) => "purpose",
                crm::Error::Invalid(_) | crm::Error::Conflict(_) => "amount",
                _ => return Err(e.into()),
            };
            let why = e.refusal_ru().unwrap_or_default();
            page(&session, &form, Some(&found), &HashMap::from([(field, why)]), StatusCode::UNPROCESSABLE_ENTITY)
        }
    }
}
