//! What the dialogue asks the transport to do.

use crate::callback::Callback;
use crate::label::Label;
use chrono::NaiveDate;
use domain::{BookingStatus, InteractionKind, PaymentMethod};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Effect {
    /// Send a new message.
    Reply(Reply),
    /// Register the client with what the registration collected; answered by
    /// `Outcome::Registered` or `Outcome::RegistrationRefused`.
    Register(crate::client::registration::Collected),
    /// Keep where a stranger came from (a `/start` payload) until they register; no answer.
    RecordStart(String),
    /// Is this phone on record? Answered by `Outcome::PhoneChecked`.
    CheckPhone {
        phone: domain::Phone,
        /// From the sender's own shared contact.
        verified: bool,
    },
    /// Published tours matching the filter, one page; answered by `Outcome::Tours`.
    FindTours {
        filter: crate::client::catalog::TourFilter,
        page: u32,
    },
    /// A tour card; answered by `Outcome::Tour` or `Outcome::NotFound`.
    ShowTour(i64),
    /// A booking request; answered by `Outcome::Booked` or `Outcome::BookingRefused`.
    Book {
        departure_id: i64,
        travellers: u8,
        /// Makes the request once however often it is repeated (see `Confirm::request_key`).
        request_key: Option<String>,
        /// What the client asked while booking and did not pass on: goes with the request, to
        /// the agent and on the booking (empty: nothing).
        note: String,
    },
    /// The client's bookings; answered by `Outcome::Bookings`.
    MyBookings,
    /// The price of a booking request before it is made; answered by `Outcome::Quote`,
    /// `Outcome::TooFewSeats` or `Outcome::BookingRefused`.
    Quote {
        departure_id: i64,
        travellers: u8,
    },
    /// The client asks to cancel a booking; answered by `Outcome::CancelRequested` or
    /// `Outcome::CancelRefused`.
    RequestCancel {
        booking: i64,
        reason: String,
    },
    /// Pass a message to the client's agent (assigning one if needed); answered by
    /// `Outcome::Relayed` or `Outcome::NoAgent`.
    RelayToAgent(String),
    /// The same for a question asked in the middle of booking a departure: the agent is told
    /// which tour, dates and how many (`travellers`, once priced) it is about.
    AskAboutDeparture {
        departure_id: i64,
        travellers: Option<u8>,
        text: String,
    },
    /// The same for a question asked while paying a booking: the agent is told which booking,
    /// its tour and what is left to pay, as the client's choices showed them.
    AskAboutPayment {
        booking: i64,
        tour: String,
        due: String,
        text: String,
    },
    /// Answered by `Outcome::Settings`.
    ShowSettings,
    /// Answered by `Outcome::MarketingChanged`.
    SetMarketing(bool),
    /// Answered by `Outcome::CityChanged`.
    SetCity(domain::City),
    /// What the client may pay on a booking; answered by `Outcome::PayChoices` or
    /// `Outcome::PayRefused`. Asked by staff, the ways are those the agency sends from the
    /// booking card (no Telegram invoice: that is its own button).
    PaymentChoices(i64),
    /// Send the client the payment of `amount_minor` for a booking `via` a way to pay (the
    /// transport sends the message itself); answered by `Outcome::PayOffered` or
    /// `Outcome::PayRefused`. Asked by staff, the payment goes to the booking's client through
    /// the outbox, answered by `Outcome::Done` or `Outcome::Refused`.
    PayOffer {
        booking: i64,
        amount_minor: i64,
        via: crate::client::pay::PayVia,
    },

    // Staff effects, run with the staff member as the actor.
    /// Own clients (all for an admin), optionally searched; answered by `Outcome::StaffClients`.
    StaffClients {
        query: Option<String>,
        /// List from below this id (the next page).
        before: Option<i64>,
    },
    /// Answered by `Outcome::StaffClient` or `Outcome::Refused`.
    StaffClientCard(i64),
    /// Own bookings, or only new requests (`contract_pending`); answered by `Outcome::StaffBookings`.
    StaffBookings {
        requests_only: bool,
        before: Option<i64>,
    },
    /// Answered by `Outcome::StaffBooking` or `Outcome::Refused`.
    StaffBookingCard(i64),
    /// Whether the booking may move to the status now (a button of an older card may not);
    /// answered by `Outcome::MoveAllowed` or `Outcome::Refused`.
    CheckMove {
        booking: i64,
        to: BookingStatus,
    },
    /// The rest answer `Outcome::Done` or `Outcome::Refused`.
    MessageClient {
        client: i64,
        text: String,
    },
    LogNote {
        client: i64,
        kind: InteractionKind,
        text: String,
    },
    TagClient {
        client: i64,
        tag: String,
    },
    MoveBooking {
        booking: i64,
        to: BookingStatus,
        reason: String,
    },
    RecordPayment {
        booking: i64,
        method: PaymentMethod,
        amount_minor: i64,
    },
    /// An invoice for this amount of the booking, to pay in Telegram, sent to its client.
    SendTelegramInvoice {
        booking: i64,
        amount_minor: i64,
    },
    SetBlacklist {
        client: i64,
        on: bool,
        reason: String,
    },
    StaffRegister(crate::client::registration::Collected),
    /// A booking's travellers with their documents; answered by `Outcome::StaffTravellers` or
    /// `Outcome::Refused`.
    StaffTravellers(i64),
    /// Save the client's address for the documents; answered by `Outcome::Done` or
    /// `Outcome::Refused`.
    SetAddress {
        client: i64,
        address: String,
    },
    /// Correct one field of the client's card to `value` (checked by the dialogue, parsed again
    /// by the transport); answered by `Outcome::Done` or `Outcome::Refused`.
    EditClient {
        client: i64,
        field: crate::staff::ClientField,
        value: String,
    },
    /// Add a companion to a booking, with the name and birth date the dialogue checked (the
    /// transport checks them again); answered by `Outcome::StaffTravellers` or `Outcome::Refused`.
    AddTraveller {
        booking: i64,
        full_name: String,
        birth_date: NaiveDate,
    },
    /// Save a traveller's document from its fields as the dialogue checked them (the transport
    /// builds it with the same checks); answered by `Outcome::Done` (with the warnings) or
    /// `Outcome::Refused`.
    PutTravellerDocument {
        traveller: i64,
        kind: domain::DocKind,
        fields: Vec<(domain::DocField, String)>,
    },
    /// Save the client's own identity document the same way (from the client card).
    PutClientDocument {
        client: i64,
        kind: domain::DocKind,
        fields: Vec<(domain::DocField, String)>,
    },
    /// Save a client's refund details (to a card, or to an account) from the fields the dialogue
    /// checked; answered by `Outcome::Done` or `Outcome::Refused`.
    PutPaymentDetails {
        client: i64,
        by_card: bool,
        fields: Vec<(domain::RefundField, String)>,
    },
}

impl Effect {
    /// Whether the effect only reads: running it twice (after a restart) changes nothing and
    /// shows nobody anything. The transport need not save the dialogue's state before it.
    pub fn reads_only(&self) -> bool {
        match self {
            Effect::FindTours { .. }
            | Effect::ShowTour(_)
            | Effect::MyBookings
            | Effect::ShowSettings
            | Effect::StaffClients { .. }
            | Effect::StaffClientCard(_)
            | Effect::StaffBookings { .. }
            | Effect::StaffBookingCard(_)
            | Effect::CheckMove { .. }
            | Effect::PaymentChoices(_) => true,
            Effect::Reply(_)
            | Effect::Register(_)
            | Effect::Book { .. }
            | Effect::RelayToAgent(_)
            | Effect::AskAboutDeparture { .. }
            | Effect::AskAboutPayment { .. }
            | Effect::SetMarketing(_)
            | Effect::SetCity(_)
            | Effect::MessageClient { .. }
            | Effect::LogNote { .. }
            | Effect::TagClient { .. }
            | Effect::MoveBooking { .. }
            | Effect::RecordPayment { .. }
            | Effect::SendTelegramInvoice { .. }
            | Effect::SetBlacklist { .. }
            | Effect::StaffRegister(_)
            // Conservative: the state is saved before them (an extra write at most).
            | Effect::RecordStart(_)
            | Effect::CheckPhone { .. }
            | Effect::Quote { .. }
            | Effect::RequestCancel { .. }
            | Effect::StaffTravellers(_)
            | Effect::AddTraveller { .. }
            | Effect::SetAddress { .. }
            | Effect::EditClient { .. }
            | Effect::PutTravellerDocument { .. }
            | Effect::PutClientDocument { .. }
            | Effect::PutPaymentDetails { .. }
            | Effect::PayOffer { .. } => false,
        }
    }
}

/// A message: a template of `templates/bot/` with its variables, and a keyboard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reply {
    pub template: String,
    pub vars: Map<String, Value>,
    pub keyboard: Keyboard,
}

impl Reply {
    pub fn text(template: &str) -> Reply {
        Reply { template: template.to_owned(), vars: Map::new(), keyboard: Keyboard::None }
    }

    pub fn var(mut self, name: &str, value: impl Into<Value>) -> Reply {
        self.vars.insert(name.to_owned(), value.into());
        self
    }

    pub fn keyboard(mut self, k: Keyboard) -> Reply {
        self.keyboard = k;
        self
    }
}

/// A keyboard whose buttons carry `L`: [`Label`]s as the dialogues make them, text (`String`)
/// once the transport has rendered them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Keyboard<L = Label> {
    /// Leave the keyboard as it is.
    None,
    /// Remove a reply keyboard.
    Remove,
    /// Buttons under the input field. A pressed one comes back as a text message with its
    /// label, which the transport turns into [`Event::Menu`](crate::Event::Menu).
    Reply(Vec<Vec<ReplyButton<L>>>),
    /// Buttons under the message.
    Inline(Vec<Vec<Button<L>>>),
}

impl<L> Keyboard<L> {
    /// The same keyboard with each label turned into another (rendered).
    pub fn map<M>(&self, mut f: impl FnMut(&L) -> M) -> Keyboard<M> {
        match self {
            Keyboard::None => Keyboard::None,
            Keyboard::Remove => Keyboard::Remove,
            Keyboard::Reply(rows) => Keyboard::Reply(
                rows.iter()
                    .map(|row| {
                        row.iter()
                            .map(|b| match b {
                                ReplyButton::Text(l) => ReplyButton::Text(f(l)),
                                ReplyButton::RequestContact(l) => ReplyButton::RequestContact(f(l)),
                            })
                            .collect()
                    })
                    .collect(),
            ),
            Keyboard::Inline(rows) => Keyboard::Inline(
                rows.iter()
                    .map(|row| row.iter().map(|b| Button { label: f(&b.label), callback: b.callback }).collect())
                    .collect(),
            ),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReplyButton<L = Label> {
    Text(L),
    /// Asks Telegram for the user's own phone number.
    RequestContact(L),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Button<L = Label> {
    pub label: L,
    pub callback: Callback,
}

impl Button {
    pub fn new(label: Label, callback: Callback) -> Button {
        Button { label, callback }
    }
}
