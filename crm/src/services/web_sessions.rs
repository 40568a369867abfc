//! Panel sign-in and sessions: a session token for the cookie (only its SHA-256 hash is
//! stored), a CSRF token per session, expiry after inactivity and after an absolute lifetime.
//! A sign-in passes the per-address limit ([`super::address_limits`]) and the per-login lockout
//! ([`super::lockout`]) before any password is checked. Knows nothing of HTTP: the panel turns
//! these results into cookies and pages.

use super::lockout::{Check, MAX_FAILURES, login_key};
use super::{Crm, passwords};
use crate::audit::{AuditAction, AuditObject, Entry};
use crate::store::staff as staff_store;
use crate::store::staff::Staff;
use crate::store::web_sessions::{self as store, NewSession};
use crate::{Actor, Error, Result};
use chrono::{DateTime, Duration, Utc};
use std::net::IpAddr;

/// A session ends after this long without a request.
pub const SESSION_IDLE_HOURS: i64 = 8;
/// …and in any case this long after sign-in.
pub const SESSION_MAX_DAYS: i64 = 7;
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
    /// Wrong login or password (the same answer for both); checks left before the lockout.
    Refused {
        attempts_left: i64,
    },
    /// Too many failures of this login: no password of it is checked until then.
    Locked {
        until: DateTime<Utc>,
    },
    /// Too many failed sign-ins from this address: nothing from it is checked until then.
    Throttled {
        until: DateTime<Utc>,
    },
}

impl Crm {
    /// A sign-in from the panel, `from` the client's address: the address's budget first, then
    /// the login's lockout (both counted before any password is hashed), then the password.
    /// Starts a session on success.
    pub async fn sign_in(&self, login: &str, password: &str, from: IpAddr) -> Result<SignIn> {
        if let Err(until) = self.addresses.take(from, self.now()) {
            return Ok(SignIn::Throttled { until });
        }
        let key = login_key(login);
        let counted = match self.count_check(&key).await? {
            Check::Locked(until) => return Ok(SignIn::Locked { until }),
            Check::Allowed(counted) => counted,
        };
        match self.authenticate(&key, password).await? {
            Some(staff) => {
                self.passed_check(&key).await?;
                self.addresses.give_back(from);
                Ok(SignIn::Started(self.start_session(&staff).await?))
            }
            None => Ok(match self.failed_check(&key, &counted).await? {
                Some(until) => SignIn::Locked { until },
                None => SignIn::Refused { attempts_left: MAX_FAILURES - counted.number },
            }),
        }
    }

    /// Starts a session for a staff member whose password was just checked.
    pub async fn start_session(&self, staff: &Staff) -> Result<SessionStarted> {
        let token = passwords::invite_token();
        let csrf = passwords::invite_token();
        let mut tx = self.audited(&Actor::staff(staff.id, staff.role)).await?;
        let now = tx.now();
        // Sign-ins are rare: a good moment to forget sessions nobody will use again.
        store::delete_expired(&mut tx, now).await?;
        store::insert(
            &mut tx,
            &NewSession {
                token_hash: &passwords::token_hash(&token),
                staff_id: staff.id,
                csrf_token: &csrf,
                now,
                expires_at: now + Duration::hours(SESSION_IDLE_HOURS),
            },
        )
        .await?;
        tx.commit(Entry::new(AuditAction::StaffSignIn, AuditObject::Staff(staff.id))).await?;
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
            && let Some(staff) = staff_store::get(&mut conn, row.staff_id).await?
        {
            drop(conn);
            self.audit(
                &Actor::staff(staff.id, staff.role),
                &Entry::new(AuditAction::StaffSignOut, AuditObject::Staff(staff.id)),
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
        Ok(store::delete_for_staff(&mut *self.store.write_conn().await?, id, Some(&keep)).await?)
    }

    /// A random token for a form that has no session yet (the sign-in form's CSRF nonce).
    pub fn new_form_nonce() -> String {
        passwords::invite_token()
    }
}
