//! The financial reports' queries: each one SQL aggregate over the ledger (or the bookings), the
//! same text on SQLite and PostgreSQL. Nothing here loads the operations of a period into memory:
//! the database groups and sums, and only the statement reads rows — one page at a time, with
//! the balances before the page summed by the database.
//!
//! Every query is bounded by `[from, until)` on `operations.at` (or the signing time for tours
//! sold) and by one currency, so the covering indexes of migration 0020 serve it.

use super::Conn;
use super::filter::Where;
use super::time::{parse_ts, ts};
use crate::domain::{Currency, OperationKind};
use chrono::{DateTime, Utc};

/// The bounds and filters a report is asked for, already checked by the service.
#[derive(Debug, Clone)]
pub struct ReportQuery {
    pub from: DateTime<Utc>,
    pub until: DateTime<Utc>,
    pub currency: Currency,
    /// The tour operator whose tours' bookings count.
    pub operator_id: Option<i64>,
    /// The agent handling the bookings (or paid the commission).
    pub agent_id: Option<i64>,
    /// The tour's (or the hotel's) country.
    pub destination: Option<String>,
}

/// The money one operation moves in or out of the agency's accounts: client payments come in,
/// refunds, commission payouts and payments to hotels and operators go out; an accrued
/// commission is a debt, not a movement, so it moves nothing. Reversals carry negated amounts,
/// so the same sign rule undoes the original.
pub const CASH_EFFECT: &str = "CASE o.kind WHEN 'client_payment' THEN o.amount \
     WHEN 'commission_accrued' THEN 0 ELSE -o.amount END";

/// Conditions on the booking an operation belongs to (`b`, joined to its tour `t`).
fn booking_filters(w: &mut Where, q: &ReportQuery) {
    w.and_eq("t.operator_id", q.operator_id)
        .and_eq("b.agent_id", q.agent_id)
        .and_eq("t.country", q.destination.as_deref());
}

fn period(w: &mut Where, q: &ReportQuery) {
    w.and("o.at >= ?", ts(q.from)).and("o.at < ?", ts(q.until)).and("o.currency = ?", q.currency.code());
}

pub struct RevenueRow {
    pub operator_id: i64,
    pub operator: String,
    pub bookings: i64,
    pub payments: i64,
    pub refunds: i64,
}

/// Client payments and refunds in the period on bookings of each operator's tours.
pub async fn revenue_by_operator(conn: &mut Conn, q: &ReportQuery) -> sqlx::Result<Vec<RevenueRow>> {
    let (sql, w) = revenue_sql(q);
    let rows: Vec<(i64, String, i64, i64, i64)> = w.bind(sqlx::query_as(&sql)).fetch_all(conn).await?;
    Ok(rows
        .into_iter()
        .map(|(operator_id, operator, bookings, payments, refunds)| RevenueRow {
            operator_id,
            operator,
            bookings,
            payments,
            refunds,
        })
        .collect())
}

fn revenue_sql(q: &ReportQuery) -> (String, Where) {
    let mut w = Where::new();
    w.and_raw("o.kind IN ('client_payment', 'client_refund')");
    period(&mut w, q);
    booking_filters(&mut w, q);
    let sql = format!(
        "SELECT t.operator_id, s.name, COUNT(DISTINCT o.booking_id),
                CAST(COALESCE(SUM(CASE WHEN o.kind = 'client_payment' THEN o.amount ELSE 0 END), 0) AS BIGINT),
                CAST(COALESCE(SUM(CASE WHEN o.kind = 'client_refund' THEN o.amount ELSE 0 END), 0) AS BIGINT)
         FROM operations o
         JOIN bookings b ON b.id = o.booking_id
         JOIN tours t ON t.id = b.tour_id
         JOIN staff s ON s.id = t.operator_id
         {} GROUP BY t.operator_id, s.name ORDER BY s.name, t.operator_id",
        w.sql()
    );
    (sql, w)
}

pub struct CommissionRow {
    /// `None` for a payout recorded without an agent.
    pub agent_id: Option<i64>,
    pub agent: Option<String>,
    pub accrued: i64,
    pub paid: i64,
    /// Accrued minus paid over all time up to the period's end.
    pub owed: i64,
}

/// A commission row as read: agent id, name, accrued, paid, owed.
type CommissionTuple = (Option<i64>, Option<String>, i64, i64, i64);

/// Per agent: commission accrued and paid in the period, and what is owed at its end.
pub async fn commissions(conn: &mut Conn, q: &ReportQuery) -> sqlx::Result<Vec<CommissionRow>> {
    let (sql, w) = commissions_sql(q);
    let rows: Vec<CommissionTuple> = w.bind(sqlx::query_as(&sql)).fetch_all(conn).await?;
    Ok(rows
        .into_iter()
        .map(|(agent_id, agent, accrued, paid, owed)| CommissionRow { agent_id, agent, accrued, paid, owed })
        .collect())
}

fn commissions_sql(q: &ReportQuery) -> (String, Where) {
    let mut w = Where::new();
    w.and_raw("o.kind IN ('commission_accrued', 'commission_paid')")
        .and("o.at < ?", ts(q.until))
        .and("o.currency = ?", q.currency.code())
        .and_eq("o.counterparty_id", q.agent_id);
    let conds = w.sql();
    // The period's start is bound last: the SELECT list uses it, the WHERE does not.
    let from_at = w.placeholder(ts(q.from));
    let sql = format!(
        "SELECT o.counterparty_id, MAX(s.name),
            CAST(COALESCE(SUM(CASE WHEN o.kind = 'commission_accrued' AND o.at >= {from_at} THEN o.amount ELSE 0 END), 0) AS BIGINT),
            CAST(COALESCE(SUM(CASE WHEN o.kind = 'commission_paid' AND o.at >= {from_at} THEN o.amount ELSE 0 END), 0) AS BIGINT),
            CAST(COALESCE(SUM(CASE WHEN o.kind = 'commission_accrued' THEN o.amount ELSE -o.amount END), 0) AS BIGINT)
         FROM operations o LEFT JOIN staff s ON s.id = o.counterparty_id
         {conds} GROUP BY o.counterparty_id ORDER BY MAX(s.name), o.counterparty_id"
    );
    (sql, w)
}

pub struct HotelRow {
    pub hotel_id: Option<i64>,
    pub hotel: Option<String>,
    pub country: Option<String>,
    pub city: Option<String>,
    /// Payments less their reversals.
    pub payments: i64,
    pub amount: i64,
}

/// A hotel row as read: hotel id, name, country, city, payments, amount.
type HotelTuple = (Option<i64>, Option<String>, Option<String>, Option<String>, i64, i64);

/// Payments to each hotel in the period.
pub async fn hotel_expenses(conn: &mut Conn, q: &ReportQuery) -> sqlx::Result<Vec<HotelRow>> {
    let (sql, w) = hotels_sql(q);
    let rows: Vec<HotelTuple> = w.bind(sqlx::query_as(&sql)).fetch_all(conn).await?;
    Ok(rows
        .into_iter()
        .map(|(hotel_id, hotel, country, city, payments, amount)| HotelRow {
            hotel_id,
            hotel,
            country,
            city,
            payments,
            amount,
        })
        .collect())
}

fn hotels_sql(q: &ReportQuery) -> (String, Where) {
    let mut w = Where::new();
    w.and_raw("o.kind = 'hotel_payment'");
    period(&mut w, q);
    w.and_eq("h.country", q.destination.as_deref());
    let sql = format!(
        "SELECT o.counterparty_id, MAX(h.name), MAX(h.country), MAX(h.city),
                CAST(COALESCE(SUM(CASE WHEN o.reverses_id IS NULL THEN 1 ELSE -1 END), 0) AS BIGINT),
                CAST(COALESCE(SUM(o.amount), 0) AS BIGINT)
         FROM operations o LEFT JOIN hotels h ON h.id = o.counterparty_id
         {} GROUP BY o.counterparty_id ORDER BY MAX(h.name), o.counterparty_id",
        w.sql()
    );
    (sql, w)
}

/// One line of the statement, its counterparty and author already named.
pub struct StatementRow {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub kind: OperationKind,
    pub reversal: bool,
    pub booking_id: Option<i64>,
    pub counterparty: Option<String>,
    pub method: String,
    pub external_id: Option<String>,
    pub note: String,
    pub recorded_by: String,
    pub recorded_by_name: Option<String>,
    pub amount: i64,
    pub effect: i64,
}

/// Where a page of the statement starts: after this operation (time, id), or at the period's start.
#[derive(Debug, Clone, Copy)]
pub struct Cursor {
    pub at: DateTime<Utc>,
    pub id: i64,
}

/// The statement's operations join their booking only when a booking filter is set, so the
/// unfiltered statement (the common one) reads the ledger alone.
fn statement_source(q: &ReportQuery) -> &'static str {
    if q.operator_id.is_some() || q.agent_id.is_some() || q.destination.is_some() {
        "operations o JOIN bookings b ON b.id = o.booking_id JOIN tours t ON t.id = b.tour_id"
    } else {
        "operations o"
    }
}

/// Up to `limit` operations of the period in time order, after `after`.
pub async fn statement_page(
    conn: &mut Conn,
    q: &ReportQuery,
    after: Option<Cursor>,
    limit: i64,
) -> sqlx::Result<Vec<StatementRow>> {
    let (sql, w) = statement_sql(q, after, limit);
    let rows: Vec<StatementRaw> = w.bind(sqlx::query_as(&sql)).fetch_all(conn).await?;
    rows.into_iter()
        .map(|r| {
            Ok(StatementRow {
                id: r.0,
                at: parse_ts(&r.1)?,
                kind: OperationKind::parse(&r.2).ok_or_else(|| sqlx::Error::Decode("operations: bad kind".into()))?,
                reversal: r.3.is_some(),
                booking_id: r.4,
                counterparty: r.5,
                method: r.6,
                external_id: r.7,
                note: r.8,
                recorded_by: r.9,
                recorded_by_name: r.10,
                amount: r.11,
                effect: r.12,
            })
        })
        .collect()
}

type StatementRaw = (
    i64,
    String,
    String,
    Option<i64>,
    Option<i64>,
    Option<String>,
    String,
    Option<String>,
    String,
    String,
    Option<String>,
    i64,
    i64,
);

fn statement_sql(q: &ReportQuery, after: Option<Cursor>, limit: i64) -> (String, Where) {
    let mut w = Where::new();
    period(&mut w, q);
    booking_filters(&mut w, q);
    if let Some(c) = after {
        w.and_each("(o.at > ? OR (o.at = ? AND o.id > ?))", vec![ts(c.at).into(), ts(c.at).into(), c.id.into()]);
    }
    let sql = format!(
        "SELECT p.id, p.at, p.kind, p.reverses_id, p.booking_id,
                CASE p.counterparty_kind
                    WHEN 'client' THEN (SELECT c.full_name FROM clients c WHERE c.id = p.counterparty_id)
                    WHEN 'hotel' THEN (SELECT h.name FROM hotels h WHERE h.id = p.counterparty_id)
                    ELSE (SELECT s.name FROM staff s WHERE s.id = p.counterparty_id) END,
                p.method, p.external_id, p.note, p.recorded_by,
                (SELECT s.name FROM staff s WHERE 'staff:' || CAST(s.id AS TEXT) = p.recorded_by),
                p.amount, p.effect
         FROM (SELECT o.id, o.at, o.kind, o.reverses_id, o.booking_id, o.counterparty_kind, o.counterparty_id,
                      o.method, o.external_id, o.note, o.recorded_by, o.amount, {CASH_EFFECT} AS effect
               FROM {} {} ORDER BY o.at, o.id LIMIT {}) p
         ORDER BY p.at, p.id",
        statement_source(q),
        w.sql(),
        limit.clamp(1, 100_000)
    );
    (sql, w)
}

/// The cash balance of the operations the filters select, from the first one up to `before`
/// (exclusive), or up to the cursor's operation (inclusive) within the period.
pub async fn balance_before(
    conn: &mut Conn,
    q: &ReportQuery,
    before: DateTime<Utc>,
    through: Option<Cursor>,
) -> sqlx::Result<i64> {
    let (sql, w) = balance_sql(q, before, through);
    let (sum,): (i64,) = w.bind(sqlx::query_as(&sql)).fetch_one(conn).await?;
    Ok(sum)
}

fn balance_sql(q: &ReportQuery, before: DateTime<Utc>, through: Option<Cursor>) -> (String, Where) {
    let mut w = Where::new();
    w.and("o.currency = ?", q.currency.code());
    booking_filters(&mut w, q);
    match through {
        None => {
            w.and("o.at < ?", ts(before));
        }
        Some(c) => {
            w.and_each("(o.at < ? OR (o.at = ? AND o.id <= ?))", vec![ts(c.at).into(), ts(c.at).into(), c.id.into()]);
        }
    }
    let sql =
        format!("SELECT CAST(COALESCE(SUM({CASH_EFFECT}), 0) AS BIGINT) FROM {} {}", statement_source(q), w.sql());
    (sql, w)
}

/// The count, the recorded amounts and the cash moved of the whole period.
pub async fn statement_totals(conn: &mut Conn, q: &ReportQuery) -> sqlx::Result<(i64, i64)> {
    let (sql, w) = statement_totals_sql(q);
    let row: (i64, i64) = w.bind(sqlx::query_as(&sql)).fetch_one(conn).await?;
    Ok(row)
}

fn statement_totals_sql(q: &ReportQuery) -> (String, Where) {
    let mut w = Where::new();
    period(&mut w, q);
    booking_filters(&mut w, q);
    let sql = format!(
        "SELECT COUNT(*), CAST(COALESCE(SUM({CASH_EFFECT}), 0) AS BIGINT) FROM {} {}",
        statement_source(q),
        w.sql()
    );
    (sql, w)
}

pub struct SoldRow {
    pub tour_id: i64,
    pub tour: String,
    pub country: String,
    pub bookings: i64,
    pub travellers: i64,
    pub total: i64,
}

/// Bookings sold in the period, per tour. **Sold** is a booking whose contract was signed in
/// the period (its first move to `contract_signed`) and that is still a sale now: signed,
/// partially or fully paid — not pending, not being cancelled, not cancelled.
pub async fn tours_sold(conn: &mut Conn, q: &ReportQuery) -> sqlx::Result<Vec<SoldRow>> {
    let (sql, w) = sold_sql(q);
    let rows: Vec<(i64, String, String, i64, i64, i64)> = w.bind(sqlx::query_as(&sql)).fetch_all(conn).await?;
    Ok(rows
        .into_iter()
        .map(|(tour_id, tour, country, bookings, travellers, total)| SoldRow {
            tour_id,
            tour,
            country,
            bookings,
            travellers,
            total,
        })
        .collect())
}

fn sold_sql(q: &ReportQuery) -> (String, Where) {
    let mut w = Where::new();
    w.and_raw("h.to_status = 'contract_signed'")
        .and("h.at >= ?", ts(q.from))
        .and("h.at < ?", ts(q.until))
        // The first signing only: a booking signed again after a cancellation request is not sold twice.
        .and_raw(
            "NOT EXISTS (SELECT 1 FROM booking_status_history e
                         WHERE e.booking_id = h.booking_id AND e.to_status = 'contract_signed' AND e.id < h.id)",
        )
        .and_raw("b.status IN ('contract_signed', 'partially_paid', 'paid')")
        .and("b.currency = ?", q.currency.code());
    booking_filters(&mut w, q);
    let sql = format!(
        "SELECT t.id, t.title, t.country, COUNT(*), CAST(COALESCE(SUM(b.travellers_count), 0) AS BIGINT),
                CAST(COALESCE(SUM(b.total), 0) AS BIGINT)
         FROM booking_status_history h
         JOIN bookings b ON b.id = h.booking_id
         JOIN tours t ON t.id = b.tour_id
         {} GROUP BY t.id, t.title, t.country ORDER BY t.country, t.title, t.id",
        w.sql()
    );
    (sql, w)
}

/// The choices of the reports' filter form.
pub struct Choices {
    pub operators: Vec<(i64, String)>,
    pub agents: Vec<(i64, String)>,
    pub destinations: Vec<String>,
}

pub async fn choices(conn: &mut Conn) -> sqlx::Result<Choices> {
    let operators: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, name FROM staff WHERE role = 'operator' ORDER BY name, id")
            .fetch_all(&mut *conn)
            .await?;
    let agents: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, name FROM staff WHERE role = 'agent' ORDER BY name, id")
            .fetch_all(&mut *conn)
            .await?;
    let destinations: Vec<(String,)> =
        sqlx::query_as("SELECT country FROM tours UNION SELECT country FROM hotels ORDER BY 1")
            .fetch_all(&mut *conn)
            .await?;
    Ok(Choices { operators, agents, destinations: destinations.into_iter().map(|(c,)| c).collect() })
}

/// The query plan of each report's queries as the database explains it (EXPLAIN QUERY PLAN on
/// SQLite, EXPLAIN on PostgreSQL), named — for the benchmark's output.
pub async fn explain(
    conn: &mut Conn,
    backend: super::Backend,
    q: &ReportQuery,
) -> sqlx::Result<Vec<(&'static str, String)>> {
    use sqlx::Row;
    let cursor = Some(Cursor { at: q.from, id: 0 });
    let queries = [
        ("revenue", revenue_sql(q)),
        ("commissions", commissions_sql(q)),
        ("hotels", hotels_sql(q)),
        ("statement page", statement_sql(q, cursor, 500)),
        ("statement opening balance", balance_sql(q, q.from, None)),
        ("statement page balance", balance_sql(q, q.from, cursor)),
        ("statement totals", statement_totals_sql(q)),
        ("tours sold", sold_sql(q)),
    ];
    let mut out = Vec::new();
    for (name, (sql, w)) in queries {
        let (prefix, column) = match backend {
            super::Backend::Sqlite => ("EXPLAIN QUERY PLAN ", 3),
            super::Backend::Postgres => ("EXPLAIN ", 0),
        };
        let text = format!("{prefix}{sql}");
        let rows = w.bind_query(sqlx::query(&text)).fetch_all(&mut *conn).await?;
        let plan: Vec<String> = rows.iter().map(|r| r.try_get::<String, _>(column)).collect::<sqlx::Result<_>>()?;
        out.push((name, plan.join("\n")));
    }
    Ok(out)
}
