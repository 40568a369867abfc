//! Operations ledger vocabulary: kinds of money movement, counterparties, payment methods.

use super::Invalid;
use crate::text::{self, keyed_enum};
use serde::{Deserialize, Serialize};

keyed_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum OperationKind: as_str {
        ClientPayment = "client_payment",
        ClientRefund = "client_refund",
        CommissionAccrued = "commission_accrued",
        CommissionPaid = "commission_paid",
        HotelPayment = "hotel_payment",
        OperatorPayment = "operator_payment",
    }
}

impl OperationKind {
    pub fn parse(s: &str) -> Option<Self> {
        Self::from_code(s)
    }

    pub fn title_ru(self) -> &'static str {
        text::get("operation_kind", self.as_str())
    }

    /// The counterparty each kind of operation is with.
    pub fn counterparty(self) -> Counterparty {
        match self {
            OperationKind::ClientPayment | OperationKind::ClientRefund => Counterparty::Client,
            OperationKind::CommissionAccrued | OperationKind::CommissionPaid => Counterparty::Agent,
            OperationKind::HotelPayment => Counterparty::Hotel,
            OperationKind::OperatorPayment => Counterparty::Operator,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Counterparty {
    Client,
    Agent,
    Hotel,
    Operator,
}

impl Counterparty {
    pub fn as_str(self) -> &'static str {
        match self {
            Counterparty::Client => "client",
            Counterparty::Agent => "agent",
            Counterparty::Hotel => "hotel",
            Counterparty::Operator => "operator",
        }
    }
}

keyed_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum PaymentMethod: as_str {
        Cash = "cash",
        BankTransfer = "bank_transfer",
        /// Through an online payment provider (the payments issue).
        Online = "online",
        /// Internal: accruals and corrections that move no money by themselves.
        Internal = "internal",
    }
}

impl PaymentMethod {
    pub fn parse(s: &str) -> Option<Self> {
        Self::from_code(s)
    }

    pub fn title_ru(self) -> &'static str {
        text::get("payment_method", self.as_str())
    }
}

/// `amount × bp / 10000`, rounded half up, in integers.
pub fn share_bp(amount: i64, bp: i64) -> i64 {
    let p = i128::from(amount) * i128::from(bp);
    let q = (p + 5_000) / 10_000;
    i64::try_from(q).unwrap_or(i64::MAX)
}

/// Basis points as a percent number, Russian style: 1 250 → `12,5`, 1 000 → `10`.
pub fn format_percent_bp(bp: i64) -> String {
    let (whole, frac) = (bp / 100, (bp % 100).abs());
    match frac {
        0 => whole.to_string(),
        f if f % 10 == 0 => format!("{whole},{}", f / 10),
        f => format!("{whole},{f:02}"),
    }
}

/// A percentage as people type it (`10`, `12,5`, `7.25 %`) in basis points (12,5 % = 1 250).
/// Only the form is checked; what range makes sense is the caller's rule.
pub fn parse_percent_bp(input: &str) -> Result<i64, Invalid> {
    let t = input.trim().trim_end_matches('%').trim_end().replace(',', ".");
    let (whole, frac) = t.split_once('.').unwrap_or((t.as_str(), ""));
    let digits = |s: &str| !s.is_empty() && s.len() <= 9 && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || (!frac.is_empty() && !digits(frac)) || frac.len() > 2 {
        return Err(Invalid::PercentFormat);
    }
    let whole: i64 = whole.parse().map_err(|_| Invalid::PercentFormat)?;
    let frac: i64 = format!("{frac:0<2}").parse().map_err(|_| Invalid::PercentFormat)?;
    Ok(whole * 100 + frac)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percents_parse_to_basis_points() {
        let cases: &[(&str, Result<i64, Invalid>)] = &[
            ("10", Ok(1_000)),
            ("12,5", Ok(1_250)),
            (" 7.25 % ", Ok(725)),
            ("0", Ok(0)),
            ("150", Ok(15_000)),
            ("-5", Err(Invalid::PercentFormat)),
            ("1,234", Err(Invalid::PercentFormat)),
            ("десять", Err(Invalid::PercentFormat)),
            ("", Err(Invalid::PercentFormat)),
        ];
        for (input, want) in cases {
            assert_eq!(&parse_percent_bp(input), want, "{input:?}");
        }
    }

    #[test]
    fn percents_are_written_the_russian_way() {
        let written = [1_000, 1_250, 725, 5, 0].map(format_percent_bp);
        assert_eq!(written, ["10", "12,5", "7,25", "0,05", "0"]);
        for bp in [1_000, 1_250, 725, 5, 0] {
            assert_eq!(parse_percent_bp(&format_percent_bp(bp)), Ok(bp));
        }
    }

    #[test]
    fn shares_round_half_up() {
        assert_eq!(share_bp(10_000, 1_000), 1_000);
        assert_eq!(share_bp(15, 5_000), 8);
        assert_eq!(share_bp(14, 5_000), 7);
        assert_eq!(share_bp(0, 1_000), 0);
    }
}
