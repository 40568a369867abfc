//! The client's side of the bot: registration now; the catalog, bookings, the chat with the
//! agent and settings join as `State` variants of their own.

pub mod registration;

use crate::effect::{Effect, Keyboard, Reply, ReplyButton};
use crate::event::{Command, Event, MAX_TEXT, Who};
use crate::{StartPayload, State};
use chrono::NaiveDate;

pub fn step(state: State, who: &Who, event: Event, today: NaiveDate) -> (State, Vec<Effect>) {
    // Commands that work in every state.
    match &event {
        Event::Command(Command::Cancel) => {
            let template = if matches!(state, State::Idle) { "nothing_to_cancel" } else { "cancelled" };
            return (State::Idle, vec![Effect::Reply(Reply::text(template).keyboard(menu_for(who)))]);
        }
        Event::Command(Command::Help) => return (state, vec![Effect::Reply(Reply::text(help_for(who)))]),
        Event::Text(t) if t.chars().count() > MAX_TEXT => {
            return (state, vec![Effect::Reply(Reply::text("too_long"))]);
        }
        _ => {}
    }
    match state {
        State::Registration(r) => registration::step(r, event, today),
        State::Idle => idle(who, event),
    }
}

fn idle(who: &Who, event: Event) -> (State, Vec<Effect>) {
    match who {
        Who::Stranger => match event {
            Event::Start(StartPayload::Source(source)) => registration::begin(Some(source)),
            Event::Unsupported | Event::Callback(_) => {
                (State::Idle, vec![Effect::Reply(Reply::text("register_first"))])
            }
            _ => registration::begin(None),
        },
        Who::Client { first_name, .. } => match event {
            Event::Start(_) | Event::Command(Command::Menu) => (
                State::Idle,
                vec![Effect::Reply(
                    Reply::text("main_menu").var("first_name", first_name.as_str()).keyboard(client_menu()),
                )],
            ),
            _ => (State::Idle, vec![Effect::Reply(Reply::text("use_menu").keyboard(client_menu()))]),
        },
        _ => (State::Idle, vec![]),
    }
}

fn help_for(who: &Who) -> &'static str {
    match who {
        Who::Stranger => "help_stranger",
        _ => "help_client",
    }
}

fn menu_for(who: &Who) -> Keyboard {
    match who {
        Who::Client { .. } => client_menu(),
        _ => Keyboard::Remove,
    }
}

/// The client's main menu under the input field. Labels are the texts the buttons send.
pub fn client_menu() -> Keyboard {
    let b = |s: &str| ReplyButton::Text(s.to_owned());
    Keyboard::Reply(vec![vec![b(MENU_TOURS), b(MENU_BOOKINGS)], vec![b(MENU_AGENT), b(MENU_SETTINGS)]])
}

pub const MENU_TOURS: &str = "🌍 Туры";
pub const MENU_BOOKINGS: &str = "🧳 Мои брони";
pub const MENU_AGENT: &str = "💬 Написать агенту";
pub const MENU_SETTINGS: &str = "⚙️ Настройки";
