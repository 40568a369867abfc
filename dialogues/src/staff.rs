//! The staff side of the bot: an agent's (or admin's) working menu. Everything is a request
//! to the transport, which runs it through `crm` with the staff member as the actor — so a
//! crafted button naming another agent's client reaches nothing but a refusal.
//!
//! ```text
//! agent: 👥 Мои клиенты
//! bot:   [Иванова Мария · +79123456789] … [🔎 Поиск]
//! agent: [Иванова Мария]
//! bot:   <card> [✉️ Написать] [📞 Звонок] [📝 Заметка] [🏷 Тег] [№17 Алтай…]
//! agent: [№17 Алтай…]
//! bot:   <booking> [→ договор подписан] [💳 Оплата]
//! agent: [→ договор подписан]
//! bot:   Причина / комментарий?
//! agent: подписан в офисе
//! bot:   Статус брони №17: договор подписан.
//! agent: [🔗 Ссылка на оплату]
//! bot:   Бронь №17 «Алтай». Осталось оплатить 85 000 ₽. Сколько оплатите сейчас?
//!        [15 000 ₽ до 28.11.2026] [Весь остаток 85 000 ₽] [Другая сумма]
//! agent: [Весь остаток 85 000 ₽]
//! bot:   К оплате 85 000 ₽. Как удобнее оплатить? [💳 Банковской картой] [⚡ СБП] [Банковский перевод (QR)]
//! agent: [⚡ СБП]
//! bot:   Отправлено клиенту: ссылка на оплату через СБП, 85 000 ₽ по брони №17.
//! ```

use crate::callback::Callback;
use crate::client::pay::{self, Pay};
use crate::client::registration::Collected;
use crate::effect::{Button, Effect, Keyboard, Reply};
use crate::event::{Command, Event, MAX_TEXT, Outcome, PhoneCheck};
use crate::label::{Label, MenuItem};
use crate::views::{BookingItem, ClientCardView, StaffBookingView};
use crate::{StartPayload, State};
use chrono::NaiveDate;
use domain::{
    BirthDate, BookingStatus, City, Currency, InteractionKind, Money, PaymentMethod, PersonName, Phone, Role,
};
use serde::{Deserialize, Serialize};

/// Kinds of interaction an agent logs from the bot, in button order; a kind's button is
/// labelled `note_{code}`. Only these come back from a button.
pub const NOTE_KINDS: [InteractionKind; 4] =
    [InteractionKind::Call, InteractionKind::Email, InteractionKind::Complaint, InteractionKind::Note];

/// How a payment recorded from the bot was made, in button order; a method's button is labelled
/// `pay_{code}`. Only these come back from a button (online payments come from the provider).
pub const PAY_METHODS: [PaymentMethod; 2] = [PaymentMethod::Cash, PaymentMethod::BankTransfer];

/// A field of the client's card an agent corrects from the bot, kept in states and buttons by
/// its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientField {
    FullName,
    Phone,
    BirthDate,
    City,
}

impl ClientField {
    pub const ALL: [ClientField; 4] =
        [ClientField::FullName, ClientField::Phone, ClientField::BirthDate, ClientField::City];

    pub fn code(self) -> &'static str {
        match self {
            ClientField::FullName => "full_name",
            ClientField::Phone => "phone",
            ClientField::BirthDate => "birth_date",
            ClientField::City => "city",
        }
    }

    pub fn from_code(code: &str) -> Option<ClientField> {
        ClientField::ALL.into_iter().find(|f| f.code() == code)
    }

    /// The value typed for this field, checked as registration checks it and written the way
    /// the card stores it; the reason when it is wrong.
    pub fn parse(self, text: &str, today: NaiveDate) -> Result<String, domain::Invalid> {
        Ok(match self {
            ClientField::FullName => PersonName::parse(text)?.surname_first().as_str().to_owned(),
            ClientField::Phone => Phone::parse(text)?.as_str().to_owned(),
            ClientField::BirthDate => BirthDate::parse(text, today)?.date().format("%d.%m.%Y").to_string(),
            ClientField::City => City::parse(text)?.name().to_owned(),
        })
    }
}

/// What the next text of a staff member means. Stored with the chat's state, so a domain value
/// is kept as its stable code (serde writes `"contract_signed"`), never as a position in a list;
/// a state of the version before codes does not parse and restarts the dialogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Awaiting {
    SearchQuery,
    MessageTo(i64),
    Note {
        client: i64,
        kind: InteractionKind,
    },
    Tag(i64),
    MoveReason {
        booking: i64,
        to: BookingStatus,
    },
    PaymentMethod(i64),
    PaymentAmount {
        booking: i64,
        method: PaymentMethod,
    },
    BlacklistReason {
        client: i64,
        on: bool,
    },
    NewClient(Collected),
    /// A companion for this booking: the name as in the passport, then (`TravellerBirth`,
    /// the name checked) the birth date.
    TravellerName(i64),
    TravellerBirth {
        booking: i64,
        full_name: String,
    },
    /// The client's address for the contract and the consent.
    Address(i64),
    /// A corrected field of the client's card.
    ClientField {
        client: i64,
        field: ClientField,
    },
    /// A traveller's identity document, field by field (`documents`).
    Document(crate::documents::DocEntry),
    /// A client's refund details, field by field (`refund`).
    Refund(crate::refund::RefundEntry),
    /// The amount of a Telegram invoice for this booking.
    InvoiceAmount(i64),
    /// A payment to send the client: its amount, then its way (the client's own steps).
    SendPay(crate::client::pay::Pay),
}

pub fn menu() -> Keyboard {
    MenuItem::keyboard(&MenuItem::STAFF)
}

fn reply(state: State, r: Reply) -> (State, Vec<Effect>) {
    (state, vec![Effect::Reply(r)])
}

fn wait(a: Awaiting, template: &str) -> (State, Vec<Effect>) {
    reply(State::Staff(Some(a)), Reply::text(template))
}

fn idle(e: Effect) -> (State, Vec<Effect>) {
    (State::Staff(None), vec![e])
}

fn btn(key: &str, callback: Callback) -> Button {
    Button::new(Label::new(key), callback)
}

/// A booking's button in lists (with the client's name) and on the client card (without).
fn booking_button(b: &BookingItem, with_client: bool) -> Button {
    let label = Label::new("booking")
        .var("id", b.id)
        .var("tour", b.tour.as_str())
        .var("status", b.status.as_str())
        .var("client", if with_client { b.client.as_str() } else { "" });
    Button::new(label, Callback::Booking(b.id))
}

pub fn card_reply(c: &ClientCardView, is_admin: bool) -> Reply {
    // Writing needs the client in the bot: without Telegram the button is not offered (the
    // card says so and gives the phone), rather than asking for a text that cannot be sent.
    let mut first = vec![btn("tag", Callback::Tag(c.id))];
    if c.telegram {
        first.insert(0, btn("write_client", Callback::ReplyTo(c.id)));
    }
    let mut rows = vec![first];
    rows.push(NOTE_KINDS.map(|k| btn(&format!("note_{}", k.as_str()), Callback::Note(c.id, k))).to_vec());
    rows.push(vec![btn("refund", Callback::Refund(c.id)), btn("address", Callback::Address(c.id))]);
    rows.push(vec![
        btn("client_documents", Callback::ClientDocuments(c.id)),
        btn("edit_client", Callback::EditClient(c.id)),
    ]);
    for b in &c.bookings {
        rows.push(vec![booking_button(b, false)]);
    }
    rows.extend(crate::client::account::document_buttons(&c.documents, false));
    if c.consent_unsigned {
        rows.push(vec![btn("issue_consents", Callback::IssueConsents(c.id))]);
    }
    if is_admin {
        rows.push(vec![if c.blacklisted.is_some() {
            btn("unblacklist", Callback::Unblacklist(c.id))
        } else {
            btn("blacklist", Callback::Blacklist(c.id))
        }]);
    }
    Reply::text("staff_client_card")
        .var("client", serde_json::to_value(c).unwrap_or_default())
        .keyboard(Keyboard::Inline(rows))
}

pub fn booking_reply(b: &StaffBookingView) -> Reply {
    let mut rows: Vec<Vec<Button>> = b
        .moves
        .iter()
        .map(|(to, title)| {
            vec![Button::new(Label::new("move").var("status", title.as_str()), Callback::Move(b.booking.id, *to))]
        })
        .collect();
    if b.accepts_payments {
        rows.push(vec![btn("pay", Callback::Pay(b.booking.id))]);
    }
    // «Ссылка на оплату» beside «Счёт в Telegram»: both send the client a way to pay.
    let send = [
        (b.accepts_payments && b.telegram_payments)
            .then(|| btn("telegram_invoice", Callback::TelegramInvoice(b.booking.id))),
        (b.accepts_payments && b.send_payment).then(|| btn("send_payment", Callback::SendPayment(b.booking.id))),
    ];
    let send: Vec<Button> = send.into_iter().flatten().collect();
    if !send.is_empty() {
        rows.push(send);
    }
    rows.push(vec![btn("travellers", Callback::Travellers(b.booking.id))]);
    if b.can_issue_contract {
        rows.push(vec![btn("issue_contract", Callback::IssueContract(b.booking.id))]);
    }
    rows.extend(crate::client::account::document_buttons(&b.booking.documents, false));
    rows.push(vec![btn("open_client", Callback::Client(b.client_id))]);
    Reply::text("staff_booking_card")
        .var("b", serde_json::to_value(b).unwrap_or_default())
        .keyboard(Keyboard::Inline(rows))
}

pub fn step(awaiting: Option<Awaiting>, role: Role, event: Event, today: NaiveDate) -> (State, Vec<Effect>) {
    let is_admin = role == Role::Admin;
    let here = State::Staff(awaiting.clone());
    // Works from anywhere: menu, commands, outcomes, buttons.
    match &event {
        Event::Command(Command::Cancel) => return reply(State::Staff(None), Reply::text("cancelled").keyboard(menu())),
        Event::Command(Command::Help)
        | Event::Start(StartPayload::None | StartPayload::Source(_))
        | Event::Command(Command::Menu) => {
            return reply(State::Staff(None), Reply::text("staff_menu").keyboard(menu()));
        }
        Event::Text(t) if t.chars().count() > MAX_TEXT => return reply(here, Reply::text("too_long")),
        Event::Menu(MenuItem::StaffClients) => return idle(Effect::StaffClients { query: None, before: None }),
        Event::Menu(MenuItem::StaffBookings) => {
            return idle(Effect::StaffBookings { requests_only: false, before: None });
        }
        Event::Menu(MenuItem::StaffRequests) => {
            return idle(Effect::StaffBookings { requests_only: true, before: None });
        }
        Event::Menu(MenuItem::StaffNewClient) => {
            return wait(Awaiting::NewClient(Collected::default()), "staff_new_client_name");
        }
        Event::Outcome(o) => return outcome(here, o, is_admin),
        Event::Callback(cb) => {
            if let Some(out) = button(*cb) {
                return out;
            }
        }
        _ => {}
    }
    let Some(a) = awaiting else {
        // A name or a phone typed at the menu is what the agent is looking for: the search,
        // without pressing «Мои клиенты» → «Поиск» first.
        return match &event {
            Event::Text(t) if t.trim().chars().count() >= 2 => {
                idle(Effect::StaffClients { query: Some(t.trim().to_owned()), before: None })
            }
            // A step's button (a summary's «Сохранить», a «Да») pressed after its step ended:
            // said to be outdated, or the agent would think it was saved.
            Event::Callback(_) => reply(State::Staff(None), Reply::text("button_expired").keyboard(menu())),
            _ => reply(State::Staff(None), Reply::text("staff_menu").keyboard(menu())),
        };
    };
    let yes_no = match &event {
        Event::Callback(Callback::Yes) => Some(true),
        Event::Callback(Callback::No) => Some(false),
        _ => None,
    };
    let typed = if let Event::Text(t) = &event { Some(t.trim()) } else { None };
    let a = match a {
        Awaiting::Document(entry) => return crate::documents::step(entry, typed, yes_no, today),
        Awaiting::Refund(entry) => return crate::refund::step(entry, typed, yes_no),
        Awaiting::SendPay(pay) => return send_pay(pay, event),
        other => other,
    };
    if let (Awaiting::PaymentMethod(booking), Event::Callback(Callback::PayMethod(method))) = (&a, &event) {
        return wait(Awaiting::PaymentAmount { booking: *booking, method: *method }, "staff_amount_ask");
    }
    let Event::Text(text) = event else {
        return reply(State::Staff(Some(a)), Reply::text("staff_text_expected"));
    };
    let text = text.trim().to_owned();
    // Only spaces answer nothing: the same question stays (a reason, a note, a name…).
    if text.is_empty() {
        return reply(State::Staff(Some(a)), Reply::text("staff_text_expected"));
    }
    match a {
        Awaiting::SearchQuery => idle(Effect::StaffClients { query: Some(text), before: None }),
        Awaiting::MessageTo(client) => idle(Effect::MessageClient { client, text }),
        Awaiting::Note { client, kind } => idle(Effect::LogNote { client, kind, text }),
        Awaiting::Tag(client) => idle(Effect::TagClient { client, tag: text }),
        // A reason says something («.» does not): checked as crm checks it, asked again here.
        Awaiting::MoveReason { booking, to } => match domain::reason(&text, 1000) {
            Ok(reason) => idle(Effect::MoveBooking { booking, to, reason }),
            Err(e) => reply(
                State::Staff(Some(Awaiting::MoveReason { booking, to })),
                Reply::text("invalid").var("reason", e.message_ru()),
            ),
        },
        // The dialogue stays on the amount until the payment is recorded: a refused amount (more
        // than is due) is answered there, and the next text is another amount.
        Awaiting::PaymentAmount { booking, method } => match Money::parse(&text, Currency::RUB) {
            Ok(m) if m.minor > 0 => (
                State::Staff(Some(Awaiting::PaymentAmount { booking, method })),
                vec![Effect::RecordPayment { booking, method, amount_minor: m.minor }],
            ),
            Ok(_) => reply(
                State::Staff(Some(Awaiting::PaymentAmount { booking, method })),
                Reply::text("staff_amount_invalid"),
            ),
            Err(e) => reply(
                State::Staff(Some(Awaiting::PaymentAmount { booking, method })),
                Reply::text("invalid").var("reason", e.message_ru()),
            ),
        },
        // Like a payment's amount: a refused one is answered there, the next text is another.
        Awaiting::InvoiceAmount(booking) => match Money::parse(&text, Currency::RUB) {
            Ok(m) if m.minor > 0 => (
                State::Staff(Some(Awaiting::InvoiceAmount(booking))),
                vec![Effect::SendTelegramInvoice { booking, amount_minor: m.minor }],
            ),
            Ok(_) => reply(State::Staff(Some(Awaiting::InvoiceAmount(booking))), Reply::text("staff_amount_invalid")),
            Err(e) => reply(
                State::Staff(Some(Awaiting::InvoiceAmount(booking))),
                Reply::text("invalid").var("reason", e.message_ru()),
            ),
        },
        Awaiting::PaymentMethod(b) => reply(
            State::Staff(Some(Awaiting::PaymentMethod(b))),
            Reply::text("staff_choose_method").keyboard(methods()),
        ),
        Awaiting::BlacklistReason { client, on } => match domain::reason(&text, 500) {
            Ok(reason) => idle(Effect::SetBlacklist { client, on, reason }),
            Err(e) => reply(
                State::Staff(Some(Awaiting::BlacklistReason { client, on })),
                Reply::text("invalid").var("reason", e.message_ru()),
            ),
        },
        Awaiting::NewClient(c) => new_client(c, &text, today),
        // Checked by crm (what it takes in the panel too): a refusal is answered here and
        // the next text is another try.
        Awaiting::Address(client) => {
            (State::Staff(Some(Awaiting::Address(client))), vec![Effect::SetAddress { client, address: text }])
        }
        // Checked here as registration checks it, then saved by crm (which may refuse a phone
        // on another card); either way the next text is another try.
        Awaiting::ClientField { client, field } => match field.parse(&text, today) {
            Ok(value) => (
                State::Staff(Some(Awaiting::ClientField { client, field })),
                vec![Effect::EditClient { client, field, value }],
            ),
            Err(e) => reply(
                State::Staff(Some(Awaiting::ClientField { client, field })),
                Reply::text("invalid").var("reason", e.message_ru()),
            ),
        },
        // Typed in a chat, a name given name first is put surname first, as at registration.
        Awaiting::TravellerName(booking) => match PersonName::parse(&text).map(PersonName::surname_first) {
            Ok(n) => wait(
                Awaiting::TravellerBirth { booking, full_name: n.as_str().to_owned() },
                "staff_traveller_birth_ask",
            ),
            Err(e) => reply(
                State::Staff(Some(Awaiting::TravellerName(booking))),
                Reply::text("invalid").var("reason", e.message_ru()),
            ),
        },
        Awaiting::TravellerBirth { booking, full_name } => match BirthDate::parse(&text, today) {
            Ok(d) => idle(Effect::AddTraveller { booking, full_name, birth_date: d.date() }),
            Err(e) => reply(
                State::Staff(Some(Awaiting::TravellerBirth { booking, full_name })),
                Reply::text("invalid").var("reason", e.message_ru()),
            ),
        },
        // Answered above, before a text is required.
        Awaiting::Document(entry) => crate::documents::step(entry, Some(&text), None, today),
        Awaiting::Refund(entry) => crate::refund::step(entry, Some(&text), None),
        Awaiting::SendPay(pay) => send_pay(pay, Event::Text(text)),
    }
}

/// A payment being chosen for the client: the client's own steps, in the staff state.
fn send_pay(pay: Pay, event: Event) -> (State, Vec<Effect>) {
    match pay::advance(pay.clone(), event) {
        Some(next) => for_agent(next),
        None => reply(State::Staff(Some(Awaiting::SendPay(pay))), Reply::text("staff_text_expected")),
    }
}

/// The client's steps worded for the agent who sends the payment (`to_client`), in the staff
/// state.
fn for_agent(next: pay::Next) -> (State, Vec<Effect>) {
    let next = match next {
        pay::Next::Ask(p, r) => pay::Next::Ask(p, r.var("to_client", true)),
        offer => offer,
    };
    next.into_step(|p| State::Staff(Some(Awaiting::SendPay(p))))
}

fn methods() -> Keyboard {
    Keyboard::Inline(vec![PAY_METHODS.map(|m| btn(&format!("pay_{}", m.as_str()), Callback::PayMethod(m))).to_vec()])
}

fn button(cb: Callback) -> Option<(State, Vec<Effect>)> {
    Some(match cb {
        Callback::MoreClients(before) => idle(Effect::StaffClients { query: None, before: Some(before) }),
        Callback::MoreBookings(before) => idle(Effect::StaffBookings { requests_only: false, before: Some(before) }),
        Callback::MoreRequests(before) => idle(Effect::StaffBookings { requests_only: true, before: Some(before) }),
        Callback::Client(id) => idle(Effect::StaffClientCard(id)),
        Callback::Booking(id) => idle(Effect::StaffBookingCard(id)),
        Callback::SearchClients => wait(Awaiting::SearchQuery, "staff_search_ask"),
        Callback::ReplyTo(id) => wait(Awaiting::MessageTo(id), "staff_message_ask"),
        Callback::Note(id, k) => wait(Awaiting::Note { client: id, kind: k }, "staff_note_ask"),
        Callback::Tag(id) => wait(Awaiting::Tag(id), "staff_tag_ask"),
        Callback::Move(id, s) => idle(Effect::CheckMove { booking: id, to: s }),
        Callback::Pay(id) => reply(
            State::Staff(Some(Awaiting::PaymentMethod(id))),
            Reply::text("staff_choose_method").keyboard(methods()),
        ),
        Callback::TelegramInvoice(id) => wait(Awaiting::InvoiceAmount(id), "staff_invoice_amount_ask"),
        Callback::SendPayment(id) => idle(Effect::PaymentChoices(id)),
        Callback::Blacklist(id) => wait(Awaiting::BlacklistReason { client: id, on: true }, "staff_blacklist_ask"),
        Callback::Unblacklist(id) => wait(Awaiting::BlacklistReason { client: id, on: false }, "staff_unblacklist_ask"),
        Callback::Travellers(id) => idle(Effect::StaffTravellers(id)),
        Callback::Traveller(id) => crate::documents::choose_kind(id),
        Callback::AddTraveller(id) => wait(Awaiting::TravellerName(id), "staff_traveller_name_ask"),
        Callback::Address(id) => wait(Awaiting::Address(id), "staff_address_ask"),
        Callback::EditClient(id) => {
            let rows = ClientField::ALL
                .chunks(2)
                .map(|pair| {
                    pair.iter()
                        .map(|f| {
                            Button::new(Label::new("edit_field").var("field", f.code()), Callback::EditField(id, *f))
                        })
                        .collect()
                })
                .collect();
            reply(State::Staff(None), Reply::text("staff_edit_choose").keyboard(Keyboard::Inline(rows)))
        }
        Callback::EditField(id, field) => reply(
            State::Staff(Some(Awaiting::ClientField { client: id, field })),
            Reply::text("staff_edit_ask").var("field", field.code()),
        ),
        Callback::DocKind(id, kind) => crate::documents::start(id, kind),
        Callback::ClientDocuments(id) => crate::documents::choose_client_kind(id),
        Callback::ClientDocKind(id, kind) => crate::documents::start_client(id, kind),
        Callback::Refund(id) => crate::refund::choose(id),
        Callback::RefundTo(id, by_card) => crate::refund::start(id, by_card),
        _ => return None,
    })
}

fn outcome(here: State, o: &Outcome, is_admin: bool) -> (State, Vec<Effect>) {
    match o {
        Outcome::StaffClients { items, more, next_page, searched } => {
            let mut rows: Vec<Vec<Button>> = items
                .iter()
                .map(|c| {
                    let label = Label::new("client").var("name", c.name.as_str()).var("phone", c.phone.as_str());
                    vec![Button::new(label, Callback::Client(c.id))]
                })
                .collect();
            if let (Some(before), false) = (more, searched) {
                rows.push(vec![btn("list_more", Callback::MoreClients(*before))]);
            }
            rows.push(vec![btn("search_clients", Callback::SearchClients)]);
            let t = if items.is_empty() { "staff_clients_none" } else { "staff_clients" };
            let r = Reply::text(t)
                .var("count", items.len())
                .var("more", more.is_some())
                .var("next_page", *next_page)
                .var("searched", *searched);
            reply(State::Staff(None), r.keyboard(Keyboard::Inline(rows)))
        }
        Outcome::StaffClient(card) => reply(State::Staff(None), card_reply(card, is_admin)),
        Outcome::PhoneChecked(check) => phone_checked(here, check),
        Outcome::StaffBookings { items, requests_only, more, next_page } => {
            let mut rows: Vec<Vec<Button>> = items.iter().map(|b| vec![booking_button(b, true)]).collect();
            if let Some(before) = more {
                let next =
                    if *requests_only { Callback::MoreRequests(*before) } else { Callback::MoreBookings(*before) };
                rows.push(vec![btn("list_more", next)]);
            }
            let t = if items.is_empty() { "staff_bookings_none" } else { "staff_bookings" };
            let r = Reply::text(t)
                .var("requests_only", *requests_only)
                .var("count", items.len())
                .var("more", more.is_some())
                .var("next_page", *next_page);
            reply(State::Staff(None), r.keyboard(Keyboard::Inline(rows)))
        }
        Outcome::StaffBooking(b) => reply(State::Staff(None), booking_reply(b)),
        Outcome::PayChoices(choices) => match pay::begin(choices) {
            Some(next) => for_agent(next),
            None => reply(State::Staff(None), Reply::text("staff_pay_no_ways").var("booking", choices.booking)),
        },
        Outcome::PayRefused { reason } => {
            reply(State::Staff(None), Reply::text("staff_refused").var("reason", reason.as_str()))
        }
        Outcome::StaffTravellers(v) => reply(State::Staff(None), crate::documents::travellers_reply(v)),
        Outcome::Done { message, back } => {
            let r = Reply::text("staff_done").var("message", message.as_str());
            // Back to the card the action was on (after logging a call, a payment…).
            let back = match back {
                Some(cb @ Callback::Client(_)) => Some(btn("open_client", *cb)),
                Some(cb @ Callback::Booking(_)) => Some(btn("open_booking", *cb)),
                Some(cb @ Callback::Travellers(_)) => Some(btn("travellers", *cb)),
                _ => None,
            };
            let r = match back {
                Some(b) => r.keyboard(Keyboard::Inline(vec![vec![b]])),
                None => r,
            };
            reply(State::Staff(None), r)
        }
        Outcome::MoveAllowed { booking, to } => reply(
            State::Staff(Some(Awaiting::MoveReason { booking: *booking, to: *to })),
            Reply::text("staff_reason_ask").var("booking", *booking).var("status", to.title_ru()),
        ),
        Outcome::Refused(reason) => match here {
            State::Staff(Some(a @ Awaiting::Address(_))) => {
                reply(State::Staff(Some(a)), Reply::text("staff_address_refused").var("reason", reason.as_str()))
            }
            State::Staff(Some(a @ Awaiting::ClientField { .. })) => {
                reply(State::Staff(Some(a)), Reply::text("staff_edit_refused").var("reason", reason.as_str()))
            }
            State::Staff(Some(a @ (Awaiting::PaymentAmount { .. } | Awaiting::InvoiceAmount(_)))) => {
                reply(State::Staff(Some(a)), Reply::text("staff_amount_refused").var("reason", reason.as_str()))
            }
            _ => reply(State::Staff(None), Reply::text("staff_refused").var("reason", reason.as_str())),
        },
        Outcome::RegistrationRefused { reason } => {
            reply(State::Staff(None), Reply::text("staff_refused").var("reason", reason.as_str()))
        }
        _ => reply(here, Reply::text("staff_menu").keyboard(menu())),
    }
}

/// The phone of a client being registered, checked: free, the birth date is next; on a card,
/// the phone is asked again, with the card when the agent may open it (the client is already
/// theirs) — rather than refusing after every step is typed.
fn phone_checked(here: State, check: &PhoneCheck) -> (State, Vec<Effect>) {
    let State::Staff(Some(Awaiting::NewClient(mut c))) = here else { return (here, Vec::new()) };
    if c.phone.is_none() || c.birth_date.is_some() {
        return (State::Staff(Some(Awaiting::NewClient(c))), Vec::new());
    }
    let answer = match check {
        PhoneCheck::Free => return wait(Awaiting::NewClient(c), "staff_new_client_birth_date"),
        PhoneCheck::Card { client, full_name } => Reply::text("staff_phone_on_card")
            .var("name", full_name.as_str())
            .keyboard(Keyboard::Inline(vec![vec![btn("open_client", Callback::Client(*client))]])),
        _ => Reply::text("staff_phone_taken"),
    };
    c.phone = None;
    reply(State::Staff(Some(Awaiting::NewClient(c))), answer)
}

/// Registering a client on their behalf: the same steps and checks as self-registration,
/// without the consents (those the client gives themself, in the bot or when signing).
fn new_client(mut c: Collected, text: &str, today: NaiveDate) -> (State, Vec<Effect>) {
    let again = |c: Collected, e: domain::Invalid| {
        reply(State::Staff(Some(Awaiting::NewClient(c))), Reply::text("invalid").var("reason", e.message_ru()))
    };
    if c.full_name.is_none() {
        return match PersonName::parse(text) {
            Ok(n) => {
                c.full_name = Some(n.surname_first());
                wait(Awaiting::NewClient(c), "staff_new_client_phone")
            }
            Err(e) => again(c, e),
        };
    }
    if c.phone.is_none() {
        return match Phone::parse(text) {
            // Whose it is, before the rest is typed (see `phone_checked`).
            Ok(p) => {
                c.phone = Some(p.clone());
                (State::Staff(Some(Awaiting::NewClient(c))), vec![Effect::CheckPhone { phone: p, verified: false }])
            }
            Err(e) => again(c, e),
        };
    }
    if c.birth_date.is_none() {
        return match BirthDate::parse(text, today) {
            Ok(d) => {
                c.birth_date = Some(d);
                wait(Awaiting::NewClient(c), "staff_new_client_city")
            }
            Err(e) => again(c, e),
        };
    }
    match City::parse(text) {
        Ok(city) => {
            c.city = Some(city);
            (State::Staff(None), vec![Effect::StaffRegister(c)])
        }
        Err(e) => again(c, e),
    }
}
