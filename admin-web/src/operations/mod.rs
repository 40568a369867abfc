//! The accountant's desk: the statement of operations with its filters and pages, the reversal
//! of an operation with a reason, and (in [`forms`] and [`transfer`]) the forms that record
//! payments to hotels, tour operators and agents, refunds and bank transfers received. Every
//! write is a `crm` ledger call; the accountant and admins only (the services say so too).

pub mod forms;
pub mod transfer;

use crate::error::parse_id;
use crate::guard::Current;
use crate::{AppError, AppState, views};
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use crm::domain::{BookingId, Counterparty, OperationId, OperationKind, parse_ru_date};
use crm::services::{Capability, Operation, OperationFilter, PanelSession, agency_day_bounds, document_number};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;

const PAGE_SIZE: i64 = 50;

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct StatementQuery {
    /// Agency days, inclusive, `дд.мм.гггг`.
    from: String,
    until: String,
    kind: String,
    booking: String,
    /// `agent:5`, `hotel:3`, `operator:2`, `client:7`.
    counterparty: String,
    before_id: String,
    /// The operation just recorded, to say so.
    recorded: String,
}

fn id_param(raw: &str) -> Option<i64> {
    raw.trim().trim_start_matches('№').trim().parse::<i64>().ok().filter(|id| *id > 0)
}

fn counterparty_param(raw: &str) -> Option<(Counterparty, i64)> {
    let (kind, id) = raw.split_once(':')?;
    let kind = match kind {
        "client" => Counterparty::Client,
        "agent" => Counterparty::Agent,
        "hotel" => Counterparty::Hotel,
        "operator" => Counterparty::Operator,
        _ => return None,
    };
    Some((kind, id_param(id)?))
}

/// One statement row as the page shows it.
pub fn operation_row(o: &Operation, names: &HashMap<i64, String>) -> Value {
    json!({
        "id": o.id.0,
        "at": views::when(o.at),
        "kind": o.kind.as_str(),
        "kind_title": o.kind.title_ru(),
        "amount": o.amount.accounting(),
        "negative": o.amount.minor < 0,
        "booking_id": o.booking_id.map(|b| b.0),
        "counterparty": o.counterparty_name,
        "method": o.method.title_ru(),
        "document": o.external_id.as_deref().map(document_number),
        "note": o.note,
        "recorded_by": views::actor_name(&o.recorded_by, names),
        "reverses": o.reverses.map(|r| r.0),
        "reversed_by": o.reversed_by.map(|r| r.0),
        // Accruals follow their booking's payments; a person does not reverse them.
        "reversible": o.reverses.is_none() && o.reversed_by.is_none() && o.kind != OperationKind::CommissionAccrued,
    })
}

/// The statement page; `refused` is a reversal refused (the operation and why), shown on its row.
async fn statement(
    state: &AppState,
    session: &PanelSession,
    q: &StatementQuery,
    refused: Option<(i64, String, String)>,
    status: StatusCode,
) -> Result<Response, AppError> {
    Capability::Finance.check(&session.actor)?;
    let mut errors: HashMap<&str, String> = HashMap::new();
    let mut day = |field, raw: &str| match raw.trim() {
        "" => None,
        s => parse_ru_date(s).map_err(|e| errors.insert(field, e.message_ru().to_owned())).ok(),
    };
    let from = day("from", &q.from).map(|d| agency_day_bounds(d).0);
    let until = day("until", &q.until).map(|d| agency_day_bounds(d).1);
    if !q.booking.trim().is_empty() && id_param(&q.booking).is_none() {
        errors.insert("booking", crm::text::get("web", "booking_number_digits").to_owned());
    }
    let filter = OperationFilter {
        booking_id: id_param(&q.booking).map(BookingId),
        kind: OperationKind::parse(&q.kind),
        from,
        until,
        counterparty: counterparty_param(&q.counterparty),
        before_id: id_param(&q.before_id).map(OperationId),
        limit: PAGE_SIZE,
        ..Default::default()
    };
    let ops = state.crm.list_operations(&session.actor, filter).await?;
    let names = crate::clients::staff_names(&state.crm, session).await?;
    let next = match ops.last() {
        Some(last) if ops.len() as i64 == PAGE_SIZE => Some(views::query_string(&[
            ("from", &q.from),
            ("until", &q.until),
            ("kind", &q.kind),
            ("booking", &q.booking),
            ("counterparty", &q.counterparty),
            ("before_id", &last.id.to_string()),
        ])),
        _ => None,
    };
    let rows: Vec<_> = ops.iter().map(|o| operation_row(o, &names)).collect();
    let payees = state.crm.payees(&session.actor).await?;
    let mut counterparties = Vec::new();
    for (kind, list) in [("agent", &payees.agents), ("operator", &payees.operators), ("hotel", &payees.hotels)] {
        for p in list {
            counterparties.push(json!({"value": format!("{kind}:{}", p.id), "kind": kind, "name": p.name}));
        }
    }
    let kinds: Vec<_> =
        OperationKind::ALL.iter().map(|k| json!({"value": k.as_str(), "title": k.title_ru()})).collect();
    let mut ctx = views::page(session, "operations");
    ctx.insert("operations", &rows);
    ctx.insert("kinds", &kinds);
    ctx.insert("counterparties", &counterparties);
    ctx.insert("errors", &errors);
    ctx.insert(
        "query",
        &json!({"from": q.from, "until": q.until, "kind": q.kind, "booking": q.booking, "counterparty": q.counterparty}),
    );
    ctx.insert("next", &next);
    ctx.insert("paged", &!q.before_id.is_empty());
    ctx.insert("recorded", &id_param(&q.recorded));
    ctx.insert(
        "refused",
        &refused.map(|(id, reason, why)| json!({"id": id, "reason": reason, "why": why})).unwrap_or(Value::Null),
    );
    Ok((status, views::render("operations/list.html", &ctx)?).into_response())
}

pub async fn list(
    State(state): State<AppState>,
    Current(session): Current,
    Query(q): Query<StatementQuery>,
) -> Result<Response, AppError> {
    statement(&state, &session, &q, None, StatusCode::OK).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReverseForm {
    reason: String,
}

/// Reverses an operation with a reason; a refusal (no reason, reversed already) is shown on
/// the operation's row of the statement and changes nothing.
pub async fn reverse(
    State(state): State<AppState>,
    Current(session): Current,
    Path(id): Path<String>,
    Form(form): Form<ReverseForm>,
) -> Result<Response, AppError> {
    Capability::Finance.check(&session.actor)?;
    let id = parse_id(&id)?;
    match state.crm.reverse_operation(&session.actor, OperationId(id), &form.reason).await {
        Ok(rev) => Ok(Redirect::to(&format!("/operations?recorded={}", rev.id.0)).into_response()),
        Err(e) => match e.refusal_ru() {
            Some(why) => {
                let status = if matches!(e, crm::Error::Invalid(_)) {
                    StatusCode::UNPROCESSABLE_ENTITY
                } else {
                    StatusCode::CONFLICT
                };
                let q = StatementQuery::default();
                statement(&state, &session, &q, Some((id, form.reason, why)), status).await
            }
            None => Err(e.into()),
        },
    }
}
