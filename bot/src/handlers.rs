//! The update handler tree. Private chats only: the bot never acts in groups. Edited messages,
//! channel posts and everything else fall to the default handler and are ignored.

use crate::conversation::{self, Ctx, TgBot};
use crate::update::message_event;
use crm::{Actor, Conflict, Error};
use dialogues::{Callback, Event, Reply, StartPayload};
use teloxide::prelude::*;

type HandlerResult = Result<(), crate::BotError>;

pub fn schema() -> teloxide::dispatching::UpdateHandler<crate::BotError> {
    dptree::entry()
        .branch(
            Update::filter_message().filter(|m: Message| m.chat.is_private() && m.from.is_some()).endpoint(on_message),
        )
        .branch(Update::filter_callback_query().endpoint(on_callback))
        // Telegram Payments: the last check before the money goes (answered within 10 s).
        .branch(Update::filter_pre_checkout_query().endpoint(crate::payments::on_pre_checkout))
}

async fn on_message(bot: TgBot, msg: Message, ctx: Ctx) -> HandlerResult {
    let Some(user) = msg.from.as_ref() else { return Ok(()) };
    // The money arrived: recorded before anything else reads this message.
    if let Some(paid) = msg.successful_payment() {
        return crate::payments::on_successful_payment(&ctx, &bot, msg.chat.id, user, paid).await;
    }
    let event = message_event(&msg);
    if let Event::Start(StartPayload::StaffInvite(token)) = &event {
        return redeem_invite(&ctx, &bot, msg.chat.id, user, token).await;
    }
    // A signing code typed in the chat, while one is waiting.
    if let Event::Text(text) = &event
        && crate::signing::on_text(&ctx, &bot, msg.chat.id, user, text).await?
    {
        return Ok(());
    }
    let done = conversation::handle(&ctx, &bot, msg.chat.id, user, event).await;
    answered(&ctx, &bot, msg.chat.id, done).await
}

/// A failed update (the database or Redis away, a send that did not go) still gets an answer:
/// the user is asked to repeat in a minute, rather than meeting silence. What failed changed
/// nothing half-way (the services write in transactions), so repeating is safe.
async fn answered(ctx: &Ctx, bot: &TgBot, chat: ChatId, done: HandlerResult) -> HandlerResult {
    let Err(e) = done else { return Ok(()) };
    tracing::error!(chat = chat.0, error = %e, "update failed; the user is asked to repeat it");
    conversation::send(ctx, bot, chat, &Reply::text("try_again")).await
}

async fn on_callback(bot: TgBot, q: CallbackQuery, ctx: Ctx) -> HandlerResult {
    // Always answer, so the button stops spinning.
    bot.answer_callback_query(q.id.clone()).await?;
    let Some(chat) = q.message.as_ref().map(|m| m.chat()) else { return Ok(()) };
    if !chat.is_private() {
        return Ok(());
    }
    let chat_id = chat.id;
    match q.data.as_deref().and_then(Callback::decode) {
        Some(cb) if crate::signing::on_callback(&ctx, &bot, chat_id, &q.from, cb).await? => Ok(()),
        Some(cb) => {
            let done = conversation::handle(&ctx, &bot, chat_id, &q.from, Event::Callback(cb)).await;
            answered(&ctx, &bot, chat_id, done).await
        }
        None => conversation::send(&ctx, &bot, chat_id, &Reply::text("button_expired")).await,
    }
}

async fn redeem_invite(
    ctx: &Ctx,
    bot: &TgBot,
    chat: ChatId,
    user: &teloxide::types::User,
    token: &str,
) -> HandlerResult {
    let telegram_id = i64::try_from(user.id.0).unwrap_or(i64::MAX);
    let reply = match ctx.crm.redeem_invite(&Actor::Telegram(telegram_id), token, user.username.as_deref()).await {
        Ok(staff) => Reply::text("staff_bound").var("name", staff.name).var("role", staff.role.title_ru()),
        Err(Error::Conflict(Conflict::TelegramTaken)) => Reply::text("staff_already_bound"),
        Err(Error::NotFound(_)) => Reply::text("staff_invite_invalid"),
        Err(e) => {
            tracing::error!(error = %e, "redeeming a staff invite failed");
            Reply::text("staff_invite_invalid")
        }
    };
    conversation::send(ctx, bot, chat, &reply).await
}
