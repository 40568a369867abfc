//! The client's own things: bookings, the chat with their agent, settings (departure city,
//! marketing consent), and `/stop` / «Отписаться».

use crate::State;
use crate::callback::Callback;
use crate::effect::{Button, Effect, Keyboard, Reply};
use crate::event::{Event, Outcome};
use crate::label::Label;
use domain::{City, KNOWN_CITIES};

pub fn bookings_reply(items: &[crate::views::BookingItem]) -> Reply {
    let template = if items.is_empty() { "bookings_none" } else { "bookings_list" };
    let documents: Vec<_> = items.iter().flat_map(|b| b.documents.iter().cloned()).collect();
    Reply::text(template)
        .var("items", serde_json::to_value(items).unwrap_or_default())
        .keyboard(Keyboard::Inline(document_buttons(&documents, true)))
}

/// A button per document: «Подписать» for one the client may still sign (only the client
/// signs), «PDF» for a signed one; nothing for the others.
pub fn document_buttons(documents: &[crate::views::DocumentItem], signer: bool) -> Vec<Vec<Button>> {
    documents
        .iter()
        .filter_map(|d| {
            let label = |key: &str| Label::new(key).var("title", d.title.as_str());
            if signer && d.signable {
                Some(vec![Button::new(label("sign"), Callback::Sign(d.id))])
            } else if d.signed {
                Some(vec![Button::new(label("document_pdf"), Callback::DocumentPdf(d.id))])
            } else {
                None
            }
        })
        .collect()
}

pub fn settings_reply(s: &crate::views::Settings) -> Reply {
    Reply::text("settings").var("city", s.city.as_str()).var("marketing", s.marketing).keyboard(Keyboard::Inline(vec![
        vec![Button::new(Label::new("change_city"), Callback::ChangeCity)],
        vec![Button::new(Label::new("toggle_marketing").var("on", s.marketing), Callback::ToggleMarketing)],
    ]))
}

/// While chatting with the agent, texts go to the agent.
pub fn agent_chat(event: Event) -> Option<(State, Vec<Effect>)> {
    Some(match event {
        Event::Text(t) => (State::AgentChat, vec![Effect::RelayToAgent(t)]),
        Event::Outcome(Outcome::Relayed) => (State::AgentChat, vec![Effect::Reply(Reply::text("agent_relayed"))]),
        Event::Outcome(Outcome::NoAgent) => {
            (State::Idle, vec![Effect::Reply(Reply::text("agent_none").keyboard(super::client_menu()))])
        }
        Event::Unsupported | Event::Contact { .. } => {
            (State::AgentChat, vec![Effect::Reply(Reply::text("agent_text_only"))])
        }
        _ => return None,
    })
}

/// Waiting for a new departure city.
pub fn awaiting_city(event: Event) -> Option<(State, Vec<Effect>)> {
    let city = match event {
        Event::Callback(Callback::City(i)) => KNOWN_CITIES.get(usize::from(i)).map(|(n, _)| City::parse(n)),
        Event::Text(t) => Some(City::parse(&t)),
        Event::Outcome(Outcome::CityChanged(name)) => {
            return Some((
                State::Idle,
                vec![Effect::Reply(Reply::text("city_changed").var("city", name).keyboard(super::client_menu()))],
            ));
        }
        Event::Unsupported => None,
        _ => return None,
    };
    Some(match city {
        Some(Ok(c)) => (State::AwaitingCity, vec![Effect::SetCity(c)]),
        Some(Err(e)) => {
            (State::AwaitingCity, vec![Effect::Reply(Reply::text("invalid").var("reason", e.message_ru()))])
        }
        None => (State::AwaitingCity, vec![Effect::Reply(ask_city())]),
    })
}

pub fn ask_city() -> Reply {
    Reply::text("reg_ask_city").keyboard(super::registration::city_buttons())
}

/// Outcomes that may arrive in any state (answers to settings actions).
pub fn common_outcome(state: State, event: &Event) -> Option<(State, Vec<Effect>)> {
    match event {
        Event::Outcome(Outcome::Settings(s)) => Some((state, vec![Effect::Reply(settings_reply(s))])),
        Event::Outcome(Outcome::Bookings(items)) => Some((state, vec![Effect::Reply(bookings_reply(items))])),
        Event::Outcome(Outcome::MarketingChanged(on)) => {
            let t = if *on { "marketing_on" } else { "marketing_off" };
            Some((state, vec![Effect::Reply(Reply::text(t))]))
        }
        _ => None,
    }
}
