//! Paying from the chat, the transport's part: the choices crm allows, worded for the dialogue,
//! and the payment message itself — a QR code photo with what to transfer in its caption.
//! Every rule (what is due, which amounts, the requisites) is crm's; this only sends.

use crate::BotError;
use crate::conversation::{Ctx, TgBot};
use crm::domain::{BookingId, ClientId, Money, format_ru_date};
use crm::services::payments::{OnlineMethod, OnlinePayment, OnlinePaymentRequest};
use crm::services::{BankTransferOffer, PayWay, PaymentChoices};
use crm::{Actor, Error};
use dialogues::client::pay::PayVia;
use dialogues::event::Outcome;
use dialogues::views::{InstalmentView, PayChoicesView};
use dialogues::{Event, Reply};
use teloxide::RequestError;
use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup, InputFile};

/// What the client may pay on a booking, with the ways to pay the agency has on.
pub async fn choices(ctx: &Ctx, client: ClientId, booking: i64) -> Result<Event, BotError> {
    match ctx.crm.payment_choices(&Actor::Client(client), BookingId(booking)).await {
        Ok(c) => Ok(Event::Outcome(Outcome::PayChoices(view(ctx, &c)))),
        Err(e) => refused(ctx, e),
    }
}

/// The choices worded, with the ways to pay that are on: crm's (the provider's card and СБП,
/// the transfer), and Telegram's invoice before the transfer when its token is set.
fn view(ctx: &Ctx, c: &PaymentChoices) -> PayChoicesView {
    let mut methods: Vec<PayVia> = ctx.crm.pay_ways(c).into_iter().map(via).collect();
    if ctx.crm.telegram_payments_enabled() {
        let at = methods.iter().position(|m| *m == PayVia::BankQr).unwrap_or(methods.len());
        methods.insert(at, PayVia::Telegram);
    }
    choices_view(c, methods)
}

/// A way crm sends as the dialogue's button.
pub(crate) fn via(way: PayWay) -> PayVia {
    match way {
        PayWay::Card => PayVia::Card,
        PayWay::Sbp => PayVia::Sbp,
        PayWay::BankQr => PayVia::BankQr,
    }
}

/// The choices as the dialogue shows them, with these ways.
pub(crate) fn choices_view(c: &PaymentChoices, methods: Vec<PayVia>) -> PayChoicesView {
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
    let sent = match via {
        PayVia::BankQr => match ctx.crm.bank_transfer_offer(&actor, id, amount).await {
            Ok(offer) => send_bank_transfer(ctx, bot, chat, &offer).await,
            Err(e) => return refused(ctx, e),
        },
        PayVia::Card | PayVia::Sbp => {
            let method = if via == PayVia::Sbp { OnlineMethod::Sbp } else { OnlineMethod::Card };
            let req = OnlinePaymentRequest { booking_id: id, amount, method };
            match ctx.crm.create_online_payment(&actor, req).await {
                Ok(payment) if payment.confirmation_url.is_none() => {
                    return refused(ctx, Error::Conflict(crm::Conflict::PaymentProviderUnavailable));
                }
                Ok(payment) => send_payment_link(ctx, bot, chat, &payment).await,
                Err(e) => return refused(ctx, e),
            }
        }
        PayVia::Telegram => match ctx.crm.telegram_invoice(&actor, id, amount).await {
            Ok(invoice) => {
                ctx.budget.reply_turn(chat.0).await;
                crate::payments::send_invoice(bot, chat, &invoice).await.map(drop).map_err(BotError::from)
            }
            Err(e) => return refused(ctx, e),
        },
    };
    sent.map(|()| Event::Outcome(Outcome::PayOffered))
}

/// The provider's payment page as a button «Оплатить …» and as a QR code of the same link (a
/// phone's camera opens it; for СБП, straight in the bank app).
pub async fn send_payment_link(ctx: &Ctx, bot: &TgBot, chat: ChatId, payment: &OnlinePayment) -> Result<(), BotError> {
    // A payment without its link yet: the provider has not answered; reconciliation will
    // finish it, and the client is asked to try again rather than shown a dead button.
    let Some(url) = payment.confirmation_url.as_deref() else {
        return Err(BotError::Crm(Error::Conflict(crm::Conflict::PaymentProviderUnavailable)));
    };
    let link =
        reqwest::Url::parse(url).map_err(|_| BotError::Crm(Error::Conflict(crm::Conflict::PaymentProviderRefused)))?;
    let png = crm::qr::png_off_worker(url.to_owned()).await?;
    let markup = InlineKeyboardMarkup::new([[InlineKeyboardButton::url(payment.button_ru(), link)]]);
    let photo = InputFile::memory(png).file_name(format!("oplata-{}.png", payment.booking_id.0));
    send_photo(ctx, bot, chat, photo, payment.caption_ru(), Some(markup)).await
}

/// The bank-transfer QR code as a photo, the requisites and the purpose in its caption.
pub async fn send_bank_transfer(
    ctx: &Ctx,
    bot: &TgBot,
    chat: ChatId,
    offer: &BankTransferOffer,
) -> Result<(), BotError> {
    let photo = InputFile::memory(offer.png.clone()).file_name(format!("oplata-{}.png", offer.booking.0));
    send_photo(ctx, bot, chat, photo, offer.caption_ru(), None).await
}

/// A photo with its caption (and buttons), paced and retried like every reply.
async fn send_photo(
    ctx: &Ctx,
    bot: &TgBot,
    chat: ChatId,
    photo: InputFile,
    caption: String,
    markup: Option<InlineKeyboardMarkup>,
) -> Result<(), BotError> {
    let mut req = bot.send_photo(chat, photo).caption(caption);
    if let Some(m) = markup {
        req = req.reply_markup(m);
    }
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
