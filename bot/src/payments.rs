//! Telegram Payments in the chat: the invoice sent (`sendInvoice`) or made a link
//! (`createInvoiceLink`), Telegram's `pre_checkout_query` answered, and `successful_payment`
//! handed to `crm`. Every rule is crm's (`Crm::telegram_invoice`, `telegram_checkout`,
//! `telegram_payment_received`); this only speaks the Bot API.

use crate::BotError;
use crate::conversation::{self, Ctx, TgBot};
use crate::staff_effects::{done, refused};
use crm::domain::{BookingId, Money};
use crm::services::{ChargeOutcome, CheckoutQuery, TelegramCharge, TelegramInvoice};
use crm::{Actor, text};
use dialogues::event::Outcome;
use dialogues::{Callback, Event, Reply};
use secrecy::ExposeSecret;
use teloxide::RequestError;
use teloxide::payloads::{CreateInvoiceLinkSetters, SendInvoiceSetters};
use teloxide::prelude::*;
use teloxide::types::{LabeledPrice, PreCheckoutQuery, SuccessfulPayment};

fn prices(invoice: &TelegramInvoice) -> Vec<LabeledPrice> {
    invoice.prices.iter().map(|p| LabeledPrice { label: p.label.clone(), amount: p.amount }).collect()
}

/// Sends `invoice` into `chat` as a message with Telegram's «Оплатить» button. The caller has
/// its turn of the sending budget (see [`crate::SendBudget`]); payflow's dialogue calls this
/// from its method step.
pub async fn send_invoice(bot: &TgBot, chat: ChatId, invoice: &TelegramInvoice) -> Result<Message, RequestError> {
    bot.send_invoice(
        chat,
        invoice.title.clone(),
        invoice.description.clone(),
        invoice.payload.clone(),
        invoice.currency.clone(),
        prices(invoice),
    )
    .provider_token(invoice.provider_token.expose_secret())
    .await
}

/// A `https://t.me/$…` link that opens `invoice` for whoever follows it: what an agent passes
/// to a client outside the bot's own chat, or through the outbox.
pub async fn invoice_link(bot: &TgBot, invoice: &TelegramInvoice) -> Result<String, RequestError> {
    bot.create_invoice_link(
        invoice.title.clone(),
        invoice.description.clone(),
        invoice.payload.clone(),
        invoice.currency.clone(),
        prices(invoice),
    )
    .provider_token(invoice.provider_token.expose_secret())
    .await
}

/// Answers Telegram's question «may this payment go?» — first and fast: crm's checks read only
/// and give up at `CHECKOUT_DEADLINE`, well within Telegram's 10 s.
pub async fn on_pre_checkout(bot: &TgBot, q: PreCheckoutQuery, ctx: &Ctx) -> Result<(), BotError> {
    let query = CheckoutQuery {
        payload: q.invoice_payload.clone(),
        currency: q.currency.clone(),
        total_amount: q.total_amount,
        payer_telegram_id: i64::try_from(q.from.id.0).unwrap_or(i64::MAX),
    };
    let answer = ctx.crm.telegram_checkout(&Actor::System, &query).await;
    let request = match &answer {
        Ok(()) => bot.answer_pre_checkout_query(q.id.clone(), true),
        Err(refusal) => {
            tracing::info!(?refusal, "pre-checkout refused");
            bot.answer_pre_checkout_query(q.id.clone(), false).error_message(refusal.message_ru())
        }
    };
    request.await?;
    Ok(())
}

/// A `successful_payment` message: recorded through crm (applied once however often it comes).
/// The receipt reaches the client through the outbox, queued with the payment; a payment kept
/// for the accountant is told here.
pub async fn on_successful_payment(
    ctx: &Ctx,
    bot: &TgBot,
    chat: ChatId,
    payer: &teloxide::types::User,
    p: &SuccessfulPayment,
) -> Result<(), BotError> {
    let charge = TelegramCharge {
        payload: p.invoice_payload.clone(),
        currency: p.currency.clone(),
        total_amount: p.total_amount,
        telegram_charge_id: p.telegram_payment_charge_id.0.clone(),
        provider_charge_id: p.provider_payment_charge_id.clone(),
        payer_telegram_id: i64::try_from(payer.id.0).unwrap_or(i64::MAX),
    };
    // Telegram reports a payment once: a database that blinks is waited for (about 15 s)
    // rather than losing the report.
    let mut pause = std::time::Duration::from_millis(500);
    let recorded = loop {
        match ctx.crm.telegram_payment_received(&Actor::System, &charge).await {
            Err(crm::Error::Db(e)) if pause <= std::time::Duration::from_secs(8) => {
                tracing::warn!(error = %e, "recording a Telegram payment failed; trying again");
                tokio::time::sleep(pause).await;
                pause *= 2;
            }
            other => break other,
        }
    };
    match recorded {
        Ok(ChargeOutcome::Applied(_)) => Ok(()),
        Ok(ChargeOutcome::Unapplied { reason }) => {
            conversation::send(ctx, bot, chat, &Reply::text("payment_kept").var("reason", reason)).await
        }
        Err(e) => {
            tracing::error!(error = %e, charge = %charge.telegram_charge_id, "a Telegram payment was not recorded");
            conversation::send(ctx, bot, chat, &Reply::text("payment_kept").var("reason", "")).await
        }
    }
}

/// The agent's «Счёт в Telegram»: an invoice for `amount_minor` of the booking, made a link by
/// Telegram and sent to the client through the outbox (exactly once, in the client's turn).
pub(crate) async fn send_invoice_link(
    ctx: &Ctx,
    bot: &TgBot,
    actor: &Actor,
    booking: BookingId,
    amount_minor: i64,
) -> Result<Event, BotError> {
    let currency = match ctx.crm.booking_card(actor, booking).await {
        Ok(c) => c.booking.total.currency,
        Err(e) => return refused(ctx, e),
    };
    let invoice = match ctx.crm.telegram_invoice(actor, booking, Money::new(amount_minor, currency)).await {
        Ok(i) => i,
        Err(e) => return refused(ctx, e),
    };
    let link = match crate::retry::with_backoff("createInvoiceLink", || invoice_link(bot, &invoice)).await {
        Ok(link) => link,
        // Telegram's refusal (the provider's limits on an amount, a revoked token) is the
        // agent's to read; the invoice row stays unused.
        Err(RequestError::Api(e)) => {
            tracing::warn!(error = %e, "createInvoiceLink refused");
            let reason = text::fill("telegram_payments", "telegram_refused", &[("error", &e)]);
            return Ok(Event::Outcome(Outcome::Refused(reason)));
        }
        Err(e) => return Err(e.into()),
    };
    match ctx.crm.queue_invoice_link(actor, invoice.id, &link).await {
        Ok(amount) => Ok(done(
            ctx,
            Reply::text("staff_done_invoice").var("amount", amount.to_string()).var("booking", booking.0),
            Some(Callback::Booking(booking.0)),
        )),
        Err(e) => refused(ctx, e),
    }
}
