//! What happens in a chat, in the product's own words.

use crate::callback::Callback;
use crate::start::StartPayload;
use domain::Role;
use serde::{Deserialize, Serialize};

/// Who is writing, as the transport found out before stepping (one lookup per update).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Who {
    /// Not registered yet.
    Stranger,
    Client {
        id: i64,
        first_name: String,
        marketing: bool,
    },
    /// A blacklisted client: the bot stays silent.
    Blacklisted,
    Staff {
        id: i64,
        role: Role,
        name: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Command {
    Help,
    Cancel,
    Menu,
    Stop,
    Tours,
    MyBookings,
    Settings,
    /// A `/word` the bot does not know.
    Unknown,
}

impl Command {
    /// `/help`, `/help@bot_name` → Help. `start` is not here: it carries a payload.
    pub fn parse(word: &str) -> Command {
        let w = word.trim_start_matches('/');
        let w = w.split('@').next().unwrap_or(w);
        match w.to_ascii_lowercase().as_str() {
            "help" => Command::Help,
            "cancel" => Command::Cancel,
            "menu" => Command::Menu,
            "stop" => Command::Stop,
            "tours" => Command::Tours,
            "bookings" | "mybookings" => Command::MyBookings,
            "settings" => Command::Settings,
            _ => Command::Unknown,
        }
    }
}

// An event lives for one step; boxing the large outcomes would only complicate every match.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Event {
    Start(StartPayload),
    Command(Command),
    /// A reply-keyboard menu button: its label came back as text, and the transport knew it.
    Menu(crate::label::MenuItem),
    Text(String),
    /// A shared contact; `own` when it is the sender's own (Telegram tells which).
    Contact {
        phone: String,
        own: bool,
    },
    Callback(Callback),
    /// Stickers, photos, voice, documents…: nothing the dialogue can use.
    Unsupported,
    /// The answer of an effect that asked for something.
    Outcome(Outcome),
}

/// Answers of data effects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    Registered {
        first_name: String,
    },
    /// Registration refused; `reason` is a `domain::Invalid` code or `phone_taken`.
    RegistrationRefused {
        reason: String,
    },
    Tours(crate::views::TourPage),
    Tour(crate::views::TourView),
    NotFound,
    Booked(crate::views::BookingItem),
    /// The reason is already in the user's words (rendered by the transport).
    BookingRefused {
        reason: String,
    },
    Bookings(Vec<crate::views::BookingItem>),
    Relayed,
    NoAgent,
    Settings(crate::views::Settings),
    MarketingChanged(bool),
    CityChanged(String),
    StaffClients(Vec<crate::views::ClientItem>),
    StaffClient(crate::views::ClientCardView),
    StaffBookings(Vec<crate::views::BookingItem>),
    StaffBooking(crate::views::StaffBookingView),
    StaffTravellers(crate::views::TravellersView),
    /// A staff action succeeded; the message is in the user's words (the transport rendered it
    /// from `templates/bot/`).
    Done(String),
    /// A staff action was refused; the reason is in the user's words (rendered by the transport).
    Refused(String),
}

/// The longest text the bot reads; longer messages are answered, not processed.
pub const MAX_TEXT: usize = 4096;
