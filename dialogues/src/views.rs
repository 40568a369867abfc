//! Data the transport hands back to the dialogues, already in the shape the texts need.
//! Filled from `crm` by the transport; plain serde data so states and tests can hold them.

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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TourView {
    pub id: i64,
    pub title: String,
    pub kind: String,
    pub place: String,
    pub description: String,
    pub price: String,
    pub route: Vec<String>,
    pub included: Vec<String>,
    pub not_included: Vec<String>,
    pub hotels: Vec<String>,
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
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    pub city: String,
    pub marketing: bool,
}
