//! Online payments, the provider events applied and the accountant's flags. Rows change only
//! through a status move checked by the service (`services::payments::status`); an update
//! names the status it expects, so two writers cannot both move the same row.

use super::Conn;
use super::time::{parse_ts, parse_ts_opt, ts};
use crate::domain::{BookingId, Currency, Money, OperationId};
use chrono::{DateTime, Utc};
use sqlx::FromRow;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OnlinePaymentRow {
    pub id: i64,
    pub booking_id: BookingId,
    pub provider_payment_id: Option<String>,
    pub idempotence_key: String,
    pub amount: Money,
    pub method: String,
    pub status: String,
    pub confirmation_url: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub created_by: String,
    pub operation_id: Option<OperationId>,
    pub refund_key: Option<String>,
    pub refund_id: Option<String>,
    pub refund_reason: Option<String>,
}

#[derive(FromRow)]
struct Row {
    id: i64,
    booking_id: i64,
    provider_payment_id: Option<String>,
    idempotence_key: String,
    amount: i64,
    currency: String,
    method: String,
    status: String,
    confirmation_url: Option<String>,
    created_at: String,
    updated_at: String,
    created_by: String,
    operation_id: Option<i64>,
    refund_key: Option<String>,
    refund_id: Option<String>,
    refund_reason: Option<String>,
}

const SELECT: &str = "SELECT id, booking_id, provider_payment_id, idempotence_key, amount, currency, method, status,
        confirmation_url, created_at, updated_at, created_by, operation_id, refund_key, refund_id, refund_reason
     FROM online_payments";

impl Row {
    fn into_row(self) -> sqlx::Result<OnlinePaymentRow> {
        let currency =
            Currency::parse(&self.currency).map_err(|_| sqlx::Error::Decode("online_payments: bad currency".into()))?;
        Ok(OnlinePaymentRow {
            id: self.id,
            booking_id: BookingId(self.booking_id),
            provider_payment_id: self.provider_payment_id,
            idempotence_key: self.idempotence_key,
            amount: Money::new(self.amount, currency),
            method: self.method,
            status: self.status,
            confirmation_url: self.confirmation_url,
            created_at: parse_ts(&self.created_at)?,
            updated_at: parse_ts(&self.updated_at)?,
            created_by: self.created_by,
            operation_id: self.operation_id.map(OperationId),
            refund_key: self.refund_key,
            refund_id: self.refund_id,
            refund_reason: self.refund_reason,
        })
    }
}

fn rows(rows: Vec<Row>) -> sqlx::Result<Vec<OnlinePaymentRow>> {
    rows.into_iter().map(Row::into_row).collect()
}

pub struct NewOnlinePayment<'a> {
    pub booking_id: BookingId,
    pub idempotence_key: &'a str,
    pub amount: Money,
    pub method: &'a str,
    pub created_by: &'a str,
    pub at: DateTime<Utc>,
}

pub async fn insert(conn: &mut Conn, p: &NewOnlinePayment<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO online_payments (booking_id, provider, idempotence_key, amount, currency, method, status,
                                      created_at, updated_at, created_by)
         VALUES ($1, 'yookassa', $2, $3, $4, $5, 'pending', $6, $6, $7) RETURNING id",
    )
    .bind(p.booking_id.0)
    .bind(p.idempotence_key)
    .bind(p.amount.minor)
    .bind(p.amount.currency.code())
    .bind(p.method)
    .bind(ts(p.at))
    .bind(p.created_by)
    .fetch_one(conn)
    .await
}

pub async fn get(conn: &mut Conn, id: i64) -> sqlx::Result<Option<OnlinePaymentRow>> {
    let row: Option<Row> = sqlx::query_as(&format!("{SELECT} WHERE id = $1")).bind(id).fetch_optional(conn).await?;
    row.map(Row::into_row).transpose()
}

pub async fn by_provider_id(conn: &mut Conn, provider_id: &str) -> sqlx::Result<Option<OnlinePaymentRow>> {
    let row: Option<Row> = sqlx::query_as(&format!("{SELECT} WHERE provider_payment_id = $1"))
        .bind(provider_id)
        .fetch_optional(conn)
        .await?;
    row.map(Row::into_row).transpose()
}

pub async fn by_refund_id(conn: &mut Conn, refund_id: &str) -> sqlx::Result<Option<OnlinePaymentRow>> {
    let row: Option<Row> =
        sqlx::query_as(&format!("{SELECT} WHERE refund_id = $1")).bind(refund_id).fetch_optional(conn).await?;
    row.map(Row::into_row).transpose()
}

pub async fn of_booking(conn: &mut Conn, booking: BookingId) -> sqlx::Result<Vec<OnlinePaymentRow>> {
    let r: Vec<Row> = sqlx::query_as(&format!("{SELECT} WHERE booking_id = $1 ORDER BY id DESC"))
        .bind(booking.0)
        .fetch_all(conn)
        .await?;
    rows(r)
}

/// The newest payments (the accountant's page).
pub async fn recent(conn: &mut Conn, limit: i64) -> sqlx::Result<Vec<OnlinePaymentRow>> {
    let r: Vec<Row> =
        sqlx::query_as(&format!("{SELECT} ORDER BY id DESC LIMIT {}", limit.clamp(1, 1000))).fetch_all(conn).await?;
    rows(r)
}

/// A pending payment of the booking with this amount and method made since `since`, which a
/// client who pressed «Оплатить» twice gets again instead of a second one.
pub async fn reusable(
    conn: &mut Conn,
    booking: BookingId,
    amount: Money,
    method: &str,
    since: DateTime<Utc>,
) -> sqlx::Result<Option<OnlinePaymentRow>> {
    let row: Option<Row> = sqlx::query_as(&format!(
        "{SELECT} WHERE booking_id = $1 AND amount = $2 AND currency = $3 AND method = $4 AND status = 'pending'
           AND confirmation_url IS NOT NULL AND created_at >= $5 ORDER BY id DESC LIMIT 1"
    ))
    .bind(booking.0)
    .bind(amount.minor)
    .bind(amount.currency.code())
    .bind(method)
    .bind(ts(since))
    .fetch_optional(conn)
    .await?;
    row.map(Row::into_row).transpose()
}

/// Rows reconciliation must look at: pending payments, and refunds asked but not finished,
/// untouched since `before`.
pub async fn stale(conn: &mut Conn, before: DateTime<Utc>, limit: i64) -> sqlx::Result<Vec<OnlinePaymentRow>> {
    let r: Vec<Row> = sqlx::query_as(&format!(
        "{SELECT} WHERE updated_at < $1
           AND (status = 'pending' OR (refund_key IS NOT NULL AND status <> 'refunded'))
         ORDER BY updated_at LIMIT {}",
        limit.clamp(1, 1000)
    ))
    .bind(ts(before))
    .fetch_all(conn)
    .await?;
    rows(r)
}

/// What the provider answered to the creation: its id and the link to pay.
pub async fn set_created(
    conn: &mut Conn,
    id: i64,
    provider_id: &str,
    confirmation_url: Option<&str>,
    at: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE online_payments SET provider_payment_id = $2, confirmation_url = COALESCE($3, confirmation_url),
                updated_at = $4 WHERE id = $1",
    )
    .bind(id)
    .bind(provider_id)
    .bind(confirmation_url)
    .bind(ts(at))
    .execute(conn)
    .await?;
    Ok(())
}

/// Moves the status if it still is `from`; false when another writer moved it first.
pub async fn move_status(
    conn: &mut Conn,
    id: i64,
    from: &str,
    to: &str,
    operation: Option<OperationId>,
    at: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE online_payments SET status = $3, operation_id = COALESCE($4, operation_id), updated_at = $5
         WHERE id = $1 AND status = $2",
    )
    .bind(id)
    .bind(from)
    .bind(to)
    .bind(operation.map(|o| o.0))
    .bind(ts(at))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks the row as seen by reconciliation, so the next run takes others first.
pub async fn touch(conn: &mut Conn, id: i64, at: DateTime<Utc>) -> sqlx::Result<()> {
    sqlx::query("UPDATE online_payments SET updated_at = $2 WHERE id = $1").bind(id).bind(ts(at)).execute(conn).await?;
    Ok(())
}

/// Writes the refund's key (before the provider is asked) once; false if one is there already.
pub async fn set_refund_key(
    conn: &mut Conn,
    id: i64,
    key: &str,
    reason: &str,
    at: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE online_payments SET refund_key = $2, refund_reason = $3, updated_at = $4
         WHERE id = $1 AND refund_key IS NULL",
    )
    .bind(id)
    .bind(key)
    .bind(reason)
    .bind(ts(at))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_refund_id(conn: &mut Conn, id: i64, refund_id: &str, at: DateTime<Utc>) -> sqlx::Result<()> {
    sqlx::query("UPDATE online_payments SET refund_id = $2, updated_at = $3 WHERE id = $1")
        .bind(id)
        .bind(refund_id)
        .bind(ts(at))
        .execute(conn)
        .await?;
    Ok(())
}

/// Records an event as applied; false when it already was (the caller then changes nothing).
/// `ON CONFLICT DO NOTHING` makes a concurrent copy wait for the first one's commit on PostgreSQL.
pub async fn claim_event(
    conn: &mut Conn,
    event: &str,
    object_id: &str,
    payment: Option<i64>,
    outcome: &str,
    at: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO payment_events (event, object_id, online_payment_id, outcome, applied_at)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (event, object_id) DO NOTHING",
    )
    .bind(event)
    .bind(object_id)
    .bind(payment)
    .bind(outcome)
    .bind(ts(at))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PaymentFlag {
    pub id: i64,
    pub online_payment_id: i64,
    pub kind: String,
    pub detail: String,
    pub created_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolved_by: Option<String>,
    pub resolution: Option<String>,
}

#[derive(FromRow)]
struct FlagRow {
    id: i64,
    online_payment_id: i64,
    kind: String,
    detail: String,
    created_at: String,
    resolved_at: Option<String>,
    resolved_by: Option<String>,
    resolution: Option<String>,
}

impl FlagRow {
    fn into_flag(self) -> sqlx::Result<PaymentFlag> {
        Ok(PaymentFlag {
            id: self.id,
            online_payment_id: self.online_payment_id,
            kind: self.kind,
            detail: self.detail,
            created_at: parse_ts(&self.created_at)?,
            resolved_at: parse_ts_opt(self.resolved_at)?,
            resolved_by: self.resolved_by,
            resolution: self.resolution,
        })
    }
}

/// Raises a flag once per payment and kind.
pub async fn flag(conn: &mut Conn, payment: i64, kind: &str, detail: &str, at: DateTime<Utc>) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO payment_flags (online_payment_id, kind, detail, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (online_payment_id, kind) DO NOTHING",
    )
    .bind(payment)
    .bind(kind)
    .bind(detail)
    .bind(ts(at))
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn flags(conn: &mut Conn, open_only: bool) -> sqlx::Result<Vec<PaymentFlag>> {
    let filter = if open_only { "WHERE resolved_at IS NULL" } else { "" };
    let r: Vec<FlagRow> = sqlx::query_as(&format!(
        "SELECT id, online_payment_id, kind, detail, created_at, resolved_at, resolved_by, resolution
         FROM payment_flags {filter} ORDER BY id DESC LIMIT 500"
    ))
    .fetch_all(conn)
    .await?;
    r.into_iter().map(FlagRow::into_flag).collect()
}

/// Resolves the open flags of a payment (all kinds): false when none was open.
pub async fn resolve_flags(
    conn: &mut Conn,
    payment: i64,
    by: &str,
    resolution: &str,
    at: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE payment_flags SET resolved_at = $2, resolved_by = $3, resolution = $4
         WHERE online_payment_id = $1 AND resolved_at IS NULL",
    )
    .bind(payment)
    .bind(ts(at))
    .bind(by)
    .bind(resolution)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Forgets a refund key whose request the provider refused for good.
pub async fn clear_refund_key(conn: &mut Conn, id: i64, key: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE online_payments SET refund_key = NULL, refund_reason = NULL WHERE id = $1 AND refund_key = $2")
        .bind(id)
        .bind(key)
        .execute(conn)
        .await?;
    Ok(())
}
