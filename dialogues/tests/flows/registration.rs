//! Table-driven tests of the dialogues: each case is a state, an event and what must come out.
//! No Telegram, no database, no clock.

use chrono::NaiveDate;
use dialogues::client::catalog::BookingDraft;
use dialogues::client::registration::{LinkCard, Registration, Resume, Step};
use dialogues::event::{Outcome, PhoneCheck};
use dialogues::{Callback, Command, Effect, Event, MenuItem, StartPayload, State, Who, step};

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

fn checked(c: PhoneCheck) -> Event {
    Event::Outcome(Outcome::PhoneChecked(c))
}

fn happy_path() -> Vec<Event> {
    vec![
        Event::Start(StartPayload::Source("post_123".into())),
        Event::Menu(MenuItem::Register),
        text("Иванова Мария"),
        Event::Contact { phone: "+7 912 345-67-89".into(), own: true },
        checked(PhoneCheck::Free),
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
    assert!(c.phone_verified && c.link.is_none());
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

#[test]
fn a_name_typed_given_name_first_is_kept_surname_first() {
    let mut events = happy_path();
    events[2] = text("Игорь Николаев");
    let (_, effects) = play(events);
    let Effect::Register(c) = &effects[0] else { panic!("{effects:?}") };
    assert_eq!(c.full_name.as_ref().unwrap().as_str(), "Николаев Игорь");
}

/// Every step × every kind of wrong input: the step stays and the bot answers.
#[test]
fn wrong_input_keeps_the_step_and_is_answered() {
    let prefixes: Vec<(usize, Step)> = vec![
        (2, Step::Name),
        (3, Step::Phone),
        (4, Step::CheckingPhone),
        (5, Step::BirthDate),
        (6, Step::City),
        (7, Step::PersonalDataConsent),
        (8, Step::Marketing),
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
        (Step::CheckingPhone, text("+79123456789"), "reg_wait"),
        (Step::CheckingPhone, Event::Callback(Callback::Yes), "reg_wait"),
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
    let mut events = happy_path()[..6].to_vec();
    events.extend([text("усть-кут"), text("Да"), text("да")]);
    let (_, effects) = play(events);
    let Effect::Register(c) = &effects[0] else { panic!("{effects:?}") };
    assert_eq!(c.city.as_ref().unwrap().name(), "усть-кут");
    assert!(c.marketing_consent);
}

#[test]
fn cancel_help_and_long_texts_work_from_any_step() {
    for n in 2..=8 {
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
        assert!(matches!(&e[0], Effect::Reply(r) if r.keyboard == dialogues::client::guest::menu()), "{e:?}");
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

/// One polite line a day (it names the agency's phone), and nothing else: no effect reaches
/// the CRM whatever they send.
#[test]
fn blacklisted_clients_get_one_line_a_day() {
    let (s, e) = step(State::Idle, &Who::Blacklisted, text("привет"), today());
    assert_eq!((s.clone(), templates(&e)), (State::Declined { told_on: today() }, vec!["blacklisted_line".to_owned()]));
    for again in [text("ау"), Event::Start(StartPayload::None), Event::Callback(Callback::Tour(1)), Event::Unsupported]
    {
        let (s2, e) = step(s.clone(), &Who::Blacklisted, again, today());
        assert_eq!((s2, e.len()), (s.clone(), 0));
    }
    let tomorrow = today().succ_opt().unwrap();
    let (s, e) = step(s, &Who::Blacklisted, Event::Menu(MenuItem::Tours), tomorrow);
    assert_eq!((s, templates(&e)), (State::Declined { told_on: tomorrow }, vec!["blacklisted_line".to_owned()]));
    // Whatever state the chat was in when the client was blacklisted.
    let (s, e) = step(State::AgentChat, &Who::Blacklisted, text("ответьте"), today());
    assert_eq!((s, templates(&e)), (State::Declined { told_on: today() }, vec!["blacklisted_line".to_owned()]));
}

/// A stranger's /start keeps its source (no registration yet) and shows the guest menu.
#[test]
fn a_stranger_is_welcomed_and_the_source_is_kept() {
    let (s, e) = step(State::Idle, &Who::Stranger, Event::Start(StartPayload::Source("post_7".into())), today());
    assert_eq!((s, templates(&e)), (State::Idle, vec!["<RecordStart>".to_owned(), "guest_welcome".to_owned()]));
    assert_eq!(e[0], Effect::RecordStart("post_7".into()));
    for other in [Event::Unsupported, Event::Start(StartPayload::None)] {
        let (s, e) = step(State::Idle, &Who::Stranger, other.clone(), today());
        assert_eq!(s, State::Idle, "{other:?} starts nothing");
        assert!(
            matches!(&e[..], [Effect::Reply(r)] if r.keyboard == dialogues::client::guest::menu()),
            "{other:?}: {e:?}"
        );
    }
    let (s, e) = step(State::Idle, &Who::Stranger, Event::Command(Command::MyBookings), today());
    assert_eq!((s, templates(&e)), (State::Idle, vec!["register_first".to_owned()]));
}

/// Plays from `state` as a stranger.
fn play_from(mut state: State, events: Vec<Event>) -> (State, Vec<Effect>) {
    let mut last = vec![];
    for e in events {
        let (s, eff) = step(state, &Who::Stranger, e, today());
        state = s;
        last = eff;
    }
    (state, last)
}

fn registration_events() -> Vec<Event> {
    happy_path()[2..].to_vec()
}

/// Browsing needs no registration; a departure asks for it, and once registered the client
/// is asked how many travellers — the booking they started.
#[test]
fn a_stranger_browses_then_registers_to_book_and_the_booking_goes_on() {
    let (s, e) = step(State::Idle, &Who::Stranger, Event::Menu(MenuItem::Tours), today());
    assert!(matches!(s, State::Browse(_)) && matches!(e[..], [Effect::FindTours { .. }]), "{s:?} {e:?}");
    let (s, e) = step(s, &Who::Stranger, Event::Callback(Callback::Tour(3)), today());
    assert_eq!(e, [Effect::ShowTour(3)]);
    let (s, e) = step(s, &Who::Stranger, Event::Callback(Callback::Depart(7)), today());
    assert_eq!(reg_step(&s), Some(Step::Name));
    let Effect::Reply(welcome) = &e[0] else { panic!("{e:?}") };
    assert_eq!((welcome.template.as_str(), &welcome.vars["why"]), ("reg_welcome", &serde_json::json!("book")));
    let (s, e) = play_from(s, registration_events());
    assert_eq!(templates(&e), ["<register>"]);
    let registered = Event::Outcome(Outcome::Registered { first_name: "Мария".into() });
    let (s, e) = step(s, &Who::Stranger, registered, today());
    assert_eq!(s, State::Booking(BookingDraft { departure_id: 7, browse: None, question: Vec::new() }));
    assert_eq!(templates(&e), ["reg_done", "book_ask_count"]);
    // The next update comes from a client: the count prices that departure.
    let client = Who::Client { id: 1, first_name: "Мария".into(), marketing: false };
    let (_, e) = step(s, &client, Event::Callback(Callback::Count(2)), today());
    assert_eq!(e, [Effect::Quote { departure_id: 7, travellers: 2 }]);
}

#[test]
fn writing_to_an_agent_asks_a_stranger_to_register_and_opens_the_chat_after() {
    let (s, e) = step(State::Idle, &Who::Stranger, Event::Menu(MenuItem::WriteAgent), today());
    let State::Registration(r) = &s else { panic!("{s:?}") };
    assert_eq!(r.then, Some(Resume::WriteAgent));
    assert_eq!(templates(&e), ["reg_welcome"]);
    let (s, _) = play_from(s, registration_events());
    let registered = Event::Outcome(Outcome::Registered { first_name: "Мария".into() });
    let (s, e) = step(s, &Who::Stranger, registered, today());
    assert_eq!((s, templates(&e)), (State::AgentChat, vec!["reg_done".to_owned(), "agent_chat_open".to_owned()]));
}

/// A stranger's question at the menu is not answered with a pointer to the buttons: it is
/// kept (with what they add), and passed to the agent once they register — or not at all.
#[test]
fn a_strangers_question_is_kept_through_the_registration_and_passed_to_the_agent() {
    let (s, e) = step(State::Idle, &Who::Stranger, text("Хочу в Турцию в мае"), today());
    assert_eq!(templates(&e), ["relay_offer"]);
    let Effect::Reply(offer) = &e[0] else { panic!("{e:?}") };
    assert_eq!(offer.vars["registered"], serde_json::json!(false));
    let (s, _) = step(s, &Who::Stranger, text("на двоих"), today());
    assert_eq!(
        s,
        State::RelayOffer {
            texts: vec!["Хочу в Турцию в мае".into(), "на двоих".into()], about: None
        }
    );
    // «Не нужно»: nothing kept, the guest menu.
    let (kept, e) = step(s.clone(), &Who::Stranger, Event::Callback(Callback::No), today());
    assert_eq!((kept, templates(&e)), (State::Idle, vec!["relay_kept".to_owned()]));
    // A menu button leaves the offer.
    let (tours, _) = step(s.clone(), &Who::Stranger, Event::Menu(MenuItem::Tours), today());
    assert!(matches!(tours, State::Browse(_)), "{tours:?}");
    // «Зарегистрироваться и передать»: the registration, then the question goes, the chat open.
    let (s, e) = step(s, &Who::Stranger, Event::Callback(Callback::Yes), today());
    let State::Registration(r) = &s else { panic!("{s:?}") };
    assert_eq!(r.then, Some(Resume::Relay("Хочу в Турцию в мае\nна двоих".into())));
    assert_eq!(templates(&e), ["reg_welcome"]);
    let (s, _) = play_from(s, registration_events());
    let registered = Event::Outcome(Outcome::Registered { first_name: "Мария".into() });
    let (s, e) = step(s, &Who::Stranger, registered, today());
    assert_eq!(s, State::AgentChatOpening);
    assert_eq!(e[1], Effect::RelayToAgent("Хочу в Турцию в мае\nна двоих".into()));
}

fn at_phone_step() -> State {
    play(happy_path()[..3].to_vec()).0
}

/// A verified phone on a card: the name on record is shown to confirm or correct, birth date
/// and city are not asked (the card has them), and the registration links to the card.
#[test]
fn a_verified_phone_on_record_links_after_the_name_is_confirmed_or_corrected() {
    let contact = Event::Contact { phone: "+79123456789".into(), own: true };
    let (s, e) = step(at_phone_step(), &Who::Stranger, contact, today());
    assert_eq!(e, [Effect::CheckPhone { phone: domain::Phone::parse("+79123456789").unwrap(), verified: true }]);
    let on_record = checked(PhoneCheck::OnRecord { full_name: "Иванова Мария Петровна".into() });
    let (s, e) = step(s, &Who::Stranger, on_record, today());
    assert_eq!(reg_step(&s), Some(Step::ConfirmName));
    let Effect::Reply(r) = &e[0] else { panic!("{e:?}") };
    assert_eq!(
        (r.template.as_str(), &r.vars["on_record"]),
        ("reg_confirm_name", &serde_json::json!("Иванова Мария Петровна"))
    );

    // Confirmed: straight to the consent.
    let (confirmed, e) = step(s.clone(), &Who::Stranger, Event::Callback(Callback::Yes), today());
    assert_eq!(
        (reg_step(&confirmed), templates(&e)),
        (Some(Step::PersonalDataConsent), vec!["reg_ask_pd_consent".to_owned()])
    );
    let (_, e) = play_from(confirmed, vec![Event::Callback(Callback::Yes), Event::Callback(Callback::No)]);
    let Effect::Register(c) = &e[0] else { panic!("{e:?}") };
    assert_eq!(c.link, Some(LinkCard { name_on_record: "Иванова Мария Петровна".into(), corrected_name: None }));
    assert!(c.birth_date.is_none() && c.city.is_none() && c.personal_data_consent);

    // Corrected: the new name is asked, checked like any name, and carried to the link.
    let (s, e) = step(s, &Who::Stranger, text("нет"), today());
    assert_eq!((reg_step(&s), templates(&e)), (Some(Step::CorrectName), vec!["reg_ask_correct_name".to_owned()]));
    let (same, e) = step(s.clone(), &Who::Stranger, text("М"), today());
    assert_eq!((same, templates(&e)), (s.clone(), vec!["invalid".to_owned()]));
    let (same, e) = step(s.clone(), &Who::Stranger, Event::Unsupported, today());
    assert_eq!((same, templates(&e)), (s.clone(), vec!["reg_ask_correct_name".to_owned()]));
    let (_, e) = play_from(
        s,
        vec![text("Петрова Мария Петровна"), Event::Callback(Callback::Yes), Event::Callback(Callback::Yes)],
    );
    let Effect::Register(c) = &e[0] else { panic!("{e:?}") };
    let corrected = c.link.as_ref().and_then(|l| l.corrected_name.as_ref()).map(|n| n.as_str().to_owned());
    assert_eq!(corrected.as_deref(), Some("Петрова Мария Петровна"));
}

#[test]
fn confirming_the_name_answers_anything_else_with_the_question() {
    let contact = Event::Contact { phone: "+79123456789".into(), own: true };
    let (s, _) = step(at_phone_step(), &Who::Stranger, contact, today());
    let (s, _) = step(s, &Who::Stranger, checked(PhoneCheck::OnRecord { full_name: "Иванова Мария".into() }), today());
    for wrong in [text("может быть"), Event::Unsupported, Event::Callback(Callback::City(1))] {
        let (after, e) = step(s.clone(), &Who::Stranger, wrong.clone(), today());
        assert_eq!((after, templates(&e)), (s.clone(), vec!["reg_confirm_name".to_owned()]), "{wrong:?}");
    }
    let (after, e) = step(s.clone(), &Who::Stranger, Event::Start(StartPayload::None), today());
    assert_eq!((after, templates(&e)), (s, vec!["reg_confirm_name".to_owned()]));
}

/// A typed phone on a card is not linked and the card's name is not shown: the client is
/// asked to share the contact (or give another number), at once — not after the consent.
#[test]
fn a_typed_phone_on_record_asks_for_the_contact_at_the_phone_step() {
    let (s, e) = step(at_phone_step(), &Who::Stranger, text("8 912 345-67-89"), today());
    assert!(matches!(e[..], [Effect::CheckPhone { verified: false, .. }]), "{e:?}");
    let (s, e) = step(s, &Who::Stranger, checked(PhoneCheck::Unconfirmed), today());
    assert_eq!((reg_step(&s), templates(&e)), (Some(Step::Phone), vec!["reg_phone_on_record".to_owned()]));
    let State::Registration(r) = &s else { panic!() };
    assert!(r.collected.phone.is_none() && r.collected.full_name.is_some(), "only the phone is asked again");
    let (s, e) = step(s, &Who::Stranger, Event::Contact { phone: "+79123456789".into(), own: true }, today());
    assert!(matches!(e[..], [Effect::CheckPhone { verified: true, .. }]), "{e:?}");
    assert_eq!(reg_step(&s), Some(Step::CheckingPhone));

    let (s, _) =
        step(at_phone_step(), &Who::Stranger, Event::Contact { phone: "+79123456789".into(), own: true }, today());
    let (s, e) = step(s, &Who::Stranger, checked(PhoneCheck::Declined), today());
    assert_eq!((s, templates(&e)), (State::Idle, vec!["blacklisted_line".to_owned()]));

    let (s, _) = step(at_phone_step(), &Who::Stranger, text("+79123456789"), today());
    let (s, e) = step(s, &Who::Stranger, checked(PhoneCheck::Taken), today());
    assert_eq!((reg_step(&s), templates(&e)), (Some(Step::Phone), vec!["reg_phone_taken".to_owned()]));
}

#[test]
fn states_survive_serialisation() {
    let (state, _) = play(happy_path()[..7].to_vec());
    let json = serde_json::to_string(&state).unwrap();
    let back: State = serde_json::from_str(&json).unwrap();
    assert_eq!(back, state);
}

#[test]
fn a_birth_date_the_calendar_lacks_is_named_as_such_not_as_a_format_error() {
    let prefixes = happy_path();
    let reason = |typed: &str| {
        let (state, _) = play(prefixes[..5].to_vec());
        assert_eq!(reg_step(&state), Some(Step::BirthDate));
        let (_, effects) = step(state, &Who::Stranger, text(typed), today());
        match &effects[..] {
            [Effect::Reply(r)] if r.template == "invalid" => r.vars["reason"].as_str().unwrap_or_default().to_owned(),
            other => panic!("{typed}: {other:?}"),
        }
    };
    let no_such_day = domain::Invalid::NoSuchDate.message_ru();
    assert_eq!(reason("29.02.2023"), no_such_day);
    assert_eq!(reason("31.02.2025"), no_such_day);
    assert_eq!(reason("31/02/1990"), no_such_day);
    assert_eq!(reason("5 марта"), domain::Invalid::DateFormat.message_ru());
}

#[test]
fn linking_and_resuming_states_survive_serialisation() {
    let (s, _) = step(State::Idle, &Who::Stranger, Event::Callback(Callback::Depart(7)), today());
    let (s, _) = play_from(s, vec![text("Иванова Мария"), Event::Contact { phone: "+79123456789".into(), own: true }]);
    let (s, _) = step(s, &Who::Stranger, checked(PhoneCheck::OnRecord { full_name: "Иванова Мария".into() }), today());
    for state in [s, State::Declined { told_on: today() }] {
        let json = serde_json::to_string(&state).unwrap();
        assert_eq!(serde_json::from_str::<State>(&json).unwrap(), state);
    }
}

#[test]
fn a_question_typed_for_the_name_is_kept_for_the_agent_and_the_name_asked_again() {
    let mut events = happy_path();
    events.insert(2, text("хочу в Турцию на майские"));
    // After the question, the name is asked again and the rest goes as usual.
    let (state, effects) = play(events[..3].to_vec());
    assert_eq!(templates(&effects), ["reg_question_kept", "reg_ask_name"]);
    assert_eq!(reg_step(&state), Some(Step::Name));
    let (state, effects) = play(events);
    let Effect::Register(c) = &effects[0] else { panic!("{effects:?}") };
    assert_eq!(c.full_name.as_ref().unwrap().as_str(), "Иванова Мария");
    // Registered: the question goes to the agent.
    let (state, effects) =
        step(state, &Who::Stranger, Event::Outcome(Outcome::Registered { first_name: "Мария".into() }), today());
    assert_eq!(state, State::AgentChatOpening);
    assert!(effects.contains(&Effect::RelayToAgent("хочу в Турцию на майские".into())), "{effects:?}");
}

#[test]
fn questions_typed_at_the_phone_birth_date_and_city_are_kept_for_the_agent_and_the_step_asked_again() {
    let mut events = happy_path();
    // Inserted from the end, so each lands before its step's answer.
    events.insert(6, text("а из Казани туры бывают?"));
    events.insert(5, text("скидки пенсионерам есть?"));
    events.insert(3, text("а в Турцию на майские есть?"));
    let (state, effects) = play(events[..4].to_vec());
    assert_eq!(templates(&effects), ["reg_question_kept", "reg_ask_phone"]);
    assert_eq!(reg_step(&state), Some(Step::Phone));
    // Not a question: the phone's own reason, nothing kept.
    let (_, effects) = step(state, &Who::Stranger, text("12345"), today());
    assert_eq!(templates(&effects), ["invalid"]);
    let (state, effects) = play(events);
    let Effect::Register(c) = &effects[0] else { panic!("{effects:?}") };
    assert!(c.birth_date.is_some() && c.city.is_some(), "{c:?}");
    let (state, effects) =
        step(state, &Who::Stranger, Event::Outcome(Outcome::Registered { first_name: "Мария".into() }), today());
    assert_eq!(state, State::AgentChatOpening);
    let all = "а в Турцию на майские есть?\nскидки пенсионерам есть?\nа из Казани туры бывают?";
    assert!(effects.contains(&Effect::RelayToAgent(all.into())), "{effects:?}");
}

#[test]
fn a_question_at_the_consents_is_kept_for_the_agent_and_the_consent_asked_again() {
    let events = happy_path();
    let (state, _) = play(events[..7].to_vec());
    assert_eq!(reg_step(&state), Some(Step::PersonalDataConsent));
    let (state, effects) = step(state, &Who::Stranger, text("а паспорт тоже надо будет отправлять сюда?"), today());
    assert_eq!(templates(&effects), ["reg_question_kept", "reg_ask_pd_consent"]);
    let (state, _) = step(state, &Who::Stranger, Event::Callback(Callback::Yes), today());
    let (state, effects) = step(state, &Who::Stranger, text("а часто будете писать?"), today());
    assert_eq!(templates(&effects), ["reg_question_kept", "reg_ask_marketing"]);
    let (state, _) = step(state, &Who::Stranger, Event::Callback(Callback::No), today());
    let (state, effects) =
        step(state, &Who::Stranger, Event::Outcome(Outcome::Registered { first_name: "Мария".into() }), today());
    assert_eq!(state, State::AgentChatOpening);
    let both = "а паспорт тоже надо будет отправлять сюда?\nа часто будете писать?";
    assert!(effects.contains(&Effect::RelayToAgent(both.into())), "{effects:?}");
}

#[test]
fn why_a_step_asks_is_answered_at_once_and_nothing_is_kept_for_the_agent() {
    let mut events = happy_path();
    events.insert(6, text("а зачем вам город?"));
    events.insert(5, text("дату рождения обязательно?"));
    events.insert(5, text("не хочу говорить"));
    events.insert(3, text("Зачем вам мой номер телефона?"));
    events.insert(2, text("а зачем?"));
    let (state, effects) = play(events[..3].to_vec());
    assert_eq!(templates(&effects), ["reg_why", "reg_ask_name"]);
    let Effect::Reply(why) = &effects[0] else { panic!() };
    assert_eq!(why.vars["step"], "name");
    assert_eq!(reg_step(&state), Some(Step::Name));
    let (state, effects) = play(events[..5].to_vec());
    assert_eq!(templates(&effects), ["reg_why", "reg_ask_phone"]);
    let Effect::Reply(why) = &effects[0] else { panic!() };
    assert_eq!(why.vars["step"], "phone");
    assert_eq!(reg_step(&state), Some(Step::Phone));
    // A refusal at the birth date is answered with why it is asked, not a format error.
    let (_, effects) = play(events[..8].to_vec());
    assert_eq!(templates(&effects), ["reg_why", "reg_ask_birth_date"]);
    let Effect::Reply(why) = &effects[0] else { panic!() };
    assert_eq!(why.vars["step"], "birth_date");
    // A question with «почему» that is not about the step is the agent's.
    let (_, effects) = step(state, &Who::Stranger, text("почему туры в Турцию так подорожали?"), today());
    assert_eq!(templates(&effects), ["reg_question_kept", "reg_ask_phone"]);
    let (state, effects) = play(events);
    let Effect::Register(c) = &effects[0] else { panic!("{effects:?}") };
    assert!(c.birth_date.is_some() && c.city.is_some(), "{c:?}");
    // Registered: nothing was kept, so nothing goes to the agent and the menu follows.
    let (state, effects) =
        step(state, &Who::Stranger, Event::Outcome(Outcome::Registered { first_name: "Мария".into() }), today());
    assert_ne!(state, State::AgentChat);
    assert!(!effects.iter().any(|e| matches!(e, Effect::RelayToAgent(_))), "{effects:?}");
}

#[test]
fn a_question_typed_while_registering_for_a_booking_goes_to_the_agent_about_that_departure() {
    let (s, _) = step(State::Idle, &Who::Stranger, Event::Callback(Callback::Depart(7)), today());
    let (s, effects) = step(s, &Who::Stranger, text("сколько стоит на двоих?"), today());
    assert_eq!(templates(&effects), ["reg_question_kept", "reg_ask_name"]);
    // The happy path from the name on, a question at the phone.
    let mut rest = happy_path()[2..].to_vec();
    rest.insert(1, text("а трансфер из аэропорта будет?"));
    let (s, _) = play_from(s, rest);
    let (s, effects) =
        step(s, &Who::Stranger, Event::Outcome(Outcome::Registered { first_name: "Мария".into() }), today());
    // The booking goes on (the count is asked) and the questions go about its departure.
    assert!(matches!(s, State::Booking(ref d) if d.departure_id == 7), "{s:?}");
    let text = "сколько стоит на двоих?\nа трансфер из аэропорта будет?".to_string();
    assert_eq!(effects.last(), Some(&Effect::AskAboutDeparture { departure_id: 7, travellers: None, text }));
}

#[test]
fn a_phone_typed_with_a_question_after_it_is_taken_and_the_question_kept() {
    let events = happy_path();
    let (state, _) = play(events[..3].to_vec());
    assert_eq!(reg_step(&state), Some(Step::Phone));
    let (state, effects) = step(state, &Who::Stranger, text("89161112233, а вы в выходные работаете?"), today());
    assert_eq!(templates(&effects), ["reg_question_kept", "<CheckPhone>"]);
    assert!(
        matches!(&effects[1], Effect::CheckPhone { phone, verified: false } if phone.as_str() == "+79161112233"),
        "{effects:?}"
    );
    assert_eq!(reg_step(&state), Some(Step::CheckingPhone));
    // Not a phone before the comma: only the question is kept, the phone asked again.
    let (state, _) = play(events[..3].to_vec());
    let (_, effects) = step(state, &Who::Stranger, text("123, а вы в выходные работаете?"), today());
    assert_eq!(templates(&effects), ["reg_question_kept", "reg_ask_phone"]);
}

#[test]
fn a_count_typed_at_the_name_while_a_booking_waits_is_priced_once_registered() {
    let (s, _) = step(State::Idle, &Who::Stranger, Event::Callback(Callback::Depart(7)), today());
    let (s, effects) = step(s, &Who::Stranger, text("нас двое взрослых и ребёнок 5 лет"), today());
    assert_eq!(templates(&effects), ["reg_count_kept", "reg_ask_name"]);
    let Effect::Reply(kept) = &effects[0] else { panic!() };
    assert_eq!(kept.vars["travellers"], 3);
    let (s, _) = play_from(s, happy_path()[2..].to_vec());
    let (s, effects) =
        step(s, &Who::Stranger, Event::Outcome(Outcome::Registered { first_name: "Мария".into() }), today());
    // Priced at once for three, rather than the count asked again.
    assert!(matches!(s, State::Booking(ref d) if d.departure_id == 7), "{s:?}");
    assert_eq!(effects.last(), Some(&Effect::Quote { departure_id: 7, travellers: 3 }));
    // Without a booking waiting, a count at the name is no name, as before.
    let (s, _) = step(State::Idle, &Who::Stranger, Event::Menu(dialogues::MenuItem::Register), today());
    let (_, effects) = step(s, &Who::Stranger, text("нас двое"), today());
    assert!(!templates(&effects).contains(&"reg_count_kept".to_string()), "{effects:?}");
}
