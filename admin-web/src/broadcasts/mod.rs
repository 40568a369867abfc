//! Broadcasts (admins and operators): the list with each one's progress, the card (text, tour,
//! audience, counts per delivery state) with pause, resume and cancel where the state allows,
//! and in [`compose`] the form that composes one. Sending itself is the bot's.

pub mod compose;

use crate::clients::staff_names;
use crate::error::parse_id;
use crate::guard::Current;
use crate::{AppError, AppState, views};
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use crm::domain::{BroadcastId, TourId};
use crm::services::notify::BroadcastCard;
use crm::services::notify::broadcasts::{CANCEL_FROM, PAUSE_FROM, RESUME_FROM};
use crm::services::{OutboxStatus, PanelSession};
use serde_json::{Value, json};
use std::collections::HashMap;

/// What the list and the card both show: who, when, and how far the sending got.
fn summary(c: &BroadcastCard, names: &HashMap<i64, String>) -> Value {
    let b = &c.broadcast;
    let total = b.recipients.unwrap_or_else(|| c.counts.iter().map(|(_, n)| n).sum());
    let open: i64 = [OutboxStatus::Pending, OutboxStatus::Held, OutboxStatus::Sending].map(|s| c.count(s)).iter().sum();
    json!({
        "id": b.id,
        "title": b.title,
        "kind": c.kind.title_ru(),
        "status": b.status,
        "send_at": views::when(b.send_at),
        "expanded": b.recipients.is_some(),
        "total": total,
        "sent": c.count(OutboxStatus::Sent),
        "done": total - open,
        "created_by": views::actor_name(&b.created_by, names),
        "created_at": views::when(b.created_at),
    })
}

pub async fn list(State(state): State<AppState>, Current(session): Current) -> Result<Html<String>, AppError> {
    let cards = state.crm.list_broadcasts(&session.actor).await?;
    let names = staff_names(&state.crm, &session).await?;
    let rows: Vec<_> = cards.iter().map(|c| summary(c, &names)).collect();
    let mut ctx = views::page(&session, "broadcasts");
    ctx.insert("broadcasts", &rows);
    views::render("broadcasts/list.html", &ctx)
}

/// A tour's title for the card; a tour this actor may no longer see is named by its number.
async fn tour_title(state: &AppState, session: &PanelSession, id: i64) -> Result<Option<String>, AppError> {
    match state.crm.get_tour(&session.actor, TourId(id)).await {
        Ok(t) => Ok(Some(t.title)),
        Err(crm::Error::Forbidden(_) | crm::Error::NotFound(_)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

pub async fn show(
    State(state): State<AppState>,
    Current(session): Current,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let card = state.crm.broadcast_card(&session.actor, BroadcastId(parse_id(&id)?)).await?;
    let names = staff_names(&state.crm, &session).await?;
    let b = &card.broadcast;
    let tour = match b.tour_id {
        Some(t) => Some(json!({"id": t, "title": tour_title(&state, &session, t).await?})),
        None => None,
    };
    // The text for a sample client; none once the tour can no longer be advertised.
    let preview = match state.crm.preview_broadcast(&session.actor, card.kind, &b.template, b.tour_id.map(TourId)).await
    {
        Ok(text) => Some(text),
        Err(crm::Error::Template(_) | crm::Error::Conflict(_) | crm::Error::NotFound(_)) => None,
        Err(e) => return Err(e.into()),
    };
    let counts: Vec<_> = card
        .counts
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| json!({"status": s.as_str(), "title": s.title_ru(), "count": n}))
        .collect();
    let status = b.status.as_str();
    let mut ctx = views::page(&session, "broadcasts");
    ctx.insert("broadcast", &summary(&card, &names));
    ctx.insert("template", &b.template);
    ctx.insert("preview", &preview);
    ctx.insert("tour", &tour);
    ctx.insert("audience", &card.audience);
    ctx.insert("counts", &counts);
    ctx.insert(
        "may",
        &json!({
            "pause": PAUSE_FROM.contains(&status),
            "resume": RESUME_FROM.contains(&status),
            "cancel": CANCEL_FROM.contains(&status),
        }),
    );
    views::render("broadcasts/card.html", &ctx)
}

#[derive(Clone, Copy)]
enum Move {
    Pause,
    Resume,
    Cancel,
}

/// Pause, resume or cancel, then back to the card (a state that does not allow it is a 409).
async fn apply(state: AppState, session: PanelSession, id: String, m: Move) -> Result<Response, AppError> {
    let id = BroadcastId(parse_id(&id)?);
    let (crm, actor) = (&state.crm, &session.actor);
    match m {
        Move::Pause => crm.pause_broadcast(actor, id).await?,
        Move::Resume => crm.resume_broadcast(actor, id).await?,
        Move::Cancel => crm.cancel_broadcast(actor, id).await?,
    }
    Ok(Redirect::to(&format!("/broadcasts/{id}")).into_response())
}

pub async fn pause(
    State(s): State<AppState>,
    Current(c): Current,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    apply(s, c, id, Move::Pause).await
}

pub async fn resume(
    State(s): State<AppState>,
    Current(c): Current,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    apply(s, c, id, Move::Resume).await
}

pub async fn cancel(
    State(s): State<AppState>,
    Current(c): Current,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    apply(s, c, id, Move::Cancel).await
}
