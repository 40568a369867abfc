//! The lockout: at most [`MAX_FAILURES`] password checks of one login within
//! [`LOCKOUT_MINUTES`], for sign-ins and password changes alike; then the login is locked for
//! [`LOCKOUT_MINUTES`], whoever it belongs to (the admin included), until the lock ends, an admin
//! lifts it ([`Crm::unlock_staff`], the staff page, `tourcrm staff unlock`) or resets the password.
//!
//! **Why a check is counted before it runs.** Counting a failure after the check lets requests
//! in parallel all read "4 failures" and all check a password (31 parallel guesses once checked
//! 25, and a failure on a locked row even started a fresh count). So every check first takes a
//! number from one atomic statement ([`store::count_check`]): a locked login is refused there,
//! before any argon2 work; the check that takes the last number sets the lock at once; and a
//! locked row is never written, so nothing but a success or an admin shortens a lock. A success
//! forgets the count.

use super::Crm;
use super::audit::Audited;
use crate::audit::{self, AuditAction, AuditField, AuditObject, Entry};
use crate::domain::{Role, StaffId};
use crate::store::login_failures::{self as store, Counted};
use crate::store::staff::{self as staff_store, Staff};
use crate::{Actor, Error, Result};
use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;
use std::sync::atomic::Ordering;

/// Password checks of one login within [`LOCKOUT_MINUTES`] before it locks.
pub const MAX_FAILURES: i64 = 5;
/// How long a locked login stays locked (and the window in which checks are counted).
pub const LOCKOUT_MINUTES: i64 = 15;

/// Case-folded and bounded, so any typed login maps to one counter row.
pub(super) fn login_key(login: &str) -> String {
    login.trim().to_ascii_lowercase().chars().take(64).collect()
}

pub(super) fn window() -> Duration {
    Duration::minutes(LOCKOUT_MINUTES)
}

/// May a password of this login be checked now?
pub(super) enum Check {
    /// Yes: this is the check counted as `Counted::number`.
    Allowed(Counted),
    /// No: the login is locked until then.
    Locked(DateTime<Utc>),
}

impl Crm {
    /// Counts a password check of `key` before it is made, or refuses it when the login is
    /// locked. A new counting window is also the moment to forget old counts, so the rows of
    /// logins typed once do not pile up.
    pub(super) async fn count_check(&self, key: &str) -> Result<Check> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let check = match store::count_check(&mut tx, key, now, window(), MAX_FAILURES).await? {
            Some(counted) => {
                if counted.number == 1 {
                    store::purge(&mut tx, now, window()).await?;
                }
                Check::Allowed(counted)
            }
            // The row is ours until commit (locked by the upsert, or the one SQLite writer).
            None => Check::Locked(store::locked_until(&mut tx, key, now).await?.ok_or(Error::NotFound("login lock"))?),
        };
        tx.commit().await?;
        Ok(check)
    }

    /// After a wrong password of a counted check: the lock it leaves standing, if this was the
    /// last check allowed (recorded in the audit log once, by that check).
    pub(super) async fn failed_check(&self, key: &str, counted: &Counted) -> Result<Option<DateTime<Utc>>> {
        if let Some(until) = counted.locked_until {
            let entry = Entry::new(AuditAction::StaffSignInLocked, AuditObject::Login(key.to_owned()))
                .with(AuditField::LockedUntil, audit::moment(until));
            self.audit(&Actor::System, &entry).await?;
            return Ok(Some(until));
        }
        Ok(None)
    }

    /// After a right password: the count starts over (and a lock set by this very check goes).
    pub(super) async fn passed_check(&self, key: &str) -> Result<()> {
        store::clear(&mut *self.store.write_conn().await?, key, self.now()).await?;
        Ok(())
    }

    /// Checks `password` against a stored hash (`None`: an unknown login) on the blocking pool,
    /// and counts the check.
    pub(super) async fn check_password(&self, password: &str, stored: Option<&str>) -> bool {
        self.password_checks.fetch_add(1, Ordering::Relaxed);
        super::passwords::verify(password, stored).await
    }

    /// How many passwords this instance has checked with argon2 since it started: the work the
    /// lockout bounds.
    pub fn password_checks(&self) -> u64 {
        self.password_checks.load(Ordering::Relaxed)
    }

    /// Lifts the lock of a staff member's login (the admin's, from the staff page or the
    /// command line); `false` when it was not locked. Audited when a lock is lifted.
    pub async fn unlock_staff(&self, actor: &Actor, id: StaffId) -> Result<bool> {
        actor.require(&[Role::Admin], "only an admin lifts a sign-in lock")?;
        let mut tx = self.audited(actor).await?;
        let staff = staff_store::get(&mut tx, id).await?.ok_or(Error::NotFound("staff"))?;
        let Some(lifted) = lift_lock(&mut tx, &staff).await? else {
            // Not locked: the count of failures is forgotten all the same.
            tx.commit_unrecorded().await?;
            return Ok(false);
        };
        tx.commit(lifted).await?;
        Ok(true)
    }

    /// The staff members whose login is locked now, with the end of each lock (the admin's).
    pub async fn staff_locks(&self, actor: &Actor) -> Result<HashMap<StaffId, DateTime<Utc>>> {
        actor.require(&[Role::Admin], "only an admin sees sign-in locks")?;
        let locks = store::locked_staff(&mut *self.store.conn().await?, self.now()).await?;
        Ok(locks.into_iter().collect())
    }
}

/// Forgets the count of a staff member's login; when a lock stood, the entry that says who
/// lifted it, for the caller's transaction to record.
pub(super) async fn lift_lock(tx: &mut Audited, staff: &Staff) -> Result<Option<Entry>> {
    let now = tx.now();
    let Some(until) = store::clear(tx, &login_key(&staff.login), now).await? else { return Ok(None) };
    let entry = Entry::new(AuditAction::StaffUnlock, AuditObject::Staff(staff.id))
        .with(AuditField::LockedUntil, audit::moment(until));
    Ok(Some(entry))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_keys_are_folded_and_bounded() {
        assert_eq!(login_key("  Anna "), "anna");
        assert_eq!(login_key(&"x".repeat(1000)).len(), 64);
    }
}
