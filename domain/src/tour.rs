//! Tour vocabulary: kinds, statuses, services.

use crate::text::{self, keyed_enum};
use serde::{Deserialize, Serialize};

keyed_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum TourKind: as_str {
        /// An author's excursion tour with its programme along a route.
        Excursion = "excursion",
        /// Flight + accommodation.
        Package = "package",
    }
}

impl TourKind {
    pub fn parse(s: &str) -> Option<TourKind> {
        Self::from_code(s)
    }

    pub fn title_ru(self) -> &'static str {
        text::get("tour_kind", self.as_str())
    }
}

keyed_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum TourStatus: as_str {
        Draft = "draft",
        Published = "published",
        Archived = "archived",
    }
}

impl TourStatus {
    pub fn parse(s: &str) -> Option<TourStatus> {
        Self::from_code(s)
    }

    pub fn title_ru(self) -> &'static str {
        text::get("tour_status", self.as_str())
    }
}

keyed_enum! {
    /// What a tour may include (or explicitly not include).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum TourService: as_str {
        Flight = "flight",
        Transfer = "transfer",
        Accommodation = "accommodation",
        Meals = "meals",
        Insurance = "insurance",
        Excursions = "excursions",
        Guide = "guide",
        VisaSupport = "visa_support",
        EntranceFees = "entrance_fees",
    }
}

impl TourService {
    pub fn parse(s: &str) -> Option<TourService> {
        Self::from_code(s)
    }

    pub fn title_ru(self) -> &'static str {
        text::get("tour_service", self.as_str())
    }
}

/// What a destination typed in a chat is searched by: the words folded (`search_key`), without
/// the preposition before them and the last word without its case ending, so «в Турцию»,
/// «Грецию» or «на Алтае» find «Турция», «Греция», «Алтай».
pub fn destination_key(typed: &str) -> String {
    const PREPOSITIONS: &[&str] = &["в", "во", "на", "из", "по", "до", "к"];
    const ENDINGS: &[char] = &['а', 'я', 'у', 'ю', 'е', 'и', 'ы', 'о', 'ь', 'й'];
    let key = crate::search_key(&typed.split_whitespace().collect::<Vec<_>>().join(" "));
    let mut words: Vec<&str> = key.split(' ').filter(|w| !w.is_empty()).collect();
    if words.len() > 1 && PREPOSITIONS.contains(&words[0]) {
        words.remove(0);
    }
    // Only the last word: the key is matched as one piece, and «Горный Алтай» must still be
    // found by «горный алта».
    if let Some(last) = words.last_mut()
        && let Some(stem) = last.strip_suffix(ENDINGS).filter(|stem| stem.chars().count() >= 4)
    {
        *last = stem;
    }
    words.join(" ")
}

#[cfg(test)]
mod destination_tests {
    use super::destination_key;

    #[test]
    fn a_destination_is_found_in_the_case_a_chat_writes_it() {
        for (typed, found_in) in [
            ("в Турцию", "турция"),
            ("Грецию", "греция"),
            ("на Алтае", "алтай"),
            ("Сочи", "сочи"),
            ("Египет", "египет"),
            ("Горный Алтай", "горный алтай"),
        ] {
            let key = destination_key(typed);
            assert!(found_in.contains(&key), "{typed} → {key}");
        }
    }
}
