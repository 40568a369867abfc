//! Self-registration of a new client:
//!
//! ```text
//! client: /start post_123
//! bot:    Здравствуйте! … Как вас зовут? (фамилия и имя)
//! client: Иванова Мария
//! bot:    Поделитесь номером телефона [📱 Отправить мой номер]
//! client: <shares own contact>
//!         (the phone is looked up first: a card an agent made with it is linked after the
//!         client confirms or corrects the name on record, and birth date and city are not
//!         asked again; a typed phone on a card asks for the contact instead)
//! bot:    Дата рождения (дд.мм.гггг)?
//! client: 05.03.1990
//! bot:    Из какого города вы обычно вылетаете? [Москва] [Новосибирск] …
//! client: [Новосибирск]
//! bot:    Согласие на обработку персональных данных … [Даю согласие] [Не даю согласия]
//! client: [Даю согласие]
//! bot:    Присылать подборки туров и горящие предложения? [Да] [Нет]
//! client: [Нет]
//! bot:    Готово, Мария! …  (after the transport registered the client)
//! ```
//!
//! A stranger may browse first; pressing a departure or «Написать агенту» starts the
//! registration with [`Resume`], and the conversation continues there once registered.
//!
//! Every answer is parsed with the `domain` crate's types, so the bot refuses exactly what the panel
//! refuses, with the same reason. A wrong answer keeps the step.

use crate::State;
use crate::callback::Callback;
use crate::effect::{Button, Effect, Keyboard, Reply, ReplyButton};
use crate::event::{Event, Outcome, PhoneCheck};
use crate::label::{Label, typed_answer};
use chrono::NaiveDate;
use domain::{BirthDate, City, Invalid, KNOWN_CITIES, PersonName, Phone};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Step {
    Name,
    Phone,
    /// Waiting for the transport to say whether the phone is on record.
    CheckingPhone,
    /// A card with the client's verified phone exists: is its name theirs?
    ConfirmName,
    /// The client corrects the name on record.
    CorrectName,
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
    /// The phone is on a card an agent made: the registration links to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<LinkCard>,
}

/// Linking to a card on record: the name it holds and the client's correction, if any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkCard {
    pub name_on_record: String,
    pub corrected_name: Option<PersonName>,
}

/// Where the conversation goes on once the stranger has registered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Resume {
    /// The departure they pressed: ask how many travellers.
    Book(i64),
    /// «Написать агенту»: open the chat with the agent.
    WriteAgent,
    /// A question typed before registering: pass it to the agent, and the chat stays open.
    Relay(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registration {
    pub step: Step,
    pub collected: Collected,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub then: Option<Resume>,
    /// Questions typed at the steps while a booking waits for the registration (`then` is the
    /// booking): passed to the agent about that departure once registered.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub question: Vec<String>,
    /// How many travel, typed at the name while a booking waited for the registration
    /// («нас двое взрослых и ребёнок»): priced once registered instead of asked again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub travellers: Option<u8>,
}

/// The cities offered as buttons (the rest are typed).
pub const CITY_BUTTONS: usize = 8;

/// Starts a registration; `then` says what the stranger was doing (the welcome says why it is
/// asked, and the conversation continues there afterwards). Where the stranger came from is
/// not carried here: their first `/start` is kept by the CRM ([`Effect::RecordStart`]).
pub fn begin(then: Option<Resume>) -> (State, Vec<Effect>) {
    let why = match then {
        Some(Resume::Book(_)) => "book",
        Some(Resume::WriteAgent | Resume::Relay(_)) => "agent",
        None => "",
    };
    let r = Registration {
        step: Step::Name,
        collected: Collected::default(),
        then,
        question: Vec::new(),
        travellers: None,
    };
    (State::Registration(r), vec![Effect::Reply(Reply::text("reg_welcome").var("why", why).keyboard(Keyboard::Remove))])
}

fn stay(r: Registration, reply: Reply) -> (State, Vec<Effect>) {
    (State::Registration(r), vec![Effect::Reply(reply)])
}

/// A question typed for the agent where the registration asks for something (the name, the
/// phone, the birth date, the city): kept and passed on once registered, rather than lost or
/// answered as a wrong name or phone; the step is asked again.
fn keep_question(mut r: Registration, question: String) -> (State, Vec<Effect>) {
    keep(&mut r, question);
    let again = prompt(&r);
    (State::Registration(r), vec![Effect::Reply(Reply::text("reg_question_kept")), Effect::Reply(again)])
}

/// Keeps `question` for the agent, with any kept before.
fn keep(r: &mut Registration, question: String) {
    match r.then.take() {
        // The booking still comes next; the question goes about its departure.
        Some(book @ Resume::Book(_)) => {
            r.then = Some(book);
            r.question.push(question);
        }
        Some(Resume::Relay(before)) => r.then = Some(Resume::Relay(format!("{before}\n{question}"))),
        _ => r.then = Some(Resume::Relay(question)),
    }
}

/// The phone taken, and matched at once, before anything else is asked (see `phone_checked`).
fn check_phone(mut r: Registration, phone: Phone, verified: bool) -> (State, Vec<Effect>) {
    r.collected.phone = Some(phone.clone());
    r.collected.phone_verified = verified;
    r.step = Step::CheckingPhone;
    (State::Registration(r), vec![Effect::CheckPhone { phone, verified }])
}

/// «89161112233, а вы в выходные работаете?»: a phone, then a question after a comma. Both are
/// taken (the question was kept and the phone asked again).
fn phone_and_question(text: &str) -> Option<(Phone, String)> {
    let (head, tail) = text.split_once([',', ';'])?;
    let question = tail.trim();
    let phone = Phone::parse(head).ok()?;
    (!question.is_empty()).then(|| (phone, question.to_owned()))
}

/// «Зачем вам мой телефон?», «а без даты рождения можно?»: why the step asks is the bot's to
/// answer, at once, and the step is asked again (nothing is kept for the agent). A question
/// that only has «почему» in it («почему так дорого?») is not about the step: it must name what
/// the step asks or be short («а зачем?»).
fn asks_why(text: &str, step: &Step) -> bool {
    let subject: &[&str] = match step {
        Step::Name => &["имя", "имени", "фамили", "фио", "зовут"],
        Step::Phone => &["телефон", "номер", "тел"],
        Step::BirthDate => &["дата", "дату", "даты", "рожден", "возраст", "др"],
        Step::City => &["город", "вылет"],
        _ => return false,
    };
    let key = crate::label::folded_words(text);
    let words: Vec<&str> = key.split(' ').collect();
    // A refusal («не хочу говорить») is answered with the reason too: the reason is what it lacks.
    let why = words.iter().any(|w| matches!(*w, "зачем" | "почему" | "обязательно" | "без"))
        || key.contains("для чего")
        || ["не хочу", "не скажу", "не буду", "не дам"].iter().any(|p| key.starts_with(p));
    why && (words.len() <= 3 || words.iter().any(|w| subject.iter().any(|s| w.starts_with(s))))
}

fn explain(r: Registration) -> (State, Vec<Effect>) {
    let step = match r.step {
        Step::Name => "name",
        Step::Phone => "phone",
        Step::BirthDate => "birth_date",
        _ => "city",
    };
    let again = prompt(&r);
    (State::Registration(r), vec![Effect::Reply(Reply::text("reg_why").var("step", step)), Effect::Reply(again)])
}

fn invalid(r: Registration, reason: Invalid) -> (State, Vec<Effect>) {
    stay(r, Reply::text("invalid").var("reason", reason.message_ru()))
}

fn share_phone() -> Keyboard {
    Keyboard::Reply(vec![vec![ReplyButton::RequestContact(Label::new("share_phone"))]])
}

/// The question of the step the registration stands at.
fn prompt(r: &Registration) -> Reply {
    match (&r.step, &r.collected.link) {
        (Step::ConfirmName, Some(link)) => Reply::text("reg_confirm_name")
            .var("on_record", link.name_on_record.as_str())
            .var("typed", r.collected.full_name.as_ref().map(|n| n.as_str().to_owned()))
            .keyboard(yes_no(Label::new("name_is_mine"), Label::new("name_correct"))),
        (step, _) => ask(step),
    }
}

fn ask(step: &Step) -> Reply {
    match step {
        Step::Name => Reply::text("reg_ask_name"),
        Step::Phone => Reply::text("reg_ask_phone").keyboard(share_phone()),
        Step::CheckingPhone | Step::ConfirmName => Reply::text("reg_wait"),
        Step::CorrectName => Reply::text("reg_ask_correct_name").keyboard(Keyboard::Remove),
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
        let reply = prompt(&r);
        return stay(r, reply);
    }
    match r.step {
        Step::Name => match event {
            Event::Text(t) => match PersonName::parse(&t) {
                Ok(name) => {
                    r.collected.full_name = Some(name.surname_first());
                    advance(r, Step::Phone)
                }
                Err(_) if asks_why(&t, &Step::Name) => explain(r),
                // The count answered before the name, right after the departure was picked.
                Err(_)
                    if matches!(r.then, Some(Resume::Book(_)))
                        && let Some(n) = super::catalog::travellers_count(&t).filter(|n| (1..=30).contains(n)) =>
                {
                    r.travellers = Some(n);
                    let kept = Reply::text("reg_count_kept").var("travellers", n);
                    (State::Registration(r), vec![Effect::Reply(kept), Effect::Reply(ask(&Step::Name))])
                }
                Err(Invalid::NameSentence) => keep_question(r, t),
                Err(e) => invalid(r, e),
            },
            _ => stay(r, ask(&Step::Name)),
        },
        Step::Phone => {
            let (phone, verified) = match event {
                Event::Contact { own: false, .. } => return stay(r, Reply::text("reg_contact_not_own")),
                Event::Contact { phone, own: true } => (phone, true),
                Event::Text(phone) => (phone, false),
                _ => return stay(r, ask(&Step::Phone)),
            };
            match Phone::parse(&phone) {
                Ok(p) => check_phone(r, p, verified),
                Err(_) if asks_why(&phone, &Step::Phone) => explain(r),
                Err(_) if let Some((p, question)) = phone_and_question(&phone) => {
                    keep(&mut r, question);
                    let (state, mut effects) = check_phone(r, p, false);
                    effects.insert(0, Effect::Reply(Reply::text("reg_question_kept")));
                    (state, effects)
                }
                Err(_) if phone.contains('?') => keep_question(r, phone),
                Err(e) => invalid(r, e),
            }
        }
        Step::CheckingPhone => match event {
            Event::Outcome(Outcome::PhoneChecked(check)) => phone_checked(r, check),
            _ => stay(r, ask(&Step::CheckingPhone)),
        },
        Step::ConfirmName => match answer(&event) {
            Some(true) => advance(r, Step::PersonalDataConsent),
            Some(false) => advance(r, Step::CorrectName),
            None => {
                let reply = prompt(&r);
                stay(r, reply)
            }
        },
        Step::CorrectName => match event {
            Event::Text(t) => match PersonName::parse(&t) {
                Ok(name) => {
                    if let Some(link) = r.collected.link.as_mut() {
                        link.corrected_name = Some(name.surname_first());
                    }
                    advance(r, Step::PersonalDataConsent)
                }
                Err(e) => invalid(r, e),
            },
            _ => stay(r, ask(&Step::CorrectName)),
        },
        Step::BirthDate => match event {
            Event::Text(t) => match BirthDate::parse(&t, today) {
                Ok(d) => {
                    r.collected.birth_date = Some(d);
                    advance(r, Step::City)
                }
                Err(_) if asks_why(&t, &Step::BirthDate) => explain(r),
                Err(_) if t.contains('?') => keep_question(r, t),
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
                Event::Text(t) => match City::parse(&t) {
                    Err(_) if asks_why(&t, &Step::City) => return explain(r),
                    Err(_) if t.contains('?') => return keep_question(r, t),
                    parsed => parsed,
                },
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
            None => match event {
                Event::Text(t) if t.contains('?') => keep_question(r, t),
                _ => stay(r, ask(&Step::PersonalDataConsent)),
            },
        },
        Step::Marketing => match answer(&event) {
            Some(yes) => {
                r.collected.marketing_consent = yes;
                r.step = Step::Submitting;
                let collected = r.collected.clone();
                (State::Registration(r), vec![Effect::Register(collected)])
            }
            None => match event {
                Event::Text(t) if t.contains('?') => keep_question(r, t),
                _ => stay(r, ask(&Step::Marketing)),
            },
        },
        Step::Submitting => match event {
            Event::Outcome(Outcome::Registered { first_name }) => registered(r, first_name),
            Event::Outcome(Outcome::RegistrationRefused { reason }) if reason == "phone_taken" => {
                // Someone took the phone meanwhile: only the phone is asked again.
                r.collected.phone = None;
                r.collected.phone_verified = false;
                r.collected.link = None;
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

/// The phone's match on record decides the next step.
fn phone_checked(mut r: Registration, check: PhoneCheck) -> (State, Vec<Effect>) {
    match check {
        PhoneCheck::Free => {
            r.collected.link = None;
            advance(r, Step::BirthDate)
        }
        PhoneCheck::OnRecord { full_name } => {
            r.collected.link = Some(LinkCard { name_on_record: full_name, corrected_name: None });
            r.step = Step::ConfirmName;
            let reply = prompt(&r);
            stay(r, reply)
        }
        PhoneCheck::Unconfirmed => {
            r.collected.phone = None;
            r.step = Step::Phone;
            stay(r, Reply::text("reg_phone_on_record").keyboard(share_phone()))
        }
        PhoneCheck::Declined => {
            (State::Idle, vec![Effect::Reply(Reply::text("blacklisted_line").keyboard(super::guest::menu()))])
        }
        // A staff member's answer (`Card`) never comes to a stranger; as taken, if it did.
        PhoneCheck::Taken | PhoneCheck::Card { .. } => {
            r.collected.phone = None;
            r.step = Step::Phone;
            stay(r, Reply::text("reg_phone_taken").keyboard(share_phone()))
        }
    }
}

/// Registered: greet, then go on with what the stranger was doing.
fn registered(r: Registration, first_name: String) -> (State, Vec<Effect>) {
    let done = Effect::Reply(Reply::text("reg_done").var("first_name", first_name).keyboard(super::client_menu()));
    let Registration { then, question, travellers, .. } = r;
    match then {
        None => (State::Idle, vec![done]),
        Some(Resume::Book(departure_id)) => {
            let count = match travellers {
                Some(n) => Effect::Quote { departure_id, travellers: n },
                None => Effect::Reply(Reply::text("book_ask_count").keyboard(super::catalog::count_buttons())),
            };
            let mut effects = vec![done, count];
            if !question.is_empty() {
                let text = question.join("\n");
                effects.push(Effect::AskAboutDeparture { departure_id, travellers: None, text });
            }
            (State::Booking(super::catalog::BookingDraft { departure_id, browse: None, question: Vec::new() }), effects)
        }
        Some(Resume::WriteAgent) => {
            (State::AgentChat, vec![done, Effect::Reply(Reply::text("agent_chat_open").keyboard(super::client_menu()))])
        }
        Some(Resume::Relay(text)) => (State::AgentChatOpening, vec![done, Effect::RelayToAgent(text)]),
    }
}
