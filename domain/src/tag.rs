//! A client tag such as «VIP» or «семейные туры». Compared case-insensitively.

use super::Invalid;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagName {
    display: String,
}

impl TagName {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let display = input.trim().trim_start_matches('#').split_whitespace().collect::<Vec<_>>().join(" ");
        if display.is_empty() {
            return Err(Invalid::TagEmpty);
        }
        if display.chars().count() > 40 {
            return Err(Invalid::TagTooLong);
        }
        Ok(TagName { display })
    }

    /// As first written: the spelling shown to people.
    pub fn as_str(&self) -> &str {
        &self.display
    }

    /// The case-folded key that makes «vip» and «VIP» one tag.
    pub fn key(&self) -> String {
        super::name::search_key(&self.display)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_fold_case() {
        assert_eq!(TagName::parse("VIP").unwrap().key(), TagName::parse(" #vip ").unwrap().key());
        assert_eq!(TagName::parse("Семейные  туры").unwrap().as_str(), "Семейные туры");
        assert_eq!(TagName::parse("  "), Err(Invalid::TagEmpty));
    }
}
