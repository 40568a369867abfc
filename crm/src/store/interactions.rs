//! Interaction history: calls, letters, messages, meetings, bookings, complaints, notes.
//! Append-only: a correction is a new entry pointing to the one it corrects.

use super::Conn;
use super::time::{parse_ts, ts};
use crate::domain::{BookingId, ClientId, Direction, HotelId, InteractionId, InteractionKind};
use chrono::{DateTime, Utc};
use sqlx::FromRow;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Interaction {
    pub id: InteractionId,
    pub client_id: Option<ClientId>,
    pub hotel_id: Option<HotelId>,
    pub kind: InteractionKind,
    pub direction: Direction,
    /// A letter's subject line or a call's topic (hotel correspondence); empty otherwise.
    pub subject: String,
    pub body: String,
    /// The hotel's manager the correspondence was with, when known.
    pub hotel_manager_id: Option<i64>,
    pub occurred_at: DateTime<Utc>,
    pub author: String,
    pub corrects: Option<InteractionId>,
    /// Set when a later entry corrects this one.
    pub corrected_by: Option<InteractionId>,
    pub created_at: DateTime<Utc>,
    /// The booking the entry is about (its creation or a status move), linked from the card.
    pub booking_id: Option<BookingId>,
}

#[derive(FromRow)]
struct Row {
    id: i64,
    client_id: Option<i64>,
    hotel_id: Option<i64>,
    kind: String,
    direction: String,
    subject: String,
    body: String,
    hotel_manager_id: Option<i64>,
    occurred_at: String,
    author: String,
    corrects_id: Option<i64>,
    corrected_by: Option<i64>,
    created_at: String,
    booking_id: Option<i64>,
}

impl Row {
    fn into_interaction(self) -> sqlx::Result<Interaction> {
        let decode = |e: crate::domain::Invalid| sqlx::Error::Decode(Box::new(e));
        Ok(Interaction {
            id: InteractionId(self.id),
            client_id: self.client_id.map(ClientId),
            hotel_id: self.hotel_id.map(HotelId),
            kind: InteractionKind::parse(&self.kind).map_err(decode)?,
            direction: Direction::parse(&self.direction).map_err(decode)?,
            subject: self.subject,
            body: self.body,
            hotel_manager_id: self.hotel_manager_id,
            occurred_at: parse_ts(&self.occurred_at)?,
            author: self.author,
            corrects: self.corrects_id.map(InteractionId),
            corrected_by: self.corrected_by.map(InteractionId),
            created_at: parse_ts(&self.created_at)?,
            booking_id: self.booking_id.map(BookingId),
        })
    }
}

pub struct NewInteraction<'a> {
    pub client_id: Option<ClientId>,
    pub hotel_id: Option<HotelId>,
    pub kind: InteractionKind,
    pub direction: Direction,
    pub subject: &'a str,
    pub body: &'a str,
    pub hotel_manager_id: Option<i64>,
    pub occurred_at: DateTime<Utc>,
    pub author: &'a str,
    pub corrects: Option<InteractionId>,
    pub booking_id: Option<BookingId>,
    pub now: DateTime<Utc>,
}

pub async fn insert(conn: &mut Conn, n: &NewInteraction<'_>) -> sqlx::Result<InteractionId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO interactions (client_id, hotel_id, kind, direction, subject, body, hotel_manager_id, occurred_at,
                                   author, corrects_id, created_at, booking_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(n.client_id.map(|c| c.0))
    .bind(n.hotel_id.map(|h| h.0))
    .bind(n.kind.as_str())
    .bind(n.direction.as_str())
    .bind(n.subject)
    .bind(n.body)
    .bind(n.hotel_manager_id)
    .bind(ts(n.occurred_at))
    .bind(n.author)
    .bind(n.corrects.map(|c| c.0))
    .bind(ts(n.now))
    .bind(n.booking_id.map(|b| b.0))
    .fetch_one(conn)
    .await?;
    Ok(InteractionId(id))
}

const SELECT: &str = "SELECT i.id, i.client_id, i.hotel_id, i.kind, i.direction, i.subject, i.body, i.hotel_manager_id,
        i.occurred_at, i.author,
        i.corrects_id, (SELECT MAX(c.id) FROM interactions c WHERE c.corrects_id = i.id) AS corrected_by, i.created_at,
        i.booking_id
     FROM interactions i";

pub async fn get(conn: &mut Conn, id: InteractionId) -> sqlx::Result<Option<Interaction>> {
    let row: Option<Row> = sqlx::query_as(&format!("{SELECT} WHERE i.id = $1")).bind(id.0).fetch_optional(conn).await?;
    row.map(Row::into_interaction).transpose()
}

/// A client's history, newest first.
pub async fn for_client(conn: &mut Conn, client: ClientId, limit: i64) -> sqlx::Result<Vec<Interaction>> {
    let rows: Vec<Row> =
        sqlx::query_as(&format!("{SELECT} WHERE i.client_id = $1 ORDER BY i.occurred_at DESC, i.id DESC LIMIT $2"))
            .bind(client.0)
            .bind(limit.clamp(1, 1000))
            .fetch_all(conn)
            .await?;
    rows.into_iter().map(Row::into_interaction).collect()
}

/// A hotel's correspondence, newest first.
pub async fn for_hotel(conn: &mut Conn, hotel: HotelId, limit: i64) -> sqlx::Result<Vec<Interaction>> {
    let rows: Vec<Row> =
        sqlx::query_as(&format!("{SELECT} WHERE i.hotel_id = $1 ORDER BY i.occurred_at DESC, i.id DESC LIMIT $2"))
            .bind(hotel.0)
            .bind(limit.clamp(1, 1000))
            .fetch_all(conn)
            .await?;
    rows.into_iter().map(Row::into_interaction).collect()
}
