//! The outbox: every message the bot writes first (notifications, broadcasts), one row per
//! occurrence. The life of a row: `pending` (or `held` while its broadcast is paused) →
//! `sending` (claimed by the sender, the request is on its way) → `sent` | `failed` |
//! `pending` again (Telegram said «later», or the network failed before an answer could
//! exist). A row still `sending` when the sender starts was claimed by a process that died
//! before it knew the answer: it becomes `unknown`, never resent by itself.

use super::filter::Where;
use super::time::{parse_ts, parse_ts_opt, ts};
use super::{Conn, flag};
use crate::crypto::Sealed;
use crate::domain::{BroadcastId, ClientId, IssuedDocumentId, OutboxId, StaffId};
use crate::text::{self, keyed_enum};
use chrono::{DateTime, Utc};
use sqlx::FromRow;

keyed_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
    #[serde(rename_all = "snake_case")]
    pub enum OutboxStatus: as_str {
        Pending = "pending",
        Held = "held",
        Sending = "sending",
        Sent = "sent",
        Failed = "failed",
        Skipped = "skipped",
        Unknown = "unknown",
        Cancelled = "cancelled",
    }
}

impl OutboxStatus {
    pub fn parse(s: &str) -> Option<Self> {
        Self::from_code(s)
    }

    pub fn title_ru(self) -> &'static str {
        text::get("outbox_status", self.as_str())
    }
}

/// A message to enqueue.
#[derive(Debug, Clone)]
pub struct NewMessage {
    pub dedup_key: String,
    pub kind: String,
    pub client_id: ClientId,
    pub broadcast_id: Option<BroadcastId>,
    /// A tour the message offers («Подробнее» opens its card in the bot).
    pub tour_id: Option<i64>,
    /// Advertising goes only to clients with marketing consent and carries «Отписаться».
    pub advertising: bool,
    pub body: String,
    pub not_before: DateTime<Utc>,
    pub status: OutboxStatus,
}

impl NewMessage {
    /// A service message to one client, due now: no broadcast, no tour, not advertising (a
    /// document, a code, an invoice, a payment).
    pub fn service(dedup_key: String, kind: &str, client_id: ClientId, body: String, now: DateTime<Utc>) -> NewMessage {
        NewMessage {
            dedup_key,
            kind: kind.to_owned(),
            client_id,
            broadcast_id: None,
            tour_id: None,
            advertising: false,
            body,
            not_before: now,
            status: OutboxStatus::Pending,
        }
    }
}

/// Adds the message unless its occurrence is already there; `true` when added.
pub async fn insert(conn: &mut Conn, m: &NewMessage, now: DateTime<Utc>) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO outbox (dedup_key, kind, client_id, broadcast_id, tour_id, advertising, priority, body, status, \
         not_before, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) \
         ON CONFLICT (dedup_key) DO NOTHING",
    )
    .bind(&m.dedup_key)
    .bind(&m.kind)
    .bind(m.client_id.0)
    .bind(m.broadcast_id.map(|b| b.0))
    .bind(m.tour_id)
    .bind(flag(m.advertising))
    // Service reminders go before advertising: a payment reminder must not wait behind a
    // broadcast to ten thousand clients.
    .bind(flag(m.advertising))
    .bind(&m.body)
    .bind(m.status.as_str())
    .bind(ts(m.not_before))
    .bind(ts(now))
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Adds a message that carries a document (sent as a file or opened in the Mini App) or whose
/// text must not lie in clear (`sealed_body`, a one-time code; `m.body` then says what it is).
pub async fn insert_extended(
    conn: &mut Conn,
    m: &NewMessage,
    document_id: Option<IssuedDocumentId>,
    sealed_body: Option<&Sealed>,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    if !insert(conn, m, now).await? {
        return Ok(false);
    }
    sqlx::query("UPDATE outbox SET document_id = $1, sealed_body = $2 WHERE dedup_key = $3")
        .bind(document_id.map(|d| d.0))
        .bind(sealed_body.map(|s| s.as_bytes().to_vec()))
        .bind(&m.dedup_key)
        .execute(&mut *conn)
        .await?;
    Ok(true)
}

/// What a payment message carries besides its caption (the body): the text its QR code encodes
/// and, for a payment link, the button that opens it. The image is drawn at send time, so the
/// row stays small and the panel shows what the code says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentAttachment {
    pub qr_payload: String,
    /// `(label, url)` of an inline URL button.
    pub button: Option<(String, String)>,
}

/// Adds a payment message (a QR code photo with the body as its caption); `true` when added.
pub async fn insert_payment(
    conn: &mut Conn,
    m: &NewMessage,
    payment: &PaymentAttachment,
    to_staff: Option<StaffId>,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    if !insert(conn, m, now).await? {
        return Ok(false);
    }
    let (label, url) = payment.button.as_ref().map(|(l, u)| (l.as_str(), u.as_str())).unzip();
    sqlx::query("UPDATE outbox SET qr_payload = $1, button_label = $2, button_url = $3 WHERE dedup_key = $4")
        .bind(&payment.qr_payload)
        .bind(label)
        .bind(url)
        .bind(&m.dedup_key)
        .execute(&mut *conn)
        .await?;
    if let Some(staff) = to_staff {
        address_to_staff(conn, &m.dedup_key, staff).await?;
    }
    Ok(true)
}

/// Adds a note for a staff member about the client of `m` (who stays `m.client_id`); `true`
/// when added.
pub async fn insert_for_staff(
    conn: &mut Conn,
    m: &NewMessage,
    staff: StaffId,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    if !insert(conn, m, now).await? {
        return Ok(false);
    }
    address_to_staff(conn, &m.dedup_key, staff).await?;
    Ok(true)
}

/// The message goes to that staff member's Telegram instead of its client's.
async fn address_to_staff(conn: &mut Conn, dedup_key: &str, staff: StaffId) -> sqlx::Result<()> {
    sqlx::query("UPDATE outbox SET staff_id = $1 WHERE dedup_key = $2")
        .bind(staff.0)
        .bind(dedup_key)
        .execute(conn)
        .await?;
    Ok(())
}

/// Associated data of a sealed body: it opens only as the body of its own message.
pub fn sealed_aad(dedup_key: &str) -> Vec<u8> {
    format!("tourcrm/outbox/{dedup_key}").into_bytes()
}

/// The next due pending message with what decides whether it may go.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub id: OutboxId,
    pub body: String,
    pub tour_id: Option<i64>,
    pub advertising: i64,
    pub telegram_id: Option<i64>,
    pub blacklisted: i64,
    pub marketing_consent: i64,
    pub dedup_key: String,
    pub document_id: Option<IssuedDocumentId>,
    pub sealed_body: Option<Vec<u8>>,
    pub payment: Option<PaymentAttachment>,
}

#[derive(FromRow)]
struct CandidateRow {
    id: i64,
    body: String,
    tour_id: Option<i64>,
    advertising: i64,
    telegram_id: Option<i64>,
    blacklisted: i64,
    marketing_consent: i64,
    dedup_key: String,
    document_id: Option<i64>,
    sealed_body: Option<Vec<u8>>,
    qr_payload: Option<String>,
    button_label: Option<String>,
    button_url: Option<String>,
}

pub async fn next_due(conn: &mut Conn, now: DateTime<Utc>) -> sqlx::Result<Option<Candidate>> {
    let row: Option<CandidateRow> = sqlx::query_as(
        // A staff note (`staff_id`) goes to that staff member's Telegram; the client it is
        // about being blacklisted or unsubscribed does not hold it back.
        "SELECT o.id, o.body, o.tour_id, o.advertising, \
         CASE WHEN o.staff_id IS NULL THEN c.telegram_id ELSE s.telegram_id END AS telegram_id, \
         CAST(CASE WHEN o.staff_id IS NULL THEN c.blacklisted ELSE 0 END AS BIGINT) AS blacklisted, \
         CAST(CASE WHEN o.staff_id IS NULL THEN c.marketing_consent ELSE 1 END AS BIGINT) AS marketing_consent, \
         o.dedup_key, o.document_id, o.sealed_body, o.qr_payload, o.button_label, o.button_url \
         FROM outbox o JOIN clients c ON c.id = o.client_id \
         LEFT JOIN staff s ON s.id = o.staff_id AND s.active = 1 \
         WHERE o.status = 'pending' AND o.not_before <= $1 ORDER BY o.priority, o.not_before, o.id LIMIT 1",
    )
    .bind(ts(now))
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(|r: CandidateRow| Candidate {
        id: OutboxId(r.id),
        body: r.body,
        tour_id: r.tour_id,
        advertising: r.advertising,
        telegram_id: r.telegram_id,
        blacklisted: r.blacklisted,
        marketing_consent: r.marketing_consent,
        dedup_key: r.dedup_key,
        document_id: r.document_id.map(IssuedDocumentId),
        sealed_body: r.sealed_body,
        payment: r
            .qr_payload
            .map(|qr_payload| PaymentAttachment { qr_payload, button: r.button_label.zip(r.button_url) }),
    }))
}

/// pending → sending for this chat; `false` if someone else took it first.
pub async fn claim(conn: &mut Conn, id: OutboxId, chat_id: i64, now: DateTime<Utc>) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE outbox SET status = 'sending', chat_id = $2, attempts = attempts + 1, updated_at = $3 \
         WHERE id = $1 AND status = 'pending'",
    )
    .bind(id.0)
    .bind(chat_id)
    .bind(ts(now))
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Ends a pending or sending message in `status` with a reason (skipped, failed, cancelled).
pub async fn finish(
    conn: &mut Conn,
    id: OutboxId,
    status: OutboxStatus,
    reason: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE outbox SET status = $2, error = $3, updated_at = $4 WHERE id = $1 AND status IN ('pending', 'sending')",
    )
    .bind(id.0)
    .bind(status.as_str())
    .bind(reason)
    .bind(ts(now))
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn mark_sent(conn: &mut Conn, id: OutboxId, message_id: Option<i64>, now: DateTime<Utc>) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE outbox SET status = 'sent', telegram_message_id = $2, sent_at = $3, updated_at = $3, error = NULL \
         WHERE id = $1 AND status = 'sending'",
    )
    .bind(id.0)
    .bind(message_id)
    .bind(ts(now))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// sending → pending, to be tried again no earlier than `not_before`.
pub async fn release(
    conn: &mut Conn,
    id: OutboxId,
    not_before: DateTime<Utc>,
    reason: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE outbox SET status = 'pending', not_before = $2, error = $3, updated_at = $4 \
         WHERE id = $1 AND status = 'sending'",
    )
    .bind(id.0)
    .bind(ts(not_before))
    .bind((!reason.is_empty()).then_some(reason))
    .bind(ts(now))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Rows left `sending` by a process that died: nobody knows whether Telegram delivered them.
pub async fn orphans_to_unknown(conn: &mut Conn, now: DateTime<Utc>) -> sqlx::Result<u64> {
    let done =
        sqlx::query("UPDATE outbox SET status = 'unknown', error = $1, updated_at = $2 WHERE status = 'sending'")
            .bind(text::get("outbox_reason", "process_stopped"))
            .bind(ts(now))
            .execute(&mut *conn)
            .await?;
    Ok(done.rows_affected())
}

/// Moves the rows of a broadcast (or one row) from one state to another; the count moved.
pub async fn move_rows(
    conn: &mut Conn,
    broadcast_id: Option<BroadcastId>,
    row_id: Option<OutboxId>,
    from: &[OutboxStatus],
    to: OutboxStatus,
    now: DateTime<Utc>,
) -> sqlx::Result<u64> {
    let from: Vec<String> = from.iter().map(|s| format!("'{}'", s.as_str())).collect();
    let (col, id) = match (broadcast_id, row_id) {
        (Some(b), _) => ("broadcast_id", b.0),
        (None, Some(r)) => ("id", r.0),
        (None, None) => return Ok(0),
    };
    // The statuses are our own constants, never user input.
    let sql =
        format!("UPDATE outbox SET status = $1, updated_at = $2 WHERE {col} = $3 AND status IN ({})", from.join(", "));
    let done = sqlx::query(&sql).bind(to.as_str()).bind(ts(now)).bind(id).execute(&mut *conn).await?;
    Ok(done.rows_affected())
}

/// A row's state, `None` when there is no such row.
pub async fn status_of(conn: &mut Conn, id: OutboxId) -> sqlx::Result<Option<OutboxStatus>> {
    let s: Option<String> =
        sqlx::query_scalar("SELECT status FROM outbox WHERE id = $1").bind(id.0).fetch_optional(&mut *conn).await?;
    Ok(s.and_then(|s| OutboxStatus::parse(&s)))
}

/// How many rows of a broadcast are in each state.
pub async fn broadcast_counts(conn: &mut Conn, broadcast_id: BroadcastId) -> sqlx::Result<Vec<(OutboxStatus, i64)>> {
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT status, COUNT(*) FROM outbox WHERE broadcast_id = $1 GROUP BY status")
            .bind(broadcast_id.0)
            .fetch_all(&mut *conn)
            .await?;
    Ok(rows.into_iter().filter_map(|(s, n)| OutboxStatus::parse(&s).map(|s| (s, n))).collect())
}

/// How many rows ended in `status` since `since` (for the admin's attention on the start page).
pub async fn count_since(conn: &mut Conn, status: OutboxStatus, since: DateTime<Utc>) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE status = $1 AND updated_at >= $2")
        .bind(status.as_str())
        .bind(ts(since))
        .fetch_one(&mut *conn)
        .await
}

/// One row as the panel shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct OutboxEntry {
    pub id: OutboxId,
    pub kind: String,
    pub client_id: ClientId,
    pub client_name: String,
    /// A note to staff about the client (`staff_id` set): who it went to.
    pub staff_name: Option<String>,
    pub broadcast_id: Option<BroadcastId>,
    pub body: String,
    pub status: OutboxStatus,
    pub not_before: DateTime<Utc>,
    pub attempts: i64,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

#[derive(FromRow)]
struct EntryRow {
    id: i64,
    kind: String,
    client_id: i64,
    full_name: String,
    staff_name: Option<String>,
    broadcast_id: Option<i64>,
    body: String,
    status: String,
    not_before: String,
    attempts: i64,
    error: Option<String>,
    created_at: String,
    sent_at: Option<String>,
}

#[derive(Debug, Default, Clone)]
pub struct OutboxFilter {
    pub status: Option<OutboxStatus>,
    pub broadcast_id: Option<BroadcastId>,
    pub client_id: Option<ClientId>,
    /// Only automatic notifications (no broadcast).
    pub notifications_only: bool,
    pub before_id: Option<OutboxId>,
    pub limit: i64,
}

/// Newest first, with keyset paging; only the conditions that are set.
pub async fn list(conn: &mut Conn, f: &OutboxFilter) -> sqlx::Result<Vec<OutboxEntry>> {
    let mut w = Where::new();
    w.and_eq("o.status", f.status.map(OutboxStatus::as_str))
        .and_eq("o.broadcast_id", f.broadcast_id.map(|b| b.0))
        .and_eq("o.client_id", f.client_id.map(|c| c.0))
        .and_some("o.id < ?", f.before_id.map(|o| o.0));
    if f.notifications_only {
        w.and_raw("o.broadcast_id IS NULL");
    }
    let sql = format!(
        "SELECT o.id, o.kind, o.client_id, c.full_name, s.name AS staff_name, o.broadcast_id, o.body, o.status, \
         o.not_before, o.attempts, o.error, o.created_at, o.sent_at FROM outbox o JOIN clients c ON c.id = o.client_id \
         LEFT JOIN staff s ON s.id = o.staff_id {} ORDER BY o.id DESC LIMIT {}",
        w.sql(),
        f.limit.clamp(1, 500)
    );
    w.bind(sqlx::query_as::<_, EntryRow>(&sql))
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|r| {
            Ok(OutboxEntry {
                id: OutboxId(r.id),
                kind: r.kind,
                client_id: ClientId(r.client_id),
                client_name: r.full_name,
                staff_name: r.staff_name,
                broadcast_id: r.broadcast_id.map(BroadcastId),
                body: r.body,
                status: OutboxStatus::parse(&r.status).unwrap_or(OutboxStatus::Unknown),
                not_before: parse_ts(&r.not_before)?,
                attempts: r.attempts,
                error: r.error,
                created_at: parse_ts(&r.created_at)?,
                sent_at: parse_ts_opt(r.sent_at)?,
            })
        })
        .collect()
}
