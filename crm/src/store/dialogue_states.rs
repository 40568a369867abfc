//! The bot's dialogue states: one JSON text per Telegram chat, so a dialogue survives a restart
//! and several bot instances see the same state. The store keeps the text opaque; what it means
//! (and what to do when it no longer parses) is the bot's business.

use super::Conn;
use super::time::ts;
use chrono::{DateTime, Utc};

/// The stored state of `chat_id`, or `None` when the chat has no dialogue in progress.
pub async fn get(conn: &mut Conn, chat_id: i64) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT state FROM dialogue_states WHERE chat_id = $1").bind(chat_id).fetch_optional(conn).await
}

/// Stores `state` for `chat_id`, replacing any previous one. One statement rather than
/// select-then-write, so two bot instances writing the same chat cannot both insert.
pub async fn upsert(conn: &mut Conn, chat_id: i64, state: &str, at: DateTime<Utc>) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO dialogue_states (chat_id, state, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (chat_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
    )
    .bind(chat_id)
    .bind(state)
    .bind(ts(at))
    .execute(conn)
    .await?;
    Ok(())
}

/// Deletes the state of `chat_id`; answers whether there was one.
pub async fn remove(conn: &mut Conn, chat_id: i64) -> sqlx::Result<bool> {
    let done = sqlx::query("DELETE FROM dialogue_states WHERE chat_id = $1").bind(chat_id).execute(conn).await?;
    Ok(done.rows_affected() > 0)
}

/// Every stored state, oldest first: what the bot wrote here while Redis was away, to hand back
/// to Redis when it returns.
pub async fn all(conn: &mut Conn) -> sqlx::Result<Vec<(i64, String)>> {
    sqlx::query_as("SELECT chat_id, state FROM dialogue_states ORDER BY updated_at, chat_id").fetch_all(conn).await
}

/// Deletes the state of `chat_id` only while it still reads `state`: a handed-over state is
/// removed, a newer one written meanwhile is kept.
pub async fn remove_if(conn: &mut Conn, chat_id: i64, state: &str) -> sqlx::Result<bool> {
    let done = sqlx::query("DELETE FROM dialogue_states WHERE chat_id = $1 AND state = $2")
        .bind(chat_id)
        .bind(state)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}
