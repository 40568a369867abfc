//! Domain value types: each is parsed once at the edge, and its constructor is the only way in.
//! Shared by crm, the dialogues, the bot and the panel so all refuse the same input with the same
//! reason — a crate of its own, so the compiler keeps the dialogues (and a second messenger
//! transport) free of storage and crypto crates. With them, the catalog of short texts (`text`).

#![forbid(unsafe_code)]

pub mod text;

mod birth_date;
mod booking;
mod city;
mod contact;
mod hotel;
mod ids;
mod interaction;
mod invalid;
mod ledger;
mod local_time;
mod money;
mod name;
pub mod passport;
mod payable;
mod phone;
mod reason;
mod role;
mod tag;
mod tour;
pub mod translit;

pub use birth_date::{BirthDate, format_ru_date, format_ru_range, parse_ru_date};
pub use booking::{BookingStatus, Cause, IllegalMove};
pub use city::{City, DEFAULT_TZ, KNOWN_CITIES};
pub use contact::{Email, IntlPhone};
pub use hotel::{CancellationRule, CancellationTerms, MAX_FREE_DAYS, MealPlan, PenaltyKind, Stars};
pub use ids::IssuedDocumentId;
pub use ids::{
    BookingId, BroadcastId, ClientId, DepartureId, HotelId, InteractionId, OperationId, OutboxId, RoomId, StaffId,
    TourId, TravellerId,
};
pub use interaction::{Direction, InteractionKind};
pub use invalid::Invalid;
pub use ledger::{Counterparty, OperationKind, PaymentMethod, format_percent_bp, parse_percent_bp, share_bp};
pub use local_time::{AGENCY_TZ, format_agency_time, format_local_datetime, parse_local_datetime, zone_title_ru};
pub use money::{Currency, Money};
pub use name::{PersonName, first_name_of, search_key, surname_and_initials};
pub use passport::fields::{DocField, FieldError, check_entered, check_field, document_fields, parse_document};
pub use passport::{
    BirthCertificate, CHILD_AGE, DocKind, DocWarning, ForeignPassport, InternalPassport, LatinName, PaymentDetails,
    RefundField, TravellerDocument, check_issued_to, foreign_passport_warnings, is_abroad, needed_documents,
    own_passport_warnings, passport_expiry_ru, refund_details,
};
pub use payable::{AmountRefusal, MIN_PAYMENT_MINOR, PayableRange};
pub use phone::{Phone, format_phone};
pub use reason::reason;
pub use role::Role;
pub use tag::TagName;
pub use tour::{TourKind, TourService, TourStatus, destination_key};
