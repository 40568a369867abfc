//! How much a client may pay on a booking now: at least a small minimum, at most the balance
//! due. Shared by the bot's dialogue, which checks a typed amount at once and asks again, and by
//! `crm`, which checks again before anything is issued — the same bounds, the same words.

use crate::{Invalid, Money, text};
use serde::{Deserialize, Serialize};

/// The smallest payment taken, in minor units (1 ₽): a smaller transfer costs more to handle
/// than it brings, and a provider refuses it anyway.
pub const MIN_PAYMENT_MINOR: i64 = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayableRange {
    pub min: Money,
    /// The balance due.
    pub max: Money,
}

/// Why an amount cannot be paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AmountRefusal {
    Invalid(Invalid),
    TooSmall(Money),
    TooBig(Money),
}

impl AmountRefusal {
    pub fn message_ru(&self) -> String {
        match self {
            AmountRefusal::Invalid(i) => i.message_ru().to_owned(),
            AmountRefusal::TooSmall(min) => text::fill("payable", "too_small", &[("min", min)]),
            AmountRefusal::TooBig(max) => text::fill("payable", "too_big", &[("max", max)]),
        }
    }
}

impl PayableRange {
    /// The range for a balance `due` (positive): 1 ₽ up to it, or just it when it is less.
    pub fn for_due(due: Money) -> PayableRange {
        PayableRange { min: Money::new(MIN_PAYMENT_MINOR.min(due.minor), due.currency), max: due }
    }

    /// An amount as typed (`15000`, `15 000,50`), within the range. An amount asked rather than
    /// stated («15000?») is the amount: refusing it as "not a number, e.g. 15000" confused.
    pub fn parse(&self, typed: &str) -> Result<Money, AmountRefusal> {
        let typed = typed.trim().trim_end_matches(['?', '!']);
        let amount = Money::parse(typed, self.max.currency).map_err(AmountRefusal::Invalid)?;
        self.check(amount)
    }

    pub fn check(&self, amount: Money) -> Result<Money, AmountRefusal> {
        if amount.currency != self.max.currency {
            return Err(AmountRefusal::Invalid(Invalid::CurrencyMismatch));
        }
        if amount.minor <= 0 {
            return Err(AmountRefusal::Invalid(Invalid::AmountZero));
        }
        if amount.minor < self.min.minor {
            return Err(AmountRefusal::TooSmall(self.min));
        }
        if amount.minor > self.max.minor {
            return Err(AmountRefusal::TooBig(self.max));
        }
        Ok(amount)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Currency::RUB;

    #[test]
    fn a_typed_amount_is_taken_only_within_the_balance() {
        let r = PayableRange::for_due(Money::new(4_500_000, RUB));
        assert_eq!(r.parse("15 000,50"), Ok(Money::new(1_500_050, RUB)));
        assert_eq!(r.parse("45000"), Ok(Money::new(4_500_000, RUB)));
        assert_eq!(r.parse("15000?"), Ok(Money::new(1_500_000, RUB)));
        assert_eq!(r.parse("45000,01"), Err(AmountRefusal::TooBig(Money::new(4_500_000, RUB))));
        assert_eq!(r.parse("0,50"), Err(AmountRefusal::TooSmall(Money::new(100, RUB))));
        assert_eq!(r.parse("0"), Err(AmountRefusal::Invalid(Invalid::AmountZero)));
        assert_eq!(r.parse("пять тысяч"), Err(AmountRefusal::Invalid(Invalid::MoneyFormat)));
        assert_eq!(r.parse("-100"), Err(AmountRefusal::Invalid(Invalid::MoneyNegative)));
    }

    #[test]
    fn a_balance_under_the_minimum_may_be_paid_whole() {
        let r = PayableRange::for_due(Money::new(40, RUB));
        assert_eq!(r.parse("0,40"), Ok(Money::new(40, RUB)));
        assert_eq!(r.parse("0,10"), Err(AmountRefusal::TooSmall(Money::new(40, RUB))));
    }
}
