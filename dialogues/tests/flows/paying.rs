//! Paying a booking: «Оплатить» asks crm for the choices; the amount by a button or typed (a
//! wrong one answered with its reason and asked again, within the balance); the way to pay;
//! every kind of wrong input in every step changes nothing.

use chrono::NaiveDate;
use dialogues::client::pay::{Pay, PayVia};
use dialogues::event::Outcome;
use dialogues::views::{InstalmentView, PayChoicesView};
use dialogues::{Callback, Effect, Event, State, Who, step};
use domain::{Currency, Money, PayableRange};

fn run(state: State, event: Event) -> (State, Vec<Effect>) {
    let who = Who::Client { id: 7, first_name: "Мария".into(), marketing: false };
    step(state, &who, event, NaiveDate::from_ymd_opt(2026, 11, 25).unwrap())
}

/// Booking 17: 85 000 ₽ due, 15 000 ₽ of it next, with these ways (also the agent's tests').
pub(crate) fn choices(methods: Vec<PayVia>) -> PayChoicesView {
    PayChoicesView {
        booking: 17,
        tour: "Алтай".into(),
        due: "85 000 ₽".into(),
        next: Some(InstalmentView { amount: "15 000 ₽".into(), due_on: "28.11.2026".into(), paid: false }),
        next_minor: Some(1_500_000),
        range: PayableRange::for_due(Money::new(8_500_000, Currency::RUB)),
        methods,
    }
}

fn paying(amount: Option<i64>) -> State {
    State::Pay(Pay { choices: choices(vec![PayVia::BankQr]), amount, question: Vec::new() })
}

fn reply(effects: &[Effect]) -> (&str, Option<String>) {
    match effects {
        [Effect::Reply(r)] => (r.template.as_str(), r.vars.get("reason").and_then(|v| v.as_str()).map(str::to_owned)),
        other => panic!("one reply expected: {other:?}"),
    }
}

fn offer(minor: i64) -> Vec<Effect> {
    vec![Effect::PayOffer { booking: 17, amount_minor: minor, via: PayVia::BankQr }]
}

#[test]
fn pay_asks_crm_from_any_state_and_shows_the_amounts() {
    for s in [State::Idle, State::AgentChat, paying(Some(100))] {
        let (st, eff) = run(s, Event::Callback(Callback::PayBooking(17)));
        assert_eq!((st, eff), (State::Idle, vec![Effect::PaymentChoices(17)]));
    }
    let (st, eff) = run(State::Idle, Event::Outcome(Outcome::PayChoices(choices(vec![PayVia::BankQr]))));
    assert_eq!(st, paying(None));
    let Effect::Reply(r) = &eff[0] else { panic!("{eff:?}") };
    assert_eq!(r.template, "pay_amount");
    let dialogues::Keyboard::Inline(rows) = &r.keyboard else { panic!("{r:?}") };
    let callbacks: Vec<Callback> = rows.iter().flatten().map(|b| b.callback).collect();
    assert_eq!(callbacks, [Callback::PayNext, Callback::PayRest, Callback::PayOther]);

    // No way to pay is on: the client is told, nothing is waited for.
    let (st, eff) = run(State::Idle, Event::Outcome(Outcome::PayChoices(choices(vec![]))));
    assert_eq!((st, reply(&eff).0), (State::Idle, "pay_no_methods"));
    let (st, eff) = run(paying(None), Event::Outcome(Outcome::PayRefused { reason: "Договор не подписан".into() }));
    assert_eq!((st, reply(&eff).0), (State::Idle, "pay_refused"));
}

#[test]
fn a_button_picks_the_amount_and_the_only_way_goes_straight_on() {
    assert_eq!(run(paying(None), Event::Callback(Callback::PayNext)).1, offer(1_500_000));
    assert_eq!(run(paying(None), Event::Callback(Callback::PayRest)).1, offer(8_500_000));
    let (st, eff) = run(paying(None), Event::Callback(Callback::PayOther));
    assert_eq!((st, reply(&eff).0), (paying(None), "pay_ask_amount"));
    // The offer sent: done.
    assert_eq!(run(paying(Some(100)), Event::Outcome(Outcome::PayOffered)), (State::Idle, vec![]));
}

#[test]
fn a_typed_amount_is_checked_and_a_wrong_one_asked_again() {
    let cases = [
        ("пять тысяч", "Сумма должна быть числом"),
        ("-5", "не может быть отрицательной"),
        ("0", "больше нуля"),
        ("0,5", "слишком мала"),
        ("85000,01", "больше остатка"),
        ("1000000", "больше остатка"),
    ];
    for (typed, why) in cases {
        let (st, eff) = run(paying(None), Event::Text(typed.into()));
        let (template, reason) = reply(&eff);
        assert_eq!((st, template), (paying(None), "pay_amount_invalid"), "{typed}");
        assert!(reason.as_deref().unwrap_or_default().contains(why), "{typed}: {reason:?}");
    }
    let (st, eff) = run(paying(None), Event::Unsupported);
    assert_eq!((st, reply(&eff).0), (paying(None), "pay_ask_amount"));
    assert_eq!(run(paying(None), Event::Text("20 000,50".into())).1, offer(2_000_050));
    assert_eq!(run(paying(None), Event::Text("85000".into())).1, offer(8_500_000));
}

#[test]
fn with_several_ways_the_client_picks_one_and_only_an_offered_one() {
    let two =
        State::Pay(Pay { choices: choices(vec![PayVia::Card, PayVia::BankQr]), amount: None, question: Vec::new() });
    let (st, eff) = run(two, Event::Text("20000".into()));
    assert_eq!(reply(&eff).0, "pay_method");
    let State::Pay(p) = &st else { panic!("{st:?}") };
    assert_eq!(p.amount, Some(2_000_000));
    assert_eq!(run(st.clone(), Event::Callback(Callback::PayVia(PayVia::BankQr))).1, offer(2_000_000));
    let card = vec![Effect::PayOffer { booking: 17, amount_minor: 2_000_000, via: PayVia::Card }];
    assert_eq!(run(st.clone(), Event::Callback(Callback::PayVia(PayVia::Card))).1, card);
    // A way pressed that this payment does not offer (an older message's) is not taken.
    let (_, eff) = run(st.clone(), Event::Callback(Callback::PayVia(PayVia::Telegram)));
    assert!(!eff.iter().any(|e| matches!(e, Effect::PayOffer { .. })), "{eff:?}");
    // Typing instead of pressing shows the ways again.
    assert_eq!(reply(&run(st, Event::Text("картой".into())).1).0, "pay_method");
    // A way the agency does not offer is not taken.
    let none = State::Pay(Pay { choices: choices(vec![]), amount: Some(100), question: Vec::new() });
    let (_, eff) = run(none, Event::Callback(Callback::PayVia(PayVia::BankQr)));
    assert!(!eff.iter().any(|e| matches!(e, Effect::PayOffer { .. })), "{eff:?}");
}

#[test]
fn an_amount_button_outside_a_payment_is_expired() {
    for cb in [Callback::PayNext, Callback::PayRest, Callback::PayOther, Callback::PayVia(PayVia::BankQr)] {
        let (st, eff) = run(State::Idle, Event::Callback(cb));
        assert_eq!((st, reply(&eff).0), (State::Idle, "button_expired"), "{cb:?}");
    }
}

#[test]
fn a_question_typed_while_paying_is_offered_to_the_agent_and_the_payment_goes_on() {
    let q = "а можно оплатить частями?";
    let (st, eff) = run(paying(None), Event::Text(q.into()));
    let with_q = State::Pay(Pay { question: vec![q.into()], ..pay_of(&paying(None)) });
    assert_eq!((&st, reply(&eff).0), (&with_q, "book_question_offer"));
    let Effect::Reply(r) = &eff[0] else { panic!() };
    assert_eq!(r.vars["at_pay"], true);
    let dialogues::Keyboard::Inline(rows) = &r.keyboard else { panic!("{r:?}") };
    let callbacks: Vec<Callback> = rows.iter().flatten().map(|b| b.callback).collect();
    assert_eq!(callbacks, [Callback::RelayQuestion, Callback::PayNext, Callback::PayRest, Callback::PayOther]);
    // Passed on about this booking; the amounts stay under «Передал…».
    let (st, eff) = run(st, Event::Text("да, передайте".into()));
    assert_eq!(
        (&st, &eff[..]),
        (
            &paying(None),
            &[Effect::AskAboutPayment {
                booking: 17, tour: "Алтай".into(), due: "85 000 ₽".into(), text: q.into()
            }][..]
        )
    );
    let relayed = Outcome::Relayed { agent: "Анна".into(), newly_assigned: false, in_chat: true };
    let (st, eff) = run(st, Event::Outcome(relayed));
    assert_eq!((&st, reply(&eff).0), (&paying(None), "agent_relayed"));
    assert_eq!(run(st, Event::Callback(Callback::PayRest)).1, offer(8_500_000));
    // Kept back with «нет»: nothing goes, the amount is still asked.
    let (st, _) = run(paying(None), Event::Text(q.into()));
    let (st, eff) = run(st, Event::Text("нет".into()));
    assert_eq!((&st, reply(&eff).0), (&paying(None), "book_question_not_sent"));
    // An amount is still an amount, asked or not («15000?» is no question), a wrong one refused.
    assert_eq!(run(paying(None), Event::Text("15000?".into())).1, offer(1_500_000));
    assert_eq!(reply(&run(paying(None), Event::Text("1000000?".into())).1).0, "pay_amount_invalid");
    // At the ways to pay, too; the ways stay under the offer.
    let two = State::Pay(Pay {
        choices: choices(vec![PayVia::Card, PayVia::BankQr]),
        amount: Some(100),
        question: Vec::new(),
    });
    let (st, eff) = run(two, Event::Text("а комиссия за карту есть?".into()));
    assert_eq!(reply(&eff).0, "book_question_offer");
    let Effect::Reply(r) = &eff[0] else { panic!() };
    let dialogues::Keyboard::Inline(rows) = &r.keyboard else { panic!("{r:?}") };
    let callbacks: Vec<Callback> = rows.iter().flatten().map(|b| b.callback).collect();
    assert_eq!(callbacks, [Callback::RelayQuestion, Callback::PayVia(PayVia::Card), Callback::PayVia(PayVia::BankQr)]);
    // A way pressed with the question still waiting: the payment goes, and the question after it.
    let card = Effect::PayOffer { booking: 17, amount_minor: 100, via: PayVia::Card };
    let (_, eff) = run(st, Event::Callback(Callback::PayVia(PayVia::Card)));
    assert!(matches!(&eff[..], [e, Effect::AskAboutPayment { .. }] if *e == card), "{eff:?}");
}

fn pay_of(state: &State) -> Pay {
    let State::Pay(p) = state else { panic!("{state:?}") };
    p.clone()
}

#[test]
fn a_question_still_waiting_when_the_payment_goes_out_goes_to_the_agent_after_it() {
    let q = "а если я заплачу меньше первого платежа, бронь не снимут?";
    let (st, _) = run(paying(None), Event::Text(q.into()));
    let (st, eff) = run(st, Event::Text("30000".into()));
    let ask =
        Effect::AskAboutPayment { booking: 17, tour: "Алтай".into(), due: "85 000 ₽".into(), text: q.into() };
    assert_eq!(eff, [offer(3_000_000), vec![ask]].concat());
    // The payment went out (the chat is back at the menu), then the question reached the agent.
    let (st, _) = run(st, Event::Outcome(Outcome::PayOffered));
    let relayed = Outcome::Relayed { agent: "Анна".into(), newly_assigned: false, in_chat: true };
    let (st, eff) = run(st, Event::Outcome(relayed));
    assert_eq!((st, reply(&eff).0), (State::Idle, "agent_relayed"));
}
