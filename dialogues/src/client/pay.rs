//! Paying a booking from the chat: the amount, then the way to pay; the transport then sends
//! the payment itself (a QR code and what to transfer). The amounts and their bounds come
//! from `crm` (`Crm::payment_choices`); a typed amount is checked here at once with the same
//! `PayableRange` crm checks again, so a wrong one is answered and asked again.
//!
//! ```text
//! client: [💳 Оплатить №17]
//! bot:    Бронь №17 «Алтай». Осталось оплатить 85 000 ₽. Сколько оплатите сейчас?
//!         [15 000 ₽ до 28.11.2026] [Весь остаток 85 000 ₽] [Другая сумма]
//! client: [Другая сумма]
//! bot:    Напишите сумму от 1 ₽ до 85 000 ₽, например 15000 или 15000,50.
//! client: 90000
//! bot:    Сумма больше остатка к оплате: не больше 85 000 ₽. Напишите сумму от 1 ₽ до 85 000 ₽…
//! client: 20000
//! bot:    К оплате 20 000 ₽. Как удобнее оплатить?
//!         [💳 Банковской картой] [⚡ СБП] [Оплатить в Telegram] [Банковский перевод (QR)]
//! client: [Банковский перевод (QR)]
//! bot:    (a QR code) Перевод 20 000 ₽ по брони №17 … Назначение: Оплата по брони №17, …
//! ```
//!
//! An agent sends the same to the client from the booking card with the same steps ([`advance`],
//! wrapped in the staff dialogue's state); only the ways differ, as the transport lists them.

use super::catalog::{self, Asking, OfferAnswer};
use crate::State;
use crate::callback::Callback;
use crate::effect::{Button, Effect, Keyboard, Reply};
use crate::event::{Event, Outcome};
use crate::label::Label;
use crate::views::PayChoicesView;
use domain::Money;
use serde::{Deserialize, Serialize};

/// A way to pay that the transport can offer. A button carries its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PayVia {
    /// A bank card on the payment provider's page (which also offers its other ways).
    Card,
    /// The Faster Payments System: the provider's link opens the client's bank app.
    Sbp,
    /// A Telegram Payments invoice in the chat.
    Telegram,
    /// A bank transfer by the GOST QR code to the agency's account.
    BankQr,
}

impl PayVia {
    pub const ALL: [PayVia; 4] = [PayVia::Card, PayVia::Sbp, PayVia::Telegram, PayVia::BankQr];

    pub fn code(self) -> &'static str {
        match self {
            PayVia::Card => "card",
            PayVia::Sbp => "sbp",
            PayVia::Telegram => "tg",
            PayVia::BankQr => "bank",
        }
    }

    pub fn from_code(code: &str) -> Option<PayVia> {
        Self::ALL.into_iter().find(|v| v.code() == code)
    }

    fn label(self) -> Label {
        Label::new(match self {
            PayVia::Card => "pay_via_card",
            PayVia::Sbp => "pay_via_sbp",
            PayVia::Telegram => "pay_via_telegram",
            PayVia::BankQr => "pay_via_bank",
        })
    }
}

/// A payment being chosen for one booking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pay {
    pub choices: PayChoicesView,
    /// The amount once chosen (minor units); `None` while it is being chosen.
    pub amount: Option<i64>,
    /// A question the client typed meanwhile, offered to the agent and kept until passed on
    /// or declined (the client's only; an agent choosing for a client asks nobody).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub question: Vec<String>,
}

/// «Оплатить» on a booking: its choices are asked from crm.
pub fn start(booking: i64) -> Effect {
    Effect::PaymentChoices(booking)
}

/// Where choosing a payment goes next, whoever chooses it: the client for themself
/// ([`State::Pay`]) or their agent for them (`staff::Awaiting::SendPay`). Each wraps it in its
/// own state; the steps are the same.
#[derive(Debug, Clone, PartialEq)]
pub enum Next {
    /// Still choosing: this is asked.
    Ask(Pay, Reply),
    /// Chosen: [`Effect::PayOffer`] is run (the payment is sent), the choice kept meanwhile.
    Offer(Pay, Effect),
}

impl Next {
    /// The state and effects, with `wrap` making the chooser's state of a payment being chosen.
    pub fn into_step(self, wrap: impl FnOnce(Pay) -> State) -> (State, Vec<Effect>) {
        match self {
            Next::Ask(pay, reply) => (wrap(pay), vec![Effect::Reply(reply)]),
            Next::Offer(pay, effect) => (wrap(pay), vec![effect]),
        }
    }
}

/// The choices have come: the amount is asked; `None` when no way to pay is on.
pub fn begin(choices: &PayChoicesView) -> Option<Next> {
    if choices.methods.is_empty() {
        return None;
    }
    let pay = Pay { choices: choices.clone(), amount: None, question: Vec::new() };
    let reply = ask_amount(&pay.choices);
    Some(Next::Ask(pay, reply))
}

/// The answers to [`Effect::PaymentChoices`] and [`Effect::PayOffer`], in any state.
pub fn outcome(event: &Event) -> Option<(State, Vec<Effect>)> {
    match event {
        Event::Outcome(Outcome::PayChoices(choices)) => Some(match begin(choices) {
            Some(next) => next.into_step(State::Pay),
            None => (State::Idle, vec![Effect::Reply(Reply::text("pay_no_methods").var("booking", choices.booking))]),
        }),
        Event::Outcome(Outcome::PayRefused { reason }) => Some((
            State::Idle,
            vec![Effect::Reply(
                Reply::text("pay_refused").var("reason", reason.as_str()).keyboard(super::client_menu()),
            )],
        )),
        // The transport has sent the payment message itself (a photo with its caption).
        Event::Outcome(Outcome::PayOffered) => Some((State::Idle, vec![])),
        _ => None,
    }
}

fn ask_amount(c: &PayChoicesView) -> Reply {
    Reply::text("pay_amount")
        .var("booking", c.booking)
        .var("tour", c.tour.as_str())
        .var("due", c.due.as_str())
        .keyboard(Keyboard::Inline(amount_rows(c)))
}

fn amount_rows(c: &PayChoicesView) -> Vec<Vec<Button>> {
    let mut rows = Vec::new();
    if let Some(next) = &c.next {
        rows.push(vec![Button::new(
            Label::new("pay_next").var("amount", next.amount.as_str()).var("due_on", next.due_on.as_str()),
            Callback::PayNext,
        )]);
    }
    rows.push(vec![Button::new(Label::new("pay_rest").var("amount", c.due.as_str()), Callback::PayRest)]);
    rows.push(vec![Button::new(Label::new("pay_other"), Callback::PayOther)]);
    rows
}

fn method_rows(methods: &[PayVia]) -> Vec<Vec<Button>> {
    methods.iter().map(|v| vec![Button::new(v.label(), Callback::PayVia(*v))]).collect()
}

/// The buttons of the step a payment stands at: the amounts, or the ways to pay once chosen.
fn step_rows(pay: &Pay) -> Vec<Vec<Button>> {
    match pay.amount {
        None => amount_rows(&pay.choices),
        Some(_) => method_rows(&pay.choices.methods),
    }
}

fn ask_typed(c: &PayChoicesView) -> Reply {
    Reply::text("pay_ask_amount").var("min", c.range.min.to_string()).var("max", c.range.max.to_string())
}

/// The amount is chosen: the ways to pay, or straight to the only one.
fn chosen(pay: Pay, minor: i64) -> Next {
    let booking = pay.choices.booking;
    let methods = pay.choices.methods.clone();
    let pay = Pay { amount: Some(minor), ..pay };
    if let [only] = methods.as_slice() {
        return Next::Offer(pay, Effect::PayOffer { booking, amount_minor: minor, via: *only });
    }
    let amount = Money::new(minor, pay.choices.range.max.currency).to_string();
    let reply = Reply::text("pay_method").var("amount", amount).keyboard(Keyboard::Inline(method_rows(&methods)));
    Next::Ask(pay, reply)
}

/// Steps the client's payment being chosen. `None` means "not mine".
///
/// A question typed meanwhile («а можно частями?») is for the agent, as while booking: offered
/// with the step's buttons below, kept in the state, passed on about this booking, and the
/// payment goes on from where it was (it used to get the amount's refusal).
pub fn step(mut pay: Pay, event: Event) -> Option<(State, Vec<Effect>)> {
    let kept = |pay: Pay, reply: Reply| Some((State::Pay(pay), vec![Effect::Reply(reply)]));
    if let Some(reply) = catalog::question_passed(&event, Keyboard::Inline(step_rows(&pay))) {
        return kept(pay, reply);
    }
    let rows = step_rows(&pay);
    match catalog::offer_answer(&mut pay.question, &event, Asking::Pay, || Keyboard::Inline(rows)) {
        Some(OfferAnswer::Pass(text)) => {
            let ask = about_payment(&pay.choices, text);
            return Some((State::Pay(pay), vec![ask]));
        }
        Some(OfferAnswer::Reply(reply)) => return kept(pay, reply),
        None => {}
    }
    if let Event::Text(t) = &event
        && asks(&pay, t)
    {
        let rows = step_rows(&pay);
        let reply = catalog::offer_question(&mut pay.question, t.clone(), Asking::Pay, rows);
        return kept(pay, reply);
    }
    Some(match advance(pay, event)? {
        // A question still waiting when the payment goes out goes to the agent after it (it was
        // dropped with the payment's state): the client is told so below the payment.
        Next::Offer(mut pay, offer) if !pay.question.is_empty() => {
            let ask = about_payment(&pay.choices, std::mem::take(&mut pay.question).join("\n"));
            (State::Pay(pay), vec![offer, ask])
        }
        next => next.into_step(State::Pay),
    })
}

/// The client's question passed on about the booking being paid.
fn about_payment(c: &PayChoicesView, text: String) -> Effect {
    Effect::AskAboutPayment { booking: c.booking, tour: c.tour.clone(), due: c.due.clone(), text }
}

/// A text at a payment's step that is a question rather than an amount: «а можно частями?»;
/// an amount the range refuses («500000») is answered as an amount.
fn asks(pay: &Pay, text: &str) -> bool {
    let question = catalog::is_question(text);
    match pay.amount {
        None => question && text.chars().any(char::is_alphabetic) && pay.choices.range.parse(text).is_err(),
        Some(_) => question,
    }
}

/// One step of choosing a payment, whoever chooses. `None` means "not mine".
pub fn advance(pay: Pay, event: Event) -> Option<Next> {
    let c = &pay.choices;
    Some(match (pay.amount, event) {
        (_, Event::Callback(Callback::PayNext)) => match c.next_minor {
            Some(minor) => chosen(pay, minor),
            None => {
                let reply = ask_amount(c);
                Next::Ask(pay, reply)
            }
        },
        (_, Event::Callback(Callback::PayRest)) => {
            let due = c.range.max.minor;
            chosen(pay, due)
        }
        (_, Event::Callback(Callback::PayOther)) => {
            let reply = ask_typed(c);
            Next::Ask(Pay { amount: None, ..pay }, reply)
        }
        (None, Event::Text(t)) => match c.range.parse(&t) {
            Ok(amount) => chosen(pay, amount.minor),
            Err(refusal) => {
                let reply = Reply::text("pay_amount_invalid")
                    .var("reason", refusal.message_ru())
                    .var("min", c.range.min.to_string())
                    .var("max", c.range.max.to_string());
                Next::Ask(pay, reply)
            }
        },
        (None, Event::Unsupported | Event::Contact { .. }) => {
            let reply = ask_typed(c);
            Next::Ask(pay, reply)
        }
        (Some(minor), Event::Callback(Callback::PayVia(via))) if c.methods.contains(&via) => {
            let booking = c.booking;
            Next::Offer(pay, Effect::PayOffer { booking, amount_minor: minor, via })
        }
        (Some(minor), Event::Text(_) | Event::Unsupported | Event::Contact { .. }) => chosen(pay, minor),
        _ => return None,
    })
}
