//! Documents issued for signing and the evidence of their signature. Everything here is
//! append-only (the migration's triggers refuse UPDATE and DELETE) except the one-time codes'
//! attempt counters and states, and the copies' envelopes, which only key rotation rewrites to
//! the same plaintext. This module sees only [`Sealed`] copies: plaintext never reaches it.

use super::Conn;
use super::time::{parse_ts, parse_ts_opt, ts};
use crate::crypto::Sealed;
use crate::domain::{BookingId, ClientId, IssuedDocumentId};
use crate::paperwork::DocKind;
use crate::text::{self, keyed_enum};
use chrono::{DateTime, Utc};
use sqlx::FromRow;

keyed_enum! {
    /// Where an issued document stands: the one table of its lifecycle is
    /// [`IssuedDocument::state`].
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
    #[serde(rename_all = "snake_case")]
    pub enum DocumentState: as_str {
        Issued = "issued",
        Opened = "opened",
        Signed = "signed",
        Expired = "expired",
        Superseded = "superseded",
    }
}

impl DocumentState {
    pub fn title_ru(self) -> &'static str {
        text::get("document_state", self.as_str())
    }

    /// Whether the client may still sign it.
    pub fn signable(self) -> bool {
        matches!(self, DocumentState::Issued | DocumentState::Opened)
    }
}

keyed_enum! {
    /// How the client reached the document: the Mini App page or the chat.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
    #[serde(rename_all = "snake_case")]
    pub enum Channel: as_str {
        MiniApp = "mini_app",
        Chat = "chat",
    }
}

/// One issued document with what happened to it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct IssuedDocument {
    pub id: IssuedDocumentId,
    #[serde(serialize_with = "kind_code")]
    pub kind: DocKind,
    pub client_id: ClientId,
    pub booking_id: Option<BookingId>,
    pub title: String,
    pub template_version: String,
    pub sha256: String,
    pub html_sha256: String,
    /// What the document lacked when rendered (left blank), `; `-separated; empty when complete.
    pub missing: String,
    pub issued_by: String,
    pub issued_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub supersedes: Option<IssuedDocumentId>,
    pub opened_at: Option<DateTime<Utc>>,
    pub signed_at: Option<DateTime<Utc>>,
    pub superseded_at: Option<DateTime<Utc>>,
}

fn kind_code<S: serde::Serializer>(kind: &DocKind, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(kind.code())
}

impl IssuedDocument {
    /// The lifecycle in one place: an ended document stays as it ended; an open one expires at
    /// its time.
    pub fn state(&self, now: DateTime<Utc>) -> DocumentState {
        if self.signed_at.is_some() {
            DocumentState::Signed
        } else if self.superseded_at.is_some() {
            DocumentState::Superseded
        } else if now >= self.expires_at {
            DocumentState::Expired
        } else if self.opened_at.is_some() {
            DocumentState::Opened
        } else {
            DocumentState::Issued
        }
    }
}

#[derive(FromRow)]
struct Row {
    id: i64,
    kind: String,
    client_id: i64,
    booking_id: Option<i64>,
    title: String,
    template_version: String,
    sha256: String,
    html_sha256: String,
    missing: String,
    issued_by: String,
    issued_at: String,
    expires_at: String,
    supersedes: Option<i64>,
    opened_at: Option<String>,
    signed_at: Option<String>,
    superseded_at: Option<String>,
}

impl Row {
    fn into_document(self) -> sqlx::Result<IssuedDocument> {
        Ok(IssuedDocument {
            id: IssuedDocumentId(self.id),
            kind: DocKind::from_code(&self.kind)
                .ok_or_else(|| sqlx::Error::Decode(format!("issued_documents: bad kind {:?}", self.kind).into()))?,
            client_id: ClientId(self.client_id),
            booking_id: self.booking_id.map(BookingId),
            title: self.title,
            template_version: self.template_version,
            sha256: self.sha256,
            html_sha256: self.html_sha256,
            missing: self.missing,
            issued_by: self.issued_by,
            issued_at: parse_ts(&self.issued_at)?,
            expires_at: parse_ts(&self.expires_at)?,
            supersedes: self.supersedes.map(IssuedDocumentId),
            opened_at: parse_ts_opt(self.opened_at)?,
            signed_at: parse_ts_opt(self.signed_at)?,
            superseded_at: parse_ts_opt(self.superseded_at)?,
        })
    }
}

const SELECT: &str = "SELECT d.id, d.kind, d.client_id, d.booking_id, d.title, d.template_version, d.sha256, \
    d.html_sha256, d.missing, d.issued_by, d.issued_at, d.expires_at, d.supersedes, \
    (SELECT MIN(e.at) FROM document_events e WHERE e.document_id = d.id AND e.event = 'opened') AS opened_at, \
    (SELECT MIN(e.at) FROM document_events e WHERE e.document_id = d.id AND e.event = 'signed') AS signed_at, \
    (SELECT MIN(e.at) FROM document_events e WHERE e.document_id = d.id AND e.event = 'superseded') AS superseded_at \
    FROM issued_documents d";

pub struct NewDocument<'a> {
    pub kind: DocKind,
    pub client_id: ClientId,
    pub booking_id: Option<BookingId>,
    pub title: &'a str,
    pub template_version: &'a str,
    pub sha256: &'a str,
    pub html_sha256: &'a str,
    pub missing: &'a str,
    pub issued_by: &'a str,
    pub issued_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub supersedes: Option<IssuedDocumentId>,
}

pub async fn insert(conn: &mut Conn, d: &NewDocument<'_>) -> sqlx::Result<IssuedDocumentId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO issued_documents (kind, client_id, booking_id, title, template_version, sha256, html_sha256, \
         missing, issued_by, issued_at, expires_at, supersedes) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(d.kind.code())
    .bind(d.client_id.0)
    .bind(d.booking_id.map(|b| b.0))
    .bind(d.title)
    .bind(d.template_version)
    .bind(d.sha256)
    .bind(d.html_sha256)
    .bind(d.missing)
    .bind(d.issued_by)
    .bind(ts(d.issued_at))
    .bind(ts(d.expires_at))
    .bind(d.supersedes.map(|s| s.0))
    .fetch_one(&mut *conn)
    .await?;
    Ok(IssuedDocumentId(id))
}

/// Associated data of a copy's envelopes: a copy moved to another document does not open.
pub fn copy_aad(id: IssuedDocumentId, part: &str) -> Vec<u8> {
    format!("tourcrm/issued_document/{id}/{part}").into_bytes()
}

pub async fn put_copy(conn: &mut Conn, id: IssuedDocumentId, pdf: &Sealed, html: &Sealed) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO document_copies (document_id, key_id, pdf, html) VALUES ($1, $2, $3, $4)")
        .bind(id.0)
        .bind(pdf.key_id())
        .bind(pdf.as_bytes().to_vec())
        .bind(html.as_bytes().to_vec())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The sealed copy: `(pdf, html)`.
pub async fn copy(conn: &mut Conn, id: IssuedDocumentId) -> sqlx::Result<Option<(Sealed, Sealed)>> {
    let row: Option<(Vec<u8>, Vec<u8>)> =
        sqlx::query_as("SELECT pdf, html FROM document_copies WHERE document_id = $1")
            .bind(id.0)
            .fetch_optional(&mut *conn)
            .await?;
    let sealed = |b: Vec<u8>| Sealed::from_bytes(b).map_err(|e| sqlx::Error::Decode(Box::new(e)));
    row.map(|(p, h)| Ok((sealed(p)?, sealed(h)?))).transpose()
}

/// A batch of copies not sealed with `current_key`, for rotation: `(id, pdf, html)`.
pub async fn copies_not_under_key(
    conn: &mut Conn,
    current_key: &str,
    limit: i64,
) -> sqlx::Result<Vec<(IssuedDocumentId, Sealed, Sealed)>> {
    let rows: Vec<(i64, Vec<u8>, Vec<u8>)> = sqlx::query_as(
        "SELECT document_id, pdf, html FROM document_copies WHERE key_id <> $1 ORDER BY document_id LIMIT $2",
    )
    .bind(current_key)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    let sealed = |b: Vec<u8>| Sealed::from_bytes(b).map_err(|e| sqlx::Error::Decode(Box::new(e)));
    rows.into_iter().map(|(id, p, h)| Ok((IssuedDocumentId(id), sealed(p)?, sealed(h)?))).collect()
}

/// Replaces a copy's envelopes (the same plaintext under a new key), only if it still holds `old_pdf`.
pub async fn reseal_copy(
    conn: &mut Conn,
    id: IssuedDocumentId,
    old_pdf: &Sealed,
    pdf: &Sealed,
    html: &Sealed,
) -> sqlx::Result<bool> {
    let done =
        sqlx::query("UPDATE document_copies SET key_id = $1, pdf = $2, html = $3 WHERE document_id = $4 AND pdf = $5")
            .bind(pdf.key_id())
            .bind(pdf.as_bytes().to_vec())
            .bind(html.as_bytes().to_vec())
            .bind(id.0)
            .bind(old_pdf.as_bytes().to_vec())
            .execute(&mut *conn)
            .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn get(conn: &mut Conn, id: IssuedDocumentId) -> sqlx::Result<Option<IssuedDocument>> {
    let row: Option<Row> =
        sqlx::query_as(&format!("{SELECT} WHERE d.id = $1")).bind(id.0).fetch_optional(&mut *conn).await?;
    row.map(Row::into_document).transpose()
}

pub async fn of_booking(conn: &mut Conn, booking: BookingId) -> sqlx::Result<Vec<IssuedDocument>> {
    let rows: Vec<Row> = sqlx::query_as(&format!("{SELECT} WHERE d.booking_id = $1 ORDER BY d.id DESC"))
        .bind(booking.0)
        .fetch_all(&mut *conn)
        .await?;
    rows.into_iter().map(Row::into_document).collect()
}

pub async fn of_client(conn: &mut Conn, client: ClientId) -> sqlx::Result<Vec<IssuedDocument>> {
    let rows: Vec<Row> = sqlx::query_as(&format!("{SELECT} WHERE d.client_id = $1 ORDER BY d.id DESC"))
        .bind(client.0)
        .fetch_all(&mut *conn)
        .await?;
    rows.into_iter().map(Row::into_document).collect()
}

/// Every document not ended (neither signed nor superseded) that lacked data when issued:
/// what an agency-side change (its requisites, an operator's registry data) may complete.
pub async fn open_lacking(conn: &mut Conn) -> sqlx::Result<Vec<IssuedDocument>> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "{SELECT} WHERE d.missing <> '' \
         AND NOT EXISTS (SELECT 1 FROM document_events e WHERE e.document_id = d.id \
         AND e.event IN ('signed', 'superseded')) ORDER BY d.id"
    ))
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter().map(Row::into_document).collect()
}

/// The documents of this kind and subject that have not ended (neither signed nor superseded).
pub async fn open_of(
    conn: &mut Conn,
    kind: DocKind,
    client: ClientId,
    booking: Option<BookingId>,
) -> sqlx::Result<Vec<IssuedDocument>> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "{SELECT} WHERE d.kind = $1 AND d.client_id = $2 AND COALESCE(d.booking_id, 0) = $3 \
         AND NOT EXISTS (SELECT 1 FROM document_events e WHERE e.document_id = d.id \
         AND e.event IN ('signed', 'superseded')) ORDER BY d.id"
    ))
    .bind(kind.code())
    .bind(client.0)
    .bind(booking.map_or(0, |b| b.0))
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter().map(Row::into_document).collect()
}

keyed_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Event: as_str {
        Opened = "opened",
        Superseded = "superseded",
        Signed = "signed",
    }
}

/// Appends an event. A second end (signed after superseded, signed twice) violates the unique
/// index and fails, so two racing signatures cannot both succeed.
pub async fn add_event(
    conn: &mut Conn,
    id: IssuedDocumentId,
    event: Event,
    actor: &str,
    at: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO document_events (document_id, event, actor, at) VALUES ($1, $2, $3, $4)")
        .bind(id.0)
        .bind(event.as_str())
        .bind(actor)
        .bind(ts(at))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// One one-time code as stored (its keyed hash only).
#[derive(Debug, Clone)]
pub struct SignCode {
    pub id: i64,
    pub code_hash: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub attempts: i64,
}

/// Replaces any active code of the document with a new one; the new row's id.
pub async fn new_code(
    conn: &mut Conn,
    id: IssuedDocumentId,
    code_hash: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> sqlx::Result<i64> {
    sqlx::query("UPDATE sign_codes SET state = 'replaced' WHERE document_id = $1 AND state = 'active'")
        .bind(id.0)
        .execute(&mut *conn)
        .await?;
    sqlx::query_scalar(
        "INSERT INTO sign_codes (document_id, code_hash, created_at, expires_at, attempts, state) \
         VALUES ($1, $2, $3, $4, 0, 'active') RETURNING id",
    )
    .bind(id.0)
    .bind(code_hash)
    .bind(ts(now))
    .bind(ts(expires_at))
    .fetch_one(&mut *conn)
    .await
}

/// The document's active code, if any.
pub async fn active_code(conn: &mut Conn, id: IssuedDocumentId) -> sqlx::Result<Option<SignCode>> {
    let row: Option<(i64, String, String, String, i64)> = sqlx::query_as(
        "SELECT id, code_hash, created_at, expires_at, attempts FROM sign_codes \
         WHERE document_id = $1 AND state = 'active' ORDER BY id DESC LIMIT 1",
    )
    .bind(id.0)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|(id, code_hash, created, expires, attempts)| {
        Ok(SignCode { id, code_hash, created_at: parse_ts(&created)?, expires_at: parse_ts(&expires)?, attempts })
    })
    .transpose()
}

/// Counts one attempt on a still-active code; the count after it, `None` if the code is no
/// longer active (used or replaced meanwhile).
pub async fn count_attempt(conn: &mut Conn, code_id: i64) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar(
        "UPDATE sign_codes SET attempts = attempts + 1 WHERE id = $1 AND state = 'active' RETURNING attempts",
    )
    .bind(code_id)
    .fetch_optional(&mut *conn)
    .await
}

/// active → used; `false` when someone else used it first.
pub async fn use_code(conn: &mut Conn, code_id: i64) -> sqlx::Result<bool> {
    let done = sqlx::query("UPDATE sign_codes SET state = 'used' WHERE id = $1 AND state = 'active'")
        .bind(code_id)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// The evidence of one signature, as recorded.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Signature {
    pub document_id: IssuedDocumentId,
    pub client_id: ClientId,
    pub telegram_id: i64,
    pub phone: String,
    pub sha256: String,
    pub template_version: String,
    pub code_hash: String,
    pub code_sent_at: DateTime<Utc>,
    pub attempts: i64,
    pub agreement_version: String,
    pub channel: Channel,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub signed_at: DateTime<Utc>,
}

pub async fn insert_signature(conn: &mut Conn, s: &Signature) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO document_signatures (document_id, client_id, telegram_id, phone, sha256, template_version, \
         code_hash, code_sent_at, attempts, agreement_version, channel, ip, user_agent, signed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(s.document_id.0)
    .bind(s.client_id.0)
    .bind(s.telegram_id)
    .bind(&s.phone)
    .bind(&s.sha256)
    .bind(&s.template_version)
    .bind(&s.code_hash)
    .bind(ts(s.code_sent_at))
    .bind(s.attempts)
    .bind(&s.agreement_version)
    .bind(s.channel.as_str())
    .bind(s.ip.as_deref())
    .bind(s.user_agent.as_deref())
    .bind(ts(s.signed_at))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

type SignatureRow = (
    i64,
    i64,
    i64,
    String,
    String,
    String,
    String,
    String,
    i64,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
);

pub async fn signature(conn: &mut Conn, id: IssuedDocumentId) -> sqlx::Result<Option<Signature>> {
    let row: Option<SignatureRow> = sqlx::query_as(
        "SELECT document_id, client_id, telegram_id, phone, sha256, template_version, code_hash, code_sent_at, \
         attempts, agreement_version, channel, ip, user_agent, signed_at FROM document_signatures WHERE document_id = $1",
    )
    .bind(id.0)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| {
        Ok(Signature {
            document_id: IssuedDocumentId(r.0),
            client_id: ClientId(r.1),
            telegram_id: r.2,
            phone: r.3,
            sha256: r.4,
            template_version: r.5,
            code_hash: r.6,
            code_sent_at: parse_ts(&r.7)?,
            attempts: r.8,
            agreement_version: r.9,
            channel: Channel::from_code(&r.10).unwrap_or(Channel::Chat),
            ip: r.11,
            user_agent: r.12,
            signed_at: parse_ts(&r.13)?,
        })
    })
    .transpose()
}

/// Whether the client accepted this version of the signature agreement.
pub async fn agreement_accepted(conn: &mut Conn, client: ClientId, version: &str) -> sqlx::Result<bool> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM es_agreements WHERE client_id = $1 AND version = $2")
        .bind(client.0)
        .bind(version)
        .fetch_one(&mut *conn)
        .await?;
    Ok(n > 0)
}

#[allow(clippy::too_many_arguments)]
pub async fn accept_agreement(
    conn: &mut Conn,
    client: ClientId,
    version: &str,
    text_sha256: &str,
    channel: Channel,
    ip: Option<&str>,
    user_agent: Option<&str>,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO es_agreements (client_id, version, text_sha256, channel, ip, user_agent, accepted_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (client_id, version) DO NOTHING",
    )
    .bind(client.0)
    .bind(version)
    .bind(text_sha256)
    .bind(channel.as_str())
    .bind(ip)
    .bind(user_agent)
    .bind(ts(now))
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
