//! For the workspace's own tests (crm, panel, bot, end to end): a fresh PostgreSQL database per
//! test, so tests never see each other's rows. Not used by the product.

use sqlx::Connection;

/// A random 16-hex-digit name part (test databases, Redis prefixes, chat ids).
pub fn unique_suffix() -> String {
    use rand::RngCore;
    format!("{:016x}", rand::rng().next_u64())
}

/// Creates `tourcrm_test_<random>` on the server of `base` (a PostgreSQL URL) and returns its
/// URL. Panics with a clear message when the server does not answer: a test run that asked
/// for PostgreSQL must not pass without it. `.ci/run` drops these databases at the start.
pub async fn fresh_postgres_database(base: &str) -> String {
    let mut admin = sqlx::PgConnection::connect(base)
        .await
        .unwrap_or_else(|e| panic!("TOURCRM_TEST_POSTGRES_URL is set but PostgreSQL does not answer: {e}"));
    let name = format!("tourcrm_test_{}", unique_suffix());
    if let Err(e) = sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await {
        panic!("cannot create the test database {name}: {e}");
    }
    let _ = admin.close().await;
    let (prefix, _) = base.rsplit_once('/').unwrap_or((base, ""));
    format!("{prefix}/{name}")
}
