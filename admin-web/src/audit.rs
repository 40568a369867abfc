//! The audit log (the admin's): who did what to which record and when, filterable by actor,
//! action and entity, newest first with keyset pagination. Actions and records are shown by
//! their Russian titles (crm::audit), a record with a page of its own as a link to it, and the
//! details as their labelled values; a row written before details had fields shows its text as
//! it is.

use crate::clients::staff_names;
use crate::guard::Current;
use crate::{AppError, AppState, views};
use axum::extract::{Query, State};
use axum::response::Html;
use crm::audit::{AuditAction, AuditEntity};
use crm::notify::NotificationKind;
use crm::services::{AuditEntry, AuditFilter};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;

const PAGE_SIZE: i64 = 100;

#[derive(Deserialize, Default)]
pub struct AuditQuery {
    #[serde(default)]
    actor: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    entity: String,
    #[serde(default)]
    entity_id: String,
    #[serde(default)]
    before_id: String,
}

fn given(s: &str) -> Option<String> {
    Some(s.trim().to_owned()).filter(|s| !s.is_empty())
}

pub async fn list(
    State(state): State<AppState>,
    Current(session): Current,
    Query(q): Query<AuditQuery>,
) -> Result<Html<String>, AppError> {
    let filter = AuditFilter {
        actor: given(&q.actor),
        action: given(&q.action),
        entity: given(&q.entity),
        entity_id: given(&q.entity_id),
        before_id: q.before_id.parse::<i64>().ok().filter(|id| *id > 0),
        limit: PAGE_SIZE,
    };
    let entries = state.crm.audit_log(&session.actor, &filter).await?;
    let names = staff_names(&state.crm, &session).await?;
    let rows: Vec<_> = entries.iter().map(|e| row(e, &names)).collect();
    let next = match entries.last() {
        Some(last) if entries.len() as i64 == PAGE_SIZE => Some(views::query_string(&[
            ("actor", &q.actor),
            ("action", &q.action),
            ("entity", &q.entity),
            ("entity_id", &q.entity_id),
            ("before_id", &last.id.to_string()),
        ])),
        _ => None,
    };
    let staff: Vec<_> = names.iter().map(|(id, name)| json!({"value": format!("staff:{id}"), "name": name})).collect();
    let actions: Vec<_> = AuditAction::ALL.iter().map(|a| json!({"value": a.code(), "title": a.title_ru()})).collect();
    let entities: Vec<_> = AuditEntity::ALL.iter().map(|e| json!({"value": e.code(), "title": e.title_ru()})).collect();
    let mut ctx = views::page(&session, "audit");
    ctx.insert("entries", &rows);
    ctx.insert("staff", &staff);
    ctx.insert("actions", &actions);
    ctx.insert("entities", &entities);
    ctx.insert("query", &json!({"actor": q.actor, "action": q.action, "entity": q.entity, "entity_id": q.entity_id}));
    ctx.insert("next", &next);
    ctx.insert("paged", &!q.before_id.is_empty());
    views::render("audit.html", &ctx)
}

/// One entry as the page shows it. Codes a version of tourcrm no longer knows are shown as
/// stored, so no row of the log is ever hidden.
fn row(e: &AuditEntry, staff: &HashMap<i64, String>) -> Value {
    let entity = AuditEntity::parse(&e.entity);
    let (name, link) = match (entity, e.entity_id.as_deref()) {
        (Some(entity), Some(id)) => object(entity, id, staff),
        _ => (None, None),
    };
    let fields: Option<Vec<Value>> = e
        .fields()
        .map(|pairs| pairs.into_iter().map(|(f, value)| json!({"label": f.title_ru(), "value": value})).collect());
    json!({
        "at": views::when(e.at),
        "actor": e.actor,
        "actor_name": views::actor_name(&e.actor, staff),
        "action": e.action().map_or(e.action.as_str(), |a| a.title_ru()),
        "action_code": e.action,
        "entity": entity.map_or(e.entity.as_str(), |e| e.title_ru()),
        "entity_id": e.entity_id,
        "name": name,
        "link": link,
        "fields": fields,
        "raw": if fields.is_some() { None } else { e.details.as_deref() },
    })
}

/// A record's name where its number says little (a staff member, a kind of notification) and
/// the panel's page of it, if it has one. A link is a path built here from a number or a known
/// code, never from stored text, so the page prints it unescaped.
fn object(entity: AuditEntity, id: &str, staff: &HashMap<i64, String>) -> (Option<String>, Option<String>) {
    let number = id.parse::<i64>().ok();
    match (entity, number) {
        (AuditEntity::Client, Some(n)) => (None, Some(format!("/clients/{n}"))),
        (AuditEntity::Booking, Some(n)) => (None, Some(format!("/bookings/{n}"))),
        (AuditEntity::Tour, Some(n)) => (None, Some(format!("/tours/{n}"))),
        (AuditEntity::Hotel, Some(n)) => (None, Some(format!("/hotels/{n}"))),
        (AuditEntity::Broadcast, Some(n)) => (None, Some(format!("/broadcasts/{n}"))),
        (AuditEntity::Staff, Some(n)) => (staff.get(&n).cloned(), Some(format!("/staff#staff-{n}"))),
        (AuditEntity::Notification, _) => match NotificationKind::parse(id) {
            Some(kind) => (Some(kind.title_ru().to_owned()), Some(format!("/notifications/{}", kind.as_str()))),
            None => (None, None),
        },
        (AuditEntity::Login | AuditEntity::DataKey, _) => (Some(id.to_owned()), None),
        _ => (None, None),
    }
}
