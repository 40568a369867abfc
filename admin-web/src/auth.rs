//! Sign-in, sign-out and the password change (forced right after the first sign-in).

use crate::guard::{self, Current, LOGIN_COOKIE, SESSION_COOKIE, set_cookie};
use crate::{AppError, AppState, views};
use axum::Form;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use crm::Crm;
use crm::services::{PanelSession, SignIn};
use serde::Deserialize;
use std::net::SocketAddr;

#[derive(Deserialize, Default)]
pub struct LoginQuery {
    #[serde(default)]
    expired: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct LoginForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
}

/// What the sign-in page says above the form.
enum Notice {
    None,
    Expired,
    Refused { attempts_left: i64 },
    Locked { until: String },
    Throttled { until: String },
}

fn login_page(state: &AppState, headers: &HeaderMap, login: &str, notice: Notice, status: StatusCode) -> Response {
    let nonce = guard::cookie(headers, LOGIN_COOKIE).filter(|n| n.len() <= 64).unwrap_or_else(Crm::new_form_nonce);
    let mut ctx = tera::Context::new();
    ctx.insert("csrf", &nonce);
    ctx.insert("login", login);
    ctx.insert("notice", "");
    ctx.insert("attempts_left", &0);
    match notice {
        Notice::None => {}
        Notice::Expired => ctx.insert("notice", "expired"),
        Notice::Refused { attempts_left } => {
            ctx.insert("notice", "refused");
            ctx.insert("attempts_left", &attempts_left);
        }
        Notice::Locked { until } => {
            ctx.insert("notice", "locked");
            ctx.insert("until", &until);
        }
        Notice::Throttled { until } => {
            ctx.insert("notice", "throttled");
            ctx.insert("until", &until);
        }
    }
    let cookie = set_cookie(LOGIN_COOKIE, &nonce, "/login", Some(3600), state.secure_cookies);
    match views::render("login.html", &ctx) {
        Ok(html) => (status, [(header::SET_COOKIE, cookie)], html).into_response(),
        Err(e) => e.into_response(),
    }
}

pub async fn login_form(
    State(state): State<AppState>,
    session: Option<Current>,
    headers: HeaderMap,
    Query(q): Query<LoginQuery>,
) -> Response {
    if session.is_some() {
        return Redirect::to("/").into_response();
    }
    let notice = if q.expired.is_some() { Notice::Expired } else { Notice::None };
    login_page(&state, &headers, "", notice, StatusCode::OK)
}

/// The sign-in. The client's address is the TCP peer's (`tourcrm serve` serves the router with
/// connect info); behind a reverse proxy that is the proxy's.
pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let outcome = match state.crm.sign_in(&form.login, &form.password, peer.ip()).await {
        Ok(o) => o,
        Err(e) => return AppError::from(e).into_response(),
    };
    match outcome {
        SignIn::Started(started) => {
            let to = if started.staff.must_change_password { "/password" } else { "/" };
            let mut resp = Redirect::to(to).into_response();
            let h = resp.headers_mut();
            h.append(header::SET_COOKIE, set_cookie(SESSION_COOKIE, &started.token, "/", None, state.secure_cookies));
            h.append(header::SET_COOKIE, set_cookie(LOGIN_COOKIE, "", "/login", Some(0), state.secure_cookies));
            resp
        }
        SignIn::Refused { attempts_left } => {
            login_page(&state, &headers, &form.login, Notice::Refused { attempts_left }, StatusCode::UNAUTHORIZED)
        }
        SignIn::Locked { until } => login_page(
            &state,
            &headers,
            &form.login,
            Notice::Locked { until: views::when(until) },
            StatusCode::TOO_MANY_REQUESTS,
        ),
        SignIn::Throttled { until } => login_page(
            &state,
            &headers,
            &form.login,
            Notice::Throttled { until: views::when(until) },
            StatusCode::TOO_MANY_REQUESTS,
        ),
    }
}

pub async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, AppError> {
    if let Some(token) = guard::session_token(&headers) {
        state.crm.end_session(&token).await?;
    }
    let mut resp = Redirect::to("/login").into_response();
    resp.headers_mut().append(header::SET_COOKIE, set_cookie(SESSION_COOKIE, "", "/", Some(0), state.secure_cookies));
    Ok(resp)
}

#[derive(Deserialize, Default)]
pub struct PasswordForm {
    #[serde(default)]
    old: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    repeat: String,
}

/// Why the password form was refused: the field and the template's code for the reason.
struct Refusal<'a> {
    field: &'a str,
    code: &'a str,
    /// The end of a sign-in lock (code `locked`).
    until: Option<String>,
}

fn password_page(session: &PanelSession, error: Option<Refusal>, status: StatusCode) -> Response {
    let mut ctx = views::page(session, "password");
    ctx.insert("forced", &session.staff.must_change_password);
    ctx.insert("error", "");
    if let Some(r) = error {
        ctx.insert("error_field", r.field);
        ctx.insert("error", r.code);
        ctx.insert("until", &r.until);
    }
    match views::render("password.html", &ctx) {
        Ok(html) => (status, html).into_response(),
        Err(e) => e.into_response(),
    }
}

pub async fn password_form(Current(session): Current) -> Response {
    password_page(&session, None, StatusCode::OK)
}

pub async fn change_password(
    State(state): State<AppState>,
    Current(session): Current,
    headers: HeaderMap,
    Form(form): Form<PasswordForm>,
) -> Result<Response, AppError> {
    let refuse = |field, code, status| Ok(password_page(&session, Some(Refusal { field, code, until: None }), status));
    if form.new != form.repeat {
        return refuse("repeat", "mismatch", StatusCode::UNPROCESSABLE_ENTITY);
    }
    if form.new == form.old {
        return refuse("new", "same", StatusCode::UNPROCESSABLE_ENTITY);
    }
    match state.crm.change_password(&session.actor, &form.old, &form.new).await {
        Ok(()) => {}
        Err(crm::Error::Forbidden(_)) => return refuse("old", "wrong_old", StatusCode::UNPROCESSABLE_ENTITY),
        Err(crm::Error::Invalid(_)) => return refuse("new", "too_short", StatusCode::UNPROCESSABLE_ENTITY),
        Err(crm::Error::LoginLocked { until }) => {
            let refusal = Refusal { field: "old", code: "locked", until: Some(views::when(until)) };
            return Ok(password_page(&session, Some(refusal), StatusCode::TOO_MANY_REQUESTS));
        }
        Err(e) => return Err(e.into()),
    }
    if let Some(token) = guard::session_token(&headers) {
        state.crm.end_other_sessions(&session.actor, &token).await?;
    }
    Ok(Redirect::to("/?password_changed=1").into_response())
}
