//! Paying from the chat, the transport's part: the choices crm allows, worded for the dialogue,
//! and the payment message itself — a QR code photo with what to transfer in its caption.
//! Every rule (what is due, which amounts, the requisites) is crm's; this only sends.

use crate::BotError;
use crate::conversation::{Ctx, TgBot};
use crm::domain::{BookingId, ClientId, Money, format_ru_date};
use crm::services::{BankTransferOffer, PaymentChoices};
use crm::{Actor, Error};
use dialogues::client::pay::PayVia;
use dialogues::event::Outcome;
use dialogues::views::{InstalmentView, PayChoicesView};
use dialogues::{Event, Reply};
use teloxide::RequestError;
use teloxide::prelude::*;
use teloxide::types::InputFile;

/// What the client may pay on a booking, with the ways to pay the agency has on.
pub async fn choices(ctx: &Ctx, client: ClientId, booking: i64) -> Result<Event, BotError> {
    match ctx.crm.payment_choices(&Actor::Client(client), BookingId(booking)).await {
        Ok(c) => Ok(Event::Outcome(Outcome::PayChoices(view(&c)))),
        Err(e) => refused(ctx, e),
    }
}

fn view(c: &PaymentChoices) -> PayChoicesView {
    let mut methods = Vec::new();
    if c.bank_transfer {
        methods.push(PayVia::BankQr);
    }
    PayChoicesView {
        booking: c.booking.0,
        tour: c.tour_title.clone(),
        due: c.due.to_string(),
        next: c.next.map(|(amount, on)| InstalmentView {
            amount: amount.to_string(),
            due_on: format_ru_date(on),
            paid: false,
        }),
        next_minor: c.next.map(|(amount, _)| amount.minor),
        range: c.range,
        methods,
    }
}

/// Sends the client the payment of `amount_minor` on `booking` the way they chose.
pub async fn offer(
    ctx: &Ctx,
    bot: &TgBot,
    chat: ChatId,
    client: ClientId,
    booking: i64,
    amount_minor: i64,
    via: PayVia,
) -> Result<Event, BotError> {
    let actor = Actor::Client(client);
    let id = BookingId(booking);
    // The currency is the booking's: crm refuses any other, so the balance's is the one to use.
    let due = match ctx.crm.payment_choices(&actor, id).await {
        Ok(c) => c.due,
        Err(e) => return refused(ctx, e),
    };
    let amount = Money::new(amount_minor, due.currency);
    match via {
        PayVia::BankQr => match ctx.crm.bank_transfer_offer(&actor, id, amount).await {
            Ok(offer) => {
                send_bank_transfer(ctx, bot, chat, &offer).await?;
                Ok(Event::Outcome(Outcome::PayOffered))
            }
            Err(e) => refused(ctx, e),
        },
    }
}

/// The bank-transfer QR code as a photo, the requisites and the purpose in its caption.
pub async fn send_bank_transfer(
    ctx: &Ctx,
    bot: &TgBot,
    chat: ChatId,
    offer: &BankTransferOffer,
) -> Result<(), BotError> {
    let caption = ctx.texts.message(
        &Reply::text("pay_bank_caption")
            .var("amount", offer.amount.to_string())
            .var("booking", offer.booking.0)
            .var("payee", offer.payee.as_str())
            .var("inn", offer.inn.as_str())
            .var("account", offer.account.as_str())
            .var("bank_name", offer.bank_name.as_str())
            .var("bik", offer.bik.as_str())
            .var("corr_account", offer.corr_account.as_str())
            .var("purpose", offer.purpose.as_str()),
    );
    let photo = InputFile::memory(offer.png.clone()).file_name(format!("oplata-{}.png", offer.booking.0));
    let req = bot.send_photo(chat, photo).caption(caption);
    loop {
        ctx.budget.reply_turn(chat.0).await;
        match crate::retry::with_backoff("photo", || req.send_ref()).await {
            Err(RequestError::RetryAfter(after)) => {
                ctx.budget.flood(chat.0, after.duration());
            }
            sent => return sent.map(drop).map_err(BotError::from),
        }
    }
}

/// A refusal in the client's words; anything that is not theirs to fix is an error.
fn refused(ctx: &Ctx, e: Error) -> Result<Event, BotError> {
    let reason = match e {
        Error::NotFound(_) | Error::Forbidden(_) => ctx.texts.message(&Reply::text("book_refused_unavailable")),
        other => match other.refusal_ru() {
            Some(reason) => reason,
            None => return Err(BotError::Crm(other)),
        },
    };
    Ok(Event::Outcome(Outcome::PayRefused { reason }))
}
