//! `GET /healthz`: is the process up and does the database answer (and Redis, when the bot
//! keeps its dialogue state there). For load balancers and monitoring; reveals nothing but the
//! backend's kind.
//!
//! Redis away is `"redis":"down"` with status `degraded` but still 200: the bot answers from the
//! database meanwhile, and a balancer must not take every instance out for a shared Redis.

use crate::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};
use std::sync::Arc;

/// Whether a dependency besides the database answers, as its user last saw it.
#[derive(Clone)]
pub struct Probe(Arc<dyn Fn() -> bool + Send + Sync>);

impl Probe {
    pub fn new(up: impl Fn() -> bool + Send + Sync + 'static) -> Probe {
        Probe(Arc::new(up))
    }
}

impl std::fmt::Debug for Probe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Probe").field(&(self.0)()).finish()
    }
}

pub(crate) async fn healthz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let backend = state.crm.database_backend().to_string();
    let redis_up = state.redis.as_ref().map(|p| (p.0)());
    let (code, mut body) = match state.crm.ping_database().await {
        Ok(()) => {
            let status = if redis_up == Some(false) { "degraded" } else { "ok" };
            (StatusCode::OK, json!({ "status": status, "database": "ok", "backend": backend }))
        }
        Err(e) => {
            tracing::warn!(error = %e, "health check: database does not answer");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                json!({ "status": "error", "database": "unreachable", "backend": backend }),
            )
        }
    };
    if let Some(up) = redis_up {
        body["redis"] = json!(if up { "ok" } else { "down" });
    }
    (code, Json(body))
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
        assert!(v.get("redis").is_none(), "no Redis configured, none reported: {v}");
        store.close().await;
        let res = app.oneshot(Request::get("/healthz").body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    }

    #[tokio::test]
    async fn healthz_says_when_redis_is_down() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let store = crm::store::Store::open(&url).await.unwrap();
        let key = crm::crypto::MasterKey::from_base64(&crm::crypto::MasterKey::generate_base64()).unwrap();
        let crm = crm::Crm::new(store, key, std::sync::Arc::new(crm::clock::SystemClock)).await.unwrap();
        let up = Arc::new(std::sync::atomic::AtomicBool::new(true));
        let seen = up.clone();
        let probe = Probe::new(move || seen.load(std::sync::atomic::Ordering::Relaxed));
        let app = crate::router(AppState::new(crm).with_redis(probe));
        for (answers, redis, status) in [(true, "ok", "ok"), (false, "down", "degraded")] {
            up.store(answers, std::sync::atomic::Ordering::Relaxed);
            let res = app.clone().oneshot(Request::get("/healthz").body(Body::empty()).unwrap()).await.unwrap();
            assert_eq!(res.status(), StatusCode::OK);
            let body = axum::body::to_bytes(res.into_body(), 1 << 16).await.unwrap();
            let v: Value = serde_json::from_slice(&body).unwrap();
            assert_eq!((v["redis"].as_str(), v["status"].as_str()), (Some(redis), Some(status)), "{v}");
        }
    }
}
