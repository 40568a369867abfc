//! Staff accounts: the people of the agency, their roles, panel passwords and Telegram binding.

use super::time::{parse_ts, parse_ts_opt, ts};
use super::{Conn, flag};
use crate::domain::{Role, StaffId};
use chrono::{DateTime, Utc};
use sqlx::FromRow;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Staff {
    pub id: StaffId,
    pub login: String,
    pub name: String,
    pub role: Role,
    pub must_change_password: bool,
    pub telegram_id: Option<i64>,
    pub telegram_username: Option<String>,
    pub invite_pending: bool,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

impl Staff {
    /// The bot can write to them: active and bound to Telegram (the outbox skips anyone else).
    pub fn reachable(&self) -> bool {
        self.active && self.telegram_id.is_some()
    }
}

#[derive(FromRow)]
struct Row {
    id: i64,
    login: String,
    name: String,
    role: String,
    must_change_password: i64,
    telegram_id: Option<i64>,
    telegram_username: Option<String>,
    invite_expires_at: Option<String>,
    active: i64,
    created_at: String,
}

const COLUMNS: &str = "id, login, name, role, must_change_password, telegram_id, telegram_username, \
                       invite_expires_at, active, created_at";

impl TryFrom<Row> for Staff {
    type Error = sqlx::Error;
    fn try_from(r: Row) -> sqlx::Result<Staff> {
        Ok(Staff {
            id: StaffId(r.id),
            login: r.login,
            name: r.name,
            role: Role::parse(&r.role).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
            must_change_password: r.must_change_password != 0,
            telegram_id: r.telegram_id,
            telegram_username: r.telegram_username,
            invite_pending: parse_ts_opt(r.invite_expires_at)?.is_some(),
            active: r.active != 0,
            created_at: parse_ts(&r.created_at)?,
        })
    }
}

pub struct NewStaff<'a> {
    pub login: &'a str,
    pub name: &'a str,
    pub role: Role,
    pub password_hash: &'a str,
    pub invite_token_hash: &'a str,
    pub invite_expires_at: DateTime<Utc>,
    pub now: DateTime<Utc>,
}

pub async fn insert(conn: &mut Conn, s: &NewStaff<'_>) -> sqlx::Result<StaffId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO staff (login, name, role, password_hash, must_change_password, invite_token_hash,
                            invite_expires_at, active, created_at)
         VALUES ($1, $2, $3, $4, 1, $5, $6, 1, $7) RETURNING id",
    )
    .bind(s.login)
    .bind(s.name)
    .bind(s.role.as_str())
    .bind(s.password_hash)
    .bind(s.invite_token_hash)
    .bind(ts(s.invite_expires_at))
    .bind(ts(s.now))
    .fetch_one(conn)
    .await?;
    Ok(StaffId(id))
}

pub async fn get(conn: &mut Conn, id: StaffId) -> sqlx::Result<Option<Staff>> {
    let row: Option<Row> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM staff WHERE id = $1")).bind(id.0).fetch_optional(conn).await?;
    row.map(Staff::try_from).transpose()
}

pub async fn by_login(conn: &mut Conn, login: &str) -> sqlx::Result<Option<(Staff, String)>> {
    let row: Option<(i64, String)> = sqlx::query_as("SELECT id, password_hash FROM staff WHERE login = $1")
        .bind(login)
        .fetch_optional(&mut *conn)
        .await?;
    let Some((id, hash)) = row else { return Ok(None) };
    Ok(get(conn, StaffId(id)).await?.map(|s| (s, hash)))
}

pub async fn by_telegram(conn: &mut Conn, telegram_id: i64) -> sqlx::Result<Option<Staff>> {
    let row: Option<Row> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM staff WHERE telegram_id = $1"))
        .bind(telegram_id)
        .fetch_optional(conn)
        .await?;
    row.map(Staff::try_from).transpose()
}

pub async fn list(conn: &mut Conn) -> sqlx::Result<Vec<Staff>> {
    let rows: Vec<Row> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM staff ORDER BY active DESC, name, id")).fetch_all(conn).await?;
    rows.into_iter().map(Staff::try_from).collect()
}

pub async fn count(conn: &mut Conn) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM staff").fetch_one(conn).await
}

pub async fn set_password(conn: &mut Conn, id: StaffId, hash: &str, must_change: bool) -> sqlx::Result<bool> {
    let done = sqlx::query("UPDATE staff SET password_hash = $1, must_change_password = $2 WHERE id = $3")
        .bind(hash)
        .bind(flag(must_change))
        .bind(id.0)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_active(conn: &mut Conn, id: StaffId, active: bool) -> sqlx::Result<bool> {
    let done =
        sqlx::query("UPDATE staff SET active = $1 WHERE id = $2").bind(flag(active)).bind(id.0).execute(conn).await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_invite(conn: &mut Conn, id: StaffId, token_hash: &str, expires: DateTime<Utc>) -> sqlx::Result<bool> {
    let done = sqlx::query("UPDATE staff SET invite_token_hash = $1, invite_expires_at = $2 WHERE id = $3")
        .bind(token_hash)
        .bind(ts(expires))
        .bind(id.0)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Binds a Telegram account to the staff member whose unexpired invite has this hash, and
/// spends the invite. Returns the staff id, or `None` when no such invite is valid.
pub async fn redeem_invite(
    conn: &mut Conn,
    token_hash: &str,
    telegram_id: i64,
    username: Option<&str>,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<StaffId>> {
    let id: Option<i64> = sqlx::query_scalar(
        "UPDATE staff SET telegram_id = $1, telegram_username = $2, invite_token_hash = NULL, invite_expires_at = NULL
         WHERE invite_token_hash = $3 AND invite_expires_at > $4 AND active = 1
         RETURNING id",
    )
    .bind(telegram_id)
    .bind(username)
    .bind(token_hash)
    .bind(ts(now))
    .fetch_optional(conn)
    .await?;
    Ok(id.map(StaffId))
}

/// An agent's default commission in basis points (`None`: no commission unless the tour sets one).
pub async fn set_commission(conn: &mut Conn, id: StaffId, bp: Option<i64>) -> sqlx::Result<bool> {
    let done =
        sqlx::query("UPDATE staff SET commission_bp = $1 WHERE id = $2").bind(bp).bind(id.0).execute(conn).await?;
    Ok(done.rows_affected() == 1)
}

pub async fn commission(conn: &mut Conn, id: StaffId) -> sqlx::Result<Option<i64>> {
    let bp: Option<Option<i64>> =
        sqlx::query_scalar("SELECT commission_bp FROM staff WHERE id = $1").bind(id.0).fetch_optional(conn).await?;
    Ok(bp.flatten())
}
