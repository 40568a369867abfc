//! The outbox (the admin's): recent messages to clients, newest first, by state and by
//! broadcast, with «Отправить ещё раз» on those that failed or whose fate is unknown. Nothing
//! is resent by itself: an unknown row may have reached the client, so a person decides.

use crate::error::parse_id;
use crate::guard::Current;
use crate::{AppError, AppState, views};
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use crm::domain::{BroadcastId, OutboxId};
use crm::notify::{BroadcastKind, NotificationKind};
use crm::services::{OutboxFilter, OutboxStatus};
use crm::text;
use serde::Deserialize;
use serde_json::json;

const PAGE_SIZE: i64 = 100;

#[derive(Deserialize, Default)]
pub struct OutboxQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    broadcast: String,
    #[serde(default)]
    before_id: String,
    /// The row just put back in the queue, for the note on top.
    #[serde(default)]
    requeued: String,
}

fn positive(raw: &str) -> Option<i64> {
    raw.trim().parse::<i64>().ok().filter(|id| *id > 0)
}

/// A row's kind as the admin knows it: a notification's or a broadcast's title.
fn kind_title(kind: &str) -> &str {
    NotificationKind::parse(kind)
        .map(|k| k.title_ru())
        .or_else(|| BroadcastKind::parse(kind).map(|k| k.title_ru()))
        .unwrap_or(match kind {
            "document" => text::get("outbox_kind", "document"),
            "sign_code" => text::get("outbox_kind", "sign_code"),
            "telegram_invoice" => text::get("outbox_kind", "telegram_invoice"),
            "payment_note" => text::get("outbox_kind", "payment_note"),
            "signed_note" => text::get("outbox_kind", "signed_note"),
            "assigned_note" => text::get("outbox_kind", "assigned_note"),
            "payment_offer" => text::get("outbox_kind", "payment_offer"),
            other => other,
        })
}

pub async fn list(
    State(state): State<AppState>,
    Current(session): Current,
    Query(q): Query<OutboxQuery>,
) -> Result<Html<String>, AppError> {
    let filter = OutboxFilter {
        status: OutboxStatus::parse(&q.status),
        broadcast_id: positive(&q.broadcast).map(BroadcastId),
        before_id: positive(&q.before_id).map(OutboxId),
        limit: PAGE_SIZE,
        ..OutboxFilter::default()
    };
    let entries = state.crm.outbox_entries(&session.actor, filter).await?;
    let rows: Vec<_> = entries
        .iter()
        .map(|e| {
            json!({
                "id": e.id,
                "kind": kind_title(&e.kind),
                "client_id": e.client_id.0,
                "client_name": e.client_name,
                "staff_name": e.staff_name,
                "broadcast_id": e.broadcast_id,
                "body": e.body,
                "status": e.status.as_str(),
                "status_title": e.status.title_ru(),
                "error": e.error,
                "attempts": e.attempts,
                "not_before": views::when(e.not_before),
                "created_at": views::when(e.created_at),
                "sent_at": e.sent_at.map(views::when),
                "may_requeue": matches!(e.status, OutboxStatus::Unknown | OutboxStatus::Failed),
            })
        })
        .collect();
    let next = match entries.last() {
        Some(last) if entries.len() as i64 == PAGE_SIZE => Some(views::query_string(&[
            ("status", &q.status),
            ("broadcast", &q.broadcast),
            ("before_id", &last.id.to_string()),
        ])),
        _ => None,
    };
    let statuses: Vec<_> =
        OutboxStatus::ALL.iter().map(|s| json!({"value": s.as_str(), "title": s.title_ru()})).collect();
    let mut ctx = views::page(&session, "outbox");
    ctx.insert("entries", &rows);
    ctx.insert("statuses", &statuses);
    ctx.insert("query", &json!({"status": q.status, "broadcast": q.broadcast}));
    ctx.insert("requeued", &positive(&q.requeued));
    ctx.insert("next", &next);
    ctx.insert("paged", &!q.before_id.is_empty());
    views::render("outbox.html", &ctx)
}

/// «Отправить ещё раз»: only an unknown or failed row goes back to the queue (else a 409).
pub async fn requeue(
    State(state): State<AppState>,
    Current(session): Current,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = OutboxId(parse_id(&id)?);
    state.crm.requeue_message(&session.actor, id).await?;
    Ok(Redirect::to(&format!("/outbox?requeued={id}")).into_response())
}
