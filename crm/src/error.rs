//! The one error type of `crm`. Front-ends (bot, panel, CLI) map it once to a reply,
//! a page or an exit code; nothing here knows how it will be shown.

use crate::domain::Invalid;
use crate::text;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The acting user's role or ownership does not allow this.
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    #[error("not found: {0}")]
    NotFound(&'static str),
    /// The request clashes with what is stored (e.g. a phone that already has a client).
    #[error("conflict: {0}")]
    Conflict(Conflict),
    /// Bad input: the reason is meant for the user.
    #[error("invalid input: {0}")]
    Invalid(#[from] Invalid),
    /// Too many wrong passwords for this login: no password of it is checked until then.
    #[error("too many wrong passwords: the login is locked until {until}")]
    LoginLocked { until: chrono::DateTime<chrono::Utc> },
    /// Bad input in one field of a form with many (the agency's requisites): the field's Russian
    /// label and why.
    #[error("invalid input in {field}: {why}")]
    InvalidField { field: &'static str, why: Invalid },
    /// A booking status move that the status table does not allow; names both states.
    #[error("{0}")]
    IllegalMove(#[from] crate::domain::IllegalMove),
    /// A message template that does not render; the reason is meant for the admin.
    #[error("template: {0}")]
    Template(crate::sandbox::TemplateError),
    #[error("cryptography: {0}")]
    Crypto(#[from] crate::crypto::CryptoError),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// Work run off the async worker (`crate::heavy`) panicked: a bug, logged by the panic
    /// hook; the request fails whole and the user is asked to try again.
    #[error("internal error: {0}")]
    Internal(&'static str),
    /// A signing step refused (a wrong or expired code, a changed document…); worded for the client.
    #[error("signing: {0}")]
    Signing(crate::services::SigningRefusal),
}

/// Conflicts a user can be told about in their own words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Conflict {
    #[error("a client with this phone already exists (id {0})")]
    PhoneTaken(i64),
    #[error("this login is taken")]
    LoginTaken,
    #[error("this Telegram account is already bound")]
    TelegramTaken,
    #[error("the client is blacklisted")]
    Blacklisted,
    #[error("nothing to change: {0}")]
    NoChange(&'static str),
    #[error("not enough seats: {left} left")]
    NoSeatsLeft { left: i64 },
    #[error("the tour is not published")]
    TourNotBookable,
    #[error("the departure has already started")]
    DepartureStarted,
    #[error("payments are not accepted in status {0}")]
    PaymentsNotAccepted(&'static str),
    #[error("the payment exceeds the amount due ({due})")]
    Overpayment { due: crate::domain::Money },
    #[error("the operation is already reversed")]
    AlreadyReversed,
    #[error("the departure has bookings")]
    DepartureHasBookings,
    #[error("a master key rotation waits for its new key")]
    MasterKeyWaiting,
    #[error("the agency's requisites are not entered")]
    AgencyRequisitesMissing,
    #[error("the tour operator's registry data are not entered")]
    OperatorRegistryMissing,
    #[error("all {count} travellers of the booking are listed")]
    TravellersFull { count: i64 },
    #[error("the booking is cancelled")]
    BookingClosed,
    #[error("the client who booked stays a traveller")]
    ClientTravellerStays,
    // Online payments.
    #[error("online payment is not connected")]
    OnlinePaymentsOff,
    #[error("the payment provider did not answer")]
    PaymentProviderUnavailable,
    #[error("the payment provider refused the request")]
    PaymentProviderRefused,
    // Telegram Payments.
    #[error("Telegram Payments are off: TOURCRM_TELEGRAM_PAYMENT_TOKEN is not set")]
    TelegramPaymentsOff,
    #[error("the amount is too large for one Telegram invoice")]
    TelegramAmountTooLarge,
    // Paying from the chat.
    #[error("nothing is due on the booking")]
    NothingDue,
    #[error("the contract is not signed yet")]
    ContractNotSigned,
    #[error("the payment is below the minimum ({min})")]
    PaymentTooSmall { min: crate::domain::Money },
    #[error("the client has no Telegram to send a payment to")]
    ClientWithoutTelegram,
    // The accountant's operations.
    #[error("the payout exceeds the commission owed ({owed})")]
    CommissionOverOwed { owed: crate::domain::Money },
    #[error("bank document {number} is already recorded as operation {operation}")]
    DocumentRecorded { number: String, operation: i64 },
}

impl Error {
    /// The refusal in the user's words when a rule said no or an input was wrong — what every
    /// front-end shows as it is; `None` for errors that are not the user's to fix (access is
    /// worded by each front-end, internal failures are logged).
    pub fn refusal_ru(&self) -> Option<String> {
        match self {
            Error::IllegalMove(m) => Some(m.message_ru()),
            Error::Conflict(c) => Some(c.message_ru()),
            Error::Invalid(i) => Some(i.message_ru().to_owned()),
            Error::Signing(s) => Some(s.message_ru()),
            Error::InvalidField { field, why } => Some(format!("«{field}»: {}", why.message_ru())),
            _ => None,
        }
    }
}

impl Conflict {
    /// The Russian explanation (`[conflict]` of `templates/text/ru.toml`), for every front-end.
    pub fn message_ru(&self) -> String {
        match self {
            Conflict::PhoneTaken(_) => text::get("conflict", "phone_taken").to_owned(),
            Conflict::LoginTaken => text::get("conflict", "login_taken").to_owned(),
            Conflict::TelegramTaken => text::get("conflict", "telegram_taken").to_owned(),
            Conflict::Blacklisted => text::get("conflict", "blacklisted").to_owned(),
            Conflict::NoChange(_) => text::get("conflict", "no_change").to_owned(),
            Conflict::NoSeatsLeft { left: 0 } => text::get("conflict", "sold_out").to_owned(),
            Conflict::NoSeatsLeft { left } => text::fill("conflict", "too_few_seats", &[("left", left)]),
            Conflict::TourNotBookable => text::get("conflict", "tour_not_bookable").to_owned(),
            Conflict::DepartureStarted => text::get("conflict", "departure_started").to_owned(),
            Conflict::PaymentsNotAccepted(status) => {
                text::fill("conflict", "payments_not_accepted", &[("status", status)])
            }
            Conflict::Overpayment { due } => text::fill("conflict", "overpayment", &[("due", due)]),
            Conflict::AlreadyReversed => text::get("conflict", "already_reversed").to_owned(),
            Conflict::DepartureHasBookings => text::get("conflict", "departure_has_bookings").to_owned(),
            Conflict::MasterKeyWaiting => text::get("conflict", "master_key_waiting").to_owned(),
            Conflict::AgencyRequisitesMissing => text::get("conflict", "agency_requisites_missing").to_owned(),
            Conflict::OperatorRegistryMissing => text::get("conflict", "operator_registry_missing").to_owned(),
            Conflict::TravellersFull { count } => text::fill("conflict", "travellers_full", &[("count", count)]),
            Conflict::BookingClosed => text::get("conflict", "booking_closed").to_owned(),
            Conflict::ClientTravellerStays => text::get("conflict", "client_traveller_stays").to_owned(),
            Conflict::OnlinePaymentsOff => text::get("conflict", "online_payments_off").to_owned(),
            Conflict::PaymentProviderUnavailable => text::get("conflict", "payment_provider_unavailable").to_owned(),
            Conflict::PaymentProviderRefused => text::get("conflict", "payment_provider_refused").to_owned(),
            Conflict::TelegramPaymentsOff => text::get("conflict", "telegram_payments_off").to_owned(),
            Conflict::TelegramAmountTooLarge => text::get("conflict", "telegram_amount_too_large").to_owned(),
            Conflict::NothingDue => text::get("conflict", "nothing_due").to_owned(),
            Conflict::ContractNotSigned => text::get("conflict", "contract_not_signed").to_owned(),
            Conflict::PaymentTooSmall { min } => text::fill("payable", "too_small", &[("min", min)]),
            Conflict::ClientWithoutTelegram => text::get("conflict", "client_without_telegram").to_owned(),
            Conflict::CommissionOverOwed { owed } => {
                text::fill("conflict", "commission_over_owed", &[("owed", &owed.accounting())])
            }
            Conflict::DocumentRecorded { number, operation } => {
                text::fill("conflict", "document_recorded", &[("number", number), ("operation", operation)])
            }
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A unique-constraint violation becomes the given conflict; anything else stays as it was.
    pub(crate) fn on_unique(self, conflict: Conflict) -> Self {
        match &self {
            Error::Db(sqlx::Error::Database(e)) if e.is_unique_violation() => Error::Conflict(conflict),
            _ => self,
        }
    }
}
