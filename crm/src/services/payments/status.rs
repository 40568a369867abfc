//! An online payment's life, as one table of allowed moves (the shape of `domain::booking`).

use crate::{Conflict, Error, Result, text};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum OnlinePaymentStatus {
    /// Created (or being created) at the provider; the client has not paid yet.
    Pending,
    /// Paid and applied to the ledger.
    Succeeded,
    /// Cancelled or expired at the provider: no money came.
    Canceled,
    /// Money came but was not applied (a cancelled booking, a wrong amount): it must go back.
    RefundDue,
    /// Returned to the client through the provider.
    Refunded,
}

use OnlinePaymentStatus::*;

/// Every allowed move. Nothing leaves `canceled` or `refunded`.
const MOVES: &[(OnlinePaymentStatus, OnlinePaymentStatus)] =
    &[(Pending, Succeeded), (Pending, Canceled), (Pending, RefundDue), (Succeeded, Refunded), (RefundDue, Refunded)];

impl OnlinePaymentStatus {
    pub const ALL: [OnlinePaymentStatus; 5] = [Pending, Succeeded, Canceled, RefundDue, Refunded];

    pub fn as_str(self) -> &'static str {
        match self {
            Pending => "pending",
            Succeeded => "succeeded",
            Canceled => "canceled",
            RefundDue => "refund_due",
            Refunded => "refunded",
        }
    }

    pub fn parse(s: &str) -> Option<OnlinePaymentStatus> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    pub fn title_ru(self) -> &'static str {
        match self {
            Pending => text::get("online_payment_status", "pending"),
            Succeeded => text::get("online_payment_status", "succeeded"),
            Canceled => text::get("online_payment_status", "canceled"),
            RefundDue => text::get("online_payment_status", "refund_due"),
            Refunded => text::get("online_payment_status", "refunded"),
        }
    }

    pub fn can_move(self, to: OnlinePaymentStatus) -> bool {
        MOVES.contains(&(self, to))
    }

    pub fn check_move(self, to: OnlinePaymentStatus) -> Result<()> {
        if self.can_move(to) { Ok(()) } else { Err(Error::Conflict(Conflict::NoChange("online payment status"))) }
    }

    /// Whether the accountant may return the money through the provider.
    pub fn refundable(self) -> bool {
        self.can_move(Refunded)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pair_follows_the_table() {
        for from in OnlinePaymentStatus::ALL {
            assert_eq!(OnlinePaymentStatus::parse(from.as_str()), Some(from));
            for to in OnlinePaymentStatus::ALL {
                let allowed = MOVES.contains(&(from, to));
                assert_eq!(from.check_move(to).is_ok(), allowed, "{from:?} → {to:?}");
            }
        }
        assert!(!Canceled.refundable() && !Pending.refundable() && RefundDue.refundable() && Succeeded.refundable());
    }
}
