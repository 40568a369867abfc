//! The social funnel's raw facts: the channel's posts and the deep links they carry, their
//! reaction counts over time, and every deep-link `/start`. Writes are idempotent (a Telegram
//! update handled twice after a restart changes nothing the second time); the reads hand the
//! KPI service plain rows, which it aggregates.

use super::Conn;
use super::time::{parse_ts, ts};
use chrono::{DateTime, Utc};
use sqlx::FromRow;

/// A channel post as received (or as last edited).
pub struct PostIn<'a> {
    pub chat_id: i64,
    pub message_id: i64,
    pub posted_at: DateTime<Utc>,
    pub edited_at: Option<DateTime<Utc>>,
    pub excerpt: &'a str,
    pub links: &'a [String],
}

/// Keeps the post and replaces its links (an edit may add or remove some). The caller runs it
/// in a transaction, so the post never stands without its links.
pub async fn upsert_post(conn: &mut Conn, p: &PostIn<'_>) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO channel_posts (chat_id, message_id, posted_at, edited_at, excerpt) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (chat_id, message_id) DO UPDATE SET edited_at = excluded.edited_at, excerpt = excluded.excerpt",
    )
    .bind(p.chat_id)
    .bind(p.message_id)
    .bind(ts(p.posted_at))
    .bind(p.edited_at.map(ts))
    .bind(p.excerpt)
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM channel_post_links WHERE chat_id = $1 AND message_id = $2")
        .bind(p.chat_id)
        .bind(p.message_id)
        .execute(&mut *conn)
        .await?;
    for payload in p.links {
        sqlx::query(
            "INSERT INTO channel_post_links (chat_id, message_id, payload) VALUES ($1, $2, $3)
             ON CONFLICT (chat_id, message_id, payload) DO NOTHING",
        )
        .bind(p.chat_id)
        .bind(p.message_id)
        .bind(payload)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// A reaction count as Telegram reported it at `at`; the same post and second rewrites its row.
pub async fn record_reactions(
    conn: &mut Conn,
    chat_id: i64,
    message_id: i64,
    at: DateTime<Utc>,
    total: i64,
    kinds: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO post_reactions (chat_id, message_id, changed_at, total, kinds) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (chat_id, message_id, changed_at) DO UPDATE SET total = excluded.total, kinds = excluded.kinds",
    )
    .bind(chat_id)
    .bind(message_id)
    .bind(ts(at))
    .bind(total)
    .bind(kinds)
    .execute(conn)
    .await?;
    Ok(())
}

/// One deep-link `/start`, parsed.
pub struct StartIn<'a> {
    pub telegram_id: i64,
    pub message_id: i64,
    pub at: DateTime<Utc>,
    pub kind: &'a str,
    pub payload: Option<&'a str>,
    pub post_id: Option<&'a str>,
    pub network: Option<&'a str>,
    pub ref_id: Option<&'a str>,
}

/// Records the start unless this message was recorded already. True when it was new.
pub async fn record_start(conn: &mut Conn, s: &StartIn<'_>) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO deep_link_starts (telegram_id, message_id, started_at, kind, payload, post_id, network, ref_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (telegram_id, message_id) DO NOTHING",
    )
    .bind(s.telegram_id)
    .bind(s.message_id)
    .bind(ts(s.at))
    .bind(s.kind)
    .bind(s.payload)
    .bind(s.post_id)
    .bind(s.network)
    .bind(s.ref_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A recorded start, as the funnel reads it.
#[derive(Debug, Clone)]
pub struct StartRow {
    pub telegram_id: i64,
    pub at: DateTime<Utc>,
    pub kind: String,
    pub payload: Option<String>,
    pub network: Option<String>,
}

#[derive(FromRow)]
struct RawStart {
    telegram_id: i64,
    started_at: String,
    kind: String,
    payload: Option<String>,
    network: Option<String>,
}

/// The people with a start in `[from, to)`: their ids.
const STARTED_IN: &str = "SELECT telegram_id FROM deep_link_starts WHERE started_at >= $1 AND started_at < $2";

/// Every start (of any time) of the people who started in `[from, to)`: attribution looks at
/// a person's starts before their registration, which may lie before the period.
pub async fn starts_of_people_started_in(
    conn: &mut Conn,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> sqlx::Result<Vec<StartRow>> {
    let rows: Vec<RawStart> = sqlx::query_as(&format!(
        "SELECT telegram_id, started_at, kind, payload, network FROM deep_link_starts
         WHERE telegram_id IN ({STARTED_IN}) ORDER BY started_at, telegram_id, message_id"
    ))
    .bind(ts(from))
    .bind(ts(to))
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(StartRow {
                telegram_id: r.telegram_id,
                at: parse_ts(&r.started_at)?,
                kind: r.kind,
                payload: r.payload,
                network: r.network,
            })
        })
        .collect()
}

/// A client with a Telegram account among the people who started in the period.
#[derive(Debug, Clone)]
pub struct RegisteredRow {
    pub client_id: i64,
    pub telegram_id: i64,
    pub registered_at: DateTime<Utc>,
}

pub async fn clients_of_people_started_in(
    conn: &mut Conn,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> sqlx::Result<Vec<RegisteredRow>> {
    let rows: Vec<(i64, i64, String)> = sqlx::query_as(&format!(
        "SELECT id, telegram_id, created_at FROM clients WHERE telegram_id IN ({STARTED_IN}) ORDER BY id"
    ))
    .bind(ts(from))
    .bind(ts(to))
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|(client_id, telegram_id, at)| Ok(RegisteredRow { client_id, telegram_id, registered_at: parse_ts(&at)? }))
        .collect()
}

/// A booking of such a client: when, where to, and the client payments net of reversals.
#[derive(Debug, Clone)]
pub struct BookingRow {
    pub client_id: i64,
    pub created_at: DateTime<Utc>,
    pub destination: String,
    pub paid: i64,
}

pub async fn bookings_of_people_started_in(
    conn: &mut Conn,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> sqlx::Result<Vec<BookingRow>> {
    let rows: Vec<(i64, String, String, i64)> = sqlx::query_as(&format!(
        "SELECT b.client_id, b.created_at, t.country,
                CAST(COALESCE((SELECT SUM(o.amount) FROM operations o
                               WHERE o.booking_id = b.id AND o.kind = 'client_payment'), 0) AS BIGINT)
         FROM bookings b JOIN tours t ON t.id = b.tour_id JOIN clients c ON c.id = b.client_id
         WHERE c.telegram_id IN ({STARTED_IN}) ORDER BY b.id"
    ))
    .bind(ts(from))
    .bind(ts(to))
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|(client_id, at, destination, paid)| {
            Ok(BookingRow { client_id, created_at: parse_ts(&at)?, destination, paid })
        })
        .collect()
}

/// A channel post with one of its links (a post without links comes once, `payload` NULL),
/// and its latest reaction total before `to`.
#[derive(Debug, Clone)]
pub struct PostRow {
    pub chat_id: i64,
    pub message_id: i64,
    pub posted_at: DateTime<Utc>,
    pub excerpt: String,
    pub payload: Option<String>,
    pub reactions: i64,
}

pub async fn posts_before(conn: &mut Conn, to: DateTime<Utc>) -> sqlx::Result<Vec<PostRow>> {
    let rows: Vec<(i64, i64, String, String, Option<String>, i64)> = sqlx::query_as(
        "SELECT p.chat_id, p.message_id, p.posted_at, p.excerpt, l.payload,
                COALESCE((SELECT r.total FROM post_reactions r
                          WHERE r.chat_id = p.chat_id AND r.message_id = p.message_id AND r.changed_at < $1
                          ORDER BY r.changed_at DESC LIMIT 1), 0)
         FROM channel_posts p
         LEFT JOIN channel_post_links l ON l.chat_id = p.chat_id AND l.message_id = p.message_id
         WHERE p.posted_at < $1 ORDER BY p.posted_at, p.chat_id, p.message_id, l.payload",
    )
    .bind(ts(to))
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|(chat_id, message_id, at, excerpt, payload, reactions)| {
            Ok(PostRow { chat_id, message_id, posted_at: parse_ts(&at)?, excerpt, payload, reactions })
        })
        .collect()
}

/// The reaction history of one post, oldest first: (when, total, kinds JSON).
pub async fn reaction_history(
    conn: &mut Conn,
    chat_id: i64,
    message_id: i64,
) -> sqlx::Result<Vec<(DateTime<Utc>, i64, String)>> {
    let rows: Vec<(String, i64, String)> = sqlx::query_as(
        "SELECT changed_at, total, kinds FROM post_reactions WHERE chat_id = $1 AND message_id = $2 ORDER BY changed_at",
    )
    .bind(chat_id)
    .bind(message_id)
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(|(at, total, kinds)| Ok((parse_ts(&at)?, total, kinds))).collect()
}

/// Sold bookings created in `[from, to)` grouped by `key` (an SQL expression over `b`, `t`
/// and `s`, the tour's operator): (key, currency, count, sum of totals).
pub async fn sold_grouped(
    conn: &mut Conn,
    key: CheckKey,
    statuses: &[&str],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> sqlx::Result<Vec<(String, String, i64, i64)>> {
    let expr = match key {
        CheckKey::Destination => "t.country",
        CheckKey::Operator => "s.name",
        // `created_at` is RFC 3339 text: its first 7 characters are the month, on both backends.
        CheckKey::Month => "SUBSTR(b.created_at, 1, 7)",
    };
    let list = statuses.iter().map(|s| format!("'{s}'")).collect::<Vec<_>>().join(", ");
    sqlx::query_as(&format!(
        "SELECT {expr} AS k, b.currency, COUNT(*), CAST(SUM(b.total) AS BIGINT)
         FROM bookings b JOIN tours t ON t.id = b.tour_id JOIN staff s ON s.id = t.operator_id
         WHERE b.status IN ({list}) AND b.created_at >= $1 AND b.created_at < $2
         GROUP BY {expr}, b.currency ORDER BY {expr}, b.currency"
    ))
    .bind(ts(from))
    .bind(ts(to))
    .fetch_all(conn)
    .await
}

/// What the average check is grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckKey {
    Destination,
    Operator,
    Month,
}
