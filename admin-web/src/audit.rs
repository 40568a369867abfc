//! The audit log (the admin's): who did what to which record and when, filterable by actor,
//! action and entity, newest first with keyset pagination.

use crate::clients::staff_names;
use crate::guard::Current;
use crate::{AppError, AppState, views};
use axum::extract::{Query, State};
use axum::response::Html;
use crm::store::audit::AuditFilter;
use serde::Deserialize;
use serde_json::json;

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
    let rows: Vec<_> = entries
        .iter()
        .map(|e| {
            json!({
                "at": views::when(e.at),
                "actor": e.actor,
                "actor_name": views::actor_name(&e.actor, &names),
                "action": e.action,
                "entity": e.entity,
                "entity_id": e.entity_id,
                "details": e.details,
                "client_link": (e.entity == "client").then(|| e.entity_id.clone()).flatten(),
            })
        })
        .collect();
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
    let mut ctx = views::page(&session, "audit");
    ctx.insert("entries", &rows);
    ctx.insert("staff", &staff);
    ctx.insert("query", &json!({"actor": q.actor, "action": q.action, "entity": q.entity, "entity_id": q.entity_id}));
    ctx.insert("next", &next);
    ctx.insert("paged", &!q.before_id.is_empty());
    views::render("audit.html", &ctx)
}
