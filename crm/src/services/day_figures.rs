//! Each role's figures of the day for the panel's start page, counted on the agency's clock:
//! the admin and the accountant see the agency's (bookings made, money in, payments due in the
//! next days, messages undelivered), an operator their tours' (bookings made, seats left on
//! the nearest departures), an agent their own (bookings made, their clients' payments due).
//! Whose rows count is [`Scope`]'s rule, the same as every list's.

use super::Crm;
use super::scope::{Access, Scope};
use crate::domain::{AGENCY_TZ, BookingId, Money, OperationKind};
use crate::store::Conn;
use crate::store::bookings as bookings_store;
use crate::store::figures as store;
use crate::{Actor, Error, Result};
use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};

pub use crate::store::figures::SeatsLeft;

/// How many days ahead «payments due» looks (today and the next three).
pub const DUE_DAYS: u64 = 3;
/// How many departures an operator's start page lists.
const NEAREST_DEPARTURES: i64 = 5;

/// The part of a booking's schedule due in the window and not paid yet.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DuePayment {
    pub booking_id: BookingId,
    pub client_name: String,
    /// The earliest day in the window something is due.
    pub due_on: NaiveDate,
    pub amount: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "for", rename_all = "snake_case")]
pub enum DayFigures {
    /// The admin and the accountant: the whole agency.
    Agency { bookings_today: i64, money_in_today: Vec<Money>, due: Vec<DuePayment>, undelivered: i64 },
    /// An operator: their tours.
    Operator { bookings_today: i64, departures: Vec<SeatsLeft> },
    /// An agent: their own bookings and clients.
    Agent { bookings_today: i64, due: Vec<DuePayment> },
}

/// The agency's day `day` as UTC instants [start, next start).
pub fn agency_day_bounds(day: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
    let start = |d: NaiveDate| {
        let midnight = d.and_hms_opt(0, 0, 0).unwrap_or_default();
        // Moscow has no daylight saving, so midnight always exists once.
        AGENCY_TZ
            .from_local_datetime(&midnight)
            .earliest()
            .map_or_else(|| midnight.and_utc(), |t| t.with_timezone(&Utc))
    };
    (start(day), start(day + Days::new(1)))
}

/// The unpaid part of each instalment due in [from, until]: `paid` covers the schedule in order.
fn unpaid_in_window(
    schedule: &[bookings_store::Installment],
    paid: i64,
    from: NaiveDate,
    until: NaiveDate,
) -> Option<(NaiveDate, i64)> {
    let mut before: i64 = 0;
    let mut first = None;
    let mut sum = 0;
    for i in schedule {
        let after = before.saturating_add(i.amount.minor);
        let unpaid = after - before.max(paid).min(after);
        if unpaid > 0 && i.due_on >= from && i.due_on <= until {
            first = first.or(Some(i.due_on));
            sum += unpaid;
        }
        before = after;
    }
    first.map(|d| (d, sum))
}

async fn due_payments(conn: &mut Conn, today: NaiveDate, agent: Option<i64>) -> Result<Vec<DuePayment>> {
    let until = today + Days::new(DUE_DAYS);
    let mut out = Vec::new();
    for (id, client_name) in store::bookings_with_due(conn, today, until, agent).await? {
        let schedule = bookings_store::schedule(conn, id).await?;
        let paid = crate::store::operations::booking_sum(conn, id, OperationKind::ClientPayment).await?;
        let Some(cur) = schedule.first().map(|i| i.amount.currency) else { continue };
        if let Some((due_on, sum)) = unpaid_in_window(&schedule, paid, today, until) {
            out.push(DuePayment { booking_id: id, client_name, due_on, amount: Money::new(sum, cur) });
        }
    }
    out.sort_by_key(|d| (d.due_on, d.booking_id.0));
    Ok(out)
}

impl Crm {
    pub async fn day_figures(&self, actor: &Actor) -> Result<DayFigures> {
        let today = self.today();
        let (from, until) = agency_day_bounds(today);
        let mut conn = self.store.conn().await?;
        let conn = &mut *conn;
        Ok(match Scope::of(actor, Access::Read) {
            Scope::All => DayFigures::Agency {
                bookings_today: store::bookings_made(conn, from, until, None, None).await?,
                money_in_today: store::money_in(conn, from, until).await?,
                due: due_payments(conn, today, None).await?,
                undelivered: store::failed_messages(conn).await?,
            },
            Scope::Operator(id) => DayFigures::Operator {
                bookings_today: store::bookings_made(conn, from, until, None, Some(id.0)).await?,
                departures: store::nearest_departures(conn, id.0, today, NEAREST_DEPARTURES).await?,
            },
            Scope::Agent(id) => DayFigures::Agent {
                bookings_today: store::bookings_made(conn, from, until, Some(id.0), None).await?,
                due: due_payments(conn, today, Some(id.0)).await?,
            },
            Scope::Client(_) | Scope::Nothing => return Err(Error::Forbidden("the start page is the staff's")),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Currency;

    fn inst(amount: i64, d: u32) -> bookings_store::Installment {
        bookings_store::Installment {
            kind: "deposit".into(),
            amount: Money::new(amount, Currency::RUB),
            due_on: NaiveDate::from_ymd_opt(2026, 12, d).unwrap_or_default(),
        }
    }

    #[test]
    fn payments_cover_the_schedule_in_order() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 12, d).unwrap_or_default();
        let s = [inst(300, 1), inst(700, 5)];
        assert_eq!(unpaid_in_window(&s, 0, day(1), day(4)), Some((day(1), 300)));
        assert_eq!(unpaid_in_window(&s, 100, day(1), day(5)), Some((day(1), 900)));
        assert_eq!(unpaid_in_window(&s, 300, day(1), day(4)), None);
        assert_eq!(unpaid_in_window(&s, 500, day(2), day(5)), Some((day(5), 500)));
        assert_eq!(unpaid_in_window(&s, 1000, day(1), day(9)), None);
    }

    #[test]
    fn the_agency_day_is_moscow_midnight_to_midnight() {
        let (from, until) = agency_day_bounds(NaiveDate::from_ymd_opt(2026, 12, 3).unwrap_or_default());
        assert_eq!(from.to_rfc3339(), "2026-12-02T21:00:00+00:00");
        assert_eq!(until.to_rfc3339(), "2026-12-03T21:00:00+00:00");
    }
}
