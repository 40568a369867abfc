//! Staff accounts: creation with a one-time password and a Telegram invite, the password check
//! of a sign-in, password changes and resets, deactivation, and binding Telegram through the
//! invite link.

use super::lockout::{Check, lift_lock, login_key};
use super::{Crm, passwords};
use crate::audit::{AuditAction, AuditField, AuditObject, Entry};
use crate::domain::{Invalid, PersonName, Role, StaffId};
use crate::store::staff::{self as store, NewStaff, Staff};
use crate::{Actor, Conflict, Error, Result};
use chrono::Duration;

/// How long an invite link stays valid.
pub const INVITE_TTL_DAYS: i64 = 7;

pub struct NewStaffInput<'a> {
    pub login: &'a str,
    pub name: &'a str,
    pub role: Role,
}

/// What `staff add` shows once: the one-time password and the invite token are never stored
/// in clear and cannot be shown again.
#[derive(Debug)]
pub struct StaffCreated {
    pub staff: Staff,
    pub password: String,
    pub invite_token: String,
}

/// A colleague as lists and histories name them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StaffName {
    pub id: StaffId,
    pub name: String,
    pub role: Role,
    pub active: bool,
}

fn parse_login(login: &str) -> Result<String, Invalid> {
    let l = login.trim().to_ascii_lowercase();
    let ok =
        (3..=32).contains(&l.len()) && l.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'));
    if ok { Ok(l) } else { Err(Invalid::LoginFormat) }
}

impl Crm {
    pub async fn add_staff(&self, actor: &Actor, input: NewStaffInput<'_>) -> Result<StaffCreated> {
        actor.require(&[Role::Admin], "only an admin adds staff")?;
        let login = parse_login(input.login)?;
        let name = PersonName::parse(input.name)?;
        let password = passwords::one_time_password();
        let password_hash = passwords::hash(&password).await?;
        let invite_token = passwords::invite_token();
        let mut tx = self.audited(actor).await?;
        let now = tx.now();
        let id = store::insert(
            &mut tx,
            &NewStaff {
                login: &login,
                name: name.as_str(),
                role: input.role,
                password_hash: &password_hash,
                invite_token_hash: &passwords::token_hash(&invite_token),
                invite_expires_at: now + Duration::days(INVITE_TTL_DAYS),
                now,
            },
        )
        .await
        .map_err(|e| Error::from(e).on_unique(Conflict::LoginTaken))?;
        let staff = store::get(&mut tx, id).await?.ok_or(Error::NotFound("staff"))?;
        tx.commit(
            Entry::new(AuditAction::StaffAdd, AuditObject::Staff(id)).with(AuditField::Role, input.role.title_ru()),
        )
        .await?;
        Ok(StaffCreated { staff, password, invite_token })
    }

    pub async fn list_staff(&self, actor: &Actor) -> Result<Vec<Staff>> {
        actor.require(&[Role::Admin], "only an admin sees the staff list")?;
        Ok(store::list(&mut *self.store.conn().await?).await?)
    }

    /// Every staff member's name and role, for showing who did what and for picking an agent in
    /// a filter. Any staff member may read it (the names are on every card and history anyway);
    /// logins, Telegram accounts and invites stay in the admin's [`Crm::list_staff`].
    pub async fn staff_directory(&self, actor: &Actor) -> Result<Vec<StaffName>> {
        actor.require(&Role::ALL, "the staff directory is for staff")?;
        let all = store::list(&mut *self.store.conn().await?).await?;
        Ok(all.into_iter().map(|s| StaffName { id: s.id, name: s.name, role: s.role, active: s.active }).collect())
    }

    pub async fn get_staff(&self, actor: &Actor, id: StaffId) -> Result<Staff> {
        if actor.staff_id() != Some(id) {
            actor.require(&[Role::Admin], "staff records are the admin's")?;
        }
        store::get(&mut *self.store.conn().await?, id).await?.ok_or(Error::NotFound("staff"))
    }

    pub async fn staff_count(&self) -> Result<i64> {
        Ok(store::count(&mut *self.store.conn().await?).await?)
    }

    /// Checks a panel sign-in of a login key (see [`Crm::sign_in`], which counts the check
    /// first). An unknown login and a wrong password both give `None`, and both cost one argon2
    /// verification, so timing does not tell which logins exist.
    pub(super) async fn authenticate(&self, login: &str, password: &str) -> Result<Option<Staff>> {
        let found = store::by_login(&mut *self.store.conn().await?, login).await?;
        let ok = self.check_password(password, found.as_ref().map(|(_, hash)| hash.as_str())).await;
        Ok(found.map(|(staff, _)| staff).filter(|staff| ok && staff.active))
    }

    /// A staff member changes their own password (also ends the forced change after first
    /// login). Wrong old passwords count towards the same lockout as sign-ins: a stolen session
    /// cannot be used to guess the password either.
    pub async fn change_password(&self, actor: &Actor, old: &str, new: &str) -> Result<()> {
        let id = actor.staff_id().ok_or(Error::Forbidden("only staff have passwords"))?;
        if new.chars().count() < 10 {
            return Err(Error::Invalid(Invalid::PasswordTooShort));
        }
        let (staff, hash) = {
            let mut conn = self.store.conn().await?;
            let staff = store::get(&mut conn, id).await?.ok_or(Error::NotFound("staff"))?;
            store::by_login(&mut conn, &staff.login).await?.ok_or(Error::NotFound("staff"))?
        };
        let key = login_key(&staff.login);
        let counted = match self.count_check(&key).await? {
            Check::Locked(until) => return Err(Error::LoginLocked { until }),
            Check::Allowed(counted) => counted,
        };
        if !self.check_password(old, Some(&hash)).await {
            return Err(match self.failed_check(&key, &counted).await? {
                Some(until) => Error::LoginLocked { until },
                None => Error::Forbidden("wrong login or password"),
            });
        }
        let new_hash = passwords::hash(new).await?;
        self.passed_check(&key).await?;
        let mut tx = self.audited(actor).await?;
        store::set_password(&mut tx, id, &new_hash, false).await?;
        tx.commit(Entry::new(AuditAction::StaffPasswordChanged, AuditObject::Staff(id))).await
    }

    /// An admin resets someone's password: a new one-time password that must be changed. It
    /// also lifts a sign-in lock of that login (the member could not use the password otherwise).
    pub async fn reset_password(&self, actor: &Actor, id: StaffId) -> Result<String> {
        actor.require(&[Role::Admin], "only an admin resets passwords")?;
        let password = passwords::one_time_password();
        let hash = passwords::hash(&password).await?;
        let mut tx = self.audited(actor).await?;
        let staff = store::get(&mut tx, id).await?.ok_or(Error::NotFound("staff"))?;
        store::set_password(&mut tx, id, &hash, true).await?;
        if let Some(lifted) = lift_lock(&mut tx, &staff).await? {
            tx.record(&lifted).await?;
        }
        tx.commit(Entry::new(AuditAction::StaffPasswordReset, AuditObject::Staff(id))).await?;
        Ok(password)
    }

    pub async fn set_staff_active(&self, actor: &Actor, id: StaffId, active: bool) -> Result<()> {
        actor.require(&[Role::Admin], "only an admin deactivates staff")?;
        if actor.staff_id() == Some(id) && !active {
            return Err(Error::Forbidden("an admin cannot deactivate themselves"));
        }
        let mut tx = self.audited(actor).await?;
        if !store::set_active(&mut tx, id, active).await? {
            return Err(Error::NotFound("staff"));
        }
        let action = if active { AuditAction::StaffActivate } else { AuditAction::StaffDeactivate };
        tx.commit(Entry::new(action, AuditObject::Staff(id))).await
    }

    /// A new Telegram invite for a staff member (the old one stops working).
    pub async fn new_invite(&self, actor: &Actor, id: StaffId) -> Result<String> {
        actor.require(&[Role::Admin], "only an admin issues invites")?;
        let token = passwords::invite_token();
        let mut tx = self.audited(actor).await?;
        let expires = tx.now() + Duration::days(INVITE_TTL_DAYS);
        if !store::set_invite(&mut tx, id, &passwords::token_hash(&token), expires).await? {
            return Err(Error::NotFound("staff"));
        }
        tx.commit(Entry::new(AuditAction::StaffInvite, AuditObject::Staff(id))).await?;
        Ok(token)
    }

    /// The bot's `/start staff_<token>`: binds the sender's Telegram account to the invited
    /// staff member. A used, expired or unknown token binds nothing.
    pub async fn redeem_invite(&self, actor: &Actor, token: &str, username: Option<&str>) -> Result<Staff> {
        let Actor::Telegram(telegram_id) = *actor else {
            return Err(Error::Forbidden("an invite is redeemed from Telegram"));
        };
        let mut tx = self.audited(actor).await?;
        let now = tx.now();
        let id = store::redeem_invite(&mut tx, &passwords::token_hash(token.trim()), telegram_id, username, now)
            .await
            .map_err(|e| Error::from(e).on_unique(Conflict::TelegramTaken))?
            .ok_or(Error::NotFound("invite"))?;
        let staff = store::get(&mut tx, id).await?.ok_or(Error::NotFound("staff"))?;
        tx.commit(Entry::new(AuditAction::StaffTelegramBound, AuditObject::Staff(id))).await?;
        Ok(staff)
    }

    /// Who this Telegram account belongs to among active staff (the bot's first question).
    pub async fn staff_by_telegram(&self, telegram_id: i64) -> Result<Option<Staff>> {
        let staff = store::by_telegram(&mut *self.store.conn().await?, telegram_id).await?;
        Ok(staff.filter(|s| s.active))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logins_are_checked() {
        assert_eq!(parse_login(" Anna.K ").unwrap(), "anna.k");
        assert_eq!(parse_login("ab"), Err(Invalid::LoginFormat));
        assert_eq!(parse_login("анна"), Err(Invalid::LoginFormat));
        assert_eq!(parse_login("a b c"), Err(Invalid::LoginFormat));
    }
}
