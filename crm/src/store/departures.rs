//! Departures of a tour (dates and capacity) and their seats. Seats change only together
//! with a booking, in one transaction, through [`take_seats`] / [`release_seats`].

use super::Conn;
use super::time::{date, parse_date};
use crate::domain::{DepartureId, TourId};
use chrono::{NaiveDate, NaiveTime};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Departure {
    pub id: DepartureId,
    pub tour_id: TourId,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub capacity: i64,
    pub seats_booked: i64,
    /// When the group leaves or meets (local time of the place), for the departure reminder.
    pub departure_time: Option<NaiveTime>,
    pub meeting_point: String,
}

impl Departure {
    pub fn seats_left(&self) -> i64 {
        (self.capacity - self.seats_booked).max(0)
    }
}

type DepartureRow = (i64, i64, String, String, i64, i64, Option<String>, String);

const COLUMNS: &str = "id, tour_id, starts_on, ends_on, capacity, seats_booked, departure_time, meeting_point";

fn departure(r: DepartureRow) -> sqlx::Result<Departure> {
    Ok(Departure {
        id: DepartureId(r.0),
        tour_id: TourId(r.1),
        starts_on: parse_date(&r.2)?,
        ends_on: parse_date(&r.3)?,
        capacity: r.4,
        seats_booked: r.5,
        departure_time: r.6.and_then(|t| NaiveTime::parse_from_str(&t, "%H:%M").ok()),
        meeting_point: r.7,
    })
}

pub async fn add_departure(
    conn: &mut Conn,
    tour: TourId,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    capacity: i64,
) -> sqlx::Result<DepartureId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO tour_departures (tour_id, starts_on, ends_on, capacity) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(tour.0)
    .bind(date(starts_on))
    .bind(date(ends_on))
    .bind(capacity)
    .fetch_one(conn)
    .await?;
    Ok(DepartureId(id))
}

pub async fn departures(conn: &mut Conn, tour: TourId) -> sqlx::Result<Vec<Departure>> {
    let rows: Vec<DepartureRow> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM tour_departures WHERE tour_id = $1 ORDER BY starts_on, id"))
            .bind(tour.0)
            .fetch_all(conn)
            .await?;
    rows.into_iter().map(departure).collect()
}

/// The departures of these tours that start on `from` or later, by tour and date.
pub async fn upcoming(conn: &mut Conn, tours: &[TourId], from: NaiveDate) -> sqlx::Result<Vec<Departure>> {
    if tours.is_empty() {
        return Ok(Vec::new());
    }
    // One placeholder per tour: the Any driver binds no arrays. A page holds at most a few
    // dozen tours.
    let list = (2..tours.len() + 2).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
    let sql = format!(
        "SELECT {COLUMNS} FROM tour_departures WHERE starts_on >= $1 AND tour_id IN ({list}) ORDER BY tour_id, starts_on, id"
    );
    let mut query = sqlx::query_as::<_, DepartureRow>(&sql).bind(date(from));
    for tour in tours {
        query = query.bind(tour.0);
    }
    query.fetch_all(conn).await?.into_iter().map(departure).collect()
}

pub async fn get_departure(conn: &mut Conn, id: DepartureId) -> sqlx::Result<Option<Departure>> {
    let row: Option<DepartureRow> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM tour_departures WHERE id = $1"))
        .bind(id.0)
        .fetch_optional(conn)
        .await?;
    row.map(departure).transpose()
}

/// Sets when and where the group meets.
pub async fn set_details(
    conn: &mut Conn,
    id: DepartureId,
    time: Option<NaiveTime>,
    meeting_point: &str,
) -> sqlx::Result<bool> {
    let done = sqlx::query("UPDATE tour_departures SET departure_time = $1, meeting_point = $2 WHERE id = $3")
        .bind(time.map(|t| t.format("%H:%M").to_string()))
        .bind(meeting_point)
        .bind(id.0)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Changes capacity, never below the seats already booked. Returns false when refused.
pub async fn set_capacity(conn: &mut Conn, id: DepartureId, capacity: i64) -> sqlx::Result<bool> {
    let done = sqlx::query("UPDATE tour_departures SET capacity = $1 WHERE id = $2 AND seats_booked <= $1")
        .bind(capacity)
        .bind(id.0)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Removes a departure nobody booked. Returns false when it has bookings (even cancelled ones:
/// their history points to it).
pub async fn remove_departure(conn: &mut Conn, id: DepartureId) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "DELETE FROM tour_departures WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM bookings b WHERE b.departure_id = $1)",
    )
    .bind(id.0)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Takes `seats` seats if that many are left — one statement, so two concurrent bookings of
/// the last seat cannot both succeed on either backend.
pub async fn take_seats(conn: &mut Conn, id: DepartureId, seats: i64) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE tour_departures SET seats_booked = seats_booked + $1 WHERE id = $2 AND seats_booked + $1 <= capacity",
    )
    .bind(seats)
    .bind(id.0)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn release_seats(conn: &mut Conn, id: DepartureId, seats: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE tour_departures SET seats_booked = seats_booked - $1 WHERE id = $2 AND seats_booked >= $1")
        .bind(seats)
        .bind(id.0)
        .execute(conn)
        .await?;
    Ok(())
}
