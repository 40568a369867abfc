//! The agent's «Ссылка на оплату» on a booking card: the choices asked of crm, then the client's
//! own amount and way steps in the staff state (worded for sending), then the payment sent and
//! confirmed; every kind of wrong input keeps the step; nothing without a way that is on.

use crate::paying::choices;
use chrono::NaiveDate;
use dialogues::client::pay::{Pay, PayVia};
use dialogues::event::Outcome;
use dialogues::staff::Awaiting;
use dialogues::{Callback, Effect, Event, State, Who, step};
use domain::Role;

fn run(state: State, event: Event) -> (State, Vec<Effect>) {
    let who = Who::Staff { id: 3, role: Role::Agent, name: "Смирнова Анна".into() };
    step(state, &who, event, NaiveDate::from_ymd_opt(2026, 11, 25).unwrap())
}

const WAYS: [PayVia; 3] = [PayVia::Card, PayVia::Sbp, PayVia::BankQr];

fn sending(amount: Option<i64>) -> State {
    State::Staff(Some(Awaiting::SendPay(Pay { choices: choices(WAYS.to_vec()), amount, question: Vec::new() })))
}

/// The one reply's template, whether it is worded for sending, and its reason.
fn reply(effects: &[Effect]) -> (&str, bool, Option<String>) {
    match effects {
        [Effect::Reply(r)] => (
            r.template.as_str(),
            r.vars.get("to_client").is_some(),
            r.vars.get("reason").and_then(|v| v.as_str()).map(str::to_owned),
        ),
        other => panic!("one reply expected: {other:?}"),
    }
}

fn offer(minor: i64, via: PayVia) -> Vec<Effect> {
    vec![Effect::PayOffer { booking: 17, amount_minor: minor, via }]
}

#[test]
fn the_button_asks_crm_and_the_amount_is_asked_for_sending() {
    let (st, eff) = run(State::Staff(None), Event::Callback(Callback::SendPayment(17)));
    assert_eq!((st, eff), (State::Staff(None), vec![Effect::PaymentChoices(17)]));
    let (st, eff) = run(State::Staff(None), Event::Outcome(Outcome::PayChoices(choices(WAYS.to_vec()))));
    assert_eq!(st, sending(None));
    assert_eq!(reply(&eff), ("pay_amount", true, None));
    let Effect::Reply(r) = &eff[0] else { unreachable!() };
    let dialogues::Keyboard::Inline(rows) = &r.keyboard else { panic!("{r:?}") };
    let callbacks: Vec<Callback> = rows.iter().flatten().map(|b| b.callback).collect();
    assert_eq!(callbacks, [Callback::PayNext, Callback::PayRest, Callback::PayOther]);
    // No way is on: the agent is told, nothing is waited for.
    let (st, eff) = run(State::Staff(None), Event::Outcome(Outcome::PayChoices(choices(vec![]))));
    assert_eq!((st, reply(&eff).0), (State::Staff(None), "staff_pay_no_ways"));
    // crm refused (the client is not in Telegram, nothing is due…): the reason, back to the menu.
    let refused = Outcome::PayRefused { reason: "Клиент не пользуется ботом".into() };
    let (st, eff) = run(sending(None), Event::Outcome(refused));
    assert_eq!((st, reply(&eff).0), (State::Staff(None), "staff_refused"));
}

#[test]
fn the_amount_then_the_way_sends_it_and_the_agent_hears_it_went() {
    let (st, eff) = run(sending(None), Event::Callback(Callback::PayRest));
    assert_eq!(reply(&eff), ("pay_method", true, None));
    assert_eq!(st, sending(Some(8_500_000)));
    let Effect::Reply(r) = &eff[0] else { unreachable!() };
    let dialogues::Keyboard::Inline(rows) = &r.keyboard else { panic!("{r:?}") };
    let ways: Vec<Callback> = rows.iter().flatten().map(|b| b.callback).collect();
    assert_eq!(ways, WAYS.map(Callback::PayVia));
    for via in WAYS {
        let (st, eff) = run(sending(Some(8_500_000)), Event::Callback(Callback::PayVia(via)));
        assert_eq!((st, eff), (sending(Some(8_500_000)), offer(8_500_000, via)), "{via:?}");
    }
    assert_eq!(run(sending(None), Event::Callback(Callback::PayNext)).0, sending(Some(1_500_000)));
    assert_eq!(run(sending(None), Event::Text("20 000,50".into())).0, sending(Some(2_000_050)));
    let done =
        Outcome::Done { message: "Отправлено клиенту".into(), back: Some(Callback::Booking(17)) };
    let (st, eff) = run(sending(Some(100)), Event::Outcome(done));
    assert_eq!((st, reply(&eff).0), (State::Staff(None), "staff_done"));
}

#[test]
fn wrong_input_in_every_step_keeps_it() {
    for (typed, why) in [("пять", "числом"), ("0,5", "слишком мала"), ("85000,01", "больше остатка")]
    {
        let (st, eff) = run(sending(None), Event::Text(typed.into()));
        let (template, _, reason) = reply(&eff);
        assert_eq!((st, template), (sending(None), "pay_amount_invalid"), "{typed}");
        assert!(reason.unwrap_or_default().contains(why), "{typed}");
    }
    // A photo or a contact where an amount is asked: asked again.
    assert_eq!(reply(&run(sending(None), Event::Unsupported).1).0, "pay_ask_amount");
    // Typing where a way is asked shows the ways again.
    assert_eq!(reply(&run(sending(Some(100)), Event::Text("картой".into())).1).0, "pay_method");
    // A way this payment does not offer (Telegram's invoice has its own button) is not taken.
    let (st, eff) = run(sending(Some(100)), Event::Callback(Callback::PayVia(PayVia::Telegram)));
    assert_eq!(st, sending(Some(100)));
    assert!(!eff.iter().any(|e| matches!(e, Effect::PayOffer { .. })), "{eff:?}");
    // Another button of the card leaves the payment for what it asks.
    let (st, eff) = run(sending(Some(100)), Event::Callback(Callback::Booking(17)));
    assert_eq!((st, eff), (State::Staff(None), vec![Effect::StaffBookingCard(17)]));
    // /cancel leaves it.
    let (st, _) = run(sending(Some(100)), Event::Command(dialogues::Command::Cancel));
    assert_eq!(st, State::Staff(None));
}
