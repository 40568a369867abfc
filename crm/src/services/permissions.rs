//! What a front-end may offer an actor before it calls a service: a menu item, an empty form.
//! These are the same role lists the services enforce when the action is performed; a page
//! that only shows a form asks here, so a forbidden form is refused like the action itself.
//! The panel's route × role test walks both and expects them to agree.

use crate::domain::Role;
use crate::{Actor, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capability {
    /// The client list and cards (agents: their own).
    ListClients,
    /// Registering and changing clients in the panel. Agents do it in the bot: the panel is
    /// read-only for them (DESIGN.md), so here it is the admin's.
    RegisterClients,
    /// Staff accounts: add, deactivate, reset passwords, invites.
    ManageStaff,
    /// Reading the audit log.
    ReadAuditLog,
    /// Putting a client on or off the blacklist.
    Blacklist,
    /// The tour list and cards (agents: what is published).
    ViewTours,
    /// Creating and changing tours (operators: their own).
    ManageTours,
    /// Creating and changing hotels, rooms, terms, managers and correspondence.
    ManageHotels,
    /// Reading hotels (agents and the accountant read, without the correspondence).
    ViewHotels,
    /// The booking list and cards (agents: their own; operators: of their tours).
    ListBookings,
    /// Moving a booking along the status table in the panel. Agents move their own bookings
    /// in the bot, where they work; their panel is read-only (DESIGN.md).
    MoveBookings,
    /// Notification templates and their switches.
    ManageTemplates,
    /// Marketing broadcasts: compose, send, pause, cancel.
    Broadcasts,
    /// Working clients in the bot: writing to them, logging calls and notes, tagging,
    /// registering them (agents their own; admins any). The services' role lists for
    /// `log_interaction`, `add_tag` and `register_client`.
    WorkClientsInBot,
    /// Recording a client's cash or transfer payment (`record_client_payment`).
    RecordPayments,
    /// Sending the client a payment link or the transfer QR from the booking card
    /// (`send_payment_offer`): the booking's agent or an admin, as for a payment link.
    SendPayments,
    /// Online payments: the list, flags to resolve, refunds through the provider.
    OnlinePayments,
    // The accountant's desk (issue #15).
    /// The statement of operations and the operations' forms; reading commission rates.
    Finance,
    /// Changing commission rates.
    ManageCommissions,
    /// The financial reports (`services::reports`): the accountant's and the admins'.
    FinancialReports,
    /// The KPIs (social funnel, average check): the admin's marketing figures and the
    /// accountant's sales figures; never agents' or operators' (issue #15).
    Kpi,
}

impl Capability {
    pub fn roles(self) -> &'static [Role] {
        match self {
            Capability::ListClients => &[Role::Admin, Role::Agent, Role::Accountant],
            Capability::RegisterClients => &[Role::Admin],
            Capability::ManageStaff
            | Capability::ReadAuditLog
            | Capability::Blacklist
            | Capability::ManageTemplates
            | Capability::MoveBookings => &[Role::Admin],
            Capability::ManageTours | Capability::ManageHotels | Capability::Broadcasts => {
                &[Role::Admin, Role::Operator]
            }
            Capability::ViewTours => &[Role::Admin, Role::Operator, Role::Agent],
            Capability::WorkClientsInBot | Capability::SendPayments => &[Role::Admin, Role::Agent],
            Capability::RecordPayments => &[Role::Admin, Role::Agent, Role::Accountant],
            Capability::OnlinePayments => &[Role::Admin, Role::Accountant],
            Capability::Finance => &[Role::Admin, Role::Accountant],
            Capability::ManageCommissions => &[Role::Admin],
            Capability::FinancialReports => &[Role::Admin, Role::Accountant],
            Capability::Kpi => &[Role::Admin, Role::Accountant],
            Capability::ViewHotels | Capability::ListBookings => {
                &[Role::Admin, Role::Operator, Role::Agent, Role::Accountant]
            }
        }
    }

    /// `Err(Forbidden)` unless the actor may use this capability.
    pub fn check(self, actor: &Actor) -> Result<()> {
        actor.require(self.roles(), "this part of the panel is not for this role")
    }

    pub fn allows(self, actor: &Actor) -> bool {
        self.check(actor).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::StaffId;

    #[test]
    fn the_operator_sees_no_client_pages() {
        let op = Actor::staff(StaffId(1), Role::Operator);
        assert!(!Capability::ListClients.allows(&op));
        assert!(Capability::ManageStaff.allows(&Actor::staff(StaffId(2), Role::Admin)));
        assert!(!Capability::RegisterClients.allows(&Actor::staff(StaffId(3), Role::Accountant)));
        assert!(!Capability::WorkClientsInBot.allows(&op));
        assert!(Capability::WorkClientsInBot.allows(&Actor::staff(StaffId(4), Role::Agent)));
        assert!(!Capability::RecordPayments.allows(&op));
    }
}
