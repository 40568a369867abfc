//! The start page: who is signed in and where their work is.

use crate::guard::Current;
use crate::{AppError, views};
use axum::extract::Query;
use axum::response::Html;
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct DashboardQuery {
    #[serde(default)]
    password_changed: Option<String>,
}

pub async fn dashboard(Current(session): Current, Query(q): Query<DashboardQuery>) -> Result<Html<String>, AppError> {
    let mut ctx = views::page(&session, "dashboard");
    ctx.insert("password_changed", &q.password_changed.is_some());
    ctx.insert("session_expires", &views::when(session.expires_at));
    views::render("dashboard.html", &ctx)
}
