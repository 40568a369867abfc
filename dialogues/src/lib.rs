//! The bot's dialogue state machines: `step(state, event, now) -> (state, effects)`, pure.
//! No Telegram, no database, no clock inside; the transport (`bot`) feeds events and runs the
//! effects. This crate is filled by the bot issue; for now it holds the one shared vocabulary
//! the transport already needs: the deep-link payloads of `/start`.

#![forbid(unsafe_code)]

mod start;

pub use start::StartPayload;
