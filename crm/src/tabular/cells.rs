//! How one cell reads: on a page («425 000,00 ₽», «12,5 %», «05.12.2026») and in a CSV file
//! for Russian Excel («425000,00», «12,5%»). Both come from the cell's typed value, so the page
//! and the file never disagree; XLSX writes the value itself with a number format instead.

use super::{Cell, Column, ColumnKind, Table};
use crate::domain::{Money, format_agency_time, format_ru_date};
use crate::text;

impl Cell {
    /// The cell as a person reads it on a page: money with kopecks and its sign, counts grouped
    /// by thousands, percent with one decimal, «—» for a share that is undefined.
    pub fn display(&self) -> String {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Count(n) => grouped(*n),
            Cell::Money(m) => m.accounting(),
            Cell::Date(d) => format_ru_date(*d),
            Cell::DateTime(t) => format_agency_time(*t),
            Cell::Percent(Some(share)) if share.is_finite() => format!("{}\u{a0}%", percent_number(*share, 1)),
            Cell::Percent(_) => "—".to_owned(),
            Cell::Empty => String::new(),
        }
    }

    /// The cell as a Russian Excel reads a CSV field as a number or a date: a decimal comma,
    /// no thousands separators, no currency sign; an undefined share is an empty field.
    pub fn csv_field(&self) -> String {
        match self {
            Cell::Text(t) => defuse_formula(t),
            Cell::Count(n) => n.to_string(),
            Cell::Money(m) => plain_money(*m),
            Cell::Date(d) => format_ru_date(*d),
            Cell::DateTime(t) => format_agency_time(*t),
            Cell::Percent(Some(share)) if share.is_finite() => format!("{}%", percent_number(*share, 2)),
            Cell::Percent(_) | Cell::Empty => String::new(),
        }
    }

    /// Numbers are right-aligned on a page so that their digits line up.
    pub fn is_numeric(&self) -> bool {
        matches!(self, Cell::Count(_) | Cell::Money(_) | Cell::Percent(_))
    }
}

impl ColumnKind {
    pub fn is_numeric(self) -> bool {
        matches!(self, ColumnKind::Count | ColumnKind::Money | ColumnKind::Percent)
    }
}

impl Table {
    /// The totals row as shown and exported: «Итого» in its first cell when the report left
    /// that cell empty.
    pub fn totals_row(&self) -> Option<Vec<Cell>> {
        let mut totals = self.totals.clone()?;
        if let Some(first @ Cell::Empty) = totals.first_mut() {
            *first = Cell::Text(text::get("tabular", "totals").to_owned());
        }
        Some(totals)
    }

    /// Every row in order, the totals last, each with a flag telling the totals apart.
    pub fn body_rows(&self) -> impl Iterator<Item = (bool, Vec<Cell>)> + '_ {
        self.rows.iter().map(|r| (false, r.clone())).chain(self.totals_row().map(|t| (true, t)))
    }
}

impl Column {
    /// The heading as a CSV field (staff may name a column after a hotel: defused like text).
    pub fn csv_field(&self) -> String {
        defuse_formula(&self.title)
    }
}

/// A text that a spreadsheet would take for a formula (`=HYPERLINK(…)`, `+7…`, `-1+1`, `@SUM`)
/// gets a leading apostrophe: staff and clients type these texts, and a CSV opened in Excel
/// must not run them (CSV injection).
pub fn defuse_formula(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_owned(),
    }
}

/// `425000,00`, `-1500,50`: the amount with a decimal comma and nothing else.
pub fn plain_money(m: Money) -> String {
    let sign = if m.minor < 0 { "-" } else { "" };
    let abs = m.minor.unsigned_abs();
    format!("{sign}{},{:02}", abs / 100, abs % 100)
}

/// `1 234 567` with no-break spaces, as counts read on a page.
pub fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + 8);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{a0}');
        }
        out.push(c);
    }
    out
}

/// A share as a percent number with at most `decimals` decimals, trailing zeros dropped:
/// 0.125 → `12,5`, 0.4 → `40`, 1/3 → `33,3` (one decimal).
pub fn percent_number(share: f64, decimals: usize) -> String {
    let text = format!("{:.*}", decimals, share * 100.0);
    let text = if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.') } else { &text };
    // `-0` from rounding a tiny negative share reads as a glitch.
    let text = if text == "-0" { "0" } else { text };
    text.replace('.', ",")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Currency;
    use chrono::{NaiveDate, TimeZone, Utc};

    #[test]
    fn cells_read_as_russian_pages_write_them() {
        assert_eq!(Cell::Money(Money::new(42_500_000, Currency::RUB)).display(), "425\u{a0}000,00\u{a0}₽");
        assert_eq!(Cell::Count(1_234_567).display(), "1\u{a0}234\u{a0}567");
        assert_eq!(Cell::Count(-1200).display(), "-1\u{a0}200");
        assert_eq!(Cell::Percent(Some(0.125)).display(), "12,5\u{a0}%");
        assert_eq!(Cell::Percent(Some(0.4)).display(), "40\u{a0}%");
        assert_eq!(Cell::Percent(Some(1.0 / 3.0)).display(), "33,3\u{a0}%");
        assert_eq!(Cell::Percent(None).display(), "—");
        assert_eq!(Cell::Percent(Some(f64::NAN)).display(), "—");
        let day = NaiveDate::from_ymd_opt(2026, 3, 5).unwrap();
        assert_eq!(Cell::Date(day).display(), "05.03.2026");
        // Shown on the agency's clock (Moscow, UTC+3).
        let at = Utc.with_ymd_and_hms(2026, 12, 1, 21, 30, 0).unwrap();
        assert_eq!(Cell::DateTime(at).display(), "02.12.2026 00:30");
        assert_eq!(Cell::Empty.display(), "");
    }

    #[test]
    fn csv_fields_are_numbers_russian_excel_reads() {
        assert_eq!(Cell::Money(Money::new(42_500_000, Currency::RUB)).csv_field(), "425000,00");
        assert_eq!(Cell::Money(Money::new(-150_050, Currency::RUB)).csv_field(), "-1500,50");
        assert_eq!(Cell::Money(Money::new(-5, Currency::RUB)).csv_field(), "-0,05");
        assert_eq!(Cell::Percent(Some(1.0 / 3.0)).csv_field(), "33,33%");
        assert_eq!(Cell::Percent(Some(-0.000_01)).csv_field(), "0%");
        assert_eq!(Cell::Percent(None).csv_field(), "");
        assert_eq!(Cell::Count(1_234_567).csv_field(), "1234567");
    }

    #[test]
    fn texts_that_look_like_formulas_are_defused() {
        for bad in ["=1+1", "+79161234567", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(defuse_formula(bad), format!("'{bad}"));
        }
        for fine in ["Анталья", "1+1", " =x", ""] {
            assert_eq!(defuse_formula(fine), fine);
        }
    }
}
