//! The guard in front of every route: reads the session cookie, sends anonymous visitors to
//! the sign-in page, sends a user who must change their password to that page, and checks the
//! CSRF token of every POST before any handler runs (a forged form changes nothing; a body over
//! the limit is refused with 413). A HEAD is checked as the GET it stands for. Also the
//! cookies and the security headers.

use crate::routes::{self, Guard};
use crate::{AppError, AppState};
use axum::body::{Body, to_bytes};
use axum::extract::{FromRequest, FromRequestParts, MatchedPath, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, RequestPartsExt};
use crm::domain::Role;
use crm::services::PanelSession;
use http_body_util::LengthLimitError;

pub const SESSION_COOKIE: &str = "tourcrm_session";
/// The sign-in form's CSRF nonce (there is no session yet to hold a token).
pub const LOGIN_COOKIE: &str = "tourcrm_login";
/// Forms are small; anything bigger is not ours.
const MAX_FORM_BYTES: usize = 256 * 1024;

/// The signed-in user of this request, put there by [`guard`].
#[derive(Debug, Clone)]
pub struct Current(pub PanelSession);

impl FromRequestParts<AppState> for Current {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, AppError> {
        parts.extensions.get::<PanelSession>().cloned().map(Current).ok_or(AppError::SignIn { expired: false })
    }
}

impl axum::extract::OptionalFromRequestParts<AppState> for Current {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Option<Self>, Self::Rejection> {
        Ok(parts.extensions.get::<PanelSession>().cloned().map(Current))
    }
}

/// The cookie token of this request, for sign-out and "end my other sessions".
pub fn session_token(headers: &HeaderMap) -> Option<String> {
    cookie(headers, SESSION_COOKIE)
}

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// A `Set-Cookie` value: `HttpOnly`, `SameSite=Lax`, `Secure` over https; `max_age` 0 deletes.
pub fn set_cookie(name: &str, value: &str, path: &str, max_age: Option<i64>, secure: bool) -> HeaderValue {
    let mut c = format!("{name}={value}; Path={path}; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        c.push_str("; Secure");
    }
    // Names and values are ours (URL-safe base64), so this never fails; an empty header if it did.
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static(""))
}

#[derive(serde::Deserialize)]
struct CsrfField {
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

pub async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    match check(&state, req).await {
        Ok(req) => match req.extensions().get::<PanelSession>().cloned() {
            // An error page keeps the navigation: the user is not stranded on it.
            Some(session) => crate::error::with_navigation(next.run(req).await, &session),
            None => next.run(req).await,
        },
        Err(resp) => resp,
    }
}

async fn check(state: &AppState, req: Request) -> Result<Request, Response> {
    let (mut parts, body) = req.into_parts();
    let path = parts.extract::<MatchedPath>().await.map(|p| p.as_str().to_owned()).unwrap_or_default();
    let Some(route) = routes::find(parts.method.as_str(), &path) else {
        return Ok(Request::from_parts(parts, body));
    };
    if route.guard == Guard::Open {
        return Ok(Request::from_parts(parts, body));
    }
    let token = session_token(&parts.headers);
    let session = match &token {
        Some(t) => state.crm.session_actor(t).await.map_err(|e| AppError::from(e).into_response())?,
        None => None,
    };
    match (&session, route.guard) {
        (None, Guard::SignedIn | Guard::PasswordChange) => {
            let mut resp = AppError::SignIn { expired: token.is_some() }.into_response();
            if token.is_some() {
                resp.headers_mut()
                    .append(header::SET_COOKIE, set_cookie(SESSION_COOKIE, "", "/", Some(0), state.secure_cookies));
            }
            return Err(resp);
        }
        (Some(s), Guard::SignedIn) if s.staff.must_change_password => {
            return Err(Redirect::to("/password").into_response());
        }
        (Some(s), Guard::SignedIn) if s.staff.role == Role::Agent && !routes::agent_may_use(route) => {
            let refused = AppError::Crm(crm::Error::Forbidden("the panel is read-only for agents")).into_response();
            return Err(crate::error::with_navigation(refused, s));
        }
        _ => {}
    }
    let body = if parts.method == Method::POST {
        let expected = match &session {
            Some(s) => Some(s.csrf_token.clone()),
            None => cookie(&parts.headers, LOGIN_COOKIE),
        };
        let bytes = to_bytes(body, MAX_FORM_BYTES).await.map_err(|e| {
            let too_large = std::error::Error::source(&e).is_some_and(|s| s.is::<LengthLimitError>());
            if too_large {
                tracing::warn!(path = %path, "form refused: body over {MAX_FORM_BYTES} bytes");
                AppError::TooLarge.into_response()
            } else {
                // The body broke off (the client went away): nothing to accept.
                AppError::Csrf.into_response()
            }
        })?;
        let probe = Request::builder()
            .method(Method::POST)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(bytes.clone()))
            .map_err(|_| AppError::Csrf.into_response())?;
        let given = Form::<CsrfField>::from_request(probe, &()).await.map(|f| f.0.csrf).unwrap_or_default();
        // In constant time, so timing does not reveal the token.
        if !expected.is_some_and(|e| crm::crypto::same_secret(e.as_bytes(), given.as_bytes())) {
            tracing::warn!(path = %path, "form refused: CSRF token missing or wrong");
            return Err(AppError::Csrf.into_response());
        }
        Body::from(bytes)
    } else {
        body
    };
    if let Some(s) = session {
        parts.extensions.insert(s);
    }
    Ok(Request::from_parts(parts, body))
}

/// Headers of every response: pages are never cached (they carry personal data), never framed,
/// and load nothing from other origins.
pub async fn security_headers(mut resp: Response) -> Response {
    let h = resp.headers_mut();
    h.entry(header::CACHE_CONTROL).or_insert(HeaderValue::from_static("no-store"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'",
        ),
    );
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_read_by_name() {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::from_static("a=1; tourcrm_session=abc ; b=2"));
        assert_eq!(cookie(&h, SESSION_COOKIE).as_deref(), Some("abc"));
        assert_eq!(cookie(&h, "c"), None);
    }

    #[test]
    fn secure_cookies_only_when_asked() {
        let c = set_cookie("s", "v", "/", None, true);
        assert_eq!(c, "s=v; Path=/; HttpOnly; SameSite=Lax; Secure");
        assert!(!set_cookie("s", "v", "/", Some(0), false).to_str().unwrap().contains("Secure"));
    }
}
