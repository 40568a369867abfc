//! The append-only audit log: who did what to which record, and when.

use super::Conn;
use super::filter::Where;
use super::time::{parse_ts, ts};
use crate::audit::{AuditAction, AuditField, Entry, parse_details};
use chrono::{DateTime, Utc};
use sqlx::FromRow;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<String>,
    pub details: Option<String>,
}

/// A stored row keeps its codes as text: a row of any version reads, and the page shows a code
/// it does not know as it is.
impl AuditEntry {
    pub fn action(&self) -> Option<AuditAction> {
        AuditAction::parse(&self.action)
    }

    /// The details as field/value pairs; `None` for free text written before details had fields.
    pub fn fields(&self) -> Option<Vec<(AuditField, String)>> {
        self.details.as_deref().and_then(parse_details)
    }

    /// The value of one detail.
    pub fn detail(&self, field: AuditField) -> Option<String> {
        self.fields()?.into_iter().find(|(f, _)| *f == field).map(|(_, v)| v)
    }
}

#[derive(FromRow)]
struct Row {
    id: i64,
    at: String,
    actor: String,
    action: String,
    entity: String,
    entity_id: Option<String>,
    details: Option<String>,
}

/// Writes one entry as `actor` at `at`; services write through `Crm::audited`, which runs it
/// in the transaction of the change it records.
pub async fn record(conn: &mut Conn, at: DateTime<Utc>, actor: &str, entry: &Entry) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor, action, entity, entity_id, details) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(ts(at))
    .bind(actor)
    .bind(entry.action.code())
    .bind(entry.object.entity().code())
    .bind(entry.object.id())
    .bind(entry.details_column())
    .execute(conn)
    .await?;
    Ok(())
}

/// Filters of the audit log; empty fields match everything.
#[derive(Debug, Default, Clone)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    /// Keyset cursor: entries with a smaller id than this.
    pub before_id: Option<i64>,
    pub limit: i64,
}

pub async fn list(conn: &mut Conn, f: &AuditFilter) -> sqlx::Result<Vec<AuditEntry>> {
    let mut w = Where::new();
    w.and_eq("actor", f.actor.as_deref())
        .and_eq("action", f.action.as_deref())
        .and_eq("entity", f.entity.as_deref())
        .and_eq("entity_id", f.entity_id.as_deref())
        .and_some("id < ?", f.before_id);
    let sql = format!(
        "SELECT id, at, actor, action, entity, entity_id, details FROM audit_log {} ORDER BY id DESC LIMIT {}",
        w.sql(),
        f.limit.clamp(1, 500)
    );
    let rows: Vec<Row> = w.bind(sqlx::query_as(&sql)).fetch_all(conn).await?;
    rows.into_iter()
        .map(|r| {
            Ok(AuditEntry {
                id: r.id,
                at: parse_ts(&r.at)?,
                actor: r.actor,
                action: r.action,
                entity: r.entity,
                entity_id: r.entity_id,
                details: r.details,
            })
        })
        .collect()
}
