//! Telegram Payments: the invoices the bot offered and the charges Telegram reported. A charge
//! row is written before the ledger is touched and names its operation once applied, so a
//! payment that arrived is never lost between the two (see `services::telegram_payments`).

use super::Conn;
use super::time::{parse_ts, ts};
use crate::domain::{BookingId, Currency, Money, OperationId};
use chrono::{DateTime, Utc};
use sqlx::FromRow;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invoice {
    pub id: i64,
    pub booking_id: BookingId,
    pub amount: Money,
    pub token_hash: String,
    /// `open` until a charge of it was applied, then `paid`.
    pub status: String,
    pub created_at: DateTime<Utc>,
}

#[derive(FromRow)]
struct InvoiceRow {
    id: i64,
    booking_id: i64,
    amount: i64,
    currency: String,
    token_hash: String,
    status: String,
    created_at: String,
}

fn bad(what: &str) -> sqlx::Error {
    sqlx::Error::Decode(format!("telegram payments: bad {what}").into())
}

impl InvoiceRow {
    fn into_invoice(self) -> sqlx::Result<Invoice> {
        Ok(Invoice {
            id: self.id,
            booking_id: BookingId(self.booking_id),
            amount: Money::new(self.amount, Currency::parse(&self.currency).map_err(|_| bad("currency"))?),
            token_hash: self.token_hash,
            status: self.status,
            created_at: parse_ts(&self.created_at)?,
        })
    }
}

pub async fn insert_invoice(
    conn: &mut Conn,
    booking: BookingId,
    amount: Money,
    token_hash: &str,
    created_by: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO telegram_invoices (booking_id, amount, currency, token_hash, status, created_by, created_at)
         VALUES ($1, $2, $3, $4, 'open', $5, $6) RETURNING id",
    )
    .bind(booking.0)
    .bind(amount.minor)
    .bind(amount.currency.code())
    .bind(token_hash)
    .bind(created_by)
    .bind(ts(now))
    .fetch_one(conn)
    .await
}

pub async fn invoice(conn: &mut Conn, id: i64) -> sqlx::Result<Option<Invoice>> {
    let row: Option<InvoiceRow> = sqlx::query_as(
        "SELECT id, booking_id, amount, currency, token_hash, status, created_at FROM telegram_invoices WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?;
    row.map(InvoiceRow::into_invoice).transpose()
}

pub async fn mark_invoice_paid(conn: &mut Conn, id: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE telegram_invoices SET status = 'paid' WHERE id = $1").bind(id).execute(conn).await?;
    Ok(())
}

/// A payment Telegram reported for an invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Charge {
    pub id: i64,
    pub invoice_id: i64,
    pub telegram_charge_id: String,
    pub provider_charge_id: String,
    pub amount: Money,
    pub payer_telegram_id: Option<i64>,
    pub received_at: DateTime<Utc>,
    /// `received` (recorded, not yet in the ledger), `applied` or `unapplied` (see `problem`).
    pub status: String,
    pub operation_id: Option<OperationId>,
    pub problem: String,
}

#[derive(FromRow)]
struct ChargeRow {
    id: i64,
    invoice_id: i64,
    telegram_charge_id: String,
    provider_charge_id: String,
    amount: i64,
    currency: String,
    payer_telegram_id: Option<i64>,
    received_at: String,
    status: String,
    operation_id: Option<i64>,
    problem: String,
}

impl ChargeRow {
    fn into_charge(self) -> sqlx::Result<Charge> {
        Ok(Charge {
            id: self.id,
            invoice_id: self.invoice_id,
            telegram_charge_id: self.telegram_charge_id,
            provider_charge_id: self.provider_charge_id,
            amount: Money::new(self.amount, Currency::parse(&self.currency).map_err(|_| bad("currency"))?),
            payer_telegram_id: self.payer_telegram_id,
            received_at: parse_ts(&self.received_at)?,
            status: self.status,
            operation_id: self.operation_id.map(OperationId),
            problem: self.problem,
        })
    }
}

const CHARGE: &str = "SELECT id, invoice_id, telegram_charge_id, provider_charge_id, amount, currency, \
     payer_telegram_id, received_at, status, operation_id, problem FROM telegram_charges";

pub struct NewCharge<'a> {
    pub invoice_id: i64,
    pub telegram_charge_id: &'a str,
    pub provider_charge_id: &'a str,
    pub amount: Money,
    pub payer_telegram_id: Option<i64>,
}

/// Records a charge unless this Telegram charge id is there already; `true` when added.
pub async fn insert_charge(conn: &mut Conn, c: &NewCharge<'_>, now: DateTime<Utc>) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO telegram_charges (invoice_id, telegram_charge_id, provider_charge_id, amount, currency,
                                       payer_telegram_id, received_at, status)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'received') ON CONFLICT (telegram_charge_id) DO NOTHING",
    )
    .bind(c.invoice_id)
    .bind(c.telegram_charge_id)
    .bind(c.provider_charge_id)
    .bind(c.amount.minor)
    .bind(c.amount.currency.code())
    .bind(c.payer_telegram_id)
    .bind(ts(now))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn charge_by_telegram_id(conn: &mut Conn, telegram_charge_id: &str) -> sqlx::Result<Option<Charge>> {
    let row: Option<ChargeRow> = sqlx::query_as(&format!("{CHARGE} WHERE telegram_charge_id = $1"))
        .bind(telegram_charge_id)
        .fetch_optional(conn)
        .await?;
    row.map(ChargeRow::into_charge).transpose()
}

/// Charges recorded before `before` but not yet settled (applied or set aside), oldest first.
pub async fn received_charges(conn: &mut Conn, before: DateTime<Utc>, limit: i64) -> sqlx::Result<Vec<Charge>> {
    let rows: Vec<ChargeRow> =
        sqlx::query_as(&format!("{CHARGE} WHERE status = 'received' AND received_at < $1 ORDER BY id LIMIT $2"))
            .bind(ts(before))
            .bind(limit)
            .fetch_all(conn)
            .await?;
    rows.into_iter().map(ChargeRow::into_charge).collect()
}

/// Settles a received charge: `applied` with its operation, or `unapplied` with the reason.
/// Only a `received` charge moves; `false` when another run settled it first.
pub async fn settle_charge(
    conn: &mut Conn,
    id: i64,
    operation: Option<OperationId>,
    problem: &str,
) -> sqlx::Result<bool> {
    let status = if operation.is_some() { "applied" } else { "unapplied" };
    let done = sqlx::query(
        "UPDATE telegram_charges SET status = $1, operation_id = $2, problem = $3 WHERE id = $4 AND status = 'received'",
    )
    .bind(status)
    .bind(operation.map(|o| o.0))
    .bind(problem)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
