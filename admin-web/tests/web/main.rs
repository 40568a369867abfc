//! The panel's tests: one binary, requests through `admin_web::router` with `oneshot`, on
//! SQLite always and on a fresh PostgreSQL database when `TOURCRM_TEST_POSTGRES_URL` is set.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod helpers;

use testkit::each_backend;

mod auth;
mod bookings;
mod clients;
mod documents;
mod exports;
mod hotels;
mod notifications;
mod payment_offers;
mod payments;
// The accountant's desk, commission rates, the start page's figures (issue #15).
mod operations;
mod reports;
mod requests;
mod routes;
mod signing;
mod staff;
mod tours;
mod travellers;
