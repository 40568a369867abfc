//! Where a Telegram user came from before registering: the first `/start` payload of each
//! account, read back when the account registers.

use super::Conn;
use super::time::ts;
use chrono::{DateTime, Utc};

/// Keeps `source` for `telegram_id` unless one is kept already (the first source wins).
pub async fn record(conn: &mut Conn, telegram_id: i64, source: &str, at: DateTime<Utc>) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO bot_starts (telegram_id, source, started_at) VALUES ($1, $2, $3)
         ON CONFLICT (telegram_id) DO NOTHING",
    )
    .bind(telegram_id)
    .bind(source)
    .bind(ts(at))
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn source_of(conn: &mut Conn, telegram_id: i64) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT source FROM bot_starts WHERE telegram_id = $1")
        .bind(telegram_id)
        .fetch_optional(conn)
        .await
}
