//! Where each update goes. Private chats only: the bot never acts in groups. The agency's
//! channel posts and their reaction counts are recorded for the KPIs (`channel`), silently.
//! Edited private messages and everything else are ignored.

use crate::conversation::{self, Ctx, TgBot};
use crate::update::{message_event, start_argument};
use crm::{Actor, Conflict, Error};
use dialogues::{Callback, Event, Reply, StartPayload};
use teloxide::prelude::*;
use teloxide::types::{AllowedUpdate, Me, UpdateKind};

/// Every kind of update the tree below handles, asked for explicitly in `getUpdates` and
/// `setWebhook`: Telegram sends `message_reaction_count` only when it is listed, and keeps the
/// last list given, so a kind the tree handles must be here.
pub(crate) const ALLOWED_UPDATES: [AllowedUpdate; 6] = [
    AllowedUpdate::Message,
    AllowedUpdate::CallbackQuery,
    AllowedUpdate::PreCheckoutQuery,
    AllowedUpdate::ChannelPost,
    AllowedUpdate::EditedChannelPost,
    AllowedUpdate::MessageReactionCount,
];

type HandlerResult = Result<(), crate::BotError>;

/// Hands an update to its handler. A plain `match` rather than a dptree of filters: the tree
/// tried its branches one by one and cloned the message into each filter and endpoint (a
/// `Message` is dozens of fields and strings), on every update. Long polling and the webhook
/// both call it (`polling::Job`).
pub(crate) async fn route(bot: &TgBot, update: Update, me: &Me, ctx: &Ctx) -> HandlerResult {
    match update.kind {
        UpdateKind::Message(msg) if msg.chat.is_private() && msg.from.is_some() => on_message(bot, msg, ctx).await,
        UpdateKind::CallbackQuery(q) => on_callback(bot, q, ctx).await,
        UpdateKind::ChannelPost(post) | UpdateKind::EditedChannelPost(post) => {
            crate::channel::on_post(post, me, ctx).await
        }
        UpdateKind::MessageReactionCount(counts) => crate::channel::on_reactions(counts, ctx).await,
        // Telegram Payments: the last check before the money goes (answered within 10 s).
        UpdateKind::PreCheckoutQuery(q) => crate::payments::on_pre_checkout(bot, q, ctx).await,
        // Group messages, edited private messages and the rest: ignored.
        _ => Ok(()),
    }
}

async fn on_message(bot: &TgBot, msg: Message, ctx: &Ctx) -> HandlerResult {
    let Some(user) = msg.from.as_ref() else { return Ok(()) };
    // The money arrived: recorded before anything else reads this message.
    if let Some(paid) = msg.successful_payment() {
        return crate::payments::on_successful_payment(ctx, bot, msg.chat.id, user, paid).await;
    }
    let event = message_event(&msg);
    if let Some(payload) = start_argument(&msg)
        && !matches!(event, Event::Start(StartPayload::StaffInvite(_)))
    {
        record_start(ctx, user, &msg, payload).await;
    }
    if let Event::Start(StartPayload::StaffInvite(token)) = &event {
        return redeem_invite(ctx, bot, msg.chat.id, user, token).await;
    }
    // A signing code typed in the chat, while one is waiting.
    if let Event::Text(text) = &event
        && crate::signing::on_text(ctx, bot, msg.chat.id, user, text).await?
    {
        return Ok(());
    }
    let done = conversation::handle(ctx, bot, msg.chat.id, user, event, None).await;
    answered(ctx, bot, msg.chat.id, done).await
}

/// Records a deep-link start for the KPIs. A failure is logged and the start goes on: the
/// person's `/start` matters more than its count.
async fn record_start(ctx: &Ctx, user: &teloxide::types::User, msg: &Message, payload: &str) {
    let telegram_id = i64::try_from(user.id.0).unwrap_or(i64::MAX);
    let recorded = ctx.crm.record_deep_link_start(&Actor::Telegram(telegram_id), i64::from(msg.id.0), payload).await;
    if let Err(e) = recorded {
        tracing::error!(error = %e, "recording a deep-link start failed");
    }
}

/// A failed update (the database or Redis away, a send that did not go) still gets an answer:
/// the user is asked to repeat in a minute, rather than meeting silence. What failed changed
/// nothing half-way (the services write in transactions), so repeating is safe.
async fn answered(ctx: &Ctx, bot: &TgBot, chat: ChatId, done: HandlerResult) -> HandlerResult {
    let Err(e) = done else { return Ok(()) };
    tracing::error!(chat = chat.0, error = %e, "update failed; the user is asked to repeat it");
    conversation::send(ctx, bot, chat, &Reply::text("try_again")).await
}

async fn on_callback(bot: &TgBot, q: CallbackQuery, ctx: &Ctx) -> HandlerResult {
    // Always answer, so the button stops spinning.
    bot.answer_callback_query(q.id.clone()).await?;
    let Some(chat) = q.message.as_ref().map(|m| m.chat()) else { return Ok(()) };
    if !chat.is_private() {
        return Ok(());
    }
    let chat_id = chat.id;
    match q.data.as_deref().and_then(Callback::decode) {
        Some(cb) if crate::signing::on_callback(ctx, bot, chat_id, &q.from, cb).await? => Ok(()),
        Some(cb) => {
            let pressed = q.message.as_ref().filter(|_| cb.refines_list()).map(|m| m.id());
            let done = conversation::handle(ctx, bot, chat_id, &q.from, Event::Callback(cb), pressed).await;
            answered(ctx, bot, chat_id, done).await
        }
        None => conversation::send(ctx, bot, chat_id, &Reply::text("button_expired")).await,
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
        // With the work menu at once: the next step is one of its buttons.
        Ok(staff) => Reply::text("staff_bound")
            .var("name", staff.name)
            .var("role", staff.role.title_ru())
            .keyboard(dialogues::staff::menu()),
        Err(Error::Conflict(Conflict::TelegramTaken)) => Reply::text("staff_already_bound"),
        Err(Error::NotFound(_)) => Reply::text("staff_invite_invalid"),
        Err(e) => {
            tracing::error!(error = %e, "redeeming a staff invite failed");
            Reply::text("staff_invite_invalid")
        }
    };
    conversation::send(ctx, bot, chat, &reply).await
}
