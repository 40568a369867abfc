//! Tours sold: bookings, travellers and the contracts' sum per tour or per destination.
//!
//! **What counts as sold** (the page says it too): a booking whose contract was signed in the
//! period — its first move to «договор подписан» — and that is still a sale: signed, partially
//! or fully paid. Bookings awaiting a contract, being cancelled or cancelled are not sold. The
//! sum is the contracts' value, not the money received (that is the revenue report).

use super::{Grouping, Report, ReportName, money, shell};
use crate::domain::Currency;
use crate::store::Conn;
use crate::store::reports::{self as store, ReportQuery};
use crate::tabular::{Cell, Chart, ChartKind, ChartUnit, Column, ColumnKind, Series, Table};
use crate::{Result, text};

pub(super) async fn build(conn: &mut Conn, q: &ReportQuery, c: Currency, grouping: Grouping) -> Result<Report> {
    let rows = store::tours_sold(conn, q).await?;
    let mut columns = Vec::new();
    if grouping == Grouping::Tour {
        columns.push(Column::new(text::get("report_column", "tour"), ColumnKind::Text));
    }
    columns.extend([
        Column::new(text::get("report_column", "destination"), ColumnKind::Text),
        Column::new(text::get("report_column", "bookings"), ColumnKind::Count),
        Column::new(text::get("report_column", "travellers"), ColumnKind::Count),
        Column::new(text::get("report_column", "contracts_sum"), ColumnKind::Money),
    ]);
    let mut table = Table::new("", columns);
    // Per destination: the tours' rows summed (a few hundred tours at most, already grouped).
    let mut per_destination: Vec<(String, i64, i64, i64)> = Vec::new();
    for r in &rows {
        match per_destination.iter_mut().find(|d| d.0 == r.country) {
            Some(d) => {
                d.1 += r.bookings;
                d.2 += r.travellers;
                d.3 += r.total;
            }
            None => per_destination.push((r.country.clone(), r.bookings, r.travellers, r.total)),
        }
    }
    match grouping {
        Grouping::Tour => {
            for r in &rows {
                table.rows.push(vec![
                    Cell::Text(r.tour.clone()),
                    Cell::Text(r.country.clone()),
                    Cell::Count(r.bookings),
                    Cell::Count(r.travellers),
                    Cell::Money(money(r.total, c)),
                ]);
            }
        }
        Grouping::Destination => {
            for (country, bookings, travellers, total) in &per_destination {
                table.rows.push(vec![
                    Cell::Text(country.clone()),
                    Cell::Count(*bookings),
                    Cell::Count(*travellers),
                    Cell::Money(money(*total, c)),
                ]);
            }
        }
    }
    let (bookings, travellers, total) =
        rows.iter().fold((0, 0, 0), |(b, t, s), r| (b + r.bookings, t + r.travellers, s + r.total));
    let mut totals = vec![Cell::Text(text::get("reports", "totals").to_owned())];
    if grouping == Grouping::Tour {
        totals.push(Cell::Empty);
    }
    totals.extend([Cell::Count(bookings), Cell::Count(travellers), Cell::Money(money(total, c))]);
    table.totals = Some(totals);
    let chart = Chart {
        title: text::get("report_chart", "tours_sold").to_owned(),
        kind: ChartKind::Bars,
        unit: ChartUnit::Count,
        labels: per_destination.iter().map(|d| d.0.clone()).collect(),
        series: vec![
            Series {
                name: text::get("report_column", "bookings").to_owned(),
                values: per_destination.iter().map(|d| Some(d.1 as f64)).collect(),
            },
            Series {
                name: text::get("report_column", "travellers").to_owned(),
                values: per_destination.iter().map(|d| Some(d.2 as f64)).collect(),
            },
        ],
    };
    let mut report = shell(ReportName::ToursSold, table, chart);
    report.notes.push(text::get("report_note", "tours_sold").to_owned());
    Ok(report)
}
