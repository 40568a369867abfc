//! Who a Telegram account is, in one query: the bot asks this on every update, so the staff
//! and client tables are read together rather than one after the other (with the client's tags
//! and every column besides), which was three round trips to the database per update.

use super::Conn;
use sqlx::FromRow;

/// The account's row: staff (`is_staff = 1`, `role` set) or client (`blacklisted`, `marketing`).
#[derive(FromRow)]
pub struct Row {
    pub is_staff: i64,
    pub id: i64,
    pub name: String,
    pub role: String,
    pub blacklisted: i64,
    pub marketing: i64,
}

/// Active staff first: an employee who also has a client card talks to the bot as staff.
pub async fn get(conn: &mut Conn, telegram_id: i64) -> sqlx::Result<Option<Row>> {
    sqlx::query_as(
        "SELECT CAST(1 AS BIGINT) AS is_staff, id, name, role, CAST(0 AS BIGINT) AS blacklisted,
                CAST(0 AS BIGINT) AS marketing
           FROM staff WHERE telegram_id = $1 AND active = 1
         UNION ALL
         SELECT CAST(0 AS BIGINT), id, full_name, '', blacklisted, marketing_consent
           FROM clients WHERE telegram_id = $1
         ORDER BY 1 DESC LIMIT 1",
    )
    .bind(telegram_id)
    .fetch_optional(conn)
    .await
}
