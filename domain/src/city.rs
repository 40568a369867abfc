//! Departure city and the time zone notifications are timed by.

use super::Invalid;
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// Cities agencies usually fly from, with their IANA zones. Anything else is accepted as free
/// text and gets Moscow time until someone sets the zone.
pub const KNOWN_CITIES: &[(&str, &str)] = &[
    ("Москва", "Europe/Moscow"),
    ("Санкт-Петербург", "Europe/Moscow"),
    ("Казань", "Europe/Moscow"),
    ("Нижний Новгород", "Europe/Moscow"),
    ("Ростов-на-Дону", "Europe/Moscow"),
    ("Краснодар", "Europe/Moscow"),
    ("Сочи", "Europe/Moscow"),
    ("Воронеж", "Europe/Moscow"),
    ("Минеральные Воды", "Europe/Moscow"),
    ("Калининград", "Europe/Kaliningrad"),
    ("Самара", "Europe/Samara"),
    ("Волгоград", "Europe/Volgograd"),
    ("Саратов", "Europe/Saratov"),
    ("Уфа", "Asia/Yekaterinburg"),
    ("Екатеринбург", "Asia/Yekaterinburg"),
    ("Пермь", "Asia/Yekaterinburg"),
    ("Челябинск", "Asia/Yekaterinburg"),
    ("Тюмень", "Asia/Yekaterinburg"),
    ("Омск", "Asia/Omsk"),
    ("Новосибирск", "Asia/Novosibirsk"),
    ("Барнаул", "Asia/Barnaul"),
    ("Томск", "Asia/Tomsk"),
    ("Красноярск", "Asia/Krasnoyarsk"),
    ("Кемерово", "Asia/Novokuznetsk"),
    ("Иркутск", "Asia/Irkutsk"),
    ("Улан-Удэ", "Asia/Irkutsk"),
    ("Чита", "Asia/Chita"),
    ("Якутск", "Asia/Yakutsk"),
    ("Хабаровск", "Asia/Vladivostok"),
    ("Владивосток", "Asia/Vladivostok"),
    ("Магадан", "Asia/Magadan"),
    ("Южно-Сахалинск", "Asia/Sakhalin"),
    ("Петропавловск-Камчатский", "Asia/Kamchatka"),
];

/// What people call these cities in a chat, each to a name of [`KNOWN_CITIES`] (compared
/// like the names: case-insensitively, `ё` = `е`).
const SHORT_NAMES: &[(&str, &str)] = &[
    ("Мск", "Москва"),
    ("СПб", "Санкт-Петербург"),
    ("Питер", "Санкт-Петербург"),
    ("Петербург", "Санкт-Петербург"),
    ("Нижний", "Нижний Новгород"),
    ("НН", "Нижний Новгород"),
    ("Ростов", "Ростов-на-Дону"),
    ("Минводы", "Минеральные Воды"),
    ("Екб", "Екатеринбург"),
    ("Новосиб", "Новосибирск"),
    ("Нск", "Новосибирск"),
    ("Петропавловск", "Петропавловск-Камчатский"),
];

/// The names of two words or with a hyphen, as they read after «из» or «с», each to its name in
/// [`KNOWN_CITIES`]: one-word names are declined by rule ([`declined`]), these by hand.
const GENITIVES: &[(&str, &str)] = &[
    ("Нижнего Новгорода", "Нижний Новгород"),
    ("Нижнего", "Нижний Новгород"),
    ("Санкт-Петербурга", "Санкт-Петербург"),
    ("Ростова-на-Дону", "Ростов-на-Дону"),
    ("Минеральных Вод", "Минеральные Воды"),
    ("Минвод", "Минеральные Воды"),
    ("Южно-Сахалинска", "Южно-Сахалинск"),
    ("Петропавловска-Камчатского", "Петропавловск-Камчатский"),
];

pub const DEFAULT_TZ: Tz = chrono_tz::Europe::Moscow;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct City {
    name: String,
    tz: Tz,
}

impl City {
    /// A known city (matched case-insensitively, `ё` = `е`) gets its zone; another name is kept
    /// as typed with the default zone.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let name = input.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() {
            return Err(Invalid::CityEmpty);
        }
        if name.chars().count() > 80 {
            return Err(Invalid::CityTooLong);
        }
        if !name.chars().all(|c| c.is_alphabetic() || matches!(c, ' ' | '-' | '.' | '\'')) {
            return Err(Invalid::CityEmpty);
        }
        let typed = super::name::search_key(&name);
        if let Some(city) = known(&typed) {
            return Ok(city);
        }
        // «из Новосибирска», «с Москвы», «г. Томск»: the city after the word before it, in any
        // of its cases.
        if let Some((first, rest)) = typed.split_once(' ')
            && PREFIXES.contains(&first)
        {
            return known(rest).or_else(|| declined(rest)).ok_or(Invalid::CityUnknown);
        }
        Ok(declined(&typed).unwrap_or(City { name, tz: DEFAULT_TZ }))
    }

    /// Restores a stored city; a zone the tz database no longer knows falls back to Moscow.
    pub fn from_stored(name: String, tz: &str) -> Self {
        City { name, tz: tz.parse().unwrap_or(DEFAULT_TZ) }
    }

    pub fn with_tz(mut self, tz: Tz) -> Self {
        self.tz = tz;
        self
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn tz(&self) -> Tz {
        self.tz
    }

    pub fn is_known(&self) -> bool {
        KNOWN_CITIES.iter().any(|(n, _)| *n == self.name)
    }
}

/// Words that come before a city's name when people answer «откуда вылетаете?».
const PREFIXES: &[&str] = &["из", "изо", "с", "со", "от", "г.", "г", "город", "гор."];

/// Case endings a city's name takes after «из», «в», «с» (Новосибирска, Перми, Самары, Казанью).
const ENDINGS: &[&str] = &["а", "я", "у", "ю", "е", "и", "ы", "ом", "ем", "ой", "ей", "ью"];

/// A known city by its name or chat name, as folded by `search_key`.
fn known(key: &str) -> Option<City> {
    // A chat name stands for its city's full name, then compared like any name.
    let short = SHORT_NAMES.iter().find(|(short, _)| super::name::search_key(short) == key);
    let key = short.map_or_else(|| key.to_owned(), |(_, full)| super::name::search_key(full));
    KNOWN_CITIES
        .iter()
        .find(|(known, _)| super::name::search_key(known) == key)
        .map(|(known, zone)| City { name: (*known).to_owned(), tz: parse_tz(zone) })
}

/// A known city (or chat name) in another case: one of [`GENITIVES`], or a one-word name less a
/// final vowel or soft sign and one of the [`ENDINGS`] («Новосибирска», «Перми», «Самары»,
/// «Ростова»).
fn declined(key: &str) -> Option<City> {
    if let Some((_, name)) = GENITIVES.iter().find(|(form, _)| super::name::search_key(form) == key) {
        return known(&super::name::search_key(name));
    }
    let mut names = KNOWN_CITIES.iter().map(|(name, _)| *name).chain(SHORT_NAMES.iter().map(|(short, _)| *short));
    names.find_map(|name| {
        let base = super::name::search_key(name);
        if base.contains([' ', '-']) {
            return None;
        }
        let stem = base.strip_suffix(['а', 'я', 'о', 'ь', 'й']).unwrap_or(&base);
        let ending = key.strip_prefix(stem)?;
        if ENDINGS.contains(&ending) { known(&base) } else { None }
    })
}

fn parse_tz(zone: &str) -> Tz {
    zone.parse().unwrap_or(DEFAULT_TZ)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_zone_exists() {
        for (_, zone) in KNOWN_CITIES {
            assert!(zone.parse::<Tz>().is_ok(), "{zone}");
        }
    }

    #[test]
    fn known_cities_get_their_zone_and_spelling() {
        let c = City::parse("  новосибирск ").unwrap();
        assert_eq!(c.name(), "Новосибирск");
        assert_eq!(c.tz(), chrono_tz::Asia::Novosibirsk);
        assert!(c.is_known());
        let other = City::parse("Усть-Кут").unwrap();
        assert_eq!(other.name(), "Усть-Кут");
        assert_eq!(other.tz(), DEFAULT_TZ);
        assert!(!other.is_known());
    }

    #[test]
    fn what_people_call_a_city_in_a_chat_is_that_city() {
        for (typed, meant) in [("екб", "Екатеринбург"), ("Питер", "Санкт-Петербург"), ("спб", "Санкт-Петербург")]
        {
            let c = City::parse(typed).unwrap();
            assert_eq!((c.name(), c.is_known()), (meant, true), "{typed}");
        }
        assert_eq!(City::parse("ЕКБ").unwrap().tz(), chrono_tz::Asia::Yekaterinburg);
        for (_, full) in SHORT_NAMES {
            assert!(KNOWN_CITIES.iter().any(|(n, _)| n == full), "{full} is a known city");
        }
    }

    #[test]
    fn a_city_after_from_or_in_another_case_is_that_city() {
        for (typed, meant) in [
            ("из Новосибирска", "Новосибирск"),
            ("Из перми", "Пермь"),
            ("с Самары", "Самара"),
            ("г. Томск", "Томск"),
            ("из Москвы", "Москва"),
            ("из Казани", "Казань"),
            ("из Екб", "Екатеринбург"),
            ("Новосибирска", "Новосибирск"),
            ("из Сочи", "Сочи"),
            ("из Ростова", "Ростов-на-Дону"),
            ("с Питера", "Санкт-Петербург"),
            ("из Нижнего Новгорода", "Нижний Новгород"),
            ("из нижнего", "Нижний Новгород"),
            ("из Санкт-Петербурга", "Санкт-Петербург"),
            ("Из Ростова-на-Дону", "Ростов-на-Дону"),
            ("с Минеральных Вод", "Минеральные Воды"),
            ("из Южно-Сахалинска", "Южно-Сахалинск"),
            ("из Петропавловска-Камчатского", "Петропавловск-Камчатский"),
            ("Нижнего Новгорода", "Нижний Новгород"),
        ] {
            let c = City::parse(typed).unwrap();
            assert_eq!((c.name(), c.is_known()), (meant, true), "{typed}");
        }
        assert_eq!(City::parse("из Новосибирска").unwrap().tz(), chrono_tz::Asia::Novosibirsk);
        // Words that are not a city after «из» are refused, not kept as a city.
        assert_eq!(City::parse("из дома"), Err(Invalid::CityUnknown));
        assert_eq!(City::parse("с работы"), Err(Invalid::CityUnknown));
        // A city the list does not know is kept as typed, in Moscow time until set.
        assert_eq!(City::parse("Усть-Кут").unwrap().name(), "Усть-Кут");
        assert_eq!(City::parse("Омская").unwrap().name(), "Омская");
    }

    #[test]
    fn bad_city_is_refused() {
        assert_eq!(City::parse(""), Err(Invalid::CityEmpty));
        assert_eq!(City::parse("<b>"), Err(Invalid::CityEmpty));
        assert_eq!(City::parse(&"а".repeat(81)), Err(Invalid::CityTooLong));
    }
}
