//! CSV for Russian Excel, which opens a double-clicked `.csv` with the system's list separator
//! (`;`) and decimal comma, and guesses the encoding from a BOM only: so UTF-8 with a BOM, `;`,
//! CRLF, RFC 4180 quoting, numbers without grouping, dates as dd.mm.yyyy.

use super::Table;

/// The table as CSV bytes: the header row, the rows, the totals row last.
pub fn to_csv(table: &Table) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 + table.rows.len() * table.columns.len() * 12);
    out.extend_from_slice("\u{feff}".as_bytes());
    let mut writer = ::csv::WriterBuilder::new()
        .delimiter(b';')
        .terminator(::csv::Terminator::CRLF)
        .quote_style(::csv::QuoteStyle::Necessary)
        .from_writer(out);
    // Writing into a Vec cannot fail; a failure here would be a bug in the csv crate.
    let mut write = |fields: Vec<String>| {
        if let Err(e) = writer.write_record(&fields) {
            tracing::error!(error = %e, "writing a CSV row into memory failed");
        }
    };
    write(table.columns.iter().map(|c| c.csv_field()).collect());
    for (_, row) in table.body_rows() {
        write(row.iter().map(|c| c.csv_field()).collect());
    }
    match writer.into_inner() {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::error!(error = %e, "flushing a CSV into memory failed");
            Vec::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Currency, Money};
    use crate::tabular::{Cell, Column, ColumnKind};
    use chrono::NaiveDate;

    #[test]
    fn a_small_table_is_written_byte_for_byte() {
        let mut t = Table::new(
            "Выручка",
            vec![
                Column::new("Туроператор; филиал", ColumnKind::Text),
                Column::new("Дата", ColumnKind::Date),
                Column::new("Брони", ColumnKind::Count),
                Column::new("Сумма, ₽", ColumnKind::Money),
                Column::new("Доля", ColumnKind::Percent),
            ],
        );
        let day = NaiveDate::from_ymd_opt(2026, 12, 5).unwrap();
        t.rows.push(vec![
            Cell::Text("«Пегас» \"Туристик\"".into()),
            Cell::Date(day),
            Cell::Count(3),
            Cell::Money(Money::new(42_500_000, Currency::RUB)),
            Cell::Percent(Some(0.125)),
        ]);
        t.rows.push(vec![
            Cell::Text("=HYPERLINK(\"http://x\")".into()),
            Cell::Empty,
            Cell::Count(1),
            Cell::Money(Money::new(-150_050, Currency::RUB)),
            Cell::Percent(None),
        ]);
        t.rows.push(vec![Cell::Text("две\nстроки".into()), Cell::Empty, Cell::Count(0), Cell::Empty, Cell::Empty]);
        t.totals = Some(vec![
            Cell::Empty,
            Cell::Empty,
            Cell::Count(4),
            Cell::Money(Money::new(42_349_950, Currency::RUB)),
            Cell::Empty,
        ]);
        let want = "\u{feff}\"Туроператор; филиал\";Дата;Брони;Сумма, ₽;Доля\r\n\
                    \"«Пегас» \"\"Туристик\"\"\";05.12.2026;3;425000,00;12,5%\r\n\
                    \"'=HYPERLINK(\"\"http://x\"\")\";;1;-1500,50;\r\n\
                    \"две\nстроки\";;0;;\r\n\
                    Итого;;4;423499,50;\r\n";
        assert_eq!(String::from_utf8(to_csv(&t)).unwrap(), want);
    }

    #[test]
    fn a_table_without_rows_is_its_header() {
        let t = Table::new("Пусто", vec![Column::new("Отель", ColumnKind::Text), Column::new("+1", ColumnKind::Count)]);
        assert_eq!(to_csv(&t), "\u{feff}Отель;'+1\r\n".as_bytes());
    }
}
