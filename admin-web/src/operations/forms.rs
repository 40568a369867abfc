//! The forms of the accountant's payments: to a partner hotel, to a tour operator, a commission
//! payout to an agent (with what the agent has earned, been paid and is owed) and a refund to a
//! client. One form serves the four: what differs is who is paid and what is required. A
//! refused form comes back with the typed values and the reason beside the field; nothing is
//! recorded.

use crate::guard::Current;
use crate::{AppError, AppState, views};
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use crm::domain::{BookingId, Currency, Invalid, Money, OperationKind, PaymentMethod, StaffId};
use crm::services::{Capability, OperationInput, PanelSession, Payee, bank_document_id};
use crm::{Conflict, text};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashMap;

/// Which of the four forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Desk {
    Hotel,
    Operator,
    Commission,
    Refund,
}

impl Desk {
    fn kind(self) -> OperationKind {
        match self {
            Desk::Hotel => OperationKind::HotelPayment,
            Desk::Operator => OperationKind::OperatorPayment,
            Desk::Commission => OperationKind::CommissionPaid,
            Desk::Refund => OperationKind::ClientRefund,
        }
    }

    fn path(self) -> &'static str {
        match self {
            Desk::Hotel => "/operations/hotel",
            Desk::Operator => "/operations/operator",
            Desk::Commission => "/operations/commission",
            Desk::Refund => "/operations/refund",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Desk::Hotel => text::get("web", "desk_hotel"),
            Desk::Operator => text::get("web", "desk_operator"),
            Desk::Commission => text::get("web", "desk_commission"),
            Desk::Refund => text::get("web", "desk_refund"),
        }
    }

    fn code(self) -> &'static str {
        match self {
            Desk::Hotel => "hotel",
            Desk::Operator => "operator",
            Desk::Commission => "commission",
            Desk::Refund => "refund",
        }
    }
}

#[derive(Debug, Default, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct PaymentFields {
    /// The hotel, operator or agent paid (a row id from the list).
    pub payee: String,
    /// A booking number; required for a refund.
    pub booking: String,
    pub amount: String,
    /// `bank_transfer` or `cash`.
    pub method: String,
    /// The bank's payment document number, if any.
    pub document: String,
    pub note: String,
    /// `1`: pay an agent more than is owed (an advance), with `over_reason`.
    pub over: String,
    pub over_reason: String,
}

type Errors = HashMap<&'static str, String>;

fn booking_param(raw: &str) -> Result<Option<BookingId>, String> {
    let t = raw.trim().trim_start_matches('№').trim();
    if t.is_empty() {
        return Ok(None);
    }
    t.parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .map(|n| Some(BookingId(n)))
        .ok_or_else(|| text::get("web", "booking_number_digits").to_owned())
}

/// The field a refusal of the ledger belongs beside; `None` for refusals that are not the form's.
fn field_of(e: &crm::Error) -> Option<&'static str> {
    use crm::Error as E;
    Some(match e {
        E::Invalid(Invalid::PayeeUnknown) => "payee",
        E::Invalid(Invalid::ReasonRequired) => "over_reason",
        E::Invalid(Invalid::TextTooLong) => "note",
        E::Invalid(Invalid::FieldTooLong | Invalid::DocumentNumberRequired) => "document",
        E::Invalid(_) => "amount",
        E::Conflict(Conflict::DocumentRecorded { .. }) => "document",
        E::Conflict(Conflict::Overpayment { .. } | Conflict::CommissionOverOwed { .. }) => "amount",
        E::Conflict(Conflict::PaymentsNotAccepted(_)) | E::NotFound("booking") => "booking",
        _ => return None,
    })
}

fn payee_list(payees: &crm::services::Payees, desk: Desk) -> &[Payee] {
    match desk {
        Desk::Hotel => &payees.hotels,
        Desk::Operator => &payees.operators,
        Desk::Commission => &payees.agents,
        Desk::Refund => &[],
    }
}

async fn page(
    state: &AppState,
    session: &PanelSession,
    desk: Desk,
    form: &PaymentFields,
    errors: &Errors,
    status: StatusCode,
) -> Result<Response, AppError> {
    Capability::Finance.check(&session.actor)?;
    let payees = state.crm.payees(&session.actor).await?;
    let mut ctx = views::page(session, "operations");
    // An agent picked: what they have earned, been paid and are owed.
    if desk == Desk::Commission
        && let Some(agent) =
            form.payee.trim().parse::<i64>().ok().filter(|id| payees.agents.iter().any(|a| a.id == *id))
    {
        let b = state.crm.commission_balance(&session.actor, StaffId(agent)).await?;
        ctx.insert(
            "balance",
            &json!({"accrued": b.accrued.accounting(), "paid": b.paid.accounting(),
                    "owed": Money::new(b.owed.minor.max(0), b.owed.currency).accounting(),
                    "advance": (b.owed.minor < 0).then(|| Money::new(-b.owed.minor, b.owed.currency).accounting())}),
        );
    }
    let methods: Vec<_> = [PaymentMethod::BankTransfer, PaymentMethod::Cash]
        .iter()
        .map(|m| json!({"value": m.as_str(), "title": m.title_ru()}))
        .collect();
    ctx.insert("methods", &methods);
    ctx.insert("desk", desk.code());
    ctx.insert("action", desk.path());
    ctx.insert("title", desk.title());
    ctx.insert("payees", payee_list(&payees, desk));
    ctx.insert("form", form);
    ctx.insert("errors", errors);
    Ok((status, views::render("operations/form.html", &ctx)?).into_response())
}

/// The currency of the operation: the booking's when it names one, else roubles.
async fn currency(
    state: &AppState,
    session: &PanelSession,
    booking: Option<BookingId>,
) -> Result<Currency, crm::Error> {
    match booking {
        Some(id) => Ok(state.crm.booking_card(&session.actor, id).await?.booking.total.currency),
        None => Ok(Currency::RUB),
    }
}

async fn record(
    state: &AppState,
    session: &PanelSession,
    desk: Desk,
    form: &PaymentFields,
) -> Result<Result<i64, Errors>, AppError> {
    let mut errors = Errors::new();
    let booking = booking_param(&form.booking).map_err(|e| errors.insert("booking", e)).ok().flatten();
    if desk == Desk::Refund && booking.is_none() && !errors.contains_key("booking") {
        errors.insert("booking", text::get("web", "refund_needs_booking").to_owned());
    }
    let payee = match desk {
        Desk::Refund => None,
        _ => match form.payee.trim().parse::<i64>() {
            Ok(id) if id > 0 => Some(id),
            _ => {
                errors.insert("payee", Invalid::PayeeUnknown.message_ru().to_owned());
                None
            }
        },
    };
    let method = match form.method.as_str() {
        "cash" => PaymentMethod::Cash,
        _ => PaymentMethod::BankTransfer,
    };
    let cur = match currency(state, session, booking).await {
        Ok(c) => c,
        Err(crm::Error::NotFound(_)) => {
            errors.entry("booking").or_insert_with(|| text::get("web", "booking_not_found").to_owned());
            Currency::RUB
        }
        Err(e) => return Err(e.into()),
    };
    let amount = Money::parse(&form.amount, cur).map_err(|e| errors.insert("amount", e.message_ru().to_owned())).ok();
    let (Some(amount), true) = (amount, errors.is_empty()) else { return Ok(Err(errors)) };
    let input = OperationInput {
        kind: desk.kind(),
        booking_id: booking,
        amount,
        counterparty_id: payee,
        method,
        external_id: Some(form.document.trim()).filter(|d| !d.is_empty()).map(bank_document_id),
        note: form.note.clone(),
    };
    let done = if desk == Desk::Commission && form.over == "1" {
        state.crm.record_operation_over_owed(&session.actor, input, &form.over_reason).await
    } else {
        state.crm.record_operation(&session.actor, input).await
    };
    match done {
        Ok(op) => Ok(Ok(op.id.0)),
        Err(e) => match (field_of(&e), e.refusal_ru()) {
            (Some(field), Some(why)) => {
                errors.insert(field, why);
                Ok(Err(errors))
            }
            _ => Err(e.into()),
        },
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct FormQuery {
    /// The agent picked on the commission form, or the booking prefilled from a booking card.
    payee: String,
    booking: String,
}

async fn show(state: AppState, session: PanelSession, desk: Desk, q: FormQuery) -> Result<Response, AppError> {
    let form = PaymentFields { payee: q.payee, booking: q.booking, ..Default::default() };
    page(&state, &session, desk, &form, &Errors::new(), StatusCode::OK).await
}

async fn save(state: AppState, session: PanelSession, desk: Desk, form: PaymentFields) -> Result<Response, AppError> {
    Capability::Finance.check(&session.actor)?;
    match record(&state, &session, desk, &form).await? {
        Ok(id) => Ok(Redirect::to(&format!("/operations?recorded={id}")).into_response()),
        Err(errors) => page(&state, &session, desk, &form, &errors, StatusCode::UNPROCESSABLE_ENTITY).await,
    }
}

macro_rules! desk_handlers {
    ($($show:ident, $save:ident => $desk:expr;)*) => {$(
        pub async fn $show(
            State(state): State<AppState>,
            Current(session): Current,
            Query(q): Query<FormQuery>,
        ) -> Result<Response, AppError> {
            show(state, session, $desk, q).await
        }

        pub async fn $save(
            State(state): State<AppState>,
            Current(session): Current,
            Form(form): Form<PaymentFields>,
        ) -> Result<Response, AppError> {
            save(state, session, $desk, form).await
        }
    )*};
}

desk_handlers! {
    hotel_form, hotel_save => Desk::Hotel;
    operator_form, operator_save => Desk::Operator;
    commission_form, commission_save => Desk::Commission;
    refund_form, refund_save => Desk::Refund;
}
