//! The fields of a client's refund details, one check each — what the bot asks one message at
//! a time and the constructors of [`PaymentDetails`] use, so both refuse alike.

use super::fields::{digits_only, required_text};
use super::{PaymentDetails, luhn};
use crate::Invalid;
use crate::text::{self, keyed_enum};

keyed_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum RefundField: code {
        CardNumber = "card_number",
        Account = "account",
        Bik = "bik",
        Bank = "bank",
        Holder = "holder",
    }
}

impl RefundField {
    pub fn title_ru(self) -> &'static str {
        text::get("refund_field", self.code())
    }

    /// The fields of a refund to a card, or to an account, in the order they are asked.
    pub fn of(by_card: bool) -> &'static [RefundField] {
        use RefundField::*;
        if by_card { &[CardNumber, Holder] } else { &[Account, Bik, Bank, Holder] }
    }

    /// Checks one field as typed and gives it back as it is stored.
    pub fn check(self, raw: &str) -> Result<String, Invalid> {
        let digits = |n: std::ops::RangeInclusive<usize>| {
            let d = digits_only(raw);
            if n.contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()) {
                Ok(d)
            } else {
                Err(Invalid::PaymentDetails)
            }
        };
        match self {
            RefundField::CardNumber => {
                digits(16..=19).and_then(|d| if luhn(&d) { Ok(d) } else { Err(Invalid::PaymentDetails) })
            }
            RefundField::Account => digits(20..=20),
            RefundField::Bik => digits(9..=9),
            RefundField::Bank => required_text(raw, 200).map_err(|_| Invalid::BankEmpty),
            RefundField::Holder => required_text(raw, 150).map_err(|_| Invalid::PaymentHolder),
        }
    }
}

/// The refund details from their fields as typed.
pub fn refund_details<'a>(by_card: bool, value: impl Fn(RefundField) -> &'a str) -> Result<PaymentDetails, Invalid> {
    use RefundField::*;
    if by_card {
        PaymentDetails::card(value(CardNumber), value(Holder))
    } else {
        PaymentDetails::account(value(Account), value(Bik), value(Bank), value(Holder))
    }
}
