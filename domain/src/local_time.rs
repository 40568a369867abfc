//! A moment as a person types it: a date and a wall-clock time in a given zone (the agency's,
//! Moscow, for the panel), turned into the UTC instant that is stored; and back, as it is shown.

use super::{Invalid, parse_ru_date};
use chrono::{DateTime, NaiveTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;

/// The agency's clock, Moscow: every time staff read or type (the panel, staff messages in the
/// bot) is on it, and a page names it once («МСК») rather than after every time.
pub const AGENCY_TZ: Tz = chrono_tz::Europe::Moscow;

/// `05.03.2026 14:30` on the agency's clock.
pub fn format_agency_time(t: DateTime<Utc>) -> String {
    format_local_datetime(t, AGENCY_TZ)
}

/// A zone as Russians name it, by its offset from Moscow at `at`: «МСК», «МСК+4», «МСК−1» —
/// never the tz database's «Asia/Barnaul».
pub fn zone_title_ru(tz: Tz, at: DateTime<Utc>) -> String {
    let offset = |z: Tz| z.offset_from_utc_datetime(&at.naive_utc()).fix().local_minus_utc();
    let minutes = (offset(tz) - offset(AGENCY_TZ)) / 60;
    let (hours, rest) = (minutes / 60, (minutes % 60).abs());
    let shift = match (minutes, rest) {
        (0, _) => String::new(),
        (m, 0) if m > 0 => format!("+{hours}"),
        (_, 0) => format!("\u{2212}{}", hours.abs()),
        (m, r) => format!("{}{}:{r:02}", if m > 0 { "+" } else { "\u{2212}" }, hours.abs()),
    };
    crate::text::fill("time", "zone", &[("shift", &shift)])
}

/// `05.03.2026 14:30`, `2026-03-05 14:30` and what an HTML `datetime-local` input sends
/// (`2026-03-05T14:30`, seconds optional). A wall-clock time the zone skips (a DST gap) is
/// refused; one it repeats is read as the earlier.
pub fn parse_local_datetime(input: &str, tz: Tz) -> Result<DateTime<Utc>, Invalid> {
    let t = input.trim();
    let (day, time) = t.split_once('T').or_else(|| t.split_once(char::is_whitespace)).ok_or(Invalid::DateTimeFormat)?;
    let day = parse_ru_date(day.trim_end_matches(',')).map_err(|e| match e {
        Invalid::NoSuchDate => e,
        _ => Invalid::DateTimeFormat,
    })?;
    let time = time.trim();
    let time = NaiveTime::parse_from_str(time, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(time, "%H:%M:%S"))
        .map_err(|_| Invalid::DateTimeFormat)?;
    let local = tz.from_local_datetime(&day.and_time(time)).earliest().ok_or(Invalid::DateTimeFormat)?;
    Ok(local.with_timezone(&Utc))
}

/// `05.03.2026 14:30`: a stored instant as people read it, on the wall clock of `tz`.
pub fn format_local_datetime(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%d.%m.%Y %H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DEFAULT_TZ;

    #[test]
    fn typed_moments_are_read_in_the_zone() {
        let utc = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let cases: &[(&str, Result<DateTime<Utc>, Invalid>)] = &[
            ("05.03.2026 14:30", Ok(utc("2026-03-05T11:30:00Z"))),
            ("2026-03-05T14:30", Ok(utc("2026-03-05T11:30:00Z"))),
            ("2026-03-05T14:30:15", Ok(utc("2026-03-05T11:30:15Z"))),
            (" 5.3.2026,  09:05 ", Ok(utc("2026-03-05T06:05:00Z"))),
            ("05.03.2026", Err(Invalid::DateTimeFormat)),
            ("05.03.2026 25:00", Err(Invalid::DateTimeFormat)),
            ("31.02.2026 10:00", Err(Invalid::NoSuchDate)),
            ("вчера в 10", Err(Invalid::DateTimeFormat)),
            ("", Err(Invalid::DateTimeFormat)),
        ];
        for (input, want) in cases {
            assert_eq!(&parse_local_datetime(input, DEFAULT_TZ), want, "{input:?}");
        }
        let berlin_gap = parse_local_datetime("29.03.2026 02:30", chrono_tz::Europe::Berlin);
        assert_eq!(berlin_gap, Err(Invalid::DateTimeFormat), "a time the clocks skip");
    }

    #[test]
    fn zones_are_named_by_their_shift_from_moscow() {
        let at = DateTime::parse_from_rfc3339("2026-03-05T06:05:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(zone_title_ru(AGENCY_TZ, at), "МСК");
        assert_eq!(zone_title_ru(chrono_tz::Asia::Barnaul, at), "МСК+4");
        assert_eq!(zone_title_ru(chrono_tz::Europe::Kaliningrad, at), "МСК\u{2212}1");
        assert_eq!(zone_title_ru(chrono_tz::Asia::Kolkata, at), "МСК+2:30");
        assert_eq!(format_agency_time(at), "05.03.2026 09:05");
    }

    #[test]
    fn a_moment_is_shown_as_it_is_typed() {
        let t = DateTime::parse_from_rfc3339("2026-03-05T06:05:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(format_local_datetime(t, DEFAULT_TZ), "05.03.2026 09:05");
        assert_eq!(parse_local_datetime(&format_local_datetime(t, DEFAULT_TZ), DEFAULT_TZ), Ok(t));
    }
}
