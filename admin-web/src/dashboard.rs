//! The start page: who is signed in and where their work is.

use crate::guard::Current;
use crate::{AppError, AppState, views};
use axum::extract::{Query, State};
use axum::response::Html;
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct DashboardQuery {
    #[serde(default)]
    password_changed: Option<String>,
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
    // The admin's KPI block (`dashboard_kpi.html`).
    if let Some(kpi) = crate::kpi::summary(&state, &session).await? {
        ctx.insert("kpi", &kpi);
    }
    ctx.insert("password_changed", &q.password_changed.is_some());
    ctx.insert("session_expires", &views::when(session.expires_at));
    views::render("dashboard.html", &ctx)
}
