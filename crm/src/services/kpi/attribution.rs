//! The attribution rule of the social funnel, in one place: a registered client counts for the
//! **earliest deep-link start of their Telegram account within the 30 days before (and up to)
//! their registration**. Starts after registration, or longer before it, attribute nothing;
//! a client without such a start came from elsewhere. Pure, so it is tested without a database.

use crate::store::social::{RegisteredRow, StartRow};
use chrono::Duration;
use std::collections::HashMap;

/// How far before a registration a start still counts.
pub const WINDOW_DAYS: i64 = 30;

/// For each client id, the start it is attributed to. `starts` must be in time order.
pub fn attribute<'a>(starts: &'a [StartRow], clients: &[RegisteredRow]) -> HashMap<i64, &'a StartRow> {
    let mut by_person: HashMap<i64, Vec<&StartRow>> = HashMap::new();
    for s in starts {
        by_person.entry(s.telegram_id).or_default().push(s);
    }
    clients
        .iter()
        .filter_map(|c| {
            let earliest = c.registered_at - Duration::days(WINDOW_DAYS);
            let first = by_person.get(&c.telegram_id)?.iter().find(|s| s.at >= earliest && s.at <= c.registered_at)?;
            Some((c.client_id, *first))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, TimeZone, Utc};

    fn at(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, day, 12, 0, 0).unwrap()
    }

    fn start(telegram_id: i64, day: u32, payload: &str) -> StartRow {
        StartRow { telegram_id, at: at(day), kind: "post".into(), payload: Some(payload.into()), network: None }
    }

    #[test]
    fn the_first_start_within_thirty_days_before_registering_counts() {
        let starts = vec![
            start(1, 1, "post_1"),  // 30 days before day 31: in the window, the first
            start(1, 5, "post_2"),  // later: not counted
            start(2, 1, "post_3"),  // 31 days before day 1 of April: too early
            start(2, 20, "post_4"), // in the window
            start(3, 25, "post_5"), // after registering on day 10: nothing
        ];
        let registered = |client_id, telegram_id, when| RegisteredRow { client_id, telegram_id, registered_at: when };
        let clients = vec![
            registered(10, 1, at(31)),
            registered(20, 2, Utc.with_ymd_and_hms(2026, 4, 1, 12, 0, 1).unwrap()),
            registered(30, 3, at(10)),
            registered(40, 4, at(10)), // never started
        ];
        let got = attribute(&starts, &clients);
        assert_eq!(got.get(&10).and_then(|s| s.payload.as_deref()), Some("post_1"));
        assert_eq!(got.get(&20).and_then(|s| s.payload.as_deref()), Some("post_4"));
        assert!(!got.contains_key(&30) && !got.contains_key(&40));
    }
}
