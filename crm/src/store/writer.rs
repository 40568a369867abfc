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

/// A connection held in its writer's turn, which ends when it is dropped: derefs to the
/// connection the store functions take.
pub struct InTurn<C> {
    // Declared before the turn: a transaction dropped uncommitted queues its rollback before the
    // next writer is let in.
    inner: C,
    _turn: Option<OwnedSemaphorePermit>,
}

/// A write transaction in its writer's turn; dropped without [`commit`](InTurn::commit), it
/// rolls back.
pub type Tx = InTurn<sqlx::Transaction<'static, sqlx::Any>>;

/// A pooled connection for one write outside a transaction, in its writer's turn.
pub type WriteConn = InTurn<sqlx::pool::PoolConnection<sqlx::Any>>;

impl<C> InTurn<C> {
    pub(super) fn new(inner: C, turn: Option<OwnedSemaphorePermit>) -> InTurn<C> {
        InTurn { inner, _turn: turn }
    }
}

impl Tx {
    /// Commits; the next writer's turn comes once the commit is done.
    pub async fn commit(self) -> Result<()> {
        self.inner.commit().await?;
        Ok(())
    }
}

impl<C: DerefMut<Target = Conn>> Deref for InTurn<C> {
    type Target = Conn;

    fn deref(&self) -> &Conn {
        &self.inner
    }
}

impl<C: DerefMut<Target = Conn>> DerefMut for InTurn<C> {
    fn deref_mut(&mut self) -> &mut Conn {
        &mut self.inner
    }
}
