//! The panel's tests: one binary, requests through `admin_web::router` with `oneshot`, on
//! SQLite always and on a fresh PostgreSQL database when `TOURCRM_TEST_POSTGRES_URL` is set.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod helpers;

use testkit::each_backend;

mod auth;
mod bookings;
mod clients;
mod documents;
mod hotels;
mod notifications;
mod reports;
mod requests;
mod routes;
mod signing;
mod staff;
mod tours;
mod travellers;
