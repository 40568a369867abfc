//! Client records, their tags, blacklist and consent histories.

use super::filter::Where;
use super::time::{date, parse_date_opt, parse_ts, parse_ts_opt, ts};
use super::{Conn, flag, like};
use crate::domain::{City, ClientId, StaffId};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use sqlx::FromRow;

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Client {
    pub id: ClientId,
    pub full_name: String,
    pub phone: String,
    pub birth_date: Option<NaiveDate>,
    pub city: Option<String>,
    pub time_zone: Tz,
    pub telegram_id: Option<i64>,
    pub telegram_username: Option<String>,
    pub agent_id: Option<StaffId>,
    pub source: Option<String>,
    pub pd_consent_at: Option<DateTime<Utc>>,
    pub marketing_consent: bool,
    pub marketing_consent_changed_at: Option<DateTime<Utc>>,
    pub blacklist: Option<Blacklisting>,
    pub foreign_passport_expires_on: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub tags: Vec<String>,
}

impl Client {
    pub fn is_blacklisted(&self) -> bool {
        self.blacklist.is_some()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Blacklisting {
    pub reason: String,
    pub by: Option<StaffId>,
    pub at: DateTime<Utc>,
}

#[derive(FromRow)]
struct Row {
    id: i64,
    full_name: String,
    phone: String,
    birth_date: Option<String>,
    city: Option<String>,
    time_zone: String,
    telegram_id: Option<i64>,
    telegram_username: Option<String>,
    agent_id: Option<i64>,
    source: Option<String>,
    pd_consent_at: Option<String>,
    marketing_consent: i64,
    marketing_consent_changed_at: Option<String>,
    blacklisted: i64,
    blacklist_reason: Option<String>,
    blacklisted_by: Option<i64>,
    blacklisted_at: Option<String>,
    foreign_passport_expires_on: Option<String>,
    created_at: String,
}

const COLUMNS: &str = "id, full_name, phone, birth_date, city, time_zone, telegram_id, telegram_username, agent_id, \
    source, pd_consent_at, marketing_consent, marketing_consent_changed_at, blacklisted, blacklist_reason, \
    blacklisted_by, blacklisted_at, foreign_passport_expires_on, created_at";

impl Row {
    fn into_client(self) -> sqlx::Result<Client> {
        let blacklist = if self.blacklisted != 0 {
            Some(Blacklisting {
                reason: self.blacklist_reason.unwrap_or_default(),
                by: self.blacklisted_by.map(StaffId),
                at: parse_ts_opt(self.blacklisted_at)?.unwrap_or_default(),
            })
        } else {
            None
        };
        let city = self.city.map(|name| City::from_stored(name, &self.time_zone));
        Ok(Client {
            id: ClientId(self.id),
            full_name: self.full_name,
            phone: self.phone,
            birth_date: parse_date_opt(self.birth_date)?,
            time_zone: city.as_ref().map(City::tz).unwrap_or(crate::domain::DEFAULT_TZ),
            city: city.map(|c| c.name().to_owned()),
            telegram_id: self.telegram_id,
            telegram_username: self.telegram_username,
            agent_id: self.agent_id.map(StaffId),
            source: self.source,
            pd_consent_at: parse_ts_opt(self.pd_consent_at)?,
            marketing_consent: self.marketing_consent != 0,
            marketing_consent_changed_at: parse_ts_opt(self.marketing_consent_changed_at)?,
            blacklist,
            foreign_passport_expires_on: parse_date_opt(self.foreign_passport_expires_on)?,
            created_at: parse_ts(&self.created_at)?,
            tags: Vec::new(),
        })
    }
}

pub struct NewClientRow<'a> {
    pub full_name: &'a str,
    pub name_key: &'a str,
    pub phone: &'a str,
    pub birth_date: NaiveDate,
    pub city: &'a City,
    pub telegram_id: Option<i64>,
    pub telegram_username: Option<&'a str>,
    pub agent_id: Option<StaffId>,
    pub source: Option<&'a str>,
    pub pd_consent_at: Option<DateTime<Utc>>,
    pub marketing_consent: bool,
    pub created_by: Option<StaffId>,
    pub now: DateTime<Utc>,
}

pub async fn insert(conn: &mut Conn, c: &NewClientRow<'_>) -> sqlx::Result<ClientId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO clients (full_name, name_key, phone, birth_date, city, time_zone, telegram_id, telegram_username,
                              agent_id, source, pd_consent_at, marketing_consent, marketing_consent_changed_at,
                              created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id",
    )
    .bind(c.full_name)
    .bind(c.name_key)
    .bind(c.phone)
    .bind(date(c.birth_date))
    .bind(c.city.name())
    .bind(c.city.tz().name())
    .bind(c.telegram_id)
    .bind(c.telegram_username)
    .bind(c.agent_id.map(|a| a.0))
    .bind(c.source)
    .bind(c.pd_consent_at.map(ts))
    .bind(flag(c.marketing_consent))
    .bind(ts(c.now))
    .bind(c.created_by.map(|a| a.0))
    .bind(ts(c.now))
    .fetch_one(conn)
    .await?;
    Ok(ClientId(id))
}

async fn with_tags(conn: &mut Conn, row: Option<Row>) -> sqlx::Result<Option<Client>> {
    let Some(row) = row else { return Ok(None) };
    let mut client = row.into_client()?;
    client.tags = tags_of(conn, client.id).await?;
    Ok(Some(client))
}

pub async fn get(conn: &mut Conn, id: ClientId) -> sqlx::Result<Option<Client>> {
    let row = sqlx::query_as(&format!("SELECT {COLUMNS} FROM clients WHERE id = $1"))
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?;
    with_tags(conn, row).await
}

pub async fn by_phone(conn: &mut Conn, phone: &str) -> sqlx::Result<Option<Client>> {
    let row = sqlx::query_as(&format!("SELECT {COLUMNS} FROM clients WHERE phone = $1"))
        .bind(phone)
        .fetch_optional(&mut *conn)
        .await?;
    with_tags(conn, row).await
}

pub async fn by_telegram(conn: &mut Conn, telegram_id: i64) -> sqlx::Result<Option<Client>> {
    let row = sqlx::query_as(&format!("SELECT {COLUMNS} FROM clients WHERE telegram_id = $1"))
        .bind(telegram_id)
        .fetch_optional(&mut *conn)
        .await?;
    with_tags(conn, row).await
}

/// Filters of the client list; `None` matches everything.
#[derive(Debug, Default, Clone)]
pub struct ClientFilter {
    /// Only this agent's clients (set by the service for agents).
    pub agent_id: Option<StaffId>,
    /// Part of the name (already case-folded) or of the phone digits.
    pub name_key: Option<String>,
    pub phone_digits: Option<String>,
    pub tag_key: Option<String>,
    pub city: Option<String>,
    pub blacklisted: Option<bool>,
    /// Keyset cursor: clients with a smaller id (the list is newest first).
    pub before_id: Option<ClientId>,
    pub limit: i64,
}

/// Only the filters that are set become conditions ([`Where`]), and the tags of the whole page
/// come in one query instead of one per client.
pub async fn list(conn: &mut Conn, f: &ClientFilter) -> sqlx::Result<Vec<Client>> {
    let mut w = Where::new();
    w.and_eq("c.agent_id", f.agent_id.map(|a| a.0))
        .and_some(&like::contains("c.name_key", "?"), f.name_key.as_deref().map(like::contains_pattern))
        .and_some(&like::contains("c.phone", "?"), f.phone_digits.as_deref().map(like::contains_pattern))
        .and_some(
            "EXISTS (SELECT 1 FROM client_tags ct JOIN tags t ON t.id = ct.tag_id WHERE ct.client_id = c.id AND t.name_key = ?)",
            f.tag_key.as_deref(),
        )
        .and_eq("c.city", f.city.as_deref())
        .and_eq("c.blacklisted", f.blacklisted.map(flag))
        .and_some("c.id < ?", f.before_id.map(|b| b.0));
    let sql = format!("SELECT {COLUMNS} FROM clients c {} ORDER BY c.id DESC LIMIT {}", w.sql(), f.limit.clamp(1, 200));
    let rows = w.bind(sqlx::query_as::<_, Row>(&sql)).fetch_all(&mut *conn).await?;
    let mut out = rows.into_iter().map(Row::into_client).collect::<sqlx::Result<Vec<_>>>()?;
    attach_tags(conn, &mut out).await?;
    Ok(out)
}

/// Fills in the tags of a page of clients with one query.
async fn attach_tags(conn: &mut Conn, clients: &mut [Client]) -> sqlx::Result<()> {
    if clients.is_empty() {
        return Ok(());
    }
    let placeholders: Vec<String> = (1..=clients.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT ct.client_id, t.name FROM client_tags ct JOIN tags t ON t.id = ct.tag_id
         WHERE ct.client_id IN ({}) ORDER BY t.name_key",
        placeholders.join(", ")
    );
    let mut q = sqlx::query_as::<_, (i64, String)>(&sql);
    for c in clients.iter() {
        q = q.bind(c.id.0);
    }
    for (id, name) in q.fetch_all(conn).await? {
        if let Some(c) = clients.iter_mut().find(|c| c.id.0 == id) {
            c.tags.push(name);
        }
    }
    Ok(())
}

pub async fn set_blacklist(
    conn: &mut Conn,
    id: ClientId,
    on: bool,
    reason: &str,
    by: Option<StaffId>,
    actor: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE clients SET blacklisted = $1, blacklist_reason = $2, blacklisted_by = $3, blacklisted_at = $4
         WHERE id = $5 AND blacklisted <> $1",
    )
    .bind(flag(on))
    .bind(on.then_some(reason))
    .bind(if on { by.map(|b| b.0) } else { None })
    .bind(on.then(|| ts(now)))
    .bind(id.0)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query("INSERT INTO blacklist_events (client_id, blacklisted, reason, actor, at) VALUES ($1, $2, $3, $4, $5)")
        .bind(id.0)
        .bind(flag(on))
        .bind(reason)
        .bind(actor)
        .bind(ts(now))
        .execute(conn)
        .await?;
    Ok(true)
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BlacklistEvent {
    pub blacklisted: bool,
    pub reason: String,
    pub actor: String,
    pub at: DateTime<Utc>,
}

pub async fn blacklist_history(conn: &mut Conn, id: ClientId) -> sqlx::Result<Vec<BlacklistEvent>> {
    let rows: Vec<(i64, String, String, String)> =
        sqlx::query_as("SELECT blacklisted, reason, actor, at FROM blacklist_events WHERE client_id = $1 ORDER BY id")
            .bind(id.0)
            .fetch_all(conn)
            .await?;
    rows.into_iter()
        .map(|(b, reason, actor, at)| Ok(BlacklistEvent { blacklisted: b != 0, reason, actor, at: parse_ts(&at)? }))
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsentKind {
    PersonalData,
    Marketing,
}

impl ConsentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ConsentKind::PersonalData => "personal_data",
            ConsentKind::Marketing => "marketing",
        }
    }
}

/// Records a consent change; returns false when the state was already as asked. `shown` is the
/// `(version, sha256)` of the question text the client answered, when the answer was given to
/// one (the registration's yes/no).
pub async fn set_consent(
    conn: &mut Conn,
    id: ClientId,
    kind: ConsentKind,
    granted: bool,
    actor: &str,
    shown: Option<(&str, &str)>,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let done = match kind {
        ConsentKind::Marketing => {
            sqlx::query(
                "UPDATE clients SET marketing_consent = $1, marketing_consent_changed_at = $2
                 WHERE id = $3 AND marketing_consent <> $1",
            )
            .bind(flag(granted))
            .bind(ts(now))
            .bind(id.0)
            .execute(&mut *conn)
            .await?
        }
        ConsentKind::PersonalData => {
            // Granting keeps the first consent's time; withdrawing clears it.
            let at = granted.then(|| ts(now));
            sqlx::query(
                "UPDATE clients SET pd_consent_at = $1
                 WHERE id = $2 AND (pd_consent_at IS NULL) = ($1 IS NOT NULL)",
            )
            .bind(at)
            .bind(id.0)
            .execute(&mut *conn)
            .await?
        }
    };
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO consent_events (client_id, kind, granted, actor, at, text_version, text_sha256)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id.0)
    .bind(kind.as_str())
    .bind(flag(granted))
    .bind(actor)
    .bind(ts(now))
    .bind(shown.map(|s| s.0))
    .bind(shown.map(|s| s.1))
    .execute(conn)
    .await?;
    Ok(true)
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ConsentEvent {
    pub kind: String,
    pub granted: bool,
    pub actor: String,
    pub at: DateTime<Utc>,
    /// The version and SHA-256 of the question text answered, when there was one.
    pub text_version: Option<String>,
    pub text_sha256: Option<String>,
}

pub async fn consent_history(conn: &mut Conn, id: ClientId) -> sqlx::Result<Vec<ConsentEvent>> {
    type Row = (String, i64, String, String, Option<String>, Option<String>);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT kind, granted, actor, at, text_version, text_sha256 FROM consent_events WHERE client_id = $1 ORDER BY id",
    )
    .bind(id.0)
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|(kind, g, actor, at, text_version, text_sha256)| {
            Ok(ConsentEvent { kind, granted: g != 0, actor, at: parse_ts(&at)?, text_version, text_sha256 })
        })
        .collect()
}

pub async fn tags_of(conn: &mut Conn, id: ClientId) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar(
        "SELECT t.name FROM client_tags ct JOIN tags t ON t.id = ct.tag_id WHERE ct.client_id = $1 ORDER BY t.name_key",
    )
    .bind(id.0)
    .fetch_all(conn)
    .await
}

/// Finds the tag by its case-folded key or creates it with this spelling.
pub async fn upsert_tag(conn: &mut Conn, name: &str, key: &str) -> sqlx::Result<i64> {
    sqlx::query("INSERT INTO tags (name, name_key) VALUES ($1, $2) ON CONFLICT (name_key) DO NOTHING")
        .bind(name)
        .bind(key)
        .execute(&mut *conn)
        .await?;
    sqlx::query_scalar("SELECT id FROM tags WHERE name_key = $1").bind(key).fetch_one(conn).await
}

pub async fn add_tag(conn: &mut Conn, id: ClientId, tag_id: i64) -> sqlx::Result<bool> {
    let done = sqlx::query("INSERT INTO client_tags (client_id, tag_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
        .bind(id.0)
        .bind(tag_id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn remove_tag(conn: &mut Conn, id: ClientId, key: &str) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "DELETE FROM client_tags WHERE client_id = $1 AND tag_id IN (SELECT id FROM tags WHERE name_key = $2)",
    )
    .bind(id.0)
    .bind(key)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

pub async fn all_tags(conn: &mut Conn) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar("SELECT name FROM tags ORDER BY name_key").fetch_all(conn).await
}

pub async fn set_agent(conn: &mut Conn, id: ClientId, agent: Option<StaffId>) -> sqlx::Result<bool> {
    let done = sqlx::query("UPDATE clients SET agent_id = $1 WHERE id = $2")
        .bind(agent.map(|a| a.0))
        .bind(id.0)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_city(conn: &mut Conn, id: ClientId, city: &City) -> sqlx::Result<bool> {
    let done = sqlx::query("UPDATE clients SET city = $1, time_zone = $2 WHERE id = $3")
        .bind(city.name())
        .bind(city.tz().name())
        .bind(id.0)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_foreign_passport_expiry(conn: &mut Conn, id: ClientId, on: Option<NaiveDate>) -> sqlx::Result<()> {
    sqlx::query("UPDATE clients SET foreign_passport_expires_on = $1 WHERE id = $2")
        .bind(on.map(date))
        .bind(id.0)
        .execute(conn)
        .await?;
    Ok(())
}

/// Binds a Telegram account to a client that has none (the card an agent made).
pub async fn set_telegram(
    conn: &mut Conn,
    id: ClientId,
    telegram_id: i64,
    username: Option<&str>,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE clients SET telegram_id = $1, telegram_username = $2 WHERE id = $3 AND telegram_id IS NULL",
    )
    .bind(telegram_id)
    .bind(username)
    .bind(id.0)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A client's contact data as staff correct it.
pub struct Contacts<'a> {
    pub full_name: &'a str,
    pub name_key: &'a str,
    pub phone: &'a str,
    pub birth_date: NaiveDate,
    pub city: &'a City,
}

pub async fn set_contacts(conn: &mut Conn, id: ClientId, c: &Contacts<'_>) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE clients SET full_name = $1, name_key = $2, phone = $3, birth_date = $4, city = $5, time_zone = $6 \
         WHERE id = $7",
    )
    .bind(c.full_name)
    .bind(c.name_key)
    .bind(c.phone)
    .bind(date(c.birth_date))
    .bind(c.city.name())
    .bind(c.city.tz().name())
    .bind(id.0)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Corrects the client's name (the client, confirming the card an agent made).
pub async fn set_name(conn: &mut Conn, id: ClientId, full_name: &str, name_key: &str) -> sqlx::Result<bool> {
    let done = sqlx::query("UPDATE clients SET full_name = $1, name_key = $2 WHERE id = $3")
        .bind(full_name)
        .bind(name_key)
        .bind(id.0)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}
