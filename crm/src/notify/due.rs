//! When a notification is due: birthdays (29 February included), the client's local date and
//! daytime, and the key that makes each occurrence unique (so it is sent once).

use super::NotificationKind;
use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

/// The client's calendar date at `now` in their time zone.
pub fn local_date(now: DateTime<Utc>, tz: Tz) -> NaiveDate {
    tz.from_utc_datetime(&now.naive_utc()).date_naive()
}

/// The birthday in `year`: a 29 February birthday is celebrated on 28 February in common years.
pub fn birthday_in(birth: NaiveDate, year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, birth.month(), birth.day())
        .or_else(|| NaiveDate::from_ymd_opt(year, 2, 28))
        .unwrap_or(birth)
}

/// The next birthday on or after `today`.
pub fn next_birthday(birth: NaiveDate, today: NaiveDate) -> NaiveDate {
    let this_year = birthday_in(birth, today.year());
    if this_year >= today { this_year } else { birthday_in(birth, today.year() + 1) }
}

/// The hours when the bot may write to people (local time): outside them messages wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Daytime {
    pub from: NaiveTime,
    pub until: NaiveTime,
}

impl Default for Daytime {
    /// 10:00–21:00: nobody wants a reminder at night or at dawn.
    fn default() -> Self {
        Daytime {
            from: NaiveTime::from_hms_opt(10, 0, 0).unwrap_or(NaiveTime::MIN),
            until: NaiveTime::from_hms_opt(21, 0, 0).unwrap_or(NaiveTime::MIN),
        }
    }
}

impl Daytime {
    /// Parses `10:00-21:00` (the `TOURCRM_NOTIFY_HOURS` setting).
    pub fn parse(s: &str) -> Option<Daytime> {
        let (a, b) = s.trim().split_once('-')?;
        let t = |x: &str| NaiveTime::parse_from_str(x.trim(), "%H:%M").ok();
        let (from, until) = (t(a)?, t(b)?);
        (from != until).then_some(Daytime { from, until })
    }

    /// `now` if the window is open in the zone, else the moment it next opens.
    pub fn next_open(&self, now: DateTime<Utc>, tz: Tz) -> DateTime<Utc> {
        if self.allows(now, tz) {
            return now;
        }
        let local = tz.from_utc_datetime(&now.naive_utc());
        let today = local.date_naive();
        let day = if local.time() < self.from { today } else { today.succ_opt().unwrap_or(today) };
        // A zone's clock change at the opening hour: take the earliest valid moment, else wait an hour.
        tz.from_local_datetime(&day.and_time(self.from))
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or(now + chrono::Duration::hours(1))
    }

    /// Whether `now` falls in the window in the client's zone (`from` inclusive, `until` exclusive).
    pub fn allows(&self, now: DateTime<Utc>, tz: Tz) -> bool {
        let local = tz.from_utc_datetime(&now.naive_utc()).time();
        if self.from <= self.until {
            self.from <= local && local < self.until
        } else {
            // A window across midnight, e.g. 20:00–02:00.
            local >= self.from || local < self.until
        }
    }
}

/// One occurrence of a notification: the same key is never sent twice. `subject` is the client
/// for birthdays and passports, the booking for departures and payments; `on` is the date the
/// occurrence is about (the birthday, the expiry, the departure, the due date).
pub fn occurrence_key(kind: NotificationKind, subject: i64, on: NaiveDate) -> String {
    format!("{}:{subject}:{}", kind.as_str(), on.format("%Y-%m-%d"))
}

/// Is an event on `event_date` due for a reminder `lead_days` ahead, seen on `today`?
/// Due from `event_date - lead_days` until the event itself (a missed day is caught up, but
/// nothing is sent about the past).
pub fn in_lead_window(event_date: NaiveDate, today: NaiveDate, lead_days: i64) -> bool {
    let days_left = (event_date - today).num_days();
    (0..=lead_days).contains(&days_left)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn leap_day_birthdays_fall_on_28_february_in_common_years() {
        let birth = d(2000, 2, 29);
        assert_eq!(birthday_in(birth, 2027), d(2027, 2, 28));
        assert_eq!(birthday_in(birth, 2028), d(2028, 2, 29));
        assert_eq!(next_birthday(birth, d(2027, 3, 1)), d(2028, 2, 29));
        assert_eq!(next_birthday(d(1990, 12, 31), d(2026, 12, 31)), d(2026, 12, 31));
        assert_eq!(next_birthday(d(1990, 1, 1), d(2026, 12, 31)), d(2027, 1, 1));
    }

    #[test]
    fn daytime_is_judged_in_the_clients_zone_at_the_edges() {
        let w = Daytime::default();
        let vladivostok: Tz = "Asia/Vladivostok".parse().unwrap();
        let moscow: Tz = "Europe/Moscow".parse().unwrap();
        // 00:00 UTC is 10:00 in Vladivostok (UTC+10) and 03:00 in Moscow.
        let t = Utc.with_ymd_and_hms(2026, 11, 25, 0, 0, 0).unwrap();
        assert!(w.allows(t, vladivostok));
        assert!(!w.allows(t, moscow));
        // 18:00 UTC is 21:00 in Moscow: the window has just closed.
        let t = Utc.with_ymd_and_hms(2026, 11, 25, 18, 0, 0).unwrap();
        assert!(!w.allows(t, moscow));
        assert!(w.allows(t - chrono::Duration::seconds(1), moscow));
        let night = Daytime {
            from: NaiveTime::from_hms_opt(20, 0, 0).unwrap(),
            until: NaiveTime::from_hms_opt(2, 0, 0).unwrap(),
        };
        assert!(night.allows(Utc.with_ymd_and_hms(2026, 11, 25, 22, 30, 0).unwrap(), moscow));
        assert!(!night.allows(Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap(), moscow));
    }

    #[test]
    fn the_window_opens_next_in_the_clients_zone() {
        let w = Daytime::parse("10:00-21:00").unwrap();
        assert_eq!(w, Daytime::default());
        let moscow: Tz = "Europe/Moscow".parse().unwrap();
        // 03:00 in Moscow: opens at 10:00 Moscow = 07:00 UTC the same day.
        let t = Utc.with_ymd_and_hms(2026, 11, 25, 0, 0, 0).unwrap();
        assert_eq!(w.next_open(t, moscow), Utc.with_ymd_and_hms(2026, 11, 25, 7, 0, 0).unwrap());
        // 21:00 in Moscow: the next morning.
        let t = Utc.with_ymd_and_hms(2026, 11, 25, 18, 0, 0).unwrap();
        assert_eq!(w.next_open(t, moscow), Utc.with_ymd_and_hms(2026, 11, 26, 7, 0, 0).unwrap());
        let open = Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap();
        assert_eq!(w.next_open(open, moscow), open);
        assert!(Daytime::parse("10:00").is_none());
        assert!(Daytime::parse("25:00-10:00").is_none());
        assert!(Daytime::parse("10:00-10:00").is_none());
    }

    #[test]
    fn the_local_date_can_differ_from_utc() {
        let t = Utc.with_ymd_and_hms(2026, 12, 31, 20, 0, 0).unwrap();
        assert_eq!(local_date(t, "Asia/Kamchatka".parse().unwrap()), d(2027, 1, 1));
        assert_eq!(local_date(t, "Europe/Kaliningrad".parse().unwrap()), d(2026, 12, 31));
    }

    #[test]
    fn lead_windows_and_keys() {
        assert!(in_lead_window(d(2026, 11, 28), d(2026, 11, 25), 3));
        assert!(!in_lead_window(d(2026, 11, 29), d(2026, 11, 25), 3), "not yet due");
        assert!(!in_lead_window(d(2026, 11, 24), d(2026, 11, 25), 3), "in the past");
        assert_eq!(occurrence_key(NotificationKind::PaymentDue, 17, d(2026, 11, 28)), "payment_due:17:2026-11-28");
    }
}
