//! Agents' commissions: accrued and paid in the period per agent, and what the agency still
//! owes each at the period's end (everything accrued less everything paid, up to that end).

use super::{Report, ReportName, money, shell};
use crate::domain::Currency;
use crate::store::Conn;
use crate::store::reports::{self as store, ReportQuery};
use crate::tabular::{Cell, Chart, ChartKind, ChartUnit, Column, ColumnKind, Series, Table, chart_money};
use crate::{Result, text};

pub(super) async fn build(conn: &mut Conn, q: &ReportQuery, c: Currency) -> Result<Report> {
    let rows = store::commissions(conn, q).await?;
    let mut table = Table::new(
        "",
        vec![
            Column::new(text::get("report_column", "agent"), ColumnKind::Text),
            Column::new(text::get("report_column", "accrued"), ColumnKind::Money),
            Column::new(text::get("report_column", "paid"), ColumnKind::Money),
            Column::new(text::get("report_column", "owed"), ColumnKind::Money),
        ],
    );
    let series = |name: &str| Series { name: name.to_owned(), values: Vec::new() };
    let mut chart = Chart {
        title: text::get("report_chart", "commissions").to_owned(),
        kind: ChartKind::Bars,
        unit: ChartUnit::Rubles,
        labels: Vec::new(),
        series: vec![
            series(text::get("report_column", "accrued")),
            series(text::get("report_column", "paid")),
            series(text::get("report_column", "owed")),
        ],
    };
    let (mut accrued, mut paid, mut owed) = (0, 0, 0);
    for r in &rows {
        let name = r.agent.clone().unwrap_or_else(|| text::get("reports", "no_agent").to_owned());
        table.rows.push(vec![
            Cell::Text(name.clone()),
            Cell::Money(money(r.accrued, c)),
            Cell::Money(money(r.paid, c)),
            Cell::Money(money(r.owed, c)),
        ]);
        chart.labels.push(name);
        for (s, v) in chart.series.iter_mut().zip([r.accrued, r.paid, r.owed]) {
            s.values.push(chart_money(v));
        }
        accrued += r.accrued;
        paid += r.paid;
        owed += r.owed;
    }
    table.totals = Some(vec![
        Cell::Text(text::get("reports", "totals").to_owned()),
        Cell::Money(money(accrued, c)),
        Cell::Money(money(paid, c)),
        Cell::Money(money(owed, c)),
    ]);
    let mut report = shell(ReportName::Commissions, table, chart);
    report.notes.push(text::get("report_note", "commissions").to_owned());
    Ok(report)
}
