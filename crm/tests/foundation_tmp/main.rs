//! TEMPORARY: runs the foundation modules while sales.rs is in progress. Delete before commit.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#[path = "../services/helpers.rs"]
mod helpers;
#[path = "../services/clients.rs"]
mod clients;
#[path = "../services/documents.rs"]
mod documents;
#[path = "../services/interactions.rs"]
mod interactions;
#[path = "../services/keys.rs"]
mod keys;
#[path = "../services/roles.rs"]
mod roles;
#[path = "../services/schema.rs"]
mod schema;
#[path = "../services/staff.rs"]
mod staff;
