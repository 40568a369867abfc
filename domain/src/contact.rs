//! Contacts of partners abroad: an international phone number and an e-mail address.
//! Clients' phones stay Russian ([`super::Phone`]); hotel managers are often in Turkey, the
//! Emirates or China, so their numbers are any E.164 number.

use super::{Invalid, Phone};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A phone number in E.164 form (`+` and 8–15 digits). Russian numbers written the Russian way
/// (`8 912 …`, `9123456789`) are accepted too and stored as `+7…`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IntlPhone(String);

impl IntlPhone {
    pub fn parse(input: &str) -> Result<IntlPhone, Invalid> {
        let t = input.trim();
        if t.is_empty() {
            return Err(Invalid::PhoneEmpty);
        }
        if let Ok(ru) = Phone::parse(t) {
            return Ok(IntlPhone(ru.as_str().to_owned()));
        }
        let Some(rest) = t.strip_prefix('+') else { return Err(Invalid::IntlPhoneFormat) };
        let mut digits = String::with_capacity(15);
        for c in rest.chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '-' | '(' | ')' | '.' | '\u{a0}' => {}
                _ => return Err(Invalid::PhoneChars),
            }
        }
        // E.164: at most 15 digits; no country code starts with 0.
        if !(8..=15).contains(&digits.len()) || digits.starts_with('0') {
            return Err(Invalid::IntlPhoneFormat);
        }
        Ok(IntlPhone(format!("+{digits}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for IntlPhone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for IntlPhone {
    type Error = Invalid;
    fn try_from(s: String) -> Result<Self, Invalid> {
        IntlPhone::parse(&s)
    }
}

impl From<IntlPhone> for String {
    fn from(p: IntlPhone) -> String {
        p.0
    }
}

/// An e-mail address, checked only as far as a typo is likely: something before `@`, and a
/// domain with a dot that neither starts nor ends it. The mail server is the real check.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Email, Invalid> {
        let t = input.trim();
        if t.is_empty() || t.chars().count() > 254 || t.chars().any(char::is_whitespace) {
            return Err(Invalid::EmailFormat);
        }
        let Some((local, domain)) = t.rsplit_once('@') else { return Err(Invalid::EmailFormat) };
        let domain_ok = domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.');
        if local.is_empty() || !domain_ok || domain.contains("..") {
            return Err(Invalid::EmailFormat);
        }
        // Domains are case-insensitive; the local part, by the standard, is not.
        Ok(Email(format!("{local}@{}", domain.to_lowercase())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Email {
    type Error = Invalid;
    fn try_from(s: String) -> Result<Self, Invalid> {
        Email::parse(&s)
    }
}

impl From<Email> for String {
    fn from(e: Email) -> String {
        e.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn international_phones() {
        let cases: &[(&str, Result<&str, Invalid>)] = &[
            ("+90 (242) 555-12-34", Ok("+902425551234")),
            ("+971 4 123 4567", Ok("+97141234567")),
            ("8 912 345-67-89", Ok("+79123456789")),
            ("9123456789", Ok("+79123456789")),
            ("+1234567", Err(Invalid::IntlPhoneFormat)),
            ("+1234567890123456", Err(Invalid::IntlPhoneFormat)),
            ("+0123456789", Err(Invalid::IntlPhoneFormat)),
            ("902425551234", Err(Invalid::IntlPhoneFormat)),
            ("+90 242 ext 5", Err(Invalid::PhoneChars)),
            ("  ", Err(Invalid::PhoneEmpty)),
        ];
        for (input, want) in cases {
            let got = IntlPhone::parse(input);
            assert_eq!(got.as_ref().map(IntlPhone::as_str), want.as_ref().map(|s| *s), "{input:?}");
        }
    }

    #[test]
    fn emails() {
        let cases: &[(&str, Result<&str, Invalid>)] = &[
            (" Sales@Hotel.COM.tr ", Ok("Sales@hotel.com.tr")),
            ("a@b.c", Ok("a@b.c")),
            ("no-at.example.com", Err(Invalid::EmailFormat)),
            ("x@nodot", Err(Invalid::EmailFormat)),
            ("x@.com", Err(Invalid::EmailFormat)),
            ("x@com.", Err(Invalid::EmailFormat)),
            ("@hotel.com", Err(Invalid::EmailFormat)),
            ("a b@hotel.com", Err(Invalid::EmailFormat)),
            ("", Err(Invalid::EmailFormat)),
        ];
        for (input, want) in cases {
            let got = Email::parse(input);
            assert_eq!(got.as_ref().map(Email::as_str), want.as_ref().map(|s| *s), "{input:?}");
        }
    }
}
