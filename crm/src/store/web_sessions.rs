//! Panel sessions, keyed by the SHA-256 hash of the cookie token: the clear token never reaches
//! the database. The rules (how long a session lives) are the service's; this module only reads
//! and writes rows. Failed sign-ins are counted in [`super::login_failures`].

use super::Conn;
use super::time::{parse_ts, ts};
use crate::domain::StaffId;
use chrono::{DateTime, Utc};
use sqlx::FromRow;

/// One stored session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub staff_id: StaffId,
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

#[derive(FromRow)]
struct Row {
    staff_id: i64,
    csrf_token: String,
    created_at: String,
    last_seen_at: String,
    expires_at: String,
}

pub struct NewSession<'a> {
    pub token_hash: &'a str,
    pub staff_id: StaffId,
    pub csrf_token: &'a str,
    pub now: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

pub async fn insert(conn: &mut Conn, s: &NewSession<'_>) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO web_sessions (token_hash, staff_id, csrf_token, created_at, last_seen_at, expires_at)
         VALUES ($1, $2, $3, $4, $4, $5)",
    )
    .bind(s.token_hash)
    .bind(s.staff_id.0)
    .bind(s.csrf_token)
    .bind(ts(s.now))
    .bind(ts(s.expires_at))
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn get(conn: &mut Conn, token_hash: &str) -> sqlx::Result<Option<SessionRow>> {
    let row: Option<Row> = sqlx::query_as(
        "SELECT staff_id, csrf_token, created_at, last_seen_at, expires_at FROM web_sessions WHERE token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        Ok(SessionRow {
            staff_id: StaffId(r.staff_id),
            csrf_token: r.csrf_token,
            created_at: parse_ts(&r.created_at)?,
            last_seen_at: parse_ts(&r.last_seen_at)?,
            expires_at: parse_ts(&r.expires_at)?,
        })
    })
    .transpose()
}

/// Moves the inactivity deadline forward.
pub async fn touch(
    conn: &mut Conn,
    token_hash: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE web_sessions SET last_seen_at = $1, expires_at = $2 WHERE token_hash = $3")
        .bind(ts(now))
        .bind(ts(expires_at))
        .bind(token_hash)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete(conn: &mut Conn, token_hash: &str) -> sqlx::Result<bool> {
    let done = sqlx::query("DELETE FROM web_sessions WHERE token_hash = $1").bind(token_hash).execute(conn).await?;
    Ok(done.rows_affected() > 0)
}

/// Ends every session of a staff member except the one with `keep` (after a password change).
pub async fn delete_for_staff(conn: &mut Conn, staff: StaffId, keep: Option<&str>) -> sqlx::Result<u64> {
    let done = sqlx::query("DELETE FROM web_sessions WHERE staff_id = $1 AND ($2 IS NULL OR token_hash <> $2)")
        .bind(staff.0)
        .bind(keep)
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}

pub async fn delete_expired(conn: &mut Conn, now: DateTime<Utc>) -> sqlx::Result<u64> {
    let done = sqlx::query("DELETE FROM web_sessions WHERE expires_at <= $1").bind(ts(now)).execute(conn).await?;
    Ok(done.rows_affected())
}
