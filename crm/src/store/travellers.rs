//! One traveller of a booking: found, renamed, removed. Listing and adding live with the
//! booking (`bookings::travellers`, `bookings::add_traveller`), which creates its travellers.

use super::Conn;
use super::bookings::Traveller;
use super::time::{date, parse_date, ts};
use crate::domain::{BookingId, ClientId, TravellerId};
use chrono::{DateTime, NaiveDate, Utc};

/// A traveller and the booking it belongs to.
pub async fn get(conn: &mut Conn, id: TravellerId) -> sqlx::Result<Option<(BookingId, Traveller)>> {
    let row: Option<(i64, i64, Option<i64>, String, String)> =
        sqlx::query_as("SELECT booking_id, id, client_id, full_name, birth_date FROM booking_travellers WHERE id = $1")
            .bind(id.0)
            .fetch_optional(conn)
            .await?;
    row.map(|(booking, id, client, full_name, birth)| {
        Ok((
            BookingId(booking),
            Traveller {
                id: TravellerId(id),
                client_id: client.map(ClientId),
                full_name,
                birth_date: parse_date(&birth)?,
            },
        ))
    })
    .transpose()
}

pub async fn update(conn: &mut Conn, id: TravellerId, full_name: &str, birth_date: NaiveDate) -> sqlx::Result<()> {
    sqlx::query("UPDATE booking_travellers SET full_name = $1, birth_date = $2 WHERE id = $3")
        .bind(full_name)
        .bind(date(birth_date))
        .bind(id.0)
        .execute(conn)
        .await?;
    Ok(())
}

/// A client's corrected name or birth date, followed by their own traveller rows on bookings not
/// cancelled — where the row still says what the card said (a row corrected to the passport
/// since keeps its own).
pub async fn follow_client(
    conn: &mut Conn,
    client: ClientId,
    (old_name, new_name): (&str, &str),
    (old_birth, new_birth): (Option<NaiveDate>, NaiveDate),
) -> sqlx::Result<()> {
    const OPEN: &str = "booking_id IN (SELECT id FROM bookings WHERE status <> 'cancelled')";
    sqlx::query(&format!(
        "UPDATE booking_travellers SET full_name = $1 WHERE client_id = $2 AND full_name = $3 AND {OPEN}"
    ))
    .bind(new_name)
    .bind(client.0)
    .bind(old_name)
    .execute(&mut *conn)
    .await?;
    if let Some(old_birth) = old_birth {
        sqlx::query(&format!(
            "UPDATE booking_travellers SET birth_date = $1 WHERE client_id = $2 AND birth_date = $3 AND {OPEN}"
        ))
        .bind(date(new_birth))
        .bind(client.0)
        .bind(date(old_birth))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

pub async fn delete(conn: &mut Conn, id: TravellerId) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM booking_travellers WHERE id = $1").bind(id.0).execute(conn).await?;
    Ok(())
}

/// How many travellers a booking lists.
pub async fn count(conn: &mut Conn, booking: BookingId) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM booking_travellers WHERE booking_id = $1")
        .bind(booking.0)
        .fetch_one(conn)
        .await
}

/// Touches the booking inside a transaction so that two changes of its travellers take turns:
/// on PostgreSQL the UPDATE holds the row's lock until commit (SQLite has one writer anyway),
/// so a count read after it stays true until the transaction ends.
pub async fn lock_booking(conn: &mut Conn, booking: BookingId, now: DateTime<Utc>) -> sqlx::Result<()> {
    sqlx::query("UPDATE bookings SET updated_at = $1 WHERE id = $2")
        .bind(ts(now))
        .bind(booking.0)
        .execute(conn)
        .await?;
    Ok(())
}
