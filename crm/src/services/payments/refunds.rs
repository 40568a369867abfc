//! The accountant's side: the payments page, returning money that must go back (through the
//! provider, audited, with a reason), and resolving flags.

use super::{Crm, OnlinePayment, OnlinePaymentStatus, PaymentFlag, ProviderError, RefundStatus, new_key};
use crate::audit::{AuditAction, AuditField, AuditObject, Entry};
use crate::store::online_payments as store;
use crate::{Actor, Conflict, Error, Result, text};

#[derive(Debug, Clone, serde::Serialize)]
pub struct PaymentsOverview {
    /// The newest online payments.
    pub payments: Vec<OnlinePayment>,
    /// Flags still open, newest first.
    pub flags: Vec<PaymentFlag>,
}

/// A flag's kind as the accountant reads it.
pub fn flag_kind_title(kind: &str) -> &'static str {
    match kind {
        "amount_mismatch" => text::get("payment_flag_kind", "amount_mismatch"),
        _ => text::get("payment_flag_kind", "refund_due"),
    }
}

fn finance(actor: &Actor) -> Result<()> {
    crate::services::Capability::OnlinePayments.check(actor)
}

fn reason_of(reason: &str) -> Result<String> {
    Ok(crate::domain::reason(reason, 250)?)
}

impl Crm {
    pub async fn online_payments_overview(&self, actor: &Actor) -> Result<PaymentsOverview> {
        finance(actor)?;
        let mut conn = self.store.conn().await?;
        let rows = store::recent(&mut conn, 200).await?;
        let flags = store::flags(&mut conn, true).await?;
        Ok(PaymentsOverview { payments: rows.into_iter().map(OnlinePayment::try_from).collect::<Result<_>>()?, flags })
    }

    /// Returns a payment's money through the provider («Вернуть»): a refund due (never applied)
    /// or an applied one (then a client refund enters the ledger when the provider confirms).
    /// The refund's key is stored before the call, so a retry or reconciliation reuses it.
    pub async fn refund_online_payment(&self, actor: &Actor, id: i64, reason: &str) -> Result<OnlinePayment> {
        finance(actor)?;
        let reason = reason_of(reason)?;
        let payments = self.payments()?;
        let mut tx = self.audited(actor).await?;
        let now = tx.now();
        let row = store::get(&mut tx, id).await?.ok_or(Error::NotFound("online payment"))?;
        let status = OnlinePaymentStatus::parse(&row.status).ok_or(Error::NotFound("online payment"))?;
        let provider_id = row.provider_payment_id.clone().filter(|_| status.refundable());
        let Some(provider_id) = provider_id else {
            return Err(Error::Conflict(Conflict::NoChange("this payment is not refundable")));
        };
        let key = match &row.refund_key {
            Some(k) => {
                tx.commit_unrecorded().await?;
                k.clone()
            }
            None => {
                let k = new_key();
                store::set_refund_key(&mut tx, id, &k, &reason, now).await?;
                let entry = Entry::new(AuditAction::OnlinePaymentRefundAsked, AuditObject::Booking(row.booking_id))
                    .with(AuditField::Amount, row.amount)
                    .with(AuditField::Reason, reason.clone());
                tx.commit(entry).await?;
                k
            }
        };
        match payments.provider.create_refund(&key, &provider_id, row.amount, &reason).await {
            Ok(r) => {
                store::set_refund_id(&mut *self.store.conn().await?, id, &r.id, self.now()).await?;
                if r.status == RefundStatus::Succeeded {
                    self.apply_refund(&r).await?;
                }
            }
            Err(ProviderError::Refused { code, description }) => {
                tracing::error!(payment = id, code, description, "YooKassa refused a refund");
                // This key's request failed for good: the accountant may ask again with a new one.
                store::clear_refund_key(&mut *self.store.conn().await?, id, &key).await?;
                return Err(Error::Conflict(Conflict::PaymentProviderRefused));
            }
            Err(e) => return Err(e.into()),
        }
        let row = store::get(&mut *self.store.conn().await?, id).await?.ok_or(Error::NotFound("online payment"))?;
        OnlinePayment::try_from(row)
    }

    /// The accountant settled a flag by other means (recorded the money by hand, called the
    /// client): the flag closes with their note.
    pub async fn resolve_payment_flags(&self, actor: &Actor, id: i64, note: &str) -> Result<()> {
        finance(actor)?;
        let note = reason_of(note)?;
        let mut tx = self.audited(actor).await?;
        let now = tx.now();
        let row = store::get(&mut tx, id).await?.ok_or(Error::NotFound("online payment"))?;
        if !store::resolve_flags(&mut tx, id, &actor.audit_name(), &note, now).await? {
            return Err(Error::Conflict(Conflict::NoChange("no open flag")));
        }
        let entry = Entry::new(AuditAction::OnlinePaymentFlagResolved, AuditObject::Booking(row.booking_id))
            .with(AuditField::Amount, row.amount)
            .with(AuditField::Reason, note);
        tx.commit(entry).await
    }
}
