//! A fake YooKassa API v3 on a local port, speaking its real JSON: the payment object (`id`,
//! `status`, `amount{value,currency}`, `confirmation{type,confirmation_url}`, `metadata`,
//! `paid`, `refundable`, `created_at`), the refund object, the error object (`type: error`,
//! `code`, `description`). It checks Basic auth, keeps idempotence keys as YooKassa does (the
//! same key answers with the same object), and can be told to answer 500 N times, to keep a
//! payment pending, to succeed or cancel it, to report another amount, and to notify.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub const SHOP_ID: &str = "506751";
pub const SECRET_KEY: &str = "test_Fh8hUAVVBGUGbjmlzba6TB0iyUbos_lueTHE-axOwM0";

/// One request as the fake saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    pub method: &'static str,
    pub path: String,
    pub idempotence_key: Option<String>,
    pub body: Value,
}

#[derive(Default)]
struct Inner {
    payments: HashMap<String, Value>,
    refunds: HashMap<String, Value>,
    /// Idempotence key → the object it made.
    keys: HashMap<String, Value>,
    /// Answer the next N requests with a 500 before doing anything.
    fail_before: u32,
    /// Do the next N requests, then answer 500 (the answer is lost, the object exists).
    fail_after: u32,
    /// Refunds stay pending until `succeed_refund`.
    refunds_pending: bool,
    seen: Vec<Seen>,
    next: u64,
}

#[derive(Clone)]
pub struct FakeYooKassa {
    pub url: String,
    inner: Arc<Mutex<Inner>>,
}

fn error(status: StatusCode, code: &str, description: &str) -> Response {
    let body = json!({"type": "error", "id": "ab4e2a36-0001", "code": code, "description": description});
    (status, Json(body)).into_response()
}

impl FakeYooKassa {
    pub async fn start() -> FakeYooKassa {
        let inner = Arc::new(Mutex::new(Inner::default()));
        let app = Router::new()
            .route("/v3/payments", post(create_payment))
            .route("/v3/payments/{id}", get(get_payment))
            .route("/v3/refunds", post(create_refund))
            .route("/v3/refunds/{id}", get(get_refund))
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        FakeYooKassa { url, inner }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The next `n` requests get a 500 and change nothing.
    pub fn fail_next(&self, n: u32) {
        self.lock().fail_before = n;
    }

    /// The next `n` requests are carried out but answered with a 500 (our side never hears).
    pub fn lose_answers(&self, n: u32) {
        self.lock().fail_after = n;
    }

    pub fn keep_refunds_pending(&self) {
        self.lock().refunds_pending = true;
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.lock().seen.clone()
    }

    pub fn payments_made(&self) -> usize {
        self.lock().payments.len()
    }

    pub fn payment(&self, id: &str) -> Option<Value> {
        self.lock().payments.get(id).cloned()
    }

    /// The client paid.
    pub fn succeed(&self, id: &str) {
        let mut s = self.lock();
        let p = s.payments.get_mut(id).expect("no such payment at the fake");
        p["status"] = json!("succeeded");
        p["paid"] = json!(true);
        p["refundable"] = json!(true);
        p["captured_at"] = json!("2026-11-25T09:01:00.000Z");
    }

    pub fn cancel(&self, id: &str) {
        let mut s = self.lock();
        let p = s.payments.get_mut(id).expect("no such payment at the fake");
        p["status"] = json!("canceled");
        p["cancellation_details"] = json!({"party": "yoo_money", "reason": "expired_on_confirmation"});
    }

    /// The provider holds another amount than we asked (for mismatch tests).
    pub fn set_amount(&self, id: &str, value: &str, currency: &str) {
        let mut s = self.lock();
        s.payments.get_mut(id).expect("no such payment at the fake")["amount"] =
            json!({"value": value, "currency": currency});
    }

    pub fn refund_ids(&self) -> Vec<String> {
        self.lock().refunds.keys().cloned().collect()
    }

    pub fn succeed_refund(&self, id: &str) {
        let mut s = self.lock();
        s.refunds.get_mut(id).expect("no such refund at the fake")["status"] = json!("succeeded");
    }

    /// The body YooKassa POSTs for `event` about the object `id`, with the object as the fake
    /// holds it now (or as `tamper` rewrites it: a forged body).
    pub fn notification(&self, event: &str, id: &str, tamper: impl FnOnce(&mut Value)) -> Vec<u8> {
        let s = self.lock();
        let mut object = if event.starts_with("refund.") {
            s.refunds.get(id).cloned().unwrap_or_else(|| json!({"id": id}))
        } else {
            s.payments.get(id).cloned().unwrap_or_else(|| json!({"id": id}))
        };
        tamper(&mut object);
        serde_json::to_vec(&json!({"type": "notification", "event": event, "object": object})).unwrap()
    }
}

type Shared = State<Arc<Mutex<Inner>>>;

/// Auth, the failure switches and the request log: `Err` is the answer to give instead.
fn gate(
    inner: &Mutex<Inner>,
    headers: &HeaderMap,
    method: &'static str,
    path: String,
    body: &Value,
) -> Result<Option<String>, Box<Response>> {
    let mut s = inner.lock().unwrap_or_else(|e| e.into_inner());
    let key = headers.get("Idempotence-Key").and_then(|v| v.to_str().ok()).map(str::to_owned);
    s.seen.push(Seen { method, path, idempotence_key: key.clone(), body: body.clone() });
    use base64::Engine;
    let expected =
        format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{SHOP_ID}:{SECRET_KEY}")));
    if headers.get("Authorization").and_then(|v| v.to_str().ok()) != Some(expected.as_str()) {
        return Err(Box::new(error(StatusCode::UNAUTHORIZED, "invalid_credentials", "Basic authentication failed")));
    }
    if s.fail_before > 0 {
        s.fail_before -= 1;
        return Err(Box::new(error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_server_error",
            "Internal server error",
        )));
    }
    Ok(key)
}

/// Answers `object`, or a 500 when told to lose the answer.
fn answer(inner: &Mutex<Inner>, object: Value) -> Response {
    let mut s = inner.lock().unwrap_or_else(|e| e.into_inner());
    if s.fail_after > 0 {
        s.fail_after -= 1;
        return error(StatusCode::INTERNAL_SERVER_ERROR, "internal_server_error", "Internal server error");
    }
    Json(object).into_response()
}

async fn create_payment(State(inner): Shared, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    let key = match gate(&inner, &headers, "POST", "/v3/payments".into(), &body) {
        Ok(Some(k)) => k,
        Ok(None) => return error(StatusCode::BAD_REQUEST, "invalid_request", "Idempotence key is missing"),
        Err(r) => return *r,
    };
    let object = {
        let mut s = inner.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(done) = s.keys.get(&key) {
            let id = done["id"].as_str().unwrap_or_default().to_owned();
            s.payments.get(&id).cloned().unwrap_or_else(|| done.clone())
        } else {
            if body["amount"]["value"].as_str().is_none() || body["confirmation"]["return_url"].as_str().is_none() {
                return error(StatusCode::BAD_REQUEST, "invalid_request", "Missing amount or confirmation");
            }
            s.next += 1;
            let id = format!("2ed{:05}-000f-5000-9000-{:012x}", s.next, s.next);
            let sbp = body["payment_method_data"]["type"] == "sbp";
            let url = if sbp {
                format!(
                    "https://qr.nspk.ru/AS{:030}?type=02&bank=100000000111&sum={}&cur=RUB&crc=AB75",
                    s.next,
                    body["amount"]["value"].as_str().unwrap_or("")
                )
            } else {
                format!("https://yoomoney.ru/checkout/payments/v2/contract?orderId={id}")
            };
            let p = json!({
                "id": id,
                "status": "pending",
                "paid": false,
                "amount": body["amount"],
                "confirmation": {"type": "redirect", "confirmation_url": url},
                "created_at": "2026-11-25T09:00:00.000Z",
                "description": body["description"],
                "metadata": body["metadata"],
                "recipient": {"account_id": SHOP_ID, "gateway_id": "2329370"},
                "refundable": false,
                "test": true,
            });
            s.keys.insert(key, p.clone());
            s.payments.insert(id, p.clone());
            p
        }
    };
    answer(&inner, object)
}

async fn get_payment(State(inner): Shared, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Err(r) = gate(&inner, &headers, "GET", format!("/v3/payments/{id}"), &Value::Null) {
        return *r;
    }
    let found = inner.lock().unwrap_or_else(|e| e.into_inner()).payments.get(&id).cloned();
    match found {
        Some(p) => answer(&inner, p),
        None => error(StatusCode::NOT_FOUND, "not_found", "Payment doesn't exist or access denied"),
    }
}

async fn create_refund(State(inner): Shared, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    let key = match gate(&inner, &headers, "POST", "/v3/refunds".into(), &body) {
        Ok(Some(k)) => k,
        Ok(None) => return error(StatusCode::BAD_REQUEST, "invalid_request", "Idempotence key is missing"),
        Err(r) => return *r,
    };
    let object = {
        let mut s = inner.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(done) = s.keys.get(&key) {
            let id = done["id"].as_str().unwrap_or_default().to_owned();
            s.refunds.get(&id).cloned().unwrap_or_else(|| done.clone())
        } else {
            let pid = body["payment_id"].as_str().unwrap_or_default().to_owned();
            match s.payments.get(&pid) {
                Some(p) if p["status"] == "succeeded" => {}
                Some(_) => return error(StatusCode::BAD_REQUEST, "invalid_request", "Payment is not succeeded"),
                None => return error(StatusCode::NOT_FOUND, "not_found", "Payment doesn't exist"),
            }
            s.next += 1;
            let id = format!("216749{:02}-0015-5000-8000-{:012x}", s.next % 100, s.next);
            let status = if s.refunds_pending { "pending" } else { "succeeded" };
            let r = json!({
                "id": id,
                "payment_id": pid,
                "status": status,
                "created_at": "2026-11-25T09:05:00.000Z",
                "amount": body["amount"],
                "description": body["description"],
            });
            s.keys.insert(key, r.clone());
            s.refunds.insert(id, r.clone());
            r
        }
    };
    answer(&inner, object)
}

async fn get_refund(State(inner): Shared, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Err(r) = gate(&inner, &headers, "GET", format!("/v3/refunds/{id}"), &Value::Null) {
        return *r;
    }
    let found = inner.lock().unwrap_or_else(|e| e.into_inner()).refunds.get(&id).cloned();
    match found {
        Some(r) => answer(&inner, r),
        None => error(StatusCode::NOT_FOUND, "not_found", "Refund doesn't exist"),
    }
}
