//! The bot's dialogue state machines: `step(state, who, event, today) -> (state, effects)`,
//! pure. No Telegram, no database, no clock inside: the transport (`bot`) turns updates into
//! [`Event`]s, runs the [`Effect`]s through `crm`, renders [`Reply`]s and button [`Label`]s from
//! `templates/bot/`, and feeds the answers of data effects back in as events. Every type here is
//! the product's own (never teloxide's), and no text here is worded (see [`label`]), so a second
//! messenger can reuse this crate and `templates/bot/` unchanged.

#![forbid(unsafe_code)]

pub mod callback;
pub mod client;
pub mod documents;
pub mod effect;
pub mod event;
pub mod label;
pub mod refund;
pub mod staff;
mod start;
pub mod views;

pub use callback::Callback;
pub use effect::{Button, Effect, Keyboard, Reply};
pub use event::{Command, Event, Who};
pub use label::{Label, MenuItem};
pub use start::StartPayload;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Where a chat's conversation stands. Stored between updates (database or Redis), so it is
/// plain serde data; a stored state that no longer deserialises after an upgrade is dropped
/// by the storage and the chat starts from [`State::Idle`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum State {
    /// Nothing in progress.
    #[default]
    Idle,
    /// A new client is registering.
    Registration(client::registration::Registration),
    /// Browsing the catalog.
    Browse(client::catalog::Browse),
    /// Choosing how many travellers for a departure.
    Booking(client::catalog::BookingDraft),
    /// The price is shown; waiting for the client to confirm the booking.
    ConfirmBooking(client::catalog::Confirm),
    /// Asking to cancel a booking: the reason, then the confirmation.
    CancelRequest(client::account::CancelRequest),
    /// Paying a booking: the amount, then the way.
    Pay(client::pay::Pay),
    /// Texts go to the client's agent.
    AgentChat,
    /// The same, opened by passing a question on (from the menu's offer, or kept while
    /// registering) rather than by «Написать агенту»: the answer to the first message says the
    /// chat stays open, which nothing had said; then [`State::AgentChat`].
    AgentChatOpening,
    /// A registered client wrote at the menu and was asked whether to pass it to their agent:
    /// what they wrote, and what they add before answering, kept until they do.
    RelayOffer {
        texts: Vec<String>,
        /// The departure the question was typed about (the booking was declined meanwhile):
        /// the agent is told of it as from the booking.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        about: Option<client::account::Asked>,
    },
    /// Waiting for a new departure city.
    AwaitingCity,
    /// A staff member's working menu, and what their next text means.
    Staff(Option<staff::Awaiting>),
    /// A blacklisted client was told on this day where to turn (once a day).
    Declined { told_on: NaiveDate },
}

/// One step of a conversation.
pub fn step(state: State, who: &Who, event: Event, today: NaiveDate) -> (State, Vec<Effect>) {
    match who {
        Who::Blacklisted => declined(state, today),
        Who::Stranger | Who::Client { .. } => client::step(state, who, event, today),
        Who::Staff { role, .. } => {
            let awaiting = match state {
                State::Staff(a) => a,
                _ => None,
            };
            staff::step(awaiting, *role, event, today)
        }
    }
}

/// A blacklisted client gets one polite line a day pointing to the agency's phone; everything
/// else they send that day is left unanswered (no effects: nothing reaches the CRM).
fn declined(state: State, today: NaiveDate) -> (State, Vec<Effect>) {
    match state {
        State::Declined { told_on } if told_on == today => (state, vec![]),
        _ => (
            State::Declined { told_on: today },
            vec![Effect::Reply(Reply::text("blacklisted_line").keyboard(Keyboard::Remove))],
        ),
    }
}
