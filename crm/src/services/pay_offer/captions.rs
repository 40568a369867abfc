//! What a payment message says beside its QR code: the caption of the photo and the label of
//! its button. One wording for the client's own «Оплатить» in the chat and for the payment their
//! agent sends from the booking card (`send.rs`), so the two can never read differently.

use super::BankTransferOffer;
use crate::services::payments::{OnlineMethod, OnlinePayment};
use crate::text;

impl OnlinePayment {
    /// «💳 Оплата 20 000 ₽ по брони №17…», with the bank app's hint for СБП.
    pub fn caption_ru(&self) -> String {
        let values: &[(&str, &dyn std::fmt::Display)] = &[("amount", &self.amount), ("booking", &self.booking_id.0)];
        match self.method {
            OnlineMethod::Sbp => text::fill("pay_offer", "link_caption_sbp", values),
            OnlineMethod::Card => text::fill("pay_offer", "link_caption", values),
        }
    }

    /// The label of the button that opens the provider's page: «Оплатить 20 000 ₽».
    pub fn button_ru(&self) -> String {
        text::fill("pay_offer", "link_button", &[("amount", &self.amount)])
    }
}

impl BankTransferOffer {
    /// The requisites and the purpose, for a client who types the transfer by hand.
    pub fn caption_ru(&self) -> String {
        text::fill(
            "pay_offer",
            "bank_caption",
            &[
                ("amount", &self.amount),
                ("booking", &self.booking.0),
                ("payee", &self.payee),
                ("inn", &self.inn),
                ("account", &self.account),
                ("bank_name", &self.bank_name),
                ("bik", &self.bik),
                ("corr_account", &self.corr_account),
                ("purpose", &self.purpose),
            ],
        )
    }
}
