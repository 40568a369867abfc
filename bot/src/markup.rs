//! A rendered `dialogues::Keyboard` (labels already texts, see `Texts::keyboard`) → Telegram
//! reply markup.

use dialogues::effect::ReplyButton;
use dialogues::{Button, Keyboard};
use teloxide::types::{ButtonRequest, InlineKeyboardButton, KeyboardButton, KeyboardMarkup, ReplyMarkup};

pub fn reply_markup(k: &Keyboard<String>) -> Option<ReplyMarkup> {
    match k {
        Keyboard::None => None,
        Keyboard::Remove => Some(ReplyMarkup::kb_remove()),
        Keyboard::Reply(rows) => {
            let rows = rows.iter().map(|row| {
                row.iter()
                    .map(|b| match b {
                        ReplyButton::Text(t) => KeyboardButton::new(t),
                        ReplyButton::RequestContact(t) => KeyboardButton::new(t).request(ButtonRequest::Contact),
                    })
                    .collect::<Vec<_>>()
            });
            Some(ReplyMarkup::Keyboard(KeyboardMarkup::new(rows).resize_keyboard()))
        }
        Keyboard::Inline(rows) => {
            Some(ReplyMarkup::inline_kb(rows.iter().map(|row| row.iter().map(inline).collect::<Vec<_>>())))
        }
    }
}

fn inline(b: &Button<String>) -> InlineKeyboardButton {
    InlineKeyboardButton::callback(b.label.clone(), b.callback.encode())
}
