//! What a report or a KPI hands to the panel: a table of typed cells and, where a picture says
//! more, a chart. The panel shows them as HTML; the exports (CSV, XLSX) and the SVG charts are
//! made from the same values, so a figure on the page, in the file and on the chart is one number.
//!
//! Cells keep their type (money stays minor units with its currency, dates stay dates) so that
//! an XLSX cell is a number or a date, never a formatted string.

use crate::domain::Money;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

mod cells;
mod csv;
mod svg;
mod xlsx;

pub use cells::{defuse_formula, plain_money};
pub use csv::to_csv;
pub use svg::chart_svg;
pub use xlsx::{ExportError, sheet_name, to_xlsx};

/// One report's table: a title (the sheet name, the file name's stem), its columns, its rows and
/// an optional totals row under them.
#[derive(Debug, Clone, Serialize)]
pub struct Table {
    pub title: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
    /// The «Итого» row, with `Cell::Empty` where a column has no total.
    pub totals: Option<Vec<Cell>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Column {
    /// The column's heading in Russian, as shown and exported.
    pub title: String,
    pub kind: ColumnKind,
}

/// How a column's cells are written: decides alignment on the page and the cell format in XLSX.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnKind {
    Text,
    Count,
    Money,
    Date,
    DateTime,
    Percent,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Cell {
    Text(String),
    Count(i64),
    Money(Money),
    Date(NaiveDate),
    DateTime(DateTime<Utc>),
    /// A share in 0..=1 (0.125 is 12,5 %); `None` when it is undefined (nothing to divide by),
    /// shown as «—» rather than a made-up zero.
    Percent(Option<f64>),
    Empty,
}

impl Table {
    pub fn new(title: impl Into<String>, columns: Vec<Column>) -> Self {
        Table { title: title.into(), columns, rows: Vec::new(), totals: None }
    }
}

impl Column {
    pub fn new(title: impl Into<String>, kind: ColumnKind) -> Self {
        Column { title: title.into(), kind }
    }
}

/// A chart of one or more series over the same labels (months, destinations, posts).
#[derive(Debug, Clone, Serialize)]
pub struct Chart {
    pub title: String,
    pub kind: ChartKind,
    /// What the values measure: decides the axis' labels («1,2 млн ₽», «35 %», «12»).
    pub unit: ChartUnit,
    pub labels: Vec<String>,
    pub series: Vec<Series>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChartKind {
    /// Side-by-side bars per label: comparisons (revenue per operator, check per destination).
    Bars,
    /// Lines over ordered labels: trends (average check per month).
    Lines,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChartUnit {
    /// Values are roubles (major units), already converted from kopecks.
    Rubles,
    Count,
    /// Values are shares in 0..=1.
    Share,
}

#[derive(Debug, Clone, Serialize)]
pub struct Series {
    pub name: String,
    /// One value per label; `None` where there is nothing to draw.
    pub values: Vec<Option<f64>>,
}

/// Kopecks (or any minor unit) as the major units a [`ChartUnit::Rubles`] chart draws.
pub fn chart_money(minor: i64) -> Option<f64> {
    Some(minor as f64 / 100.0)
}
#[cfg(test)]
mod tests;
