//! End-to-end tests of the `tourcrm` binary: it is started as a process, as an admin would.
//! One test binary; modules by subject.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod fake_telegram;
mod helpers;

// The agent's «Ссылка на оплату» through the fake Bot API and the fake YooKassa.
mod agent_payment;
mod bot_agent;
mod bot_client;
mod bot_guest;
mod bot_link;
mod bot_webhook;
mod broadcast;
mod cli;
mod config;
mod demo;
mod faults;
#[cfg(unix)]
mod keys;
mod panel_browser;
mod paying;
mod paying_online;
mod serve;
mod signing;
mod social_funnel;
mod subscribers;
// Telegram Payments through the fake Bot API.
mod telegram_payments;
mod webdriver;
