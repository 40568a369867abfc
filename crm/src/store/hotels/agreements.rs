//! What was agreed with a hotel: its cancellation terms (one current set, replaced as a whole)
//! and its agreements (commission, allotment, special prices), which are versioned — a new
//! agreement is a new row, the old ones stay, and the one in force on a date is the latest
//! agreed on or before it.

use super::super::Conn;
use super::super::time::{date, parse_date, parse_ts, ts};
use super::bad;
use crate::domain::{CancellationRule, CancellationTerms, Currency, HotelId, Money, PenaltyKind};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::FromRow;

/// The hotel's terms. A hotel whose terms were never entered (or no such hotel) reads as
/// `free_days = 0` without rules: free up to the arrival day, the whole cost for a no-show.
/// A non-refundable rate is entered as `free_days = MAX_FREE_DAYS` without rules.
pub async fn cancellation_terms(conn: &mut Conn, hotel_id: HotelId) -> sqlx::Result<CancellationTerms> {
    let free: Option<i64> = sqlx::query_scalar("SELECT free_cancellation_days FROM hotels WHERE id = $1")
        .bind(hotel_id.0)
        .fetch_optional(&mut *conn)
        .await?;
    let rows: Vec<(i64, i64, String, i64, Option<String>)> = sqlx::query_as(
        "SELECT min_days, max_days, penalty_kind, penalty_value, currency FROM hotel_cancellation_rules
         WHERE hotel_id = $1 ORDER BY min_days, id",
    )
    .bind(hotel_id.0)
    .fetch_all(conn)
    .await?;
    let rules = rows
        .into_iter()
        .map(|(min_days, max_days, kind, value, cur)| {
            let penalty = match kind.as_str() {
                "percent" => PenaltyKind::Percent(value),
                "fixed" => PenaltyKind::Fixed(Money::new(
                    value,
                    Currency::parse(cur.as_deref().unwrap_or("")).map_err(|_| bad("penalty currency"))?,
                )),
                _ => return Err(bad("penalty_kind")),
            };
            Ok(CancellationRule { min_days, max_days, penalty })
        })
        .collect::<sqlx::Result<Vec<_>>>()?;
    Ok(CancellationTerms { free_days: free.unwrap_or(0), rules })
}

/// Replaces the hotel's cancellation terms as a whole. Run it inside a transaction: half a
/// rule table is worse than the old one.
pub async fn set_cancellation_terms(conn: &mut Conn, hotel_id: HotelId, terms: &CancellationTerms) -> sqlx::Result<()> {
    sqlx::query("UPDATE hotels SET free_cancellation_days = $1 WHERE id = $2")
        .bind(terms.free_days)
        .bind(hotel_id.0)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM hotel_cancellation_rules WHERE hotel_id = $1")
        .bind(hotel_id.0)
        .execute(&mut *conn)
        .await?;
    for r in &terms.rules {
        let (kind, value, cur) = match r.penalty {
            PenaltyKind::Percent(bp) => ("percent", bp, None),
            PenaltyKind::Fixed(m) => ("fixed", m.minor, Some(m.currency.code())),
        };
        sqlx::query(
            "INSERT INTO hotel_cancellation_rules (hotel_id, min_days, max_days, penalty_kind, penalty_value, currency)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(hotel_id.0)
        .bind(r.min_days)
        .bind(r.max_days)
        .bind(kind)
        .bind(value)
        .bind(cur)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Agreement {
    pub id: i64,
    pub hotel_id: HotelId,
    /// The date the terms take effect.
    pub agreed_on: NaiveDate,
    /// The agency's commission from the hotel, basis points.
    pub commission_bp: Option<i64>,
    /// Rooms the hotel holds for the agency.
    pub allotment: Option<i64>,
    pub special_prices: String,
    pub terms: String,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
}

#[derive(FromRow)]
struct AgreementRow {
    id: i64,
    hotel_id: i64,
    agreed_on: String,
    commission_bp: Option<i64>,
    allotment: Option<i64>,
    special_prices: String,
    terms: String,
    recorded_by: String,
    recorded_at: String,
}

impl AgreementRow {
    fn into_agreement(self) -> sqlx::Result<Agreement> {
        Ok(Agreement {
            id: self.id,
            hotel_id: HotelId(self.hotel_id),
            agreed_on: parse_date(&self.agreed_on)?,
            commission_bp: self.commission_bp,
            allotment: self.allotment,
            special_prices: self.special_prices,
            terms: self.terms,
            recorded_by: self.recorded_by,
            recorded_at: parse_ts(&self.recorded_at)?,
        })
    }
}

const AGREEMENT_COLUMNS: &str =
    "id, hotel_id, agreed_on, commission_bp, allotment, special_prices, terms, recorded_by, recorded_at";

pub struct NewAgreement<'a> {
    pub agreed_on: NaiveDate,
    pub commission_bp: Option<i64>,
    pub allotment: Option<i64>,
    pub special_prices: &'a str,
    pub terms: &'a str,
    pub recorded_by: &'a str,
    pub now: DateTime<Utc>,
}

/// Adds a version. There is deliberately no update: a changed agreement is a new one.
pub async fn insert_agreement(conn: &mut Conn, hotel_id: HotelId, a: &NewAgreement<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO hotel_agreements (hotel_id, agreed_on, commission_bp, allotment, special_prices, terms,
                                       recorded_by, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(hotel_id.0)
    .bind(date(a.agreed_on))
    .bind(a.commission_bp)
    .bind(a.allotment)
    .bind(a.special_prices)
    .bind(a.terms)
    .bind(a.recorded_by)
    .bind(ts(a.now))
    .fetch_one(conn)
    .await
}

/// The history, newest first (by the date agreed, then by entry).
pub async fn agreements(conn: &mut Conn, hotel_id: HotelId) -> sqlx::Result<Vec<Agreement>> {
    let rows: Vec<AgreementRow> = sqlx::query_as(&format!(
        "SELECT {AGREEMENT_COLUMNS} FROM hotel_agreements WHERE hotel_id = $1 ORDER BY agreed_on DESC, id DESC"
    ))
    .bind(hotel_id.0)
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(AgreementRow::into_agreement).collect()
}

/// The agreement in force on `on`: the latest `agreed_on <= on`; of two agreed the same day,
/// the one entered last.
pub async fn agreement_in_force(conn: &mut Conn, hotel_id: HotelId, on: NaiveDate) -> sqlx::Result<Option<Agreement>> {
    let row: Option<AgreementRow> = sqlx::query_as(&format!(
        "SELECT {AGREEMENT_COLUMNS} FROM hotel_agreements WHERE hotel_id = $1 AND agreed_on <= $2
         ORDER BY agreed_on DESC, id DESC LIMIT 1"
    ))
    .bind(hotel_id.0)
    .bind(date(on))
    .fetch_optional(conn)
    .await?;
    row.map(AgreementRow::into_agreement).transpose()
}
