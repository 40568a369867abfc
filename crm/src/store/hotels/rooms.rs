//! Hotel rooms (a type of room with its capacity and meal plan) and their seasonal prices.
//! A season is a date range with a price per night; seasons of one room never overlap, so a
//! night has at most one price (the service checks under [`lock_room`]).

use super::super::Conn;
use super::super::flag;
use super::super::time::{date, parse_date};
use super::bad;
use crate::domain::{Currency, HotelId, MealPlan, Money, RoomId};
use chrono::NaiveDate;
use sqlx::FromRow;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Room {
    pub id: RoomId,
    pub hotel_id: HotelId,
    pub room_type: String,
    pub capacity: i64,
    pub meal_plan: MealPlan,
    pub description: String,
    pub archived: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Season {
    pub id: i64,
    pub room_id: RoomId,
    pub starts_on: NaiveDate,
    /// Inclusive: the last night priced by this season starts on this date.
    pub ends_on: NaiveDate,
    pub price_per_night: Money,
}

#[derive(FromRow)]
struct RoomRow {
    id: i64,
    hotel_id: i64,
    room_type: String,
    capacity: i64,
    meal_plan: String,
    description: String,
    archived: i64,
}

impl RoomRow {
    fn into_room(self) -> sqlx::Result<Room> {
        Ok(Room {
            id: RoomId(self.id),
            hotel_id: HotelId(self.hotel_id),
            room_type: self.room_type,
            capacity: self.capacity,
            meal_plan: MealPlan::parse(&self.meal_plan).map_err(|_| bad("meal_plan"))?,
            description: self.description,
            archived: self.archived != 0,
        })
    }
}

const ROOM_COLUMNS: &str = "id, hotel_id, room_type, capacity, meal_plan, description, archived";

/// The editable fields of a room, already checked by the service.
pub struct RoomFields<'a> {
    pub room_type: &'a str,
    pub capacity: i64,
    pub meal_plan: MealPlan,
    pub description: &'a str,
}

pub async fn room(conn: &mut Conn, room_id: RoomId) -> sqlx::Result<Option<Room>> {
    let row: Option<RoomRow> = sqlx::query_as(&format!("SELECT {ROOM_COLUMNS} FROM hotel_rooms WHERE id = $1"))
        .bind(room_id.0)
        .fetch_optional(conn)
        .await?;
    row.map(RoomRow::into_room).transpose()
}

/// A hotel's rooms in the order they were entered (archived ones too: the caller filters).
pub async fn rooms(conn: &mut Conn, hotel_id: HotelId) -> sqlx::Result<Vec<Room>> {
    let rows: Vec<RoomRow> =
        sqlx::query_as(&format!("SELECT {ROOM_COLUMNS} FROM hotel_rooms WHERE hotel_id = $1 ORDER BY id"))
            .bind(hotel_id.0)
            .fetch_all(conn)
            .await?;
    rows.into_iter().map(RoomRow::into_room).collect()
}

/// Every room on offer (neither it nor its hotel archived), by hotel: what a tour may link.
pub async fn active_rooms(conn: &mut Conn) -> sqlx::Result<Vec<Room>> {
    let rows: Vec<RoomRow> = sqlx::query_as(
        "SELECT r.id, r.hotel_id, r.room_type, r.capacity, r.meal_plan, r.description, r.archived
         FROM hotel_rooms r JOIN hotels h ON h.id = r.hotel_id
         WHERE r.archived = 0 AND h.archived = 0 ORDER BY r.hotel_id, r.id",
    )
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(RoomRow::into_room).collect()
}

pub async fn insert_room(conn: &mut Conn, hotel_id: HotelId, r: &RoomFields<'_>) -> sqlx::Result<RoomId> {
    sqlx::query_scalar(
        "INSERT INTO hotel_rooms (hotel_id, room_type, capacity, meal_plan, description) VALUES ($1, $2, $3, $4, $5)
         RETURNING id",
    )
    .bind(hotel_id.0)
    .bind(r.room_type)
    .bind(r.capacity)
    .bind(r.meal_plan.as_str())
    .bind(r.description)
    .fetch_one(conn)
    .await
    .map(RoomId)
}

pub async fn update_room(conn: &mut Conn, room_id: RoomId, r: &RoomFields<'_>) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE hotel_rooms SET room_type = $1, capacity = $2, meal_plan = $3, description = $4 WHERE id = $5",
    )
    .bind(r.room_type)
    .bind(r.capacity)
    .bind(r.meal_plan.as_str())
    .bind(r.description)
    .bind(room_id.0)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Archives or restores; false when the room already was so (or does not exist). Rooms are
/// never deleted: bookings and tours point at them.
pub async fn set_room_archived(conn: &mut Conn, room_id: RoomId, archived: bool) -> sqlx::Result<bool> {
    let done = sqlx::query("UPDATE hotel_rooms SET archived = $1 WHERE id = $2 AND archived <> $1")
        .bind(flag(archived))
        .bind(room_id.0)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Takes the room's row lock for the rest of the transaction (a no-op update: portable, where
/// `SELECT … FOR UPDATE` is not), so two concurrent season checks cannot both pass on
/// PostgreSQL. SQLite write transactions are already serialised by `BEGIN IMMEDIATE`.
pub async fn lock_room(conn: &mut Conn, room_id: RoomId) -> sqlx::Result<bool> {
    let done =
        sqlx::query("UPDATE hotel_rooms SET archived = archived WHERE id = $1").bind(room_id.0).execute(conn).await?;
    Ok(done.rows_affected() == 1)
}

#[derive(FromRow)]
struct SeasonRow {
    id: i64,
    room_id: i64,
    starts_on: String,
    ends_on: String,
    price_per_night: i64,
    currency: String,
}

impl SeasonRow {
    fn into_season(self) -> sqlx::Result<Season> {
        Ok(Season {
            id: self.id,
            room_id: RoomId(self.room_id),
            starts_on: parse_date(&self.starts_on)?,
            ends_on: parse_date(&self.ends_on)?,
            price_per_night: Money::new(
                self.price_per_night,
                Currency::parse(&self.currency).map_err(|_| bad("currency"))?,
            ),
        })
    }
}

const SEASON_COLUMNS: &str = "id, room_id, starts_on, ends_on, price_per_night, currency";

/// A season of the room sharing a night with `from..=until`, if any. ISO dates compare as text.
pub async fn overlapping_season(
    conn: &mut Conn,
    room_id: RoomId,
    from: NaiveDate,
    until: NaiveDate,
) -> sqlx::Result<Option<Season>> {
    let row: Option<SeasonRow> = sqlx::query_as(&format!(
        "SELECT {SEASON_COLUMNS} FROM room_seasons WHERE room_id = $1 AND starts_on <= $2 AND ends_on >= $3
         ORDER BY starts_on, id LIMIT 1"
    ))
    .bind(room_id.0)
    .bind(date(until))
    .bind(date(from))
    .fetch_optional(conn)
    .await?;
    row.map(SeasonRow::into_season).transpose()
}

pub async fn insert_season(
    conn: &mut Conn,
    room_id: RoomId,
    from: NaiveDate,
    until: NaiveDate,
    price: Money,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO room_seasons (room_id, starts_on, ends_on, price_per_night, currency) VALUES ($1, $2, $3, $4, $5)
         RETURNING id",
    )
    .bind(room_id.0)
    .bind(date(from))
    .bind(date(until))
    .bind(price.minor)
    .bind(price.currency.code())
    .fetch_one(conn)
    .await
}

/// Deletes a season of the room; `None` when the room has no such season.
pub async fn delete_season(conn: &mut Conn, room_id: RoomId, season_id: i64) -> sqlx::Result<Option<Season>> {
    let row: Option<SeasonRow> =
        sqlx::query_as(&format!("DELETE FROM room_seasons WHERE id = $1 AND room_id = $2 RETURNING {SEASON_COLUMNS}"))
            .bind(season_id)
            .bind(room_id.0)
            .fetch_optional(conn)
            .await?;
    row.map(SeasonRow::into_season).transpose()
}

/// A room's seasons in date order.
pub async fn seasons(conn: &mut Conn, room_id: RoomId) -> sqlx::Result<Vec<Season>> {
    let rows: Vec<SeasonRow> =
        sqlx::query_as(&format!("SELECT {SEASON_COLUMNS} FROM room_seasons WHERE room_id = $1 ORDER BY starts_on, id"))
            .bind(room_id.0)
            .fetch_all(conn)
            .await?;
    rows.into_iter().map(SeasonRow::into_season).collect()
}

/// The price of the night starting on `on`: the season covering that date
/// (`starts_on <= on <= ends_on`), or `None` when no season covers it.
pub async fn price_per_night(conn: &mut Conn, room_id: RoomId, on: NaiveDate) -> sqlx::Result<Option<Money>> {
    // Seasons do not overlap; the ordering only makes the answer deterministic if old data does.
    let row: Option<SeasonRow> = sqlx::query_as(&format!(
        "SELECT {SEASON_COLUMNS} FROM room_seasons WHERE room_id = $1 AND starts_on <= $2 AND ends_on >= $2
         ORDER BY starts_on DESC, id DESC LIMIT 1"
    ))
    .bind(room_id.0)
    .bind(date(on))
    .fetch_optional(conn)
    .await?;
    Ok(row.map(SeasonRow::into_season).transpose()?.map(|s| s.price_per_night))
}
