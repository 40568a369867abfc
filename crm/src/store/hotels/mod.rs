//! Partner hotels: the hotel record, its managers (contacts at the hotel), and — in the
//! submodules — rooms with seasonal prices, cancellation terms and versioned agreements.
//! Plain SQL, no rules: who may change what and which values are valid is `services::hotels`.

mod agreements;
mod rooms;

pub use agreements::{
    Agreement, NewAgreement, agreement_in_force, agreements, cancellation_terms, insert_agreement,
    set_cancellation_terms,
};
pub use rooms::{
    Room, RoomFields, Season, active_rooms, delete_season, insert_room, insert_season, lock_room, overlapping_season,
    price_per_night, room, rooms, seasons, set_room_archived, update_room,
};

use super::time::{parse_ts, ts};
use super::{Conn, flag};
use crate::domain::{HotelId, PersonName, Stars};
use chrono::{DateTime, Utc};
use sqlx::FromRow;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Hotel {
    pub id: HotelId,
    pub name: String,
    pub country: String,
    pub city: String,
    pub address: String,
    pub stars: Option<Stars>,
    pub description: String,
    pub free_cancellation_days: i64,
    pub archived: bool,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

/// A contact person at a hotel: reservations, sales, the general manager.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Manager {
    pub id: i64,
    pub hotel_id: HotelId,
    pub name: String,
    pub position: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub telegram: Option<String>,
    pub active: bool,
}

pub(crate) fn bad(what: &str) -> sqlx::Error {
    sqlx::Error::Decode(format!("hotels: bad {what}").into())
}

#[derive(FromRow)]
struct HotelRow {
    id: i64,
    name: String,
    country: String,
    city: String,
    address: String,
    stars: Option<i64>,
    description: String,
    free_cancellation_days: i64,
    archived: i64,
    created_by: String,
    created_at: String,
}

const HOTEL_COLUMNS: &str =
    "id, name, country, city, address, stars, description, free_cancellation_days, archived, created_by, created_at";

impl HotelRow {
    fn into_hotel(self) -> sqlx::Result<Hotel> {
        Ok(Hotel {
            id: HotelId(self.id),
            name: self.name,
            country: self.country,
            city: self.city,
            address: self.address,
            stars: self.stars.map(Stars::new).transpose().map_err(|_| bad("stars"))?,
            description: self.description,
            free_cancellation_days: self.free_cancellation_days,
            archived: self.archived != 0,
            created_by: self.created_by,
            created_at: parse_ts(&self.created_at)?,
        })
    }
}

/// The editable fields of a hotel, already checked by the service.
pub struct HotelFields<'a> {
    pub name: &'a str,
    pub country: &'a str,
    pub city: &'a str,
    pub address: &'a str,
    pub stars: Option<Stars>,
    pub description: &'a str,
}

pub async fn get(conn: &mut Conn, id: HotelId) -> sqlx::Result<Option<Hotel>> {
    let row: Option<HotelRow> = sqlx::query_as(&format!("SELECT {HOTEL_COLUMNS} FROM hotels WHERE id = $1"))
        .bind(id.0)
        .fetch_optional(conn)
        .await?;
    row.map(HotelRow::into_hotel).transpose()
}

pub async fn insert(
    conn: &mut Conn,
    h: &HotelFields<'_>,
    created_by: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<HotelId> {
    sqlx::query_scalar(
        "INSERT INTO hotels (name, country, city, address, stars, description, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(h.name)
    .bind(h.country)
    .bind(h.city)
    .bind(h.address)
    .bind(h.stars.map(Stars::get))
    .bind(h.description)
    .bind(created_by)
    .bind(ts(now))
    .fetch_one(conn)
    .await
    .map(HotelId)
}

/// Rewrites the editable fields; false when there is no such hotel.
pub async fn update(conn: &mut Conn, id: HotelId, h: &HotelFields<'_>) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE hotels SET name = $1, country = $2, city = $3, address = $4, stars = $5, description = $6 WHERE id = $7",
    )
    .bind(h.name)
    .bind(h.country)
    .bind(h.city)
    .bind(h.address)
    .bind(h.stars.map(Stars::get))
    .bind(h.description)
    .bind(id.0)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Archives or restores; false when the hotel already was so (or does not exist).
pub async fn set_archived(conn: &mut Conn, id: HotelId, archived: bool) -> sqlx::Result<bool> {
    let done = sqlx::query("UPDATE hotels SET archived = $1 WHERE id = $2 AND archived <> $1")
        .bind(flag(archived))
        .bind(id.0)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

#[derive(Debug, Clone, Default)]
pub struct HotelFilter {
    /// Exact country, any case.
    pub country: Option<String>,
    /// Exact city, any case.
    pub city: Option<String>,
    /// Part of the name, country, city or address, any case (`ё` = `е`).
    pub text: Option<String>,
    pub include_archived: bool,
    /// At most this many (1–500; 0 means 100).
    pub limit: i64,
}

/// Hotels by name. The filter runs in Rust after the archived flag is applied in SQL: SQLite's
/// `LIKE`/`lower()` fold only ASCII, so Cyrillic names would match on one backend and not the
/// other; an agency has hundreds of partner hotels, not millions.
pub async fn list(conn: &mut Conn, f: &HotelFilter) -> sqlx::Result<Vec<Hotel>> {
    let rows: Vec<HotelRow> =
        sqlx::query_as(&format!("SELECT {HOTEL_COLUMNS} FROM hotels WHERE ($1 = 1 OR archived = 0) ORDER BY name, id"))
            .bind(flag(f.include_archived))
            .fetch_all(conn)
            .await?;
    let fold = |s: &str| PersonName::search_key_of(s);
    let country = f.country.as_deref().map(fold).filter(|s| !s.is_empty());
    let city = f.city.as_deref().map(fold).filter(|s| !s.is_empty());
    let text = f.text.as_deref().map(fold).filter(|s| !s.is_empty());
    let limit = usize::try_from(if f.limit <= 0 { 100 } else { f.limit.min(500) }).unwrap_or(100);
    let mut out = Vec::new();
    for row in rows {
        let h = row.into_hotel()?;
        let matches = country.as_ref().is_none_or(|c| fold(&h.country) == *c)
            && city.as_ref().is_none_or(|c| fold(&h.city) == *c)
            && text
                .as_ref()
                .is_none_or(|t| fold(&format!("{} {} {} {}", h.name, h.country, h.city, h.address)).contains(t));
        if matches {
            out.push(h);
            if out.len() == limit {
                break;
            }
        }
    }
    Ok(out)
}

#[derive(FromRow)]
struct ManagerRow {
    id: i64,
    hotel_id: i64,
    name: String,
    position: String,
    phone: Option<String>,
    email: Option<String>,
    telegram: Option<String>,
    active: i64,
}

impl From<ManagerRow> for Manager {
    fn from(r: ManagerRow) -> Manager {
        Manager {
            id: r.id,
            hotel_id: HotelId(r.hotel_id),
            name: r.name,
            position: r.position,
            phone: r.phone,
            email: r.email,
            telegram: r.telegram,
            active: r.active != 0,
        }
    }
}

const MANAGER_COLUMNS: &str = "id, hotel_id, name, position, phone, email, telegram, active";

/// The editable fields of a manager, already checked by the service.
pub struct ManagerFields<'a> {
    pub name: &'a str,
    pub position: &'a str,
    pub phone: Option<&'a str>,
    pub email: Option<&'a str>,
    pub telegram: Option<&'a str>,
}

pub async fn insert_manager(conn: &mut Conn, hotel_id: HotelId, m: &ManagerFields<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO hotel_managers (hotel_id, name, position, phone, email, telegram) VALUES ($1, $2, $3, $4, $5, $6)
         RETURNING id",
    )
    .bind(hotel_id.0)
    .bind(m.name)
    .bind(m.position)
    .bind(m.phone)
    .bind(m.email)
    .bind(m.telegram)
    .fetch_one(conn)
    .await
}

pub async fn update_manager(conn: &mut Conn, id: i64, m: &ManagerFields<'_>) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE hotel_managers SET name = $1, position = $2, phone = $3, email = $4, telegram = $5 WHERE id = $6",
    )
    .bind(m.name)
    .bind(m.position)
    .bind(m.phone)
    .bind(m.email)
    .bind(m.telegram)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Deactivates or reactivates; false when the manager already was so (or does not exist).
/// Managers are never deleted: the correspondence may name them.
pub async fn set_manager_active(conn: &mut Conn, id: i64, active: bool) -> sqlx::Result<bool> {
    let done = sqlx::query("UPDATE hotel_managers SET active = $1 WHERE id = $2 AND active <> $1")
        .bind(flag(active))
        .bind(id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn manager(conn: &mut Conn, id: i64) -> sqlx::Result<Option<Manager>> {
    let row: Option<ManagerRow> =
        sqlx::query_as(&format!("SELECT {MANAGER_COLUMNS} FROM hotel_managers WHERE id = $1"))
            .bind(id)
            .fetch_optional(conn)
            .await?;
    Ok(row.map(Manager::from))
}

/// A hotel's managers, active ones first.
pub async fn managers(conn: &mut Conn, hotel_id: HotelId) -> sqlx::Result<Vec<Manager>> {
    let rows: Vec<ManagerRow> = sqlx::query_as(&format!(
        "SELECT {MANAGER_COLUMNS} FROM hotel_managers WHERE hotel_id = $1 ORDER BY active DESC, name, id"
    ))
    .bind(hotel_id.0)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(Manager::from).collect())
}
