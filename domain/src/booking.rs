//! Booking statuses and the one table of allowed moves between them.

use crate::text::{self, keyed_enum};
use serde::{Deserialize, Serialize};

keyed_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum BookingStatus: as_str {
        /// «заключение договора»
        ContractPending = "contract_pending",
        /// «договор подписан»
        ContractSigned = "contract_signed",
        /// «частичная оплата»
        PartiallyPaid = "partially_paid",
        /// «полная оплата»
        Paid = "paid",
        /// «запрос отмены бронирования»
        CancellationRequested = "cancellation_requested",
        /// «бронь аннулирована»
        Cancelled = "cancelled",
    }
}

/// What moves a booking: a person's decision, the ledger (payments and their reversals), or a
/// client's cancellation request withdrawn (back to where it was asked from: [`BookingStatus::resumed`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    Manual,
    Payment,
    Withdrawal,
}

use BookingStatus::*;

/// Every allowed move. Payments alone move a booking into and between the paid states (a
/// reversed payment moves it back); people sign, ask to cancel and cancel.
const MOVES: &[(BookingStatus, BookingStatus, Cause)] = &[
    (ContractPending, ContractSigned, Cause::Manual),
    (ContractSigned, PartiallyPaid, Cause::Payment),
    (ContractSigned, Paid, Cause::Payment),
    (PartiallyPaid, Paid, Cause::Payment),
    (PartiallyPaid, ContractSigned, Cause::Payment),
    (Paid, PartiallyPaid, Cause::Payment),
    (Paid, ContractSigned, Cause::Payment),
    (ContractPending, CancellationRequested, Cause::Manual),
    (ContractSigned, CancellationRequested, Cause::Manual),
    (PartiallyPaid, CancellationRequested, Cause::Manual),
    (Paid, CancellationRequested, Cause::Manual),
    (CancellationRequested, Cancelled, Cause::Manual),
    (CancellationRequested, ContractPending, Cause::Withdrawal),
    (CancellationRequested, ContractSigned, Cause::Withdrawal),
    (CancellationRequested, PartiallyPaid, Cause::Withdrawal),
    (CancellationRequested, Paid, Cause::Withdrawal),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a booking cannot move from {from:?} to {to:?}")]
pub struct IllegalMove {
    pub from: BookingStatus,
    pub to: BookingStatus,
}

impl IllegalMove {
    /// Why the move was refused, in the user's words (panel and bot alike).
    pub fn message_ru(&self) -> String {
        // A button pressed again after its move was made: the booking is there already.
        if self.from == self.to {
            return text::fill("booking_history", "already_in", &[("status", &self.to.title_ru())]);
        }
        text::fill("booking_history", "illegal_move", &[("from", &self.from.title_ru()), ("to", &self.to.title_ru())])
    }
}

impl BookingStatus {
    /// The one place that decides whether a move is allowed.
    pub fn check_move(self, to: BookingStatus, cause: Cause) -> Result<(), IllegalMove> {
        if MOVES.iter().any(|&(f, t, c)| f == self && t == to && c == cause) {
            Ok(())
        } else {
            Err(IllegalMove { from: self, to })
        }
    }

    /// Where a person may move the booking from here (for buttons and select boxes).
    pub fn manual_moves(self) -> Vec<BookingStatus> {
        MOVES.iter().filter(|&&(f, _, c)| f == self && c == Cause::Manual).map(|&(_, t, _)| t).collect()
    }

    /// Holds seats and counts in sales.
    pub fn is_active(self) -> bool {
        self != Cancelled
    }

    /// What the client still owes of `total` after paying `paid` (minor units): nothing once
    /// the booking is cancelled, whose payments are then a refund to make (`refund_due`).
    pub fn amount_due(self, total: i64, paid: i64) -> i64 {
        if self == Cancelled { 0 } else { total.saturating_sub(paid).max(0) }
    }

    /// Payments may be taken: the contract is signed and nothing is being cancelled.
    pub fn accepts_payments(self) -> bool {
        matches!(self, ContractSigned | PartiallyPaid)
    }

    pub fn parse(s: &str) -> Option<BookingStatus> {
        Self::from_code(s)
    }

    pub fn title_ru(self) -> &'static str {
        text::get("booking_status", self.as_str())
    }

    /// A move from here to `to` as a button or a choice names it: the status, or, for a
    /// cancellation request withdrawn, what it does («отозвать запрос отмены…»).
    pub fn move_title_ru(self, to: BookingStatus) -> String {
        if self == CancellationRequested && to != Cancelled && to != CancellationRequested {
            text::fill("booking_history", "withdraw_move", &[("to", &to.title_ru())])
        } else {
            to.title_ru().to_owned()
        }
    }

    /// Where a withdrawn cancellation request puts the booking back: the status it was asked
    /// from (`before`, from its history), as the payments stand now; with no history, by the
    /// payments alone (nothing paid: the contract is not known to be signed).
    pub fn resumed(before: Option<BookingStatus>, paid: i64, total: i64) -> BookingStatus {
        match before {
            Some(ContractPending) => ContractPending,
            None if paid <= 0 => ContractPending,
            _ => Self::from_payments(paid, total),
        }
    }

    /// The status that the amount paid implies, for a booking whose contract is signed.
    pub fn from_payments(paid: i64, total: i64) -> BookingStatus {
        if paid <= 0 {
            ContractSigned
        } else if paid < total {
            PartiallyPaid
        } else {
            Paid
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The whole table, spelled out: every pair of states × cause, allowed or not.
    #[test]
    fn every_allowed_and_every_forbidden_move() {
        let allowed_manual = [
            (ContractPending, ContractSigned),
            (ContractPending, CancellationRequested),
            (ContractSigned, CancellationRequested),
            (PartiallyPaid, CancellationRequested),
            (Paid, CancellationRequested),
            (CancellationRequested, Cancelled),
        ];
        let allowed_payment = [
            (ContractSigned, PartiallyPaid),
            (ContractSigned, Paid),
            (PartiallyPaid, Paid),
            (PartiallyPaid, ContractSigned),
            (Paid, PartiallyPaid),
            (Paid, ContractSigned),
        ];
        let mut checked = 0;
        for from in BookingStatus::ALL {
            for to in BookingStatus::ALL {
                let m = from.check_move(to, Cause::Manual);
                assert_eq!(m.is_ok(), allowed_manual.contains(&(from, to)), "manual {from:?} -> {to:?}");
                let p = from.check_move(to, Cause::Payment);
                assert_eq!(p.is_ok(), allowed_payment.contains(&(from, to)), "payment {from:?} -> {to:?}");
                let w = from.check_move(to, Cause::Withdrawal);
                let withdrawn = from == CancellationRequested && !matches!(to, CancellationRequested | Cancelled);
                assert_eq!(w.is_ok(), withdrawn, "withdrawal {from:?} -> {to:?}");
                if let Err(e) = m {
                    assert_eq!((e.from, e.to), (from, to), "the error names both states");
                }
                checked += 3;
            }
        }
        assert_eq!(checked, 108);
        assert!(Cancelled.manual_moves().is_empty(), "cancelled is final");
    }

    #[test]
    fn a_withdrawn_request_goes_back_where_it_was_asked_from_as_paid_now() {
        assert_eq!(BookingStatus::resumed(Some(ContractPending), 0, 100), ContractPending);
        assert_eq!(BookingStatus::resumed(Some(ContractSigned), 0, 100), ContractSigned);
        assert_eq!(BookingStatus::resumed(Some(PartiallyPaid), 40, 100), PartiallyPaid);
        assert_eq!(BookingStatus::resumed(Some(Paid), 100, 100), Paid);
        // A payment reversed meanwhile: the status the payments imply now.
        assert_eq!(BookingStatus::resumed(Some(Paid), 40, 100), PartiallyPaid);
        assert_eq!(BookingStatus::resumed(None, 0, 100), ContractPending);
        assert_eq!(BookingStatus::resumed(None, 40, 100), PartiallyPaid);
        assert_eq!(CancellationRequested.move_title_ru(Paid), "отозвать запрос отмены (снова «полная оплата»)");
        let again = IllegalMove { from: Paid, to: Paid };
        assert_eq!(again.message_ru(), "Бронь уже в статусе «полная оплата».");
        assert_eq!(CancellationRequested.move_title_ru(Cancelled), "бронь аннулирована");
        assert_eq!(ContractSigned.move_title_ru(CancellationRequested), "запрос отмены бронирования");
    }

    #[test]
    fn payments_imply_a_status() {
        assert_eq!(BookingStatus::from_payments(0, 100), ContractSigned);
        assert_eq!(BookingStatus::from_payments(1, 100), PartiallyPaid);
        assert_eq!(BookingStatus::from_payments(100, 100), Paid);
    }

    #[test]
    fn names_round_trip() {
        for s in BookingStatus::ALL {
            assert_eq!(BookingStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(BookingStatus::parse("booked"), None);
    }
}
