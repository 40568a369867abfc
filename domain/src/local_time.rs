//! A moment as a person types it: a date and a wall-clock time in a given zone (the agency's,
//! Moscow, for the panel), turned into the UTC instant that is stored; and back, as it is shown.

use super::{Invalid, parse_ru_date};
use chrono::{DateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

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
    fn a_moment_is_shown_as_it_is_typed() {
        let t = DateTime::parse_from_rfc3339("2026-03-05T06:05:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(format_local_datetime(t, DEFAULT_TZ), "05.03.2026 09:05");
        assert_eq!(parse_local_datetime(&format_local_datetime(t, DEFAULT_TZ), DEFAULT_TZ), Ok(t));
    }
}
