//! Reconciliation, run by the scheduler: payments still pending a few minutes after their last
//! look are fetched from the provider and applied or cancelled; a payment whose creation got no
//! answer (a 500, a timeout, a kill -9 between the provider's answer and our write) is asked for
//! again with its stored key, which the provider answers with the payment it already made.
//! Refunds asked but not finished are looked at the same way.

use super::{Crm, OnlinePaymentStatus, ProviderError, ProviderStatus};
use crate::domain::Role;
use crate::store::online_payments::{self as store, OnlinePaymentRow};
use crate::{Actor, Result};
use chrono::Duration;

/// How long a payment is left alone before reconciliation looks at it.
pub const RECONCILE_AFTER_MINUTES: i64 = 3;
/// YooKassa keeps an idempotence key for 24 hours: a row never created by then is given up.
const KEY_LIFETIME_HOURS: i64 = 24;
/// Rows looked at per run, oldest look first.
const BATCH: i64 = 50;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ReconcileReport {
    pub looked_at: usize,
    /// Moved: applied to the ledger, flagged, cancelled or refunded.
    pub settled: usize,
    pub failed: usize,
}

impl Crm {
    pub async fn reconcile_online_payments(&self, actor: &Actor) -> Result<ReconcileReport> {
        actor.require(&[Role::Admin], "reconciliation is the system's")?;
        let mut report = ReconcileReport::default();
        let Some(payments) = self.payments.clone() else {
            return Ok(report);
        };
        let now = self.now();
        let rows =
            store::stale(&mut *self.store.conn().await?, now - Duration::minutes(RECONCILE_AFTER_MINUTES), BATCH)
                .await?;
        for row in rows {
            report.looked_at += 1;
            match self.reconcile_one(&payments, &row).await {
                Ok(true) => report.settled += 1,
                Ok(false) => {}
                Err(e) => {
                    report.failed += 1;
                    tracing::warn!(payment = row.id, error = %e, "reconciliation: the payment stays for the next run");
                }
            }
            // Looked at: the next run takes the others first.
            store::touch(&mut *self.store.conn().await?, row.id, self.now()).await?;
        }
        Ok(report)
    }

    async fn reconcile_one(&self, payments: &super::OnlinePayments, row: &OnlinePaymentRow) -> Result<bool> {
        use super::NotificationOutcome::{Applied, Flagged};
        let provider = &payments.provider;
        if row.status == OnlinePaymentStatus::Pending.as_str() {
            let fetched = match &row.provider_payment_id {
                Some(id) => provider.get_payment(id).await,
                None if self.now() - row.created_at > Duration::hours(KEY_LIFETIME_HOURS) => {
                    self.settle(row.id, OnlinePaymentStatus::Pending, OnlinePaymentStatus::Canceled, None).await?;
                    return Ok(true);
                }
                None => {
                    let ask = self.provider_request(payments, row).await?;
                    let created = provider.create_payment(&ask).await;
                    if let Ok(p) = &created {
                        store::set_created(
                            &mut *self.store.conn().await?,
                            row.id,
                            &p.id,
                            p.confirmation_url.as_deref(),
                            self.now(),
                        )
                        .await?;
                    }
                    created
                }
            };
            return match fetched {
                Ok(p) if p.status == ProviderStatus::Pending => Ok(false),
                Ok(p) => Ok(matches!(self.apply_payment(&p).await?, Applied | Flagged)),
                Err(ProviderError::Refused { code, description }) if row.provider_payment_id.is_none() => {
                    tracing::error!(payment = row.id, code, description, "YooKassa refused a payment on retry");
                    self.settle(row.id, OnlinePaymentStatus::Pending, OnlinePaymentStatus::Canceled, None).await?;
                    Ok(true)
                }
                Err(e) => Err(e.into()),
            };
        }
        // A refund asked and not finished.
        let refund = match (&row.refund_id, &row.refund_key, &row.provider_payment_id) {
            (Some(id), _, _) => provider.get_refund(id).await?,
            (None, Some(key), Some(pid)) => {
                let r =
                    provider.create_refund(key, pid, row.amount, row.refund_reason.as_deref().unwrap_or("")).await?;
                store::set_refund_id(&mut *self.store.conn().await?, row.id, &r.id, self.now()).await?;
                r
            }
            _ => return Ok(false),
        };
        Ok(self.apply_refund(&refund).await? == Applied)
    }
}

impl From<ProviderError> for crate::Error {
    fn from(e: ProviderError) -> Self {
        tracing::warn!(error = %e, "payment provider");
        match e {
            ProviderError::Refused { .. } => crate::Error::Conflict(crate::Conflict::PaymentProviderRefused),
            _ => crate::Error::Conflict(crate::Conflict::PaymentProviderUnavailable),
        }
    }
}
