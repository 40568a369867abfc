//! The append-only audit log: who did what to which record, and when.

use super::Conn;
use super::time::{parse_ts, ts};
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

pub async fn record(
    conn: &mut Conn,
    at: DateTime<Utc>,
    actor: &str,
    action: &str,
    entity: &str,
    entity_id: Option<String>,
    details: Option<String>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor, action, entity, entity_id, details) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(ts(at))
    .bind(actor)
    .bind(action)
    .bind(entity)
    .bind(entity_id)
    .bind(details)
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
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, at, actor, action, entity, entity_id, details FROM audit_log
         WHERE ($1 IS NULL OR actor = $1) AND ($2 IS NULL OR action = $2)
           AND ($3 IS NULL OR entity = $3) AND ($4 IS NULL OR entity_id = $4)
           AND ($5 IS NULL OR id < $5)
         ORDER BY id DESC LIMIT $6",
    )
    .bind(f.actor.clone())
    .bind(f.action.clone())
    .bind(f.entity.clone())
    .bind(f.entity_id.clone())
    .bind(f.before_id)
    .bind(f.limit.clamp(1, 500))
    .fetch_all(conn)
    .await?;
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
