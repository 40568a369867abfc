//! Inline-button payloads: compact (Telegram allows 64 bytes), and parsed strictly — anything
//! that does not parse is `None`, never a guess. Ids in callbacks are only *requests*: the
//! services check the actor may touch the record, so a crafted payload reaches nothing.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Callback {
    /// A departure city offered during registration, by its index in the built-in list.
    City(u16),
    /// A yes/no answer.
    Yes,
    No,
}

impl Callback {
    pub fn encode(&self) -> String {
        match self {
            Callback::City(i) => format!("c:{i}"),
            Callback::Yes => "y".into(),
            Callback::No => "n".into(),
        }
    }

    pub fn decode(data: &str) -> Option<Callback> {
        if data.len() > 64 {
            return None;
        }
        let (tag, arg) = data.split_once(':').unwrap_or((data, ""));
        let num = || -> Option<u16> {
            if arg.is_empty() || arg.len() > 5 || !arg.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            arg.parse().ok()
        };
        match tag {
            "c" => num().map(Callback::City),
            "y" if arg.is_empty() => Some(Callback::Yes),
            "n" if arg.is_empty() => Some(Callback::No),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callbacks_round_trip_and_garbage_is_refused() {
        for c in [Callback::City(0), Callback::City(31), Callback::Yes, Callback::No] {
            assert_eq!(Callback::decode(&c.encode()), Some(c));
            assert!(c.encode().len() <= 64);
        }
        for bad in ["", "c:", "c:-1", "c:99999999", "c:1:2", "y:1", "x", "c:1a", &"c".repeat(65)] {
            assert_eq!(Callback::decode(bad), None, "{bad:?}");
        }
    }
}
