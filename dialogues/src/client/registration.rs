//! Self-registration of a new client:
//!
//! ```text
//! client: /start post_123
//! bot:    Здравствуйте! … Как вас зовут? (фамилия и имя)
//! client: Иванова Мария
//! bot:    Поделитесь номером телефона [📱 Отправить мой номер]
//! client: <shares own contact>
//! bot:    Дата рождения (дд.мм.гггг)?
//! client: 05.03.1990
//! bot:    Из какого города вы обычно вылетаете? [Москва] [Новосибирск] …
//! client: [Новосибирск]
//! bot:    Согласие на обработку персональных данных … [Согласен] [Не согласен]
//! client: [Согласен]
//! bot:    Присылать подборки туров и горящие предложения? [Да] [Нет]
//! client: [Нет]
//! bot:    Готово, Мария! …  (after the transport registered the client)
//! ```
//!
//! Every answer is parsed with the `domain` crate's types, so the bot refuses exactly what the panel
//! refuses, with the same reason. A wrong answer keeps the step.

use crate::State;
use crate::callback::Callback;
use crate::effect::{Button, Effect, Keyboard, Reply, ReplyButton};
use crate::event::{Event, Outcome};
use crate::label::{Label, typed_answer};
use chrono::NaiveDate;
use domain::{BirthDate, City, Invalid, KNOWN_CITIES, PersonName, Phone};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Step {
    Name,
    Phone,
    BirthDate,
    City,
    PersonalDataConsent,
    Marketing,
    /// Waiting for the transport to register the client.
    Submitting,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Collected {
    pub full_name: Option<PersonName>,
    pub phone: Option<Phone>,
    pub birth_date: Option<BirthDate>,
    pub city: Option<City>,
    pub source: Option<String>,
    pub personal_data_consent: bool,
    pub marketing_consent: bool,
    /// The phone came from the sender's own shared contact, so Telegram vouches for it: a card
    /// an agent already made with this phone may be linked to this account.
    #[serde(default)]
    pub phone_verified: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registration {
    pub step: Step,
    pub collected: Collected,
}

/// The cities offered as buttons (the rest are typed).
pub const CITY_BUTTONS: usize = 8;

pub fn begin(source: Option<String>) -> (State, Vec<Effect>) {
    let r = Registration { step: Step::Name, collected: Collected { source, ..Default::default() } };
    (State::Registration(r), vec![Effect::Reply(Reply::text("reg_welcome").keyboard(Keyboard::Remove))])
}

fn stay(r: Registration, reply: Reply) -> (State, Vec<Effect>) {
    (State::Registration(r), vec![Effect::Reply(reply)])
}

fn invalid(r: Registration, reason: Invalid) -> (State, Vec<Effect>) {
    stay(r, Reply::text("invalid").var("reason", reason.message_ru()))
}

fn ask(step: &Step) -> Reply {
    match step {
        Step::Name => Reply::text("reg_ask_name"),
        Step::Phone => Reply::text("reg_ask_phone")
            .keyboard(Keyboard::Reply(vec![vec![ReplyButton::RequestContact(Label::new("share_phone"))]])),
        Step::BirthDate => Reply::text("reg_ask_birth_date").keyboard(Keyboard::Remove),
        Step::City => Reply::text("reg_ask_city").keyboard(city_buttons()),
        Step::PersonalDataConsent => Reply::text("reg_ask_pd_consent").keyboard(pd_consent_buttons()),
        Step::Marketing => {
            Reply::text("reg_ask_marketing").keyboard(yes_no(Label::new("marketing_yes"), Label::new("marketing_no")))
        }
        Step::Submitting => Reply::text("reg_wait"),
    }
}

pub fn city_buttons() -> Keyboard {
    let buttons: Vec<Button> = KNOWN_CITIES
        .iter()
        .take(CITY_BUTTONS)
        .enumerate()
        .map(|(i, (name, _))| Button::new(Label::new("city").var("name", *name), Callback::City(i as u16)))
        .collect();
    Keyboard::Inline(buttons.chunks(2).map(<[Button]>::to_vec).collect())
}

fn yes_no(yes: Label, no: Label) -> Keyboard {
    Keyboard::Inline(vec![vec![Button::new(yes, Callback::Yes), Button::new(no, Callback::No)]])
}

fn pd_consent_buttons() -> Keyboard {
    yes_no(Label::new("pd_consent_yes"), Label::new("pd_consent_no"))
}

/// A yes/no answer given by button or typed (see [`typed_answer`]).
fn answer(event: &Event) -> Option<bool> {
    match event {
        Event::Callback(Callback::Yes) => Some(true),
        Event::Callback(Callback::No) => Some(false),
        Event::Text(t) => typed_answer(t),
        _ => None,
    }
}

fn advance(mut r: Registration, next: Step) -> (State, Vec<Effect>) {
    let reply = ask(&next);
    r.step = next;
    stay(r, reply)
}

pub fn step(mut r: Registration, event: Event, today: NaiveDate) -> (State, Vec<Effect>) {
    if let Event::Start(_) = event {
        // /start again in the middle: remind where we are instead of starting over.
        let reply = ask(&r.step);
        return stay(r, reply);
    }
    match r.step {
        Step::Name => match event {
            Event::Text(t) => match PersonName::parse(&t) {
                Ok(name) => {
                    r.collected.full_name = Some(name);
                    advance(r, Step::Phone)
                }
                Err(e) => invalid(r, e),
            },
            _ => stay(r, ask(&Step::Name)),
        },
        Step::Phone => match event {
            Event::Contact { own: false, .. } => stay(r, Reply::text("reg_contact_not_own")),
            Event::Contact { phone, own: true } => match Phone::parse(&phone) {
                Ok(p) => {
                    r.collected.phone = Some(p);
                    r.collected.phone_verified = true;
                    advance(r, Step::BirthDate)
                }
                Err(e) => invalid(r, e),
            },
            Event::Text(phone) => match Phone::parse(&phone) {
                Ok(p) => {
                    r.collected.phone = Some(p);
                    r.collected.phone_verified = false;
                    advance(r, Step::BirthDate)
                }
                Err(e) => invalid(r, e),
            },
            _ => stay(r, ask(&Step::Phone)),
        },
        Step::BirthDate => match event {
            Event::Text(t) => match BirthDate::parse(&t, today) {
                Ok(d) => {
                    r.collected.birth_date = Some(d);
                    advance(r, Step::City)
                }
                Err(e) => invalid(r, e),
            },
            _ => stay(r, ask(&Step::BirthDate)),
        },
        Step::City => {
            let city = match event {
                Event::Callback(Callback::City(i)) => match KNOWN_CITIES.get(usize::from(i)) {
                    Some((name, _)) => City::parse(name),
                    None => return stay(r, ask(&Step::City)),
                },
                Event::Text(t) => City::parse(&t),
                _ => return stay(r, ask(&Step::City)),
            };
            match city {
                Ok(c) => {
                    r.collected.city = Some(c);
                    advance(r, Step::PersonalDataConsent)
                }
                Err(e) => invalid(r, e),
            }
        }
        Step::PersonalDataConsent => match answer(&event) {
            Some(true) => {
                r.collected.personal_data_consent = true;
                advance(r, Step::Marketing)
            }
            Some(false) => stay(r, Reply::text("reg_pd_consent_required").keyboard(pd_consent_buttons())),
            None => stay(r, ask(&Step::PersonalDataConsent)),
        },
        Step::Marketing => match answer(&event) {
            Some(yes) => {
                r.collected.marketing_consent = yes;
                r.step = Step::Submitting;
                let collected = r.collected.clone();
                (State::Registration(r), vec![Effect::Register(collected)])
            }
            None => stay(r, ask(&Step::Marketing)),
        },
        Step::Submitting => match event {
            Event::Outcome(Outcome::Registered { first_name }) => (
                State::Idle,
                vec![Effect::Reply(
                    Reply::text("reg_done").var("first_name", first_name).keyboard(super::client_menu()),
                )],
            ),
            Event::Outcome(Outcome::RegistrationRefused { reason }) if reason == "phone_taken" => {
                r.collected.phone = None;
                let (state, mut effects) = advance(r, Step::Phone);
                effects.insert(0, Effect::Reply(Reply::text("reg_phone_taken")));
                (state, effects)
            }
            Event::Outcome(Outcome::RegistrationRefused { .. }) => {
                (State::Idle, vec![Effect::Reply(Reply::text("reg_failed").keyboard(Keyboard::Remove))])
            }
            // A message while still submitting means the registration was cut short (the process
            // died between saving this step and registering, or the update comes again after a
            // restart): submit again. Registering is idempotent for its own Telegram account.
            _ => {
                let collected = r.collected.clone();
                (State::Registration(r), vec![Effect::Reply(ask(&Step::Submitting)), Effect::Register(collected)])
            }
        },
    }
}
