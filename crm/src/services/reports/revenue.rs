//! Revenue per tour operator: what clients paid, less what was refunded to them, in the period,
//! on bookings of each operator's tours; and how many bookings that money came from.

use super::{Report, ReportName, money, shell};
use crate::domain::Currency;
use crate::store::Conn;
use crate::store::reports::{self as store, ReportQuery};
use crate::tabular::{Cell, Chart, ChartKind, ChartUnit, Column, ColumnKind, Series, Table, chart_money};
use crate::{Result, text};

pub(super) async fn build(conn: &mut Conn, q: &ReportQuery, c: Currency) -> Result<Report> {
    let rows = store::revenue_by_operator(conn, q).await?;
    let mut table = Table::new(
        "",
        vec![
            Column::new(text::get("report_column", "operator"), ColumnKind::Text),
            Column::new(text::get("report_column", "bookings"), ColumnKind::Count),
            Column::new(text::get("report_column", "payments"), ColumnKind::Money),
            Column::new(text::get("report_column", "refunds"), ColumnKind::Money),
            Column::new(text::get("report_column", "revenue"), ColumnKind::Money),
        ],
    );
    let mut chart = Chart {
        title: text::get("report_chart", "revenue").to_owned(),
        kind: ChartKind::Bars,
        unit: ChartUnit::Rubles,
        labels: Vec::new(),
        series: vec![Series { name: text::get("report_column", "revenue").to_owned(), values: Vec::new() }],
    };
    let (mut bookings, mut paid, mut refunded) = (0, 0, 0);
    for r in &rows {
        table.rows.push(vec![
            Cell::Text(r.operator.clone()),
            Cell::Count(r.bookings),
            Cell::Money(money(r.payments, c)),
            Cell::Money(money(r.refunds, c)),
            Cell::Money(money(r.payments - r.refunds, c)),
        ]);
        chart.labels.push(r.operator.clone());
        chart.series[0].values.push(chart_money(r.payments - r.refunds));
        bookings += r.bookings;
        paid += r.payments;
        refunded += r.refunds;
    }
    table.totals = Some(vec![
        Cell::Text(text::get("reports", "totals").to_owned()),
        Cell::Count(bookings),
        Cell::Money(money(paid, c)),
        Cell::Money(money(refunded, c)),
        Cell::Money(money(paid - refunded, c)),
    ]);
    let mut report = shell(ReportName::Revenue, table, chart);
    report.notes.push(text::get("report_note", "revenue").to_owned());
    Ok(report)
}
