//! Applying what the provider says: a notification is only a hint to look — the payment (or
//! refund) is fetched from the provider by id, and only the fetched status, amount, currency
//! and metadata count. Each (event, object id) is applied once: its row in `payment_events` is
//! inserted first in the transaction that applies it, so a replay or a concurrent copy finds
//! it and changes nothing (on PostgreSQL the copy waits for the first commit, then sees it).

use super::{Crm, OnlinePaymentStatus, ProviderError, ProviderPayment, ProviderRefund, ProviderStatus, RefundStatus};
use crate::audit::{AuditAction, AuditField, AuditObject, Entry};
use crate::domain::{OperationKind, PaymentMethod};
use crate::services::audit::Audited;
use crate::services::ledger::{OperationInput, PaymentInput};
use crate::store::online_payments::{self as store, OnlinePaymentRow};
use crate::{Actor, Conflict, Error, Result, text};
use std::net::IpAddr;

/// What became of a notification (or of a payment looked at by reconciliation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotificationOutcome {
    /// Applied now: the ledger moved (or the payment was cancelled, or refunded).
    Applied,
    /// Already applied before: nothing changed.
    Duplicate,
    /// Money came but was not applied: flagged for the accountant.
    Flagged,
    /// Nothing to do yet (the fetched payment is still pending) or not ours.
    Ignored,
    /// The body is not a notification: nothing is done (answered 400).
    Malformed,
}

#[derive(serde::Deserialize)]
struct Notification {
    event: String,
    object: NotificationObject,
}

#[derive(serde::Deserialize)]
struct NotificationObject {
    id: String,
}

impl Crm {
    /// A notification POSTed to `/webhooks/yookassa` from `source`. `Forbidden` for a source
    /// outside the allow list; an error otherwise means it could not be recorded (answer 5xx
    /// so the provider sends it again).
    pub async fn handle_yookassa_notification(&self, source: IpAddr, body: &[u8]) -> Result<NotificationOutcome> {
        let payments = self.payments()?;
        // An IPv4 peer on a dual-stack socket comes as ::ffff:a.b.c.d.
        let source = match source {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(source),
            v4 => v4,
        };
        if !payments.webhook_allow.iter().any(|net| net.contains(&source)) {
            tracing::warn!(%source, "YooKassa notification from an address outside TOURCRM_YOOKASSA_WEBHOOK_ALLOW refused");
            return Err(Error::Forbidden("notifications come from the provider's addresses"));
        }
        let Ok(n) = serde_json::from_slice::<Notification>(body) else {
            tracing::warn!(%source, "YooKassa notification: the body is not a notification");
            return Ok(NotificationOutcome::Malformed);
        };
        if n.object.id.is_empty() || n.object.id.len() > 64 || !n.object.id.bytes().all(|b| b.is_ascii_graphic()) {
            return Ok(NotificationOutcome::Malformed);
        }
        let fetched = match n.event.as_str() {
            "payment.succeeded" | "payment.canceled" | "payment.waiting_for_capture" => {
                payments.provider.get_payment(&n.object.id).await.map(Fetched::Payment)
            }
            "refund.succeeded" => payments.provider.get_refund(&n.object.id).await.map(Fetched::Refund),
            other => {
                tracing::info!(event = other, "YooKassa notification of an event we do not handle");
                return Ok(NotificationOutcome::Ignored);
            }
        };
        match fetched {
            Ok(Fetched::Payment(p)) => self.apply_payment(&p).await,
            Ok(Fetched::Refund(r)) => self.apply_refund(&r).await,
            Err(ProviderError::Refused { code, .. }) => {
                // The provider does not know this id: a forged or foreign notification.
                tracing::warn!(id = %n.object.id, code, "YooKassa notification about an object YooKassa does not know");
                Ok(NotificationOutcome::Ignored)
            }
            Err(e) => {
                tracing::warn!(error = %e, "YooKassa notification: could not fetch the object; it will be sent again");
                Err(Error::Conflict(Conflict::PaymentProviderUnavailable))
            }
        }
    }

    /// Applies a payment as fetched from the provider: succeeded → the ledger (or a flag),
    /// canceled → canceled; pending → nothing.
    pub(super) async fn apply_payment(&self, p: &ProviderPayment) -> Result<NotificationOutcome> {
        let event = match p.status {
            ProviderStatus::Succeeded => "payment.succeeded",
            ProviderStatus::Canceled => "payment.canceled",
            ProviderStatus::Pending | ProviderStatus::WaitingForCapture => return Ok(NotificationOutcome::Ignored),
        };
        let mut tx = self.audited(&Actor::System).await?;
        let now = tx.now();
        let row = match store::by_provider_id(&mut tx, &p.id).await? {
            Some(r) => r,
            // Created at the provider, but our write of its id was lost: the metadata names it.
            None => match p.payment_id {
                Some(ours) => match store::get(&mut tx, ours).await? {
                    Some(r) if r.provider_payment_id.is_none() => {
                        store::set_created(&mut tx, r.id, &p.id, p.confirmation_url.as_deref(), now).await?;
                        store::get(&mut tx, ours).await?.ok_or(Error::NotFound("online payment"))?
                    }
                    _ => return Ok(NotificationOutcome::Ignored),
                },
                None => return Ok(NotificationOutcome::Ignored),
            },
        };
        if !store::claim_event(&mut tx, event, &p.id, Some(row.id), "applied", now).await? {
            return Ok(NotificationOutcome::Duplicate);
        }
        let status = OnlinePaymentStatus::parse(&row.status).unwrap_or(OnlinePaymentStatus::Canceled);
        if status != OnlinePaymentStatus::Pending {
            // Settled another way already (a canceled one that succeeded is the provider's
            // contradiction: flag it rather than apply).
            if p.status == ProviderStatus::Succeeded && status == OnlinePaymentStatus::Canceled {
                let why = text::get("payments", "flag_metadata_mismatch");
                return self.flag_in(tx, &row, "amount_mismatch", why, OnlinePaymentStatus::Canceled).await;
            }
            tx.commit_unrecorded().await?;
            return Ok(NotificationOutcome::Duplicate);
        }
        if p.status == ProviderStatus::Canceled {
            store::move_status(&mut tx, row.id, "pending", "canceled", None, now).await?;
            let entry = Entry::new(AuditAction::OnlinePaymentCanceled, AuditObject::Booking(row.booking_id))
                .with(AuditField::Amount, row.amount);
            tx.commit(entry).await?;
            return Ok(NotificationOutcome::Applied);
        }
        if p.payment_id != Some(row.id) || p.booking_id != Some(row.booking_id.0) {
            let why = text::get("payments", "flag_metadata_mismatch");
            return self.flag_in(tx, &row, "amount_mismatch", why, OnlinePaymentStatus::RefundDue).await;
        }
        if p.amount != row.amount {
            let why = text::fill(
                "payments",
                "flag_amount_mismatch",
                &[("got", &p.amount.accounting()), ("expected", &row.amount.accounting())],
            );
            return self.flag_in(tx, &row, "amount_mismatch", &why, OnlinePaymentStatus::RefundDue).await;
        }
        let input = PaymentInput {
            booking_id: row.booking_id,
            amount: row.amount,
            method: PaymentMethod::Online,
            external_id: Some(p.id.clone()),
            note: String::new(),
        };
        let name = Actor::System.audit_name();
        match self.client_payment_in(&mut tx, &name, &input, "").await {
            Ok(done) => {
                store::move_status(&mut tx, row.id, "pending", "succeeded", Some(done.operation.id), now).await?;
                let entry = Entry::new(AuditAction::LedgerClientPayment, AuditObject::Booking(row.booking_id))
                    .with(AuditField::Amount, row.amount)
                    .with(AuditField::Operation, crate::audit::number(done.operation.id));
                tx.commit(entry).await?;
                Ok(NotificationOutcome::Applied)
            }
            // The booking was cancelled, or paid by other means meanwhile: the money goes back.
            Err(Error::Conflict(Conflict::PaymentsNotAccepted(status))) => {
                let why = text::fill("payments", "flag_booking_closed", &[("status", &status)]);
                self.flag_in(tx, &row, "refund_due", &why, OnlinePaymentStatus::RefundDue).await
            }
            Err(Error::Conflict(Conflict::Overpayment { due })) => {
                let why = text::fill("payments", "flag_overpaid", &[("due", &due.accounting())]);
                self.flag_in(tx, &row, "refund_due", &why, OnlinePaymentStatus::RefundDue).await
            }
            Err(e) => Err(e),
        }
    }

    /// Raises a flag and moves the payment (still pending) to `to`, in the event's transaction.
    async fn flag_in(
        &self,
        mut tx: Audited,
        row: &OnlinePaymentRow,
        kind: &str,
        why: &str,
        to: OnlinePaymentStatus,
    ) -> Result<NotificationOutcome> {
        let now = tx.now();
        tracing::warn!(payment = row.id, booking = row.booking_id.0, kind, "online payment flagged for the accountant");
        store::flag(&mut tx, row.id, kind, why, now).await?;
        if row.status == "pending" && to != OnlinePaymentStatus::Pending {
            store::move_status(&mut tx, row.id, "pending", to.as_str(), None, now).await?;
        }
        let entry = Entry::new(AuditAction::OnlinePaymentFlagged, AuditObject::Booking(row.booking_id))
            .with(AuditField::Amount, row.amount)
            .with(AuditField::Reason, why);
        tx.commit(entry).await?;
        Ok(NotificationOutcome::Flagged)
    }

    /// Applies a refund as fetched from the provider: succeeded → refunded, and a client
    /// refund in the ledger when the payment had been applied there.
    pub(super) async fn apply_refund(&self, r: &ProviderRefund) -> Result<NotificationOutcome> {
        if r.status != RefundStatus::Succeeded {
            return Ok(NotificationOutcome::Ignored);
        }
        let mut tx = self.audited(&Actor::System).await?;
        let now = tx.now();
        let row = match store::by_refund_id(&mut tx, &r.id).await? {
            Some(row) => row,
            None => match store::by_provider_id(&mut tx, &r.payment_id).await? {
                // Our write of the refund's id was lost after the provider made it.
                Some(row) if row.refund_key.is_some() && row.refund_id.is_none() => {
                    store::set_refund_id(&mut tx, row.id, &r.id, now).await?;
                    row
                }
                _ => return Ok(NotificationOutcome::Ignored),
            },
        };
        if !store::claim_event(&mut tx, "refund.succeeded", &r.id, Some(row.id), "applied", now).await? {
            return Ok(NotificationOutcome::Duplicate);
        }
        if !OnlinePaymentStatus::parse(&row.status).is_some_and(OnlinePaymentStatus::refundable)
            || !store::move_status(&mut tx, row.id, &row.status, "refunded", None, now).await?
        {
            tx.commit_unrecorded().await?;
            return Ok(NotificationOutcome::Duplicate);
        }
        let name = Actor::System.audit_name();
        if row.operation_id.is_some() {
            let input = OperationInput {
                kind: OperationKind::ClientRefund,
                booking_id: Some(row.booking_id),
                amount: r.amount,
                counterparty_id: None,
                method: PaymentMethod::Online,
                external_id: Some(r.id.clone()),
                note: row.refund_reason.clone().unwrap_or_default(),
            };
            let note = input.note.clone();
            self.operation_in(&mut tx, &name, &input, &note).await?;
        }
        store::resolve_flags(&mut tx, row.id, &name, &row.refund_reason.clone().unwrap_or_default(), now).await?;
        let entry = Entry::new(AuditAction::OnlinePaymentRefunded, AuditObject::Booking(row.booking_id))
            .with(AuditField::Amount, r.amount);
        tx.commit(entry).await?;
        Ok(NotificationOutcome::Applied)
    }

    /// Moves a payment between statuses by the table (a refused creation → canceled).
    pub(super) async fn settle(
        &self,
        id: i64,
        from: OnlinePaymentStatus,
        to: OnlinePaymentStatus,
        why: Option<&str>,
    ) -> Result<()> {
        from.check_move(to)?;
        let mut tx = self.audited(&Actor::System).await?;
        let now = tx.now();
        let row = store::get(&mut tx, id).await?.ok_or(Error::NotFound("online payment"))?;
        if !store::move_status(&mut tx, id, from.as_str(), to.as_str(), None, now).await? {
            return Ok(());
        }
        let entry = Entry::new(AuditAction::OnlinePaymentCanceled, AuditObject::Booking(row.booking_id))
            .with(AuditField::Amount, row.amount)
            .with_some(AuditField::Reason, why.map(str::to_owned));
        tx.commit(entry).await
    }
}

enum Fetched {
    Payment(ProviderPayment),
    Refund(ProviderRefund),
}
