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
    /// A blacklisted client: the bot answers with one polite line a day.
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
    /// The count asked for is more than the departure has seats left: asked again.
    TooFewSeats {
        left: i64,
    },
    /// The reason is already in the user's words (rendered by the transport).
    BookingRefused {
        reason: String,
    },
    /// «Мои брони»: the client's bookings, and their own documents (the consents) that may
    /// still be signed or are signed.
    Bookings {
        items: Vec<crate::views::MyBookingView>,
        documents: Vec<crate::views::DocumentItem>,
    },
    Quote(crate::views::QuoteView),
    /// The request is recorded; `agent` is who will answer (`None`: the agency's staff).
    CancelRequested {
        booking: i64,
        agent: Option<String>,
    },
    /// The reason is already in the user's words.
    CancelRefused {
        reason: String,
    },
    /// The client's message reached their agent (`in_chat`: the agent reads the bot, so the
    /// answer comes here); `newly_assigned` when the agent was assigned by this message.
    Relayed {
        agent: String,
        newly_assigned: bool,
        in_chat: bool,
    },
    /// No agent can take the message now; it is kept in the client's history.
    NoAgent,
    /// What the agency has on record for the phone given at registration.
    PhoneChecked(PhoneCheck),
    Settings(crate::views::Settings),
    MarketingChanged(bool),
    CityChanged(String),
    /// A page of the client list; `more`: the id to list from for the next page.
    StaffClients {
        items: Vec<crate::views::ClientItem>,
        more: Option<i64>,
        /// Not the first page.
        next_page: bool,
        /// The list was searched (the next page of a search is not offered: refine it).
        searched: bool,
    },
    StaffClient(crate::views::ClientCardView),
    /// A page of bookings (only new requests when `requests_only`).
    StaffBookings {
        items: Vec<crate::views::BookingItem>,
        requests_only: bool,
        more: Option<i64>,
        next_page: bool,
    },
    StaffBooking(crate::views::StaffBookingView),
    StaffTravellers(crate::views::TravellersView),
    /// A staff action succeeded; the message is in the user's words (the transport rendered it
    /// from `templates/bot/`). `back`: the card the action was on, to return to it.
    Done {
        message: String,
        back: Option<crate::callback::Callback>,
    },
    /// A staff action was refused; the reason is in the user's words (rendered by the transport).
    Refused(String),
    /// The booking may move to the status (`Effect::CheckMove`): the reason is asked next.
    MoveAllowed {
        booking: i64,
        to: domain::BookingStatus,
    },
    /// What the client may pay on a booking (`Effect::PaymentChoices`).
    PayChoices(crate::views::PayChoicesView),
    /// The payment message was sent (`Effect::PayOffer`).
    PayOffered,
    /// Paying is refused; the reason is in the user's words.
    PayRefused {
        reason: String,
    },
}

/// The longest text the bot reads; longer messages are answered, not processed.
pub const MAX_TEXT: usize = 4096;

/// The answer to [`Effect::CheckPhone`](crate::Effect::CheckPhone).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PhoneCheck {
    /// Nobody has it: registration goes on.
    Free,
    /// The sender's own verified phone is on a card an agent made: link it, after the
    /// client confirms or corrects the name on record.
    OnRecord { full_name: String },
    /// A typed phone on a card: the client is asked to share their contact to prove it.
    Unconfirmed,
    /// A client using the bot from another Telegram account has it.
    Taken,
    /// The client's own phone is on a blacklisted card: declined with the day's one line.
    Declined,
    /// Staff registering a client: the card of a client they may open has it.
    Card { client: i64, full_name: String },
}
