//! Webhook mode's own check of the `X-Telegram-Bot-Api-Secret-Token` header. teloxide's route
//! compares the header with `!=`, which stops at the first differing byte: its timing tells an
//! attacker how much of a guess was right. So the route is wrapped: a request without exactly
//! the secret (compared in constant time) gets 401 here and never reaches teloxide, so no
//! forged update is handled; teloxide's own check still runs after ours.

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

const SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";

/// teloxide's webhook router behind the constant-time check of `secret`.
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

    /// A stand-in for teloxide's route that counts the updates it handles.
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
