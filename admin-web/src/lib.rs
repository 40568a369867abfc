//! The admin panel's HTTP server (axum). For now it serves `/healthz`; the panel's pages come
//! with their own issue and mount on the same router.

#![forbid(unsafe_code)]

mod health;

use axum::Router;
use crm::Crm;

/// Shared state of every handler.
#[derive(Clone, Debug)]
pub struct AppState {
    pub crm: Crm,
}

/// The whole router; `tourcrm serve` binds it, tests call it with `oneshot`.
pub fn router(state: AppState) -> Router {
    Router::new().merge(health::routes()).with_state(state)
}
