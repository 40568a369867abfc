//! Data the transport hands back to the dialogues, already in the shape the texts need.
//! Filled from `crm` by the transport; plain serde data so states and tests can hold them.

use domain::BookingStatus;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TourItem {
    pub id: i64,
    pub title: String,
    pub place: String,
    pub price: String,
    pub next_departure: Option<String>,
    pub hot: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TourPage {
    pub items: Vec<TourItem>,
    pub page: u32,
    pub has_more: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepartureItem {
    pub id: i64,
    pub dates: String,
    pub seats_left: i64,
    /// What one person pays on this departure, tour and accommodation (`None`: not priced yet).
    pub price: Option<String>,
    /// Others pay more per person (fewer in a room): said «от».
    pub price_from: bool,
}

/// A day of a tour's route.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteDay {
    pub day: i64,
    pub place: String,
    pub description: String,
}

/// A hotel stay on a tour's route.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HotelStay {
    pub name: String,
    pub stars: Option<i64>,
    pub city: String,
    pub room: Option<String>,
    pub nights: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TourView {
    pub id: i64,
    pub title: String,
    pub kind: String,
    pub place: String,
    pub description: String,
    pub price: String,
    pub route: Vec<RouteDay>,
    pub included: Vec<String>,
    pub not_included: Vec<String>,
    pub hotels: Vec<HotelStay>,
    pub departures: Vec<DepartureItem>,
    pub hot: bool,
    pub early_booking: bool,
    /// `price` is the least of the departures' prices per person, others pay more: «от».
    pub price_from: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingItem {
    pub id: i64,
    pub tour: String,
    pub dates: String,
    pub status: String,
    pub total: String,
    pub due: String,
    pub travellers: i64,
    /// The client's name (staff lists show it).
    #[serde(default)]
    pub client: String,
    /// The booking's documents issued for signing (the contract), newest first.
    #[serde(default)]
    pub documents: Vec<DocumentItem>,
}

/// A document issued for signing, as lists show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentItem {
    pub id: i64,
    pub title: String,
    /// «ждёт подписи», «есть подпись», «срок подписи истёк»… (`[document_state]`).
    pub state: String,
    /// The client may still sign it.
    pub signable: bool,
    pub signed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    pub city: String,
    pub marketing: bool,
}

/// A line of the agent's client list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientItem {
    pub id: i64,
    pub name: String,
    pub phone: String,
}

/// The client card as staff see it in the bot.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientCardView {
    pub id: i64,
    pub name: String,
    pub phone: String,
    pub city: String,
    pub birth_date: String,
    pub tags: Vec<String>,
    pub blacklisted: Option<String>,
    pub bookings: Vec<BookingItem>,
    /// The latest interactions, already one line each.
    pub history: Vec<String>,
    pub telegram: bool,
    /// Every document issued to the client (contracts and consents) with its state.
    #[serde(default)]
    pub documents: Vec<DocumentItem>,
    /// A consent the client is asked to sign is not signed: «Выдать согласие на подпись».
    #[serde(default)]
    pub consent_unsigned: bool,
    /// The client's own documents on file (their titles), for staff who see documents
    /// (`None` for the others): what a contract or a consent still needs is entered here.
    #[serde(default)]
    pub on_file: Option<Vec<String>>,
}

/// One identity document of a traveller: needed for the trip, on file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocLine {
    pub kind: domain::DocKind,
    pub title: String,
    pub needed: bool,
    pub on_file: bool,
}

/// A traveller of a booking as the agent's list shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TravellerLine {
    pub id: i64,
    pub name: String,
    pub birth_date: String,
    pub is_client: bool,
    pub documents: Vec<DocLine>,
    /// Already worded (the expiry, the Latin spelling).
    pub warnings: Vec<String>,
}

/// The «Туристы» of a booking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TravellersView {
    pub booking: i64,
    pub travellers_count: i64,
    pub travellers: Vec<TravellerLine>,
    /// Whether one more companion fits (crm's `TravellerList::can_add`).
    pub can_add: bool,
}

/// A booking as staff see it, with the moves they may make.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffBookingView {
    pub booking: BookingItem,
    pub client_id: i64,
    pub client: String,
    pub paid: String,
    /// (status, its title) of each allowed manual move.
    pub moves: Vec<(BookingStatus, String)>,
    /// Why the booking is in its status, when someone said so and it matters to the next move
    /// (the client's reason for asking to cancel).
    #[serde(default)]
    pub status_reason: Option<String>,
    /// On a cancelled booking, what is still to be returned to the client (none once returned).
    #[serde(default)]
    pub refund_left: Option<String>,
    pub accepts_payments: bool,
    /// A contract may be issued (or reissued) for signing now.
    #[serde(default)]
    pub can_issue_contract: bool,
    /// Invoices to pay in Telegram can be sent (Telegram Payments configured).
    #[serde(default)]
    pub telegram_payments: bool,
    /// A payment link or the transfer QR can be sent to the client now (a way is on, the
    /// client is in Telegram, this staff member may).
    #[serde(default)]
    pub send_payment: bool,
}

// The client's bookings, their payments and the price of a request before it is made.

/// A payment of a booking's schedule as the client sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstalmentView {
    pub amount: String,
    pub due_on: String,
    /// Covered by what the client has paid so far.
    pub paid: bool,
}

/// One of the client's bookings in «Мои брони».
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyBookingView {
    pub booking: BookingItem,
    pub paid: String,
    /// What is to be paid next and by when (the part of the first open instalment still unpaid).
    pub next_due: Option<InstalmentView>,
    pub schedule: Vec<InstalmentView>,
    /// The client may ask to cancel it (the status table allows the move).
    pub may_cancel: bool,
    /// The client may pay it now (its contract is signed and a balance is due).
    #[serde(default)]
    pub may_pay: bool,
}

/// What a client may pay on a booking now (from `Crm::payment_choices`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayChoicesView {
    pub booking: i64,
    pub tour: String,
    /// The balance due, worded.
    pub due: String,
    /// The next instalment when it is less than the balance (`paid` is false).
    pub next: Option<InstalmentView>,
    pub next_minor: Option<i64>,
    pub range: domain::PayableRange,
    /// The ways to pay the agency has on; none: the client is told to ask the agent.
    pub methods: Vec<crate::client::pay::PayVia>,
}

/// A room of a quoted booking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuoteRoom {
    pub hotel: String,
    pub room: String,
    pub rooms: i64,
    pub nights: i64,
    pub total: String,
}

/// What a booking request costs, shown to the client to confirm before it is made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuoteView {
    pub departure_id: i64,
    pub tour: String,
    pub dates: String,
    pub travellers: i64,
    /// The tour's own price per person and for everyone.
    pub per_person: String,
    pub tour_total: String,
    pub rooms: Vec<QuoteRoom>,
    pub rooms_total: String,
    pub total: String,
    /// The total divided among the travellers, rounded up to a kopeck.
    pub total_per_person: String,
    /// The key the booking of this quote will carry (see `Confirm::request_key`).
    #[serde(default)]
    pub request_key: Option<String>,
    pub schedule: Vec<InstalmentView>,
}
