//! The client's side of the bot: registration, the catalog and booking requests, bookings,
//! the chat with the agent, settings.

pub mod account;
pub mod catalog;
pub mod guest;
pub mod pay;
pub mod registration;

use crate::State;
use crate::callback::Callback;
use crate::effect::{Effect, Keyboard, Reply};
use crate::event::{Command, Event, MAX_TEXT, Outcome, Who};
use crate::label::MenuItem;

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
    if let State::Registration(r) = state {
        return registration::step(r, event, today);
    }
    let Who::Client { marketing, .. } = who else {
        return guest::step(state, event, today);
    };
    // The menu, commands and settings buttons work from every client state.
    if let Some(out) = navigation(&event, *marketing) {
        return out;
    }
    if let Some(out) = account::common_outcome(state.clone(), &event) {
        return out;
    }
    if let Some(out) = pay::outcome(&event) {
        return out;
    }
    let unhandled = |state: State, event: Event| match (state, event) {
        // A tour button outside the catalog (a broadcast's «Подробнее»): open the tour there.
        (_, Event::Callback(Callback::Tour(id))) => (
            State::Browse(catalog::Browse {
                filter: catalog::TourFilter::default(),
                page: 0,
                awaiting_destination: false,
            }),
            vec![Effect::ShowTour(id)],
        ),
        // `/start` and `/menu` lead back to the main menu from wherever the client was.
        (_, event @ (Event::Start(_) | Event::Command(Command::Menu))) => idle(who, event),
        // A question passed on where no step waits for the answer (with a payment that went
        // out meanwhile): the client is told it reached the agent, wherever the chat stands.
        (state, Event::Outcome(Outcome::Relayed { agent, newly_assigned, in_chat })) => {
            (state, vec![Effect::Reply(account::relayed(&agent, newly_assigned, in_chat))])
        }
        (state, Event::Outcome(Outcome::NoAgent)) => (state, vec![Effect::Reply(Reply::text("agent_none"))]),
        (State::Idle, event) => idle(who, event),
        // A text no step takes (a question with the tours on screen) is for a person, as at
        // the menu: offered to the agent rather than pointed at the buttons.
        (_, Event::Text(text)) if matches!(who, Who::Client { .. }) => account::text_at_menu(text),
        // «Передать агенту» under a question already passed (the chat with the agent is open).
        (State::AgentChat | State::AgentChatOpening, Event::Callback(Callback::RelayQuestion)) => {
            (State::AgentChat, vec![Effect::Reply(Reply::text("book_question_sent"))])
        }
        (other, _) => (other, vec![Effect::Reply(Reply::text("use_menu").keyboard(client_menu()))]),
    };
    match state {
        State::Browse(b) => match catalog::step(b.clone(), event.clone(), today) {
            Some(out) => out,
            None => unhandled(State::Browse(b), event),
        },
        State::Booking(d) => match catalog::book(d.clone(), event.clone()) {
            Some(out) => out,
            None => unhandled(State::Booking(d), event),
        },
        State::ConfirmBooking(c) => match catalog::confirm(c.clone(), event.clone()) {
            Some(out) => out,
            None => unhandled(State::ConfirmBooking(c), event),
        },
        State::CancelRequest(r) => match account::cancel_request(r.clone(), event.clone()) {
            Some(out) => out,
            None => unhandled(State::CancelRequest(r), event),
        },
        State::Pay(p) => match pay::step(p.clone(), event.clone()) {
            Some(out) => out,
            None => unhandled(State::Pay(p), event),
        },
        State::AgentChat => {
            account::agent_chat(event.clone(), false).unwrap_or_else(|| unhandled(State::AgentChat, event))
        }
        State::AgentChatOpening => {
            account::agent_chat(event.clone(), true).unwrap_or_else(|| unhandled(State::AgentChat, event))
        }
        // Anything but an answer to the offer leaves it, as from the menu.
        State::RelayOffer { texts, about } => {
            account::relay_offer(texts, about, true, event.clone()).unwrap_or_else(|| unhandled(State::Idle, event))
        }
        State::AwaitingCity => {
            account::awaiting_city(event.clone()).unwrap_or_else(|| unhandled(State::AwaitingCity, event))
        }
        State::Idle | State::Registration(_) | State::Staff(_) | State::Declined { .. } => {
            unhandled(State::Idle, event)
        }
    }
}

/// Menu buttons, commands and settings actions: they leave whatever was going on.
fn navigation(event: &Event, marketing: bool) -> Option<(State, Vec<Effect>)> {
    let idle = |e: Effect| Some((State::Idle, vec![e]));
    match event {
        Event::Menu(MenuItem::Tours) | Event::Command(Command::Tours) => Some(catalog::open(Default::default(), 0)),
        Event::Menu(MenuItem::MyBookings) | Event::Command(Command::MyBookings) => idle(Effect::MyBookings),
        Event::Menu(MenuItem::WriteAgent) => {
            Some((State::AgentChat, vec![Effect::Reply(Reply::text("agent_chat_open").keyboard(client_menu()))]))
        }
        Event::Menu(MenuItem::Settings) | Event::Command(Command::Settings) => idle(Effect::ShowSettings),
        Event::Callback(Callback::ChangeCity) => Some((State::AwaitingCity, vec![Effect::Reply(account::ask_city())])),
        Event::Callback(Callback::AskCancel(booking)) => Some(account::ask_cancel(*booking)),
        Event::Callback(Callback::PayBooking(booking)) => Some((State::Idle, vec![pay::start(*booking)])),
        Event::Callback(Callback::ToggleMarketing) => idle(Effect::SetMarketing(!marketing)),
        Event::Command(Command::Stop) | Event::Callback(Callback::Unsubscribe) => idle(Effect::SetMarketing(false)),
        _ => None,
    }
}

fn idle(who: &Who, event: Event) -> (State, Vec<Effect>) {
    match who {
        Who::Client { first_name, .. } => match event {
            Event::Start(_) | Event::Command(Command::Menu) => (
                State::Idle,
                vec![Effect::Reply(
                    Reply::text("main_menu").var("first_name", first_name.as_str()).keyboard(client_menu()),
                )],
            ),
            Event::Callback(_) => {
                (State::Idle, vec![Effect::Reply(Reply::text("button_expired").keyboard(client_menu()))])
            }
            Event::Text(text) => account::text_at_menu(text),
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
        Who::Stranger => guest::menu(),
        _ => Keyboard::Remove,
    }
}

/// The client's main menu under the input field, two buttons a row.
pub fn client_menu() -> Keyboard {
    MenuItem::keyboard(&MenuItem::CLIENT)
}
