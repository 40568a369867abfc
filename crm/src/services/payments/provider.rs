//! The face of a payment provider: what the services ask of it and what it answers, in our
//! types. The YooKassa adapter (`yookassa.rs`) speaks HTTP behind it; tests run the same adapter
//! against a local fake server. Nothing here touches the database.

use crate::domain::Money;
use chrono::{DateTime, Utc};
use std::future::Future;
use std::pin::Pin;

/// How the client pays at the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum OnlineMethod {
    /// A bank card on the provider's page.
    Card,
    /// The Faster Payments System: the link (or its QR code) opens the client's bank app.
    Sbp,
}

impl OnlineMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            OnlineMethod::Card => "card",
            OnlineMethod::Sbp => "sbp",
        }
    }

    pub fn parse(s: &str) -> Option<OnlineMethod> {
        match s {
            "card" => Some(OnlineMethod::Card),
            "sbp" => Some(OnlineMethod::Sbp),
            _ => None,
        }
    }
}

/// The 54-FZ receipt the provider's cash register prints (when the agency turns receipts on).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// Digits only, with the country code (`79001234567`).
    pub customer_phone: String,
    pub description: String,
    pub vat_code: u8,
    /// `full_prepayment` or `partial_prepayment`: the tour is not yet rendered.
    pub payment_mode: &'static str,
    pub payment_subject: &'static str,
}

/// A payment to create. The idempotence key is ours, stored before the call.
#[derive(Debug, Clone)]
pub struct NewProviderPayment {
    pub idempotence_key: String,
    pub amount: Money,
    pub method: super::OnlineMethod,
    pub description: String,
    pub return_url: String,
    pub booking_id: i64,
    pub payment_id: i64,
    pub receipt: Option<Receipt>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProviderStatus {
    Pending,
    WaitingForCapture,
    Succeeded,
    Canceled,
}

/// A payment as the provider knows it: only this counts, never a webhook's body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderPayment {
    pub id: String,
    pub status: ProviderStatus,
    pub amount: Money,
    pub paid: bool,
    pub confirmation_url: Option<String>,
    /// Our booking and payment ids, as we put them into the metadata.
    pub booking_id: Option<i64>,
    pub payment_id: Option<i64>,
    pub created_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefundStatus {
    Pending,
    Succeeded,
    Canceled,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderRefund {
    pub id: String,
    pub payment_id: String,
    pub status: RefundStatus,
    pub amount: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProviderError {
    /// No answer, or a 5xx, after the retries: try again later with the same key.
    #[error("the provider is unavailable: {0}")]
    Unavailable(String),
    /// The provider said no (4xx): the same request will not succeed.
    #[error("the provider refused: {code}: {description}")]
    Refused { code: String, description: String },
    /// An answer we cannot read.
    #[error("the provider's answer is unreadable: {0}")]
    Unreadable(String),
}

pub type ProviderFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, ProviderError>> + Send + 'a>>;

/// What the payment services need of a provider. Each call with a key may be repeated: the
/// provider answers a repeated key with what it did the first time.
pub trait PaymentProvider: Send + Sync + std::fmt::Debug {
    fn create_payment<'a>(&'a self, p: &'a NewProviderPayment) -> ProviderFuture<'a, ProviderPayment>;
    fn get_payment<'a>(&'a self, id: &'a str) -> ProviderFuture<'a, ProviderPayment>;
    fn create_refund<'a>(
        &'a self,
        idempotence_key: &'a str,
        payment_id: &'a str,
        amount: Money,
        description: &'a str,
    ) -> ProviderFuture<'a, ProviderRefund>;
    fn get_refund<'a>(&'a self, id: &'a str) -> ProviderFuture<'a, ProviderRefund>;
}
