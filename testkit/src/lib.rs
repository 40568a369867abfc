//! The one test harness of the workspace's tests: crm's services, the panel, the bot and the
//! end-to-end tests of the binary. A dev-dependency only; nothing here reaches the product.
//!
//! - [`backends`]: SQLite always, PostgreSQL when `TOURCRM_TEST_POSTGRES_URL` is set (a set but
//!   unreachable server fails the test, never skips it); [`redis_url`] likewise for Redis.
//! - [`TestDb`]: a fresh database per test, so tests never see each other's rows.
//! - [`t0`] and [`FixedClock`]: the moment every test starts at, and a clock that stays there.
//! - [`TestCrm`]: a `Crm` over a fresh database on that clock; [`each_backend!`] runs a test
//!   body once per backend.
//! - [`ClaimOne`]: the sender's claim, one message at a time, as tests read the outbox.
//! - [`RedisServer`], [`PostgresServer`]: servers of a test's own, to kill and restart.
//! - [`FakeYooKassa`]: a local YooKassa API v3 that speaks its JSON; [`online_payments`] aims a `Crm` at it.
//! - [`qr_text`]: a QR code image read back by zbar.
//!
//! Each test crate keeps only its own helpers (the panel's browser, the end-to-end tests' fake
//! Telegram).

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod app;
mod backend;
mod clock;
mod outbox;
mod paperwork;
mod qr;
mod servers;
mod yookassa;

pub use app::{ADDRESS, TestCrm, new_client, open_crm};
pub use backend::{Backend, TestDb, backends, database_url, redis_url, unique_suffix};
pub use clock::{FixedClock, t0};
pub use outbox::ClaimOne;
pub use paperwork::{agency, registry};
pub use qr::qr_text;
pub use servers::{PostgresServer, RedisServer};
pub use yookassa::{FakeYooKassa, SECRET_KEY as YOOKASSA_SECRET_KEY, SHOP_ID as YOOKASSA_SHOP_ID, Seen};

/// Online payments through `fake`, with receipts (VAT code 1) and notifications allowed from
/// `allow` (CIDRs).
pub fn online_payments(fake: &FakeYooKassa, allow: &[&str]) -> crm::services::payments::OnlinePayments {
    use crm::services::payments::{OnlinePayments, YooKassa, YooKassaCredentials};
    let creds = YooKassaCredentials {
        shop_id: YOOKASSA_SHOP_ID.into(),
        secret_key: YOOKASSA_SECRET_KEY.to_owned().into(),
        api_url: fake.url.clone(),
    };
    OnlinePayments {
        provider: std::sync::Arc::new(YooKassa::new(creds).unwrap()),
        return_url: "https://t.me/test_agency_bot".into(),
        receipts: Some(1),
        webhook_allow: allow.iter().map(|a| a.parse().unwrap()).collect(),
    }
}

/// Runs an async test body once per configured backend ([`backends`]), each time over a fresh
/// database. The test crate provides the app: `crate::helpers::spawn(Backend)` (and, for the
/// `master = key` form, `crate::helpers::spawn_with_key(Backend, &str)`), which wrap
/// [`TestCrm`] with that crate's own helpers. Assertions name `app.backend` so a failure says
/// which backend it was on.
#[macro_export]
// `crate` is meant: the test crate that invokes the macro, whose `helpers` build its app.
#[allow(clippy::crate_in_macro_def)]
macro_rules! each_backend {
    ($name:ident, |$app:ident| $body:block) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            for backend in $crate::backends() {
                let $app = crate::helpers::spawn(backend).await;
                $body
            }
        }
    };
    ($name:ident, master = $key:expr, |$app:ident| $body:block) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            for backend in $crate::backends() {
                let $app = crate::helpers::spawn_with_key(backend, $key).await;
                $body
            }
        }
    };
}
