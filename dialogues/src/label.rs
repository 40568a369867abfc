//! The dialogues' side of wording: buttons are named by key, never by their text, and what a
//! user may press or type instead of a text is recognised without Russian in Rust.
//!
//! - A [`Label`] is a key and its variables; the transport renders
//!   `templates/bot/button_{key}.tera` (as it renders a `Reply`'s template). One small template
//!   per label rather than one catalog file: a label is then a text like every other the bot
//!   sends — one format (tera), one lookup rule (by file name), one place (`templates/bot/`),
//!   checked by the same tests — and the two labels the outbox already had
//!   (`button_more.tera`, `button_unsubscribe.tera`) were of this form.
//! - A reply-keyboard button comes back as a plain text message with its label. The transport
//!   renders the [`MenuItem`]s' labels, recognises a pressed one and hands the dialogue
//!   [`Event::Menu`](crate::Event::Menu), so no dialogue compares texts.
//! - Typed yes/no answers (where a question has yes/no buttons) are parsing rules, not texts;
//!   their words sit beside the labels in `templates/bot/answer_yes.txt` and `answer_no.txt`,
//!   compiled in here, so a second messenger reads the same words and a translation touches
//!   only `templates/bot/`.

use crate::effect::{Keyboard, ReplyButton};
use crate::event::Who;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A button's text by key: `templates/bot/button_{key}.tera` rendered with `vars`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Label {
    pub key: String,
    pub vars: Map<String, Value>,
}

impl Label {
    pub fn new(key: &str) -> Label {
        Label { key: key.to_owned(), vars: Map::new() }
    }

    pub fn var(mut self, name: &str, value: impl Into<Value>) -> Label {
        self.vars.insert(name.to_owned(), value.into());
        self
    }
}

/// The buttons of the reply-keyboard menus (the client's and the staff's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MenuItem {
    Tours,
    MyBookings,
    WriteAgent,
    Settings,
    StaffClients,
    StaffNewClient,
    StaffBookings,
    StaffRequests,
    /// A stranger's «Зарегистрироваться».
    Register,
}

impl MenuItem {
    pub const CLIENT: [MenuItem; 4] = [MenuItem::Tours, MenuItem::MyBookings, MenuItem::WriteAgent, MenuItem::Settings];
    /// A stranger's menu: browse, write (which asks to register first), register.
    pub const STRANGER: [MenuItem; 3] = [MenuItem::Tours, MenuItem::WriteAgent, MenuItem::Register];
    pub const STAFF: [MenuItem; 4] =
        [MenuItem::StaffClients, MenuItem::StaffNewClient, MenuItem::StaffBookings, MenuItem::StaffRequests];

    pub fn label(self) -> Label {
        Label::new(match self {
            MenuItem::Tours => "menu_tours",
            MenuItem::MyBookings => "menu_bookings",
            MenuItem::WriteAgent => "menu_agent",
            MenuItem::Settings => "menu_settings",
            MenuItem::StaffClients => "menu_staff_clients",
            MenuItem::StaffNewClient => "menu_staff_new_client",
            MenuItem::StaffBookings => "menu_staff_bookings",
            MenuItem::StaffRequests => "menu_staff_requests",
            MenuItem::Register => "menu_register",
        })
    }

    /// A reply keyboard of these items, two a row.
    pub fn keyboard(items: &[MenuItem]) -> Keyboard {
        Keyboard::Reply(items.chunks(2).map(|row| row.iter().map(|i| ReplyButton::Text(i.label())).collect()).collect())
    }

    /// The items of the menu this writer is shown: only these are recognised in their texts
    /// (a client who types a staff button's text has written a text).
    pub fn shown_to(who: &Who) -> &'static [MenuItem] {
        match who {
            Who::Client { .. } => &MenuItem::CLIENT,
            Who::Staff { .. } => &MenuItem::STAFF,
            Who::Stranger => &MenuItem::STRANGER,
            Who::Blacklisted => &[],
        }
    }
}

const ANSWER_YES: &str = include_str!("../../templates/bot/answer_yes.txt");
const ANSWER_NO: &str = include_str!("../../templates/bot/answer_no.txt");

/// A chat message as its words: lowercase, «ё» as «е», punctuation dropped, one space between
/// words («Передайте, пожалуйста!» → «передайте пожалуйста») — what typed phrases are matched by.
pub(crate) fn folded_words(text: &str) -> String {
    domain::search_key(text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A typed yes/no: compared without case, surrounding spaces and a final `.` or `!`.
pub fn typed_answer(text: &str) -> Option<bool> {
    // «Нет, спасибо» as «нет спасибо»: the lists are written without commas.
    let typed = text.trim().to_lowercase().replace(',', "");
    let typed = typed.split_whitespace().collect::<Vec<_>>().join(" ");
    let typed = typed.trim_end_matches(['.', '!']);
    let listed =
        |words: &str| words.lines().map(str::trim).filter(|w| !w.is_empty() && !w.starts_with('#')).any(|w| w == typed);
    if listed(ANSWER_YES) {
        Some(true)
    } else if listed(ANSWER_NO) {
        Some(false)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_answers_are_read_from_the_word_lists() {
        for (typed, meant) in [
            ("Да", Some(true)),
            (" согласна! ", Some(true)),
            ("Нет.", Some(false)),
            // The buttons' own labels, typed.
            ("Нет, спасибо", Some(false)),
            ("да,  присылайте", Some(true)),
        ] {
            assert_eq!(typed_answer(typed), meant, "{typed:?}");
        }
        for other in ["", "#", "может быть", "да нет"] {
            assert_eq!(typed_answer(other), None, "{other:?}");
        }
    }
}
