//! `successful_payment`: Telegram took the payer's money. Three steps, each safe to repeat, so
//! the same report applied twice (Telegram's retry, our long polling handing an update back
//! after a crash) records one payment, and a crash between steps loses nothing:
//! 1. the charge is written (`received`) under Telegram's unique charge id, with the provider's
//!    charge id beside it — from here on the money is on record whatever happens next;
//! 2. the ledger's one path records the client payment with `external_id` = Telegram's charge
//!    id (idempotent per id), which moves the booking and queues the client's receipt in its
//!    own transaction;
//! 3. the charge is settled: `applied` with its operation, or `unapplied` with the reason when
//!    the ledger refused it (the booking was cancelled between the check and the payment, the
//!    amount no longer fits) — the accountant then refunds or places the money by hand.
//!
//! A charge left `received` by a crash between 1 and 3 is settled by
//! [`Crm::settle_telegram_charges`], which the scheduler runs.

use super::payload::Payload;
use crate::audit::{self, AuditAction, AuditField, AuditObject, Entry};
use crate::domain::{Currency, Money, PaymentMethod};
use crate::services::{Crm, PaymentInput, PaymentOutcome};
use crate::store::bookings as bookings_store;
use crate::store::operations as ops_store;
use crate::store::telegram_payments::{self as store, Charge, Invoice, NewCharge};
use crate::{Actor, Error, Result, text};

/// What Telegram reported in `successful_payment`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TelegramCharge {
    pub payload: String,
    pub currency: String,
    pub total_amount: u32,
    pub telegram_charge_id: String,
    pub provider_charge_id: String,
    pub payer_telegram_id: i64,
}

/// How a reported payment ended.
#[derive(Debug, Clone)]
pub enum ChargeOutcome {
    /// In the ledger (`duplicate` when this report had been applied before).
    Applied(Box<PaymentOutcome>),
    /// Kept but not applied: the reason, in Russian, for the payer and the accountant.
    Unapplied { reason: String },
}

/// Charges settled by one run of [`Crm::settle_telegram_charges`].
const SETTLE_BATCH: i64 = 50;
/// A charge younger than this may still be in its handler's hands: the scheduler leaves it.
const SETTLE_AFTER_SECONDS: i64 = 120;

impl Crm {
    /// Records a payment Telegram reported. Only the system acts on Telegram's reports.
    pub async fn telegram_payment_received(&self, actor: &Actor, c: &TelegramCharge) -> Result<ChargeOutcome> {
        if !matches!(actor, Actor::System) {
            return Err(Error::Forbidden("payments are reported by Telegram"));
        }
        let bounded = |s: &str| !s.trim().is_empty() && s.len() <= 255;
        if !bounded(&c.telegram_charge_id) || c.provider_charge_id.len() > 255 {
            return Err(Error::Invalid(crate::domain::Invalid::TextTooLong));
        }
        let currency = Currency::parse(&c.currency)?;
        let lost = |why: &str| {
            // Telegram took money for a payload that names nothing of ours: no row can hold it,
            // so the log must (both ids, to find it at the provider).
            tracing::error!(
                telegram_charge = %c.telegram_charge_id,
                provider_charge = %c.provider_charge_id,
                amount = c.total_amount,
                currency = %c.currency,
                why,
                "a Telegram payment for no invoice of ours: refund it at the provider"
            );
        };
        let Some(p) = Payload::parse(&c.payload) else {
            lost("payload not ours");
            return Err(Error::NotFound("telegram invoice"));
        };
        let mut tx = self.audited(actor).await?;
        let now = tx.now();
        let Some(invoice) = store::invoice(&mut tx, p.invoice_id).await?.filter(|i| p.opens(i)) else {
            lost("no such invoice");
            return Err(Error::NotFound("telegram invoice"));
        };
        let new = NewCharge {
            invoice_id: invoice.id,
            telegram_charge_id: &c.telegram_charge_id,
            provider_charge_id: &c.provider_charge_id,
            amount: Money::new(i64::from(c.total_amount), currency),
            payer_telegram_id: Some(c.payer_telegram_id),
        };
        if store::insert_charge(&mut tx, &new, now).await? {
            let entry = Entry::new(AuditAction::TelegramPaymentReceived, AuditObject::Booking(invoice.booking_id))
                .with(AuditField::Amount, new.amount)
                .with(AuditField::Invoice, audit::number(invoice.id))
                .with(AuditField::ChargeId, &c.telegram_charge_id);
            tx.commit(entry).await?;
        } else {
            tx.commit_unrecorded().await?;
        }
        let mut conn = self.store.conn().await?;
        let charge = store::charge_by_telegram_id(&mut conn, &c.telegram_charge_id)
            .await?
            .ok_or(Error::NotFound("telegram charge"))?;
        drop(conn);
        if charge.invoice_id != invoice.id {
            // One charge id reported for two invoices: Telegram's ids are unique, so this is
            // not a retry. The first stands; this one is only logged.
            tracing::error!(charge = %c.telegram_charge_id, "a Telegram charge id reported for another invoice");
            return Err(Error::Conflict(crate::Conflict::NoChange("this payment is already recorded")));
        }
        self.settle_charge(&charge, &invoice).await
    }

    /// Settles charges that a crash left recorded but not applied (step 3 above); the number
    /// settled. Run by the scheduler.
    pub async fn settle_telegram_charges(&self, actor: &Actor) -> Result<usize> {
        if !matches!(actor, Actor::System) {
            return Err(Error::Forbidden("the scheduler settles payments"));
        }
        let before = self.now() - chrono::Duration::seconds(SETTLE_AFTER_SECONDS);
        let waiting = store::received_charges(&mut *self.store.conn().await?, before, SETTLE_BATCH).await?;
        let mut settled = 0;
        for charge in waiting {
            let invoice = store::invoice(&mut *self.store.conn().await?, charge.invoice_id)
                .await?
                .ok_or(Error::NotFound("telegram invoice"))?;
            self.settle_charge(&charge, &invoice).await?;
            settled += 1;
        }
        Ok(settled)
    }

    async fn settle_charge(&self, charge: &Charge, invoice: &Invoice) -> Result<ChargeOutcome> {
        match charge.status.as_str() {
            "applied" => return self.applied_before(charge).await,
            "unapplied" => return Ok(ChargeOutcome::Unapplied { reason: charge.problem.clone() }),
            _ => {}
        }
        let system = Actor::System;
        let reason = if charge.amount != invoice.amount {
            // Telegram charged something else than the invoice said (the pre-checkout compares
            // them, so this is not expected): kept for the accountant rather than applied.
            super::CheckoutRefusal::AmountChanged.message_ru()
        } else {
            let input = PaymentInput {
                booking_id: invoice.booking_id,
                amount: charge.amount,
                method: PaymentMethod::Online,
                external_id: Some(charge.telegram_charge_id.clone()),
                note: text::fill("telegram_payments", "ledger_note", &[("provider", &charge.provider_charge_id)]),
            };
            let recorded = match self.record_client_payment(&system, input).await {
                // Another run recorded this charge id at the same moment (its unique index
                // answered): that operation is this charge's.
                Err(Error::Conflict(crate::Conflict::NoChange(_))) => {
                    let mut conn = self.store.conn().await?;
                    match ops_store::by_external_id(&mut conn, &charge.telegram_charge_id).await? {
                        Some(operation) if operation.booking_id == Some(invoice.booking_id) => {
                            let b = bookings_store::get(&mut conn, invoice.booking_id)
                                .await?
                                .ok_or(Error::NotFound("booking"))?;
                            Ok(PaymentOutcome { operation, status: b.status, duplicate: true })
                        }
                        _ => Err(Error::Conflict(crate::Conflict::NoChange("this payment is already recorded"))),
                    }
                }
                other => other,
            };
            match recorded {
                Ok(outcome) => {
                    let mut tx = self.audited(&system).await?;
                    store::settle_charge(&mut tx, charge.id, Some(outcome.operation.id), "").await?;
                    store::mark_invoice_paid(&mut tx, invoice.id).await?;
                    tx.commit_unrecorded().await?;
                    return Ok(ChargeOutcome::Applied(Box::new(outcome)));
                }
                Err(e) => match e.refusal_ru() {
                    Some(reason) => reason,
                    None => return Err(e),
                },
            }
        };
        tracing::warn!(charge = %charge.telegram_charge_id, %reason, "a Telegram payment is kept for the accountant");
        let mut tx = self.audited(&system).await?;
        if store::settle_charge(&mut tx, charge.id, None, &reason).await? {
            let entry = Entry::new(AuditAction::TelegramPaymentUnapplied, AuditObject::Booking(invoice.booking_id))
                .with(AuditField::Amount, charge.amount)
                .with(AuditField::ChargeId, &charge.telegram_charge_id)
                .with(AuditField::Reason, &reason);
            tx.commit(entry).await?;
        } else {
            tx.commit_unrecorded().await?;
        }
        Ok(ChargeOutcome::Unapplied { reason })
    }

    /// The outcome of a charge applied before: the same operation, marked as a repeat.
    async fn applied_before(&self, charge: &Charge) -> Result<ChargeOutcome> {
        let mut conn = self.store.conn().await?;
        let op_id = charge.operation_id.ok_or(Error::NotFound("operation"))?;
        let operation = ops_store::get(&mut conn, op_id).await?.ok_or(Error::NotFound("operation"))?;
        let booking = operation.booking_id.ok_or(Error::NotFound("booking"))?;
        let status = bookings_store::get(&mut conn, booking).await?.ok_or(Error::NotFound("booking"))?.status;
        Ok(ChargeOutcome::Applied(Box::new(PaymentOutcome { operation, status, duplicate: true })))
    }
}
