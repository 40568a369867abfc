//! A panel over a fresh database with a fixed clock, and a tiny browser: cookies, the CSRF
//! token of the session, one helper per request shape.

#![allow(dead_code)]

use admin_web::{AppState, router};
use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use crm::domain::Role;
use crm::services::{Client, Staff};
use crm::{Actor, Crm};
use std::net::{IpAddr, SocketAddr};
use std::ops::Deref;
use testkit::{Backend, TestCrm};
use tower::ServiceExt;

// Shared with the other test crates; defined once in the harness.
pub use testkit::{ADDRESS, new_client, t0};

pub const PASSWORD: &str = "Надёжный-пароль-2026";

/// The panel's router over a CRM on a fresh database and the fixed clock.
pub struct TestApp {
    pub app: Router,
    base: TestCrm,
}

impl Deref for TestApp {
    type Target = TestCrm;

    fn deref(&self) -> &TestCrm {
        &self.base
    }
}

/// What [`each_backend!`](testkit::each_backend) runs each test body with.
pub async fn spawn(backend: Backend) -> TestApp {
    spawn_with(backend, AppState::new).await
}

pub async fn spawn_with(backend: Backend, state: impl FnOnce(Crm) -> AppState) -> TestApp {
    let base = TestCrm::spawn(backend).await;
    TestApp { app: router(state(base.crm.clone())), base }
}

/// One response, body read.
#[derive(Debug)]
pub struct Page {
    pub status: StatusCode,
    pub location: Option<String>,
    pub set_cookies: Vec<String>,
    /// `Cache-Control`, which pages naming who is signed in set to `no-store`.
    pub cache_control: Option<String>,
    pub body: String,
}

impl Page {
    pub fn redirects_to(&self, to: &str) -> bool {
        self.status == StatusCode::SEE_OTHER && self.location.as_deref() == Some(to)
    }

    /// The value a `Set-Cookie` of this response gives `name` (empty when it deletes it).
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.set_cookies.iter().find_map(|c| {
            let first = c.split(';').next()?;
            let (k, v) = first.split_once('=')?;
            (k == name).then(|| v.to_owned())
        })
    }

    /// The first `_csrf` hidden field of the page.
    pub fn csrf(&self) -> Option<String> {
        let start = self.body.find("name=\"_csrf\" value=\"")? + "name=\"_csrf\" value=\"".len();
        let end = self.body[start..].find('"')?;
        Some(self.body[start..start + end].to_owned())
    }
}

/// A browser's cookie jar (only the panel's two cookies), the CSRF token it would send and the
/// address it connects from (the server sees it as the peer; [`ADDRESS`] when `None`).
#[derive(Debug, Clone, Default)]
pub struct Browser {
    pub session: Option<String>,
    pub login_nonce: Option<String>,
    pub csrf: Option<String>,
    pub address: Option<IpAddr>,
}

impl Browser {
    fn cookie_header(&self) -> Option<String> {
        let mut parts = Vec::new();
        if let Some(s) = &self.session {
            parts.push(format!("tourcrm_session={s}"));
        }
        if let Some(n) = &self.login_nonce {
            parts.push(format!("tourcrm_login={n}"));
        }
        (!parts.is_empty()).then(|| parts.join("; "))
    }

    /// The connection's peer, as `tourcrm serve` hands it to the router.
    fn peer(&self) -> ConnectInfo<SocketAddr> {
        ConnectInfo(SocketAddr::new(self.address.unwrap_or(ADDRESS), 50_000))
    }
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => char::from(b).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl TestApp {
    pub async fn send(&self, req: Request<Body>) -> Page {
        let res = self.app.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let location = res.headers().get(header::LOCATION).map(|v| v.to_str().unwrap().to_owned());
        let set_cookies =
            res.headers().get_all(header::SET_COOKIE).iter().map(|v| v.to_str().unwrap().to_owned()).collect();
        let cache_control = res.headers().get(header::CACHE_CONTROL).map(|v| v.to_str().unwrap().to_owned());
        let bytes = axum::body::to_bytes(res.into_body(), 1 << 22).await.unwrap();
        Page { status, location, set_cookies, cache_control, body: String::from_utf8_lossy(&bytes).into_owned() }
    }

    pub async fn get(&self, b: &Browser, path: &str) -> Page {
        let mut req = Request::get(path).extension(b.peer());
        if let Some(c) = b.cookie_header() {
            req = req.header(header::COOKIE, c);
        }
        self.send(req.body(Body::empty()).unwrap()).await
    }

    /// A GET whose answer is a file: its status, headers and bytes as they are.
    pub async fn download(&self, b: &Browser, path: &str) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
        let mut req = Request::get(path).extension(b.peer());
        if let Some(c) = b.cookie_header() {
            req = req.header(header::COOKIE, c);
        }
        let res = self.app.clone().oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
        let (status, headers) = (res.status(), res.headers().clone());
        let bytes = axum::body::to_bytes(res.into_body(), 1 << 24).await.unwrap();
        (status, headers, bytes.to_vec())
    }

    /// A HEAD request: what a GET answers, without the body.
    pub async fn head(&self, b: &Browser, path: &str) -> Page {
        let mut req = Request::head(path);
        if let Some(c) = b.cookie_header() {
            req = req.header(header::COOKIE, c);
        }
        self.send(req.body(Body::empty()).unwrap()).await
    }

    /// Posts a form exactly as given (no CSRF token added).
    pub async fn post_raw(&self, b: &Browser, path: &str, form: &[(&str, &str)]) -> Page {
        let body = form.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&");
        let mut req =
            Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded").extension(b.peer());
        if let Some(c) = b.cookie_header() {
            req = req.header(header::COOKIE, c);
        }
        self.send(req.body(Body::from(body)).unwrap()).await
    }

    /// Posts a form with the browser's CSRF token, as the page's own form would.
    pub async fn post(&self, b: &Browser, path: &str, form: &[(&str, &str)]) -> Page {
        let csrf = b.csrf.clone().or_else(|| b.login_nonce.clone()).unwrap_or_default();
        let mut all = vec![("_csrf", csrf.as_str())];
        all.extend_from_slice(form);
        self.post_raw(b, path, &all).await
    }

    /// Opens the sign-in page: the browser gets the form's nonce cookie.
    pub async fn visit_login(&self) -> Browser {
        let page = self.get(&Browser::default(), "/login").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        Browser { login_nonce: page.cookie("tourcrm_login"), ..Default::default() }
    }

    /// Signs in through the form; returns the response and the browser after it.
    pub async fn try_sign_in(&self, login: &str, password: &str) -> (Page, Browser) {
        self.try_sign_in_from(ADDRESS, login, password).await
    }

    /// Signs in through the form from a browser at `address`.
    pub async fn try_sign_in_from(&self, address: IpAddr, login: &str, password: &str) -> (Page, Browser) {
        let mut b = Browser { address: Some(address), ..self.visit_login().await };
        let page = self.post(&b, "/login", &[("login", login), ("password", password)]).await;
        if let Some(token) = page.cookie("tourcrm_session") {
            b.session = Some(token);
            b.login_nonce = None;
            b.csrf = self.get(&b, "/password").await.csrf();
        }
        (page, b)
    }

    pub async fn sign_in(&self, login: &str, password: &str) -> Browser {
        let (page, b) = self.try_sign_in(login, password).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "sign-in of {login} failed: {}", page.body);
        b
    }

    /// A staff member who has already changed the one-time password to [`PASSWORD`].
    pub async fn staff(&self, login: &str, role: Role) -> Staff {
        let created = self.add_staff(login, role).await;
        let actor = Actor::staff(created.staff.id, role);
        self.crm.change_password(&actor, &created.password, PASSWORD).await.unwrap();
        created.staff
    }

    /// A staff member with a browser already signed in.
    pub async fn signed_in(&self, login: &str, role: Role) -> (Staff, Browser) {
        let staff = self.staff(login, role).await;
        let b = self.sign_in(login, PASSWORD).await;
        (staff, b)
    }

    pub async fn client(&self, name: &str, phone: &str, agent: Option<&Staff>) -> Client {
        let actor = agent.map(|a| Actor::staff(a.id, a.role)).unwrap_or(Actor::System);
        self.crm.register_client(&actor, new_client(name, phone)).await.unwrap()
    }
}

/// An internal passport as the panel's and the Mini App's forms post it.
pub const PASSPORT_FORM: [(&str, &str); 6] = [
    ("kind", "internal_passport"),
    ("series", "45 08"),
    ("number", "613729"),
    ("issued_on", "15.01.2010"),
    ("issuer", "ОВД Тверского района"),
    ("division_code", "770-001"),
];
