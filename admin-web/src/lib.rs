//! The admin panel: server-rendered Russian pages (tera, compiled into the binary) over the
//! `crm` services, with database sessions, a CSRF token on every form and role-aware
//! navigation. Access rules are the services' own; this crate only maps their answers to
//! pages. Every route is listed once in [`ROUTES`], which builds the router and drives the
//! route × role test.

#![forbid(unsafe_code)]

mod assets;
mod audit;
mod auth;
mod bookings;
mod broadcasts;
mod clients;
// The accountant's desk and commission rates (issue #15).
mod commissions;
mod dashboard;
mod documents;
mod error;
// Report tables shown, drawn and downloaded (CSV, XLSX): one helper for every report route.
pub mod exports;
mod guard;
pub mod health;
mod hotels;
// The KPIs page and the admin's start page block.
mod kpi;
mod notifications;
mod operations;
mod outbox;
// Online payments: the accountant's page and YooKassa's notifications.
mod payments;
// The financial reports.
mod reports;
mod routes;
// «Сохранено» after a form, on the page it returns to.
mod saved;
// The Telegram Mini App where clients sign documents (public, `initData`-checked).
pub mod signing;
mod staff;
mod tours;
mod views;

pub use error::AppError;
pub use routes::{Guard, ROUTES, Route};

use axum::Router;
use crm::Crm;

/// Shared state of every handler.
#[derive(Clone, Debug)]
pub struct AppState {
    pub crm: Crm,
    /// Cookies get `Secure` (the panel is served over https, `TOURCRM_PUBLIC_URL`).
    pub secure_cookies: bool,
    /// The bot's username for staff invite links (`https://t.me/<bot>?start=staff_<token>`).
    pub bot_username: Option<String>,
    /// The key the signing Mini App checks Telegram's `initData` with (from the bot token);
    /// without it the Mini App's routes are off.
    pub mini_app: Option<signing::init_data::MiniAppKey>,
    /// With the bot's dialogue state in Redis: whether Redis answers, for `/healthz`.
    pub redis: Option<health::Probe>,
}

impl AppState {
    /// Plain http, no bot username: what tests and a local start use.
    pub fn new(crm: Crm) -> AppState {
        AppState { crm, secure_cookies: false, bot_username: None, mini_app: None, redis: None }
    }

    /// Settings from the public URL (`https://…` makes cookies `Secure`) and the bot's name.
    pub fn configured(crm: Crm, public_url: Option<&str>, bot_username: Option<String>) -> AppState {
        let secure_cookies = public_url.is_some_and(|u| u.trim().to_ascii_lowercase().starts_with("https://"));
        AppState { crm, secure_cookies, bot_username, mini_app: None, redis: None }
    }

    /// Turns on the signing Mini App, whose `initData` is checked with this bot's token.
    pub fn with_bot_token(mut self, token: &str) -> AppState {
        self.mini_app = Some(signing::init_data::MiniAppKey::from_bot_token(token));
        self
    }

    /// `/healthz` also reports Redis, as `probe` sees it.
    pub fn with_redis(self, probe: health::Probe) -> AppState {
        AppState { redis: Some(probe), ..self }
    }
}

/// The whole router; `tourcrm serve` binds it, tests call it with `oneshot`.
pub fn router(state: AppState) -> Router {
    let mut app = Router::new();
    for route in ROUTES {
        app = app.route(route.path, routes::mount(route));
    }
    let mini_app = signing::router(&state);
    app.route_layer(axum::middleware::from_fn_with_state(state.clone(), guard::guard))
        .layer(axum::middleware::map_response(guard::security_headers))
        .merge(mini_app)
        .fallback(error::not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
        .with_state(state)
}

/// Checks that every template parses; `tourcrm serve` calls it at start so a broken template
/// stops the start instead of failing the first request.
pub fn check_templates() -> Result<(), String> {
    views::check()
}
