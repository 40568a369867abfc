//! The agent's «Ссылка на оплату» on a booking card: the client's own amounts with the ways the
//! agency sends (a YooKassa link by card or СБП, the bank-transfer QR), then the payment queued
//! to the client by crm (`Crm::send_payment_offer`) — the outbox's sender delivers it as a QR
//! code photo; for a client outside Telegram, to the agent's own chat to forward. Every rule is
//! crm's; this only words the answers.

use crate::BotError;
use crate::conversation::Ctx;
use crate::paying::{choices_view, via};
use crate::staff_effects::{done, refused};
use crm::Actor;
use crm::domain::{BookingId, Money};
use crm::services::PayWay;
use dialogues::client::pay::PayVia;
use dialogues::event::Outcome;
use dialogues::{Callback, Event, Reply};

/// What the agent may send the booking's client, answered as the client's choices are.
pub async fn choices(ctx: &Ctx, actor: &Actor, booking: i64) -> Result<Event, BotError> {
    match ctx.crm.payment_offer_choices(actor, BookingId(booking)).await {
        Ok(offer) => {
            let ways = offer.ways.into_iter().map(via).collect();
            Ok(Event::Outcome(Outcome::PayChoices(choices_view(&offer.choices, ways))))
        }
        Err(e) => refused(ctx, e),
    }
}

/// Sends the client the payment of `amount_minor` the way the agent chose.
pub async fn send(
    ctx: &Ctx,
    actor: &Actor,
    booking: i64,
    amount_minor: i64,
    chosen: PayVia,
) -> Result<Event, BotError> {
    let way = match chosen {
        PayVia::Card => PayWay::Card,
        PayVia::Sbp => PayWay::Sbp,
        PayVia::BankQr => PayWay::BankQr,
        // Never offered here: the invoice is its own button on the card.
        PayVia::Telegram => return refused(ctx, crm::Error::Forbidden("a Telegram invoice is sent by its button")),
    };
    let id = BookingId(booking);
    // The currency is the booking's: crm refuses any other, so the balance's is the one to use.
    let currency = match ctx.crm.payment_offer_choices(actor, id).await {
        Ok(offer) => offer.choices.due.currency,
        Err(e) => return refused(ctx, e),
    };
    match ctx.crm.send_payment_offer(actor, id, Money::new(amount_minor, currency), way).await {
        Ok(sent) => Ok(done(
            ctx,
            Reply::text("staff_done_pay_sent")
                .var("way", sent.way.title_ru())
                .var("amount", sent.amount.to_string())
                .var("booking", booking)
                .var("again", !sent.queued)
                .var("forwarded", sent.forwarded),
            Some(Callback::Booking(booking)),
        )),
        Err(e) => refused(ctx, e),
    }
}
