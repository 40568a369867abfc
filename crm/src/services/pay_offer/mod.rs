//! What a client may pay on a booking now, and the bank-transfer QR for it. The rules: payments
//! follow the signed contract (`BookingStatus::accepts_payments`), never more than the balance
//! due, the next instalment of the schedule offered first. Both front-ends (the client's «Оплатить»,
//! the agent's «Отправить ссылку на оплату») ask here, so they cannot offer different things.
//! Nothing here moves money: a payment lands through the ledger (`ledger.rs`).
//! `send.rs` is the agent's side: the same payment queued to the client through the outbox;
//! `captions.rs` words what the client reads beside the QR code, for both sides.

mod captions;
mod send;

pub use send::{OfferChoices, PayWay, SentPayment};

use super::Crm;
use super::ledger::next_instalment;
use crate::bank_transfer;
use crate::domain::{AmountRefusal, BookingId, BookingStatus, Currency, Money, OperationKind, PayableRange, Role};
use crate::paperwork::requisites::AgencyRequisites;
use crate::store::bookings::{self as bookings_store, Booking};
use crate::store::operations as ops_store;
use crate::store::paperwork as paperwork_store;
use crate::{Actor, Conflict, Error, Result};
use chrono::NaiveDate;

/// The amounts a client may pick from for one booking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentChoices {
    pub booking: BookingId,
    pub tour_title: String,
    pub total: Money,
    pub paid: Money,
    /// The balance: «весь остаток».
    pub due: Money,
    /// The next instalment of the schedule (what of it is still unpaid, and by when), when it
    /// is less than the balance; otherwise paying the rest is that instalment.
    pub next: Option<(Money, NaiveDate)>,
    /// The bounds of «другая сумма».
    pub range: PayableRange,
    /// A bank transfer by QR can be offered: the agency's requisites are entered and the
    /// booking is in roubles (the GOST payload carries kopecks only).
    pub bank_transfer: bool,
}

/// A bank transfer's QR code with what the caption tells the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankTransferOffer {
    pub booking: BookingId,
    pub amount: Money,
    pub purpose: String,
    /// The GOST R 56042-2014 payload the QR code carries.
    pub payload: String,
    pub png: Vec<u8>,
    /// «ООО «Солнечный берег»».
    pub payee: String,
    pub inn: String,
    pub account: String,
    pub bank_name: String,
    pub bik: String,
    pub corr_account: String,
}

impl From<AmountRefusal> for Error {
    fn from(r: AmountRefusal) -> Error {
        match r {
            AmountRefusal::Invalid(i) => Error::Invalid(i),
            AmountRefusal::TooSmall(min) => Error::Conflict(Conflict::PaymentTooSmall { min }),
            AmountRefusal::TooBig(due) => Error::Conflict(Conflict::Overpayment { due }),
        }
    }
}

impl Crm {
    /// What the client may pay on `booking` now; refused when the booking takes no payments
    /// (the contract is not signed yet, or it is being cancelled) or nothing is due.
    pub async fn payment_choices(&self, actor: &Actor, booking: BookingId) -> Result<PaymentChoices> {
        let b = self.booking_to_pay(actor, booking).await?;
        let mut conn = self.store.conn().await?;
        let paid = ops_store::booking_sum(&mut conn, b.id, OperationKind::ClientPayment).await?;
        let schedule = bookings_store::schedule(&mut conn, b.id).await?;
        let requisites = paperwork_store::agency(&mut conn).await?.is_some();
        drop(conn);
        let cur = b.total.currency;
        let due = b.total.minor - paid;
        if due <= 0 {
            return Err(Error::Conflict(Conflict::NothingDue));
        }
        let next = next_instalment(&schedule, paid).filter(|(m, _)| m.minor < due);
        Ok(PaymentChoices {
            booking: b.id,
            tour_title: b.tour_title,
            total: b.total,
            paid: Money::new(paid, cur),
            due: Money::new(due, cur),
            next,
            range: PayableRange::for_due(Money::new(due, cur)),
            bank_transfer: requisites && cur == Currency::RUB,
        })
    }

    /// The QR code of a bank transfer of `amount` for `booking` to the agency's account, with
    /// the purpose the accountant matches it by. Refused while the requisites are not entered,
    /// and for an amount outside [`PaymentChoices::range`]. Such a transfer is confirmed by
    /// the accountant by hand when it reaches the account.
    pub async fn bank_transfer_offer(
        &self,
        actor: &Actor,
        booking: BookingId,
        amount: Money,
    ) -> Result<BankTransferOffer> {
        let choices = self.payment_choices(actor, booking).await?;
        choices.range.check(amount)?;
        let requisites = self.requisites_for_payment().await?;
        let b = self.booking_to_pay(actor, booking).await?;
        let purpose = bank_transfer::purpose(b.id, &b.client_name);
        let payload = bank_transfer::payload(&requisites, &purpose, amount)?;
        let png = crate::qr::png_off_worker(payload.clone()).await?;
        Ok(BankTransferOffer {
            booking: b.id,
            amount,
            purpose,
            payload,
            png,
            payee: requisites.full_name(),
            inn: requisites.inn,
            account: requisites.bank_account,
            bank_name: requisites.bank_name,
            bik: requisites.bik,
            corr_account: requisites.corr_account,
        })
    }

    /// The booking, for someone who may ask to pay it: its client, its agent, an admin or the
    /// accountant — not an operator, who only reads their tours' bookings.
    async fn booking_to_pay(&self, actor: &Actor, booking: BookingId) -> Result<Booking> {
        if matches!(actor, Actor::Telegram(_) | Actor::Staff { role: Role::Operator, .. }) {
            return Err(Error::Forbidden("payments are offered to the client by the agency"));
        }
        let b = self.booking_for(actor, booking, false).await?;
        if b.status == BookingStatus::ContractPending {
            return Err(Error::Conflict(Conflict::ContractNotSigned));
        }
        if !b.status.accepts_payments() {
            return Err(Error::Conflict(Conflict::PaymentsNotAccepted(b.status.title_ru())));
        }
        Ok(b)
    }

    /// The requisites as entered (the services checked them on saving); read for a client's
    /// transfer, so not limited to the admin as their editing is.
    async fn requisites_for_payment(&self) -> Result<AgencyRequisites> {
        let stored = paperwork_store::agency(&mut *self.store.conn().await?).await?;
        stored
            .and_then(|s| serde_json::from_str(&s.data).ok())
            .ok_or(Error::Conflict(Conflict::AgencyRequisitesMissing))
    }
}
