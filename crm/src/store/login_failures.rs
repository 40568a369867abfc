//! Password checks counted per login, for the lockout. A row exists for every login typed
//! lately, known or not (so the lockout does not tell which logins exist): `failures` is the
//! number of checks in the current window, each counted *before* its password is checked, and
//! a login whose count reached the limit carries `locked_until`.
//!
//! The rules (the limit, the window) are the service's. What this module owns is atomicity:
//! [`count_check`] reads and writes the count and the lock in one statement, so requests in
//! parallel each get their own number and none of them can reset a lock that stands.

use super::Conn;
use super::time::{parse_ts, parse_ts_opt, ts};
use crate::domain::StaffId;
use chrono::{DateTime, Duration, Utc};

/// One counted check: its number in the window and, when it took the last allowed check, the
/// lock that now stands (its failure leaves the login locked; its success lifts the lock).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counted {
    pub number: i64,
    pub locked_until: Option<DateTime<Utc>>,
}

/// Counts one check of `login` at `now`, or returns `None` (changing nothing) when the login is
/// locked. A window that began `window` ago or earlier, or whose lock has ended, starts over at
/// 1; the `max`th check of a window locks the login until `now + window`.
///
/// One upsert: PostgreSQL locks the row for the statement (and, inside a transaction, until
/// commit), SQLite has a single writer; either way two checks never get the same number. A
/// locked row fails the `WHERE` of the update, so nothing is written to it and nothing returned.
pub async fn count_check(
    conn: &mut Conn,
    login: &str,
    now: DateTime<Utc>,
    window: Duration,
    max: i64,
) -> sqlx::Result<Option<Counted>> {
    let row: Option<(i64, Option<String>)> = sqlx::query_as(
        "INSERT INTO login_failures AS f (login, failures, window_started_at, locked_until)
         VALUES ($1, 1, $2, CASE WHEN $4 <= 1 THEN $5 END)
         ON CONFLICT (login) DO UPDATE SET
             failures = CASE WHEN f.locked_until IS NOT NULL OR f.window_started_at <= $3
                             THEN 1 ELSE f.failures + 1 END,
             window_started_at = CASE WHEN f.locked_until IS NOT NULL OR f.window_started_at <= $3
                                      THEN $2 ELSE f.window_started_at END,
             locked_until = CASE WHEN (CASE WHEN f.locked_until IS NOT NULL OR f.window_started_at <= $3
                                            THEN 1 ELSE f.failures + 1 END) >= $4
                                 THEN $5 END
         WHERE f.locked_until IS NULL OR f.locked_until <= $2
         RETURNING failures, locked_until",
    )
    .bind(login)
    .bind(ts(now))
    .bind(ts(now - window))
    .bind(max)
    .bind(ts(now + window))
    .fetch_optional(conn)
    .await?;
    row.map(|(number, locked)| Ok(Counted { number, locked_until: parse_ts_opt(locked)? })).transpose()
}

/// Until when `login` is locked, if it is at `now`.
pub async fn locked_until(conn: &mut Conn, login: &str, now: DateTime<Utc>) -> sqlx::Result<Option<DateTime<Utc>>> {
    let until: Option<String> =
        sqlx::query_scalar("SELECT locked_until FROM login_failures WHERE login = $1 AND locked_until > $2")
            .bind(login)
            .bind(ts(now))
            .fetch_optional(conn)
            .await?;
    until.as_deref().map(parse_ts).transpose()
}

/// Forgets the count of `login` (its password was just checked right, or an admin lifted the
/// lock); returns the lock that stood at `now`, if there was one.
pub async fn clear(conn: &mut Conn, login: &str, now: DateTime<Utc>) -> sqlx::Result<Option<DateTime<Utc>>> {
    let lock: Option<Option<String>> =
        sqlx::query_scalar("DELETE FROM login_failures WHERE login = $1 RETURNING locked_until")
            .bind(login)
            .fetch_optional(conn)
            .await?;
    Ok(parse_ts_opt(lock.flatten())?.filter(|until| *until > now))
}

/// Deletes the counts that no longer matter at `now`: windows that began `window` ago or
/// earlier and hold no lock in force. Logins typed once (mistyped, or guessed by a script) leave
/// no row behind for longer than a window and a lock.
pub async fn purge(conn: &mut Conn, now: DateTime<Utc>, window: Duration) -> sqlx::Result<u64> {
    let done = sqlx::query(
        "DELETE FROM login_failures WHERE window_started_at <= $1 AND (locked_until IS NULL OR locked_until <= $2)",
    )
    .bind(ts(now - window))
    .bind(ts(now))
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// The staff members whose login is locked at `now`, with the end of each lock.
pub async fn locked_staff(conn: &mut Conn, now: DateTime<Utc>) -> sqlx::Result<Vec<(StaffId, DateTime<Utc>)>> {
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT s.id, f.locked_until FROM login_failures f JOIN staff s ON s.login = f.login
         WHERE f.locked_until > $1 ORDER BY s.id",
    )
    .bind(ts(now))
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(|(id, until)| Ok((StaffId(id), parse_ts(&until)?))).collect()
}
