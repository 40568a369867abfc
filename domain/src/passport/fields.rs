//! One check per field of an identity document, and the whole document from its fields as a
//! form or a dialogue collects them (text as people type it). A field's check is the one the
//! document's constructor uses, so the bot can refuse a field the moment it is typed and the
//! panel can mark every wrong field of a form at once, both with the same reasons.

use super::{BirthCertificate, DocKind, ForeignPassport, InternalPassport, LatinName, TravellerDocument};
use crate::text::{self, keyed_enum};
use crate::{Invalid, format_ru_date, parse_ru_date};
use chrono::NaiveDate;

keyed_enum! {
    /// A field of an identity document, as forms and dialogues name it.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum DocField: code {
        Series = "series",
        Number = "number",
        LatinName = "latin_name",
        IssuedOn = "issued_on",
        ExpiresOn = "expires_on",
        Issuer = "issuer",
        DivisionCode = "division_code",
    }
}

impl DocField {
    /// The field's label («Серия», «Кем выдан»…).
    pub fn title_ru(self) -> &'static str {
        text::get("doc_field", self.code())
    }
}

impl DocKind {
    /// The fields of a document of this kind, in the order they are asked for. Payment details
    /// have forms of their own (card or account).
    pub fn fields(self) -> &'static [DocField] {
        use DocField::*;
        match self {
            DocKind::InternalPassport => &[Series, Number, IssuedOn, Issuer, DivisionCode],
            DocKind::ForeignPassport => &[Number, LatinName, IssuedOn, ExpiresOn, Issuer],
            DocKind::BirthCertificate => &[Series, Number, IssuedOn, Issuer],
            DocKind::PaymentDetails | DocKind::Address => &[],
        }
    }
}

pub(crate) fn digits_only(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace() && !matches!(c, '-' | '№')).collect()
}

fn digits(s: &str, n: usize, why: Invalid) -> Result<String, Invalid> {
    let d = digits_only(s);
    if d.len() == n && d.bytes().all(|b| b.is_ascii_digit()) { Ok(d) } else { Err(why) }
}

pub(crate) fn required_text(s: &str, max: usize) -> Result<String, Invalid> {
    let t = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if t.is_empty() {
        return Err(Invalid::IssuerEmpty);
    }
    if t.chars().count() > max {
        return Err(Invalid::TextTooLong);
    }
    Ok(t)
}

/// The internal passport's series: 4 digits (printed as `45 08`).
pub fn internal_series(s: &str) -> Result<String, Invalid> {
    digits(s, 4, Invalid::PassportSeries)
}

/// The internal passport's number: 6 digits.
pub fn internal_number(s: &str) -> Result<String, Invalid> {
    digits(s, 6, Invalid::PassportNumber)
}

/// The foreign passport's series and number: 2 + 7 digits (`75 1234567`), kept as 9 digits.
pub fn foreign_number(s: &str) -> Result<String, Invalid> {
    digits(s, 9, Invalid::ForeignPassportNumber)
}

/// «Код подразделения»: 6 digits, kept as `NNN-NNN`.
pub fn division_code(s: &str) -> Result<String, Invalid> {
    let d = digits(s, 6, Invalid::DivisionCode)?;
    Ok(format!("{}-{}", &d[..3], &d[3..]))
}

/// Who issued the document: an authority's name as the document prints it, in Russian
/// («ГУ МВД России по Новосибирской области», «МВД 54001», «Отдел ЗАГС …»). A date, a number
/// or a stray letter typed at this question is an answer to another one.
pub fn issuer(s: &str) -> Result<String, Invalid> {
    let t = required_text(s, 300)?;
    let letters = t.chars().filter(|c| c.is_alphabetic()).count();
    let cyrillic = t.chars().any(|c| matches!(c, 'А'..='я' | 'Ё' | 'ё'));
    // «12 марта 2015»: a date in words, typed at the wrong question.
    const MONTHS: &[&str] = &[
        "январ",
        "феврал",
        "март",
        "апрел",
        "ма",
        "мая",
        "июн",
        "июл",
        "август",
        "сентябр",
        "октябр",
        "ноябр",
        "декабр",
    ];
    let words: Vec<String> = t.split_whitespace().map(str::to_lowercase).collect();
    let date_in_words = t.chars().any(|c| c.is_ascii_digit())
        && words.iter().any(|w| MONTHS.iter().any(|m| w.starts_with(m) && w.chars().count() <= m.chars().count() + 2));
    if letters < 3 || !cyrillic || date_in_words {
        return Err(Invalid::IssuerLetters);
    }
    Ok(t)
}

/// An issue date is not in the future.
pub fn issue_date(d: NaiveDate, today: NaiveDate) -> Result<NaiveDate, Invalid> {
    if d > today { Err(Invalid::IssueDateFuture) } else { Ok(d) }
}

/// The Roman numeral's value, only when it is written the canonical way (`IV`, not `IIII`).
fn roman_value(s: &str) -> Option<u32> {
    const TABLE: [(u32, &str); 9] =
        [(100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")];
    let mut rest = s;
    let mut value = 0;
    for (v, r) in TABLE {
        while let Some(after) = rest.strip_prefix(r) {
            value += v;
            rest = after;
        }
    }
    let mut canonical = String::new();
    let mut left = value;
    for (v, r) in TABLE {
        while left >= v {
            canonical.push_str(r);
            left -= v;
        }
    }
    (rest.is_empty() && value > 0 && canonical == s).then_some(value)
}

/// A birth certificate's series: a Roman numeral and two Cyrillic letters, kept as `IV-МЮ`.
/// People type the numeral with Cyrillic look-alikes (`Х`, `С`, `І`), in lower case, with or
/// without the hyphen: all are read.
pub fn birth_certificate_series(s: &str) -> Result<String, Invalid> {
    let chars: Vec<char> = s.chars().filter(|c| !c.is_whitespace() && *c != '-').flat_map(char::to_uppercase).collect();
    if chars.len() < 3 {
        return Err(Invalid::BirthCertificateSeries);
    }
    let (numeral, letters) = chars.split_at(chars.len() - 2);
    let cyrillic = |c: &char| ('А'..='Я').contains(c) || *c == 'Ё';
    if !letters.iter().all(cyrillic) {
        return Err(Invalid::BirthCertificateSeries);
    }
    let numeral: String = numeral
        .iter()
        .map(|c| match c {
            'Х' => 'X',
            'С' => 'C',
            'І' | 'Ӏ' | '1' => 'I',
            other => *other,
        })
        .collect();
    if roman_value(&numeral).is_none() {
        return Err(Invalid::BirthCertificateSeries);
    }
    Ok(format!("{numeral}-{}", letters.iter().collect::<String>()))
}

/// A birth certificate's number: 6 digits.
pub fn birth_certificate_number(s: &str) -> Result<String, Invalid> {
    digits(s, 6, Invalid::BirthCertificateNumber)
}

fn date_field(s: &str) -> Result<NaiveDate, Invalid> {
    parse_ru_date(s)
}

/// Checks one field as typed, on its own, and gives it back as it will be stored and shown.
/// Checks that need two fields (expiry after issue) are made when the document is built.
pub fn check_field(kind: DocKind, field: DocField, raw: &str, today: NaiveDate) -> Result<String, Invalid> {
    use DocField::*;
    match (kind, field) {
        (DocKind::InternalPassport, Series) => internal_series(raw),
        (DocKind::InternalPassport, Number) => internal_number(raw),
        (DocKind::ForeignPassport, Number) => foreign_number(raw),
        (DocKind::BirthCertificate, Series) => birth_certificate_series(raw),
        (DocKind::BirthCertificate, Number) => birth_certificate_number(raw),
        (_, DivisionCode) => division_code(raw),
        (_, Issuer) => issuer(raw),
        (_, LatinName) => self::LatinName::parse(raw).map(|n| n.as_str().to_owned()),
        (_, IssuedOn) => date_field(raw).and_then(|d| issue_date(d, today)).map(format_ru_date),
        (_, ExpiresOn) => date_field(raw).map(format_ru_date),
        (_, Series | Number) => Err(Invalid::KindUnknown),
    }
}

/// A refused field and why.
pub type FieldError = (DocField, Invalid);

/// The checks that need two fields, among those typed so far (`value` empty when a field is
/// not yet typed): what refuses the later of the two, so a dialogue that asks the fields one
/// by one refuses the one just typed rather than at the end.
pub fn check_entered<'a>(kind: DocKind, value: impl Fn(DocField) -> &'a str) -> Option<FieldError> {
    let date = |f: DocField| Some(value(f)).filter(|v| !v.is_empty()).and_then(|v| date_field(v).ok());
    match (kind, date(DocField::IssuedOn), date(DocField::ExpiresOn)) {
        (DocKind::ForeignPassport, Some(issued), Some(expires)) if expires <= issued => {
            Some((DocField::ExpiresOn, Invalid::ExpiryBeforeIssue))
        }
        _ => None,
    }
}

/// Builds a document of `kind` from its fields as typed (`value` gives each field's text, empty
/// when missing). Every refused field is reported, the two-field checks on the later field.
pub fn parse_document<'a>(
    kind: DocKind,
    value: impl Fn(DocField) -> &'a str,
    today: NaiveDate,
) -> Result<TravellerDocument, Vec<FieldError>> {
    let mut errors: Vec<FieldError> = kind
        .fields()
        .iter()
        .filter_map(|f| check_field(kind, *f, value(*f), today).err().map(|why| (*f, why)))
        .collect();
    if matches!(kind, DocKind::PaymentDetails | DocKind::Address) {
        errors.push((DocField::Number, Invalid::KindUnknown));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let date = |f: DocField| date_field(value(f)).map_err(|why| vec![(f, why)]);
    let v = |f: DocField| value(f);
    let built = match kind {
        DocKind::InternalPassport => InternalPassport::parse(
            v(DocField::Series),
            v(DocField::Number),
            date(DocField::IssuedOn)?,
            v(DocField::Issuer),
            Some(v(DocField::DivisionCode)),
            today,
        )
        .map(TravellerDocument::InternalPassport),
        DocKind::ForeignPassport => ForeignPassport::parse(
            v(DocField::Number),
            date(DocField::IssuedOn)?,
            date(DocField::ExpiresOn)?,
            v(DocField::Issuer),
            v(DocField::LatinName),
            today,
        )
        .map(TravellerDocument::ForeignPassport),
        DocKind::BirthCertificate => BirthCertificate::parse(
            v(DocField::Series),
            v(DocField::Number),
            date(DocField::IssuedOn)?,
            v(DocField::Issuer),
            today,
        )
        .map(TravellerDocument::BirthCertificate),
        DocKind::PaymentDetails | DocKind::Address => Err(Invalid::KindUnknown),
    };
    built.map_err(|why| vec![check_entered(kind, value).unwrap_or((DocField::Number, why))])
}

/// The fields of a stored document as text, for a form that edits it and for the dialogue's
/// summary.
pub fn document_fields(doc: &TravellerDocument) -> Vec<(DocField, String)> {
    use DocField::*;
    match doc {
        TravellerDocument::InternalPassport(p) => vec![
            (Series, p.series.clone()),
            (Number, p.number.clone()),
            (IssuedOn, format_ru_date(p.issued_on)),
            (Issuer, p.issuer.clone()),
            (DivisionCode, p.division_code.clone().unwrap_or_default()),
        ],
        TravellerDocument::ForeignPassport(p) => vec![
            (Number, format!("{} {}", &p.number[..2.min(p.number.len())], p.number.get(2..).unwrap_or_default())),
            (LatinName, p.latin_name.as_str().to_owned()),
            (IssuedOn, format_ru_date(p.issued_on)),
            (ExpiresOn, format_ru_date(p.expires_on)),
            (Issuer, p.issuer.clone()),
        ],
        TravellerDocument::BirthCertificate(c) => vec![
            (Series, c.series.clone()),
            (Number, c.number.clone()),
            (IssuedOn, format_ru_date(c.issued_on)),
            (Issuer, c.issuer.clone()),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
    }

    #[test]
    fn birth_certificate_series_is_a_numeral_and_two_cyrillic_letters() {
        assert_eq!(birth_certificate_series("IV-МЮ").unwrap(), "IV-МЮ");
        assert_eq!(birth_certificate_series("iv мю").unwrap(), "IV-МЮ");
        assert_eq!(birth_certificate_series("ХІІ-АБ").unwrap(), "XII-АБ");
        assert_eq!(birth_certificate_series("LXXIX-ЕЁ").unwrap(), "LXXIX-ЕЁ");
        for bad in ["", "IV", "IIII-МЮ", "IV-MU", "VX-МЮ", "IV-МЮЯ1", "ЖЖ-МЮ", "4-МЮ"] {
            assert_eq!(birth_certificate_series(bad), Err(Invalid::BirthCertificateSeries), "{bad}");
        }
    }

    #[test]
    fn each_field_has_its_own_reason() {
        use DocField::*;
        let t = today();
        let cases = [
            (DocKind::InternalPassport, Series, "45 0", Invalid::PassportSeries),
            (DocKind::InternalPassport, Number, "12345", Invalid::PassportNumber),
            (DocKind::InternalPassport, DivisionCode, "77-001", Invalid::DivisionCode),
            (DocKind::InternalPassport, Issuer, "  ", Invalid::IssuerEmpty),
            (DocKind::InternalPassport, IssuedOn, "31.02.2010", Invalid::NoSuchDate),
            (DocKind::InternalPassport, IssuedOn, "01.01.2027", Invalid::IssueDateFuture),
            (DocKind::ForeignPassport, Number, "75 123456", Invalid::ForeignPassportNumber),
            (DocKind::ForeignPassport, LatinName, "Иванова Мария", Invalid::LatinName),
            (DocKind::ForeignPassport, ExpiresOn, "когда-то", Invalid::DateFormat),
            (DocKind::BirthCertificate, Series, "12-МЮ", Invalid::BirthCertificateSeries),
            (DocKind::BirthCertificate, Number, "1234567", Invalid::BirthCertificateNumber),
        ];
        for (kind, field, raw, why) in cases {
            assert_eq!(check_field(kind, field, raw, t), Err(why), "{kind:?} {field:?} {raw:?}");
        }
        assert_eq!(check_field(DocKind::InternalPassport, DivisionCode, "770001", t).unwrap(), "770-001");
        assert_eq!(check_field(DocKind::ForeignPassport, IssuedOn, "1.2.2020", t).unwrap(), "01.02.2020");
    }

    #[test]
    fn a_form_reports_every_wrong_field_and_builds_a_right_one() {
        use DocField::*;
        let t = today();
        let wrong = |f: DocField| match f {
            Series => "45",
            Number => "613729",
            IssuedOn => "15.01.2010",
            Issuer => "",
            _ => "770-001",
        };
        let errors = parse_document(DocKind::InternalPassport, wrong, t).unwrap_err();
        assert_eq!(errors, vec![(Series, Invalid::PassportSeries), (Issuer, Invalid::IssuerEmpty)]);
        let right = |f: DocField| match f {
            Series => "IV-МЮ",
            Number => "123456",
            IssuedOn => "15.01.2020",
            _ => "Отдел ЗАГС Тверского района",
        };
        let doc = parse_document(DocKind::BirthCertificate, right, t).unwrap();
        assert_eq!(doc.kind(), DocKind::BirthCertificate);
        assert_eq!(document_fields(&doc)[0], (Series, "IV-МЮ".to_owned()));
        let expired_first = |f: DocField| match f {
            Number => "75 1234567",
            LatinName => "IVANOVA MARIIA",
            IssuedOn => "01.02.2020",
            ExpiresOn => "01.01.2020",
            _ => "МВД 77001",
        };
        let errors = parse_document(DocKind::ForeignPassport, expired_first, t).unwrap_err();
        assert_eq!(errors, vec![(ExpiresOn, Invalid::ExpiryBeforeIssue)]);
    }
}
