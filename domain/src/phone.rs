//! A Russian mobile or landline number in canonical E.164 form (`+7XXXXXXXXXX`).

use super::Invalid;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Phone(String);

impl Phone {
    /// Accepts the ways people write Russian numbers: `+7 912 345-67-89`, `8 (912) 345-67-89`,
    /// `79123456789`, `9123456789`. Separators (spaces, dashes, dots, brackets) are ignored.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        // «мой номер 8 912…», «тел.: +7…»: the words before the number are not part of it.
        let number = input.trim().trim_start_matches(|c: char| c.is_alphabetic() || matches!(c, ':' | '.' | ',' | ' '));
        let trimmed = if number.is_empty() { input.trim() } else { number };
        if trimmed.is_empty() {
            return Err(Invalid::PhoneEmpty);
        }
        let mut digits = String::with_capacity(12);
        for (i, c) in trimmed.chars().enumerate() {
            match c {
                '0'..='9' => digits.push(c),
                '+' if i == 0 => {}
                ' ' | '-' | '(' | ')' | '.' | '\u{a0}' => {}
                _ => return Err(Invalid::PhoneChars),
            }
        }
        let national = match digits.len() {
            10 if digits.starts_with('9') || trimmed.starts_with('+') => {
                if trimmed.starts_with('+') {
                    // "+9…" with ten digits is some other country.
                    return Err(Invalid::PhoneNotRussian);
                }
                digits
            }
            10 => return Err(Invalid::PhoneNotRussian),
            11 if digits.starts_with('7') => digits[1..].to_owned(),
            11 if digits.starts_with('8') && !trimmed.starts_with('+') => digits[1..].to_owned(),
            11 => return Err(Invalid::PhoneNotRussian),
            0 => return Err(Invalid::PhoneEmpty),
            _ => return Err(Invalid::PhoneLength),
        };
        // Russian numbering plan: area/mobile codes start with 3, 4, 8 or 9.
        if !matches!(national.as_bytes()[0], b'3' | b'4' | b'8' | b'9') {
            return Err(Invalid::PhoneNotRussian);
        }
        Ok(Phone(format!("+7{national}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A stored number as people read it: `+7 912 345-67-89`. Anything not in the canonical
/// Russian form is returned as stored.
pub fn format_phone(stored: &str) -> String {
    match stored.strip_prefix("+7") {
        Some(n) if n.len() == 10 && n.bytes().all(|b| b.is_ascii_digit()) => {
            format!("+7 {} {}-{}-{}", &n[..3], &n[3..6], &n[6..8], &n[8..])
        }
        _ => stored.to_owned(),
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Phone {
    type Error = Invalid;
    fn try_from(s: String) -> Result<Self, Invalid> {
        Phone::parse(&s)
    }
}

impl From<Phone> for String {
    fn from(p: Phone) -> String {
        p.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn russian_spellings_become_one_canonical_form() {
        for input in [
            "8 (912) 345-67-89",
            "+7 912 3456789",
            "9123456789",
            "79123456789",
            "+7(912)345-67-89",
            " 8-912-345-67-89 ",
            "+7 912 345 67 89",
            "мой номер 8 912 345 67 89",
            "Тел.: +7 912 345-67-89",
        ] {
            assert_eq!(Phone::parse(input).unwrap().as_str(), "+79123456789", "{input}");
        }
    }

    #[test]
    fn garbage_is_refused_with_a_reason() {
        let cases = [
            ("", Invalid::PhoneEmpty),
            ("   ", Invalid::PhoneEmpty),
            ("abc", Invalid::PhoneChars),
            ("+7 912 345 67 8x", Invalid::PhoneChars),
            ("12345", Invalid::PhoneLength),
            ("+7 912 345 67 899", Invalid::PhoneLength),
            ("+1 912 345 67 89", Invalid::PhoneNotRussian),
            ("+8 912 345 67 89", Invalid::PhoneNotRussian),
            ("1123456789", Invalid::PhoneNotRussian),
            ("+79123456789+", Invalid::PhoneChars),
            ("+7 112 345 67 89", Invalid::PhoneNotRussian),
            ("+9123456789", Invalid::PhoneNotRussian),
        ];
        for (input, reason) in cases {
            assert_eq!(Phone::parse(input), Err(reason), "{input:?}");
        }
    }

    #[test]
    fn landlines_are_accepted() {
        assert_eq!(Phone::parse("8 (495) 123-45-67").unwrap().as_str(), "+74951234567");
    }

    #[test]
    fn stored_numbers_read_in_groups() {
        assert_eq!(format_phone("+79123456789"), "+7 912 345-67-89");
        assert_eq!(format_phone(Phone::parse("8 (495) 123-45-67").unwrap().as_str()), "+7 495 123-45-67");
        assert_eq!(format_phone("+971041234567"), "+971041234567");
        assert_eq!(format_phone(""), "");
    }
}
