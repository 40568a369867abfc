//! The statement of all operations: every operation of the period in time order with all its
//! columns and the running cash balance. Over a year of a busy agency that is far more rows
//! than a page, so it is read a page at a time: the balance before the page, the period's
//! totals and its closing balance are sums the database makes; only the page's rows are read.

use super::{Report, ReportName, money, shell};
use crate::domain::{AGENCY_TZ, Currency, OperationId, PaymentMethod};
use crate::store::Conn;
use crate::store::operations as ops_store;
use crate::store::reports::{self as store, Cursor, ReportQuery, StatementRow};
use crate::tabular::{Cell, Chart, ChartKind, ChartUnit, Column, ColumnKind, Series, Table, chart_money};
use crate::{Error, Result, text};

/// Rows on one page of the statement.
pub const STATEMENT_PAGE: i64 = 500;
/// Rows in one exported file at most; a longer period is exported in parts (the page says so).
pub const STATEMENT_EXPORT_MAX: i64 = 100_000;

pub(super) async fn build(
    conn: &mut Conn,
    q: &ReportQuery,
    c: Currency,
    after: Option<OperationId>,
    limit: i64,
) -> Result<Report> {
    let cursor = match after {
        Some(id) => {
            let op = ops_store::get(conn, id).await?.ok_or(Error::NotFound("operation"))?;
            Some(Cursor { at: op.at, id: op.id.0 })
        }
        None => None,
    };
    let limit = limit.clamp(1, STATEMENT_EXPORT_MAX);
    let opening = store::balance_before(conn, q, q.from, None).await?;
    let mut balance = match cursor {
        Some(cur) => store::balance_before(conn, q, q.from, Some(cur)).await?,
        None => opening,
    };
    let page_opening = balance;
    let rows = store::statement_page(conn, q, cursor, limit + 1).await?;
    let (count, moved) = store::statement_totals(conn, q).await?;
    let more = rows.len() as i64 > limit;
    let rows = &rows[..rows.len().min(limit as usize)];

    let mut table = Table::new(
        "",
        vec![
            Column::new(text::get("report_column", "at"), ColumnKind::DateTime),
            Column::new(text::get("report_column", "kind"), ColumnKind::Text),
            Column::new(text::get("report_column", "booking"), ColumnKind::Text),
            Column::new(text::get("report_column", "counterparty"), ColumnKind::Text),
            Column::new(text::get("report_column", "method"), ColumnKind::Text),
            Column::new(text::get("report_column", "external_id"), ColumnKind::Text),
            Column::new(text::get("report_column", "note"), ColumnKind::Text),
            Column::new(text::get("report_column", "recorded_by"), ColumnKind::Text),
            Column::new(text::get("report_column", "amount"), ColumnKind::Money),
            Column::new(text::get("report_column", "cash"), ColumnKind::Money),
            Column::new(text::get("report_column", "balance"), ColumnKind::Money),
        ],
    );
    let mut chart = Chart {
        title: text::get("report_chart", "statement").to_owned(),
        kind: ChartKind::Lines,
        unit: ChartUnit::Rubles,
        labels: Vec::new(),
        series: vec![Series { name: text::get("report_column", "balance").to_owned(), values: Vec::new() }],
    };
    for r in rows {
        balance += r.effect;
        table.rows.push(row(r, c, balance));
        // The chart: the balance at the end of each day of the page.
        let day = r.at.with_timezone(&AGENCY_TZ).format("%d.%m").to_string();
        if chart.labels.last() == Some(&day) {
            if let Some(v) = chart.series[0].values.last_mut() {
                *v = chart_money(balance);
            }
        } else {
            chart.labels.push(day);
            chart.series[0].values.push(chart_money(balance));
        }
    }
    table.totals = Some(vec![
        Cell::Text(text::fill("reports", "statement_count", &[("count", &count)])),
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Money(money(moved, c)),
        Cell::Money(money(opening + moved, c)),
    ]);
    let mut report = shell(ReportName::Statement, table, chart);
    report.notes.push(text::fill("reports", "opening_balance", &[("amount", &money(opening, c).accounting())]));
    report.notes.push(text::fill("reports", "closing_balance", &[("amount", &money(opening + moved, c).accounting())]));
    if cursor.is_some() {
        report.notes.push(text::fill("reports", "page_balance", &[("amount", &money(page_opening, c).accounting())]));
    }
    report.notes.push(text::get("report_note", "statement").to_owned());
    report.next_after = if more { rows.last().map(|r| OperationId(r.id)) } else { None };
    Ok(report)
}

fn row(r: &StatementRow, c: Currency, balance: i64) -> Vec<Cell> {
    let kind = if r.reversal {
        text::fill("reports", "reversal_of", &[("kind", &r.kind.title_ru())])
    } else {
        r.kind.title_ru().to_owned()
    };
    let recorded_by = match (&r.recorded_by_name, r.recorded_by.as_str()) {
        (Some(name), _) => name.clone(),
        (None, "system") => text::get("reports", "by_system").to_owned(),
        (None, who) if who.starts_with("client:") || who.starts_with("telegram:") => {
            text::get("reports", "by_client").to_owned()
        }
        (None, who) => who.to_owned(),
    };
    let text_or_empty = |s: Option<String>| s.map_or(Cell::Empty, Cell::Text);
    vec![
        Cell::DateTime(r.at),
        Cell::Text(kind),
        text_or_empty(r.booking_id.map(|b| text::fill("reports", "booking_number", &[("id", &b)]))),
        text_or_empty(r.counterparty.clone()),
        Cell::Text(PaymentMethod::parse(&r.method).map_or_else(|| r.method.clone(), |m| m.title_ru().to_owned())),
        text_or_empty(r.external_id.clone()),
        Cell::Text(r.note.clone()),
        Cell::Text(recorded_by),
        Cell::Money(money(r.amount, c)),
        if r.kind == crate::domain::OperationKind::CommissionAccrued {
            Cell::Empty
        } else {
            Cell::Money(money(r.effect, c))
        },
        Cell::Money(money(balance, c)),
    ]
}
