//! The operations ledger: append-only money movements. Nothing here updates or deletes a row.

use super::Conn;
use super::filter::Where;
use super::time::{parse_ts, ts};
use crate::domain::{BookingId, Counterparty, Currency, Money, OperationId, OperationKind, PaymentMethod};
use chrono::{DateTime, Utc};
use sqlx::FromRow;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Operation {
    pub id: OperationId,
    pub at: DateTime<Utc>,
    pub kind: OperationKind,
    pub amount: Money,
    pub booking_id: Option<BookingId>,
    pub counterparty_kind: String,
    pub counterparty_id: Option<i64>,
    pub method: PaymentMethod,
    pub external_id: Option<String>,
    pub note: String,
    pub recorded_by: String,
    pub reverses: Option<OperationId>,
    /// Set when a later operation reverses this one.
    pub reversed_by: Option<OperationId>,
    /// Who the counterparty is, for the statement: the client's, agent's, operator's or
    /// hotel's name at the time of reading.
    pub counterparty_name: Option<String>,
}

#[derive(FromRow)]
struct Row {
    id: i64,
    at: String,
    kind: String,
    amount: i64,
    currency: String,
    booking_id: Option<i64>,
    counterparty_kind: String,
    counterparty_id: Option<i64>,
    method: String,
    external_id: Option<String>,
    note: String,
    recorded_by: String,
    reverses_id: Option<i64>,
    reversed_by: Option<i64>,
    counterparty_name: Option<String>,
}

const SELECT: &str = "SELECT o.id, o.at, o.kind, o.amount, o.currency, o.booking_id, o.counterparty_kind,
        o.counterparty_id, o.method, o.external_id, o.note, o.recorded_by, o.reverses_id,
        (SELECT r.id FROM operations r WHERE r.reverses_id = o.id) AS reversed_by,
        CASE o.counterparty_kind
            WHEN 'client' THEN (SELECT c.full_name FROM clients c WHERE c.id = o.counterparty_id)
            WHEN 'hotel' THEN (SELECT h.name FROM hotels h WHERE h.id = o.counterparty_id)
            ELSE (SELECT s.name FROM staff s WHERE s.id = o.counterparty_id)
        END AS counterparty_name
     FROM operations o";

fn bad(what: &str) -> sqlx::Error {
    sqlx::Error::Decode(format!("operations: bad {what}").into())
}

impl Row {
    fn into_operation(self) -> sqlx::Result<Operation> {
        Ok(Operation {
            id: OperationId(self.id),
            at: parse_ts(&self.at)?,
            kind: OperationKind::parse(&self.kind).ok_or_else(|| bad("kind"))?,
            amount: Money::new(self.amount, Currency::parse(&self.currency).map_err(|_| bad("currency"))?),
            booking_id: self.booking_id.map(BookingId),
            counterparty_kind: self.counterparty_kind,
            counterparty_id: self.counterparty_id,
            method: PaymentMethod::parse(&self.method).ok_or_else(|| bad("method"))?,
            external_id: self.external_id,
            note: self.note,
            recorded_by: self.recorded_by,
            reverses: self.reverses_id.map(OperationId),
            reversed_by: self.reversed_by.map(OperationId),
            counterparty_name: self.counterparty_name,
        })
    }
}

pub struct NewOperation<'a> {
    pub at: DateTime<Utc>,
    pub kind: OperationKind,
    /// Signed: a reversal carries the negated amount of the original.
    pub amount: Money,
    pub booking_id: Option<BookingId>,
    pub counterparty_id: Option<i64>,
    pub method: PaymentMethod,
    pub external_id: Option<&'a str>,
    pub note: &'a str,
    pub recorded_by: &'a str,
    pub reverses: Option<OperationId>,
}

pub async fn insert(conn: &mut Conn, op: &NewOperation<'_>) -> sqlx::Result<OperationId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO operations (at, kind, amount, currency, booking_id, counterparty_kind, counterparty_id, method,
                                 external_id, note, recorded_by, reverses_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(ts(op.at))
    .bind(op.kind.as_str())
    .bind(op.amount.minor)
    .bind(op.amount.currency.code())
    .bind(op.booking_id.map(|b| b.0))
    .bind(op.kind.counterparty().as_str())
    .bind(op.counterparty_id)
    .bind(op.method.as_str())
    .bind(op.external_id)
    .bind(op.note)
    .bind(op.recorded_by)
    .bind(op.reverses.map(|r| r.0))
    .fetch_one(conn)
    .await?;
    Ok(OperationId(id))
}

pub async fn get(conn: &mut Conn, id: OperationId) -> sqlx::Result<Option<Operation>> {
    let row: Option<Row> = sqlx::query_as(&format!("{SELECT} WHERE o.id = $1")).bind(id.0).fetch_optional(conn).await?;
    row.map(Row::into_operation).transpose()
}

pub async fn by_external_id(conn: &mut Conn, external_id: &str) -> sqlx::Result<Option<Operation>> {
    let row: Option<Row> =
        sqlx::query_as(&format!("{SELECT} WHERE o.external_id = $1")).bind(external_id).fetch_optional(conn).await?;
    row.map(Row::into_operation).transpose()
}

#[derive(Debug, Default, Clone)]
pub struct OperationFilter {
    pub booking_id: Option<BookingId>,
    pub kind: Option<OperationKind>,
    /// Only operations of bookings handled by this agent.
    pub agent_id: Option<i64>,
    pub from: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub before_id: Option<OperationId>,
    /// Only operations with this agent, client, hotel or operator.
    pub counterparty: Option<(Counterparty, i64)>,
    pub limit: i64,
}

pub async fn list(conn: &mut Conn, f: &OperationFilter) -> sqlx::Result<Vec<Operation>> {
    let mut w = Where::new();
    w.and_eq("o.booking_id", f.booking_id.map(|b| b.0))
        .and_eq("o.kind", f.kind.map(OperationKind::as_str))
        .and_some("o.booking_id IN (SELECT b.id FROM bookings b WHERE b.agent_id = ?)", f.agent_id)
        .and_some("o.at >= ?", f.from.map(ts))
        .and_some("o.at < ?", f.until.map(ts))
        .and_some("o.id < ?", f.before_id.map(|o| o.0))
        .and_some("o.counterparty_kind = ?", f.counterparty.map(|(k, _)| k.as_str()))
        .and_some("o.counterparty_id = ?", f.counterparty.map(|(_, id)| id));
    let sql = format!("{SELECT} {} ORDER BY o.id DESC LIMIT {}", w.sql(), f.limit.clamp(1, 1000));
    let rows: Vec<Row> = w.bind(sqlx::query_as(&sql)).fetch_all(conn).await?;
    rows.into_iter().map(Row::into_operation).collect()
}

/// The sum of one kind of operation on a booking, reversals included (they are negative).
pub async fn booking_sum(conn: &mut Conn, booking: BookingId, kind: OperationKind) -> sqlx::Result<i64> {
    // SUM of BIGINT is NUMERIC in PostgreSQL, which the Any driver cannot decode: cast back.
    sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM operations WHERE booking_id = $1 AND kind = $2",
    )
    .bind(booking.0)
    .bind(kind.as_str())
    .fetch_one(conn)
    .await
}

/// Sums per kind and currency over a period (reversals included), for the finance pages.
pub async fn totals(
    conn: &mut Conn,
    from: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
) -> sqlx::Result<Vec<(OperationKind, Money)>> {
    let mut w = Where::new();
    w.and_some("at >= ?", from.map(ts)).and_some("at < ?", until.map(ts));
    let sql = format!(
        "SELECT kind, currency, CAST(SUM(amount) AS BIGINT) FROM operations {} GROUP BY kind, currency ORDER BY kind, currency",
        w.sql()
    );
    let rows: Vec<(String, String, i64)> = w.bind(sqlx::query_as(&sql)).fetch_all(conn).await?;
    rows.into_iter()
        .map(|(k, c, sum)| {
            let kind = OperationKind::parse(&k).ok_or_else(|| bad("kind"))?;
            Ok((kind, Money::new(sum, Currency::parse(&c).map_err(|_| bad("currency"))?)))
        })
        .collect()
}

/// The sum of one kind of operation with one counterparty in one currency, reversals included:
/// what an agent was accrued or paid.
pub async fn counterparty_sum(
    conn: &mut Conn,
    kind: OperationKind,
    counterparty_id: i64,
    currency: Currency,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM operations
         WHERE kind = $1 AND counterparty_kind = $2 AND counterparty_id = $3 AND currency = $4",
    )
    .bind(kind.as_str())
    .bind(kind.counterparty().as_str())
    .bind(counterparty_id)
    .bind(currency.code())
    .fetch_one(conn)
    .await
}
