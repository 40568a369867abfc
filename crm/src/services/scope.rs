//! DESIGN.md's role table for records, as one function: which clients, bookings and
//! operations an actor may reach. «An agent sees only own clients and bookings» lives here and
//! nowhere else; every service that reads or writes a client, a booking, an operation or a
//! message asks [`Scope::of`], then [`Scope::client`] or [`Scope::booking`] for one record, or
//! matches the scope to narrow a list.

use crate::Actor;
use crate::domain::{ClientId, Role, StaffId};
use crate::store::bookings::Booking;
use crate::store::clients::Client;

/// Reading, or changing.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Access {
    Read,
    Write,
}

/// The part of the agency's records an actor reaches.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Scope {
    /// Everything: admins and the system; the accountant, for reading.
    All,
    /// The clients whose agent this is, and their bookings and operations.
    Agent(StaffId),
    /// The bookings of the tours this operator runs (read only; no client records).
    Operator(StaffId),
    /// The client's own record and bookings.
    Client(ClientId),
    /// Nothing.
    Nothing,
}

impl Scope {
    pub(crate) fn of(actor: &Actor, access: Access) -> Scope {
        match actor {
            Actor::System | Actor::Staff { role: Role::Admin, .. } => Scope::All,
            Actor::Staff { id, role: Role::Agent } => Scope::Agent(*id),
            Actor::Staff { role: Role::Accountant, .. } if access == Access::Read => Scope::All,
            Actor::Staff { id, role: Role::Operator } if access == Access::Read => Scope::Operator(*id),
            Actor::Client(id) => Scope::Client(*id),
            Actor::Staff { .. } | Actor::Telegram(_) => Scope::Nothing,
        }
    }

    pub(crate) fn client(self, c: &Client) -> bool {
        match self {
            Scope::All => true,
            Scope::Agent(id) => c.agent_id == Some(id),
            Scope::Client(id) => c.id == id,
            Scope::Operator(_) | Scope::Nothing => false,
        }
    }

    pub(crate) fn booking(self, b: &Booking) -> bool {
        match self {
            Scope::All => true,
            Scope::Agent(id) => b.agent_id == Some(id),
            Scope::Operator(id) => b.tour_operator_id == id,
            Scope::Client(id) => b.client_id == id,
            Scope::Nothing => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_agent_reaches_only_own_and_the_accountant_only_reads() {
        let agent = Actor::Staff { id: StaffId(7), role: Role::Agent };
        assert_eq!(Scope::of(&agent, Access::Write), Scope::Agent(StaffId(7)));
        assert_eq!(Scope::of(&agent, Access::Read), Scope::Agent(StaffId(7)));
        let accountant = Actor::Staff { id: StaffId(8), role: Role::Accountant };
        assert_eq!(Scope::of(&accountant, Access::Read), Scope::All);
        assert_eq!(Scope::of(&accountant, Access::Write), Scope::Nothing);
        let operator = Actor::Staff { id: StaffId(9), role: Role::Operator };
        assert_eq!(Scope::of(&operator, Access::Write), Scope::Nothing);
        assert_eq!(Scope::of(&Actor::Telegram(5), Access::Read), Scope::Nothing);
        assert_eq!(Scope::of(&Actor::System, Access::Write), Scope::All);
    }
}
