//! Telegram messages → `dialogues::Event`. The only place that reads teloxide's message types.

use crate::Texts;
use dialogues::{Command, Event, MenuItem, StartPayload, Who};
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

/// The argument of a `/start <argument>` message, as typed or sent by a deep link (untrusted:
/// the CRM parses it); `None` for any other message or a bare `/start`.
pub fn start_argument(msg: &Message) -> Option<&str> {
    let rest = msg.text()?.trim().strip_prefix('/')?;
    let (word, arg) = rest.split_once(char::is_whitespace)?;
    let word = word.split('@').next().unwrap_or(word);
    let arg = arg.trim();
    (word.eq_ignore_ascii_case("start") && !arg.is_empty()).then_some(arg)
}

/// A pressed reply-keyboard button comes back as a text with its label: when the text is the
/// label of an item of the writer's own menu, the dialogue gets that item, not the words.
pub fn menu_event(event: Event, who: &Who, texts: &Texts) -> Event {
    match event {
        Event::Text(text) => match texts.menu_item(&text).filter(|item| MenuItem::shown_to(who).contains(item)) {
            Some(item) => Event::Menu(item),
            None => Event::Text(text),
        },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_menu_text_is_a_menu_item_only_for_whom_that_menu_is_shown() {
        let texts = Texts::load().unwrap();
        let tours = Event::Text(texts.label(&MenuItem::Tours.label()));
        let clients = Event::Text(texts.label(&MenuItem::StaffClients.label()));
        let client = Who::Client { id: 1, first_name: "Мария".into(), marketing: false };
        let staff = Who::Staff { id: 2, role: crm::domain::Role::Agent, name: "Анна".into() };
        assert_eq!(menu_event(tours.clone(), &client, &texts), Event::Menu(MenuItem::Tours));
        assert_eq!(menu_event(clients.clone(), &staff, &texts), Event::Menu(MenuItem::StaffClients));
        assert_eq!(menu_event(clients.clone(), &client, &texts), clients);
        assert_eq!(menu_event(tours.clone(), &staff, &texts), tours);
        // A stranger's menu has «Туры» too (browsing before registering); not the staff's.
        assert_eq!(menu_event(tours.clone(), &Who::Stranger, &texts), Event::Menu(MenuItem::Tours));
        assert_eq!(menu_event(clients.clone(), &Who::Stranger, &texts), clients);
        let typed = Event::Text("хочу в тур".into());
        assert_eq!(menu_event(typed.clone(), &client, &texts), typed);
    }

    /// Webhook and long-polling bodies: whatever JSON arrives, parsing it and reading the message
    /// never panics, and a text always becomes a start, a command or a text (never lost).
    mod bodies {
        use super::*;
        use proptest::prelude::*;
        use serde_json::json;
        use teloxide::types::{Update, UpdateKind};

        fn body(text: Option<String>, contact: Option<(String, Option<i64>)>, from: Option<i64>) -> serde_json::Value {
            let mut message = json!({
                "message_id": 1, "date": 1_700_000_000,
                "chat": {"id": 42, "type": "private", "first_name": "Мария"},
            });
            if let Some(id) = from {
                message["from"] = json!({"id": id, "is_bot": false, "first_name": "Мария"});
            }
            if let Some(t) = text {
                message["text"] = json!(t);
            }
            if let Some((phone, user_id)) = contact {
                message["contact"] = json!({"phone_number": phone, "first_name": "Мария", "user_id": user_id});
            }
            json!({"update_id": 7, "message": message})
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

            #[test]
            fn any_message_body_reads_as_an_event(
                // A message carries a text or a contact (or something else), never both.
                (text, contact) in prop_oneof![
                    prop_oneof![any::<String>(), "/[a-z@_ ]{0,20}.{0,10}"].prop_map(|t| (Some(t), None)),
                    (".{0,20}", proptest::option::of(any::<i64>())).prop_map(|c| (None, Some(c))),
                    Just((None, None)),
                ],
                from in proptest::option::of(1..i64::MAX),
            ) {
                let raw = body(text.clone(), contact, from).to_string();
                let Ok(update) = serde_json::from_str::<Update>(&raw) else { return Ok(()) };
                if let UpdateKind::Message(msg) = update.kind {
                    let event = message_event(&msg);
                    if let Some(t) = text {
                        let kept = matches!(&event, Event::Start(_) | Event::Command(_))
                            || event == Event::Text(t.clone());
                        prop_assert!(kept, "{t:?} became {event:?}");
                    }
                }
            }

            #[test]
            fn any_bytes_are_refused_or_read(raw in prop_oneof![any::<String>(), "\\{\"update_id\":[0-9]{1,5},.{0,40}\\}"]) {
                if let Ok(update) = serde_json::from_str::<Update>(&raw)
                    && let UpdateKind::Message(msg) = update.kind
                {
                    let _ = message_event(&msg);
                }
            }
        }
    }
}
