//! Tours: the tour itself, its route, services, hotels and departures with their seats.

use super::Conn;
use super::filter::Where;
use super::time::{date, parse_date_opt, parse_ts, ts};
use crate::domain::{Currency, HotelId, Money, RoomId, StaffId, TourId, TourKind, TourService, TourStatus};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::FromRow;

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Tour {
    pub id: TourId,
    pub kind: TourKind,
    pub title: String,
    pub description: String,
    pub country: String,
    pub region: String,
    pub departure_city: String,
    pub price: Money,
    pub status: TourStatus,
    pub hot: Option<(NaiveDate, NaiveDate)>,
    pub early_booking: Option<(NaiveDate, NaiveDate)>,
    pub commission_bp: Option<i64>,
    pub operator_id: StaffId,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Tour {
    pub fn is_hot_on(&self, day: NaiveDate) -> bool {
        self.hot.is_some_and(|(from, until)| from <= day && day <= until)
    }

    pub fn is_early_booking_on(&self, day: NaiveDate) -> bool {
        self.early_booking.is_some_and(|(from, until)| from <= day && day <= until)
    }
}

#[derive(FromRow)]
struct TourRow {
    id: i64,
    kind: String,
    title: String,
    description: String,
    country: String,
    region: String,
    departure_city: String,
    price_per_person: i64,
    currency: String,
    status: String,
    hot_from: Option<String>,
    hot_until: Option<String>,
    early_from: Option<String>,
    early_until: Option<String>,
    commission_bp: Option<i64>,
    operator_id: i64,
    created_at: String,
    updated_at: String,
}

const TOUR_COLUMNS: &str = "t.id, t.kind, t.title, t.description, t.country, t.region, t.departure_city, \
    t.price_per_person, t.currency, t.status, t.hot_from, t.hot_until, t.early_from, t.early_until, t.commission_bp, \
    t.operator_id, t.created_at, t.updated_at";

fn decode_err(what: &str) -> sqlx::Error {
    sqlx::Error::Decode(format!("tours: bad {what}").into())
}

fn period(from: Option<String>, until: Option<String>) -> sqlx::Result<Option<(NaiveDate, NaiveDate)>> {
    Ok(match (parse_date_opt(from)?, parse_date_opt(until)?) {
        (Some(f), Some(u)) => Some((f, u)),
        _ => None,
    })
}

impl TourRow {
    fn into_tour(self) -> sqlx::Result<Tour> {
        Ok(Tour {
            id: TourId(self.id),
            kind: TourKind::parse(&self.kind).ok_or_else(|| decode_err("kind"))?,
            title: self.title,
            description: self.description,
            country: self.country,
            region: self.region,
            departure_city: self.departure_city,
            price: Money::new(
                self.price_per_person,
                Currency::parse(&self.currency).map_err(|_| decode_err("currency"))?,
            ),
            status: TourStatus::parse(&self.status).ok_or_else(|| decode_err("status"))?,
            hot: period(self.hot_from, self.hot_until)?,
            early_booking: period(self.early_from, self.early_until)?,
            commission_bp: self.commission_bp,
            operator_id: StaffId(self.operator_id),
            created_at: parse_ts(&self.created_at)?,
            updated_at: parse_ts(&self.updated_at)?,
        })
    }
}

/// The tour's own fields as written by the service (already validated).
pub struct TourFields<'a> {
    pub kind: TourKind,
    pub title: &'a str,
    pub description: &'a str,
    pub country: &'a str,
    pub region: &'a str,
    pub departure_city: &'a str,
    pub price: Money,
    pub hot: Option<(NaiveDate, NaiveDate)>,
    pub early_booking: Option<(NaiveDate, NaiveDate)>,
}

impl TourFields<'_> {
    fn search_key(&self) -> String {
        crate::domain::PersonName::search_key_of(&format!("{} {} {}", self.title, self.country, self.region))
    }
}

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// Binds the tour's own fields as `$1`…`$13`, in the column order both statements use.
fn bind_fields<'q>(q: AnyQuery<'q>, f: &TourFields<'_>) -> AnyQuery<'q> {
    q.bind(f.kind.as_str())
        .bind(f.title.to_owned())
        .bind(f.description.to_owned())
        .bind(f.country.to_owned())
        .bind(f.region.to_owned())
        .bind(f.departure_city.to_owned())
        .bind(f.price.minor)
        .bind(f.price.currency.code())
        .bind(f.hot.map(|p| date(p.0)))
        .bind(f.hot.map(|p| date(p.1)))
        .bind(f.early_booking.map(|p| date(p.0)))
        .bind(f.early_booking.map(|p| date(p.1)))
        .bind(f.search_key())
}

pub async fn insert(
    conn: &mut Conn,
    f: &TourFields<'_>,
    operator: StaffId,
    now: DateTime<Utc>,
) -> sqlx::Result<TourId> {
    use sqlx::Row;
    let row = bind_fields(
        sqlx::query(
            "INSERT INTO tours (kind, title, description, country, region, departure_city, price_per_person, currency,
                                hot_from, hot_until, early_from, early_until, search_key, status, operator_id,
                                created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'draft', $14, $15, $15) RETURNING id",
        ),
        f,
    )
    .bind(operator.0)
    .bind(ts(now))
    .fetch_one(conn)
    .await?;
    let id: i64 = row.try_get(0)?;
    Ok(TourId(id))
}

pub async fn update(conn: &mut Conn, id: TourId, f: &TourFields<'_>, now: DateTime<Utc>) -> sqlx::Result<bool> {
    let done = bind_fields(
        sqlx::query(
            "UPDATE tours SET kind = $1, title = $2, description = $3, country = $4, region = $5, departure_city = $6,
                              price_per_person = $7, currency = $8, hot_from = $9, hot_until = $10, early_from = $11,
                              early_until = $12, search_key = $13, updated_at = $14
             WHERE id = $15",
        ),
        f,
    )
    .bind(ts(now))
    .bind(id.0)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_status(conn: &mut Conn, id: TourId, status: TourStatus, now: DateTime<Utc>) -> sqlx::Result<bool> {
    let done = sqlx::query("UPDATE tours SET status = $1, updated_at = $2 WHERE id = $3")
        .bind(status.as_str())
        .bind(ts(now))
        .bind(id.0)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_commission(conn: &mut Conn, id: TourId, bp: Option<i64>) -> sqlx::Result<bool> {
    let done =
        sqlx::query("UPDATE tours SET commission_bp = $1 WHERE id = $2").bind(bp).bind(id.0).execute(conn).await?;
    Ok(done.rows_affected() == 1)
}

pub async fn get(conn: &mut Conn, id: TourId) -> sqlx::Result<Option<Tour>> {
    let row: Option<TourRow> = sqlx::query_as(&format!("SELECT {TOUR_COLUMNS} FROM tours t WHERE t.id = $1"))
        .bind(id.0)
        .fetch_optional(conn)
        .await?;
    row.map(TourRow::into_tour).transpose()
}

/// Filters of the tour list; `None` matches everything.
#[derive(Debug, Default, Clone)]
pub struct TourFilter {
    pub status: Option<TourStatus>,
    pub operator_id: Option<StaffId>,
    pub country: Option<String>,
    /// Part of the title, country or region, as typed (folded here).
    pub text: Option<String>,
    /// Only tours with a departure that starts in [from, until) and has a seat left.
    pub departs_from: Option<NaiveDate>,
    pub departs_until: Option<NaiveDate>,
    pub max_price: Option<i64>,
    /// Only tours marked hot on this day.
    pub hot_on: Option<NaiveDate>,
    pub early_booking_on: Option<NaiveDate>,
    pub departure_city: Option<String>,
    pub before_id: Option<TourId>,
    pub limit: i64,
}

pub async fn list(conn: &mut Conn, f: &TourFilter) -> sqlx::Result<Vec<Tour>> {
    let mut w = Where::new();
    w.and_eq("t.status", f.status.map(TourStatus::as_str))
        .and_eq("t.operator_id", f.operator_id.map(|o| o.0))
        .and_eq("t.country", f.country.as_deref())
        .and_some(
            &super::like::contains("t.search_key", "?"),
            f.text.as_deref().map(|t| super::like::contains_pattern(&crate::domain::destination_key(t))),
        );
    if f.departs_from.is_some() || f.departs_until.is_some() {
        // A departure with free seats in the period.
        let mut cond =
            "EXISTS (SELECT 1 FROM tour_departures d WHERE d.tour_id = t.id AND d.seats_booked < d.capacity".to_owned();
        let mut values = Vec::new();
        for (c, v) in [(" AND d.starts_on >= ?", f.departs_from), (" AND d.starts_on < ?", f.departs_until)] {
            if let Some(v) = v {
                cond.push_str(c);
                values.push(date(v).into());
            }
        }
        cond.push(')');
        w.and_each(&cond, values);
    }
    w.and_some("t.price_per_person <= ?", f.max_price)
        .and_some("t.hot_from <= ? AND t.hot_until >= ?", f.hot_on.map(date))
        .and_some("t.early_from <= ? AND t.early_until >= ?", f.early_booking_on.map(date))
        .and_eq("t.departure_city", f.departure_city.as_deref())
        .and_some("t.id < ?", f.before_id.map(|t| t.0));
    let sql =
        format!("SELECT {TOUR_COLUMNS} FROM tours t {} ORDER BY t.id DESC LIMIT {}", w.sql(), f.limit.clamp(1, 200));
    let rows: Vec<TourRow> = w.bind(sqlx::query_as(&sql)).fetch_all(conn).await?;
    rows.into_iter().map(TourRow::into_tour).collect()
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RoutePoint {
    pub day_number: i64,
    pub place: String,
    pub description: String,
}

pub async fn replace_route(conn: &mut Conn, id: TourId, points: &[RoutePoint]) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM tour_route_points WHERE tour_id = $1").bind(id.0).execute(&mut *conn).await?;
    for (i, p) in points.iter().enumerate() {
        sqlx::query(
            "INSERT INTO tour_route_points (tour_id, position, day_number, place, description) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id.0)
        .bind(i64::try_from(i).unwrap_or(i64::MAX))
        .bind(p.day_number)
        .bind(&p.place)
        .bind(&p.description)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

pub async fn route(conn: &mut Conn, id: TourId) -> sqlx::Result<Vec<RoutePoint>> {
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT day_number, place, description FROM tour_route_points WHERE tour_id = $1 ORDER BY position",
    )
    .bind(id.0)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|(day_number, place, description)| RoutePoint { day_number, place, description }).collect())
}

pub async fn replace_services(conn: &mut Conn, id: TourId, services: &[(TourService, bool)]) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM tour_services WHERE tour_id = $1").bind(id.0).execute(&mut *conn).await?;
    for (s, included) in services {
        sqlx::query("INSERT INTO tour_services (tour_id, service, included) VALUES ($1, $2, $3)")
            .bind(id.0)
            .bind(s.as_str())
            .bind(super::flag(*included))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

pub async fn services(conn: &mut Conn, id: TourId) -> sqlx::Result<Vec<(TourService, bool)>> {
    let rows: Vec<(String, i64)> = sqlx::query_as("SELECT service, included FROM tour_services WHERE tour_id = $1")
        .bind(id.0)
        .fetch_all(conn)
        .await?;
    let mut out: Vec<(TourService, bool)> =
        rows.into_iter().filter_map(|(s, inc)| TourService::parse(&s).map(|s| (s, inc != 0))).collect();
    out.sort_by_key(|(s, _)| TourService::ALL.iter().position(|x| x == s));
    Ok(out)
}

/// A hotel on the tour's route, with what the card shows of it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TourHotel {
    pub id: i64,
    pub hotel_id: HotelId,
    pub hotel_name: String,
    pub stars: Option<i64>,
    pub city: String,
    pub room_id: Option<RoomId>,
    pub room_type: Option<String>,
    pub meal_plan: Option<String>,
    pub nights: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TourHotelLink {
    pub hotel_id: HotelId,
    pub room_id: Option<RoomId>,
    pub nights: i64,
}

pub async fn replace_hotels(conn: &mut Conn, id: TourId, links: &[TourHotelLink]) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM tour_hotels WHERE tour_id = $1").bind(id.0).execute(&mut *conn).await?;
    for (i, l) in links.iter().enumerate() {
        sqlx::query(
            "INSERT INTO tour_hotels (tour_id, hotel_id, room_id, nights, position) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id.0)
        .bind(l.hotel_id.0)
        .bind(l.room_id.map(|r| r.0))
        .bind(l.nights)
        .bind(i64::try_from(i).unwrap_or(i64::MAX))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

type TourHotelRow = (i64, i64, String, Option<i64>, String, Option<i64>, Option<String>, Option<String>, i64);

pub async fn hotels(conn: &mut Conn, id: TourId) -> sqlx::Result<Vec<TourHotel>> {
    let rows: Vec<TourHotelRow> = sqlx::query_as(
        "SELECT th.id, th.hotel_id, h.name, h.stars, h.city, th.room_id, r.room_type, r.meal_plan, th.nights
             FROM tour_hotels th JOIN hotels h ON h.id = th.hotel_id LEFT JOIN hotel_rooms r ON r.id = th.room_id
             WHERE th.tour_id = $1 ORDER BY th.position",
    )
    .bind(id.0)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, hotel_id, hotel_name, stars, city, room_id, room_type, meal_plan, nights)| TourHotel {
            id,
            hotel_id: HotelId(hotel_id),
            hotel_name,
            stars,
            city,
            room_id: room_id.map(RoomId),
            room_type,
            meal_plan,
            nights,
        })
        .collect())
}

// Departures and their seats live in their own module; re-exported so callers keep one path.
pub use super::departures::*;
