//! Bookings with their travellers, rooms, payment schedule and status history.

use super::Conn;
use super::filter::Where;
use super::time::{date, parse_date, parse_ts, ts};
use crate::domain::{
    BookingId, BookingStatus, ClientId, Currency, DepartureId, HotelId, Money, RoomId, StaffId, TourId, TravellerId,
};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::FromRow;

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Booking {
    pub id: BookingId,
    pub client_id: ClientId,
    pub client_name: String,
    pub tour_id: TourId,
    pub tour_title: String,
    /// The operator of the tour: they read the bookings of their tours.
    pub tour_operator_id: StaffId,
    pub departure_id: DepartureId,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub agent_id: Option<StaffId>,
    pub status: BookingStatus,
    pub travellers_count: i64,
    pub tour_price_per_person: Money,
    pub rooms_total: Money,
    pub total: Money,
    pub commission_bp: i64,
    pub penalty: Option<Money>,
    pub refund_due: Option<Money>,
    pub notes: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(FromRow)]
struct Row {
    id: i64,
    client_id: i64,
    client_name: String,
    tour_id: i64,
    tour_title: String,
    tour_operator_id: i64,
    departure_id: i64,
    starts_on: String,
    ends_on: String,
    agent_id: Option<i64>,
    status: String,
    travellers_count: i64,
    tour_price_per_person: i64,
    rooms_total: i64,
    total: i64,
    currency: String,
    commission_bp: i64,
    penalty: Option<i64>,
    refund_due: Option<i64>,
    notes: String,
    created_by: String,
    created_at: String,
    updated_at: String,
}

const SELECT: &str = "SELECT b.id, b.client_id, c.full_name AS client_name, b.tour_id, t.title AS tour_title,
        t.operator_id AS tour_operator_id, b.departure_id, d.starts_on, d.ends_on, b.agent_id, b.status, b.travellers_count, b.tour_price_per_person,
        b.rooms_total, b.total, b.currency, b.commission_bp, b.penalty, b.refund_due, b.notes, b.created_by,
        b.created_at, b.updated_at
     FROM bookings b
     JOIN clients c ON c.id = b.client_id
     JOIN tours t ON t.id = b.tour_id
     JOIN tour_departures d ON d.id = b.departure_id";

fn bad(what: &str) -> sqlx::Error {
    sqlx::Error::Decode(format!("bookings: bad {what}").into())
}

impl Row {
    fn into_booking(self) -> sqlx::Result<Booking> {
        let cur = Currency::parse(&self.currency).map_err(|_| bad("currency"))?;
        Ok(Booking {
            id: BookingId(self.id),
            client_id: ClientId(self.client_id),
            client_name: self.client_name,
            tour_id: TourId(self.tour_id),
            tour_title: self.tour_title,
            tour_operator_id: StaffId(self.tour_operator_id),
            departure_id: DepartureId(self.departure_id),
            starts_on: parse_date(&self.starts_on)?,
            ends_on: parse_date(&self.ends_on)?,
            agent_id: self.agent_id.map(StaffId),
            status: BookingStatus::parse(&self.status).ok_or_else(|| bad("status"))?,
            travellers_count: self.travellers_count,
            tour_price_per_person: Money::new(self.tour_price_per_person, cur),
            rooms_total: Money::new(self.rooms_total, cur),
            total: Money::new(self.total, cur),
            commission_bp: self.commission_bp,
            penalty: self.penalty.map(|p| Money::new(p, cur)),
            refund_due: self.refund_due.map(|r| Money::new(r, cur)),
            notes: self.notes,
            created_by: self.created_by,
            created_at: parse_ts(&self.created_at)?,
            updated_at: parse_ts(&self.updated_at)?,
        })
    }
}

pub struct NewBookingRow<'a> {
    pub client_id: ClientId,
    pub tour_id: TourId,
    pub departure_id: DepartureId,
    pub agent_id: Option<StaffId>,
    pub travellers_count: i64,
    pub tour_price_per_person: i64,
    pub rooms_total: i64,
    pub total: i64,
    pub currency: Currency,
    pub commission_bp: i64,
    pub notes: &'a str,
    pub created_by: &'a str,
    pub now: DateTime<Utc>,
    pub request_key: Option<&'a str>,
}

pub async fn insert(conn: &mut Conn, b: &NewBookingRow<'_>) -> sqlx::Result<BookingId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO bookings (client_id, tour_id, departure_id, agent_id, status, travellers_count,
                               tour_price_per_person, rooms_total, total, currency, commission_bp, notes, created_by,
                               created_at, updated_at, request_key)
         VALUES ($1, $2, $3, $4, 'contract_pending', $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, $14) RETURNING id",
    )
    .bind(b.client_id.0)
    .bind(b.tour_id.0)
    .bind(b.departure_id.0)
    .bind(b.agent_id.map(|a| a.0))
    .bind(b.travellers_count)
    .bind(b.tour_price_per_person)
    .bind(b.rooms_total)
    .bind(b.total)
    .bind(b.currency.code())
    .bind(b.commission_bp)
    .bind(b.notes)
    .bind(b.created_by)
    .bind(ts(b.now))
    .bind(b.request_key)
    .fetch_one(conn)
    .await?;
    Ok(BookingId(id))
}

/// The booking made under a request key, with its client.
pub async fn by_request_key(conn: &mut Conn, key: &str) -> sqlx::Result<Option<(BookingId, ClientId)>> {
    let row: Option<(i64, i64)> = sqlx::query_as("SELECT id, client_id FROM bookings WHERE request_key = $1")
        .bind(key)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|(b, c)| (BookingId(b), ClientId(c))))
}

pub async fn get(conn: &mut Conn, id: BookingId) -> sqlx::Result<Option<Booking>> {
    let row: Option<Row> = sqlx::query_as(&format!("{SELECT} WHERE b.id = $1")).bind(id.0).fetch_optional(conn).await?;
    row.map(Row::into_booking).transpose()
}

#[derive(Debug, Default, Clone)]
pub struct BookingFilter {
    pub agent_id: Option<StaffId>,
    pub client_id: Option<ClientId>,
    pub tour_id: Option<TourId>,
    /// Bookings of the tours of this operator.
    pub operator_id: Option<StaffId>,
    pub status: Option<BookingStatus>,
    /// Departure date range, inclusive.
    pub starts_from: Option<NaiveDate>,
    pub starts_until: Option<NaiveDate>,
    pub before_id: Option<BookingId>,
    pub limit: i64,
}

pub async fn list(conn: &mut Conn, f: &BookingFilter) -> sqlx::Result<Vec<Booking>> {
    let mut w = Where::new();
    w.and_eq("b.agent_id", f.agent_id.map(|a| a.0))
        .and_eq("b.client_id", f.client_id.map(|c| c.0))
        .and_eq("b.tour_id", f.tour_id.map(|t| t.0))
        .and_eq("t.operator_id", f.operator_id.map(|o| o.0))
        .and_eq("b.status", f.status.map(BookingStatus::as_str))
        .and_some("d.starts_on >= ?", f.starts_from.map(date))
        .and_some("d.starts_on <= ?", f.starts_until.map(date))
        .and_some("b.id < ?", f.before_id.map(|b| b.0));
    let sql = format!("{SELECT} {} ORDER BY b.id DESC LIMIT {}", w.sql(), f.limit.clamp(1, 500));
    let rows: Vec<Row> = w.bind(sqlx::query_as(&sql)).fetch_all(conn).await?;
    rows.into_iter().map(Row::into_booking).collect()
}

/// Moves the status only if it is still `from` (so two concurrent moves cannot both apply),
/// and records the move in the history: the history row's id, or `None` when the status was
/// no longer `from`.
pub async fn move_status(
    conn: &mut Conn,
    id: BookingId,
    from: BookingStatus,
    to: BookingStatus,
    actor: &str,
    reason: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<i64>> {
    let done = sqlx::query("UPDATE bookings SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4")
        .bind(to.as_str())
        .bind(ts(now))
        .bind(id.0)
        .bind(from.as_str())
        .execute(&mut *conn)
        .await?;
    if done.rows_affected() == 0 {
        return Ok(None);
    }
    record_status(conn, id, Some(from), to, actor, reason, now).await.map(Some)
}

pub async fn record_status(
    conn: &mut Conn,
    id: BookingId,
    from: Option<BookingStatus>,
    to: BookingStatus,
    actor: &str,
    reason: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO booking_status_history (booking_id, from_status, to_status, actor, reason, at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(id.0)
    .bind(from.map(BookingStatus::as_str))
    .bind(to.as_str())
    .bind(actor)
    .bind(reason)
    .bind(ts(now))
    .fetch_one(conn)
    .await
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StatusChange {
    pub from: Option<BookingStatus>,
    pub to: BookingStatus,
    pub actor: String,
    pub reason: String,
    pub at: DateTime<Utc>,
}

pub async fn status_history(conn: &mut Conn, id: BookingId) -> sqlx::Result<Vec<StatusChange>> {
    let rows: Vec<(Option<String>, String, String, String, String)> = sqlx::query_as(
        "SELECT from_status, to_status, actor, reason, at FROM booking_status_history WHERE booking_id = $1 ORDER BY id",
    )
    .bind(id.0)
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|(from, to, actor, reason, at)| {
            Ok(StatusChange {
                from: from.as_deref().map(|f| BookingStatus::parse(f).ok_or_else(|| bad("from_status"))).transpose()?,
                to: BookingStatus::parse(&to).ok_or_else(|| bad("to_status"))?,
                actor,
                reason,
                at: parse_ts(&at)?,
            })
        })
        .collect()
}

pub async fn set_cancellation_figures(
    conn: &mut Conn,
    id: BookingId,
    penalty: i64,
    refund_due: i64,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE bookings SET penalty = $1, refund_due = $2 WHERE id = $3")
        .bind(penalty)
        .bind(refund_due)
        .bind(id.0)
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Traveller {
    pub id: TravellerId,
    pub client_id: Option<ClientId>,
    pub full_name: String,
    pub birth_date: NaiveDate,
}

pub async fn add_traveller(
    conn: &mut Conn,
    booking: BookingId,
    client: Option<ClientId>,
    full_name: &str,
    birth_date: NaiveDate,
) -> sqlx::Result<TravellerId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO booking_travellers (booking_id, client_id, full_name, birth_date, position)
         VALUES ($1, $2, $3, $4, (SELECT COALESCE(MAX(position) + 1, 0) FROM booking_travellers WHERE booking_id = $1)) RETURNING id",
    )
    .bind(booking.0)
    .bind(client.map(|c| c.0))
    .bind(full_name)
    .bind(date(birth_date))
    .fetch_one(conn)
    .await?;
    Ok(TravellerId(id))
}

pub async fn travellers(conn: &mut Conn, booking: BookingId) -> sqlx::Result<Vec<Traveller>> {
    let rows: Vec<(i64, Option<i64>, String, String)> = sqlx::query_as(
        "SELECT id, client_id, full_name, birth_date FROM booking_travellers WHERE booking_id = $1 ORDER BY position, id",
    )
    .bind(booking.0)
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|(id, c, full_name, b)| {
            Ok(Traveller { id: TravellerId(id), client_id: c.map(ClientId), full_name, birth_date: parse_date(&b)? })
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BookedRoom {
    pub hotel_id: HotelId,
    pub hotel_name: String,
    pub room_id: RoomId,
    pub room_type: String,
    pub check_in: NaiveDate,
    pub nights: i64,
    pub rooms: i64,
    pub price_per_night: Money,
    pub total: Money,
}

pub async fn add_room(conn: &mut Conn, booking: BookingId, r: &BookedRoom) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO booking_rooms (booking_id, hotel_id, room_id, check_in, nights, rooms, price_per_night, currency, total)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(booking.0)
    .bind(r.hotel_id.0)
    .bind(r.room_id.0)
    .bind(date(r.check_in))
    .bind(r.nights)
    .bind(r.rooms)
    .bind(r.price_per_night.minor)
    .bind(r.price_per_night.currency.code())
    .bind(r.total.minor)
    .execute(conn)
    .await?;
    Ok(())
}

type RoomRow = (i64, String, i64, String, String, i64, i64, i64, String, i64);

pub async fn rooms(conn: &mut Conn, booking: BookingId) -> sqlx::Result<Vec<BookedRoom>> {
    let rows: Vec<RoomRow> = sqlx::query_as(
        "SELECT br.hotel_id, h.name, br.room_id, r.room_type, br.check_in, br.nights, br.rooms, br.price_per_night,
                br.currency, br.total
         FROM booking_rooms br JOIN hotels h ON h.id = br.hotel_id JOIN hotel_rooms r ON r.id = br.room_id
         WHERE br.booking_id = $1 ORDER BY br.check_in, br.id",
    )
    .bind(booking.0)
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|(hotel_id, hotel_name, room_id, room_type, check_in, nights, rooms, price, cur, total)| {
            let cur = Currency::parse(&cur).map_err(|_| bad("room currency"))?;
            Ok(BookedRoom {
                hotel_id: HotelId(hotel_id),
                hotel_name,
                room_id: RoomId(room_id),
                room_type,
                check_in: parse_date(&check_in)?,
                nights,
                rooms,
                price_per_night: Money::new(price, cur),
                total: Money::new(total, cur),
            })
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Installment {
    pub kind: String,
    pub amount: Money,
    pub due_on: NaiveDate,
}

pub async fn add_installment(conn: &mut Conn, booking: BookingId, i: &Installment) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO booking_payment_schedule (booking_id, kind, amount, currency, due_on) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(booking.0)
    .bind(&i.kind)
    .bind(i.amount.minor)
    .bind(i.amount.currency.code())
    .bind(date(i.due_on))
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn schedule(conn: &mut Conn, booking: BookingId) -> sqlx::Result<Vec<Installment>> {
    let rows: Vec<(String, i64, String, String)> = sqlx::query_as(
        "SELECT kind, amount, currency, due_on FROM booking_payment_schedule WHERE booking_id = $1 ORDER BY due_on, id",
    )
    .bind(booking.0)
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|(kind, amount, cur, due)| {
            let cur = Currency::parse(&cur).map_err(|_| bad("schedule currency"))?;
            Ok(Installment { kind, amount: Money::new(amount, cur), due_on: parse_date(&due)? })
        })
        .collect()
}

/// The active agent with the fewest active bookings, for clients nobody handles yet.
pub async fn free_agent(conn: &mut Conn) -> sqlx::Result<Option<StaffId>> {
    let id: Option<i64> = sqlx::query_scalar(
        "SELECT s.id FROM staff s
         WHERE s.role = 'agent' AND s.active = 1
         ORDER BY (SELECT COUNT(*) FROM bookings b WHERE b.agent_id = s.id AND b.status <> 'cancelled'), s.id
         LIMIT 1",
    )
    .fetch_optional(conn)
    .await?;
    Ok(id.map(StaffId))
}
