//! The financial reports' pages (the accountant's and the admins'): `/reports`, the list, and
//! `/reports/<name>` with the filter form (GET parameters, so a report is a link to share or
//! bookmark), the table with its totals row and the chart. The figures come as a
//! `crm::tabular::Table` from `crm::services::reports`; this module only writes them out.
//! A wrong filter is answered on the page itself, with the form as it was typed.

use crate::exports::{ExportFormat, TableView, export_response};
use crate::guard::Current;
use crate::{AppError, AppState, views};
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use crm::domain::{Currency, Invalid, OperationId, StaffId};
use crm::services::{Capability, FilterField, Grouping, Period, ReportFilter, ReportName, STATEMENT_EXPORT_MAX};
use crm::text;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The currencies a report may be asked in (`Currency::parse` knows them all).
const CURRENCIES: [&str; 7] = ["RUB", "USD", "EUR", "TRY", "AED", "CNY", "KZT"];

/// The report list.
pub async fn index(Current(session): Current) -> Result<Html<String>, AppError> {
    Capability::FinancialReports.check(&session.actor)?;
    let reports: Vec<Value> =
        ReportName::ALL.iter().map(|r| json!({"code": r.code(), "title": r.title_ru(), "note": note(*r)})).collect();
    let mut ctx = views::page(&session, "reports");
    ctx.insert("reports", &reports);
    views::render("reports/index.html", &ctx)
}

/// What each report counts, as the list and the report's page say it.
fn note(name: ReportName) -> &'static str {
    match name {
        ReportName::Revenue => text::get("report_note", "revenue"),
        ReportName::Commissions => text::get("report_note", "commissions"),
        ReportName::HotelExpenses => text::get("report_note", "hotel_expenses"),
        ReportName::Statement => text::get("report_note", "statement"),
        ReportName::ToursSold => text::get("report_note", "tours_sold"),
    }
}

/// The form as typed: every field text, so a wrong one is shown back as it was.
#[derive(Deserialize, Serialize, Default, Clone)]
pub struct ReportQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    currency: String,
    #[serde(default)]
    operator: String,
    #[serde(default)]
    agent: String,
    #[serde(default)]
    destination: String,
    #[serde(default)]
    group: String,
    #[serde(default)]
    after: String,
    #[serde(default)]
    format: String,
}

/// An id from a select: empty is «all»; anything but a positive number is refused.
fn id_choice(raw: &str) -> Result<Option<StaffId>, Invalid> {
    match raw.trim() {
        "" => Ok(None),
        s => s.parse::<i64>().ok().filter(|id| *id > 0).map(|id| Some(StaffId(id))).ok_or(Invalid::ReportFilterUnknown),
    }
}

impl ReportQuery {
    fn filter(&self, now: chrono::DateTime<chrono::Utc>) -> Result<ReportFilter, Invalid> {
        let mut f = ReportFilter::month_of(now);
        f.period = Period::parse(&self.from, &self.to, now)?;
        if !self.currency.trim().is_empty() {
            f.currency = Currency::parse(self.currency.trim())?;
        }
        f.operator = id_choice(&self.operator)?;
        f.agent = id_choice(&self.agent)?;
        f.destination = Some(self.destination.trim().to_owned()).filter(|d| !d.is_empty());
        f.grouping = match self.group.as_str() {
            "" | "tour" => Grouping::Tour,
            "destination" => Grouping::Destination,
            _ => return Err(Invalid::ReportFilterUnknown),
        };
        f.after = match self.after.trim() {
            "" => None,
            s => Some(OperationId(s.parse::<i64>().map_err(|_| Invalid::ReportFilterUnknown)?)),
        };
        Ok(f)
    }
}

pub async fn show(
    State(state): State<AppState>,
    Current(session): Current,
    Path(code): Path<String>,
    Query(q): Query<ReportQuery>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let crm = &state.crm;
    // The choices are read first: they refuse a role that may not see the reports, whatever
    // the name in the URL.
    let choices = crm.report_choices(&session.actor).await?;
    let name = ReportName::from_code(&code).ok_or(AppError::NotFound)?;
    let mut ctx = views::page(&session, "reports");
    let filters: Vec<&str> = name
        .filters()
        .iter()
        .map(|f| match f {
            FilterField::Operator => "operator",
            FilterField::Agent => "agent",
            FilterField::Destination => "destination",
            FilterField::Grouping => "group",
        })
        .collect();
    ctx.insert("report", &json!({"code": name.code(), "title": name.title_ru(), "filters": filters}));
    ctx.insert("choices", &choices);
    ctx.insert("currencies", &CURRENCIES);
    let format = ExportFormat::from_query(Some(&q.format));
    let outcome = match (q.filter(crm.now()), format) {
        (Ok(mut filter), Ok(format)) => {
            if format.is_some() {
                // A file takes the whole statement of the period (up to its limit), not a page.
                filter.limit = STATEMENT_EXPORT_MAX;
            }
            crm.report(&session.actor, name, &filter).await.map(|r| (r, filter, format))
        }
        (Err(invalid), _) => Err(crm::Error::Invalid(invalid)),
        (_, Err(e)) => Err(e),
    };
    let (report, filter, format) = match outcome {
        Ok(done) => done,
        Err(crm::Error::Invalid(invalid)) => {
            ctx.insert("query", &q);
            ctx.insert("error", invalid.message_ru());
            let page = views::render("reports/show.html", &ctx)?;
            return Ok((StatusCode::BAD_REQUEST, page).into_response());
        }
        Err(e) => return Err(e.into()),
    };
    if let Some(format) = format {
        return Ok(export_response(report.table, format).await);
    }
    // The form shows the period actually used (the current month when the dates were left empty).
    let shown = ReportQuery {
        from: report.period.first.format("%d.%m.%Y").to_string(),
        to: report.period.last.format("%d.%m.%Y").to_string(),
        currency: filter.currency.code().to_owned(),
        ..q.clone()
    };
    let next = report.next_after.map(|id| {
        let after = id.0.to_string();
        views::query_string(&[
            ("from", &shown.from),
            ("to", &shown.to),
            ("currency", &shown.currency),
            ("operator", &shown.operator),
            ("agent", &shown.agent),
            ("destination", &shown.destination),
            ("group", &shown.group),
            ("after", &after),
        ])
    });
    ctx.insert("query", &shown);
    ctx.insert("period", &report.period.title_ru());
    ctx.insert("table", &TableView::new(&report.table, raw.as_deref()).with_chart(&report.chart));
    ctx.insert("notes", &report.notes);
    ctx.insert("next", &next);
    Ok(views::render("reports/show.html", &ctx)?.into_response())
}
