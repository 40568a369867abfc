//! The staff menu: every button asks the transport (which checks access), texts complete the
//! pending action, and wrong input keeps it.

use chrono::NaiveDate;
use dialogues::event::Outcome;
use dialogues::staff::Awaiting;
use dialogues::{Callback, Command, Effect, Event, MenuItem, State, Who, step};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
}

fn agent() -> Who {
    Who::Staff { id: 3, role: "agent".into(), name: "Смирнова Анна".into() }
}

fn run(state: State, event: Event) -> (State, Vec<Effect>) {
    step(state, &agent(), event, today())
}

fn templates(effects: &[Effect]) -> Vec<&str> {
    effects.iter().filter_map(|e| if let Effect::Reply(r) = e { Some(r.template.as_str()) } else { None }).collect()
}

fn text(s: &str) -> Event {
    Event::Text(s.into())
}

#[test]
fn buttons_ask_and_texts_complete_each_action() {
    let cases: Vec<(Callback, &str, Effect)> = vec![
        (Callback::ReplyTo(5), "Добрый день!", Effect::MessageClient { client: 5, text: "Добрый день!".into() }),
        (
            Callback::Note(5, 0),
            "Звонил, уточнил даты",
            Effect::LogNote { client: 5, kind: 0, text: "Звонил, уточнил даты".into() },
        ),
        (Callback::Tag(5), "VIP", Effect::TagClient { client: 5, tag: "VIP".into() }),
        (
            Callback::Move(9, 1),
            "подписан в офисе",
            Effect::MoveBooking { booking: 9, to: 1, reason: "подписан в офисе".into() },
        ),
        (
            Callback::Blacklist(5),
            "не оплатил",
            Effect::SetBlacklist { client: 5, on: true, reason: "не оплатил".into() },
        ),
        (Callback::SearchClients, "Иванова", Effect::StaffClients { query: Some("Иванова".into()) }),
    ];
    for (button, answer, expected) in cases {
        let (st, eff) = run(State::Staff(None), Event::Callback(button));
        assert!(matches!(st, State::Staff(Some(_))), "{button:?}");
        assert_eq!(eff.len(), 1);
        // A sticker instead of the text keeps the action pending.
        let (st2, eff2) = run(st.clone(), Event::Unsupported);
        assert_eq!((st2, templates(&eff2)), (st.clone(), vec!["staff_text_expected"]));
        let (st, eff) = run(st, text(answer));
        assert_eq!((st, eff), (State::Staff(None), vec![expected]), "{button:?}");
    }
}

#[test]
fn a_payment_asks_the_method_then_a_valid_amount() {
    let (st, eff) = run(State::Staff(None), Event::Callback(Callback::Pay(9)));
    assert_eq!(
        (st.clone(), templates(&eff)),
        (State::Staff(Some(Awaiting::PaymentMethod(9))), vec!["staff_choose_method"])
    );
    let (st, eff) = run(st, Event::Callback(Callback::PayMethod(1)));
    assert_eq!(
        (st.clone(), templates(&eff)),
        (State::Staff(Some(Awaiting::PaymentAmount { booking: 9, method: 1 })), vec!["staff_amount_ask"])
    );
    for bad in ["ноль", "-5", "0"] {
        let (s2, eff) = run(st.clone(), text(bad));
        assert_eq!(s2, st, "{bad}");
        assert_eq!(eff.len(), 1);
    }
    let (st, eff) = run(st, text("15 000,50"));
    assert_eq!(
        (st, eff),
        (State::Staff(None), vec![Effect::RecordPayment { booking: 9, method: 1, amount_minor: 1_500_050 }])
    );
}

#[test]
fn registering_a_client_on_their_behalf_checks_like_self_registration() {
    let (st, eff) = run(State::Staff(None), Event::Menu(MenuItem::StaffNewClient));
    assert_eq!(templates(&eff), ["staff_new_client_name"]);
    let (st, eff) = run(st, text("Мария"));
    assert_eq!(templates(&eff), ["invalid"]);
    let (st, _) = run(st, text("Иванова Мария"));
    let (st, eff) = run(st, text("123"));
    assert_eq!(templates(&eff), ["invalid"]);
    let (st, _) = run(st, text("89123456789"));
    let (st, eff) = run(st, text("31.02.1990"));
    assert_eq!(templates(&eff), ["invalid"]);
    let (st, _) = run(st, text("05.03.1990"));
    let (st, eff) = run(st, text("Томск"));
    assert_eq!(st, State::Staff(None));
    let Effect::StaffRegister(c) = &eff[0] else { panic!("{eff:?}") };
    assert_eq!(c.phone.as_ref().unwrap().as_str(), "+79123456789");
    assert!(!c.personal_data_consent, "consent is the client's own");
}

#[test]
fn menu_and_outcomes_work_from_any_pending_action() {
    let pending = State::Staff(Some(Awaiting::Tag(5)));
    let (st, eff) = run(pending.clone(), Event::Menu(MenuItem::StaffClients));
    assert_eq!((st, eff), (State::Staff(None), vec![Effect::StaffClients { query: None }]));
    let (st, eff) = run(pending.clone(), Event::Menu(MenuItem::StaffRequests));
    assert_eq!((st, eff), (State::Staff(None), vec![Effect::StaffBookings { requests_only: true }]));
    let (st, eff) = run(pending.clone(), Event::Command(Command::Cancel));
    assert_eq!((st, templates(&eff)), (State::Staff(None), vec!["cancelled"]));
    let (st, eff) = run(pending, Event::Outcome(Outcome::Refused("Нет доступа".into())));
    assert_eq!((st, templates(&eff)), (State::Staff(None), vec!["staff_refused"]));
}
