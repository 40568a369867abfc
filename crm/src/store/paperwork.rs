//! Document templates (versions), the agency's requisites, the tour operators' registry data
//! and clients' addresses: what the documents are made from.

use super::Conn;
use super::time::{parse_ts, ts};
use crate::domain::{ClientId, StaffId};
use chrono::{DateTime, Utc};

/// One saved version of a document template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateVersion {
    pub version: i64,
    pub source: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct RawVersion {
    version: i64,
    source: String,
    created_by: String,
    created_at: String,
}

impl RawVersion {
    fn into_version(self) -> sqlx::Result<TemplateVersion> {
        Ok(TemplateVersion {
            version: self.version,
            source: self.source,
            created_by: self.created_by,
            created_at: parse_ts(&self.created_at)?,
        })
    }
}

/// Every stored version of a kind, newest first.
pub async fn template_versions(conn: &mut Conn, kind: &str) -> sqlx::Result<Vec<TemplateVersion>> {
    let rows: Vec<RawVersion> = sqlx::query_as(
        "SELECT version, source, created_by, created_at FROM document_templates WHERE kind = $1 ORDER BY version DESC",
    )
    .bind(kind)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter().map(RawVersion::into_version).collect()
}

pub async fn template_version(conn: &mut Conn, kind: &str, version: i64) -> sqlx::Result<Option<TemplateVersion>> {
    let row: Option<RawVersion> = sqlx::query_as(
        "SELECT version, source, created_by, created_at FROM document_templates WHERE kind = $1 AND version = $2",
    )
    .bind(kind)
    .bind(version)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(RawVersion::into_version).transpose()
}

/// The version in force, if any was saved.
pub async fn latest_template(conn: &mut Conn, kind: &str) -> sqlx::Result<Option<TemplateVersion>> {
    let row: Option<RawVersion> = sqlx::query_as(
        "SELECT version, source, created_by, created_at FROM document_templates WHERE kind = $1 \
         ORDER BY version DESC LIMIT 1",
    )
    .bind(kind)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(RawVersion::into_version).transpose()
}

/// Adds a version; the primary key refuses a number another admin saved meanwhile.
pub async fn insert_template(
    conn: &mut Conn,
    kind: &str,
    version: i64,
    source: &str,
    by: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO document_templates (kind, version, source, created_by, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(kind)
    .bind(version)
    .bind(source)
    .bind(by)
    .bind(ts(now))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A JSON record with who changed it last and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamped {
    pub data: String,
    pub updated_by: String,
    pub updated_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct RawStamped {
    data: String,
    updated_by: String,
    updated_at: String,
}

impl RawStamped {
    fn into_stamped(self) -> sqlx::Result<Stamped> {
        Ok(Stamped { data: self.data, updated_by: self.updated_by, updated_at: parse_ts(&self.updated_at)? })
    }
}

pub async fn agency(conn: &mut Conn) -> sqlx::Result<Option<Stamped>> {
    let row: Option<RawStamped> =
        sqlx::query_as("SELECT data, updated_by, updated_at FROM agency_requisites WHERE id = 1")
            .fetch_optional(&mut *conn)
            .await?;
    row.map(RawStamped::into_stamped).transpose()
}

pub async fn put_agency(conn: &mut Conn, data: &str, by: &str, now: DateTime<Utc>) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO agency_requisites (id, data, updated_by, updated_at) VALUES (1, $1, $2, $3) \
         ON CONFLICT (id) DO UPDATE SET data = excluded.data, updated_by = excluded.updated_by, \
         updated_at = excluded.updated_at",
    )
    .bind(data)
    .bind(by)
    .bind(ts(now))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn operator(conn: &mut Conn, operator: StaffId) -> sqlx::Result<Option<Stamped>> {
    let row: Option<RawStamped> =
        sqlx::query_as("SELECT data, updated_by, updated_at FROM operator_registry WHERE operator_id = $1")
            .bind(operator.0)
            .fetch_optional(&mut *conn)
            .await?;
    row.map(RawStamped::into_stamped).transpose()
}

pub async fn put_operator(
    conn: &mut Conn,
    operator: StaffId,
    data: &str,
    by: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO operator_registry (operator_id, data, updated_by, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (operator_id) DO UPDATE SET data = excluded.data, updated_by = excluded.updated_by, \
         updated_at = excluded.updated_at",
    )
    .bind(operator.0)
    .bind(data)
    .bind(by)
    .bind(ts(now))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Addresses an earlier version kept in clear, to be sealed (`Crm::seal_clear_addresses`).
pub async fn clear_addresses(conn: &mut Conn, limit: i64) -> sqlx::Result<Vec<(ClientId, String)>> {
    let rows: Vec<(i64, String)> =
        sqlx::query_as("SELECT client_id, address FROM client_addresses ORDER BY client_id LIMIT $1")
            .bind(limit)
            .fetch_all(&mut *conn)
            .await?;
    Ok(rows.into_iter().map(|(id, a)| (ClientId(id), a)).collect())
}

/// Removes a clear address once it is sealed.
pub async fn delete_clear_address(conn: &mut Conn, client: ClientId) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM client_addresses WHERE client_id = $1").bind(client.0).execute(&mut *conn).await?;
    Ok(())
}
