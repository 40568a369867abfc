//! Store and service tests of `crm`, one test binary. Each case runs on SQLite always and on
//! PostgreSQL when `TOURCRM_TEST_POSTGRES_URL` is set (a set but unreachable server fails).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod helpers;

use testkit::each_backend;

mod audit;
mod client_bookings;
mod clients;
mod consents;
mod contact;
mod documents;
mod hotels;
mod interactions;
mod keys;
mod kpi;
mod ledger_props;
mod lockout;
mod notifications;
mod online_payments;
mod packages;
mod paperwork;
mod pay_offer;
mod payment_offers;
mod report_reconcile;
mod roles;
mod sales;
mod schema;
mod search;
mod signing;
mod staff;
mod telegram_accounts;
mod telegram_payments;
mod templates;
mod travellers;
