//! Times and dates as portable TEXT. Times are UTC with microseconds and a `Z`, always the same
//! width, so comparing the text compares the times on both backends.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};

pub fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub fn parse_ts(s: &str) -> Result<DateTime<Utc>, sqlx::Error> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| sqlx::Error::Decode(format!("bad timestamp {s:?}: {e}").into()))
}

pub fn parse_ts_opt(s: Option<String>) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    s.as_deref().map(parse_ts).transpose()
}

pub fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

pub fn parse_date(s: &str) -> Result<NaiveDate, sqlx::Error> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| sqlx::Error::Decode(format!("bad date {s:?}: {e}").into()))
}

pub fn parse_date_opt(s: Option<String>) -> Result<Option<NaiveDate>, sqlx::Error> {
    s.as_deref().map(parse_date).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn text_order_is_time_order() {
        let a = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap();
        let b = a + chrono::Duration::microseconds(1);
        let c = Utc.with_ymd_and_hms(2026, 10, 2, 3, 4, 5).unwrap();
        assert!(ts(a) < ts(b) && ts(b) < ts(c));
        assert_eq!(ts(a).len(), ts(c).len());
        assert_eq!(parse_ts(&ts(b)).unwrap(), b);
    }
}
