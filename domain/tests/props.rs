//! Property tests of every parser of outside input (what clients type in the bot, staff type in
//! forms, files and webhooks carry): none panics on any text, and what one accepts is
//! canonical — parsing its own output gives the same value back. Bounded so they run in every
//! `cargo test` (`PROPTEST_CASES` overrides the count).

#![allow(clippy::unwrap_used)]

use chrono::NaiveDate;
use domain::*;
use proptest::prelude::*;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 15).unwrap()
}

/// Any text, and texts shaped like the field (so the accepting branches are reached too).
fn input(shaped: &'static str) -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), shaped]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn phones(s in input("[+8 ]{0,2}[0-9 ()-]{0,16}")) {
        if let Ok(p) = Phone::parse(&s) {
            prop_assert!(p.as_str().starts_with("+7") && p.as_str().len() == 12, "{}", p.as_str());
            prop_assert_eq!(Phone::parse(p.as_str()).unwrap(), p.clone());
            let _ = format_phone(p.as_str());
        }
        if let Ok(p) = IntlPhone::parse(&s) {
            prop_assert_eq!(IntlPhone::parse(p.as_str()).unwrap(), p);
        }
    }

    #[test]
    fn names(s in input("[А-Яа-яЁё'. -]{0,30}")) {
        if let Ok(n) = PersonName::parse(&s) {
            prop_assert_eq!(PersonName::parse(n.as_str()).unwrap(), n.clone());
            prop_assert!(!n.first_name().is_empty());
        }
        if let Ok(n) = LatinName::parse(&s) {
            prop_assert_eq!(LatinName::parse(n.as_str()).unwrap(), n);
        }
        if let Ok(t) = TagName::parse(&s) {
            prop_assert_eq!(TagName::parse(t.as_str()).unwrap(), t);
        }
        if let Ok(c) = City::parse(&s) {
            let again = City::parse(c.name()).unwrap();
            prop_assert_eq!(again.name(), c.name());
        }
        let _ = Email::parse(&s);
    }

    #[test]
    fn dates(s in input("[0-9]{1,4}[./-][0-9]{1,2}[./-][0-9]{1,4}( [0-9]{1,2}:[0-9]{2})?")) {
        if let Ok(d) = parse_ru_date(&s) {
            prop_assert_eq!(parse_ru_date(&format_ru_date(d)).unwrap(), d);
        }
        if let Ok(b) = BirthDate::parse(&s, today()) {
            prop_assert!(b.date() <= today());
            prop_assert_eq!(BirthDate::parse(&format_ru_date(b.date()), today()).unwrap(), b);
        }
        let _ = parse_local_datetime(&s, chrono_tz::Europe::Moscow);
    }

    #[test]
    fn amounts(s in input("-?[0-9 ]{0,22}([.,][0-9]{0,3})?")) {
        if let Ok(m) = Money::parse(&s, Currency::RUB) {
            prop_assert!(m.minor >= 0, "a typed amount is never negative: {s:?}");
            prop_assert_eq!(Money::parse(&m.as_typed(), Currency::RUB).unwrap(), m);
            let _ = m.to_string();
        }
        if let Ok(bp) = parse_percent_bp(&s) {
            prop_assert_eq!(parse_percent_bp(&format_percent_bp(bp)).unwrap(), bp);
        }
        let _ = Stars::parse(&s);
    }

    #[test]
    fn codes_from_forms_and_files(s in input("[a-z_]{0,24}")) {
        for status in BookingStatus::ALL {
            prop_assert_eq!(BookingStatus::parse(status.as_str()), Some(status));
        }
        if let Some(status) = BookingStatus::parse(&s) {
            prop_assert_eq!(status.as_str(), s.as_str());
        }
        let _ = (Currency::parse(&s), Role::parse(&s), MealPlan::parse(&s), InteractionKind::parse(&s));
        let _ = (TourKind::parse(&s), TourStatus::parse(&s), TourService::parse(&s));
        let _ = (PaymentMethod::parse(&s), OperationKind::parse(&s));
    }
}
