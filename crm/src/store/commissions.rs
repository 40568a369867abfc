//! The history of commission rates (migration 0018): one row per change of an agent's rate or a
//! tour's override, never updated. The rate in force on a day is the latest change applying
//! on or before it; before any change, the `staff`/`tours` column set earlier.

use super::Conn;
use super::time::{date, parse_date, parse_ts, ts};
use crate::domain::{StaffId, TourId};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::FromRow;

/// Whose rate a change is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum RateOf {
    Agent(StaffId),
    Tour(TourId),
}

impl RateOf {
    fn ids(self) -> (Option<i64>, Option<i64>) {
        match self {
            RateOf::Agent(a) => (Some(a.0), None),
            RateOf::Tour(t) => (None, Some(t.0)),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RateChange {
    pub id: i64,
    pub of: RateOf,
    pub old_bp: Option<i64>,
    pub new_bp: Option<i64>,
    pub applies_from: NaiveDate,
    pub changed_by: String,
    pub changed_at: DateTime<Utc>,
}

#[derive(FromRow)]
struct Row {
    id: i64,
    agent_id: Option<i64>,
    tour_id: Option<i64>,
    old_bp: Option<i64>,
    new_bp: Option<i64>,
    applies_from: String,
    changed_by: String,
    changed_at: String,
}

impl Row {
    fn into_change(self) -> sqlx::Result<RateChange> {
        let of = match (self.agent_id, self.tour_id) {
            (Some(a), None) => RateOf::Agent(StaffId(a)),
            (None, Some(t)) => RateOf::Tour(TourId(t)),
            _ => return Err(sqlx::Error::Decode("commission_changes: neither agent nor tour".into())),
        };
        Ok(RateChange {
            id: self.id,
            of,
            old_bp: self.old_bp,
            new_bp: self.new_bp,
            applies_from: parse_date(&self.applies_from)?,
            changed_by: self.changed_by,
            changed_at: parse_ts(&self.changed_at)?,
        })
    }
}

const SELECT: &str =
    "SELECT id, agent_id, tour_id, old_bp, new_bp, applies_from, changed_by, changed_at FROM commission_changes";

pub struct NewChange<'a> {
    pub of: RateOf,
    pub old_bp: Option<i64>,
    pub new_bp: Option<i64>,
    pub applies_from: NaiveDate,
    pub changed_by: &'a str,
    pub changed_at: DateTime<Utc>,
}

pub async fn insert(conn: &mut Conn, c: &NewChange<'_>) -> sqlx::Result<i64> {
    let (agent, tour) = c.of.ids();
    sqlx::query_scalar(
        "INSERT INTO commission_changes (agent_id, tour_id, old_bp, new_bp, applies_from, changed_by, changed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(agent)
    .bind(tour)
    .bind(c.old_bp)
    .bind(c.new_bp)
    .bind(date(c.applies_from))
    .bind(c.changed_by)
    .bind(ts(c.changed_at))
    .fetch_one(conn)
    .await
}

/// The latest change of `of` applying on or before `on`, if any.
pub async fn in_force(conn: &mut Conn, of: RateOf, on: NaiveDate) -> sqlx::Result<Option<RateChange>> {
    let (column, id) = match of {
        RateOf::Agent(a) => ("agent_id", a.0),
        RateOf::Tour(t) => ("tour_id", t.0),
    };
    let sql =
        format!("{SELECT} WHERE {column} = $1 AND applies_from <= $2 ORDER BY applies_from DESC, id DESC LIMIT 1");
    let row: Option<Row> = sqlx::query_as(&sql).bind(id).bind(date(on)).fetch_optional(conn).await?;
    row.map(Row::into_change).transpose()
}

/// The latest change of `of` whatever its day (the rate a new change replaces).
pub async fn latest(conn: &mut Conn, of: RateOf) -> sqlx::Result<Option<RateChange>> {
    let (column, id) = match of {
        RateOf::Agent(a) => ("agent_id", a.0),
        RateOf::Tour(t) => ("tour_id", t.0),
    };
    let sql = format!("{SELECT} WHERE {column} = $1 ORDER BY applies_from DESC, id DESC LIMIT 1");
    let row: Option<Row> = sqlx::query_as(&sql).bind(id).fetch_optional(conn).await?;
    row.map(Row::into_change).transpose()
}

/// Every change, newest first (an agency changes rates a few times a year).
pub async fn history(conn: &mut Conn, limit: i64) -> sqlx::Result<Vec<RateChange>> {
    let sql = format!("{SELECT} ORDER BY id DESC LIMIT {}", limit.clamp(1, 5000));
    let rows: Vec<Row> = sqlx::query_as(&sql).fetch_all(conn).await?;
    rows.into_iter().map(Row::into_change).collect()
}
