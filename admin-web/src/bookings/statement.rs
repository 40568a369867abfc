//! A booking's statement of operations (`/bookings/{id}/operations`): every operation of the
//! ledger on it, money in and out in columns of their own with totals, a chart of the sums per
//! kind, and the same table as CSV or Excel (`?format=csv|xlsx`). Who may read it is `crm`'s
//! rule: the accountant and admins any booking, an agent their own; operators read bookings but
//! not the ledger, so they get 403.

use crate::clients::staff_names;
use crate::error::parse_id;
use crate::exports::{ExportFormat, TableView, export_response};
use crate::guard::Current;
use crate::{AppError, AppState, views};
use axum::extract::{Path, Query, RawQuery, State};
use axum::response::{IntoResponse, Response};
use crm::domain::{BookingId, Currency, Money, OperationKind};
use crm::services::{Operation, OperationFilter};
use crm::tabular::{Cell, Chart, ChartKind, ChartUnit, Column, ColumnKind, Series, Table};
use crm::text;
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Deserialize, Default)]
pub struct StatementQuery {
    format: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    Current(session): Current,
    Path(id): Path<String>,
    Query(q): Query<StatementQuery>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let id = BookingId(parse_id(&id)?);
    let format = ExportFormat::from_query(q.format.as_deref())?;
    let actor = &session.actor;
    // The booking's own access first (404 for another agent's), then the ledger's (403 for an operator).
    state.crm.booking_balance(actor, id).await?;
    let filter = OperationFilter { booking_id: Some(id), limit: 1000, ..Default::default() };
    let mut operations = state.crm.list_operations(actor, filter).await?;
    operations.reverse();
    let names = staff_names(&state.crm, &session).await?;
    let table = statement(id, &operations, &names);
    if let Some(format) = format {
        return Ok(export_response(table, format).await);
    }
    let mut view = TableView::new(&table, raw.as_deref());
    if let Some(chart) = per_kind(id, &operations) {
        view = view.with_chart(&chart);
    }
    let mut ctx = views::page(&session, "bookings");
    ctx.insert("booking_id", &id.0);
    ctx.insert("statement", &view);
    Ok(views::render("bookings/statement.html", &ctx)?.into_response())
}

/// Which column an operation's amount goes to: money in from the client, money out of the
/// agency, or commission accrued to the agent (owed, not yet paid).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Flow {
    In,
    Out,
    Accrued,
}

fn flow(kind: OperationKind) -> Flow {
    match kind {
        OperationKind::ClientPayment => Flow::In,
        OperationKind::ClientRefund
        | OperationKind::CommissionPaid
        | OperationKind::HotelPayment
        | OperationKind::OperatorPayment => Flow::Out,
        OperationKind::CommissionAccrued => Flow::Accrued,
    }
}

const FLOWS: [Flow; 3] = [Flow::In, Flow::Out, Flow::Accrued];

fn statement(id: BookingId, operations: &[Operation], names: &HashMap<i64, String>) -> Table {
    let title = text::fill("tabular", "booking_statement", &[("id", &id.0)]);
    let mut table = Table::new(
        title,
        vec![
            Column::new(text::get("tabular", "col_at"), ColumnKind::DateTime),
            Column::new(text::get("tabular", "col_operation"), ColumnKind::Text),
            Column::new(text::get("tabular", "col_in"), ColumnKind::Money),
            Column::new(text::get("tabular", "col_out"), ColumnKind::Money),
            Column::new(text::get("tabular", "col_accrued"), ColumnKind::Money),
            Column::new(text::get("tabular", "col_method"), ColumnKind::Text),
            Column::new(text::get("tabular", "col_note"), ColumnKind::Text),
            Column::new(text::get("tabular", "col_recorded_by"), ColumnKind::Text),
        ],
    );
    for o in operations {
        let title = if o.reverses.is_some() {
            text::fill("tabular", "reversal_of", &[("kind", &o.kind.title_ru())])
        } else if o.reversed_by.is_some() {
            text::fill("tabular", "reversed", &[("kind", &o.kind.title_ru())])
        } else {
            o.kind.title_ru().to_owned()
        };
        let mut row = vec![Cell::DateTime(o.at), Cell::Text(title)];
        row.extend(FLOWS.map(|f| if flow(o.kind) == f { Cell::Money(o.amount) } else { Cell::Empty }));
        row.push(Cell::Text(o.method.title_ru().to_owned()));
        row.push(Cell::Text(o.note.clone()));
        row.push(Cell::Text(views::actor_name(&o.recorded_by, names)));
        table.rows.push(row);
    }
    // A booking is in one currency (the ledger refuses another); sums of several would mean nothing.
    if let Some(currency) = one_currency(operations) {
        let sum = |f: Flow| {
            let minor = operations.iter().filter(|o| flow(o.kind) == f).map(|o| o.amount.minor).sum();
            Cell::Money(Money::new(minor, currency))
        };
        let mut totals = vec![Cell::Empty, Cell::Empty];
        totals.extend(FLOWS.map(sum));
        totals.extend([Cell::Empty, Cell::Empty, Cell::Empty]);
        table.totals = Some(totals);
    }
    table
}

fn one_currency(operations: &[Operation]) -> Option<Currency> {
    let first = operations.first()?.amount.currency;
    operations.iter().all(|o| o.amount.currency == first).then_some(first)
}

/// The net sum of each kind of operation, reversals counted: bars in roubles. Only for a
/// booking in roubles (the axis speaks roubles).
fn per_kind(id: BookingId, operations: &[Operation]) -> Option<Chart> {
    if one_currency(operations)? != Currency::RUB {
        return None;
    }
    let kinds: Vec<OperationKind> =
        OperationKind::ALL.into_iter().filter(|k| operations.iter().any(|o| o.kind == *k)).collect();
    let net = |k: OperationKind| operations.iter().filter(|o| o.kind == k).map(|o| o.amount.minor).sum::<i64>();
    Some(Chart {
        title: text::fill("tabular", "booking_chart", &[("id", &id.0)]),
        kind: ChartKind::Bars,
        unit: ChartUnit::Rubles,
        labels: kinds.iter().map(|k| k.title_ru().to_owned()).collect(),
        series: vec![Series {
            name: String::new(),
            values: kinds.iter().map(|k| crm::tabular::chart_money(net(*k))).collect(),
        }],
    })
}
