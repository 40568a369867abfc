//! Data keys, stored wrapped by the master key. States: `active` (new values are sealed with
//! it; exactly one), `retiring` (still read, being re-encrypted away), `retired` (no record
//! uses it any more; kept so old backups stay readable).

use super::Conn;
use super::time::ts;
use chrono::{DateTime, Utc};

pub struct StoredKey {
    pub id: String,
    pub wrapped: Vec<u8>,
    pub state: String,
}

pub async fn all(conn: &mut Conn) -> sqlx::Result<Vec<StoredKey>> {
    let rows: Vec<(String, Vec<u8>, String)> =
        sqlx::query_as("SELECT id, wrapped, state FROM data_keys ORDER BY created_at, id").fetch_all(conn).await?;
    Ok(rows.into_iter().map(|(id, wrapped, state)| StoredKey { id, wrapped, state }).collect())
}

pub async fn insert(conn: &mut Conn, id: &str, wrapped: &[u8], state: &str, now: DateTime<Utc>) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO data_keys (id, wrapped, state, created_at) VALUES ($1, $2, $3, $4)")
        .bind(id)
        .bind(wrapped.to_vec())
        .bind(state)
        .bind(ts(now))
        .execute(conn)
        .await?;
    Ok(())
}

/// Makes `id` the one active key; the previously active one starts retiring.
pub async fn activate(conn: &mut Conn, id: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE data_keys SET state = 'retiring' WHERE state = 'active' AND id <> $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE data_keys SET state = 'active' WHERE id = $1").bind(id).execute(conn).await?;
    Ok(())
}

/// Retires every retiring key that no document uses any more; returns their ids.
pub async fn retire_unused(conn: &mut Conn, now: DateTime<Utc>) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar(
        "UPDATE data_keys SET state = 'retired', retired_at = $1
         WHERE state = 'retiring' AND NOT EXISTS (SELECT 1 FROM secure_documents d WHERE d.key_id = data_keys.id)
         RETURNING id",
    )
    .bind(ts(now))
    .fetch_all(conn)
    .await
}
