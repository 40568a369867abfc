//! Identity documents and payment details: the personal data that is only ever stored
//! encrypted (see `crypto`). These types validate; they never touch the database themselves.
//! Each field has its own check in [`fields`], which the constructors here, the panel's forms
//! and the bot's step-by-step entry all use, so every front-end refuses a field with the same
//! reason.

pub mod fields;
mod kind;
mod refund;
mod warnings;

use super::Invalid;
use chrono::{Datelike, NaiveDate};
use fields::issue_date;
use serde::{Deserialize, Serialize};

pub use kind::{CHILD_AGE, DocKind, is_abroad, needed_documents};
pub use refund::{RefundField, refund_details};
pub use warnings::{DocWarning, foreign_passport_warnings, own_passport_warnings, passport_expiry_ru};

/// The internal Russian passport («паспорт РФ»): series of 4 digits, number of 6.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InternalPassport {
    pub series: String,
    pub number: String,
    pub issued_on: NaiveDate,
    pub issuer: String,
    /// «Код подразделения», `NNN-NNN`. Required on entry; `None` only in documents stored
    /// before it was.
    pub division_code: Option<String>,
}

impl InternalPassport {
    pub fn parse(
        series: &str,
        number: &str,
        issued_on: NaiveDate,
        issuer: &str,
        division_code: Option<&str>,
        today: NaiveDate,
    ) -> Result<Self, Invalid> {
        Ok(InternalPassport {
            series: fields::internal_series(series)?,
            number: fields::internal_number(number)?,
            issued_on: issue_date(issued_on, today)?,
            issuer: fields::issuer(issuer)?,
            division_code: Some(fields::division_code(division_code.unwrap_or_default())?),
        })
    }
}

/// A name in Latin letters exactly as printed in the foreign passport.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LatinName(String);

impl LatinName {
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        let t = s.split_whitespace().collect::<Vec<_>>().join(" ").to_ascii_uppercase();
        if t.len() < 3
            || t.len() > 100
            || !t.chars().all(|c| c.is_ascii_uppercase() || matches!(c, ' ' | '-' | '\''))
            || !t.contains(' ')
        {
            return Err(Invalid::LatinName);
        }
        Ok(LatinName(t))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The foreign passport («загранпаспорт»): 2-digit series and 7-digit number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForeignPassport {
    pub number: String,
    pub issued_on: NaiveDate,
    pub expires_on: NaiveDate,
    pub issuer: String,
    pub latin_name: LatinName,
}

impl ForeignPassport {
    pub fn parse(
        number: &str,
        issued_on: NaiveDate,
        expires_on: NaiveDate,
        issuer: &str,
        latin_name: &str,
        today: NaiveDate,
    ) -> Result<Self, Invalid> {
        let number = fields::foreign_number(number)?;
        let issued_on = issue_date(issued_on, today)?;
        if expires_on <= issued_on {
            return Err(Invalid::ExpiryBeforeIssue);
        }
        Ok(ForeignPassport {
            number,
            issued_on,
            expires_on,
            issuer: fields::issuer(issuer)?,
            latin_name: LatinName::parse(latin_name)?,
        })
    }
}

/// A child's birth certificate («свидетельство о рождении», Russian form since 1990s): a series
/// of a Roman numeral and two Cyrillic letters (`IV-МЮ`) and a number of 6 digits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BirthCertificate {
    pub series: String,
    pub number: String,
    pub issued_on: NaiveDate,
    pub issuer: String,
}

impl BirthCertificate {
    pub fn parse(
        series: &str,
        number: &str,
        issued_on: NaiveDate,
        issuer: &str,
        today: NaiveDate,
    ) -> Result<Self, Invalid> {
        Ok(BirthCertificate {
            series: fields::birth_certificate_series(series)?,
            number: fields::birth_certificate_number(number)?,
            issued_on: issue_date(issued_on, today)?,
            issuer: fields::issuer(issuer)?,
        })
    }
}

/// One identity document of a traveller, whichever kind it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TravellerDocument {
    InternalPassport(InternalPassport),
    ForeignPassport(ForeignPassport),
    BirthCertificate(BirthCertificate),
}

/// The age from which a Russian internal passport is issued.
const INTERNAL_PASSPORT_AGE: i32 = 14;

/// Whether a document of `kind` issued on `issued_on` can belong to someone born on `born`: no
/// document is issued before its holder's birth, and no internal passport before they turn 14.
pub fn check_issued_to(kind: DocKind, issued_on: NaiveDate, born: NaiveDate) -> Result<(), Invalid> {
    if issued_on < born {
        return Err(Invalid::IssuedBeforeBirth);
    }
    // 29 February's holders turn 14 on 1 March in a common year.
    let fourteen = born
        .with_year(born.year() + INTERNAL_PASSPORT_AGE)
        .or_else(|| NaiveDate::from_ymd_opt(born.year() + INTERNAL_PASSPORT_AGE, 3, 1))
        .unwrap_or(born);
    if kind == DocKind::InternalPassport && issued_on < fourteen {
        return Err(Invalid::InternalPassportUnder14);
    }
    Ok(())
}

impl TravellerDocument {
    pub fn issued_on(&self) -> NaiveDate {
        match self {
            TravellerDocument::InternalPassport(p) => p.issued_on,
            TravellerDocument::ForeignPassport(p) => p.issued_on,
            TravellerDocument::BirthCertificate(c) => c.issued_on,
        }
    }

    /// [`check_issued_to`] for this document.
    pub fn check_issued_to(&self, born: NaiveDate) -> Result<(), Invalid> {
        check_issued_to(self.kind(), self.issued_on(), born)
    }

    pub fn kind(&self) -> DocKind {
        match self {
            TravellerDocument::InternalPassport(_) => DocKind::InternalPassport,
            TravellerDocument::ForeignPassport(_) => DocKind::ForeignPassport,
            TravellerDocument::BirthCertificate(_) => DocKind::BirthCertificate,
        }
    }
}

/// Where refunds go: a bank card or a bank account with its BIK.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PaymentDetails {
    Card { number: String, holder: String },
    Account { account: String, bik: String, bank: String, holder: String },
}

impl PaymentDetails {
    pub fn card(number: &str, holder: &str) -> Result<Self, Invalid> {
        Ok(PaymentDetails::Card {
            number: RefundField::CardNumber.check(number)?,
            holder: RefundField::Holder.check(holder)?,
        })
    }

    pub fn account(account: &str, bik: &str, bank: &str, holder: &str) -> Result<Self, Invalid> {
        Ok(PaymentDetails::Account {
            account: RefundField::Account.check(account)?,
            bik: RefundField::Bik.check(bik)?,
            bank: RefundField::Bank.check(bank)?,
            holder: RefundField::Holder.check(holder)?,
        })
    }
}

fn luhn(number: &str) -> bool {
    let sum: u32 = number
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let dd = d * 2;
                if dd > 9 { dd - 9 } else { dd }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn internal_passport_is_checked() {
        let today = d(2026, 11, 25);
        let p =
            InternalPassport::parse("45 08", "123456", d(2010, 1, 1), "ОВД Тверского района", Some("770001"), today)
                .unwrap();
        assert_eq!(p.series, "4508");
        assert_eq!(p.division_code.as_deref(), Some("770-001"));
        assert_eq!(
            InternalPassport::parse("4508", "123456", d(2010, 1, 1), "ОВД", None, today),
            Err(Invalid::DivisionCode)
        );
        assert_eq!(
            InternalPassport::parse("450", "123456", d(2010, 1, 1), "x", None, today),
            Err(Invalid::PassportSeries)
        );
        assert_eq!(
            InternalPassport::parse("4508", "12345a", d(2010, 1, 1), "x", None, today),
            Err(Invalid::PassportNumber)
        );
        assert_eq!(
            InternalPassport::parse("4508", "123456", d(2027, 1, 1), "x", None, today),
            Err(Invalid::IssueDateFuture)
        );
        assert_eq!(
            InternalPassport::parse("4508", "123456", d(2010, 1, 1), " ", None, today),
            Err(Invalid::IssuerEmpty)
        );
        for (typed, why) in [
            ("12.03.2015", Invalid::IssuerLetters),
            ("x", Invalid::IssuerLetters),
            ("ovd tverskogo", Invalid::IssuerLetters),
            ("770-001", Invalid::IssuerLetters),
            ("12 марта 2015", Invalid::IssuerLetters),
            ("1 мая 2020 г.", Invalid::IssuerLetters),
        ] {
            assert_eq!(
                InternalPassport::parse("4508", "123456", d(2010, 1, 1), typed, None, today),
                Err(why),
                "{typed}"
            );
        }
        for fine in ["ОВД", "МВД 77001", "ГУ МВД России по г. Москве", "Отдел ЗАГС №2"]
        {
            assert!(
                InternalPassport::parse("4508", "123456", d(2010, 1, 1), fine, Some("770001"), today).is_ok(),
                "{fine}"
            );
        }
    }

    #[test]
    fn a_document_is_not_issued_before_its_holders_birth_nor_a_passport_before_fourteen() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        let born = d(1990, 3, 14);
        assert_eq!(check_issued_to(DocKind::ForeignPassport, d(1990, 3, 13), born), Err(Invalid::IssuedBeforeBirth));
        assert_eq!(check_issued_to(DocKind::BirthCertificate, d(1990, 3, 20), born), Ok(()));
        assert_eq!(check_issued_to(DocKind::ForeignPassport, d(1995, 1, 1), born), Ok(()));
        assert_eq!(
            check_issued_to(DocKind::InternalPassport, d(2004, 3, 13), born),
            Err(Invalid::InternalPassportUnder14)
        );
        assert_eq!(check_issued_to(DocKind::InternalPassport, d(2004, 3, 14), born), Ok(()));
        let leap = d(2000, 2, 29);
        assert_eq!(
            check_issued_to(DocKind::InternalPassport, d(2014, 2, 28), leap),
            Err(Invalid::InternalPassportUnder14)
        );
        assert_eq!(check_issued_to(DocKind::InternalPassport, d(2014, 3, 1), leap), Ok(()));
    }

    #[test]
    fn foreign_passport_is_checked() {
        let today = d(2026, 11, 25);
        let ok =
            ForeignPassport::parse("75 1234567", d(2020, 1, 1), d(2030, 1, 1), "МВД 77001", "ivanova maria", today);
        assert_eq!(ok.unwrap().latin_name.as_str(), "IVANOVA MARIA");
        assert_eq!(
            ForeignPassport::parse("75 123456", d(2020, 1, 1), d(2030, 1, 1), "МВД", "IVANOVA MARIA", today),
            Err(Invalid::ForeignPassportNumber)
        );
        assert_eq!(
            ForeignPassport::parse("751234567", d(2020, 1, 1), d(2019, 1, 1), "МВД", "IVANOVA MARIA", today),
            Err(Invalid::ExpiryBeforeIssue)
        );
        assert_eq!(
            ForeignPassport::parse("751234567", d(2020, 1, 1), d(2030, 1, 1), "МВД", "Иванова Мария", today),
            Err(Invalid::LatinName)
        );
    }

    #[test]
    fn payment_details_are_checked() {
        assert!(PaymentDetails::card("4276 1000 1234 5671", "MARIA IVANOVA").is_ok());
        assert_eq!(PaymentDetails::card("4276 1000 1234 5674", "X"), Err(Invalid::PaymentDetails));
        assert_eq!(PaymentDetails::card("4276 1000 1234 5671", " "), Err(Invalid::PaymentHolder));
        assert_eq!(
            PaymentDetails::account("40817810099910004312", "044525225", "", "Иванова М."),
            Err(Invalid::BankEmpty)
        );
        assert!(PaymentDetails::account("40817810099910004312", "044525225", "Сбербанк", "Иванова М.").is_ok());
        assert_eq!(PaymentDetails::account("4081", "044525225", "Сбербанк", "И"), Err(Invalid::PaymentDetails));
    }
}
