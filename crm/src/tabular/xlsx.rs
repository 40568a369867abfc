//! XLSX with typed cells: counts and money are numbers, dates are dates, so the accountant can
//! sum and filter them in Excel or LibreOffice. Every text is written as a string, never as a
//! formula, whatever it begins with. The number formats are Excel's locale-neutral codes, shown
//! with the reader's own separators («425 000,00 ₽» in a Russian Excel).

use super::{Cell, ColumnKind, Table};
use crate::domain::{AGENCY_TZ, Currency};
use crate::text;
use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use rust_xlsxwriter::{ExcelDateTime, Format, FormatBorder, Workbook, Worksheet};
use std::collections::HashMap;

/// Excel's limits: rows in a sheet, characters in a cell, UTF-16 units in a sheet name.
const MAX_ROWS: usize = 1_048_576;
const MAX_CELL_CHARS: usize = 32_767;
const MAX_SHEET_NAME: usize = 31;
/// Column widths are guessed from this many rows: enough to be right, cheap on a long statement.
const WIDTH_SAMPLE: usize = 1_000;

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// More rows than one sheet holds: the period must be narrowed (or CSV used).
    #[error("{rows} rows do not fit one sheet")]
    TooManyRows { rows: usize },
    #[error("xlsx: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
}

impl ExportError {
    /// What the user is told; `None` for a fault of ours, which is logged and shown as internal.
    pub fn message_ru(&self) -> Option<&'static str> {
        match self {
            ExportError::TooManyRows { .. } => Some(text::get("tabular", "too_many_rows")),
            ExportError::Xlsx(_) => None,
        }
    }
}

/// The table as an XLSX file: one sheet named after the title, a bold frozen header row with a
/// filter, the rows, the totals row in bold.
pub fn to_xlsx(table: &Table) -> Result<Vec<u8>, ExportError> {
    let rows = table.rows.len() + 1 + usize::from(table.totals.is_some());
    if rows > MAX_ROWS {
        return Err(ExportError::TooManyRows { rows });
    }
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(sheet_name(&table.title))?;
    let mut formats = Formats::default();
    for (col, column) in table.columns.iter().enumerate() {
        let col = col_num(col)?;
        sheet.write_string_with_format(0, col, cell_text(&column.title), &formats.header())?;
        sheet.set_column_width(col, width(table, usize::from(col)))?;
    }
    for (row, (is_totals, cells)) in table.body_rows().enumerate() {
        let row = u32::try_from(row + 1).map_err(|_| ExportError::TooManyRows { rows })?;
        for (col, cell) in cells.iter().enumerate() {
            let kind = table.columns.get(col).map_or(ColumnKind::Text, |c| c.kind);
            write_cell(sheet, row, col_num(col)?, cell, formats.get(cell, kind, is_totals))?;
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    if !table.rows.is_empty() && !table.columns.is_empty() {
        let last_col = col_num(table.columns.len() - 1)?;
        let last_row = u32::try_from(table.rows.len()).map_err(|_| ExportError::TooManyRows { rows })?;
        sheet.autofilter(0, 0, last_row, last_col)?;
    }
    Ok(workbook.save_to_buffer()?)
}

fn col_num(col: usize) -> Result<u16, ExportError> {
    u16::try_from(col).map_err(|_| ExportError::Xlsx(rust_xlsxwriter::XlsxError::RowColumnLimitError))
}

fn write_cell(sheet: &mut Worksheet, row: u32, col: u16, cell: &Cell, format: &Format) -> Result<(), ExportError> {
    match cell {
        Cell::Text(t) => sheet.write_string_with_format(row, col, cell_text(t), format)?,
        // Counts and money stay exact in an f64 far beyond any agency's figures (2^53 kopecks).
        Cell::Count(n) => sheet.write_number_with_format(row, col, *n as f64, format)?,
        Cell::Money(m) => sheet.write_number_with_format(row, col, m.minor as f64 / 100.0, format)?,
        Cell::Date(d) => sheet.write_datetime_with_format(row, col, excel_date(*d)?, format)?,
        Cell::DateTime(t) => sheet.write_datetime_with_format(row, col, excel_datetime(*t)?, format)?,
        Cell::Percent(Some(share)) if share.is_finite() => sheet.write_number_with_format(row, col, *share, format)?,
        Cell::Percent(_) | Cell::Empty => sheet.write_blank(row, col, format)?,
    };
    Ok(())
}

fn excel_date(d: NaiveDate) -> Result<ExcelDateTime, ExportError> {
    let (year, month, day) = (u16::try_from(d.year()).unwrap_or(0), d.month() as u8, d.day() as u8);
    Ok(ExcelDateTime::from_ymd(year, month, day)?)
}

/// A moment is written on the agency's clock, as the panel shows it; Excel has no time zones.
fn excel_datetime(t: DateTime<Utc>) -> Result<ExcelDateTime, ExportError> {
    let local = t.with_timezone(&AGENCY_TZ).naive_local();
    Ok(excel_date(local.date())?.and_hms(local.hour() as u16, local.minute() as u8, local.second())?)
}

/// A cell holds at most 32 767 characters; a longer note is cut rather than the file refused.
fn cell_text(text: &str) -> &str {
    match text.char_indices().nth(MAX_CELL_CHARS) {
        Some((cut, _)) => &text[..cut],
        None => text,
    }
}

/// The title as Excel allows a sheet name: without `[]:*?/\`, no apostrophe at either end, at
/// most 31 UTF-16 units, never empty, never Excel's reserved «History».
pub fn sheet_name(title: &str) -> String {
    let cleaned: String =
        title.chars().map(|c| if matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\') { ' ' } else { c }).collect();
    let mut name = String::new();
    let mut units = 0;
    for c in cleaned.split_whitespace().collect::<Vec<_>>().join(" ").chars() {
        units += c.len_utf16();
        if units > MAX_SHEET_NAME {
            break;
        }
        name.push(c);
    }
    let name = name.trim_matches(|c: char| c == '\'' || c.is_whitespace());
    if name.is_empty() || name.eq_ignore_ascii_case("history") {
        text::get("tabular", "sheet").to_owned()
    } else {
        name.to_owned()
    }
}

/// A column's width in characters, from its longest heading or value as shown.
fn width(table: &Table, col: usize) -> f64 {
    let heading = table.columns.get(col).map_or(0, |c| c.title.chars().count());
    let longest = table
        .rows
        .iter()
        .take(WIDTH_SAMPLE)
        .chain(table.totals.iter())
        .filter_map(|r| r.get(col))
        .map(|c| c.display().chars().count())
        .max()
        .unwrap_or(0);
    (heading.max(longest) + 2).clamp(8, 60) as f64
}

/// The formats of one file, made once per (kind, currency, bold).
#[derive(Default)]
struct Formats {
    /// Keyed by the kind's discriminant (the shared type does not derive `Hash`).
    made: HashMap<(u8, Option<Currency>, bool), Format>,
}

impl Formats {
    fn header(&self) -> Format {
        Format::new().set_bold().set_text_wrap().set_border_bottom(FormatBorder::Thin)
    }

    /// A cell's format follows its own value (a money cell knows its currency), the column's
    /// kind for an empty one.
    fn get(&mut self, cell: &Cell, column: ColumnKind, bold: bool) -> &Format {
        let (kind, currency) = match cell {
            Cell::Text(_) => (ColumnKind::Text, None),
            Cell::Count(_) => (ColumnKind::Count, None),
            Cell::Money(m) => (ColumnKind::Money, Some(m.currency)),
            Cell::Date(_) => (ColumnKind::Date, None),
            Cell::DateTime(_) => (ColumnKind::DateTime, None),
            Cell::Percent(_) => (ColumnKind::Percent, None),
            Cell::Empty => (column, None),
        };
        self.made.entry((kind as u8, currency, bold)).or_insert_with(|| {
            let format = match kind {
                ColumnKind::Text => Format::new(),
                ColumnKind::Count => Format::new().set_num_format("#,##0"),
                ColumnKind::Money => {
                    let symbol = currency.unwrap_or(Currency::RUB).symbol();
                    Format::new().set_num_format(format!("#,##0.00 \"{symbol}\""))
                }
                ColumnKind::Date => Format::new().set_num_format("dd.mm.yyyy"),
                ColumnKind::DateTime => Format::new().set_num_format("dd.mm.yyyy hh:mm"),
                ColumnKind::Percent => Format::new().set_num_format("0.0%"),
            };
            if bold { format.set_bold() } else { format }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_what_excel_accepts() {
        assert_eq!(sheet_name("Выручка: туроператоры [ноябрь]"), "Выручка туроператоры ноябрь");
        assert_eq!(sheet_name("Выписка по всем операциям за период 01.11–30.11"), "Выписка по всем операциям за пе");
        assert_eq!(sheet_name("'a/b'"), "a b");
        assert_eq!(sheet_name(" */? "), text::get("tabular", "sheet"));
        assert_eq!(sheet_name("History"), text::get("tabular", "sheet"));
        // An emoji is two UTF-16 units: it is not cut in half.
        assert_eq!(sheet_name(&format!("{}😀", "я".repeat(30))), "я".repeat(30));
    }

    #[test]
    fn long_texts_are_cut_to_a_cell() {
        let long = "ж".repeat(MAX_CELL_CHARS + 5);
        assert_eq!(cell_text(&long).chars().count(), MAX_CELL_CHARS);
        assert_eq!(cell_text("коротко"), "коротко");
    }
}
