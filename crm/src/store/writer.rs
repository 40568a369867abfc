//! SQLite's writers take turns here, in the order they came, before they reach the database.
//!
//! **Why.** SQLite lets one connection write at a time. A second writer finds the lock taken
//! and its busy handler puts the thread to sleep — 1, 2, 5, 10, 15, 20, 25, 50, 100 ms, growing
//! with each try, since SQLite cannot tell it when the lock is free. Fifty clients answering at
//! once made the bot's writers (a chat's state saved, a registration's transaction) meet there:
//! traced over that load, 398 such sleeps, up to 50 ms each, and replies 80 ms late at p95 where
//! the work took 2. Here a writer waits for the one before it to finish and is woken the moment it
//! does (a fair semaphore of one), so SQLite only ever sees one writer of this process.
//!
//! Transactions ([`super::Store::begin`], hence every audited change) always take a turn; a
//! single statement that writes outside one takes it through [`super::Store::write_conn`]. Only
//! where the connection is used for that write alone and then dropped: a turn held while
//! awaiting another write of the same task would wait for itself (until [`TURN_WAIT`] gives up,
//! as SQLite's busy timeout did). Writes elsewhere — another process on the file, a statement
//! not routed here — still meet SQLite's busy handler, as before. PostgreSQL locks rows, not the
//! database: no turns there.

use super::Conn;
use crate::Result;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// How long a writer waits for its turn before the write fails: SQLite's busy timeout, which
/// the same wait met before turns were taken here.
pub(super) const TURN_WAIT: Duration = Duration::from_secs(10);

/// The turns of one database's writers; `None` where the database takes writers side by side.
#[derive(Clone)]
pub(super) struct Turns(Option<Arc<Semaphore>>);

impl Turns {
    pub(super) fn one_at_a_time() -> Turns {
        Turns(Some(Arc::new(Semaphore::new(1))))
    }

    pub(super) fn side_by_side() -> Turns {
        Turns(None)
    }

    /// Waits for this writer's turn; it lasts until the returned value is dropped.
    pub(super) async fn take(&self) -> Result<Option<OwnedSemaphorePermit>> {
        let Some(turns) = &self.0 else { return Ok(None) };
        match tokio::time::timeout(TURN_WAIT, turns.clone().acquire_owned()).await {
            Ok(Ok(turn)) => Ok(Some(turn)),
            // The semaphore is never closed; a timeout is the database being busy.
            Ok(Err(_)) | Err(_) => Err(sqlx::Error::PoolTimedOut.into()),
        }
    }
}

/// A write transaction holding its writer's turn: derefs to the connection the store functions
/// take; dropped without [`commit`](Tx::commit), it rolls back.
pub struct Tx {
    // Declared before the turn: a transaction dropped uncommitted queues its rollback before the
    // next writer is let in.
    tx: sqlx::Transaction<'static, sqlx::Any>,
    _turn: Option<OwnedSemaphorePermit>,
}

impl Tx {
    pub(super) fn new(tx: sqlx::Transaction<'static, sqlx::Any>, turn: Option<OwnedSemaphorePermit>) -> Tx {
        Tx { tx, _turn: turn }
    }

    /// Commits; the next writer's turn comes once the commit is done.
    pub async fn commit(self) -> Result<()> {
        self.tx.commit().await?;
        Ok(())
    }
}

impl Deref for Tx {
    type Target = Conn;

    fn deref(&self) -> &Conn {
        &self.tx
    }
}

impl DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut Conn {
        &mut self.tx
    }
}

/// A pooled connection for one write outside a transaction, holding its writer's turn.
pub struct WriteConn {
    conn: sqlx::pool::PoolConnection<sqlx::Any>,
    _turn: Option<OwnedSemaphorePermit>,
}

impl WriteConn {
    pub(super) fn new(conn: sqlx::pool::PoolConnection<sqlx::Any>, turn: Option<OwnedSemaphorePermit>) -> WriteConn {
        WriteConn { conn, _turn: turn }
    }
}

impl Deref for WriteConn {
    type Target = Conn;

    fn deref(&self) -> &Conn {
        &self.conn
    }
}

impl DerefMut for WriteConn {
    fn deref_mut(&mut self) -> &mut Conn {
        &mut self.conn
    }
}
