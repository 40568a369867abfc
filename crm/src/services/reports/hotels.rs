//! Hotel expenses: what the agency paid each hotel in the period (reversals deducted).

use super::{Report, ReportName, money, shell};
use crate::domain::Currency;
use crate::store::Conn;
use crate::store::reports::{self as store, ReportQuery};
use crate::tabular::{Cell, Chart, ChartKind, ChartUnit, Column, ColumnKind, Series, Table, chart_money};
use crate::{Result, text};

pub(super) async fn build(conn: &mut Conn, q: &ReportQuery, c: Currency) -> Result<Report> {
    let rows = store::hotel_expenses(conn, q).await?;
    let mut table = Table::new(
        "",
        vec![
            Column::new(text::get("report_column", "hotel"), ColumnKind::Text),
            Column::new(text::get("report_column", "place"), ColumnKind::Text),
            Column::new(text::get("report_column", "hotel_payments"), ColumnKind::Count),
            Column::new(text::get("report_column", "expenses"), ColumnKind::Money),
        ],
    );
    let mut chart = Chart {
        title: text::get("report_chart", "hotel_expenses").to_owned(),
        kind: ChartKind::Bars,
        unit: ChartUnit::Rubles,
        labels: Vec::new(),
        series: vec![Series { name: text::get("report_column", "expenses").to_owned(), values: Vec::new() }],
    };
    let (mut count, mut total) = (0, 0);
    for r in &rows {
        let name = r.hotel.clone().unwrap_or_else(|| text::get("reports", "no_hotel").to_owned());
        let place = match (&r.country, &r.city) {
            (Some(country), Some(city)) => format!("{country}, {city}"),
            _ => String::new(),
        };
        table.rows.push(vec![
            Cell::Text(name.clone()),
            Cell::Text(place),
            Cell::Count(r.payments),
            Cell::Money(money(r.amount, c)),
        ]);
        chart.labels.push(name);
        chart.series[0].values.push(chart_money(r.amount));
        count += r.payments;
        total += r.amount;
    }
    table.totals = Some(vec![
        Cell::Text(text::get("reports", "totals").to_owned()),
        Cell::Empty,
        Cell::Count(count),
        Cell::Money(money(total, c)),
    ]);
    let mut report = shell(ReportName::HotelExpenses, table, chart);
    report.notes.push(text::get("report_note", "hotel_expenses").to_owned());
    Ok(report)
}
