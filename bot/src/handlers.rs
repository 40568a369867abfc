//! The update handler tree. Private chats only: the bot never acts in groups.

use crate::Texts;
use crm::{Actor, Conflict, Crm, Error};
use dialogues::StartPayload;
use serde_json::json;
use std::sync::Arc;
use teloxide::prelude::*;

pub fn schema() -> teloxide::dispatching::UpdateHandler<teloxide::RequestError> {
    Update::filter_message()
        .filter(|m: Message| m.chat.is_private() && m.from.is_some())
        .branch(dptree::filter(|m: Message| m.text().is_some_and(|t| t.starts_with("/start"))).endpoint(on_start))
}

async fn on_start(bot: Bot, msg: Message, crm: Crm, texts: Arc<Texts>) -> ResponseResult<()> {
    let Some(user) = msg.from.as_ref() else { return Ok(()) };
    let payload = msg.text().and_then(|t| t.split_once(' ')).map(|(_, p)| p).unwrap_or("");
    let StartPayload::StaffInvite(token) = StartPayload::parse(payload) else {
        return Ok(());
    };
    let telegram_id = i64::try_from(user.id.0).unwrap_or(i64::MAX);
    let actor = Actor::Telegram(telegram_id);
    let reply = match crm.redeem_invite(&actor, &token, user.username.as_deref()).await {
        Ok(staff) => texts.render("staff_bound.tera", &json!({ "name": staff.name, "role": staff.role.title_ru() })),
        Err(Error::Conflict(Conflict::TelegramTaken)) => texts.render("staff_already_bound.tera", &()),
        Err(Error::NotFound(_)) => texts.render("staff_invite_invalid.tera", &()),
        Err(e) => {
            tracing::error!(error = %e, "redeeming a staff invite failed");
            texts.render("staff_invite_invalid.tera", &())
        }
    };
    bot.send_message(msg.chat.id, reply).await?;
    Ok(())
}
