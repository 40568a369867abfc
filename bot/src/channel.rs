//! The agency's Telegram channel, heard by the bot as one of its administrators: each post
//! (and its edits) is kept with the deep links to this bot it carries, and each reaction count
//! Telegram reports (`message_reaction_count`, sent only when asked for in `allowed_updates`,
//! see [`crate::handlers::ALLOWED_UPDATES`]). The KPIs in `crm` count the funnel from them.
//!
//! Telegram shows a deep link three ways: a plain URL in the text (an `url` entity), a link
//! hidden behind words (`text_link`), and a URL button under the post. All three are read.

use crate::conversation::Ctx;
use crm::Actor;
use crm::services::{ChannelPost, ReactionCount};
use teloxide::types::{
    InlineKeyboardButtonKind, Me, Message, MessageEntityKind, MessageReactionCountUpdated, ReactionType,
};

type HandlerResult = Result<(), crate::BotError>;

/// A channel post, new or edited.
pub(crate) async fn on_post(msg: Message, me: &Me, ctx: &Ctx) -> HandlerResult {
    if !msg.chat.is_channel() {
        return Ok(());
    }
    let username = me.user.username.clone().unwrap_or_default();
    let post = ChannelPost {
        chat_id: msg.chat.id.0,
        message_id: i64::from(msg.id.0),
        posted_at: msg.date,
        edited_at: msg.edit_date().copied(),
        text: msg.text().or(msg.caption()).unwrap_or_default().to_owned(),
        payloads: payloads(&msg, &username),
    };
    ctx.crm.record_channel_post(&Actor::System, &post).await?;
    Ok(())
}

/// A post's reaction counts changed.
pub(crate) async fn on_reactions(update: MessageReactionCountUpdated, ctx: &Ctx) -> HandlerResult {
    let counts: Vec<ReactionCount> = update
        .reactions
        .iter()
        .map(|r| ReactionCount {
            kind: match &r.r#type {
                ReactionType::Emoji { emoji } => emoji.clone(),
                ReactionType::CustomEmoji { custom_emoji_id } => format!("custom:{}", custom_emoji_id.0),
                ReactionType::Paid => "paid".to_owned(),
            },
            count: i64::try_from(r.total_count).unwrap_or(i64::MAX),
        })
        .collect();
    let message_id = i64::from(update.message_id.0);
    ctx.crm.record_reactions(&Actor::System, update.chat.id.0, message_id, update.date, &counts).await?;
    Ok(())
}

/// The `start` payloads of the links to this bot in a post: in its text or caption (plain and
/// hidden links) and in its URL buttons.
fn payloads(msg: &Message, bot_username: &str) -> Vec<String> {
    let mut urls: Vec<String> = Vec::new();
    for entities in [msg.parse_entities(), msg.parse_caption_entities()].into_iter().flatten() {
        for e in entities {
            match e.kind() {
                MessageEntityKind::Url => urls.push(e.text().to_owned()),
                MessageEntityKind::TextLink { url } => urls.push(url.to_string()),
                _ => {}
            }
        }
    }
    if let Some(markup) = msg.reply_markup() {
        for button in markup.inline_keyboard.iter().flatten() {
            if let InlineKeyboardButtonKind::Url(url) = &button.kind {
                urls.push(url.to_string());
            }
        }
    }
    urls.iter().filter_map(|u| start_payload(u, bot_username)).collect()
}

/// The `start` parameter of a `t.me/<bot>?start=…` link to this bot (the scheme may be
/// missing in a plain-text link); `None` for any other link.
fn start_payload(link: &str, bot_username: &str) -> Option<String> {
    let link = link.trim();
    let with_scheme = if link.contains("://") { link.to_owned() } else { format!("https://{link}") };
    let url = reqwest::Url::parse(&with_scheme).ok()?;
    let host = url.host_str()?.to_ascii_lowercase();
    if !matches!(host.as_str(), "t.me" | "telegram.me" | "www.t.me" | "www.telegram.me") {
        return None;
    }
    let bot = url.path_segments()?.next()?;
    if bot_username.is_empty() || !bot.eq_ignore_ascii_case(bot_username) {
        return None;
    }
    url.query_pairs().find(|(k, _)| k == "start").map(|(_, v)| v.into_owned()).filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_start_links_to_this_bot_count() {
        let bot = "tour_bot";
        assert_eq!(start_payload("https://t.me/tour_bot?start=post_12", bot).as_deref(), Some("post_12"));
        assert_eq!(start_payload("t.me/Tour_Bot?start=src_vk_7", bot).as_deref(), Some("src_vk_7"));
        assert_eq!(start_payload("http://telegram.me/tour_bot?x=1&start=post_3", bot).as_deref(), Some("post_3"));
        assert_eq!(start_payload("https://t.me/other_bot?start=post_12", bot), None);
        assert_eq!(start_payload("https://example.com/tour_bot?start=post_12", bot), None);
        assert_eq!(start_payload("https://t.me/tour_bot", bot), None);
        assert_eq!(start_payload("https://t.me/tour_bot?start=", bot), None);
        assert_eq!(start_payload("не ссылка", bot), None);
        assert_eq!(start_payload("https://t.me/tour_bot?start=post_1", ""), None);
    }
}
