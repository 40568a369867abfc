//! Encrypted personal documents (passports, payment details). This module sees only
//! [`Sealed`] values: plaintext never reaches it.

use super::Conn;
use super::time::ts;
use crate::crypto::Sealed;
use chrono::{DateTime, Utc};

// The kinds are domain vocabulary (the bot's dialogues name them too).
pub use crate::domain::DocKind;

/// Whose document it is: a client (also when they travel), or a companion on a booking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Owner {
    Client(i64),
    Traveller(i64),
}

impl Owner {
    fn parts(self) -> (&'static str, i64) {
        match self {
            Owner::Client(id) => ("client", id),
            Owner::Traveller(id) => ("traveller", id),
        }
    }

    fn from_parts(kind: &str, id: i64) -> Option<Owner> {
        match kind {
            "client" => Some(Owner::Client(id)),
            "traveller" => Some(Owner::Traveller(id)),
            _ => None,
        }
    }

    /// Associated data of the envelope: a ciphertext copied to another owner or kind fails.
    pub fn aad(self, kind: DocKind) -> Vec<u8> {
        let (k, id) = self.parts();
        format!("tourcrm/{k}/{id}/{}", kind.as_str()).into_bytes()
    }
}

pub async fn put(
    conn: &mut Conn,
    owner: Owner,
    kind: DocKind,
    sealed: &Sealed,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    let (owner_kind, owner_id) = owner.parts();
    sqlx::query(
        "INSERT INTO secure_documents (owner_kind, owner_id, doc_kind, key_id, envelope, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (owner_kind, owner_id, doc_kind)
         DO UPDATE SET key_id = excluded.key_id, envelope = excluded.envelope, updated_at = excluded.updated_at",
    )
    .bind(owner_kind)
    .bind(owner_id)
    .bind(kind.as_str())
    .bind(sealed.key_id())
    .bind(sealed.as_bytes().to_vec())
    .bind(ts(now))
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn get(conn: &mut Conn, owner: Owner, kind: DocKind) -> sqlx::Result<Option<Sealed>> {
    let (owner_kind, owner_id) = owner.parts();
    let bytes: Option<Vec<u8>> = sqlx::query_scalar(
        "SELECT envelope FROM secure_documents WHERE owner_kind = $1 AND owner_id = $2 AND doc_kind = $3",
    )
    .bind(owner_kind)
    .bind(owner_id)
    .bind(kind.as_str())
    .fetch_optional(conn)
    .await?;
    bytes.map(|b| Sealed::from_bytes(b).map_err(|e| sqlx::Error::Decode(Box::new(e)))).transpose()
}

/// Which kinds of document an owner has on file (without opening them).
pub async fn kinds_of(conn: &mut Conn, owner: Owner) -> sqlx::Result<Vec<String>> {
    let (owner_kind, owner_id) = owner.parts();
    sqlx::query_scalar(
        "SELECT doc_kind FROM secure_documents WHERE owner_kind = $1 AND owner_id = $2 ORDER BY doc_kind",
    )
    .bind(owner_kind)
    .bind(owner_id)
    .fetch_all(conn)
    .await
}

pub struct StaleDocument {
    pub id: i64,
    pub owner: Owner,
    pub kind: DocKind,
    pub sealed: Sealed,
}

/// A batch of documents not sealed with `current_key`, for rotation.
pub async fn not_under_key(conn: &mut Conn, current_key: &str, limit: i64) -> sqlx::Result<Vec<StaleDocument>> {
    let rows: Vec<(i64, String, i64, String, Vec<u8>)> = sqlx::query_as(
        "SELECT id, owner_kind, owner_id, doc_kind, envelope FROM secure_documents WHERE key_id <> $1 ORDER BY id LIMIT $2",
    )
    .bind(current_key)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    let bad = |what: &str| sqlx::Error::Decode(format!("secure_documents: bad {what}").into());
    rows.into_iter()
        .map(|(id, ok, oid, kind, env)| {
            let kind = DocKind::from_code(&kind).ok_or_else(|| bad("doc_kind"))?;
            Ok(StaleDocument {
                id,
                owner: Owner::from_parts(&ok, oid).ok_or_else(|| bad("owner_kind"))?,
                kind,
                sealed: Sealed::from_bytes(env).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
            })
        })
        .collect()
}

/// Replaces one document's envelope, only if it still holds `old` (a concurrent write wins).
pub async fn reseal(conn: &mut Conn, id: i64, old: &Sealed, new: &Sealed) -> sqlx::Result<bool> {
    let done = sqlx::query("UPDATE secure_documents SET key_id = $1, envelope = $2 WHERE id = $3 AND envelope = $4")
        .bind(new.key_id())
        .bind(new.as_bytes().to_vec())
        .bind(id)
        .bind(old.as_bytes().to_vec())
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Deletes every document of an owner (a companion removed from a booking).
pub async fn delete_all(conn: &mut Conn, owner: Owner) -> sqlx::Result<()> {
    let (owner_kind, owner_id) = owner.parts();
    sqlx::query("DELETE FROM secure_documents WHERE owner_kind = $1 AND owner_id = $2")
        .bind(owner_kind)
        .bind(owner_id)
        .execute(conn)
        .await?;
    Ok(())
}
