//! Who is acting. Every service call takes one, and the service decides what it may do:
//! the role table of DESIGN.md is enforced here, not in the handlers.

use crate::domain::{ClientId, Role, StaffId};
use crate::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// A signed-in staff member (panel) or a bound staff Telegram account (bot).
    Staff { id: StaffId, role: Role },
    /// A registered client talking to the bot.
    Client(ClientId),
    /// A Telegram user who has not registered yet: may only register themselves or redeem
    /// a staff invite.
    Telegram(i64),
    /// The server itself: the CLI on the server's console, the scheduler.
    System,
}

impl Actor {
    pub fn staff(id: StaffId, role: Role) -> Self {
        Actor::Staff { id, role }
    }

    /// How the actor is written in the audit log and in histories.
    pub fn audit_name(&self) -> String {
        match self {
            Actor::Staff { id, .. } => format!("staff:{id}"),
            Actor::Client(id) => format!("client:{id}"),
            Actor::Telegram(id) => format!("telegram:{id}"),
            Actor::System => "system".to_owned(),
        }
    }

    pub fn role(&self) -> Option<Role> {
        match self {
            Actor::Staff { role, .. } => Some(*role),
            _ => None,
        }
    }

    pub fn staff_id(&self) -> Option<StaffId> {
        match self {
            Actor::Staff { id, .. } => Some(*id),
            _ => None,
        }
    }

    pub fn is_admin_or_system(&self) -> bool {
        matches!(self, Actor::System | Actor::Staff { role: Role::Admin, .. })
    }

    /// Passes for the system and for staff of one of `roles`.
    pub fn require(&self, roles: &[Role], what: &'static str) -> Result<()> {
        match self {
            Actor::System => Ok(()),
            Actor::Staff { role, .. } if roles.contains(role) => Ok(()),
            _ => Err(Error::Forbidden(what)),
        }
    }
}
