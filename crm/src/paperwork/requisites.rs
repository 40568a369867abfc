//! The agency's requisites and a tour operator's registry data: what a contract must state
//! about both parties (132-FZ art. 10), entered once by the admin. Each input is checked here,
//! field by field, so the panel can say which field is wrong; INN, OGRN, BIK and accounts by
//! their check digits where the Central Bank and the Federal Tax Service define them.

use crate::domain::Invalid;
use crate::text::{self, keyed_enum};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

keyed_enum! {
    /// A field of the requisites' forms: the code is the form's input name, the text its label.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum RequisiteField: code {
        LegalForm = "legal_form",
        Name = "name",
        Inn = "inn",
        Ogrn = "ogrn",
        Address = "address",
        City = "city",
        Phone = "phone",
        Email = "email",
        BankAccount = "bank_account",
        Bik = "bik",
        BankName = "bank_name",
        CorrAccount = "corr_account",
        Director = "director",
        FullName = "full_name",
        RegistryNumber = "registry_number",
        SecurityKind = "security_kind",
        SecurityAmount = "security_amount",
        SecurityNumber = "security_number",
        SecurityDate = "security_date",
        SecurityFrom = "security_from",
        SecurityUntil = "security_until",
        GuarantorName = "guarantor_name",
        GuarantorAddress = "guarantor_address",
    }
}

impl RequisiteField {
    /// The field's label in the form and in refusals.
    pub fn label_ru(self) -> &'static str {
        text::get("requisite_field", self.code())
    }
}

/// A field and why its value was refused.
pub type FieldProblem = (RequisiteField, Invalid);

/// The agency as the contract's турагент and the consents' operator of personal data.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AgencyRequisites {
    /// «ООО», «ИП»…
    pub legal_form: String,
    /// Without the legal form: «Солнечный берег».
    pub name: String,
    pub inn: String,
    pub ogrn: String,
    pub address: String,
    /// Where contracts are made: the city in their heading.
    pub city: String,
    pub phone: String,
    pub email: String,
    pub bank_account: String,
    pub bik: String,
    pub bank_name: String,
    pub corr_account: String,
    /// Who signs for the agency: «генеральный директор Иванов Иван Иванович».
    pub director: String,
}

impl AgencyRequisites {
    /// «ООО «Солнечный берег»».
    pub fn full_name(&self) -> String {
        format!("{} «{}»", self.legal_form, self.name)
    }

    /// The requisites cleaned (spaces collapsed), or every field that is wrong.
    pub fn checked(&self) -> Result<AgencyRequisites, Vec<FieldProblem>> {
        let mut p = Vec::new();
        let out = AgencyRequisites {
            legal_form: required(&mut p, RequisiteField::LegalForm, &self.legal_form),
            name: required(&mut p, RequisiteField::Name, &self.name),
            inn: checked(&mut p, RequisiteField::Inn, &self.inn, inn),
            ogrn: checked(&mut p, RequisiteField::Ogrn, &self.ogrn, ogrn),
            address: checked(&mut p, RequisiteField::Address, &self.address, address),
            city: required(&mut p, RequisiteField::City, &self.city),
            phone: required(&mut p, RequisiteField::Phone, &self.phone),
            email: checked(&mut p, RequisiteField::Email, &self.email, email),
            bank_account: checked(&mut p, RequisiteField::BankAccount, &self.bank_account, |s| {
                digits(s, 20, Invalid::AccountFormat)
            }),
            bik: checked(&mut p, RequisiteField::Bik, &self.bik, bik),
            bank_name: required(&mut p, RequisiteField::BankName, &self.bank_name),
            corr_account: checked(&mut p, RequisiteField::CorrAccount, &self.corr_account, |s| {
                digits(s, 20, Invalid::AccountFormat)
            }),
            director: required(&mut p, RequisiteField::Director, &self.director),
        };
        if p.is_empty() {
            if !account_key_ok(&out.bik[6..], &out.bank_account) {
                p.push((RequisiteField::BankAccount, Invalid::AccountChecksum));
            }
            if !account_key_ok(&format!("0{}", &out.bik[4..6]), &out.corr_account) {
                p.push((RequisiteField::CorrAccount, Invalid::CorrAccountChecksum));
            }
        }
        if p.is_empty() { Ok(out) } else { Err(p) }
    }
}

/// How a tour operator's liability to tourists is secured (132-FZ art. 17.1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SecurityKind {
    #[default]
    Insurance,
    Guarantee,
}

impl SecurityKind {
    pub const ALL: [SecurityKind; 2] = [SecurityKind::Insurance, SecurityKind::Guarantee];

    pub fn code(self) -> &'static str {
        match self {
            SecurityKind::Insurance => "insurance",
            SecurityKind::Guarantee => "guarantee",
        }
    }

    pub fn parse(code: &str) -> Result<SecurityKind, Invalid> {
        Self::ALL.into_iter().find(|k| k.code() == code).ok_or(Invalid::SecurityKindUnknown)
    }

    /// As a contract names it.
    pub fn title_ru(self) -> &'static str {
        match self {
            SecurityKind::Insurance => text::get("security_kind", "insurance"),
            SecurityKind::Guarantee => text::get("security_kind", "guarantee"),
        }
    }
}

/// A tour operator's entry in the Единый федеральный реестр туроператоров and its financial
/// security, as the contract states them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperatorRegistry {
    /// «Общество с ограниченной ответственностью «Горизонт»».
    pub full_name: String,
    pub address: String,
    pub inn: String,
    /// «РТО 012345».
    pub registry_number: String,
    pub security_kind: SecurityKind,
    /// In kopecks.
    pub security_amount: i64,
    pub security_number: String,
    pub security_date: Option<NaiveDate>,
    pub security_from: Option<NaiveDate>,
    pub security_until: Option<NaiveDate>,
    /// The insurer or the bank.
    pub guarantor_name: String,
    pub guarantor_address: String,
}

impl OperatorRegistry {
    /// Whether the financial security is in force on `day` (a bound not entered limits nothing).
    pub fn security_covers(&self, day: NaiveDate) -> bool {
        self.security_from.is_none_or(|from| from <= day) && self.security_until.is_none_or(|until| day <= until)
    }

    pub fn checked(&self) -> Result<OperatorRegistry, Vec<FieldProblem>> {
        let mut p = Vec::new();
        let out = OperatorRegistry {
            full_name: required(&mut p, RequisiteField::FullName, &self.full_name),
            address: checked(&mut p, RequisiteField::Address, &self.address, address),
            inn: checked(&mut p, RequisiteField::Inn, &self.inn, inn),
            registry_number: checked(&mut p, RequisiteField::RegistryNumber, &self.registry_number, registry_number),
            security_kind: self.security_kind,
            security_amount: self.security_amount,
            security_number: required(&mut p, RequisiteField::SecurityNumber, &self.security_number),
            security_date: self.security_date,
            security_from: self.security_from,
            security_until: self.security_until,
            guarantor_name: required(&mut p, RequisiteField::GuarantorName, &self.guarantor_name),
            guarantor_address: checked(&mut p, RequisiteField::GuarantorAddress, &self.guarantor_address, address),
        };
        if out.security_amount <= 0 {
            p.push((RequisiteField::SecurityAmount, Invalid::AmountZero));
        }
        for (field, date) in [
            (RequisiteField::SecurityDate, out.security_date),
            (RequisiteField::SecurityFrom, out.security_from),
            (RequisiteField::SecurityUntil, out.security_until),
        ] {
            if date.is_none() {
                p.push((field, Invalid::DateFormat));
            }
        }
        if let (Some(from), Some(until)) = (out.security_from, out.security_until)
            && until < from
        {
            p.push((RequisiteField::SecurityUntil, Invalid::DatesOrder));
        }
        if p.is_empty() { Ok(out) } else { Err(p) }
    }
}

const MAX_FIELD: usize = 300;

fn clean(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn required(p: &mut Vec<FieldProblem>, field: RequisiteField, value: &str) -> String {
    checked(p, field, value, |s| Ok(s.to_owned()))
}

fn checked(
    p: &mut Vec<FieldProblem>,
    field: RequisiteField,
    value: &str,
    check: impl Fn(&str) -> Result<String, Invalid>,
) -> String {
    let v = clean(value);
    let result = if v.is_empty() {
        Err(Invalid::RequisiteEmpty)
    } else if v.chars().count() > MAX_FIELD {
        Err(Invalid::FieldTooLong)
    } else {
        check(&v)
    };
    result.unwrap_or_else(|why| {
        p.push((field, why));
        v
    })
}

fn digits(s: &str, len: usize, why: Invalid) -> Result<String, Invalid> {
    let d: String = s.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    if d.len() == len && d.bytes().all(|b| b.is_ascii_digit()) { Ok(d) } else { Err(why) }
}

fn nums(s: &str) -> Vec<u32> {
    s.bytes().map(|b| u32::from(b - b'0')).collect()
}

fn weighted(d: &[u32], weights: &[u32]) -> u32 {
    d.iter().zip(weights).map(|(a, b)| a * b).sum::<u32>() % 11 % 10
}

/// INN of an organisation (10 digits, one check digit) or of a person or ИП (12, two), by the
/// Federal Tax Service's weights.
pub fn inn(s: &str) -> Result<String, Invalid> {
    let d = s.trim();
    if !d.bytes().all(|b| b.is_ascii_digit()) || !(d.len() == 10 || d.len() == 12) {
        return Err(Invalid::InnFormat);
    }
    let n = nums(d);
    let ok = if n.len() == 10 {
        weighted(&n[..9], &[2, 4, 10, 3, 5, 9, 4, 6, 8]) == n[9]
    } else {
        weighted(&n[..10], &[7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) == n[10]
            && weighted(&n[..11], &[3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) == n[11]
    };
    if ok { Ok(d.to_owned()) } else { Err(Invalid::InnChecksum) }
}

/// ОГРН (13 digits: the first 12 mod 11, last digit) or ОГРНИП (15: the first 14 mod 13).
pub fn ogrn(s: &str) -> Result<String, Invalid> {
    let d = s.trim();
    if !d.bytes().all(|b| b.is_ascii_digit()) || !(d.len() == 13 || d.len() == 15) {
        return Err(Invalid::OgrnFormat);
    }
    let (body, check) = d.split_at(d.len() - 1);
    let Ok(body) = body.parse::<u64>() else { return Err(Invalid::OgrnFormat) };
    let modulus = if d.len() == 13 { 11 } else { 13 };
    let expected = body % modulus % 10;
    if check.parse::<u64>().ok() == Some(expected) { Ok(d.to_owned()) } else { Err(Invalid::OgrnChecksum) }
}

/// БИК: 9 digits, a Russian bank's starts with 04. It has no check digit of its own; the
/// accounts are checked against it.
pub fn bik(s: &str) -> Result<String, Invalid> {
    let d = digits(s, 9, Invalid::BikFormat)?;
    if d.starts_with("04") { Ok(d) } else { Err(Invalid::BikFormat) }
}

/// The Central Bank's control key of an account: the three digits of `prefix` (from the BIK)
/// and the 20 of the account, weighted 7-1-3, sum to a multiple of 10.
fn account_key_ok(prefix: &str, account: &str) -> bool {
    const WEIGHTS: [u32; 3] = [7, 1, 3];
    let all = nums(&format!("{prefix}{account}"));
    all.len() == 23 && all.iter().enumerate().map(|(i, d)| (d * WEIGHTS[i % 3]) % 10).sum::<u32>() % 10 == 0
}

/// A postal address written out (index, city, street, house): at least a few words.
fn address(s: &str) -> Result<String, Invalid> {
    if s.split_whitespace().count() >= 3 && s.chars().count() >= 15 {
        Ok(s.to_owned())
    } else {
        Err(Invalid::AddressTooShort)
    }
}

fn email(s: &str) -> Result<String, Invalid> {
    let (user, host) = s.split_once('@').ok_or(Invalid::EmailFormat)?;
    let ok =
        !user.is_empty() && host.contains('.') && !host.starts_with('.') && !host.ends_with('.') && !s.contains(' ');
    if ok { Ok(s.to_owned()) } else { Err(Invalid::EmailFormat) }
}

/// «РТО 012345», «РТВ 001234», «ТО 0001234»: letters, then 5 to 8 digits.
fn registry_number(s: &str) -> Result<String, Invalid> {
    let letters: String = s.chars().take_while(|c| c.is_alphabetic()).collect();
    let rest = s[letters.len()..].trim_start_matches([' ', '-', '№']).trim();
    let ok = (2..=4).contains(&letters.chars().count())
        && (5..=8).contains(&rest.len())
        && rest.bytes().all(|b| b.is_ascii_digit());
    if ok { Ok(format!("{} {rest}", letters.to_uppercase())) } else { Err(Invalid::RegistryNumber) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inn_check_digits() {
        // Sberbank's INN and a well-formed personal one.
        assert_eq!(inn("7707083893"), Ok("7707083893".into()));
        assert_eq!(inn("500100732259"), Ok("500100732259".into()));
        assert_eq!(inn("7707083894"), Err(Invalid::InnChecksum));
        assert_eq!(inn("77070838"), Err(Invalid::InnFormat));
        assert_eq!(inn("77070838ab"), Err(Invalid::InnFormat));
    }

    #[test]
    fn ogrn_check_digit() {
        assert_eq!(ogrn("1027700132195"), Ok("1027700132195".into()));
        assert_eq!(ogrn("1027700132196"), Err(Invalid::OgrnChecksum));
        assert_eq!(ogrn("304500116000157"), Ok("304500116000157".into()));
        assert_eq!(ogrn("12345"), Err(Invalid::OgrnFormat));
    }

    #[test]
    fn accounts_are_checked_against_the_bik() {
        // Sberbank, Moscow: its correspondent account and a settlement account at it.
        let bik = bik("044525225").unwrap();
        assert!(account_key_ok(&format!("0{}", &bik[4..6]), "30101810400000000225"));
        assert!(account_key_ok(&bik[6..], "40702810938000000001"));
        assert!(!account_key_ok(&bik[6..], "40702810938000000002"));
        assert_eq!(super::bik("123456789"), Err(Invalid::BikFormat));
    }

    #[test]
    fn registry_numbers_read_as_in_the_registry() {
        assert_eq!(registry_number("ртО 012345"), Ok("РТО 012345".into()));
        assert_eq!(registry_number("РТО-016860"), Ok("РТО 016860".into()));
        assert_eq!(registry_number("012345"), Err(Invalid::RegistryNumber));
        assert_eq!(registry_number("РТО 12"), Err(Invalid::RegistryNumber));
    }

    #[test]
    fn every_wrong_field_is_named() {
        let wrong = AgencyRequisites { inn: "123".into(), email: "нет".into(), ..AgencyRequisites::default() };
        let problems = wrong.checked().unwrap_err();
        assert!(problems.contains(&(RequisiteField::Inn, Invalid::InnFormat)));
        assert!(problems.contains(&(RequisiteField::Email, Invalid::EmailFormat)));
        assert!(problems.contains(&(RequisiteField::Name, Invalid::RequisiteEmpty)));
    }
}
