//! Data keys, stored wrapped by the master key. States: `active` (new values are sealed with
//! it; exactly one), `retiring` (still read, being re-encrypted away). A retiring key that no
//! record uses any more is deleted: kept, it would only be one more key that a stolen master
//! key opens. (`retired`, the state older versions kept such keys in, is deleted alike.)
//!
//! During a master key rotation a key also carries `wrapped_next`, its form under the next
//! master key, until that key is in place (see `services::keys`).

use super::Conn;
use super::time::ts;
use chrono::{DateTime, Utc};

#[derive(sqlx::FromRow)]
pub struct StoredKey {
    pub id: String,
    pub wrapped: Vec<u8>,
    pub wrapped_next: Option<Vec<u8>>,
    pub state: String,
}

pub async fn all(conn: &mut Conn) -> sqlx::Result<Vec<StoredKey>> {
    sqlx::query_as("SELECT id, wrapped, wrapped_next, state FROM data_keys ORDER BY created_at, id")
        .fetch_all(conn)
        .await
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

/// The keys that are not active and that no document uses: candidates for [`delete`].
pub async fn unused(conn: &mut Conn) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar(
        "SELECT id FROM data_keys
         WHERE state <> 'active'
           AND NOT EXISTS (SELECT 1 FROM secure_documents d WHERE d.key_id = data_keys.id)
           AND NOT EXISTS (SELECT 1 FROM document_copies c WHERE c.key_id = data_keys.id)
         ORDER BY created_at, id",
    )
    .fetch_all(conn)
    .await
}

/// Deletes a key that is not active, if no document uses it (checked again here: a document
/// may have been written under it since [`unused`]). Returns whether it was deleted.
pub async fn delete_if_unused(conn: &mut Conn, id: &str) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "DELETE FROM data_keys
         WHERE id = $1 AND state <> 'active'
           AND NOT EXISTS (SELECT 1 FROM secure_documents d WHERE d.key_id = data_keys.id)
           AND NOT EXISTS (SELECT 1 FROM document_copies c WHERE c.key_id = data_keys.id)",
    )
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Stores a key's form under the next master key (replacing any earlier one).
pub async fn set_next(conn: &mut Conn, id: &str, wrapped_next: &[u8]) -> sqlx::Result<()> {
    sqlx::query("UPDATE data_keys SET wrapped_next = $1 WHERE id = $2")
        .bind(wrapped_next.to_vec())
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// The next master key is in place: its form becomes the key's only one, the old master key's
/// form is dropped. `wrapped_next` is the value that was checked to open, so a form staged
/// meanwhile by another rotation is never promoted unchecked.
pub async fn promote_next(conn: &mut Conn, id: &str, wrapped_next: &[u8]) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE data_keys SET wrapped = wrapped_next, wrapped_next = NULL WHERE id = $1 AND wrapped_next = $2",
    )
    .bind(id)
    .bind(wrapped_next.to_vec())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Forgets every staged form (a master key rotation that is being started over).
pub async fn clear_next(conn: &mut Conn) -> sqlx::Result<()> {
    sqlx::query("UPDATE data_keys SET wrapped_next = NULL WHERE wrapped_next IS NOT NULL").execute(conn).await?;
    Ok(())
}

/// How many keys wait for the next master key.
pub async fn waiting_for_next(conn: &mut Conn) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM data_keys WHERE wrapped_next IS NOT NULL").fetch_one(conn).await
}
