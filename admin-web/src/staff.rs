//! Staff (the admin's): the list, adding a member (the one-time password and the Telegram
//! invite are shown once, on the answer page, and never again), deactivation, password resets,
//! lifting a sign-in lock and new invites.

use crate::error::parse_id;
use crate::guard::Current;
use crate::{AppError, AppState, views};
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use crm::domain::{Invalid, Role, StaffId};
use crm::services::{Capability, NewStaffInput, PanelSession};
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;

pub async fn list(State(state): State<AppState>, Current(session): Current) -> Result<Html<String>, AppError> {
    let staff = state.crm.list_staff(&session.actor).await?;
    let locks = state.crm.staff_locks(&session.actor).await?;
    let rows: Vec<_> = staff
        .iter()
        .map(|s| {
            json!({
                "id": s.id.0,
                "login": s.login,
                "name": s.name,
                "role_title": s.role.title_ru(),
                "active": s.active,
                "must_change_password": s.must_change_password,
                "telegram_bound": s.telegram_id.is_some(),
                "telegram_username": s.telegram_username,
                "invite_pending": s.invite_pending,
                "created_at": views::day(s.created_at.date_naive()),
                "is_me": s.id == session.staff.id,
                "locked_until": locks.get(&s.id).map(|until| views::when(*until)),
            })
        })
        .collect();
    let mut ctx = views::page(&session, "staff");
    ctx.insert("staff", &rows);
    views::render("staff/list.html", &ctx)
}

#[derive(Deserialize, Default, serde::Serialize)]
pub struct NewStaffForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
}

fn new_staff_page(
    session: &PanelSession,
    form: &NewStaffForm,
    errors: &HashMap<&str, String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    Capability::ManageStaff.check(&session.actor)?;
    let roles: Vec<_> = Role::ALL.iter().map(|r| json!({"value": r.as_str(), "title": r.title_ru()})).collect();
    let mut ctx = views::page(session, "staff");
    ctx.insert("form", form);
    ctx.insert("errors", errors);
    ctx.insert("roles", &roles);
    Ok((status, views::render("staff/new.html", &ctx)?).into_response())
}

pub async fn new_form(Current(session): Current) -> Result<Response, AppError> {
    new_staff_page(&session, &NewStaffForm::default(), &HashMap::new(), StatusCode::OK)
}

fn invite_link(state: &AppState, token: &str) -> Option<String> {
    state.bot_username.as_ref().map(|bot| format!("https://t.me/{bot}?start=staff_{token}"))
}

/// The page that shows a secret once: a new member's password and invite, a reset password,
/// or a new invite.
fn secret_page(
    state: &AppState,
    session: &PanelSession,
    what: &str,
    member: serde_json::Value,
    password: Option<&str>,
    invite: Option<&str>,
) -> Result<Response, AppError> {
    let mut ctx = views::page(session, "staff");
    ctx.insert("what", what);
    ctx.insert("member", &member);
    ctx.insert("password", &password);
    ctx.insert("invite_token", &invite);
    ctx.insert("invite_link", &invite.and_then(|t| invite_link(state, t)));
    ctx.insert("invite_days", &crm::services::INVITE_TTL_DAYS);
    Ok(views::render("staff/secret.html", &ctx)?.into_response())
}

pub async fn create(
    State(state): State<AppState>,
    Current(session): Current,
    Form(form): Form<NewStaffForm>,
) -> Result<Response, AppError> {
    let refuse = |field: &'static str, message: String| {
        new_staff_page(&session, &form, &HashMap::from([(field, message)]), StatusCode::UNPROCESSABLE_ENTITY)
    };
    let role = match Role::parse(&form.role) {
        Ok(role) => role,
        Err(e) => return refuse("role", e.message_ru().to_owned()),
    };
    let input = NewStaffInput { login: &form.login, name: &form.name, role };
    match state.crm.add_staff(&session.actor, input).await {
        Ok(created) => {
            let s = &created.staff;
            let member = json!({"name": s.name, "login": s.login, "role_title": s.role.title_ru()});
            secret_page(&state, &session, "created", member, Some(&created.password), Some(&created.invite_token))
        }
        Err(crm::Error::Invalid(i @ Invalid::LoginFormat)) => refuse("login", i.message_ru().to_owned()),
        Err(crm::Error::Invalid(i)) => refuse("name", i.message_ru().to_owned()),
        Err(crm::Error::Conflict(c)) => refuse("login", c.message_ru()),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
pub struct ActiveForm {
    /// `1` activates, anything else deactivates.
    #[serde(default)]
    active: String,
}

pub async fn set_active(
    State(state): State<AppState>,
    Current(session): Current,
    Path(id): Path<String>,
    Form(form): Form<ActiveForm>,
) -> Result<Response, AppError> {
    let id = StaffId(parse_id(&id)?);
    state.crm.set_staff_active(&session.actor, id, form.active == "1").await?;
    Ok(Redirect::to("/staff").into_response())
}

/// Lifts a sign-in lock (the list shows which logins are locked).
pub async fn unlock(
    State(state): State<AppState>,
    Current(session): Current,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = StaffId(parse_id(&id)?);
    state.crm.unlock_staff(&session.actor, id).await?;
    Ok(Redirect::to("/staff").into_response())
}

async fn member(state: &AppState, session: &PanelSession, id: StaffId) -> Result<serde_json::Value, AppError> {
    let s = state.crm.get_staff(&session.actor, id).await?;
    Ok(json!({"name": s.name, "login": s.login, "role_title": s.role.title_ru()}))
}

pub async fn reset_password(
    State(state): State<AppState>,
    Current(session): Current,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = StaffId(parse_id(&id)?);
    let password = state.crm.reset_password(&session.actor, id).await?;
    let member = member(&state, &session, id).await?;
    secret_page(&state, &session, "password", member, Some(&password), None)
}

pub async fn invite(
    State(state): State<AppState>,
    Current(session): Current,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = StaffId(parse_id(&id)?);
    let token = state.crm.new_invite(&session.actor, id).await?;
    let member = member(&state, &session, id).await?;
    secret_page(&state, &session, "invite", member, None, Some(&token))
}
