//! Bot API objects in Telegram's own JSON shapes (checked against teloxide-core 0.13's types:
//! `Me`, `User`, `Chat`, `Message`, `CallbackQuery`, `ChatFullInfo`, `WebhookInfo`).

use super::FakeUser;
use serde_json::{Value, json};
use std::time::{SystemTime, UNIX_EPOCH};

pub const BOT_USERNAME: &str = "tourcrm_test_bot";
pub const BOT_FIRST_NAME: &str = "TourCRM Test";

pub fn now() -> i64 {
    i64::try_from(SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()).unwrap()
}

/// The bot as a `User`.
pub fn bot_user(bot_id: i64) -> Value {
    json!({"id": bot_id, "is_bot": true, "first_name": BOT_FIRST_NAME, "username": BOT_USERNAME})
}

/// `getMe`'s answer: a `User` plus the bot-only flags teloxide's `Me` requires.
pub fn me(bot_id: i64) -> Value {
    let mut me = bot_user(bot_id);
    let extra = json!({
        "can_join_groups": true,
        "can_read_all_group_messages": false,
        "supports_inline_queries": false,
        "can_connect_to_business": false,
        "has_main_web_app": false,
    });
    me.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    me
}

pub fn user(u: &FakeUser) -> Value {
    let mut v = json!({"id": u.id, "is_bot": false, "first_name": u.first_name, "language_code": "ru"});
    if let Some(name) = &u.username {
        v["username"] = json!(name);
    }
    v
}

/// A chat: private for positive ids (the user's own chat), a group for negative ones.
pub fn chat(chat_id: i64, u: Option<&FakeUser>) -> Value {
    if chat_id < 0 {
        return json!({"id": chat_id, "type": "group", "title": format!("Test group {chat_id}")});
    }
    let mut v = json!({"id": chat_id, "type": "private", "first_name": u.map_or("User", |u| &u.first_name)});
    if let Some(name) = u.and_then(|u| u.username.as_ref()) {
        v["username"] = json!(name);
    }
    v
}

/// `getChat`'s `ChatFullInfo`.
pub fn chat_full_info(chat_id: i64, u: Option<&FakeUser>) -> Value {
    let mut v = chat(chat_id, u);
    v["accent_color_id"] = json!(0);
    v["max_reaction_count"] = json!(11);
    v["accepted_gift_types"] =
        json!({"unlimited_gifts": true, "limited_gifts": true, "unique_gifts": true, "premium_subscription": true});
    v
}

pub fn message(message_id: i64, from: Value, chat: Value) -> Value {
    json!({"message_id": message_id, "from": from, "chat": chat, "date": now()})
}

/// The text and, for a leading `/command`, the `bot_command` entity Telegram adds
/// (offsets and lengths are in UTF-16 code units).
pub fn set_text(msg: &mut Value, text: &str) {
    msg["text"] = json!(text);
    if text.starts_with('/') {
        let word = text.split(char::is_whitespace).next().unwrap_or(text);
        msg["entities"] = json!([{"type": "bot_command", "offset": 0, "length": word.encode_utf16().count()}]);
    }
}

pub fn contact(phone: &str, first_name: &str, user_id: Option<i64>) -> Value {
    let mut c = json!({"phone_number": phone, "first_name": first_name});
    if let Some(id) = user_id {
        c["user_id"] = json!(id);
    }
    c
}

pub fn sticker(n: u64) -> Value {
    json!({
        "file_id": format!("sticker-{n}"), "file_unique_id": format!("usticker-{n}"), "file_size": 20480,
        "type": "regular", "width": 512, "height": 512, "is_animated": false, "is_video": false, "emoji": "👍",
    })
}

/// A photo as Telegram sends it: several sizes, smallest first.
pub fn photo_sizes(n: u64, bytes: u64) -> Value {
    json!([
        {"file_id": format!("photo-{n}-s"), "file_unique_id": format!("uphoto-{n}-s"), "file_size": bytes / 8 + 1, "width": 90, "height": 67},
        {"file_id": format!("photo-{n}"), "file_unique_id": format!("uphoto-{n}"), "file_size": bytes, "width": 1280, "height": 960},
    ])
}

pub fn document(n: u64, file_name: &str, bytes: u64) -> Value {
    json!({"file_id": format!("doc-{n}"), "file_unique_id": format!("udoc-{n}"), "file_name": file_name, "file_size": bytes})
}

pub fn ok(result: Value) -> Value {
    json!({"ok": true, "result": result})
}

pub fn error(code: u16, description: &str) -> Value {
    json!({"ok": false, "error_code": code, "description": description})
}
