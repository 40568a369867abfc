//! Storage: one code path for SQLite and PostgreSQL.
//!
//! **Why sqlx's `Any` driver.** The alternative, an enum of two pools with a dispatch macro,
//! keeps native column types but makes every query generic over two databases. With `Any`
//! there is one pool type and each query is written once as plain SQL with `$1` placeholders
//! (both dialects accept them, and `RETURNING`). The price is that `Any` decodes only portable
//! types, so the schema keeps to them: `BIGINT`/`INTEGER` ids and 0/1 flags, `TEXT` for times
//! (RFC 3339 UTC with a fixed width, so text order is time order) and ISO dates, `BLOB`/`BYTEA`
//! for ciphertext. Sums are cast back to `BIGINT` (`SUM` of a `BIGINT` is `NUMERIC` in
//! PostgreSQL, which `Any` refuses). Where the dialects really differ, [`Backend`] says which one
//! we are on. The two schemas live in `migrations/sqlite` and `migrations/postgres`, numbered
//! alike; a test proves they give the same tables and columns.
//!
//! Store functions take a `&mut AnyConnection`, so a service can run a change and its audit
//! record in one transaction.

// Front-ends reach storage only through the services, which re-export the rows and filters
// they need; so the modules are the crate's own. The few still public are used directly by tests
// and benchmarks that set up or inspect what no service offers (clients seeded in bulk without
// their audit rows, a raw outbox row, a left-over key, a room's price on a day, an old audit time
// stamp).
pub(crate) mod audit;
pub(crate) mod bookings;
// Commission rates and their history (issue #15).
pub mod clients;
pub(crate) mod commissions;
pub(crate) mod departures;
pub(crate) mod dialogue_states;
pub(crate) mod documents;
pub(crate) mod figures;
mod filter;
pub mod hotels;
pub(crate) mod interactions;
pub mod keys;
mod like;
pub(crate) mod login_failures;
pub(crate) mod notifications;
// Online payments, provider events applied, the accountant's flags.
pub(crate) mod online_payments;
pub(crate) mod operations;
pub mod outbox;
pub(crate) mod paperwork;
// The financial reports' aggregates (public for the benchmark's EXPLAIN).
pub mod reports;
pub(crate) mod social;
pub(crate) mod staff;
pub(crate) mod starts;
pub(crate) mod telegram_accounts;
pub mod time;
pub(crate) mod tours;
pub(crate) mod travellers;
pub(crate) mod web_sessions;
// Documents issued for signing and their evidence.
pub mod signing;
// Telegram Payments: invoices and the charges Telegram reported.
pub(crate) mod telegram_payments;
// SQLite's writers one at a time, woken in turn rather than polling its lock.
mod writer;

use crate::Result;
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor};
use std::time::Duration;

pub use self::writer::{Tx, WriteConn};
pub use sqlx::AnyConnection as Conn;

/// A pooled connection idle this long is pinged before it is handed out (see `connect`).
const PING_IDLE_AFTER: Duration = Duration::from_secs(1);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backend named by a database URL's scheme, or `None` for an unknown scheme.
    pub fn from_url(url: &str) -> Option<Backend> {
        let scheme = url.split_once(':').map(|(s, _)| s)?;
        match scheme {
            "sqlite" => Some(Backend::Sqlite),
            "postgres" | "postgresql" => Some(Backend::Postgres),
            _ => None,
        }
    }
}

/// The backend's name, as in its URL scheme: `sqlite`, `postgres`.
impl std::fmt::Display for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        })
    }
}

#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    turns: writer::Turns,
}

impl std::fmt::Debug for Store {
    // The pool's options carry the URL with its password: never print them.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("backend", &self.backend).finish()
    }
}

impl Store {
    /// Connects (creating a SQLite file if missing) without migrating.
    pub async fn connect(url: &str) -> Result<Store> {
        install_default_drivers();
        let backend = Backend::from_url(url).ok_or(crate::Error::NotFound("database backend for this URL scheme"))?;
        let (url, max) = match backend {
            Backend::Sqlite => {
                if let Some(file) = sqlite_file(url) {
                    private_file(&file);
                }
                // SQLite takes one writer at a time, and each connection is a thread of sqlx's
                // with a page cache of its own that another connection's write makes stale: three
                // (a writer and two readers beside it — a report, the scheduler's scan) served
                // the bot's loads with 10–25 % less CPU and the same or better latency than
                // eight (README, «The bot's update path»).
                (sqlite_url(url), 3)
            }
            Backend::Postgres => (url.to_owned(), 16),
        };
        let pool = AnyPoolOptions::new()
            .max_connections(max)
            // A database that went away fails a request within 5 s (the bot then asks the user
            // to repeat) rather than holding it; the pool reconnects by itself when it returns.
            .acquire_timeout(Duration::from_secs(5))
            // sqlx pings a connection when it is released and, by default, again when it is
            // acquired: a round trip to PostgreSQL, a hand-off to SQLite's worker thread, for
            // each of the few queries of a bot update. The release ping already proves the
            // connection was alive a moment ago, so only one that sat idle long enough for the
            // server to have gone away since (a restart) is pinged before use; a dead one is
            // dropped and another taken, as before.
            .test_before_acquire(false)
            .before_acquire(|conn, meta| {
                Box::pin(async move {
                    if meta.idle_for >= PING_IDLE_AFTER {
                        sqlx::Connection::ping(conn).await?;
                    }
                    Ok(true)
                })
            })
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets readers run beside the writer; the busy timeout makes a writer
                        // wait for the lock instead of failing at once.
                        conn.execute("PRAGMA journal_mode = WAL").await?;
                        conn.execute("PRAGMA busy_timeout = 10000").await?;
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                        conn.execute("PRAGMA synchronous = NORMAL").await?;
                        // Deleted rows are overwritten, not left in free pages: personal data
                        // removed (an address moved out of clear, a withdrawn consent's data)
                        // must not linger in the file.
                        conn.execute("PRAGMA secure_delete = ON").await?;
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await?;
        let turns = match backend {
            Backend::Sqlite => writer::Turns::one_at_a_time(),
            Backend::Postgres => writer::Turns::side_by_side(),
        };
        Ok(Store { pool, backend, turns })
    }

    /// Connects and applies every pending migration of this backend.
    pub async fn open(url: &str) -> Result<Store> {
        let store = Store::connect(url).await?;
        store.migrate().await?;
        Ok(store)
    }

    pub async fn migrate(&self) -> Result<()> {
        match self.backend {
            Backend::Sqlite => sqlx::migrate!("../migrations/sqlite").run(&self.pool).await?,
            Backend::Postgres => sqlx::migrate!("../migrations/postgres").run(&self.pool).await?,
        }
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// A write transaction. On SQLite it waits for its writer's turn (see `writer`) and starts
    /// `IMMEDIATE`: it takes the write lock at once, so a transaction that reads and then writes
    /// can never fail halfway because another writer committed in between.
    pub async fn begin(&self) -> Result<Tx> {
        let turn = self.turns.take().await?;
        let tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(Tx::new(tx, turn))
    }

    /// A connection for one write outside a transaction, in its writer's turn on SQLite. Use it
    /// for that write alone and drop it: no other write of the same task may be awaited while
    /// it is held (see `writer`).
    pub async fn write_conn(&self) -> Result<WriteConn> {
        let turn = self.turns.take().await?;
        Ok(WriteConn::new(self.pool.acquire().await?, turn))
    }

    pub async fn conn(&self) -> Result<sqlx::pool::PoolConnection<sqlx::Any>> {
        Ok(self.pool.acquire().await?)
    }

    /// Leadership of the background work that must run once per installation (scheduling and
    /// sending notifications). On PostgreSQL it is a session advisory lock held on a connection
    /// of its own: it is released when the holder stops or its connection dies, and another
    /// instance takes over at its next try. A SQLite file is one machine's: always granted.
    pub async fn try_lead(&self, key: i64) -> Result<Option<Leadership>> {
        match self.backend {
            Backend::Sqlite => Ok(Some(Leadership { held: None })),
            Backend::Postgres => {
                let mut conn = self.pool.acquire().await?.detach();
                let got: bool =
                    sqlx::query_scalar("SELECT pg_try_advisory_lock($1)").bind(key).fetch_one(&mut conn).await?;
                if got {
                    Ok(Some(Leadership { held: Some(conn) }))
                } else {
                    let _ = sqlx::Connection::close(conn).await;
                    Ok(None)
                }
            }
        }
    }

    /// Answers whether the database responds, for `/healthz`.
    /// SQLite: moves the write-ahead log into the database and empties it, so pages overwritten
    /// by a secure delete leave no older copy in the log. Nothing to do on PostgreSQL.
    pub async fn truncate_wal(&self) -> Result<()> {
        if self.backend == Backend::Sqlite {
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&self.pool).await?;
        }
        Ok(())
    }

    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Makes sure a SQLite URL creates its file on first run (`mode=rwc`).
fn sqlite_url(url: &str) -> String {
    if url.contains("mode=") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    }
}

/// The database file of a SQLite URL that may create it; `None` for an in-memory or read-only
/// database.
fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    let path = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
    let (file, query) = path.split_once('?').unwrap_or((path, ""));
    let creates = query.split('&').all(|p| !p.starts_with("mode=") || p == "mode=rwc");
    (creates && !file.is_empty() && file != ":memory:").then(|| std::path::PathBuf::from(file))
}

/// The database file, its folder and its `-wal`/`-shm` files are its owner's only: SQLite
/// would create the file 0644 (and the other two with the file's mode), next to the master
/// key. So the folder is created 0700, the file is created empty with 0600 before SQLite opens
/// it, and an existing file made by an older version is made 0600. Errors here are left for
/// the pool to report when it opens the file (with its path); a mode that cannot be changed is
/// logged.
fn private_file(file: &std::path::Path) {
    let _ = crate::private_fs::touch(file);
    for suffix in ["", "-wal", "-shm"] {
        let mut path = file.as_os_str().to_owned();
        path.push(suffix);
        let path = std::path::Path::new(&path);
        match crate::private_fs::restrict(path) {
            Ok(true) => tracing::warn!(path = %path.display(), "others could read this database file: made it 0600"),
            Ok(false) => {}
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "others can read this database file and its mode cannot be changed")
            }
        }
    }
}

/// The right to run the once-per-installation background work while it is held; see
/// [`Store::try_lead`].
pub struct Leadership {
    held: Option<sqlx::AnyConnection>,
}

impl std::fmt::Debug for Leadership {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Leadership").field("advisory_lock", &self.held.is_some()).finish()
    }
}

impl Leadership {
    /// Whether the lock is still ours (its connection still answers).
    pub async fn still_held(&mut self) -> bool {
        match &mut self.held {
            None => true,
            Some(conn) => sqlx::query("SELECT 1").execute(&mut *conn).await.is_ok(),
        }
    }
}

/// Flags are stored as 0/1 integers (portable across both backends).
pub(crate) fn flag(b: bool) -> i64 {
    i64::from(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_is_chosen_from_the_scheme() {
        assert_eq!(Backend::from_url("sqlite://x.db"), Some(Backend::Sqlite));
        assert_eq!(Backend::from_url("sqlite::memory:"), Some(Backend::Sqlite));
        assert_eq!(Backend::from_url("postgres://u@h/db"), Some(Backend::Postgres));
        assert_eq!(Backend::from_url("postgresql://u@h/db"), Some(Backend::Postgres));
        assert_eq!(Backend::from_url("mysql://u@h/db"), None);
        assert_eq!(Backend::from_url("tourcrm.db"), None);
    }

    #[test]
    fn a_backend_is_named_by_its_scheme() {
        assert_eq!(Backend::Sqlite.to_string(), "sqlite");
        assert_eq!(Backend::Postgres.to_string(), "postgres");
        for b in [Backend::Sqlite, Backend::Postgres] {
            assert_eq!(Backend::from_url(&format!("{b}://x")), Some(b));
        }
    }

    #[test]
    fn only_file_databases_that_may_be_created_are_prepared() {
        let p = |u: &str| sqlite_file(u).map(|p| p.display().to_string());
        assert_eq!(p("sqlite:///tmp/x.db").as_deref(), Some("/tmp/x.db"));
        assert_eq!(p("sqlite://./data/x.db?cache=shared").as_deref(), Some("./data/x.db"));
        assert_eq!(p("sqlite:///tmp/x.db?mode=rwc").as_deref(), Some("/tmp/x.db"));
        assert_eq!(p("sqlite:///tmp/x.db?mode=ro"), None);
        assert_eq!(p("sqlite::memory:"), None);
        assert_eq!(p("sqlite://"), None);
    }

    #[cfg(unix)]
    #[test]
    fn the_database_its_folder_and_its_journals_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let root = tempfile::tempdir().unwrap();
        let file = root.path().join("data/x.db");
        private_file(&file);
        assert_eq!(mode(&root.path().join("data")), 0o700);
        assert_eq!(mode(&file), 0o600);
        // Files left by an older version, open to everyone.
        let wal = root.path().join("data/x.db-wal");
        std::fs::write(&wal, b"").unwrap();
        for p in [&file, &wal] {
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
        private_file(&file);
        assert_eq!((mode(&file), mode(&wal)), (0o600, 0o600));
    }

    #[test]
    fn sqlite_urls_create_their_file() {
        assert_eq!(sqlite_url("sqlite:///tmp/x.db"), "sqlite:///tmp/x.db?mode=rwc");
        assert_eq!(sqlite_url("sqlite:///tmp/x.db?cache=shared"), "sqlite:///tmp/x.db?cache=shared&mode=rwc");
        assert_eq!(sqlite_url("sqlite:///tmp/x.db?mode=ro"), "sqlite:///tmp/x.db?mode=ro");
    }
}
