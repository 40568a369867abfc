//! Notification settings (the admin's): the five kinds with their switch, lead time and
//! template, and the edit form with the variables the kind offers and a preview on its sample
//! client. The preview is a second submit button of the same form (`formaction`), so it works
//! without JavaScript and keeps what was typed; nothing is saved unless the template renders.

use crate::clients::staff_names;
use crate::guard::Current;
use crate::{AppError, AppState, views};
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use crm::domain::Invalid;
use crm::notify::NotificationKind;
use crm::services::PanelSession;
use crm::services::notify::NotificationSetting;
use crm::services::{Capability, notify::settings::MAX_LEAD_DAYS};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::HashMap;

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    saved: String,
}

pub async fn list(
    State(state): State<AppState>,
    Current(session): Current,
    Query(q): Query<ListQuery>,
) -> Result<Html<String>, AppError> {
    let settings = state.crm.notification_settings(&session.actor).await?;
    let names = staff_names(&state.crm, &session).await?;
    let rows: Vec<_> = settings.iter().map(|s| setting_json(s, &names)).collect();
    let mut ctx = views::page(&session, "notifications");
    ctx.insert("settings", &rows);
    ctx.insert("saved", &NotificationKind::parse(&q.saved).map(|k| k.title_ru()));
    views::render("notifications/list.html", &ctx)
}

fn setting_json(s: &NotificationSetting, names: &HashMap<i64, String>) -> Value {
    json!({
        "kind": s.kind.as_str(),
        "title": s.kind.title_ru(),
        "enabled": s.enabled,
        "lead_days": s.lead_days,
        "customized": s.customized,
        "advertising": s.kind.is_advertising(),
        "event": s.kind.is_event(),
        "updated_by": s.updated_by.as_deref().map(|a| views::actor_name(a, names)),
        "updated_at": s.updated_at.map(views::when),
    })
}

/// The edit form as typed; `reset` is the «Вернуть текст по умолчанию» button.
#[derive(Deserialize, Serialize, Default)]
pub struct SettingForm {
    #[serde(default)]
    enabled: Option<String>,
    #[serde(default)]
    lead_days: String,
    #[serde(default)]
    template: String,
    #[serde(default, skip_serializing)]
    reset: Option<String>,
}

fn kind_of(raw: &str) -> Result<NotificationKind, AppError> {
    NotificationKind::parse(raw).ok_or(AppError::NotFound)
}

async fn edit_page(
    state: &AppState,
    session: &PanelSession,
    kind: NotificationKind,
    form: &SettingForm,
    preview: Option<&str>,
    errors: &HashMap<&str, String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let settings = state.crm.notification_settings(&session.actor).await?;
    let current = settings.iter().find(|s| s.kind == kind).ok_or(AppError::NotFound)?;
    let names = staff_names(&state.crm, session).await?;
    let mut ctx = views::page(session, "notifications");
    ctx.insert("setting", &setting_json(current, &names));
    ctx.insert("form", form);
    ctx.insert("errors", errors);
    ctx.insert("preview", &preview);
    ctx.insert("variables", &variables(&kind.sample_context()));
    ctx.insert("filters", &filters());
    ctx.insert("max_lead_days", &MAX_LEAD_DAYS);
    Ok((status, views::render("notifications/edit.html", &ctx)?).into_response())
}

pub async fn edit(
    State(state): State<AppState>,
    Current(session): Current,
    Path(kind): Path<String>,
) -> Result<Response, AppError> {
    let kind = kind_of(&kind)?;
    let settings = state.crm.notification_settings(&session.actor).await?;
    let s = settings.iter().find(|s| s.kind == kind).ok_or(AppError::NotFound)?;
    let form = SettingForm {
        enabled: s.enabled.then(|| "1".to_owned()),
        lead_days: s.lead_days.to_string(),
        template: s.template.clone(),
        reset: None,
    };
    // What is in force renders (it was checked when saved), so the page opens with its preview.
    let preview = state.crm.preview_notification(&session.actor, kind, &form.template).ok();
    edit_page(&state, &session, kind, &form, preview.as_deref(), &HashMap::new(), StatusCode::OK).await
}

/// «Предпросмотр» (and «Вернуть текст по умолчанию», which previews the default): the same
/// form again with the text as the sample client would get it, or the reason it would not.
pub async fn preview(
    State(state): State<AppState>,
    Current(session): Current,
    Path(kind): Path<String>,
    Form(mut form): Form<SettingForm>,
) -> Result<Response, AppError> {
    let kind = kind_of(&kind)?;
    Capability::ManageTemplates.check(&session.actor)?;
    if form.reset.is_some() {
        form.template = kind.default_template().to_owned();
    }
    match state.crm.preview_notification(&session.actor, kind, &form.template) {
        Ok(text) => edit_page(&state, &session, kind, &form, Some(&text), &HashMap::new(), StatusCode::OK).await,
        Err(crm::Error::Template(t)) => {
            let errors = HashMap::from([("template", t.0)]);
            edit_page(&state, &session, kind, &form, None, &errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

/// «Сохранить»: every refused field gets its reason and nothing is saved.
pub async fn save(
    State(state): State<AppState>,
    Current(session): Current,
    Path(kind): Path<String>,
    Form(form): Form<SettingForm>,
) -> Result<Response, AppError> {
    let kind = kind_of(&kind)?;
    Capability::ManageTemplates.check(&session.actor)?;
    let mut errors = HashMap::new();
    let lead_days = form.lead_days.trim().parse::<i64>().ok().filter(|d| (0..=MAX_LEAD_DAYS).contains(d));
    if lead_days.is_none() {
        errors.insert("lead_days", Invalid::LeadDays.message_ru().to_owned());
    }
    // Checked here too, so a bad lead time and a bad template are both named at once.
    if let Err(crm::Error::Template(t)) = state.crm.preview_notification(&session.actor, kind, &form.template) {
        errors.insert("template", t.0);
    }
    if let (Some(lead_days), true) = (lead_days, errors.is_empty()) {
        let enabled = form.enabled.is_some();
        match state.crm.save_notification_setting(&session.actor, kind, enabled, lead_days, &form.template).await {
            Ok(_) => return Ok(Redirect::to(&format!("/notifications?saved={}", kind.as_str())).into_response()),
            Err(crm::Error::Template(t)) => errors.insert("template", t.0),
            Err(crm::Error::Invalid(i)) => errors.insert("lead_days", i.message_ru().to_owned()),
            Err(e) => return Err(e.into()),
        };
    }
    edit_page(&state, &session, kind, &form, None, &errors, StatusCode::UNPROCESSABLE_ENTITY).await
}

/// The variables a template may use, flattened (`client.first_name`) with the sample's values;
/// a list (`tours`) is named with the fields of its items.
pub(crate) fn variables(sample: &Value) -> Vec<Value> {
    fn walk(name: &str, v: &Value, out: &mut Vec<Value>) {
        match v {
            Value::Object(fields) => {
                for (k, v) in fields {
                    walk(&if name.is_empty() { k.clone() } else { format!("{name}.{k}") }, v, out);
                }
            }
            Value::Array(items) => {
                let fields: Vec<&String> =
                    items.first().and_then(Value::as_object).into_iter().flat_map(|o| o.keys()).collect();
                out.push(json!({"name": name, "list_of": fields}));
            }
            Value::String(s) => out.push(json!({"name": name, "sample": s})),
            other => out.push(json!({"name": name, "sample": other.to_string()})),
        }
    }
    let mut out = Vec::new();
    walk("", sample, &mut out);
    out
}

/// The filters an editable template may use (the sandbox's allowlist), with what each does.
pub(crate) fn filters() -> Vec<Value> {
    crm::sandbox::Filter::ALL
        .into_iter()
        .map(|f| json!({"name": f.name(), "about": f.about_ru(), "example": f.example()}))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_are_flattened_with_sample_values_and_lists_name_their_fields() {
        let vars = variables(&json!({"client": {"first_name": "Анна"}, "booking": {"travellers": 2},
            "tours": [{"title": "Алтай", "price": "1 ₽"}]}));
        assert_eq!(
            vars,
            [
                json!({"name": "booking.travellers", "sample": "2"}),
                json!({"name": "client.first_name", "sample": "Анна"}),
                json!({"name": "tours", "list_of": ["price", "title"]}),
            ]
        );
    }
}
