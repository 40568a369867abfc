//! Table-driven tests of the dialogues: each case is a state, an event and what must come out.
//! No Telegram, no database, no clock.

use chrono::NaiveDate;
use dialogues::client::registration::{Registration, Step};
use dialogues::event::Outcome;
use dialogues::{Callback, Command, Effect, Event, StartPayload, State, Who, step};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
}

fn templates(effects: &[Effect]) -> Vec<String> {
    effects
        .iter()
        .map(|e| match e {
            Effect::Reply(r) => r.template.clone(),
            Effect::Register(_) => "<register>".into(),
            other => format!("<{}>", format!("{other:?}").split(['(', ' ']).next().unwrap_or("")),
        })
        .collect()
}

fn reg_step(state: &State) -> Option<Step> {
    match state {
        State::Registration(Registration { step, .. }) => Some(step.clone()),
        _ => None,
    }
}

/// Plays a conversation of a stranger, returning the final state and the last effects.
fn play(events: Vec<Event>) -> (State, Vec<Effect>) {
    let mut state = State::Idle;
    let mut last = vec![];
    for e in events {
        let (s, eff) = step(state, &Who::Stranger, e, today());
        state = s;
        last = eff;
    }
    (state, last)
}

fn text(s: &str) -> Event {
    Event::Text(s.to_owned())
}

fn happy_path() -> Vec<Event> {
    vec![
        Event::Start(StartPayload::Source("post_123".into())),
        text("Иванова Мария"),
        Event::Contact { phone: "+7 912 345-67-89".into(), own: true },
        text("05.03.1990"),
        Event::Callback(Callback::City(0)),
        Event::Callback(Callback::Yes),
        Event::Callback(Callback::No),
    ]
}

#[test]
fn a_stranger_registers_step_by_step() {
    let (state, effects) = play(happy_path());
    let Effect::Register(c) = &effects[0] else { panic!("{effects:?}") };
    assert_eq!(c.full_name.as_ref().unwrap().as_str(), "Иванова Мария");
    assert_eq!(c.phone.as_ref().unwrap().as_str(), "+79123456789");
    assert_eq!(c.city.as_ref().unwrap().name(), "Москва");
    assert_eq!(c.source.as_deref(), Some("post_123"));
    assert!(c.personal_data_consent && !c.marketing_consent);
    assert_eq!(reg_step(&state), Some(Step::Submitting));

    // Cut short (a crash before the answer came): the next update submits again, same data.
    let (state, again) = step(state, &Who::Stranger, Event::Callback(Callback::No), today());
    assert_eq!(templates(&again), ["reg_wait", "<register>"]);
    assert!(matches!(&again[1], Effect::Register(same) if same == c), "{again:?}");
    assert_eq!(reg_step(&state), Some(Step::Submitting));

    let (state, effects) =
        step(state, &Who::Stranger, Event::Outcome(Outcome::Registered { first_name: "Мария".into() }), today());
    assert_eq!(state, State::Idle);
    assert_eq!(templates(&effects), ["reg_done"]);
}

/// Every step × every kind of wrong input: the step stays and the bot answers.
#[test]
fn wrong_input_keeps_the_step_and_is_answered() {
    let prefixes: Vec<(usize, Step)> = vec![
        (1, Step::Name),
        (2, Step::Phone),
        (3, Step::BirthDate),
        (4, Step::City),
        (5, Step::PersonalDataConsent),
        (6, Step::Marketing),
    ];
    let wrong: Vec<(Step, Event, &str)> = vec![
        (Step::Name, text("Мария"), "invalid"),
        (Step::Name, text("<script>alert(1)</script>"), "invalid"),
        (Step::Name, Event::Unsupported, "reg_ask_name"),
        (Step::Name, Event::Callback(Callback::Yes), "reg_ask_name"),
        (Step::Phone, text("12345"), "invalid"),
        (Step::Phone, text("позвоните мне"), "invalid"),
        (Step::Phone, Event::Contact { phone: "+79001234567".into(), own: false }, "reg_contact_not_own"),
        (Step::Phone, Event::Unsupported, "reg_ask_phone"),
        (Step::BirthDate, text("31.02.1990"), "invalid"),
        (Step::BirthDate, text("01.01.2030"), "invalid"),
        (Step::BirthDate, text("вчера"), "invalid"),
        (Step::BirthDate, Event::Callback(Callback::City(1)), "reg_ask_birth_date"),
        (Step::City, Event::Callback(Callback::City(999)), "reg_ask_city"),
        (Step::City, text("<>"), "invalid"),
        (Step::City, Event::Unsupported, "reg_ask_city"),
        (Step::PersonalDataConsent, Event::Callback(Callback::No), "reg_pd_consent_required"),
        (Step::PersonalDataConsent, text("может быть"), "reg_ask_pd_consent"),
        (Step::Marketing, text("не знаю"), "reg_ask_marketing"),
        (Step::Marketing, Event::Unsupported, "reg_ask_marketing"),
    ];
    for (at, event, expected) in wrong {
        let n = prefixes.iter().find(|(_, s)| *s == at).unwrap().0;
        let (state, _) = play(happy_path()[..n].to_vec());
        assert_eq!(reg_step(&state), Some(at.clone()), "setup for {at:?}");
        let (after, effects) = step(state.clone(), &Who::Stranger, event.clone(), today());
        assert_eq!(after, state, "{at:?} + {event:?} must not move");
        assert_eq!(templates(&effects), [expected], "{at:?} + {event:?}");
    }
}

#[test]
fn typed_answers_work_like_buttons() {
    let mut events = happy_path()[..4].to_vec();
    events.extend([text("усть-кут"), text("Да"), text("да")]);
    let (_, effects) = play(events);
    let Effect::Register(c) = &effects[0] else { panic!("{effects:?}") };
    assert_eq!(c.city.as_ref().unwrap().name(), "усть-кут");
    assert!(c.marketing_consent);
}

#[test]
fn cancel_help_and_long_texts_work_from_any_step() {
    for n in 1..=6 {
        let (state, _) = play(happy_path()[..n].to_vec());
        let (s, e) = step(state.clone(), &Who::Stranger, Event::Command(Command::Help), today());
        assert_eq!((s, templates(&e)), (state.clone(), vec!["help_stranger".to_owned()]));
        let (s, e) = step(state.clone(), &Who::Stranger, text(&"я".repeat(5000)), today());
        assert_eq!((s, templates(&e)), (state.clone(), vec!["too_long".to_owned()]));
        let (s, e) = step(state.clone(), &Who::Stranger, Event::Start(StartPayload::None), today());
        assert_eq!(s, state, "/start mid-registration resumes");
        assert_eq!(e.len(), 1);
        let (s, e) = step(state, &Who::Stranger, Event::Command(Command::Cancel), today());
        assert_eq!((s, templates(&e)), (State::Idle, vec!["cancelled".to_owned()]));
    }
}

#[test]
fn a_taken_phone_goes_back_to_the_phone_step() {
    let (state, _) = play(happy_path());
    let refused = Event::Outcome(Outcome::RegistrationRefused { reason: "phone_taken".into() });
    let (state, effects) = step(state, &Who::Stranger, refused, today());
    assert_eq!(reg_step(&state), Some(Step::Phone));
    assert_eq!(templates(&effects), ["reg_phone_taken", "reg_ask_phone"]);
}

#[test]
fn blacklisted_clients_get_silence_and_state_stays() {
    let (s, e) = step(State::Idle, &Who::Blacklisted, text("привет"), today());
    assert_eq!((s, e.len()), (State::Idle, 0));
}

#[test]
fn states_survive_serialisation() {
    let (state, _) = play(happy_path()[..5].to_vec());
    let json = serde_json::to_string(&state).unwrap();
    let back: State = serde_json::from_str(&json).unwrap();
    assert_eq!(back, state);
}
