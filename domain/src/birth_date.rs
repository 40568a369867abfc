//! A birth date: a calendar date, written `дд.мм.гггг` by people.

use super::Invalid;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct BirthDate(NaiveDate);

impl BirthDate {
    /// `today` is passed in so the check is a pure function of its inputs.
    pub fn parse(input: &str, today: NaiveDate) -> Result<Self, Invalid> {
        let date = parse_ru_date(input)?;
        Self::new(date, today)
    }

    pub fn new(date: NaiveDate, today: NaiveDate) -> Result<Self, Invalid> {
        if date > today {
            return Err(Invalid::BirthDateFuture);
        }
        if date.year() < 1900 {
            return Err(Invalid::BirthDateTooOld);
        }
        Ok(BirthDate(date))
    }

    pub fn date(&self) -> NaiveDate {
        self.0
    }

    /// Full years on `on`.
    pub fn age_on(&self, on: NaiveDate) -> u32 {
        on.years_since(self.0).unwrap_or(0)
    }
}

/// `дд.мм.гггг`: how dates are shown to people (the panel, the bot's messages).
pub fn format_ru_date(d: NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

/// A period as people read it: `05.12–12.12.2026`, both years when they differ, one date when
/// it is one day.
pub fn format_ru_range(from: NaiveDate, until: NaiveDate) -> String {
    use chrono::Datelike;
    if from == until {
        format_ru_date(from)
    } else if from.year() == until.year() {
        format!("{}–{}", from.format("%d.%m"), format_ru_date(until))
    } else {
        format!("{}–{}", format_ru_date(from), format_ru_date(until))
    }
}

/// Parses `дд.мм.гггг` (also with `/` or `-` as separators, and ISO `гггг-мм-дд`).
pub fn parse_ru_date(input: &str) -> Result<NaiveDate, Invalid> {
    let s = input.trim();
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(d);
    }
    let normalised: String = s.chars().map(|c| if c == '/' || c == '-' { '.' } else { c }).collect();
    let parts: Vec<&str> = normalised.split('.').collect();
    if parts.len() != 3 || parts[2].len() != 4 || parts[0].len() > 2 || parts[1].len() > 2 {
        return Err(Invalid::DateFormat);
    }
    let num = |p: &str| p.parse::<u32>().map_err(|_| Invalid::DateFormat);
    let (d, m) = (num(parts[0])?, num(parts[1])?);
    let y = parts[2].parse::<i32>().map_err(|_| Invalid::DateFormat)?;
    NaiveDate::from_ymd_opt(y, m, d).ok_or(Invalid::DateFormat)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
    }

    #[test]
    fn dates_parse_in_russian_order() {
        let d = BirthDate::parse("05.03.1990", today()).unwrap();
        assert_eq!(d.date(), NaiveDate::from_ymd_opt(1990, 3, 5).unwrap());
        assert_eq!(BirthDate::parse("5/3/1990", today()).unwrap(), d);
        assert_eq!(BirthDate::parse("1990-03-05", today()).unwrap(), d);
        assert_eq!(d.age_on(today()), 36);
        assert!(BirthDate::parse("29.02.2000", today()).is_ok());
    }

    #[test]
    fn implausible_dates_are_refused() {
        assert_eq!(BirthDate::parse("31.02.1990", today()), Err(Invalid::DateFormat));
        assert_eq!(BirthDate::parse("29.02.2001", today()), Err(Invalid::DateFormat));
        assert_eq!(BirthDate::parse("1990", today()), Err(Invalid::DateFormat));
        assert_eq!(BirthDate::parse("05.03.90", today()), Err(Invalid::DateFormat));
        assert_eq!(BirthDate::parse("завтра", today()), Err(Invalid::DateFormat));
        assert_eq!(BirthDate::parse("26.11.2026", today()), Err(Invalid::BirthDateFuture));
        assert_eq!(BirthDate::parse("01.01.1899", today()), Err(Invalid::BirthDateTooOld));
    }
}
