//! The kinds of automatic notification, their default lead times and whether they advertise.

use crate::text::{self, keyed_enum};
use serde::{Deserialize, Serialize};

keyed_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum NotificationKind: as_str {
        /// The foreign passport expires within the lead time (default 6 months): renew before travelling.
        PassportExpiring = "passport_expiring",
        /// The day before departure: tour, date, time, what to take.
        DepartureTomorrow = "departure_tomorrow",
        /// Some days before the birthday: tours picked for the client.
        BirthdayOffer = "birthday_offer",
        /// On the birthday.
        BirthdayGreeting = "birthday_greeting",
        /// A payment of a booking is due within the lead time (default 3 days).
        PaymentDue = "payment_due",
        /// A booking's status moved (by staff in the panel or the bot, or by a payment): sent
        /// when it happens, queued in the move's transaction.
        BookingStatus = "booking_status",
        /// A client payment was recorded on a booking: sent when it happens, queued in the
        /// payment's transaction.
        PaymentReceived = "payment_received",
    }
}

impl NotificationKind {
    pub fn parse(s: &str) -> Option<Self> {
        Self::from_code(s)
    }

    /// How far ahead it is sent, in days, unless the agency changed it.
    pub fn default_lead_days(self) -> i64 {
        match self {
            NotificationKind::PassportExpiring => 183,
            NotificationKind::DepartureTomorrow => 1,
            NotificationKind::BirthdayOffer => 14,
            NotificationKind::BirthdayGreeting => 0,
            NotificationKind::PaymentDue => 3,
            NotificationKind::BookingStatus => 0,
            NotificationKind::PaymentReceived => 0,
        }
    }

    /// Advertising goes only to clients with marketing consent; service reminders (passport,
    /// departure, payment) go to every client who is not blacklisted.
    pub fn is_advertising(self) -> bool {
        matches!(self, NotificationKind::BirthdayOffer)
    }

    /// Whether a day missed (the server was down, the client was asleep) is made up later in
    /// the lead window. The departure reminder says «завтра» and the greeting is for the day
    /// itself, so they are sent on their day or not at all.
    pub fn catches_up(self) -> bool {
        !matches!(self, NotificationKind::DepartureTomorrow | NotificationKind::BirthdayGreeting)
    }

    /// Sent when something happens rather than on a date: it has no lead time, and the
    /// scheduler leaves it alone.
    pub fn is_event(self) -> bool {
        matches!(self, NotificationKind::BookingStatus | NotificationKind::PaymentReceived)
    }

    pub fn title_ru(self) -> &'static str {
        text::get("notification_kind", self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_and_only_the_offer_advertises() {
        for k in NotificationKind::ALL {
            assert_eq!(NotificationKind::parse(k.as_str()), Some(k));
        }
        let ads: Vec<_> = NotificationKind::ALL.into_iter().filter(|k| k.is_advertising()).collect();
        assert_eq!(ads, [NotificationKind::BirthdayOffer]);
    }
}
