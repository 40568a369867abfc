//! What a travel agent must be warned of about a traveller's foreign passport. A warning never
//! stops the document from being saved: the passport is what it is, and the agent decides.

use super::ForeignPassport;
use crate::format_ru_date;
use crate::text;
use crate::translit::passport_latin_name;
use chrono::{Months, NaiveDate};
use serde::Serialize;

/// Most countries want a passport valid six months after the trip ends.
const VALID_AFTER_RETURN: Months = Months::new(6);

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DocWarning {
    /// The passport expires less than six months after the return date.
    ForeignPassportExpiresSoon { expires_on: NaiveDate, needed_until: NaiveDate },
    /// The Latin name differs from the transliteration of the Cyrillic full name.
    LatinNameDiffers { printed: String, expected: String },
    /// The passport is no longer valid (entered on a client's card, with no trip to measure by).
    ForeignPassportExpired { expires_on: NaiveDate },
}

impl DocWarning {
    pub fn message_ru(&self) -> String {
        match self {
            DocWarning::ForeignPassportExpiresSoon { expires_on, needed_until } => text::fill(
                "doc_warning",
                "expires_soon",
                &[("expires_on", &format_ru_date(*expires_on)), ("needed_until", &format_ru_date(*needed_until))],
            ),
            DocWarning::LatinNameDiffers { printed, expected } => {
                text::fill("doc_warning", "latin_name_differs", &[("printed", printed), ("expected", expected)])
            }
            DocWarning::ForeignPassportExpired { expires_on } => {
                text::fill("doc_warning", "expired", &[("expires_on", &format_ru_date(*expires_on))])
            }
        }
    }
}

impl DocWarning {
    /// The warning's name in a link (the panel's «Сохранено» after a redirect says it again
    /// from this, without the passport's data in the address).
    pub fn code(&self) -> &'static str {
        match self {
            DocWarning::ForeignPassportExpiresSoon { .. } => "expires_soon",
            DocWarning::LatinNameDiffers { .. } => "latin_name_differs",
            DocWarning::ForeignPassportExpired { .. } => "expired",
        }
    }

    /// The warning said without the passport's data, by its [`code`](Self::code); `None` for
    /// a code no warning has.
    pub fn brief_ru(code: &str) -> Option<&'static str> {
        Some(match code {
            "expires_soon" => text::get("doc_warning", "brief_expires_soon"),
            "latin_name_differs" => text::get("doc_warning", "brief_latin_name_differs"),
            "expired" => text::get("doc_warning", "brief_expired"),
            _ => return None,
        })
    }
}

/// How a foreign passport that expires on `expires_on` stands on `today`, for the cards that
/// list it: run out, or running out within six months (too short for most trips abroad);
/// `None` while it has longer.
pub fn passport_expiry_ru(expires_on: NaiveDate, today: NaiveDate) -> Option<&'static str> {
    if expires_on < today {
        Some(text::get("doc_warning", "card_expired"))
    } else if expires_on < today.checked_add_months(VALID_AFTER_RETURN).unwrap_or(today) {
        Some(text::get("doc_warning", "card_expires_soon"))
    } else {
        None
    }
}

/// The warnings about a foreign passport of the traveller named `full_name` (Cyrillic, as in
/// the internal passport) on a trip that returns on `returns_on`.
pub fn foreign_passport_warnings(p: &ForeignPassport, full_name: &str, returns_on: NaiveDate) -> Vec<DocWarning> {
    let mut out = Vec::new();
    let needed_until = returns_on.checked_add_months(VALID_AFTER_RETURN).unwrap_or(returns_on);
    if p.expires_on < needed_until {
        out.push(DocWarning::ForeignPassportExpiresSoon { expires_on: p.expires_on, needed_until });
    }
    out.extend(latin_name_warning(p, full_name));
    out
}

/// The warnings about a client's own foreign passport entered on their card, with no trip yet:
/// expired, or a Latin name off the rules.
pub fn own_passport_warnings(p: &ForeignPassport, full_name: &str, today: NaiveDate) -> Vec<DocWarning> {
    let mut out = Vec::new();
    if p.expires_on < today {
        out.push(DocWarning::ForeignPassportExpired { expires_on: p.expires_on });
    }
    out.extend(latin_name_warning(p, full_name));
    out
}

fn latin_name_warning(p: &ForeignPassport, full_name: &str) -> Option<DocWarning> {
    let expected = passport_latin_name(full_name);
    // A name already in Latin letters (a foreign companion) has nothing to compare with.
    let cyrillic = full_name.chars().any(|c| ('А'..='я').contains(&c) || c == 'ё' || c == 'Ё');
    (cyrillic && expected.replace('-', " ") != p.latin_name.as_str().replace('-', " "))
        .then(|| DocWarning::LatinNameDiffers { printed: p.latin_name.as_str().to_owned(), expected })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn passport(latin: &str, expires: NaiveDate) -> ForeignPassport {
        ForeignPassport::parse("751234567", d(2020, 1, 1), expires, "МВД 77001", latin, d(2026, 11, 25)).unwrap()
    }

    #[test]
    fn a_card_says_a_passport_ran_out_or_runs_out_within_six_months() {
        let today = d(2026, 12, 6);
        assert_eq!(passport_expiry_ru(d(2026, 12, 5), today), Some("срок истёк"));
        assert_eq!(passport_expiry_ru(d(2026, 12, 6), today), Some("истекает меньше чем через полгода"));
        assert_eq!(passport_expiry_ru(d(2027, 6, 5), today), Some("истекает меньше чем через полгода"));
        assert_eq!(passport_expiry_ru(d(2027, 6, 6), today), None);
        for w in [
            DocWarning::ForeignPassportExpired { expires_on: today },
            DocWarning::ForeignPassportExpiresSoon { expires_on: today, needed_until: today },
            DocWarning::LatinNameDiffers { printed: "IVANOVA".into(), expected: "IVANOVA MARIIA".into() },
        ] {
            let brief = DocWarning::brief_ru(w.code()).unwrap();
            assert!(!brief.contains("IVANOVA"), "no passport data in it: {brief}");
        }
        assert_eq!(DocWarning::brief_ru("forged"), None);
    }

    #[test]
    fn a_passport_must_last_six_months_after_the_return() {
        let back = d(2027, 3, 10);
        let w = foreign_passport_warnings(&passport("IVANOVA MARIIA", d(2027, 9, 9)), "Иванова Мария Петровна", back);
        assert_eq!(
            w,
            [DocWarning::ForeignPassportExpiresSoon { expires_on: d(2027, 9, 9), needed_until: d(2027, 9, 10) }]
        );
        assert!(w[0].message_ru().contains("09.09.2027"), "{}", w[0].message_ru());
        let ok = foreign_passport_warnings(&passport("IVANOVA MARIIA", d(2027, 9, 10)), "Иванова Мария Петровна", back);
        assert_eq!(ok, []);
    }

    #[test]
    fn a_latin_name_off_the_rules_is_pointed_out() {
        let far = d(2035, 1, 1);
        let back = d(2027, 3, 10);
        let w = foreign_passport_warnings(&passport("IVANOVA MARIYA", far), "Иванова Мария Петровна", back);
        assert_eq!(
            w,
            [DocWarning::LatinNameDiffers { printed: "IVANOVA MARIYA".into(), expected: "IVANOVA MARIIA".into() }]
        );
        assert!(w[0].message_ru().contains("IVANOVA MARIIA"));
        assert_eq!(foreign_passport_warnings(&passport("SMITH JOHN", far), "Smith John", back), []);
        assert_eq!(
            foreign_passport_warnings(&passport("SALTYKOV-SHCHEDRIN MIKHAIL", far), "Салтыков-Щедрин Михаил", back),
            []
        );
    }
}
