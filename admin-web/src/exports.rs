//! A report's table taken away (CSV, XLSX) or shown (an HTML table with its charts), one way for
//! every report and KPI page. A handler builds its `crm::tabular::Table`, reads `?format=`
//! with [`ExportFormat::from_query`], and either answers [`export_response`] or renders its page
//! with a [`TableView`] for the `tabular.html` macro.
//!
//! The file name is the table's title, so it is Cyrillic: sent as RFC 5987 `filename*` with an
//! ASCII transliteration in `filename` for clients that read only that.

use crate::error::error_page;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use crm::domain::{Invalid, translit};
use crm::tabular::{self, Cell, Chart, Table};
use crm::text;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Xlsx,
}

impl ExportFormat {
    /// `?format=` of a report page: absent or empty means the page itself; anything but `csv`
    /// and `xlsx` is refused with a Russian reason.
    pub fn from_query(format: Option<&str>) -> Result<Option<ExportFormat>, crm::Error> {
        match format.map(|f| f.trim().to_ascii_lowercase()).as_deref() {
            None | Some("") => Ok(None),
            Some("csv") => Ok(Some(ExportFormat::Csv)),
            Some("xlsx") => Ok(Some(ExportFormat::Xlsx)),
            Some(_) => Err(crm::Error::Invalid(Invalid::ExportFormat)),
        }
    }

    fn extension(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Xlsx => "xlsx",
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            ExportFormat::Csv => "text/csv; charset=utf-8",
            ExportFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

/// The table as a file to download, named after its title. Encoded on the blocking pool: a
/// long statement as XLSX holds a core for a while, and the async worker serves everyone (see
/// `crm::heavy`).
pub async fn export_response(table: Table, format: ExportFormat) -> Response {
    let disposition = content_disposition(&table.title, format.extension());
    let title = table.title.clone();
    let encoded = crm::heavy::run(move || match format {
        ExportFormat::Csv => Ok(tabular::to_csv(&table)),
        ExportFormat::Xlsx => tabular::to_xlsx(&table),
    })
    .await;
    let body = match encoded {
        Some(Ok(bytes)) => bytes,
        Some(Err(e)) => {
            return match e.message_ru() {
                Some(why) => error_page(StatusCode::BAD_REQUEST, "invalid", why),
                None => {
                    tracing::error!(error = %e, %title, "an XLSX export failed");
                    error_page(StatusCode::INTERNAL_SERVER_ERROR, "internal", "")
                }
            };
        }
        None => {
            tracing::error!(%title, "an export panicked");
            return error_page(StatusCode::INTERNAL_SERVER_ERROR, "internal", "");
        }
    };
    let mut resp = (StatusCode::OK, body).into_response();
    let headers = resp.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(format.content_type()));
    // The value is built from ASCII only (the Cyrillic is percent-encoded), so it is a valid header.
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    // Financial figures are not kept in shared caches.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    resp
}

/// `attachment; filename="Vyruchka.csv"; filename*=UTF-8''%D0%92%D1%8B%D1%80%D1%83%D1%87%D0%BA%D0%B0.csv`
pub fn content_disposition(title: &str, extension: &str) -> String {
    let stem = file_stem(title);
    let ascii = ascii_stem(&stem);
    format!("attachment; filename=\"{ascii}.{extension}\"; filename*=UTF-8''{}.{extension}", rfc5987(&stem))
}

/// The title without what a file name cannot hold (path separators, quotes, control and
/// reserved characters of Windows), at most 120 characters; «Отчёт» when nothing is left.
fn file_stem(title: &str) -> String {
    let cleaned: String =
        title
            .chars()
            .map(|c| {
                if c.is_control() || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                    ' '
                } else {
                    c
                }
            })
            .collect();
    let stem: String = cleaned.split_whitespace().collect::<Vec<_>>().join(" ").chars().take(120).collect();
    let stem = stem.trim_matches(|c: char| c == '.' || c.is_whitespace());
    if stem.is_empty() { text::get("tabular", "sheet").to_owned() } else { stem.to_owned() }
}

/// The stem in ASCII for `filename`: Russian letters transliterated, spaces as `_`, the rest
/// of what is not a safe file-name character dropped.
fn ascii_stem(stem: &str) -> String {
    let mut out = String::with_capacity(stem.len());
    for c in stem.chars() {
        match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '-' | '_' | '.' => out.push(c),
            ' ' | '–' | '—' => out.push('_'),
            '№' => out.push_str("No"),
            c if c.is_ascii() => {}
            c => {
                let latin = translit::latin_of(&c.to_string());
                let latin = if c.is_lowercase() { latin.to_lowercase() } else { latin };
                out.push_str(&latin);
            }
        }
    }
    let out = out.trim_matches('_').to_owned();
    if out.is_empty() { "report".to_owned() } else { out }
}

/// Percent-encoding of RFC 5987 `value-chars`: everything but `attr-char` is `%XX` of its UTF-8.
fn rfc5987(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for b in text.bytes() {
        match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'!'
            | b'#'
            | b'$'
            | b'&'
            | b'+'
            | b'-'
            | b'.'
            | b'^'
            | b'_'
            | b'`'
            | b'|'
            | b'~' => out.push(char::from(b)),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// What `tabular.html`'s `table` macro draws: every cell already written as it reads, the
/// download links keeping the page's filters, the charts' SVG markup.
#[derive(Debug, Clone, Serialize)]
pub struct TableView {
    pub title: String,
    pub columns: Vec<ColumnView>,
    pub rows: Vec<Vec<CellView>>,
    pub totals: Option<Vec<CellView>>,
    pub csv_href: String,
    pub xlsx_href: String,
    /// Escaped where it is made (`crm::tabular::chart_svg`): the template prints it as it is.
    pub charts: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ColumnView {
    pub title: String,
    pub numeric: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct CellView {
    pub text: String,
    pub numeric: bool,
    /// «—»: a share with nothing to divide by, shown muted.
    pub undefined: bool,
}

impl TableView {
    /// `query` is the page's raw query string (its filters), which the download links keep.
    pub fn new(table: &Table, query: Option<&str>) -> TableView {
        let cell = |c: &Cell| CellView {
            text: c.display(),
            numeric: c.is_numeric(),
            undefined: matches!(c, Cell::Percent(None)) || matches!(c, Cell::Percent(Some(v)) if !v.is_finite()),
        };
        TableView {
            title: table.title.clone(),
            columns: table
                .columns
                .iter()
                .map(|c| ColumnView { title: c.title.clone(), numeric: c.kind.is_numeric() })
                .collect(),
            rows: table.rows.iter().map(|r| r.iter().map(cell).collect()).collect(),
            totals: table.totals_row().map(|t| t.iter().map(cell).collect()),
            csv_href: format_href(query, ExportFormat::Csv),
            xlsx_href: format_href(query, ExportFormat::Xlsx),
            charts: Vec::new(),
        }
    }

    /// Adds a chart drawn above the table.
    pub fn with_chart(mut self, chart: &Chart) -> TableView {
        self.charts.push(tabular::chart_svg(chart));
        self
    }
}

/// `?period=…&format=csv`: the page's own query with its `format` replaced.
fn format_href(query: Option<&str>, format: ExportFormat) -> String {
    let mut pairs: Vec<(String, String)> =
        serde_urlencoded::from_str::<Vec<(String, String)>>(query.unwrap_or_default()).unwrap_or_default();
    pairs.retain(|(k, _)| k != "format");
    pairs.push(("format".to_owned(), format.extension().to_owned()));
    format!("?{}", serde_urlencoded::to_string(&pairs).unwrap_or_else(|_| format!("format={}", format.extension())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_format_is_read_from_the_query() {
        assert_eq!(ExportFormat::from_query(None).ok(), Some(None));
        assert_eq!(ExportFormat::from_query(Some("")).ok(), Some(None));
        assert_eq!(ExportFormat::from_query(Some("CSV")).ok(), Some(Some(ExportFormat::Csv)));
        assert_eq!(ExportFormat::from_query(Some("xlsx")).ok(), Some(Some(ExportFormat::Xlsx)));
        assert!(matches!(ExportFormat::from_query(Some("pdf")), Err(crm::Error::Invalid(Invalid::ExportFormat))));
    }

    #[test]
    fn a_cyrillic_title_names_the_file_both_ways() {
        assert_eq!(
            content_disposition("Выручка 11.2026", "csv"),
            "attachment; filename=\"Vyruchka_11.2026.csv\"; \
             filename*=UTF-8''%D0%92%D1%8B%D1%80%D1%83%D1%87%D0%BA%D0%B0%2011.2026.csv"
        );
        assert_eq!(
            content_disposition("../\"x\"\r\n", "xlsx"),
            "attachment; filename=\"x.xlsx\"; filename*=UTF-8''x.xlsx"
        );
        assert!(content_disposition("***", "csv").contains("filename*=UTF-8''%D0%9E%D1%82%D1%87%D1%91%D1%82.csv"));
    }

    #[test]
    fn download_links_keep_the_filters() {
        assert_eq!(
            format_href(Some("from=2026-11-01&agent=3&format=xlsx"), ExportFormat::Csv),
            "?from=2026-11-01&agent=3&format=csv"
        );
        assert_eq!(format_href(None, ExportFormat::Xlsx), "?format=xlsx");
        assert_eq!(format_href(Some("q=%D0%B0+%D0%B1"), ExportFormat::Csv), "?q=%D0%B0+%D0%B1&format=csv");
    }
}
