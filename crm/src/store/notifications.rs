//! What the scheduler reads: the agency's notification settings, the people something is due
//! for (one query per kind, already without the occurrences in the outbox), broadcasts and
//! their audiences.

use super::time::{date, parse_date, parse_ts, parse_ts_opt, ts};
use super::{Conn, flag};
use crate::domain::{BroadcastId, ClientId, HotelId};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::FromRow;

#[derive(Debug, Clone)]
pub struct SettingRow {
    pub kind: String,
    pub enabled: i64,
    pub lead_days: i64,
    pub template: Option<String>,
    pub updated_by: String,
    pub updated_at: DateTime<Utc>,
}

#[derive(FromRow)]
struct RawSetting {
    kind: String,
    enabled: i64,
    lead_days: i64,
    template: Option<String>,
    updated_by: String,
    updated_at: String,
}

impl RawSetting {
    fn into_row(self) -> sqlx::Result<SettingRow> {
        Ok(SettingRow {
            kind: self.kind,
            enabled: self.enabled,
            lead_days: self.lead_days,
            template: self.template,
            updated_by: self.updated_by,
            updated_at: parse_ts(&self.updated_at)?,
        })
    }
}

pub async fn settings(conn: &mut Conn) -> sqlx::Result<Vec<SettingRow>> {
    let rows: Vec<RawSetting> =
        sqlx::query_as("SELECT kind, enabled, lead_days, template, updated_by, updated_at FROM notification_settings")
            .fetch_all(&mut *conn)
            .await?;
    rows.into_iter().map(RawSetting::into_row).collect()
}

pub async fn upsert_setting(
    conn: &mut Conn,
    kind: &str,
    enabled: bool,
    lead_days: i64,
    template: Option<&str>,
    actor: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO notification_settings (kind, enabled, lead_days, template, updated_by, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (kind) DO UPDATE SET enabled = excluded.enabled, \
         lead_days = excluded.lead_days, template = excluded.template, updated_by = excluded.updated_by, \
         updated_at = excluded.updated_at",
    )
    .bind(kind)
    .bind(flag(enabled))
    .bind(lead_days)
    .bind(template)
    .bind(actor)
    .bind(ts(now))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A client something is due for, with what every template may show about them.
#[derive(Debug, Clone, FromRow)]
pub struct Person {
    pub client_id: i64,
    pub full_name: String,
    pub city: Option<String>,
    pub time_zone: String,
    pub agent_name: Option<String>,
}

const PERSON: &str = "c.id AS client_id, c.full_name, c.city, c.time_zone, s.name AS agent_name";
/// Who may get any message at all: reachable in Telegram and not blacklisted.
const REACHABLE: &str = "c.telegram_id IS NOT NULL AND c.blacklisted = 0";

#[derive(Debug, Clone)]
pub struct PassportDue {
    pub person: Person,
    pub expires_on: NaiveDate,
}

#[derive(FromRow)]
struct RawPassportDue {
    #[sqlx(flatten)]
    person: Person,
    expires_on: String,
}

impl RawPassportDue {
    fn into_due(self) -> sqlx::Result<PassportDue> {
        Ok(PassportDue { person: self.person, expires_on: parse_date(&self.expires_on)? })
    }
}

/// The client as every message names them, whether or not the bot can reach them now (the
/// outbox decides that when it sends).
pub async fn person(conn: &mut Conn, client: ClientId) -> sqlx::Result<Option<Person>> {
    sqlx::query_as(&format!("SELECT {PERSON} FROM clients c LEFT JOIN staff s ON s.id = c.agent_id WHERE c.id = $1"))
        .bind(client.0)
        .fetch_optional(&mut *conn)
        .await
}

/// Clients whose foreign passport expires in `[from, until]`, not yet reminded of that expiry.
pub async fn passports_expiring(conn: &mut Conn, from: NaiveDate, until: NaiveDate) -> sqlx::Result<Vec<PassportDue>> {
    let rows: Vec<RawPassportDue> = sqlx::query_as(&format!(
        "SELECT {PERSON}, c.foreign_passport_expires_on AS expires_on FROM clients c \
         LEFT JOIN staff s ON s.id = c.agent_id WHERE {REACHABLE} \
         AND c.foreign_passport_expires_on >= $1 AND c.foreign_passport_expires_on <= $2 \
         AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.dedup_key = \
             'passport_expiring:' || c.id || ':' || c.foreign_passport_expires_on) \
         ORDER BY c.id"
    ))
    .bind(date(from))
    .bind(date(until))
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter().map(RawPassportDue::into_due).collect()
}

/// A booking's trip with what the departure and payment reminders show.
#[derive(Debug, Clone)]
pub struct TripDue {
    pub person: Person,
    pub booking_id: i64,
    pub tour_id: i64,
    pub tour_title: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub departure_time: Option<String>,
    pub meeting_point: String,
    pub travellers_count: i64,
    pub total: i64,
    pub currency: String,
    /// The date the reminder is about: the departure, or an instalment's due date.
    pub event_on: NaiveDate,
    /// Payment reminders: the schedule up to this instalment, and what the client has paid.
    pub scheduled_to_date: i64,
    pub paid: i64,
}

#[derive(FromRow)]
struct RawTripDue {
    #[sqlx(flatten)]
    person: Person,
    booking_id: i64,
    tour_id: i64,
    tour_title: String,
    starts_on: String,
    ends_on: String,
    departure_time: Option<String>,
    meeting_point: String,
    travellers_count: i64,
    total: i64,
    currency: String,
    event_on: String,
    scheduled_to_date: i64,
    paid: i64,
}

impl RawTripDue {
    fn into_due(self) -> sqlx::Result<TripDue> {
        Ok(TripDue {
            person: self.person,
            booking_id: self.booking_id,
            tour_id: self.tour_id,
            tour_title: self.tour_title,
            starts_on: parse_date(&self.starts_on)?,
            ends_on: parse_date(&self.ends_on)?,
            departure_time: self.departure_time,
            meeting_point: self.meeting_point,
            travellers_count: self.travellers_count,
            total: self.total,
            currency: self.currency,
            event_on: parse_date(&self.event_on)?,
            scheduled_to_date: self.scheduled_to_date,
            paid: self.paid,
        })
    }
}

const TRIP: &str = "b.id AS booking_id, t.id AS tour_id, t.title AS tour_title, d.starts_on, d.ends_on, \
    d.departure_time, d.meeting_point, b.travellers_count, b.total, b.currency";
const LIVE_BOOKING: &str = "b.status IN ('contract_pending', 'contract_signed', 'partially_paid', 'paid')";

/// Live bookings departing in `[from, until]`, not yet reminded of that departure.
pub async fn departures(conn: &mut Conn, from: NaiveDate, until: NaiveDate) -> sqlx::Result<Vec<TripDue>> {
    let rows: Vec<RawTripDue> = sqlx::query_as(&format!(
        "SELECT {PERSON}, {TRIP}, d.starts_on AS event_on, CAST(0 AS BIGINT) AS scheduled_to_date, \
         CAST(0 AS BIGINT) AS paid \
         FROM bookings b JOIN clients c ON c.id = b.client_id JOIN tour_departures d ON d.id = b.departure_id \
         JOIN tours t ON t.id = b.tour_id LEFT JOIN staff s ON s.id = b.agent_id \
         WHERE {LIVE_BOOKING} AND {REACHABLE} AND d.starts_on >= $1 AND d.starts_on <= $2 \
         AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.dedup_key = 'departure_tomorrow:' || b.id || ':' || d.starts_on) \
         ORDER BY b.id"
    ))
    .bind(date(from))
    .bind(date(until))
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter().map(RawTripDue::into_due).collect()
}

/// Instalments due in `[from, until]` of bookings that can be paid now
/// ([`BookingStatus::accepts_payments`]: a reminder to pay a booking whose contract is not
/// signed yet would ask for a payment the agency must refuse), not yet reminded of.
pub async fn payments_due(conn: &mut Conn, from: NaiveDate, until: NaiveDate) -> sqlx::Result<Vec<TripDue>> {
    let payable = crate::domain::BookingStatus::ALL
        .into_iter()
        .filter(|s| s.accepts_payments())
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    let rows: Vec<RawTripDue> = sqlx::query_as(&format!(
        "SELECT {PERSON}, {TRIP}, p.due_on AS event_on, \
         (SELECT CAST(COALESCE(SUM(p2.amount), 0) AS BIGINT) FROM booking_payment_schedule p2 \
            WHERE p2.booking_id = b.id AND p2.due_on <= p.due_on) AS scheduled_to_date, \
         (SELECT CAST(COALESCE(SUM(op.amount), 0) AS BIGINT) FROM operations op \
            WHERE op.booking_id = b.id AND op.kind = 'client_payment') AS paid \
         FROM booking_payment_schedule p JOIN bookings b ON b.id = p.booking_id \
         JOIN clients c ON c.id = b.client_id JOIN tour_departures d ON d.id = b.departure_id \
         JOIN tours t ON t.id = b.tour_id LEFT JOIN staff s ON s.id = b.agent_id \
         WHERE b.status IN ({payable}) AND {REACHABLE} \
         AND p.due_on >= $1 AND p.due_on <= $2 \
         AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.dedup_key = 'payment_due:' || b.id || ':' || p.due_on) \
         ORDER BY b.id, p.due_on"
    ))
    .bind(date(from))
    .bind(date(until))
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter().map(RawTripDue::into_due).collect()
}

#[derive(Debug, Clone)]
pub struct BirthdayDue {
    pub person: Person,
    /// The birthday the occurrence is about.
    pub birthday: NaiveDate,
}

#[derive(FromRow)]
struct RawBirthdayDue {
    #[sqlx(flatten)]
    person: Person,
    birthday: String,
}

impl RawBirthdayDue {
    fn into_due(self) -> sqlx::Result<BirthdayDue> {
        Ok(BirthdayDue { person: self.person, birthday: parse_date(&self.birthday)? })
    }
}

/// Clients whose birthday falls on one of `days` (each `MM-DD` of a birth date with the day it
/// is celebrated in the window: 29 February is 28 February in a common year), not yet sent
/// `kind` for that birthday; with `advertising`, only those who agreed to marketing.
pub async fn birthdays(
    conn: &mut Conn,
    kind: &str,
    days: &[(String, NaiveDate)],
    advertising: bool,
) -> sqlx::Result<Vec<BirthdayDue>> {
    if days.is_empty() {
        return Ok(Vec::new());
    }
    // A VALUES list joined on the birth date's month and day; both dialects name its columns
    // column1, column2. The list comes first in a CROSS JOIN, which SQLite takes as the order
    // of its loops: for each day the clients are found by the index on their birth date's
    // month and day (`clients_birthday`). Left to itself, SQLite scanned every client against
    // a list of more than a few days, every minute.
    let rows: Vec<String> = (0..days.len()).map(|i| format!("(${}, ${})", 2 * i + 2, 2 * i + 3)).collect();
    let consent = if advertising { " AND c.marketing_consent = 1" } else { "" };
    let sql = format!(
        "SELECT {PERSON}, w.column2 AS birthday FROM (VALUES {}) AS w CROSS JOIN clients c \
         LEFT JOIN staff s ON s.id = c.agent_id \
         WHERE substr(c.birth_date, 6, 5) = w.column1 AND {REACHABLE}{consent} AND c.birth_date IS NOT NULL \
         AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.dedup_key = $1 || ':' || c.id || ':' || w.column2) \
         ORDER BY c.id",
        rows.join(", ")
    );
    let mut q = sqlx::query_as(&sql).bind(kind);
    for (md, day) in days {
        q = q.bind(md).bind(date(*day));
    }
    let rows: Vec<RawBirthdayDue> = q.fetch_all(&mut *conn).await?;
    rows.into_iter().map(RawBirthdayDue::into_due).collect()
}

/// What a client travelled to before: countries and hotels of their bookings, for picking offers.
pub async fn past_destinations(conn: &mut Conn, client_id: i64) -> sqlx::Result<(Vec<String>, Vec<HotelId>)> {
    let countries: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT t.country FROM bookings b JOIN tours t ON t.id = b.tour_id WHERE b.client_id = $1",
    )
    .bind(client_id)
    .fetch_all(&mut *conn)
    .await?;
    let hotels: Vec<i64> = sqlx::query_scalar(
        "SELECT DISTINCT r.hotel_id FROM bookings b JOIN booking_rooms r ON r.booking_id = b.id WHERE b.client_id = $1",
    )
    .bind(client_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok((countries, hotels.into_iter().map(HotelId).collect()))
}

// ---- broadcasts ----

#[derive(Debug, Clone, serde::Serialize)]
pub struct BroadcastRow {
    pub id: BroadcastId,
    pub kind: String,
    pub title: String,
    pub template: String,
    pub tour_id: Option<i64>,
    pub audience: String,
    pub status: String,
    pub send_at: DateTime<Utc>,
    pub recipients: Option<i64>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(FromRow)]
struct RawBroadcast {
    id: i64,
    kind: String,
    title: String,
    template: String,
    tour_id: Option<i64>,
    audience: String,
    status: String,
    send_at: String,
    recipients: Option<i64>,
    created_by: String,
    created_at: String,
    updated_at: String,
}

impl RawBroadcast {
    fn into_row(self) -> sqlx::Result<BroadcastRow> {
        Ok(BroadcastRow {
            id: BroadcastId(self.id),
            kind: self.kind,
            title: self.title,
            template: self.template,
            tour_id: self.tour_id,
            audience: self.audience,
            status: self.status,
            send_at: parse_ts(&self.send_at)?,
            recipients: self.recipients,
            created_by: self.created_by,
            created_at: parse_ts(&self.created_at)?,
            updated_at: parse_ts_opt(Some(self.updated_at))?.unwrap_or_default(),
        })
    }
}

const BROADCAST: &str =
    "id, kind, title, template, tour_id, audience, status, send_at, recipients, created_by, created_at, updated_at";

pub struct NewBroadcast<'a> {
    pub kind: &'a str,
    pub title: &'a str,
    pub template: &'a str,
    pub tour_id: Option<i64>,
    pub audience: &'a str,
    pub send_at: DateTime<Utc>,
    pub created_by: &'a str,
}

pub async fn insert_broadcast(conn: &mut Conn, b: &NewBroadcast<'_>, now: DateTime<Utc>) -> sqlx::Result<BroadcastId> {
    sqlx::query_scalar(
        "INSERT INTO broadcasts (kind, title, template, tour_id, audience, status, send_at, created_by, created_at, \
         updated_at) VALUES ($1, $2, $3, $4, $5, 'scheduled', $6, $7, $8, $8) RETURNING id",
    )
    .bind(b.kind)
    .bind(b.title)
    .bind(b.template)
    .bind(b.tour_id)
    .bind(b.audience)
    .bind(ts(b.send_at))
    .bind(b.created_by)
    .bind(ts(now))
    .fetch_one(&mut *conn)
    .await
    .map(BroadcastId)
}

pub async fn broadcast(conn: &mut Conn, id: BroadcastId) -> sqlx::Result<Option<BroadcastRow>> {
    let raw: Option<RawBroadcast> = sqlx::query_as(&format!("SELECT {BROADCAST} FROM broadcasts WHERE id = $1"))
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?;
    raw.map(RawBroadcast::into_row).transpose()
}

pub async fn broadcasts(conn: &mut Conn, limit: i64) -> sqlx::Result<Vec<BroadcastRow>> {
    let raw: Vec<RawBroadcast> =
        sqlx::query_as(&format!("SELECT {BROADCAST} FROM broadcasts ORDER BY id DESC LIMIT {}", limit.clamp(1, 500)))
            .fetch_all(&mut *conn)
            .await?;
    raw.into_iter().map(RawBroadcast::into_row).collect()
}

/// Scheduled broadcasts whose time has come.
pub async fn due_broadcasts(conn: &mut Conn, now: DateTime<Utc>) -> sqlx::Result<Vec<BroadcastRow>> {
    let raw: Vec<RawBroadcast> = sqlx::query_as(&format!(
        "SELECT {BROADCAST} FROM broadcasts WHERE status = 'scheduled' AND send_at <= $1 ORDER BY id"
    ))
    .bind(ts(now))
    .fetch_all(&mut *conn)
    .await?;
    raw.into_iter().map(RawBroadcast::into_row).collect()
}

/// Sending broadcasts with nothing left to send.
pub async fn finished_broadcasts(conn: &mut Conn) -> sqlx::Result<Vec<BroadcastId>> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT b.id FROM broadcasts b WHERE b.status = 'sending' AND NOT EXISTS (SELECT 1 FROM outbox o \
         WHERE o.broadcast_id = b.id AND o.status IN ('pending', 'held', 'sending'))",
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(ids.into_iter().map(BroadcastId).collect())
}

/// Moves a broadcast between states if it is in one of `from`; `true` when moved.
pub async fn set_broadcast_status(
    conn: &mut Conn,
    id: BroadcastId,
    from: &[&str],
    to: &str,
    recipients: Option<i64>,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let marks: Vec<String> = (0..from.len()).map(|i| format!("${}", i + 5)).collect();
    let sql = format!(
        "UPDATE broadcasts SET status = $1, recipients = COALESCE($2, recipients), updated_at = $3 \
         WHERE id = $4 AND status IN ({})",
        marks.join(", ")
    );
    let mut q = sqlx::query(&sql).bind(to).bind(recipients).bind(ts(now)).bind(id.0);
    for f in from {
        q = q.bind(*f);
    }
    Ok(q.execute(&mut *conn).await?.rows_affected() == 1)
}

/// Who a broadcast may reach: tags (any of, by key), a departure city, countries travelled to
/// before (any of). Blacklisted clients, clients without marketing consent and clients the bot
/// cannot reach are never in it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AudienceFilter {
    #[serde(default)]
    pub tag_keys: Vec<String>,
    #[serde(default)]
    pub city: Option<String>,
    #[serde(default)]
    pub countries: Vec<String>,
}

fn audience_sql(a: &AudienceFilter, select: &str) -> (String, Vec<String>) {
    let mut args: Vec<String> = Vec::new();
    let mut conds = vec![REACHABLE.to_owned(), "c.marketing_consent = 1".to_owned()];
    let marks = |values: &[String], args: &mut Vec<String>| {
        let start = args.len();
        args.extend(values.iter().cloned());
        (start + 1..=args.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
    };
    if let Some(city) = &a.city {
        let m = marks(std::slice::from_ref(city), &mut args);
        conds.push(format!("c.city = {m}"));
    }
    if !a.tag_keys.is_empty() {
        let m = marks(&a.tag_keys, &mut args);
        conds.push(format!(
            "EXISTS (SELECT 1 FROM client_tags ct JOIN tags g ON g.id = ct.tag_id \
             WHERE ct.client_id = c.id AND g.name_key IN ({m}))"
        ));
    }
    if !a.countries.is_empty() {
        let m = marks(&a.countries, &mut args);
        conds.push(format!(
            "EXISTS (SELECT 1 FROM bookings b JOIN tours t ON t.id = b.tour_id \
             WHERE b.client_id = c.id AND t.country IN ({m}))"
        ));
    }
    (
        format!("SELECT {select} FROM clients c LEFT JOIN staff s ON s.id = c.agent_id WHERE {}", conds.join(" AND ")),
        args,
    )
}

pub async fn audience_count(conn: &mut Conn, a: &AudienceFilter) -> sqlx::Result<i64> {
    let (sql, args) = audience_sql(a, "COUNT(*)");
    let mut q = sqlx::query_scalar(&sql);
    for v in &args {
        q = q.bind(v);
    }
    q.fetch_one(&mut *conn).await
}

/// A page of the audience by client id (ascending), for expanding a broadcast in chunks.
pub async fn audience_page(
    conn: &mut Conn,
    a: &AudienceFilter,
    after_id: i64,
    limit: i64,
) -> sqlx::Result<Vec<Person>> {
    let (sql, args) = audience_sql(a, PERSON);
    let n = args.len();
    let sql = format!("{sql} AND c.id > ${} ORDER BY c.id LIMIT {}", n + 1, limit.clamp(1, 5000));
    let mut q = sqlx::query_as(&sql);
    for v in &args {
        q = q.bind(v);
    }
    q.bind(after_id).fetch_all(&mut *conn).await
}

/// Countries of all tours, for the audience form.
pub async fn tour_countries(conn: &mut Conn) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar("SELECT DISTINCT country FROM tours ORDER BY country").fetch_all(&mut *conn).await
}
