//! The few counts of each role's start page. Each is one indexed query; the services decide
//! whose rows count (an agent's own, an operator's tours).

use super::Conn;
use super::filter::Where;
use super::time::{date, parse_date, ts};
use crate::domain::{BookingId, Currency, Money};
use chrono::{DateTime, NaiveDate, Utc};

/// Bookings made in [from, until), of one agent or one operator's tours when given.
pub async fn bookings_made(
    conn: &mut Conn,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
    agent: Option<i64>,
    operator: Option<i64>,
) -> sqlx::Result<i64> {
    let mut w = Where::new();
    w.and_some("b.created_at >= ?", Some(ts(from)))
        .and_some("b.created_at < ?", Some(ts(until)))
        .and_eq("b.agent_id", agent)
        .and_some("b.tour_id IN (SELECT t.id FROM tours t WHERE t.operator_id = ?)", operator);
    let sql = format!("SELECT COUNT(*) FROM bookings b {}", w.sql());
    let (n,): (i64,) = w.bind(sqlx::query_as(&sql)).fetch_one(conn).await?;
    Ok(n)
}

/// Client payments in [from, until) per currency, net of reversals.
pub async fn money_in(conn: &mut Conn, from: DateTime<Utc>, until: DateTime<Utc>) -> sqlx::Result<Vec<Money>> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT currency, CAST(SUM(amount) AS BIGINT) FROM operations
         WHERE kind = 'client_payment' AND at >= $1 AND at < $2 GROUP BY currency ORDER BY currency",
    )
    .bind(ts(from))
    .bind(ts(until))
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|(c, sum)| {
            let cur = Currency::parse(&c).map_err(|_| sqlx::Error::Decode("figures: bad currency".into()))?;
            Ok(Money::new(sum, cur))
        })
        .collect()
}

/// Bookings still taking payments with an instalment due in [from, until], of one agent when
/// given: (booking, client name).
pub async fn bookings_with_due(
    conn: &mut Conn,
    from: NaiveDate,
    until: NaiveDate,
    agent: Option<i64>,
) -> sqlx::Result<Vec<(BookingId, String)>> {
    let mut w = Where::new();
    w.and_some("s.due_on >= ?", Some(date(from)))
        .and_some("s.due_on <= ?", Some(date(until)))
        .and_raw("b.status IN ('contract_pending', 'contract_signed', 'partially_paid')")
        .and_eq("b.agent_id", agent);
    let sql = format!(
        "SELECT DISTINCT b.id, c.full_name FROM booking_payment_schedule s
         JOIN bookings b ON b.id = s.booking_id JOIN clients c ON c.id = b.client_id {} ORDER BY b.id",
        w.sql()
    );
    let rows: Vec<(i64, String)> = w.bind(sqlx::query_as(&sql)).fetch_all(conn).await?;
    Ok(rows.into_iter().map(|(id, name)| (BookingId(id), name)).collect())
}

/// Messages the bot gave up on.
pub async fn failed_messages(conn: &mut Conn) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE status = 'failed'").fetch_one(conn).await
}

/// A departure to come with its seats left.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SeatsLeft {
    pub tour_id: i64,
    pub tour_title: String,
    pub starts_on: NaiveDate,
    pub capacity: i64,
    pub left: i64,
}

/// The nearest departures from `from` of one operator's tours that are not archived.
pub async fn nearest_departures(
    conn: &mut Conn,
    operator: i64,
    from: NaiveDate,
    limit: i64,
) -> sqlx::Result<Vec<SeatsLeft>> {
    let rows: Vec<(i64, String, String, i64, i64)> = sqlx::query_as(&format!(
        "SELECT t.id, t.title, d.starts_on, d.capacity, d.capacity - d.seats_booked
         FROM tour_departures d JOIN tours t ON t.id = d.tour_id
         WHERE t.operator_id = $1 AND t.status <> 'archived' AND d.starts_on >= $2
         ORDER BY d.starts_on, d.id LIMIT {}",
        limit.clamp(1, 100)
    ))
    .bind(operator)
    .bind(date(from))
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|(tour_id, tour_title, starts_on, capacity, left)| {
            Ok(SeatsLeft { tour_id, tour_title, starts_on: parse_date(&starts_on)?, capacity, left })
        })
        .collect()
}
