//! The client's own things: bookings (and asking to cancel one), the chat with their agent,
//! settings (departure city, marketing consent), and `/stop` / «Отписаться».
//!
//! ```text
//! client: 🧳 Мои брони
//! bot:    №17 · Алтай, 12.01–18.01.2027 … оплачено 0 ₽, следующий платёж 15 000 ₽ до 28.11.2026
//!         [❌ Запросить отмену №17]
//! client: [❌ Запросить отмену №17]
//! bot:    Напишите, почему хотите отменить бронь №17.
//! client: заболел
//! bot:    Отправить агенту запрос на отмену брони №17? Причина: заболел [Да, отправить] [Нет]
//! client: [Да, отправить]
//! bot:    Запрос на отмену брони №17 отправлен. Ответит Петрова Мария.
//! ```

use crate::State;
use crate::callback::Callback;
use crate::effect::{Button, Effect, Keyboard, Reply};
use crate::event::{Event, MAX_TEXT, Outcome};
use crate::label::Label;
use domain::{City, KNOWN_CITIES};
use serde::{Deserialize, Serialize};

pub fn bookings_reply(items: &[crate::views::MyBookingView], documents: &[crate::views::DocumentItem]) -> Reply {
    let template = if items.is_empty() { "bookings_none" } else { "bookings_list" };
    let mut rows: Vec<Vec<Button>> = Vec::new();
    for b in items {
        rows.extend(document_buttons(&b.booking.documents, true));
        if b.may_pay {
            rows.push(vec![Button::new(
                Label::new("pay_booking").var("id", b.booking.id),
                Callback::PayBooking(b.booking.id),
            )]);
        }
        if b.may_cancel {
            rows.push(vec![Button::new(
                Label::new("ask_cancel").var("id", b.booking.id),
                Callback::AskCancel(b.booking.id),
            )]);
        }
    }
    // The client's own documents after the bookings, as the text lists them.
    rows.extend(document_buttons(documents, true));
    let reply = Reply::text(template)
        .var("items", serde_json::to_value(items).unwrap_or_default())
        .var("documents", serde_json::to_value(documents).unwrap_or_default());
    if rows.is_empty() { reply } else { reply.keyboard(Keyboard::Inline(rows)) }
}

/// Asking to cancel a booking: the reason typed by the client, then «да» sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CancelRequest {
    pub booking: i64,
    /// The reason, once typed; `None` while waiting for it.
    pub reason: Option<String>,
}

/// The longest reason the agency keeps with a move (as `crm` checks it).
const MAX_REASON: usize = 1000;

pub fn ask_cancel(booking: i64) -> (State, Vec<Effect>) {
    (
        State::CancelRequest(CancelRequest { booking, reason: None }),
        vec![Effect::Reply(Reply::text("cancel_ask_reason").var("booking", booking))],
    )
}

fn yes_no(yes: &str, no: &str) -> Keyboard {
    Keyboard::Inline(vec![vec![Button::new(Label::new(yes), Callback::Yes), Button::new(Label::new(no), Callback::No)]])
}

/// Steps of a cancellation request. `None` means "not mine".
pub fn cancel_request(r: CancelRequest, event: Event) -> Option<(State, Vec<Effect>)> {
    let booking = r.booking;
    let confirm = |reason: &str| {
        Reply::text("cancel_confirm")
            .var("booking", booking)
            .var("reason", reason)
            .keyboard(yes_no("cancel_send", "cancel_keep"))
    };
    Some(match (r.reason.clone(), event) {
        (_, Event::Outcome(Outcome::CancelRequested { booking, agent })) => (
            State::Idle,
            vec![Effect::Reply(
                Reply::text("cancel_requested")
                    .var("booking", booking)
                    .var("agent", agent)
                    .keyboard(super::client_menu()),
            )],
        ),
        (_, Event::Outcome(Outcome::CancelRefused { reason })) => (
            State::Idle,
            vec![Effect::Reply(Reply::text("cancel_refused").var("reason", reason).keyboard(super::client_menu()))],
        ),
        (None, Event::Text(t)) => {
            let reason = match domain::reason(&t, MAX_REASON) {
                Ok(reason) => reason,
                Err(domain::Invalid::ReasonRequired) => return Some(ask_cancel(booking)),
                Err(domain::Invalid::TextTooLong) => {
                    return Some((State::CancelRequest(r), vec![Effect::Reply(Reply::text("cancel_reason_too_long"))]));
                }
                Err(e) => {
                    let why = Reply::text("invalid").var("reason", e.message_ru());
                    return Some((State::CancelRequest(r), vec![Effect::Reply(why)]));
                }
            };
            let reply = confirm(&reason);
            (State::CancelRequest(CancelRequest { booking, reason: Some(reason) }), vec![Effect::Reply(reply)])
        }
        (None, Event::Unsupported | Event::Contact { .. } | Event::Callback(Callback::Yes | Callback::No)) => {
            ask_cancel(booking)
        }
        (Some(reason), event) => {
            let answer = match &event {
                Event::Callback(Callback::Yes) => Some(true),
                Event::Callback(Callback::No) => Some(false),
                Event::Text(t) => crate::label::typed_answer(t),
                _ => None,
            };
            match (answer, event) {
                (Some(true), _) => {
                    let effect = Effect::RequestCancel { booking, reason: reason.clone() };
                    (State::CancelRequest(CancelRequest { booking, reason: Some(reason) }), vec![effect])
                }
                (Some(false), _) => {
                    (State::Idle, vec![Effect::Reply(Reply::text("cancel_dropped").keyboard(super::client_menu()))])
                }
                (None, Event::Text(_) | Event::Unsupported | Event::Contact { .. }) => {
                    (State::CancelRequest(r), vec![Effect::Reply(confirm(&reason))])
                }
                _ => return None,
            }
        }
        _ => return None,
    })
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

/// «Передал ✉️ …»: the client's message reached `agent` (`in_chat`: who reads the bot), said the
/// same wherever it was passed from.
pub(crate) fn relayed(agent: &str, newly_assigned: bool, in_chat: bool) -> Reply {
    Reply::text("agent_relayed").var("agent", agent).var("newly_assigned", newly_assigned).var("in_chat", in_chat)
}

/// While chatting with the agent, texts go to the agent; `opening` when the chat was opened by
/// passing a question on, so the answer to it says the chat stays open.
pub fn agent_chat(event: Event, opening: bool) -> Option<(State, Vec<Effect>)> {
    Some(match event {
        Event::Text(t) => (State::AgentChat, vec![Effect::RelayToAgent(t)]),
        Event::Outcome(Outcome::Relayed { agent, newly_assigned, in_chat }) => (
            State::AgentChat,
            vec![Effect::Reply(
                relayed(&agent, newly_assigned, in_chat)
                    // What is typed next goes to the agent too: said once, where the chat was
                    // opened by passing a question on («Написать агенту» said it already).
                    .var("chat_open", opening),
            )],
        ),
        // Nobody can answer in the chat now: the message is kept, and the client is told where
        // a person answers (the agency's phone).
        Event::Outcome(Outcome::NoAgent) => {
            (State::Idle, vec![Effect::Reply(Reply::text("agent_none").keyboard(super::client_menu()))])
        }
        Event::Unsupported | Event::Contact { .. } => {
            (State::AgentChat, vec![Effect::Reply(Reply::text("agent_text_only"))])
        }
        _ => return None,
    })
}

/// A text at the menu from a registered client: thanks are answered (there is nothing to pass
/// on in «спасибо»), anything else offered to the agent ([`offer_relay`]).
pub fn text_at_menu(text: String) -> (State, Vec<Effect>) {
    const THANKS: &[&str] = &["спасибо", "спс", "благодарю", "спасибо большое", "большое спасибо", "ок спасибо"];
    let key = crate::label::folded_words(&text);
    if THANKS.contains(&key.as_str()) {
        return (State::Idle, vec![Effect::Reply(Reply::text("thanks").keyboard(super::client_menu()))]);
    }
    offer_relay(vec![text], true)
}

/// What a question kept in an offer to pass it on is about: a departure being booked, and how
/// many travel once priced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Asked {
    pub departure_id: i64,
    pub travellers: Option<u8>,
}

/// A text at the menu is most often a question for a person («а когда вылет?»): rather than
/// point at the buttons, offer to pass it to the agent, kept meanwhile. A stranger registers
/// first (the agent must know whom to answer), and the question goes once they have.
pub fn offer_relay(texts: Vec<String>, registered: bool) -> (State, Vec<Effect>) {
    offer_relay_about(texts, None, registered, false)
}

/// [`offer_relay`] for a question `about` a departure, `added` when the last text joined the
/// ones kept.
pub fn offer_relay_about(
    texts: Vec<String>,
    about: Option<Asked>,
    registered: bool,
    added: bool,
) -> (State, Vec<Effect>) {
    let reply = Reply::text("relay_offer")
        .var("parts", texts.len())
        .var("added", added)
        .var("registered", registered)
        .keyboard(relay_buttons(registered));
    (State::RelayOffer { texts, about }, vec![Effect::Reply(reply)])
}

fn relay_buttons(registered: bool) -> Keyboard {
    yes_no(if registered { "relay_send" } else { "relay_register" }, "relay_keep")
}

/// An answer to «Передать агенту?» typed rather than pressed: «да», «передайте, пожалуйста»,
/// «нет», «не надо». `None`: not an answer (more text to pass on).
pub(crate) fn pass_on_answer(text: &str) -> Option<bool> {
    if let Some(answer) = crate::label::typed_answer(text) {
        return Some(answer);
    }
    let key = crate::label::folded_words(text);
    let starts = |prefixes: &[&str]| prefixes.iter().any(|p| key == *p || key.starts_with(&format!("{p} ")));
    if starts(&["не передавайте", "не передавай", "не надо", "не нужно"]) {
        Some(false)
    } else if starts(&["передайте", "передай", "да передайте", "да передай", "отправьте", "да отправьте"])
    {
        Some(true)
    } else {
        None
    }
}

/// The answer to [`offer_relay`]: pass it on (the chat with the agent stays open, as after
/// «Написать агенту»; a stranger registers first), keep it, or more text to pass with it.
/// `None` means "not mine".
pub fn relay_offer(
    mut texts: Vec<String>,
    about: Option<Asked>,
    registered: bool,
    event: Event,
) -> Option<(State, Vec<Effect>)> {
    let menu = || if registered { super::client_menu() } else { super::guest::menu() };
    Some(match event {
        Event::Callback(Callback::Yes) if registered => {
            let text = texts.join("\n");
            let pass = match about {
                Some(a) => Effect::AskAboutDeparture { departure_id: a.departure_id, travellers: a.travellers, text },
                None => Effect::RelayToAgent(text),
            };
            (State::AgentChatOpening, vec![pass])
        }
        Event::Callback(Callback::Yes) => {
            super::registration::begin(Some(super::registration::Resume::Relay(texts.join("\n"))))
        }
        Event::Callback(Callback::No) => (State::Idle, vec![Effect::Reply(Reply::text("relay_kept").keyboard(menu()))]),
        // «да», «передайте» typed: the answer, not more to pass on.
        Event::Text(t) if pass_on_answer(&t).is_some() => {
            let pressed = if pass_on_answer(&t) == Some(true) { Callback::Yes } else { Callback::No };
            return relay_offer(texts, about, registered, Event::Callback(pressed));
        }
        Event::Text(more) => {
            // The agent gets it as one message, which Telegram caps: what would not fit is not
            // kept, and the client is told so.
            let kept: usize = texts.iter().map(|t| t.chars().count() + 1).sum();
            if kept + more.chars().count() > MAX_TEXT {
                let reply = Reply::text("relay_offer_full").keyboard(relay_buttons(registered));
                return Some((State::RelayOffer { texts, about }, vec![Effect::Reply(reply)]));
            }
            texts.push(more);
            offer_relay_about(texts, about, registered, true)
        }
        Event::Unsupported | Event::Contact { .. } => {
            (State::RelayOffer { texts, about }, vec![Effect::Reply(Reply::text("agent_text_only"))])
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
        Event::Outcome(Outcome::Bookings { items, documents }) => {
            Some((state, vec![Effect::Reply(bookings_reply(items, documents))]))
        }
        Event::Outcome(Outcome::MarketingChanged(on)) => {
            let t = if *on { "marketing_on" } else { "marketing_off" };
            Some((state, vec![Effect::Reply(Reply::text(t))]))
        }
        _ => None,
    }
}
