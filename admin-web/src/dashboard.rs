//! The start page: who is signed in, their figures of the day (from `crm::Crm::day_figures`,
//! which counts only what the role may see) and where their work is.

use crate::guard::Current;
use crate::{AppError, AppState, views};
use axum::extract::{Query, State};
use axum::response::Html;
use crm::domain::Money;
use crm::services::{DUE_DAYS, DayFigures, DuePayment};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize, Default)]
pub struct DashboardQuery {
    #[serde(default)]
    password_changed: Option<String>,
}

/// Payments due, listed and summed per currency.
fn due(list: &[DuePayment]) -> Value {
    let mut sums: Vec<Money> = Vec::new();
    for d in list {
        match sums.iter_mut().find(|m| m.currency == d.amount.currency) {
            Some(m) => m.minor += d.amount.minor,
            None => sums.push(d.amount),
        }
    }
    let rows: Vec<_> = list
        .iter()
        .map(|d| {
            json!({"booking_id": d.booking_id.0, "client": d.client_name, "due_on": views::day(d.due_on),
                   "amount": d.amount.accounting()})
        })
        .collect();
    json!({"count": list.len(), "sums": sums.iter().map(Money::accounting).collect::<Vec<_>>(), "rows": rows})
}

fn figures(f: &DayFigures) -> Value {
    match f {
        DayFigures::Agency { bookings_today, money_in_today, due: d, undelivered } => json!({
            "for": "agency",
            "bookings_today": bookings_today,
            "money_in": money_in_today.iter().map(Money::accounting).collect::<Vec<_>>(),
            "due": due(d),
            "undelivered": undelivered,
        }),
        DayFigures::Operator { bookings_today, departures } => json!({
            "for": "operator",
            "bookings_today": bookings_today,
            "departures": departures.iter().map(|s| json!({"tour_id": s.tour_id, "tour": s.tour_title,
                "starts_on": views::day(s.starts_on), "capacity": s.capacity, "left": s.left})).collect::<Vec<_>>(),
        }),
        DayFigures::Agent { bookings_today, due: d } => json!({
            "for": "agent",
            "bookings_today": bookings_today,
            "due": due(d),
        }),
    }
}

pub async fn dashboard(
    State(state): State<AppState>,
    Current(session): Current,
    Query(q): Query<DashboardQuery>,
) -> Result<Html<String>, AppError> {
    let mut ctx = views::page(&session, "dashboard");
    // The admin hears of messages the bot could not deliver, or may not have, this week.
    if crm::services::Capability::ManageTemplates.allows(&session.actor) {
        let (unknown, failed) = state.crm.outbox_attention(&session.actor).await?;
        ctx.insert("outbox_unknown", &unknown);
        ctx.insert("outbox_failed", &failed);
    }
    ctx.insert("figures", &figures(&state.crm.day_figures(&session.actor).await?));
    let today = state.crm.today();
    ctx.insert("today", &views::day(today));
    ctx.insert("due_until", &views::day(today + chrono::Days::new(DUE_DAYS)));
    // The admin's KPI block (`dashboard_kpi.html`).
    if let Some(kpi) = crate::kpi::summary(&state, &session).await? {
        ctx.insert("kpi", &kpi);
    }
    ctx.insert("password_changed", &q.password_changed.is_some());
    ctx.insert("session_expires", &views::when(session.expires_at));
    views::render("dashboard.html", &ctx)
}
