//! Table-driven tests of the dialogues: each case is a state, an event and what must come out.
//! No Telegram, no database, no clock. One test binary.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod client_menu;
mod compat;
mod documents;
mod paying;
mod props;
mod registration;
mod send_payment;
mod staff;
