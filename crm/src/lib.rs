//! tourcrm's core: domain types, storage and the services that hold every business rule.
//! Knows nothing of Telegram or HTTP; every service call takes the acting user.

#![forbid(unsafe_code)]

pub mod actor;
pub mod audit;
pub mod bank_transfer;
pub mod clock;
pub mod crypto;
pub mod error;
pub mod heavy;
pub mod notify;
pub mod paperwork;
pub mod private_fs;
pub mod qr;
pub mod sandbox;
pub mod services;
pub mod store;
pub mod tabular;
#[cfg(test)]
mod text_catalog;

pub use ::domain;
pub use ::domain::text;
pub use actor::Actor;
pub use error::{Conflict, Error, Result};
pub use services::Crm;
