//! A birth date: a calendar date, written `дд.мм.гггг` by people.

use super::Invalid;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// Years of age past which a birth date is taken for a typing error.
const MAX_AGE: i32 = 115;

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
        // Nobody alive is older: a year typed wrong («1900» for «1990»).
        if today.year() - date.year() > MAX_AGE {
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

/// Parses `дд.мм.гггг` (also with `/` or `-` as separators, and ISO `гггг-мм-дд`), and a date
/// as people write it in words: `14 марта 1990`, `14 мар 1990 г.`, `14 03 1990`. The one date
/// parser of every front-end: a well-formed day the calendar lacks (31.02, 29.02 of a common
/// year, month 13) is `NoSuchDate`, not a format error, so the person checks the day, not the dots.
pub fn parse_ru_date(input: &str) -> Result<NaiveDate, Invalid> {
    let s = input.trim();
    if let Some((y, m, d)) = iso_parts(s) {
        return NaiveDate::from_ymd_opt(y, m, d).ok_or(Invalid::NoSuchDate);
    }
    if s.contains(char::is_whitespace) {
        return in_words(s);
    }
    let normalised: String = s.chars().map(|c| if c == '/' || c == '-' { '.' } else { c }).collect();
    let parts: Vec<&str> = normalised.split('.').collect();
    if parts.len() != 3 || parts[2].len() != 4 || parts[0].len() > 2 || parts[1].len() > 2 {
        return Err(Invalid::DateFormat);
    }
    let num = |p: &str| p.parse::<u32>().map_err(|_| Invalid::DateFormat);
    let (d, m) = (num(parts[0])?, num(parts[1])?);
    let y = parts[2].parse::<i32>().map_err(|_| Invalid::DateFormat)?;
    NaiveDate::from_ymd_opt(y, m, d).ok_or(Invalid::NoSuchDate)
}

/// Russian month names as people write them: the name, its genitive (`14 марта`) and the
/// usual abbreviations; nothing else, so a typo is asked again rather than guessed.
const MONTHS: [&[&str]; 12] = [
    &["январь", "января", "янв"],
    &["февраль", "февраля", "фев", "февр"],
    &["март", "марта", "мар"],
    &["апрель", "апреля", "апр"],
    &["май", "мая"],
    &["июнь", "июня", "июн"],
    &["июль", "июля", "июл"],
    &["август", "августа", "авг"],
    &["сентябрь", "сентября", "сен", "сент"],
    &["октябрь", "октября", "окт"],
    &["ноябрь", "ноября", "ноя", "нояб"],
    &["декабрь", "декабря", "дек"],
];

/// `14 марта 1990`, `14 март 1990 г.`, `14 03 1990`: day, month (a number or a name), a
/// four-digit year, an optional «г.» or «года» after it.
fn in_words(s: &str) -> Result<NaiveDate, Invalid> {
    let lower = s.to_lowercase();
    let mut words: Vec<&str> = lower.split_whitespace().collect();
    if matches!(words.last(), Some(&("г" | "г." | "года" | "год"))) {
        words.pop();
    }
    let [d, m, y] = words[..] else { return Err(Invalid::DateFormat) };
    let y = y.strip_suffix("г.").or_else(|| y.strip_suffix('г')).unwrap_or(y);
    let digits = |p: &str, max: usize| {
        let ok = !p.is_empty() && p.len() <= max && p.bytes().all(|b| b.is_ascii_digit());
        ok.then(|| p.parse::<u32>().ok()).flatten()
    };
    let month = match digits(m, 2) {
        Some(n) => n,
        None => month_by_name(m).ok_or(Invalid::DateFormat)?,
    };
    let (Some(day), Some(year)) = (digits(d, 2), digits(y, 4).filter(|_| y.len() == 4)) else {
        return Err(Invalid::DateFormat);
    };
    let year = i32::try_from(year).map_err(|_| Invalid::DateFormat)?;
    NaiveDate::from_ymd_opt(year, month, day).ok_or(Invalid::NoSuchDate)
}

fn month_by_name(word: &str) -> Option<u32> {
    let word = word.strip_suffix('.').unwrap_or(word);
    let n = MONTHS.iter().position(|forms| forms.contains(&word))?;
    u32::try_from(n + 1).ok()
}

/// `гггг-мм-дд` split into numbers (what a date input or a stored date holds), or `None`.
fn iso_parts(s: &str) -> Option<(i32, u32, u32)> {
    let mut it = s.split('-');
    let (y, m, d) = (it.next()?, it.next()?, it.next()?);
    let digits = |p: &str, n: usize| p.len() == n && p.bytes().all(|b| b.is_ascii_digit());
    if it.next().is_some() || !digits(y, 4) || !digits(m, 2) || !digits(d, 2) {
        return None;
    }
    Some((y.parse().ok()?, m.parse().ok()?, d.parse().ok()?))
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
        assert_eq!(BirthDate::parse("31.02.1990", today()), Err(Invalid::NoSuchDate));
        assert_eq!(BirthDate::parse("29.02.2001", today()), Err(Invalid::NoSuchDate));
        assert_eq!(BirthDate::parse("1990", today()), Err(Invalid::DateFormat));
        assert_eq!(BirthDate::parse("05.03.90", today()), Err(Invalid::DateFormat));
        assert_eq!(BirthDate::parse("завтра", today()), Err(Invalid::DateFormat));
        assert_eq!(BirthDate::parse("26.11.2026", today()), Err(Invalid::BirthDateFuture));
        assert_eq!(BirthDate::parse("01.01.1899", today()), Err(Invalid::BirthDateTooOld));
        assert_eq!(BirthDate::parse("01.01.1900", today()), Err(Invalid::BirthDateTooOld));
        assert!(BirthDate::parse("01.01.1911", today()).is_ok());
    }

    #[test]
    fn a_day_the_calendar_lacks_is_not_a_format_error() {
        for input in ["31.02.2025", "29.02.2023", "31.04.2026", "32.01.2026", "00.01.2026", "05.13.2026", "2025-02-29"]
        {
            assert_eq!(parse_ru_date(input), Err(Invalid::NoSuchDate), "{input:?}");
        }
        for input in ["31-02", "31.02.25", "31..2025", "ab.cd.efgh", "2025-2-3x"] {
            assert_eq!(parse_ru_date(input), Err(Invalid::DateFormat), "{input:?}");
        }
        assert_eq!(parse_ru_date("29.02.2024"), Ok(NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()));
    }

    #[test]
    fn a_date_in_words_is_read_as_people_write_it() {
        let d = |y, m, day| Ok(NaiveDate::from_ymd_opt(y, m, day).unwrap());
        assert_eq!(parse_ru_date("14 марта 1990"), d(1990, 3, 14));
        assert_eq!(parse_ru_date(" 14  Март 1990 г. "), d(1990, 3, 14));
        assert_eq!(parse_ru_date("1 мая 1985 года"), d(1985, 5, 1));
        assert_eq!(parse_ru_date("1 май 1985г."), d(1985, 5, 1));
        assert_eq!(parse_ru_date("05 дек. 2001"), d(2001, 12, 5));
        assert_eq!(parse_ru_date("5 сентября 2001"), d(2001, 9, 5));
        assert_eq!(parse_ru_date("14 03 1990"), d(1990, 3, 14));
        assert_eq!(parse_ru_date("30 февраля 1990"), Err(Invalid::NoSuchDate));
        for input in ["14 мартобря 1990", "14 ма 1990", "14 марта 90", "марта 14 1990", "14 марта", "1 2 3 4"]
        {
            assert_eq!(parse_ru_date(input), Err(Invalid::DateFormat), "{input:?}");
        }
    }
}
