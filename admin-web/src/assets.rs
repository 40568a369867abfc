//! The panel's one stylesheet, compiled in; no CDN, no JavaScript.

use axum::http::header;
use axum::response::IntoResponse;

const PANEL_CSS: &str = include_str!("../../templates/web/panel.css");

pub async fn stylesheet() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")], PANEL_CSS)
}
