//! The average check: the sum of the totals of sold bookings over their count, grouped in SQL
//! (destination, operator, month and currency) so it stays one query per table at any size.

use super::{AverageCheck, codes};
use crate::Result;
use crate::domain::{BookingStatus, Currency, Money};
use crate::services::Period;
use crate::store::Conn;
use crate::store::social::{self, CheckKey};
use crate::tabular::{Cell, Chart, ChartKind, ChartUnit, Column, ColumnKind, Series, Table};
use crate::text;
use chrono::{Datelike, Months, NaiveDate};

/// The statuses of a sold booking: a contract signed or money received. A booking awaiting its
/// contract is not a sale yet; one being cancelled or cancelled is not a sale any more.
pub const SOLD: [BookingStatus; 3] = [BookingStatus::ContractSigned, BookingStatus::PartiallyPaid, BookingStatus::Paid];

/// One group's count and sum, in one currency.
struct Group {
    key: String,
    currency: Currency,
    count: i64,
    sum: i64,
}

impl Group {
    fn average(&self) -> i64 {
        average(self.sum, self.count)
    }
}

/// Rounded to the nearest kopeck, halves away from zero.
fn average(sum: i64, count: i64) -> i64 {
    if count == 0 {
        return 0;
    }
    let (q, r) = (sum / count, sum % count);
    if 2 * r.abs() >= count { q + sum.signum() } else { q }
}

async fn groups(conn: &mut Conn, key: CheckKey, from: NaiveDate, to: NaiveDate) -> Result<Vec<Group>> {
    let (start, end) = Period { first: from, last: to }.bounds();
    let rows = social::sold_grouped(conn, key, &codes(&SOLD), start, end).await?;
    rows.into_iter()
        .map(|(key, currency, count, sum)| {
            let currency = Currency::parse(&currency).map_err(crate::Error::Invalid)?;
            Ok(Group { key, currency, count, sum })
        })
        .collect()
}

fn columns(first: &'static str) -> Vec<Column> {
    vec![
        Column::new(first, ColumnKind::Text),
        Column::new(text::get("kpi", "sold"), ColumnKind::Count),
        Column::new(text::get("kpi", "sum"), ColumnKind::Money),
        Column::new(text::get("kpi", "average_check"), ColumnKind::Money),
    ]
}

fn row(label: String, g: &Group) -> Vec<Cell> {
    vec![
        Cell::Text(label),
        Cell::Count(g.count),
        Cell::Money(Money::new(g.sum, g.currency)),
        Cell::Money(Money::new(g.average(), g.currency)),
    ]
}

/// The totals row, when every group is in one currency (sums of two currencies mean nothing).
fn totals(groups: &[Group], extra: usize) -> Option<Vec<Cell>> {
    let currency = groups.first()?.currency;
    if groups.iter().any(|g| g.currency != currency) {
        return None;
    }
    let count: i64 = groups.iter().map(|g| g.count).sum();
    let sum: i64 = groups.iter().map(|g| g.sum).sum();
    let mut cells = vec![
        Cell::Text(text::get("kpi", "total").to_owned()),
        Cell::Count(count),
        Cell::Money(Money::new(sum, currency)),
        Cell::Money(Money::new(average(sum, count), currency)),
    ];
    cells.extend(std::iter::repeat_n(Cell::Empty, extra));
    Some(cells)
}

fn table(title: &'static str, first: &'static str, groups: &[Group]) -> Table {
    let mut t = Table::new(title, columns(first));
    t.rows = groups.iter().map(|g| row(g.key.clone(), g)).collect();
    t.totals = totals(groups, 0);
    t
}

/// `2026-11` → «11.2026».
fn month_label(key: &str) -> String {
    match key.split_once('-') {
        Some((y, m)) => format!("{m}.{y}"),
        None => key.to_owned(),
    }
}

fn month_before(key: &str) -> Option<String> {
    let first = NaiveDate::parse_from_str(&format!("{key}-01"), "%Y-%m-%d").ok()?;
    let before = first.checked_sub_months(Months::new(1))?;
    Some(format!("{:04}-{:02}", before.year(), before.month()))
}

/// The change of a month's average over the month before's, minus one: `None` without a month
/// before (or a zero one) to compare with.
fn change(now: i64, before: Option<i64>) -> Option<f64> {
    before.filter(|b| *b != 0).map(|b| now as f64 / b as f64 - 1.0)
}

pub(super) async fn build(conn: &mut Conn, period: Period) -> Result<AverageCheck> {
    let destinations = groups(conn, CheckKey::Destination, period.first, period.last).await?;
    let operators = groups(conn, CheckKey::Operator, period.first, period.last).await?;
    // The month before the period too, for the first month's change.
    let first_month = period.first.with_day(1).unwrap_or(period.first);
    let before_start = first_month.checked_sub_months(Months::new(1)).unwrap_or(first_month);
    let months = groups(conn, CheckKey::Month, before_start, period.last).await?;
    let shown_from = format!("{:04}-{:02}", period.first.year(), period.first.month());

    let by_destination =
        table(text::get("kpi", "check_by_destination_title"), text::get("kpi", "destination"), &destinations);
    let by_operator = table(text::get("kpi", "check_by_operator_title"), text::get("kpi", "operator"), &operators);

    let mut month_columns = columns(text::get("kpi", "month"));
    month_columns.push(Column::new(text::get("kpi", "month_change"), ColumnKind::Percent));
    let mut by_month = Table::new(text::get("kpi", "check_by_month_title"), month_columns);
    let shown: Vec<&Group> = months.iter().filter(|g| g.key >= shown_from).collect();
    for g in &shown {
        let before = month_before(&g.key)
            .and_then(|k| months.iter().find(|m| m.key == k && m.currency == g.currency))
            .map(Group::average);
        let mut cells = row(month_label(&g.key), g);
        cells.push(Cell::Percent(change(g.average(), before)));
        by_month.rows.push(cells);
    }
    let shown_groups: Vec<Group> =
        shown.iter().map(|g| Group { key: g.key.clone(), currency: g.currency, count: g.count, sum: g.sum }).collect();
    by_month.totals = totals(&shown_groups, 1);

    // Charts in roubles only: a second currency would need an axis of its own.
    let rub = |gs: &[&Group]| -> (Vec<String>, Vec<Option<f64>>) {
        gs.iter()
            .filter(|g| g.currency == Currency::RUB)
            .map(|g| (g.key.clone(), crate::tabular::chart_money(g.average())))
            .unzip()
    };
    let (labels, values) = rub(&destinations.iter().collect::<Vec<_>>());
    let destination_chart = Chart {
        title: text::get("kpi", "check_by_destination_title").to_owned(),
        kind: ChartKind::Bars,
        unit: ChartUnit::Rubles,
        labels,
        series: vec![Series { name: text::get("kpi", "average_check").to_owned(), values }],
    };
    let (labels, values) = rub(&shown);
    let month_chart = Chart {
        title: text::get("kpi", "check_by_month_title").to_owned(),
        kind: ChartKind::Lines,
        unit: ChartUnit::Rubles,
        labels: labels.iter().map(|k| month_label(k)).collect(),
        series: vec![Series { name: text::get("kpi", "average_check").to_owned(), values }],
    };
    Ok(AverageCheck { by_destination, by_operator, by_month, destination_chart, month_chart })
}

/// This month's and last month's average check in roubles (as «425 000,00 ₽»), and the change.
pub(super) async fn this_and_last_month(
    conn: &mut Conn,
    month: Period,
) -> Result<(Option<String>, Option<String>, Option<f64>)> {
    let last_from = month.first.checked_sub_months(Months::new(1)).unwrap_or(month.first);
    let rows = groups(conn, CheckKey::Month, last_from, month.last).await?;
    let this_key = format!("{:04}-{:02}", month.first.year(), month.first.month());
    let pick = |this: bool| {
        rows.iter().find(|g| g.currency == Currency::RUB && (g.key == this_key) == this).map(Group::average)
    };
    let (now, before) = (pick(true), pick(false));
    let show = |m: Option<i64>| m.map(|v| Money::new(v, Currency::RUB).accounting());
    Ok((show(now), show(before), now.and_then(|n| change(n, before))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_average_is_rounded_to_the_nearest_kopeck() {
        assert_eq!(average(10, 3), 3);
        assert_eq!(average(11, 2), 6);
        assert_eq!(average(-11, 2), -6);
        assert_eq!(average(5, 0), 0);
    }

    #[test]
    fn a_change_needs_a_month_before() {
        assert!(change(120, Some(100)).is_some_and(|c| (c - 0.2).abs() < 1e-12));
        assert_eq!(change(120, None), None);
        assert_eq!(change(120, Some(0)), None);
        assert_eq!(month_before("2026-01").as_deref(), Some("2025-12"));
        assert_eq!(month_label("2026-01"), "01.2026");
    }
}
