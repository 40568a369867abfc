//! Telegram Payments (issue #14): invoices a client pays in the chat with the agency's provider
//! token from @BotFather (`TOURCRM_TELEGRAM_PAYMENT_TOKEN`).
//!
//! Three moments, each a rule here and a few lines in the bot:
//! - [`Crm::telegram_invoice`]: who may ask (the client for an own booking, the booking's agent,
//!   an admin), for how much (above zero, within the balance, a booking that takes payments);
//!   an invoice row is stored and its payload made (see `payload`).
//! - [`Crm::telegram_checkout`]: Telegram's `pre_checkout_query`, which must be answered within
//!   10 s: the payload is checked against its row and the booking as it is now, reads only, and
//!   the whole check is bounded by [`CHECKOUT_DEADLINE`] so the bot answers in time whatever
//!   the database does.
//! - [`Crm::telegram_payment_received`]: `successful_payment` (see `charges`).

mod charges;
mod payload;

pub use charges::{ChargeOutcome, TelegramCharge};
pub use payload::{CheckoutQuery, CheckoutRefusal, INVOICE_TTL_DAYS};

use super::Crm;
use crate::audit::{self, AuditAction, AuditField, AuditObject, Entry};
use crate::domain::{BookingId, Money, OperationKind, Role};
use crate::store::operations as ops_store;
use crate::store::outbox::{self, NewMessage};
use crate::store::telegram_payments as store;
use crate::{Actor, Conflict, Error, Result, text};
use payload::Payload;
use secrecy::SecretString;
use std::time::Duration;

/// Our own checks of a pre-checkout query give up after this: Telegram waits 10 s for the
/// answer, and the answer itself needs a round trip.
pub const CHECKOUT_DEADLINE: Duration = Duration::from_secs(4);

/// One line of an invoice's price breakdown (Telegram's `LabeledPrice`): minor units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoicePrice {
    pub label: String,
    pub amount: u32,
}

/// Everything `sendInvoice` / `createInvoiceLink` take. The provider token is the agency's
/// secret: `Debug` does not print it.
#[derive(Clone)]
pub struct TelegramInvoice {
    pub id: i64,
    pub booking: BookingId,
    /// 1–32 characters.
    pub title: String,
    /// 1–255 characters.
    pub description: String,
    /// Opaque to everyone but us, 1–128 bytes.
    pub payload: String,
    /// ISO 4217, e.g. `RUB`.
    pub currency: String,
    pub prices: Vec<InvoicePrice>,
    pub provider_token: SecretString,
}

impl std::fmt::Debug for TelegramInvoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TelegramInvoice")
            .field("id", &self.id)
            .field("booking", &self.booking)
            .field("currency", &self.currency)
            .field("prices", &self.prices)
            .finish_non_exhaustive()
    }
}

/// The client pays for an own booking; the agency sends invoices through the booking's agent or
/// an admin. The accountant and operators do not bill clients.
fn may_invoice(actor: &Actor) -> Result<()> {
    match actor {
        Actor::Client(_) | Actor::System | Actor::Staff { role: Role::Agent | Role::Admin, .. } => Ok(()),
        _ => Err(Error::Forbidden("invoices are sent by the client's agent or an admin")),
    }
}

/// Cut to at most `max` characters (Telegram counts characters, not bytes).
fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

impl Crm {
    /// Turns Telegram Payments on with the provider token from @BotFather.
    pub fn with_telegram_payment_token(mut self, token: Option<SecretString>) -> Crm {
        self.telegram_payment_token = token.map(std::sync::Arc::new);
        self
    }

    /// True when `TOURCRM_TELEGRAM_PAYMENT_TOKEN` is set.
    pub fn telegram_payments_enabled(&self) -> bool {
        self.telegram_payment_token.is_some()
    }

    /// What to put in an invoice for paying `amount` of `booking` in the chat; the invoice is
    /// stored, so its payment is later recognised and checked against it.
    pub async fn telegram_invoice(&self, actor: &Actor, booking: BookingId, amount: Money) -> Result<TelegramInvoice> {
        let token = self
            .telegram_payment_token
            .as_ref()
            .ok_or(Error::Conflict(Conflict::TelegramPaymentsOff))?
            .as_ref()
            .clone();
        let b = self.booking_for(actor, booking, false).await?;
        may_invoice(actor)?;
        if amount.minor <= 0 {
            return Err(Error::Invalid(crate::domain::Invalid::AmountZero));
        }
        if amount.currency != b.total.currency {
            return Err(Error::Invalid(crate::domain::Invalid::CurrencyMismatch));
        }
        let minor = u32::try_from(amount.minor).map_err(|_| Error::Conflict(Conflict::TelegramAmountTooLarge))?;
        let mut tx = self.audited(actor).await?;
        let now = tx.now();
        let b = crate::store::bookings::get(&mut tx, booking).await?.ok_or(Error::NotFound("booking"))?;
        if !b.status.accepts_payments() {
            return Err(Error::Conflict(Conflict::PaymentsNotAccepted(b.status.title_ru())));
        }
        let paid = ops_store::booking_sum(&mut tx, b.id, OperationKind::ClientPayment).await?;
        let due = b.total.minor - paid;
        if amount.minor > due {
            return Err(Error::Conflict(Conflict::Overpayment { due: Money::new(due.max(0), b.total.currency) }));
        }
        let secret = Payload::new_token();
        let id = store::insert_invoice(&mut tx, b.id, amount, &Payload::token_hash(&secret), &actor.audit_name(), now)
            .await?;
        let entry = Entry::new(AuditAction::TelegramInvoiceIssue, AuditObject::Booking(b.id))
            .with(AuditField::Amount, amount)
            .with(AuditField::Invoice, audit::number(id));
        tx.commit(entry).await?;
        let id_s = b.id.0.to_string();
        Ok(TelegramInvoice {
            id,
            booking: b.id,
            title: clip(&text::fill("telegram_payments", "invoice_title", &[("id", &id_s)]), 32),
            description: clip(
                &text::fill(
                    "telegram_payments",
                    "invoice_description",
                    &[
                        ("tour", &b.tour_title),
                        ("from", &crate::domain::format_ru_date(b.starts_on)),
                        ("to", &crate::domain::format_ru_date(b.ends_on)),
                        ("travellers", &b.travellers_count),
                    ],
                ),
                255,
            ),
            payload: Payload::encode(id, &secret),
            currency: amount.currency.code().to_owned(),
            prices: vec![InvoicePrice {
                label: clip(&text::fill("telegram_payments", "price_label", &[("id", &id_s)]), 64),
                amount: minor,
            }],
            provider_token: token,
        })
    }

    /// Queues the message that brings the client `link` (Telegram's `createInvoiceLink` of
    /// `invoice`): through the outbox, so it is sent once and in the client's turn. The invoice's
    /// amount, for the sender's confirmation.
    pub async fn queue_invoice_link(&self, actor: &Actor, invoice: i64, link: &str) -> Result<Money> {
        let inv = store::invoice(&mut *self.store.conn().await?, invoice)
            .await?
            .ok_or(Error::NotFound("telegram invoice"))?;
        let b = self.booking_for(actor, inv.booking_id, false).await?;
        may_invoice(actor)?;
        // The link comes from Telegram; anything else would be sent to a client as a payment link.
        let link = link.trim();
        if !link.starts_with("https://t.me/") || link.len() > 512 || link.chars().any(char::is_whitespace) {
            return Err(Error::NotFound("telegram invoice link"));
        }
        let mut tx = self.audited(actor).await?;
        let now = tx.now();
        let id_s = b.id.0.to_string();
        let body = text::fill(
            "telegram_payments",
            "invoice_message",
            &[("amount", &inv.amount), ("id", &id_s), ("tour", &b.tour_title), ("link", &link)],
        );
        let message =
            NewMessage::service(format!("telegram_invoice:{invoice}"), "telegram_invoice", b.client_id, body, now);
        outbox::insert(&mut tx, &message, now).await?;
        // The invoice itself is in the log; its message is in the outbox.
        tx.commit_unrecorded().await?;
        Ok(inv.amount)
    }

    /// The answer to Telegram's `pre_checkout_query`: `Ok(())` to let the payment go, or the
    /// refusal the payer reads. Reads only, and gives up at [`CHECKOUT_DEADLINE`] (refused: the
    /// payer tries again), so the bot answers within Telegram's 10 s.
    pub async fn telegram_checkout(&self, actor: &Actor, q: &CheckoutQuery) -> Result<(), CheckoutRefusal> {
        if !matches!(actor, Actor::System) {
            return Err(CheckoutRefusal::UnknownInvoice);
        }
        match tokio::time::timeout(CHECKOUT_DEADLINE, self.checkout_checks(q)).await {
            Ok(Ok(answer)) => answer,
            Ok(Err(e)) => {
                tracing::error!(error = %e, "pre-checkout: the checks failed; the payment is refused for now");
                Err(CheckoutRefusal::Unavailable)
            }
            Err(_) => {
                tracing::error!("pre-checkout: the checks took too long; the payment is refused for now");
                Err(CheckoutRefusal::Unavailable)
            }
        }
    }

    async fn checkout_checks(&self, q: &CheckoutQuery) -> Result<Result<(), CheckoutRefusal>> {
        let Some(p) = Payload::parse(&q.payload) else {
            tracing::warn!(payer = q.payer_telegram_id, "pre-checkout with a payload that is not ours");
            return Ok(Err(CheckoutRefusal::UnknownInvoice));
        };
        let mut conn = self.store.conn().await?;
        let invoice = store::invoice(&mut conn, p.invoice_id).await?;
        if let Err(r) = payload::check_invoice(&p, invoice.as_ref(), q, self.now()) {
            return Ok(Err(r));
        }
        let Some(invoice) = invoice else { return Ok(Err(CheckoutRefusal::UnknownInvoice)) };
        let Some(b) = crate::store::bookings::get(&mut conn, invoice.booking_id).await? else {
            return Ok(Err(CheckoutRefusal::UnknownInvoice));
        };
        let paid = ops_store::booking_sum(&mut conn, b.id, OperationKind::ClientPayment).await?;
        Ok(payload::check_booking(&invoice, b.status, b.total, paid))
    }
}
