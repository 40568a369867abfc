//! `GET /healthz`: is the process up and does the database answer. For load balancers and
//! monitoring; reveals nothing but the backend's kind.

use crate::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

pub(crate) async fn healthz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let backend = state.crm.database_backend().to_string();
    match state.crm.ping_database().await {
        Ok(()) => (StatusCode::OK, Json(json!({ "status": "ok", "database": "ok", "backend": backend }))),
        Err(e) => {
            tracing::warn!(error = %e, "health check: database does not answer");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "error", "database": "unreachable", "backend": backend })),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;

    #[tokio::test]
    async fn healthz_says_the_database_answers() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let store = crm::store::Store::open(&url).await.unwrap();
        let key = crm::crypto::MasterKey::from_base64(&crm::crypto::MasterKey::generate_base64()).unwrap();
        let crm = crm::Crm::new(store.clone(), key, std::sync::Arc::new(crm::clock::SystemClock)).await.unwrap();
        let app = crate::router(AppState::new(crm));
        let res = app.clone().oneshot(Request::get("/healthz").body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let body = axum::body::to_bytes(res.into_body(), 1 << 16).await.unwrap();
        let v: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["database"], "ok");
        assert_eq!(v["backend"], "sqlite");
        store.close().await;
        let res = app.oneshot(Request::get("/healthz").body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    }
}
