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

/// The account of telegram id `$1`: active staff first, so an employee who also has a client
/// card talks to the bot as staff. A macro, so [`get_with_state`] joins the same text as a
/// compile-time constant (sqlx caches prepared statements by their text).
macro_rules! account_sql {
    () => {
        "SELECT CAST(1 AS BIGINT) AS is_staff, id, name, role, CAST(0 AS BIGINT) AS blacklisted,
                CAST(0 AS BIGINT) AS marketing
           FROM staff WHERE telegram_id = $1 AND active = 1
         UNION ALL
         SELECT CAST(0 AS BIGINT), id, full_name, '', blacklisted, marketing_consent
           FROM clients WHERE telegram_id = $1
         ORDER BY 1 DESC LIMIT 1"
    };
}

pub async fn get(conn: &mut Conn, telegram_id: i64) -> sqlx::Result<Option<Row>> {
    sqlx::query_as(account_sql!()).bind(telegram_id).fetch_optional(conn).await
}

/// The account's row (all `None` for a stranger) and the chat's stored dialogue state.
#[derive(FromRow)]
pub struct WithState {
    pub is_staff: Option<i64>,
    pub id: Option<i64>,
    pub name: Option<String>,
    pub role: Option<String>,
    pub blacklisted: Option<i64>,
    pub marketing: Option<i64>,
    pub state: Option<String>,
}

/// [`get`] and the dialogue state of `chat_id` in one query: the two reads every bot update
/// starts with, so one round trip instead of two. One row always (the one-row `one` joined with
/// the account, if any).
pub async fn get_with_state(conn: &mut Conn, telegram_id: i64, chat_id: i64) -> sqlx::Result<WithState> {
    sqlx::query_as(concat!(
        "SELECT a.is_staff, a.id, a.name, a.role, a.blacklisted, a.marketing,
                    (SELECT state FROM dialogue_states WHERE chat_id = $2) AS state
               FROM (SELECT 1 AS one) AS one LEFT JOIN (",
        account_sql!(),
        ") AS a ON 1 = 1"
    ))
    .bind(telegram_id)
    .bind(chat_id)
    .fetch_one(conn)
    .await
}
