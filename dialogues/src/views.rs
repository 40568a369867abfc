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
    /// The booking's documents issued for signing (the contract), newest first.
    #[serde(default)]
    pub documents: Vec<DocumentItem>,
}

/// A document issued for signing, as lists show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentItem {
    pub id: i64,
    pub title: String,
    /// «выдан», «открыт», «подписан», «истёк», «заменён новым».
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
    pub accepts_payments: bool,
    /// A contract may be issued (or reissued) for signing now.
    #[serde(default)]
    pub can_issue_contract: bool,
}
