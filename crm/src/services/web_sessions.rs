//! Panel sign-in and sessions: a session token for the cookie (only its SHA-256 hash is
//! stored), a CSRF token per session, expiry after inactivity and after an absolute lifetime,
//! and a lockout after repeated failed sign-ins. Knows nothing of HTTP: the panel turns these
//! results into cookies and pages.

use super::{Crm, passwords};
use crate::store::staff::Staff;
use crate::store::web_sessions::{self as store, Failures, NewSession};
use crate::store::{audit, staff as staff_store};
use crate::{Actor, Error, Result};
use chrono::{DateTime, Duration, Utc};

/// A session ends after this long without a request.
pub const SESSION_IDLE_HOURS: i64 = 8;
/// …and in any case this long after sign-in.
pub const SESSION_MAX_DAYS: i64 = 7;
/// Failed sign-ins of one login within [`LOCKOUT_MINUTES`] that lock it.
pub const MAX_FAILURES: i64 = 5;
/// How long a locked login stays locked (and the window in which failures are counted).
pub const LOCKOUT_MINUTES: i64 = 15;
/// `last_seen` is written at most this often, so reading pages does not mean writing the database.
const TOUCH_EVERY_SECONDS: i64 = 60;
/// Longer cookie values are not ours; refused before hashing.
const MAX_TOKEN_LEN: usize = 128;

/// A signed-in staff member, as the panel sees them on each request.
#[derive(Debug, Clone)]
pub struct PanelSession {
    pub staff: Staff,
    pub actor: Actor,
    /// The token every form of this session must send back.
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
}

/// A new session: `token` goes into the cookie and is never stored in clear.
#[derive(Debug)]
pub struct SessionStarted {
    pub token: String,
    pub staff: Staff,
}

/// The outcome of a sign-in attempt. A wrong password is an answer, not an error.
#[derive(Debug)]
pub enum SignIn {
    Started(SessionStarted),
    /// Wrong login or password (the same answer for both); attempts left before the lockout.
    Refused {
        attempts_left: i64,
    },
    /// Too many failures: no password is checked until then.
    Locked {
        until: DateTime<Utc>,
    },
}

/// Case-folded and bounded, so any typed login maps to one counter row.
fn login_key(login: &str) -> String {
    login.trim().to_ascii_lowercase().chars().take(64).collect()
}

impl Crm {
    /// Checks the lockout, then the password; starts a session on success and counts a failure
    /// otherwise.
    pub async fn sign_in(&self, login: &str, password: &str) -> Result<SignIn> {
        let key = login_key(login);
        let now = self.now();
        let current = store::failures(&mut *self.store.conn().await?, &key).await?;
        if let Some(until) = current.and_then(|f| f.locked_until).filter(|until| *until > now) {
            return Ok(SignIn::Locked { until });
        }
        match self.authenticate(&key, password).await {
            Ok(staff) => {
                store::clear_failures(&mut *self.store.conn().await?, &key).await?;
                Ok(SignIn::Started(self.start_session(&staff).await?))
            }
            Err(Error::Forbidden(_)) => self.record_failed_login(&key).await,
            Err(e) => Err(e),
        }
    }

    /// Counts one failed sign-in of `login`; the [`MAX_FAILURES`]th within the window locks it.
    pub async fn record_failed_login(&self, login: &str) -> Result<SignIn> {
        let key = login_key(login);
        let now = self.now();
        let window = Duration::minutes(LOCKOUT_MINUTES);
        let mut tx = self.store.begin().await?;
        let fresh = Failures { failures: 0, window_started_at: now, locked_until: None };
        let mut f = match store::failures(&mut tx, &key).await? {
            Some(f) if f.window_started_at + window > now && f.locked_until.is_none() => f,
            _ => fresh,
        };
        f.failures += 1;
        if f.failures >= MAX_FAILURES {
            f.locked_until = Some(now + window);
        }
        store::put_failures(&mut tx, &key, &f).await?;
        if let Some(until) = f.locked_until {
            audit::record(&mut tx, now, "system", "staff.sign_in_locked", "login", Some(key), None).await?;
            tx.commit().await?;
            return Ok(SignIn::Locked { until });
        }
        tx.commit().await?;
        Ok(SignIn::Refused { attempts_left: MAX_FAILURES - f.failures })
    }

    /// Starts a session for a staff member whose password was just checked.
    pub async fn start_session(&self, staff: &Staff) -> Result<SessionStarted> {
        let token = passwords::invite_token();
        let csrf = passwords::invite_token();
        let now = self.now();
        let mut conn = self.store.conn().await?;
        // Sign-ins are rare: a good moment to forget sessions nobody will use again.
        store::delete_expired(&mut conn, now).await?;
        store::insert(
            &mut conn,
            &NewSession {
                token_hash: &passwords::token_hash(&token),
                staff_id: staff.id,
                csrf_token: &csrf,
                now,
                expires_at: now + Duration::hours(SESSION_IDLE_HOURS),
            },
        )
        .await?;
        audit::record(
            &mut conn,
            now,
            &Actor::staff(staff.id, staff.role).audit_name(),
            "staff.sign_in",
            "staff",
            Some(staff.id.to_string()),
            None,
        )
        .await?;
        Ok(SessionStarted { token, staff: staff.clone() })
    }

    /// The session behind a cookie token, if it is still valid; refreshes its inactivity
    /// deadline. Expired sessions and sessions of deactivated staff are deleted and give `None`.
    /// The role comes from the staff record, so a role change applies at the next request.
    pub async fn session_actor(&self, token: &str) -> Result<Option<PanelSession>> {
        if token.is_empty() || token.len() > MAX_TOKEN_LEN {
            return Ok(None);
        }
        let hash = passwords::token_hash(token);
        let now = self.now();
        let mut conn = self.store.conn().await?;
        let Some(row) = store::get(&mut conn, &hash).await? else { return Ok(None) };
        let hard_end = row.created_at + Duration::days(SESSION_MAX_DAYS);
        let staff = staff_store::get(&mut conn, row.staff_id).await?.filter(|s| s.active);
        let Some(staff) = staff.filter(|_| row.expires_at > now && hard_end > now) else {
            store::delete(&mut conn, &hash).await?;
            return Ok(None);
        };
        let mut expires_at = row.expires_at;
        if now - row.last_seen_at >= Duration::seconds(TOUCH_EVERY_SECONDS) {
            expires_at = (now + Duration::hours(SESSION_IDLE_HOURS)).min(hard_end);
            store::touch(&mut conn, &hash, now, expires_at).await?;
        }
        Ok(Some(PanelSession {
            actor: Actor::staff(staff.id, staff.role),
            staff,
            csrf_token: row.csrf_token,
            expires_at,
        }))
    }

    /// Signs out: the token stops working at once.
    pub async fn end_session(&self, token: &str) -> Result<()> {
        if token.is_empty() || token.len() > MAX_TOKEN_LEN {
            return Ok(());
        }
        let hash = passwords::token_hash(token);
        let mut conn = self.store.conn().await?;
        if let Some(row) = store::get(&mut conn, &hash).await?
            && store::delete(&mut conn, &hash).await?
        {
            audit::record(
                &mut conn,
                self.now(),
                &format!("staff:{}", row.staff_id),
                "staff.sign_out",
                "staff",
                Some(row.staff_id.to_string()),
                None,
            )
            .await?;
        }
        Ok(())
    }

    /// Ends the actor's other sessions (after a password change: a stolen session dies with
    /// the old password). `keep` is the cookie token of the session to keep.
    pub async fn end_other_sessions(&self, actor: &Actor, keep: &str) -> Result<u64> {
        let id = actor.staff_id().ok_or(Error::Forbidden("only staff have panel sessions"))?;
        let keep = passwords::token_hash(keep);
        Ok(store::delete_for_staff(&mut *self.store.conn().await?, id, Some(&keep)).await?)
    }

    /// A random token for a form that has no session yet (the sign-in form's CSRF nonce).
    pub fn new_form_nonce() -> String {
        passwords::invite_token()
    }
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
