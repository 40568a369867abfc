//! The audit log: a change and its entry written in one transaction ([`Audited`]), and the log
//! read back (the admin's).
//!
//! **Why a transaction that ends with its entry, not a closure.** A service begins with
//! [`Crm::audited`], makes its change through the transaction (it derefs to the connection the
//! store functions take), reads back what it returns, and ends with
//! [`commit`](Audited::commit), which writes the entry and commits both: no change is committed
//! without its entry, no entry outlives a change rolled back, and the moment and the actor are
//! taken once. A helper running an async closure over the transaction would promise the same,
//! but each change would hand its entry back beside its value, and the entry often needs what
//! the change made (a new id); here the service code reads as it did, in order, and its early
//! refusals stay plain `return Err(..)`s that drop (roll back) the transaction.

use super::Crm;
use crate::audit::Entry;
use crate::domain::Role;
use crate::store::Conn;
use crate::store::audit::{self, AuditEntry, AuditFilter};
use crate::{Actor, Result};
use chrono::{DateTime, Utc};
use std::ops::{Deref, DerefMut};

/// A write transaction of an actor at one moment, ended by the entry that records it. Dropped
/// without a commit (a refusal returned halfway), it rolls back and records nothing.
pub(crate) struct Audited {
    tx: crate::store::Tx,
    actor: String,
    now: DateTime<Utc>,
}

impl Audited {
    /// The moment of the change: stamp what it writes with this, the entry has it too.
    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    /// Writes an entry besides the one the commit writes: a second thing this change did (a
    /// password reset also lifts a lock).
    pub async fn record(&mut self, entry: &Entry) -> Result<()> {
        audit::record(&mut self.tx, self.now, &self.actor, entry).await?;
        Ok(())
    }

    /// Writes the entry of the change and commits both.
    pub async fn commit(mut self, entry: Entry) -> Result<()> {
        self.record(&entry).await?;
        self.tx.commit().await
    }

    /// Commits a transaction that turned out to change nothing the log records (a request
    /// already fulfilled, or only bookkeeping such as a forgotten count of failed sign-ins).
    pub async fn commit_unrecorded(self) -> Result<()> {
        self.tx.commit().await
    }
}

impl Deref for Audited {
    type Target = Conn;

    fn deref(&self) -> &Conn {
        &self.tx
    }
}

impl DerefMut for Audited {
    fn deref_mut(&mut self) -> &mut Conn {
        &mut self.tx
    }
}

impl Crm {
    /// Begins a change by `actor`, now, that [`Audited::commit`] ends with its entry.
    pub(crate) async fn audited(&self, actor: &Actor) -> Result<Audited> {
        Ok(Audited { tx: self.store.begin().await?, actor: actor.audit_name(), now: self.now() })
    }

    /// Writes one entry on its own, for what is not a change of data made here: a reading of
    /// personal documents, a sign-in or sign-out, a lock that a refused password set.
    pub(crate) async fn audit(&self, actor: &Actor, entry: &Entry) -> Result<()> {
        let mut conn = self.store.write_conn().await?;
        audit::record(&mut conn, self.now(), &actor.audit_name(), entry).await?;
        Ok(())
    }

    pub async fn audit_log(&self, actor: &Actor, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
        actor.require(&[Role::Admin], "only an admin reads the audit log")?;
        Ok(audit::list(&mut *self.store.conn().await?, filter).await?)
    }
}
