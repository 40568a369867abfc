//! Webhook mode's route. Like our long polling (`polling`), an update is confirmed only once
//! handled: Telegram takes the 200 as «delivered» and never sends that update again, so the
//! answer waits for the handler; a process that dies meanwhile leaves the update unanswered and
//! Telegram delivers it again (handling one twice is safe by design, see `polling`). Updates of
//! one chat are handled one at a time in the order they came; chats run side by side. While the
//! bot stops, a new update is answered 503 so that Telegram keeps it for later.
//!
//! The `X-Telegram-Bot-Api-Secret-Token` header is compared in constant time (a `!=` would stop
//! at the first differing byte, and its timing would tell how much of a guess was right): a
//! request without exactly the secret gets 401 and no forged update is handled.

use crate::polling::Job;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use teloxide::types::Update;
use tokio::sync::watch;

struct Receiver {
    job: Job,
    /// One lock a chat, so that its updates are handled in order; dropped when unused.
    chats: Mutex<HashMap<i64, Arc<tokio::sync::Mutex<()>>>>,
    stopping: watch::Receiver<bool>,
}

impl Receiver {
    fn chat_lock(&self, chat: i64) -> Arc<tokio::sync::Mutex<()>> {
        let mut chats = self.chats.lock().unwrap_or_else(|e| e.into_inner());
        // Locks nobody holds or waits for are dropped, so the map stays as small as the traffic.
        if chats.len() > 1_000 {
            chats.retain(|_, lock| Arc::strong_count(lock) > 1);
        }
        chats.entry(chat).or_default().clone()
    }
}

/// The route Telegram posts updates to (`path` of the webhook URL), behind the secret check.
pub(crate) fn router(path: &str, job: Job, secret: &str, stopping: watch::Receiver<bool>) -> axum::Router {
    let receiver = Arc::new(Receiver { job, chats: Mutex::new(HashMap::new()), stopping });
    let route = axum::Router::new().route(path, axum::routing::post(receive)).with_state(receiver);
    guarded(route, secret)
}

async fn receive(State(r): State<Arc<Receiver>>, body: axum::body::Bytes) -> StatusCode {
    if *r.stopping.borrow() {
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    let update: Update = match crate::new_updates::parse(&body) {
        Ok(update) => update,
        Err(e) => {
            // Not an update: sending it again would not make it one.
            tracing::warn!(error = %e, "webhook body is not a Telegram update");
            return StatusCode::OK;
        }
    };
    let lock = update.chat().map(|c| r.chat_lock(c.id.0));
    let _in_order = match &lock {
        Some(lock) => Some(lock.lock().await),
        None => None,
    };
    r.job.handle(update).await;
    StatusCode::OK
}

const SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";

/// A router behind the constant-time check of `secret`.
pub(crate) fn guarded(router: axum::Router, secret: &str) -> axum::Router {
    let secret: Arc<[u8]> = secret.as_bytes().into();
    router.route_layer(axum::middleware::from_fn(move |req: Request, next: Next| {
        let secret = Arc::clone(&secret);
        async move { check(&secret, req, next).await }
    }))
}

async fn check(secret: &[u8], req: Request, next: Next) -> Response {
    let given = req.headers().get(SECRET_HEADER).map(|v| v.as_bytes()).unwrap_or_default();
    if crm::crypto::same_secret(secret, given) {
        next.run(req).await
    } else {
        tracing::warn!("webhook request refused: X-Telegram-Bot-Api-Secret-Token missing or wrong");
        StatusCode::UNAUTHORIZED.into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::routing::post;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tower::ServiceExt;

    const SECRET: &str = "s3cret-token_1";

    /// A stand-in for the update route that counts the updates it handles.
    fn app(handled: Arc<AtomicUsize>) -> axum::Router {
        let route = axum::Router::new().route(
            "/hook",
            post(move || async move {
                handled.fetch_add(1, Ordering::SeqCst);
                StatusCode::OK
            }),
        );
        guarded(route, SECRET)
    }

    async fn send(app: &axum::Router, secret: Option<&[u8]>) -> StatusCode {
        let mut req = Request::post("/hook").header("content-type", "application/json");
        if let Some(s) = secret {
            req = req.header(SECRET_HEADER, s);
        }
        let req = req.body(Body::from(r#"{"update_id":1}"#)).expect("a valid request");
        app.clone().oneshot(req).await.expect("infallible").status()
    }

    #[tokio::test]
    async fn only_the_exact_secret_reaches_the_handler() {
        let handled = Arc::new(AtomicUsize::new(0));
        let app = app(Arc::clone(&handled));
        let forged: [Option<&[u8]>; 7] = [
            None,
            Some(b""),
            Some(b"s3cret-token_2"),
            Some(b"s3cret-token_"),
            Some(b"s3cret-token_1x"),
            Some(b"S3CRET-TOKEN_1"),
            Some(b"s3cret token 1"),
        ];
        for secret in forged {
            assert_eq!(send(&app, secret).await, StatusCode::UNAUTHORIZED, "{:?}", secret.map(String::from_utf8_lossy));
        }
        assert_eq!(handled.load(Ordering::SeqCst), 0, "a forged update was handled");
        assert_eq!(send(&app, Some(SECRET.as_bytes())).await, StatusCode::OK);
        assert_eq!(handled.load(Ordering::SeqCst), 1);
    }
}
