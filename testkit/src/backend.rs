//! Which databases a run covers, and a fresh one for each test.

pub use crm::store::Backend;
use sqlx::Connection;
use std::path::{Path, PathBuf};

/// The PostgreSQL server tests create their databases on.
const POSTGRES: &str = "TOURCRM_TEST_POSTGRES_URL";
/// The Redis server of the state and rate-limit tests.
const REDIS: &str = "TOURCRM_TEST_REDIS_URL";

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// The backends this run covers: SQLite always, PostgreSQL when `TOURCRM_TEST_POSTGRES_URL`
/// is set.
pub fn backends() -> Vec<Backend> {
    let mut all = vec![Backend::Sqlite];
    if env(POSTGRES).is_some() {
        all.push(Backend::Postgres);
    }
    all
}

/// The Redis server of this run, when `TOURCRM_TEST_REDIS_URL` is set.
pub fn redis_url() -> Option<String> {
    env(REDIS)
}

/// A random 16-hex-digit name part (test databases, Redis prefixes, chat ids).
pub fn unique_suffix() -> String {
    use rand::RngCore;
    format!("{:016x}", rand::rng().next_u64())
}

/// A fresh, empty database of one backend, for one test; migrated by the first
/// `Store::open`. The SQLite file lives in a temporary directory that goes with this value.
#[derive(Debug)]
pub struct TestDb {
    pub backend: Backend,
    /// What `Store::open` takes.
    pub url: String,
    sqlite_file: Option<PathBuf>,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    pub async fn new(backend: Backend) -> TestDb {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let file = dir.path().join("test.db");
                let url = database_url(backend, &file).await;
                TestDb { backend, url, sqlite_file: Some(file), _dir: Some(dir) }
            }
            Backend::Postgres => {
                TestDb { backend, url: fresh_postgres_database().await, sqlite_file: None, _dir: None }
            }
        }
    }

    /// The SQLite database file (its journal is beside it, with `-wal`); `None` on PostgreSQL.
    pub fn sqlite_file(&self) -> Option<&Path> {
        self.sqlite_file.as_deref()
    }
}

/// The URL of a new empty database of `backend`: on SQLite the file `sqlite_file` (the first
/// open creates it), on PostgreSQL a fresh database. For a test that chooses where the file
/// goes (the binary's data directory); [`TestDb`] otherwise.
pub async fn database_url(backend: Backend, sqlite_file: &Path) -> String {
    match backend {
        Backend::Sqlite => format!("sqlite://{}", sqlite_file.display()),
        Backend::Postgres => fresh_postgres_database().await,
    }
}

/// Creates `tourcrm_test_<random>` on the server of `TOURCRM_TEST_POSTGRES_URL` and returns its
/// URL. Panics with a clear message when the server does not answer: a run that asked for
/// PostgreSQL must not pass without it. `.ci/run` drops these databases at its start.
async fn fresh_postgres_database() -> String {
    let base = env(POSTGRES).unwrap_or_else(|| panic!("a PostgreSQL test needs {POSTGRES}"));
    let mut admin = sqlx::PgConnection::connect(&base)
        .await
        .unwrap_or_else(|e| panic!("{POSTGRES} is set but PostgreSQL does not answer: {e}"));
    let name = format!("tourcrm_test_{}", unique_suffix());
    if let Err(e) = sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await {
        panic!("cannot create the test database {name}: {e}");
    }
    let _ = admin.close().await;
    let (prefix, _) = base.rsplit_once('/').unwrap_or((&base, ""));
    format!("{prefix}/{name}")
}
