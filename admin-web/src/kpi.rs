//! `/kpi`: the two KPIs of issue #15 for the admin and the accountant (the services refuse
//! everyone else): the social funnel (per post, source and destination) and the average check
//! (per destination, operator and month), each a table with its chart, over a period of days;
//! `?format=csv|xlsx&table=…` downloads one table. Also the admin's start page block.

use crate::exports::{ExportFormat, TableView, export_response};
use crate::guard::Current;
use crate::{AppError, AppState, views};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate};
use crm::domain::Invalid;
use crm::services::{ATTRIBUTION_WINDOW_DAYS, PanelSession, Period};
use crm::tabular::{Chart, Table};
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct KpiQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    format: Option<String>,
    #[serde(default)]
    table: String,
}

/// The tables of the page, each with its name in `?table=` and its chart.
fn tables<'a>(
    funnel: &'a crm::services::SocialFunnel,
    check: &'a crm::services::AverageCheck,
) -> [(&'static str, &'a Table, Option<&'a Chart>); 6] {
    [
        ("posts", &funnel.by_post, Some(&funnel.chart)),
        ("sources", &funnel.by_source, None),
        ("destinations", &funnel.by_destination, None),
        ("check_destinations", &check.by_destination, Some(&check.destination_chart)),
        ("check_operators", &check.by_operator, None),
        ("check_months", &check.by_month, Some(&check.month_chart)),
    ]
}

pub async fn show(
    State(state): State<AppState>,
    Current(session): Current,
    Query(q): Query<KpiQuery>,
) -> Result<Response, AppError> {
    let format = ExportFormat::from_query(q.format.as_deref())?;
    let now = state.crm.now();
    let mut ctx = views::page(&session, "kpi");
    ctx.insert("window_days", &ATTRIBUTION_WINDOW_DAYS);
    ctx.insert("sold", &crm::services::SOLD.iter().map(|s| s.title_ru()).collect::<Vec<_>>());
    quick_periods(&mut ctx, now, state.crm.today());
    let period = match Period::parse(&q.from, &q.to, now) {
        Ok(p) => p,
        // A wrong date is answered on the page, the form keeping what was typed.
        Err(invalid) if format.is_none() => {
            ctx.insert("from", q.from.trim());
            ctx.insert("to", q.to.trim());
            ctx.insert("error", invalid.message_ru());
            return Ok((StatusCode::BAD_REQUEST, views::render("kpi.html", &ctx)?).into_response());
        }
        Err(invalid) => return Err(crm::Error::Invalid(invalid).into()),
    };
    let funnel = state.crm.social_funnel(&session.actor, period).await?;
    let check = state.crm.average_check(&session.actor, period).await?;
    let tables = tables(&funnel, &check);
    if let Some(format) = format {
        let (_, table, _) = tables
            .into_iter()
            .find(|(name, ..)| *name == q.table.trim())
            .ok_or(crm::Error::Invalid(Invalid::KpiTable))?;
        return Ok(export_response(table.clone(), format).await);
    }
    let from = views::day(period.first);
    let to = views::day(period.last);
    let views: Vec<(&str, TableView)> = tables
        .iter()
        .map(|(name, table, chart)| {
            let query = views::query_string(&[("from", &from), ("to", &to), ("table", name)]);
            let view = TableView::new(table, Some(query.trim_start_matches('?')));
            (
                *name,
                match chart {
                    Some(c) if !table.rows.is_empty() => view.with_chart(c),
                    _ => view,
                },
            )
        })
        .collect();
    ctx.insert("from", &from);
    ctx.insert("to", &to);
    ctx.insert("tables", &views.into_iter().collect::<std::collections::BTreeMap<_, _>>());
    Ok(views::render("kpi.html", &ctx)?.into_response())
}

/// The links «Этот месяц», «Прошлый месяц», «С начала года» on the agency's clock.
fn quick_periods(ctx: &mut tera::Context, now: chrono::DateTime<chrono::Utc>, today: NaiveDate) {
    let month = Period::month_of(now);
    let before = month.first.pred_opt().unwrap_or(month.first);
    let last = Period { first: before.with_day(1).unwrap_or(before), last: before };
    let year_start = NaiveDate::from_ymd_opt(month.first.year(), 1, 1).unwrap_or(month.first);
    let year = Period { first: year_start, last: today };
    let quick = |p: Period| views::query_string(&[("from", &views::day(p.first)), ("to", &views::day(p.last))]);
    ctx.insert("this_month_href", &quick(month));
    ctx.insert("last_month_href", &quick(last));
    ctx.insert("year_href", &quick(year));
}

/// The admin's start page block (`dashboard_kpi.html`): `None` for other roles.
pub async fn summary(state: &AppState, session: &PanelSession) -> Result<Option<serde_json::Value>, AppError> {
    if session.staff.role != crm::domain::Role::Admin {
        return Ok(None);
    }
    let s = state.crm.kpi_summary(&session.actor).await?;
    let percent = |v: Option<f64>| v.map(|v| crm::tabular::Cell::Percent(Some(v)).display());
    let posts: Vec<_> = s
        .top_posts
        .iter()
        .map(|(name, starts, paid, share)| {
            serde_json::json!({"name": name, "starts": starts, "paid": paid, "share": percent(*share)})
        })
        .collect();
    let change = s.change.map(|c| {
        let shown = percent(Some(c.abs())).unwrap_or_default();
        if c >= 0.0 { format!("+{shown}") } else { format!("−{shown}") }
    });
    Ok(Some(serde_json::json!({
        "posts": posts,
        "this_month": s.this_month,
        "last_month": s.last_month,
        "change": change,
    })))
}
