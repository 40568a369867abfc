//! A stranger (not registered yet) looks around: the catalog and tour cards are open to them;
//! booking a departure or writing to an agent — also a question typed at the menu, kept
//! meanwhile — asks them to register first, and the conversation continues there afterwards
//! ([`Resume`]).
//!
//! ```text
//! stranger: /start post_42
//! bot:      Здравствуйте! … [🌍 Туры] [💬 Написать агенту] [📝 Зарегистрироваться]
//! stranger: 🌍 Туры → [Алтай] → [📅 12.01–18.01 · мест: 8]
//! bot:      Чтобы забронировать тур, давайте познакомимся… Как вас зовут?
//! …         (registration)
//! bot:      Готово, Мария! …  Сколько человек поедет? [1] [2] …
//! ```

use super::catalog::{self, Browse, TourFilter};
use super::registration::{self, Resume};
use crate::State;
use crate::callback::Callback;
use crate::effect::{Effect, Keyboard, Reply};
use crate::event::{Command, Event};
use crate::label::MenuItem;
use crate::start::StartPayload;
use chrono::NaiveDate;

/// The stranger's menu under the input field.
pub fn menu() -> Keyboard {
    MenuItem::keyboard(&MenuItem::STRANGER)
}

fn say(template: &str) -> (State, Vec<Effect>) {
    (State::Idle, vec![Effect::Reply(Reply::text(template).keyboard(menu()))])
}

pub fn step(state: State, event: Event, today: NaiveDate) -> (State, Vec<Effect>) {
    match &event {
        Event::Menu(MenuItem::Tours) | Event::Command(Command::Tours) => {
            return catalog::open(TourFilter::default(), 0);
        }
        Event::Menu(MenuItem::WriteAgent) => return registration::begin(Some(Resume::WriteAgent)),
        Event::Menu(MenuItem::Register) => return registration::begin(None),
        Event::Callback(Callback::Depart(id)) => return registration::begin(Some(Resume::Book(*id))),
        Event::Command(Command::MyBookings | Command::Settings) => return say("register_first"),
        Event::Command(Command::Stop) => return say("guest_nothing_to_stop"),
        _ => {}
    }
    let answered = match state {
        State::Browse(b) => catalog::step(b, event.clone(), today),
        // Anything but an answer to the offer leaves it, as from the menu.
        State::RelayOffer { texts, about } => super::account::relay_offer(texts, about, false, event.clone()),
        _ => None,
    };
    if let Some(out) = answered {
        return out;
    }
    match event {
        Event::Start(StartPayload::Source(source)) => {
            let (state, mut effects) = say("guest_welcome");
            effects.insert(0, Effect::RecordStart(source));
            (state, effects)
        }
        Event::Start(_) | Event::Command(Command::Menu) => say("guest_welcome"),
        // A tour button outside the catalog: open the tour there.
        Event::Callback(Callback::Tour(id)) => (
            State::Browse(Browse { filter: TourFilter::default(), page: 0, awaiting_destination: false }),
            vec![Effect::ShowTour(id)],
        ),
        Event::Callback(_) => say("button_expired"),
        // A question for a person: kept, and offered to the agent after a short registration.
        Event::Text(text) => super::account::offer_relay(vec![text], false),
        _ => say("guest_use_menu"),
    }
}
