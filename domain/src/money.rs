//! Money in integer minor units (kopecks, cents) with an ISO 4217 code. Never floats.

use super::Invalid;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Currency {
    RUB,
    USD,
    EUR,
    TRY,
    AED,
    CNY,
    KZT,
}

impl Currency {
    pub fn parse(code: &str) -> Result<Self, Invalid> {
        Ok(match code.trim().to_ascii_uppercase().as_str() {
            "RUB" | "RUR" | "₽" => Currency::RUB,
            "USD" | "$" => Currency::USD,
            "EUR" | "€" => Currency::EUR,
            "TRY" => Currency::TRY,
            "AED" => Currency::AED,
            "CNY" => Currency::CNY,
            "KZT" => Currency::KZT,
            _ => return Err(Invalid::CurrencyUnknown),
        })
    }

    pub fn code(self) -> &'static str {
        match self {
            Currency::RUB => "RUB",
            Currency::USD => "USD",
            Currency::EUR => "EUR",
            Currency::TRY => "TRY",
            Currency::AED => "AED",
            Currency::CNY => "CNY",
            Currency::KZT => "KZT",
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            Currency::RUB => "₽",
            Currency::USD => "$",
            Currency::EUR => "€",
            Currency::TRY => "₺",
            Currency::AED => "AED",
            Currency::CNY => "¥",
            Currency::KZT => "₸",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    /// Minor units: 150000 RUB minor units = 1 500,00 ₽.
    pub minor: i64,
    pub currency: Currency,
}

impl Money {
    pub fn new(minor: i64, currency: Currency) -> Self {
        Money { minor, currency }
    }

    /// Parses what a person types: `15000`, `15 000`, `15000,50`, `15000.5`. Not negative.
    pub fn parse(amount: &str, currency: Currency) -> Result<Self, Invalid> {
        // «30 300 руб», «30 300 ₽»: the ruble after an amount in rubles says nothing more.
        let lower = amount.trim().to_lowercase();
        let amount = match currency {
            Currency::RUB => ["рублей", "рубля", "рубль", "руб.", "руб", "р.", "р", "₽", "rub"]
                .iter()
                .find_map(|unit| lower.strip_suffix(unit))
                .unwrap_or(&lower),
            _ => &lower,
        };
        let cleaned: String = amount
            .trim()
            .chars()
            .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '_'))
            .map(|c| if c == ',' { '.' } else { c })
            .collect();
        if cleaned.starts_with('-') {
            return Err(Invalid::MoneyNegative);
        }
        let (whole, frac) = match cleaned.split_once('.') {
            Some((w, f)) => (w, f),
            None => (cleaned.as_str(), ""),
        };
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(whole) || (!frac.is_empty() && !digits(frac)) {
            return Err(Invalid::MoneyFormat);
        }
        // A number, only not one money is written with: said as it is.
        if frac.len() > 2 {
            return Err(Invalid::MoneyKopecks);
        }
        let whole: i64 = whole.parse().map_err(|_| Invalid::MoneyTooLarge)?;
        let frac: i64 = format!("{frac:0<2}").parse().map_err(|_| Invalid::MoneyFormat)?;
        let minor = whole.checked_mul(100).and_then(|v| v.checked_add(frac)).ok_or(Invalid::MoneyTooLarge)?;
        Ok(Money { minor, currency })
    }
}

impl Money {
    /// The amount as a person types it into a form: `15000` or `15000,50` — no grouping, no
    /// currency sign, so an edit form shows what `parse` takes back.
    pub fn as_typed(&self) -> String {
        let (whole, frac) = (self.minor / 100, (self.minor % 100).abs());
        if frac == 0 { whole.to_string() } else { format!("{whole},{frac:02}") }
    }

    /// The amount with its kopecks always shown, `500,00`: for a field whose neighbours are
    /// percentages (a penalty may be either), where «500» would read as one of them.
    pub fn as_decimal(&self) -> String {
        format!("{},{:02}", self.minor / 100, (self.minor % 100).abs())
    }
}

impl Money {
    /// `425 000,00 ₽`: the kopecks always shown, as accounting documents and the finance pages
    /// write money (the plain `Display` drops «,00» as price lists do).
    pub fn accounting(&self) -> String {
        let plain = self.to_string();
        if self.minor % 100 != 0 {
            return plain;
        }
        let symbol = self.currency.symbol();
        let number = plain.trim_end_matches(symbol).trim_end_matches('\u{a0}');
        format!("{number},00\u{a0}{symbol}")
    }
}

impl fmt::Display for Money {
    /// `212 500 ₽`, `212 500,50 ₽`: Russian grouping and decimal comma, and no «,00» when the
    /// kopecks are zero, as Russian price lists write it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        let whole = (abs / 100).to_string();
        let mut grouped = String::new();
        for (i, c) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i).is_multiple_of(3) {
                grouped.push('\u{a0}');
            }
            grouped.push(c);
        }
        match abs % 100 {
            0 => write!(f, "{sign}{grouped}\u{a0}{}", self.currency.symbol()),
            kopecks => write!(f, "{sign}{grouped},{kopecks:02}\u{a0}{}", self.currency.symbol()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_parse_to_minor_units() {
        let rub = Currency::RUB;
        assert_eq!(Money::parse("15000", rub).unwrap().minor, 1_500_000);
        assert_eq!(Money::parse("15 000,5", rub).unwrap().minor, 1_500_050);
        assert_eq!(Money::parse("0.07", rub).unwrap().minor, 7);
        for typed in ["30 300 руб", "30 300 руб.", "30300 рублей", "30 300 ₽", "30 300р"] {
            assert_eq!(Money::parse(typed, rub).unwrap().minor, 3_030_000, "{typed}");
        }
        assert_eq!(Money::parse("-1", rub), Err(Invalid::MoneyNegative));
        assert_eq!(Money::parse("1.234", rub), Err(Invalid::MoneyKopecks));
        assert_eq!(Money::parse("abc", rub), Err(Invalid::MoneyFormat));
        assert_eq!(Money::parse("", rub), Err(Invalid::MoneyFormat));
        assert_eq!(Money::parse("99999999999999999999", rub), Err(Invalid::MoneyTooLarge));
    }

    #[test]
    fn display_is_russian() {
        assert_eq!(Money::new(123_456_789, Currency::RUB).to_string(), "1\u{a0}234\u{a0}567,89\u{a0}₽");
        assert_eq!(Money::new(5, Currency::EUR).to_string(), "0,05\u{a0}€");
        assert_eq!(Money::new(21_250_000, Currency::RUB).to_string(), "212\u{a0}500\u{a0}₽");
        assert_eq!(Money::new(21_250_050, Currency::RUB).to_string(), "212\u{a0}500,50\u{a0}₽");
        assert_eq!(Money::new(-150_000, Currency::RUB).to_string(), "-1\u{a0}500\u{a0}₽");
        assert_eq!(Money::new(0, Currency::RUB).to_string(), "0\u{a0}₽");
    }

    #[test]
    fn accounting_always_shows_kopecks() {
        assert_eq!(Money::new(42_500_000, Currency::RUB).accounting(), "425\u{a0}000,00\u{a0}₽");
        assert_eq!(Money::new(21_250_050, Currency::RUB).accounting(), "212\u{a0}500,50\u{a0}₽");
        assert_eq!(Money::new(-150_000, Currency::RUB).accounting(), "-1\u{a0}500,00\u{a0}₽");
        assert_eq!(Money::new(0, Currency::EUR).accounting(), "0,00\u{a0}€");
    }
}
