//! Inline-button payloads: compact (Telegram allows 64 bytes), and parsed strictly — anything
//! that does not parse is `None`, never a guess. Ids in callbacks are only *requests*: the
//! services check the actor may touch the record, so a crafted payload reaches nothing.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Callback {
    /// A departure city offered during registration, by its index in the built-in list.
    City(u16),
    Yes,
    No,
    /// Open a tour card.
    Tour(i64),
    /// Book this departure.
    Depart(i64),
    /// Number of travellers.
    Count(u8),
    /// Catalog page.
    Page(u32),
    /// Catalog filters: ask for a destination, choose a month (yyyymm, 0 = any), a budget
    /// (thousands of roubles, 0 = any), toggle hot tours, clear all.
    AskDestination,
    AskMonth,
    Month(u32),
    AskBudget,
    Budget(u32),
    Hot,
    ClearFilters,
    /// Settings.
    ChangeCity,
    ToggleMarketing,
    /// The «Отписаться» button under marketing messages.
    Unsubscribe,
}

impl Callback {
    pub fn encode(&self) -> String {
        match self {
            Callback::City(i) => format!("c:{i}"),
            Callback::Yes => "y".into(),
            Callback::No => "n".into(),
            Callback::Tour(id) => format!("t:{id}"),
            Callback::Depart(id) => format!("d:{id}"),
            Callback::Count(n) => format!("k:{n}"),
            Callback::Page(p) => format!("p:{p}"),
            Callback::AskDestination => "fd".into(),
            Callback::AskMonth => "fm".into(),
            Callback::Month(m) => format!("m:{m}"),
            Callback::AskBudget => "fb".into(),
            Callback::Budget(b) => format!("b:{b}"),
            Callback::Hot => "fh".into(),
            Callback::ClearFilters => "fx".into(),
            Callback::ChangeCity => "sc".into(),
            Callback::ToggleMarketing => "sm".into(),
            Callback::Unsubscribe => "u".into(),
        }
    }

    pub fn decode(data: &str) -> Option<Callback> {
        if data.len() > 64 {
            return None;
        }
        let (tag, arg) = match data.split_once(':') {
            Some((t, a)) => (t, Some(a)),
            None => (data, None),
        };
        fn digits(a: Option<&str>, max_len: usize) -> Option<&str> {
            a.filter(|a| !a.is_empty() && a.len() <= max_len && a.bytes().all(|b| b.is_ascii_digit()))
        }
        let id = || digits(arg, 15)?.parse::<i64>().ok().filter(|v| *v > 0);
        let small = |max_len| digits(arg, max_len)?.parse::<u32>().ok();
        Some(match (tag, arg) {
            ("c", _) => Callback::City(u16::try_from(small(5)?).ok()?),
            ("y", None) => Callback::Yes,
            ("n", None) => Callback::No,
            ("t", _) => Callback::Tour(id()?),
            ("d", _) => Callback::Depart(id()?),
            ("k", _) => Callback::Count(u8::try_from(small(2)?).ok().filter(|n| (1..=30).contains(n))?),
            ("p", _) => Callback::Page(small(4)?),
            ("fd", None) => Callback::AskDestination,
            ("fm", None) => Callback::AskMonth,
            ("m", _) => Callback::Month(small(6)?),
            ("fb", None) => Callback::AskBudget,
            ("b", _) => Callback::Budget(small(5)?),
            ("fh", None) => Callback::Hot,
            ("fx", None) => Callback::ClearFilters,
            ("sc", None) => Callback::ChangeCity,
            ("sm", None) => Callback::ToggleMarketing,
            ("u", None) => Callback::Unsubscribe,
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callbacks_round_trip_and_garbage_is_refused() {
        let all = [
            Callback::City(0),
            Callback::City(31),
            Callback::Yes,
            Callback::No,
            Callback::Tour(1),
            Callback::Tour(999_999_999_999),
            Callback::Depart(42),
            Callback::Count(3),
            Callback::Page(0),
            Callback::AskDestination,
            Callback::AskMonth,
            Callback::Month(202701),
            Callback::AskBudget,
            Callback::Budget(150),
            Callback::Hot,
            Callback::ClearFilters,
            Callback::ChangeCity,
            Callback::ToggleMarketing,
            Callback::Unsubscribe,
        ];
        for c in all {
            assert_eq!(Callback::decode(&c.encode()), Some(c));
            assert!(c.encode().len() <= 64);
        }
        for bad in [
            "",
            "c:",
            "c:-1",
            "c:99999999",
            "c:1:2",
            "y:1",
            "x",
            "c:1a",
            "t:0",
            "t:-5",
            "t:1e3",
            "k:0",
            "k:31",
            "t:1234567890123456",
            "d: 1",
            "fh:1",
            "u:",
            &"c".repeat(65),
        ] {
            assert_eq!(Callback::decode(bad), None, "{bad:?}");
        }
    }
}
