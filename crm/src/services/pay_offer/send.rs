//! The agency sends the client a payment from the booking card — the agent in the bot, the
//! agent or an admin in the panel: a YooKassa link (card or СБП) or the bank-transfer QR, for an
//! amount within the balance. Both front-ends call [`Crm::send_payment_offer`]; the rules are
//! the client's own «Оплатить» ones (`payment_choices`, `create_online_payment`,
//! `bank_transfer_offer`), asked, never copied.
//!
//! **Exactly once.** The message is queued in the outbox under a key naming the offer, in the
//! transaction that audits it, and the outbox's sender delivers it (drawing the QR code then).
//! A link's offer is its online payment, which `create_online_payment` hands out again for the
//! same booking, amount and way within its hour: pressing twice, or again after a crash between
//! the provider's answer and our queueing, finds the same payment and so the same key. A
//! transfer has no row of its own: its offer is the booking, the amount and what was paid by
//! then, on one day.
//!
//! **A client outside Telegram.** The bot cannot write to them, so the offer goes to the
//! Telegram of the staff member who sends it, to forward (the QR code photo with its caption
//! and button, written to the client as ever); without a Telegram of their own it is refused.

use super::PaymentChoices;
use crate::audit::{AuditAction, AuditField, AuditObject, Entry};
use crate::domain::{BookingId, ClientId, Money, StaffId};
use crate::services::Crm;
use crate::services::payments::{OnlineMethod, OnlinePaymentRequest};
use crate::services::permissions::Capability;
use crate::store::outbox::{self, NewMessage, PaymentAttachment};
use crate::text::{self, keyed_enum};
use crate::{Actor, Conflict, Error, Result};

keyed_enum! {
    /// How the agency sends a payment to the client.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
    pub enum PayWay: code {
        /// The provider's page by card, as a button and its QR code.
        Card = "card",
        /// The provider's СБП link: its QR code opens the client's bank app.
        Sbp = "sbp",
        /// The GOST QR code of a transfer to the agency's account, the requisites in the caption.
        BankQr = "bank_qr",
    }
}

impl PayWay {
    pub fn title_ru(self) -> &'static str {
        text::get("pay_way", self.code())
    }

    /// A provider's link (with its «Оплатить» button), not the transfer's QR code.
    pub fn is_link(self) -> bool {
        self.online().is_some()
    }

    fn online(self) -> Option<OnlineMethod> {
        match self {
            PayWay::Card => Some(OnlineMethod::Card),
            PayWay::Sbp => Some(OnlineMethod::Sbp),
            PayWay::BankQr => None,
        }
    }
}

/// What an agent may send the client of a booking now: the client's own choices (amounts and
/// their bounds) and the ways that are on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferChoices {
    pub choices: PaymentChoices,
    pub ways: Vec<PayWay>,
    /// Whose payment it is: the booking's client.
    pub client: ClientId,
    /// The client does not use the bot: the offer goes to this staff member's Telegram (the
    /// sender's own) to forward.
    pub forward_by: Option<StaffId>,
}

/// A payment handed to the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentPayment {
    pub booking: BookingId,
    pub amount: Money,
    pub way: PayWay,
    /// `false`: the same offer was queued before, and this one is that message.
    pub queued: bool,
    /// Queued to the sender's own Telegram to forward: the client does not use the bot.
    pub forwarded: bool,
}

impl Crm {
    /// The ways that are on for a booking with these choices: the links with online payment
    /// connected, the transfer when the booking can be paid by one (requisites, roubles).
    pub fn pay_ways(&self, choices: &PaymentChoices) -> Vec<PayWay> {
        let online = self.online_payments_enabled().then_some([PayWay::Card, PayWay::Sbp]);
        online.into_iter().flatten().chain(choices.bank_transfer.then_some(PayWay::BankQr)).collect()
    }

    /// What the booking's agent (or an admin) may send its client: refused before any amount
    /// is asked when the booking takes no payments, nothing is due, or the client cannot get it
    /// (not in Telegram, blacklisted).
    pub async fn payment_offer_choices(&self, actor: &Actor, booking: BookingId) -> Result<OfferChoices> {
        Capability::SendPayments.check(actor)?;
        let choices = self.payment_choices(actor, booking).await?;
        let b = self.booking_for(actor, booking, true).await?;
        let client = crate::store::clients::get(&mut *self.store.conn().await?, b.client_id)
            .await?
            .ok_or(Error::NotFound("client"))?;
        if client.is_blacklisted() {
            return Err(Error::Conflict(Conflict::Blacklisted));
        }
        // The outbox would skip a message to nobody: the sender forwards it, or hears it now.
        let forward_by = match client.telegram_id {
            Some(_) => None,
            None => Some(self.forwarder(actor).await?.ok_or(Error::Conflict(Conflict::ClientWithoutTelegram))?),
        };
        let ways = self.pay_ways(&choices);
        Ok(OfferChoices { choices, ways, client: client.id, forward_by })
    }

    /// Sends the client of `booking` a payment of `amount` the `way` chosen, through the
    /// outbox. Refused (nothing created, nothing queued) as [`Crm::payment_offer_choices`] is,
    /// for an amount outside the balance, and for a way that is off (by the service that
    /// makes it: `create_online_payment`, `bank_transfer_offer`).
    pub async fn send_payment_offer(
        &self,
        actor: &Actor,
        booking: BookingId,
        amount: Money,
        way: PayWay,
    ) -> Result<SentPayment> {
        let OfferChoices { choices, client, forward_by, .. } = self.payment_offer_choices(actor, booking).await?;
        choices.range.check(amount)?;
        let b = choices.booking;
        let (dedup_key, body, attachment) = match way.online() {
            Some(method) => {
                let req = OnlinePaymentRequest { booking_id: b, amount, method };
                let payment = self.create_online_payment(actor, req).await?;
                // Without its link the provider has not answered yet: reconciliation finishes the
                // payment, and the agent tries again rather than the client getting a dead button.
                let url =
                    payment.confirmation_url.clone().ok_or(Error::Conflict(Conflict::PaymentProviderUnavailable))?;
                // The sender draws it later and must not meet one that does not fit.
                crate::qr::fits(&url)?;
                let button = Some((payment.button_ru(), url.clone()));
                (
                    format!("pay_offer:online:{}", payment.id),
                    payment.caption_ru(),
                    PaymentAttachment { qr_payload: url, button },
                )
            }
            None => {
                let offer = self.bank_transfer_offer(actor, b, amount).await?;
                let key = format!("pay_offer:bank:{}:{}:{}:{}", b.0, amount.minor, choices.paid.minor, self.today());
                (key, offer.caption_ru(), PaymentAttachment { qr_payload: offer.payload, button: None })
            }
        };
        // Another message than the client's own, should they start using the bot the same day;
        // a link written out, for the agent who forwards it by mail or another messenger.
        let (dedup_key, body) = match (forward_by, &attachment.button) {
            (None, _) => (dedup_key, body),
            (Some(staff), None) => (format!("{dedup_key}:forward:{}", staff.0), body),
            (Some(staff), Some((_, url))) => (
                format!("{dedup_key}:forward:{}", staff.0),
                format!("{body}\n{}", text::fill("pay_offer", "link_line", &[("url", url)])),
            ),
        };
        let mut tx = self.audited(actor).await?;
        let now = tx.now();
        let message = NewMessage::service(dedup_key, "payment_offer", client, body, now);
        let queued = outbox::insert_payment(&mut tx, &message, &attachment, forward_by, now).await?;
        if queued {
            let entry = Entry::new(AuditAction::PaymentOfferSent, AuditObject::Booking(b))
                .with(AuditField::Amount, amount)
                .with(AuditField::PayWay, way.title_ru());
            let entry = match forward_by {
                Some(_) => entry.with(AuditField::Delivery, text::get("pay_offer", "forwarded")),
                None => entry,
            };
            tx.commit(entry).await?;
        } else {
            // A second press of the same offer: nothing new happened.
            tx.commit_unrecorded().await?;
        }
        Ok(SentPayment { booking: b, amount, way, queued, forwarded: forward_by.is_some() })
    }

    /// The staff member acting, when their Telegram is bound (they can forward an offer).
    async fn forwarder(&self, actor: &Actor) -> Result<Option<StaffId>> {
        let Some(id) = actor.staff_id() else { return Ok(None) };
        let staff = crate::store::staff::get(&mut *self.store.conn().await?, id).await?;
        Ok(staff.filter(|s| s.reachable()).map(|s| s.id))
    }
}
