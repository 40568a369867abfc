//! The one mapping of errors to pages. `crm::Error` becomes a 403, 404, 400, 409 or 429 page in
//! Russian; internal errors are logged with their detail and shown only as «внутренняя
//! ошибка». Forms that can be corrected catch `Invalid` themselves and re-render with the
//! input kept; what reaches this module is shown as a page of its own.

use crate::{AppState, views};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use crm::services::PanelSession;
use crm::text;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Crm(#[from] crm::Error),
    #[error("template: {0}")]
    Template(String),
    /// A URL that names nothing (also a malformed id).
    #[error("not found")]
    NotFound,
    /// A form without this session's CSRF token.
    #[error("CSRF token missing or wrong")]
    Csrf,
    /// A request body over the panel's limit (forms are small).
    #[error("request body too large")]
    TooLarge,
    /// Not signed in (or the session expired): go to the sign-in page.
    #[error("sign-in required")]
    SignIn { expired: bool },
}

impl AppError {
    fn page(&self) -> (StatusCode, &'static str, String) {
        use crm::Error as E;
        match self {
            AppError::Crm(E::Forbidden(_)) => (StatusCode::FORBIDDEN, "forbidden", String::new()),
            AppError::Crm(E::NotFound(_)) | AppError::NotFound => (StatusCode::NOT_FOUND, "not_found", String::new()),
            AppError::Crm(E::Invalid(i)) => (StatusCode::BAD_REQUEST, "invalid", i.message_ru().to_owned()),
            AppError::Crm(e @ E::InvalidField { .. }) => {
                (StatusCode::BAD_REQUEST, "invalid", e.refusal_ru().unwrap_or_default())
            }
            AppError::Crm(E::Conflict(c)) => (StatusCode::CONFLICT, "conflict", c.message_ru()),
            AppError::Crm(E::Signing(s)) => (StatusCode::CONFLICT, "conflict", s.message_ru()),
            AppError::Crm(E::Template(t)) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid", t.0.clone()),
            AppError::Crm(E::IllegalMove(_)) => (StatusCode::CONFLICT, "illegal_move", String::new()),
            AppError::Crm(E::LoginLocked { until }) => (StatusCode::TOO_MANY_REQUESTS, "locked", views::when(*until)),
            AppError::Csrf => (StatusCode::FORBIDDEN, "csrf", String::new()),
            AppError::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "too_large", String::new()),
            AppError::Crm(E::Crypto(_) | E::Db(_) | E::Migrate(_) | E::Internal(_)) | AppError::Template(_) => {
                (StatusCode::INTERNAL_SERVER_ERROR, "internal", String::new())
            }
            AppError::SignIn { .. } => (StatusCode::SEE_OTHER, "", String::new()),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::SignIn { expired } = self {
            return Redirect::to(if expired { "/login?expired=1" } else { "/login" }).into_response();
        }
        let (status, kind, message) = self.page();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        error_page(status, kind, &message)
    }
}

/// What an error page says, kept on its response so the guard, which knows who is signed in,
/// can draw it again with the navigation (a handler's error does not know the user).
#[derive(Debug, Clone)]
pub struct ErrorPage {
    status: StatusCode,
    kind: String,
    message: String,
}

/// A full error page; plain text if even the template fails.
pub fn error_page(status: StatusCode, kind: &str, message: &str) -> Response {
    error_page_in(None, status, kind, message)
}

/// The error page again, inside the navigation of the signed-in user; other responses pass.
pub fn with_navigation(resp: Response, session: &PanelSession) -> Response {
    match resp.extensions().get::<ErrorPage>().cloned() {
        Some(p) => {
            let mut again = error_page_in(Some(session), p.status, &p.kind, &p.message);
            // Headers set on the way (a cookie cleared) stay.
            for (name, value) in resp.headers() {
                if !again.headers().contains_key(name) {
                    again.headers_mut().insert(name, value.clone());
                }
            }
            again
        }
        None => resp,
    }
}

/// An error page, with the navigation when someone is signed in.
pub fn error_page_in(session: Option<&PanelSession>, status: StatusCode, kind: &str, message: &str) -> Response {
    let mut ctx = session.map_or_else(tera::Context::new, |s| views::page(s, ""));
    ctx.insert("status", &status.as_u16());
    ctx.insert("kind", kind);
    ctx.insert("message", message);
    match views::render("error.html", &ctx) {
        Ok(html) => {
            let mut resp = (status, html).into_response();
            if session.is_none() {
                resp.extensions_mut().insert(ErrorPage { status, kind: kind.to_owned(), message: message.to_owned() });
            }
            resp
        }
        Err(e) => {
            tracing::error!(error = %e, "error page template failed");
            (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text::get("web", "error_fallback"))
                .into_response()
        }
    }
}

/// Unknown URLs: the 404, inside the navigation when someone is signed in (the guard, which
/// draws it for the routes it knows, does not see these).
pub async fn not_found(State(state): State<AppState>, headers: HeaderMap) -> Response {
    in_navigation(&state, &headers, AppError::NotFound.into_response()).await
}

/// A known URL with a method it does not take: a form's action opened as a link (a reload, a
/// bookmark). Said in words, with the navigation, instead of the browser's bare 405.
pub async fn method_not_allowed(State(state): State<AppState>, headers: HeaderMap) -> Response {
    in_navigation(&state, &headers, error_page(StatusCode::METHOD_NOT_ALLOWED, "method", "")).await
}

async fn in_navigation(state: &AppState, headers: &HeaderMap, page: Response) -> Response {
    let session = match crate::guard::session_token(headers) {
        Some(token) => state.crm.session_actor(&token).await.ok().flatten(),
        None => None,
    };
    let page = match session {
        Some(session) => with_navigation(page, &session),
        None => page,
    };
    // Outside the routes, so outside the layer that sets the pages' headers, while the page
    // names who is signed in: never cached, never framed, like the others.
    crate::guard::security_headers(page).await
}

/// A row id from the URL: anything but a positive integer names nothing.
pub fn parse_id(raw: &str) -> Result<i64, AppError> {
    raw.parse::<i64>().ok().filter(|id| *id > 0).ok_or(AppError::NotFound)
}
