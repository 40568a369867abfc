//! Telegram messages → `dialogues::Event`. The only place that reads teloxide's message types.

use dialogues::{Command, Event, StartPayload};
use teloxide::types::Message;

/// What a private message means to the dialogues. Every kind of message maps to something,
/// so nothing a user sends can make the bot fail.
pub fn message_event(msg: &Message) -> Event {
    if let Some(text) = msg.text() {
        let trimmed = text.trim();
        if let Some(rest) = trimmed.strip_prefix('/') {
            let (word, arg) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
            let word = word.split('@').next().unwrap_or(word);
            if word.eq_ignore_ascii_case("start") {
                return Event::Start(StartPayload::parse(arg));
            }
            return Event::Command(Command::parse(word));
        }
        return Event::Text(text.to_owned());
    }
    if let Some(contact) = msg.contact() {
        let own = match (contact.user_id, msg.from.as_ref()) {
            (Some(contact_user), Some(sender)) => contact_user == sender.id,
            _ => false,
        };
        return Event::Contact { phone: contact.phone_number.clone(), own };
    }
    Event::Unsupported
}
