//! Domain value types: each is parsed once at the edge, and its constructor is the only way in.
//! Shared by the bot and the panel so both refuse the same input with the same reason.

mod birth_date;
mod city;
mod ids;
mod interaction;
mod invalid;
mod money;
mod name;
mod passport;
mod phone;
mod role;
mod tag;

pub use birth_date::BirthDate;
pub use city::{City, DEFAULT_TZ, KNOWN_CITIES};
pub use ids::{ClientId, InteractionId, StaffId};
pub use interaction::{Direction, InteractionKind};
pub use invalid::Invalid;
pub use money::{Currency, Money};
pub use name::PersonName;
pub use passport::{ForeignPassport, InternalPassport, LatinName, PaymentDetails};
pub use phone::Phone;
pub use role::Role;
pub use tag::TagName;
