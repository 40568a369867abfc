//! YooKassa API v3 over reqwest: `POST /v3/payments`, `GET /v3/payments/{id}`,
//! `POST /v3/refunds`, `GET /v3/refunds/{id}`, with Basic auth `shopId:secretKey`.
//!
//! **Retries keep the key.** A 5xx, a 202 («processing») or no answer at all leaves the result
//! unknown; YooKassa's rule is to repeat the same request with the same `Idempotence-Key`,
//! which answers with what the first one did. So the adapter retries with backoff and the SAME
//! key; after the last try the caller keeps the key (it is stored) for reconciliation.

use super::provider::{
    NewProviderPayment, OnlineMethod, PaymentProvider, ProviderError, ProviderFuture, ProviderPayment, ProviderRefund,
    ProviderStatus, RefundStatus,
};
use crate::domain::{Currency, Money};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use std::time::Duration;

/// Tries per request: the first and three retries (0.25 s, 0.5 s, 1 s apart).
const ATTEMPTS: u32 = 4;
const FIRST_BACKOFF: Duration = Duration::from_millis(250);

#[derive(Debug, Clone)]
pub struct YooKassaCredentials {
    pub shop_id: String,
    pub secret_key: SecretString,
    /// `https://api.yookassa.ru` (a fake server in tests).
    pub api_url: String,
}

#[derive(Debug, Clone)]
pub struct YooKassa {
    http: reqwest::Client,
    creds: YooKassaCredentials,
}

impl YooKassa {
    pub fn new(creds: YooKassaCredentials) -> Result<YooKassa, ProviderError> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| ProviderError::Unavailable(e.to_string()))?;
        Ok(YooKassa { http, creds })
    }

    fn url(&self, path: &str) -> String {
        format!("{}/v3/{path}", self.creds.api_url.trim_end_matches('/'))
    }

    /// One request, retried on 5xx, 202 and transport errors with the same key.
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        key: Option<&str>,
        body: Option<&Value>,
    ) -> Result<Value, ProviderError> {
        let mut backoff = FIRST_BACKOFF;
        let mut last = String::new();
        for attempt in 0..ATTEMPTS {
            if attempt > 0 {
                tokio::time::sleep(backoff).await;
                backoff *= 2;
            }
            let mut req = self
                .http
                .request(method.clone(), self.url(path))
                .basic_auth(&self.creds.shop_id, Some(self.creds.secret_key.expose_secret()));
            if let Some(k) = key {
                req = req.header("Idempotence-Key", k);
            }
            if let Some(b) = body {
                req = req.json(b);
            }
            let resp = match req.send().await {
                Ok(r) => r,
                Err(e) => {
                    last = e.without_url().to_string();
                    continue;
                }
            };
            let status = resp.status();
            let text = resp.text().await.unwrap_or_default();
            if status.is_server_error() || status == reqwest::StatusCode::ACCEPTED {
                last = format!("HTTP {status}");
                continue;
            }
            let value: Value =
                serde_json::from_str(&text).map_err(|e| ProviderError::Unreadable(format!("HTTP {status}: {e}")))?;
            if status.is_success() {
                return Ok(value);
            }
            return Err(ProviderError::Refused {
                code: value["code"].as_str().unwrap_or("unknown").to_owned(),
                description: value["description"].as_str().unwrap_or("").chars().take(300).collect(),
            });
        }
        Err(ProviderError::Unavailable(last))
    }
}

/// `"1500.00"` in the currency's units.
pub fn amount_json(m: Money) -> Value {
    json!({ "value": format!("{}.{:02}", m.minor / 100, (m.minor % 100).abs()), "currency": m.currency.code() })
}

fn parse_amount(v: &Value) -> Result<Money, ProviderError> {
    let bad = || ProviderError::Unreadable("amount".into());
    let currency = Currency::parse(v["currency"].as_str().ok_or_else(bad)?).map_err(|_| bad())?;
    Money::parse(v["value"].as_str().ok_or_else(bad)?, currency).map_err(|_| bad())
}

fn str_field(v: &Value, name: &str) -> Result<String, ProviderError> {
    v[name].as_str().map(str::to_owned).ok_or_else(|| ProviderError::Unreadable(name.to_owned()))
}

fn metadata_id(v: &Value, name: &str) -> Option<i64> {
    match &v["metadata"][name] {
        Value::String(s) => s.parse().ok(),
        Value::Number(n) => n.as_i64(),
        _ => None,
    }
}

pub fn parse_payment(v: &Value) -> Result<ProviderPayment, ProviderError> {
    let status = match v["status"].as_str() {
        Some("pending") => ProviderStatus::Pending,
        Some("waiting_for_capture") => ProviderStatus::WaitingForCapture,
        Some("succeeded") => ProviderStatus::Succeeded,
        Some("canceled") => ProviderStatus::Canceled,
        _ => return Err(ProviderError::Unreadable("status".into())),
    };
    Ok(ProviderPayment {
        id: str_field(v, "id")?,
        status,
        amount: parse_amount(&v["amount"])?,
        paid: v["paid"].as_bool().unwrap_or(false),
        confirmation_url: v["confirmation"]["confirmation_url"].as_str().map(str::to_owned),
        booking_id: metadata_id(v, "booking_id"),
        payment_id: metadata_id(v, "payment_id"),
        created_at: v["created_at"]
            .as_str()
            .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
            .map(|t| t.with_timezone(&chrono::Utc)),
    })
}

pub fn parse_refund(v: &Value) -> Result<ProviderRefund, ProviderError> {
    let status = match v["status"].as_str() {
        Some("pending") => RefundStatus::Pending,
        Some("succeeded") => RefundStatus::Succeeded,
        Some("canceled") => RefundStatus::Canceled,
        _ => return Err(ProviderError::Unreadable("refund status".into())),
    };
    Ok(ProviderRefund {
        id: str_field(v, "id")?,
        payment_id: str_field(v, "payment_id")?,
        status,
        amount: parse_amount(&v["amount"])?,
    })
}

/// The body of `POST /v3/payments`.
pub fn payment_body(p: &NewProviderPayment) -> Value {
    let mut body = json!({
        "amount": amount_json(p.amount),
        "capture": true,
        "confirmation": { "type": "redirect", "return_url": p.return_url },
        "description": p.description.chars().take(128).collect::<String>(),
        "metadata": { "booking_id": p.booking_id.to_string(), "payment_id": p.payment_id.to_string() },
    });
    if p.method == OnlineMethod::Sbp {
        body["payment_method_data"] = json!({ "type": "sbp" });
    }
    if let Some(r) = &p.receipt {
        body["receipt"] = json!({
            "customer": { "phone": r.customer_phone },
            "items": [{
                "description": r.description,
                "quantity": "1.00",
                "amount": amount_json(p.amount),
                "vat_code": r.vat_code,
                "payment_mode": r.payment_mode,
                "payment_subject": r.payment_subject,
            }],
        });
    }
    body
}

impl PaymentProvider for YooKassa {
    fn create_payment<'a>(&'a self, p: &'a NewProviderPayment) -> ProviderFuture<'a, ProviderPayment> {
        Box::pin(async move {
            let v =
                self.call(reqwest::Method::POST, "payments", Some(&p.idempotence_key), Some(&payment_body(p))).await?;
            parse_payment(&v)
        })
    }

    fn get_payment<'a>(&'a self, id: &'a str) -> ProviderFuture<'a, ProviderPayment> {
        Box::pin(async move {
            // An id goes into the path: only what YooKassa's ids are made of.
            if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
                return Err(ProviderError::Refused { code: "not_found".into(), description: String::new() });
            }
            parse_payment(&self.call(reqwest::Method::GET, &format!("payments/{id}"), None, None).await?)
        })
    }

    fn create_refund<'a>(
        &'a self,
        idempotence_key: &'a str,
        payment_id: &'a str,
        amount: Money,
        description: &'a str,
    ) -> ProviderFuture<'a, ProviderRefund> {
        Box::pin(async move {
            let body = json!({
                "payment_id": payment_id,
                "amount": amount_json(amount),
                "description": description.chars().take(250).collect::<String>(),
            });
            parse_refund(&self.call(reqwest::Method::POST, "refunds", Some(idempotence_key), Some(&body)).await?)
        })
    }

    fn get_refund<'a>(&'a self, id: &'a str) -> ProviderFuture<'a, ProviderRefund> {
        Box::pin(async move {
            if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
                return Err(ProviderError::Refused { code: "not_found".into(), description: String::new() });
            }
            parse_refund(&self.call(reqwest::Method::GET, &format!("refunds/{id}"), None, None).await?)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_written_and_read_as_yookassa_does() {
        let m = Money::new(150_000, Currency::RUB);
        assert_eq!(amount_json(m), json!({"value": "1500.00", "currency": "RUB"}));
        assert_eq!(parse_amount(&amount_json(Money::new(5, Currency::RUB))).unwrap().minor, 5);
        assert!(parse_amount(&json!({"value": "-1.00", "currency": "RUB"})).is_err());
        assert!(parse_amount(&json!({"value": 15, "currency": "RUB"})).is_err());
    }
}
