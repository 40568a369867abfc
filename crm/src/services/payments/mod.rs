//! Online payments through a provider (YooKassa): creating a payment link, applying what the
//! provider says happened (webhooks and reconciliation), refunds of money that must go back.
//!
//! **Nothing lost, nothing twice.** Our row with its idempotence key is committed BEFORE the
//! provider is called: a retry after a 500, a timeout or a crash calls again with the same key
//! and the provider answers with the payment it already made. A row the provider never saw
//! (or whose answer we lost) stays `pending` without a provider id, and reconciliation
//! (`reconcile.rs`) asks again with its key. Money lands in the ledger only through
//! `Crm::record_client_payment`'s one path, with the provider's id as the external id, in the
//! transaction that records the event as applied.
//!
//! **What is trusted.** Only what we fetch from the provider by id: never a webhook's body.
//! This module never talks HTTP itself; the provider trait does.

mod apply;
mod provider;
mod reconcile;
mod refunds;
mod status;
mod yookassa;

pub use crate::store::online_payments::PaymentFlag;
pub use apply::NotificationOutcome;
pub use provider::{
    NewProviderPayment, OnlineMethod, PaymentProvider, ProviderError, ProviderFuture, ProviderPayment, ProviderRefund,
    ProviderStatus, Receipt, RefundStatus,
};
pub use reconcile::ReconcileReport;
pub use refunds::PaymentsOverview;
pub use status::OnlinePaymentStatus;
pub use yookassa::{YooKassa, YooKassaCredentials};

use super::Crm;
use crate::domain::{BookingId, Invalid, Money, OperationKind, Role};
use crate::store::online_payments::{self as store, NewOnlinePayment, OnlinePaymentRow};
use crate::store::operations as ledger_store;
use crate::{Actor, Conflict, Error, Result, text};
use chrono::{DateTime, Duration, Utc};
use std::sync::Arc;

/// YooKassa's published notification sources (https://yookassa.ru/developers/using-api/webhooks).
pub const YOOKASSA_WEBHOOK_SOURCES: &[&str] = &[
    "185.71.76.0/27",
    "185.71.77.0/27",
    "77.75.153.0/25",
    "77.75.156.11/32",
    "77.75.156.35/32",
    "77.75.154.128/25",
    "2a02:5180::/32",
];

/// A pending link younger than this is handed out again instead of a new payment.
const REUSE_MINUTES: i64 = 60;

/// The provider and what the agency set for it. Without it online payment is off.
#[derive(Debug, Clone)]
pub struct OnlinePayments {
    pub provider: Arc<dyn PaymentProvider>,
    /// Where the provider's page sends the client back (the bot's chat, or the panel).
    pub return_url: String,
    /// 54-FZ receipts through the provider's cash register, with this VAT code (1 = без НДС).
    pub receipts: Option<u8>,
    /// Addresses notifications may come from.
    pub webhook_allow: Vec<ipnet::IpNet>,
}

impl OnlinePayments {
    /// The default allow list: YooKassa's ranges.
    pub fn yookassa_sources() -> Vec<ipnet::IpNet> {
        YOOKASSA_WEBHOOK_SOURCES.iter().filter_map(|s| s.parse().ok()).collect()
    }
}

pub struct OnlinePaymentRequest {
    pub booking_id: BookingId,
    pub amount: Money,
    pub method: OnlineMethod,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OnlinePayment {
    pub id: i64,
    pub booking_id: BookingId,
    pub amount: Money,
    pub method: OnlineMethod,
    pub status: OnlinePaymentStatus,
    pub confirmation_url: Option<String>,
    pub created_at: DateTime<Utc>,
    /// The provider's id, once it answered.
    pub provider_payment_id: Option<String>,
}

impl TryFrom<OnlinePaymentRow> for OnlinePayment {
    type Error = Error;

    fn try_from(r: OnlinePaymentRow) -> Result<OnlinePayment> {
        let bad = |what: &str| Error::Db(sqlx::Error::Decode(format!("online_payments: bad {what}").into()));
        Ok(OnlinePayment {
            id: r.id,
            booking_id: r.booking_id,
            amount: r.amount,
            method: OnlineMethod::parse(&r.method).ok_or_else(|| bad("method"))?,
            status: OnlinePaymentStatus::parse(&r.status).ok_or_else(|| bad("status"))?,
            confirmation_url: r.confirmation_url,
            created_at: r.created_at,
            provider_payment_id: r.provider_payment_id,
        })
    }
}

/// A fresh idempotence key: 128 random bits in hex (YooKassa takes up to 64 characters).
fn new_key() -> String {
    use rand::RngCore;
    let mut b = [0u8; 16];
    rand::rng().fill_bytes(&mut b);
    hex::encode(b)
}

impl Crm {
    /// Turns online payment on with a provider (`None` leaves it off).
    pub fn with_online_payments(mut self, payments: Option<OnlinePayments>) -> Crm {
        self.payments = payments.map(Arc::new);
        self
    }

    pub fn online_payments_enabled(&self) -> bool {
        self.payments.is_some()
    }

    fn payments(&self) -> Result<&OnlinePayments> {
        self.payments.as_deref().ok_or(Error::Conflict(Conflict::OnlinePaymentsOff))
    }

    /// The client (own booking), the booking's agent, an admin. Amount > 0 and within the balance;
    /// the booking must accept payments (status table). Reuses an unexpired pending payment of the
    /// same booking, amount and method instead of creating another.
    pub async fn create_online_payment(&self, actor: &Actor, req: OnlinePaymentRequest) -> Result<OnlinePayment> {
        let payments = self.payments()?;
        let booking = self.booking_for(actor, req.booking_id, false).await?;
        if !matches!(actor, Actor::Client(_) | Actor::System | Actor::Staff { role: Role::Admin | Role::Agent, .. }) {
            return Err(Error::Forbidden("a payment link is the client's, their agent's or an admin's"));
        }
        if req.amount.minor <= 0 {
            return Err(Error::Invalid(Invalid::AmountZero));
        }
        if req.amount.currency != booking.total.currency {
            return Err(Error::Invalid(Invalid::CurrencyMismatch));
        }
        let actor_name = actor.audit_name();
        let mut tx = self.audited(actor).await?;
        let now = tx.now();
        let b = crate::store::bookings::get(&mut tx, booking.id).await?.ok_or(Error::NotFound("booking"))?;
        if !b.status.accepts_payments() {
            return Err(Error::Conflict(Conflict::PaymentsNotAccepted(b.status.title_ru())));
        }
        let paid = ledger_store::booking_sum(&mut tx, b.id, OperationKind::ClientPayment).await?;
        let due = b.total.minor - paid;
        if req.amount.minor > due {
            return Err(Error::Conflict(Conflict::Overpayment { due: Money::new(due.max(0), b.total.currency) }));
        }
        let method = req.method.as_str();
        let since = now - Duration::minutes(REUSE_MINUTES);
        if let Some(row) = store::reusable(&mut tx, b.id, req.amount, method, since).await? {
            tx.commit_unrecorded().await?;
            return OnlinePayment::try_from(row);
        }
        let key = new_key();
        let id = store::insert(
            &mut tx,
            &NewOnlinePayment {
                booking_id: b.id,
                idempotence_key: &key,
                amount: req.amount,
                method,
                created_by: &actor_name,
                at: now,
            },
        )
        .await?;
        let entry = crate::audit::Entry::new(
            crate::audit::AuditAction::OnlinePaymentCreate,
            crate::audit::AuditObject::Booking(b.id),
        )
        .with(crate::audit::AuditField::Amount, req.amount);
        tx.commit(entry).await?;
        // Committed: whatever happens to the call below, reconciliation can finish it.
        let row = store::get(&mut *self.store.conn().await?, id).await?.ok_or(Error::NotFound("online payment"))?;
        let ask = self.provider_request(payments, &row).await?;
        match payments.provider.create_payment(&ask).await {
            Ok(created) => {
                self.record_created(id, &created).await?;
            }
            Err(ProviderError::Unavailable(e)) => {
                tracing::warn!(payment = id, error = %e, "YooKassa did not answer; reconciliation will ask again with the same key");
                return Err(Error::Conflict(Conflict::PaymentProviderUnavailable));
            }
            Err(e) => {
                tracing::error!(payment = id, error = %e, "YooKassa refused a payment");
                self.settle(id, OnlinePaymentStatus::Pending, OnlinePaymentStatus::Canceled, None).await?;
                return Err(Error::Conflict(Conflict::PaymentProviderRefused));
            }
        }
        let row = store::get(&mut *self.store.conn().await?, id).await?.ok_or(Error::NotFound("online payment"))?;
        OnlinePayment::try_from(row)
    }

    pub async fn online_payments_of_booking(&self, actor: &Actor, id: BookingId) -> Result<Vec<OnlinePayment>> {
        let b = self.booking_for(actor, id, false).await?;
        if matches!(actor, Actor::Staff { role: Role::Operator, .. }) {
            return Err(Error::Forbidden("operators read bookings, not payments"));
        }
        let rows = store::of_booking(&mut *self.store.conn().await?, b.id).await?;
        rows.into_iter().map(OnlinePayment::try_from).collect()
    }

    /// What the provider is asked for a stored payment: the same every time, with its key
    /// (the creation, and reconciliation asking again).
    async fn provider_request(&self, payments: &OnlinePayments, row: &OnlinePaymentRow) -> Result<NewProviderPayment> {
        let mut conn = self.store.conn().await?;
        let b = crate::store::bookings::get(&mut conn, row.booking_id).await?.ok_or(Error::NotFound("booking"))?;
        let receipt = match payments.receipts {
            Some(vat_code) => {
                let paid = ledger_store::booking_sum(&mut conn, b.id, OperationKind::ClientPayment).await?;
                let client =
                    crate::store::clients::get(&mut conn, b.client_id).await?.ok_or(Error::NotFound("client"))?;
                let description: String =
                    text::fill("payments", "receipt_item", &[("booking", &b.id.0)]).chars().take(128).collect();
                Some(Receipt {
                    customer_phone: client.phone.chars().filter(char::is_ascii_digit).collect(),
                    description,
                    vat_code,
                    payment_mode: if row.amount.minor >= b.total.minor - paid {
                        "full_prepayment"
                    } else {
                        "partial_prepayment"
                    },
                    payment_subject: "service",
                })
            }
            None => None,
        };
        Ok(NewProviderPayment {
            idempotence_key: row.idempotence_key.clone(),
            amount: row.amount,
            method: OnlineMethod::parse(&row.method).unwrap_or(OnlineMethod::Card),
            description: text::fill("payments", "description", &[("booking", &b.id.0)]),
            return_url: payments.return_url.clone(),
            booking_id: b.id.0,
            payment_id: row.id,
            receipt,
        })
    }

    /// Stores what the provider answered to a creation, then applies its status (a payment
    /// may come back already finished when the call was a retry).
    async fn record_created(&self, id: i64, created: &ProviderPayment) -> Result<()> {
        let mut conn = self.store.conn().await?;
        store::set_created(&mut conn, id, &created.id, created.confirmation_url.as_deref(), self.now()).await?;
        drop(conn);
        if created.status != ProviderStatus::Pending {
            self.apply_payment(created).await?;
        }
        Ok(())
    }
}
