//! A bank transfer to the agency as the QR code every Russian bank app reads: the payload of
//! GOST R 56042-2014 («Стандарты финансовых операций. Двумерные символы штрихового кода для
//! осуществления платежей физических лиц»), and the purpose text by which the accountant's
//! page finds the booking a transfer pays. Both the text and its reading back live here, so the
//! two cannot drift apart. Pure: no database, no clock.

use crate::domain::{BookingId, Currency, Invalid, Money};
use crate::paperwork::requisites::AgencyRequisites;
use crate::text;

/// «ST0001» is the format id, «2» marks UTF-8 (1 is windows-1251, 3 KOI8-R), then the
/// separator the payload uses, which therefore may not appear inside a value.
const HEADER: &str = "ST00012|";
const SEPARATOR: char = '|';

/// The maximum lengths of the standard's tables 1 and 2, in characters.
const MAX_NAME: usize = 160;
const MAX_BANK_NAME: usize = 45;
const MAX_PURPOSE: usize = 210;
const MAX_SUM_DIGITS: usize = 18;

/// The purpose of a transfer for a booking: «Оплата по брони №<id>, Иванов И.И., без НДС».
/// The payer's name is shortened when the whole would pass the standard's 210 characters; the
/// number, which the accountant's matching needs, always stays.
pub fn purpose(booking: BookingId, client_name: &str) -> String {
    let payer = crate::domain::surname_and_initials(client_name);
    let full = text::fill("bank_transfer", "purpose", &[("booking", &booking.0), ("payer", &payer)]);
    if full.chars().count() <= MAX_PURPOSE {
        return full;
    }
    let over = full.chars().count() - MAX_PURPOSE;
    let short: String = payer.chars().take(payer.chars().count().saturating_sub(over)).collect();
    text::fill("bank_transfer", "purpose", &[("booking", &booking.0), ("payer", &short.trim_end())])
}

/// The booking a transfer's purpose names by «№<id>», if it names one; the first «№» followed
/// by a number counts («Счёт №, по брони №9» is 9). Banks keep the purpose as typed, so spaces
/// after the sign are allowed.
pub fn booking_in_purpose(purpose: &str) -> Option<BookingId> {
    purpose.match_indices('№').find_map(|(i, sign)| leading_number(purpose[i + sign.len()..].trim_start()))
}

/// A positive booking number at the start of `s`.
pub fn leading_number(s: &str) -> Option<BookingId> {
    let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
    digits.parse::<i64>().ok().filter(|id| *id > 0).map(BookingId)
}

/// The GOST payload of a transfer of `amount` to the agency with `purpose`. Refused for a
/// currency other than roubles (the standard's sum is in kopecks) and for a zero amount.
/// Names too long for the standard are cut; the separator and line breaks inside a value are
/// replaced by spaces, so no value can add or break a field.
pub fn payload(req: &AgencyRequisites, purpose: &str, amount: Money) -> Result<String, Invalid> {
    if amount.currency != Currency::RUB {
        return Err(Invalid::CurrencyMismatch);
    }
    if amount.minor <= 0 {
        return Err(Invalid::AmountZero);
    }
    let sum = amount.minor.to_string();
    if sum.len() > MAX_SUM_DIGITS {
        return Err(Invalid::MoneyFormat);
    }
    // Accounts, BIC and INN were checked digit by digit when the requisites were saved.
    let fields = [
        ("Name", clean(&req.full_name(), MAX_NAME)),
        ("PersonalAcc", clean(&req.bank_account, 20)),
        ("BankName", clean(&req.bank_name, MAX_BANK_NAME)),
        ("BIC", clean(&req.bik, 9)),
        ("CorrespAcc", clean(&req.corr_account, 20)),
        ("PayeeINN", clean(&req.inn, 12)),
        ("Purpose", clean(purpose, MAX_PURPOSE)),
        ("Sum", sum),
    ];
    let mut out = String::from(HEADER);
    for (i, (key, value)) in fields.iter().enumerate() {
        if i > 0 {
            out.push(SEPARATOR);
        }
        out.push_str(key);
        out.push('=');
        out.push_str(value);
    }
    Ok(out)
}

/// A value as the payload may carry it: no separator, no control characters, spaces collapsed,
/// at most `max` characters.
fn clean(value: &str, max: usize) -> String {
    let spaced: String = value.chars().map(|c| if c == SEPARATOR || c.is_control() { ' ' } else { c }).collect();
    let collapsed = spaced.split_whitespace().collect::<Vec<_>>().join(" ");
    collapsed.chars().take(max).collect::<String>().trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn requisites() -> AgencyRequisites {
        AgencyRequisites {
            legal_form: "ООО".into(),
            name: "Солнечный берег".into(),
            inn: "7707083893".into(),
            bank_account: "40702810938000000001".into(),
            bik: "044525225".into(),
            bank_name: "ПАО Сбербанк".into(),
            corr_account: "30101810400000000225".into(),
            ..Default::default()
        }
    }

    #[test]
    fn the_payload_has_the_standard_header_and_fields_in_order() {
        let p = payload(
            &requisites(),
            &purpose(BookingId(42), "Иванов Иван Иванович"),
            Money::new(1_500_050, Currency::RUB),
        )
        .expect("valid");
        assert_eq!(
            p,
            "ST00012|Name=ООО «Солнечный берег»|PersonalAcc=40702810938000000001|BankName=ПАО Сбербанк|\
             BIC=044525225|CorrespAcc=30101810400000000225|PayeeINN=7707083893|\
             Purpose=Оплата по брони №42, Иванов И.И., без НДС|Sum=1500050"
        );
    }

    #[test]
    fn a_separator_or_a_line_break_inside_a_value_cannot_make_a_field() {
        let mut r = requisites();
        r.name = "Берег|Sum=1".into();
        r.bank_name = "Банк\nBIC=000000000".into();
        let p = payload(&r, "за тур|PayeeINN=1", Money::new(100, Currency::RUB)).expect("valid");
        let keys: Vec<&str> = p.split('|').skip(1).map(|f| f.split_once('=').map_or(f, |(k, _)| k)).collect();
        assert_eq!(keys, ["Name", "PersonalAcc", "BankName", "BIC", "CorrespAcc", "PayeeINN", "Purpose", "Sum"]);
        assert!(p.contains("Name=ООО «Берег Sum=1»|"), "{p}");
        assert!(p.ends_with("|Sum=100"));
    }

    #[test]
    fn long_names_are_cut_to_the_standard_lengths() {
        let mut r = requisites();
        r.name = "Я".repeat(300);
        r.bank_name = "Б".repeat(100);
        let p = payload(&r, &"П".repeat(400), Money::new(1, Currency::RUB)).expect("valid");
        let value = |key: &str| {
            p.split('|').find_map(|f| f.strip_prefix(&format!("{key}="))).map(|v| v.chars().count()).unwrap_or(0)
        };
        assert_eq!((value("Name"), value("BankName"), value("Purpose")), (160, 45, 210));
    }

    #[test]
    fn only_a_positive_amount_in_roubles_is_accepted() {
        let r = requisites();
        assert_eq!(payload(&r, "x", Money::new(100, Currency::EUR)), Err(Invalid::CurrencyMismatch));
        assert_eq!(payload(&r, "x", Money::new(0, Currency::RUB)), Err(Invalid::AmountZero));
    }

    #[test]
    fn the_purpose_names_the_booking_and_reads_back() {
        let p = purpose(BookingId(1234), "Петрова-Водкина Анна");
        assert_eq!(p, "Оплата по брони №1234, Петрова-Водкина А., без НДС");
        assert_eq!(booking_in_purpose(&p), Some(BookingId(1234)));
        assert_eq!(booking_in_purpose("оплата по брони № 77 от клиента"), Some(BookingId(77)));
        assert_eq!(booking_in_purpose("оплата за тур"), None);
        assert_eq!(booking_in_purpose("№ без номера"), None);
    }

    #[test]
    fn a_very_long_name_shortens_the_payer_not_the_number() {
        let p = purpose(BookingId(98765), &format!("{} Анна", "Ы".repeat(250)));
        assert_eq!(p.chars().count(), MAX_PURPOSE);
        assert_eq!(booking_in_purpose(&p), Some(BookingId(98765)));
        assert!(p.ends_with(", без НДС"));
    }
}
