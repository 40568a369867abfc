//! The accountant's desk around the ledger: who may be paid (partner hotels, tour operators,
//! agents), what an agent is owed, and bank transfers matched to their booking by the payment's
//! purpose. Money itself still moves only through `ledger.rs`; this module reads and checks.

use super::Crm;
use super::ledger::PaymentOutcome;
use crate::domain::{BookingId, Currency, HotelId, Invalid, Money, OperationKind, PaymentMethod, Role, StaffId};
use crate::store::Conn;
use crate::store::bookings::Booking;
use crate::store::hotels::HotelFilter;
use crate::store::operations as store;
use crate::{Actor, Conflict, Error, Result};

/// Prefix of a bank document number kept as an operation's external id, so it never collides
/// with a payment provider's id.
const BANK_DOCUMENT: &str = "bank:";

/// What an agent has earned, been paid and is still owed, in one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct CommissionBalance {
    pub accrued: Money,
    pub paid: Money,
    /// Accrued minus paid; negative after an advance.
    pub owed: Money,
}

/// Someone the agency pays: a partner hotel, a tour operator or an agent.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Payee {
    pub id: i64,
    pub name: String,
    /// The city of a hotel, the legal name of an operator from the registry data.
    pub detail: String,
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Payees {
    pub hotels: Vec<Payee>,
    pub operators: Vec<Payee>,
    pub agents: Vec<Payee>,
}

/// A booking found for a bank transfer, shown to the accountant before it is recorded.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TransferMatch {
    pub booking: Booking,
    pub paid: Money,
    pub due: Money,
}

/// The booking number in a payment's purpose: the digits after «№» (as our payment QR writes
/// «Оплата по брони №<id>, …»), or the whole input when it is only a number.
pub fn booking_number_in(purpose: &str) -> Option<BookingId> {
    let t = purpose.trim();
    if !t.is_empty() && t.chars().all(|c| c.is_ascii_digit()) {
        return crate::bank_transfer::leading_number(t);
    }
    crate::bank_transfer::booking_in_purpose(t)
}

/// The external id a bank document number is kept under.
pub fn bank_document_id(number: &str) -> String {
    format!("{BANK_DOCUMENT}{}", number.trim())
}

/// The bank document number of an external id (a provider's id is shown as it is).
pub fn document_number(external_id: &str) -> &str {
    external_id.strip_prefix(BANK_DOCUMENT).unwrap_or(external_id)
}

fn finance(actor: &Actor) -> Result<()> {
    actor.require(&[Role::Admin, Role::Accountant], "the ledger is the accountant's")
}

/// The payee of an operation exists and is of its kind; a commission payout is not more than
/// the agent is owed unless `over_owed` gives the reason. Runs inside the ledger's transaction.
pub(super) async fn check_payee(
    conn: &mut Conn,
    kind: OperationKind,
    counterparty: Option<i64>,
    amount: Money,
    over_owed: Option<&str>,
) -> Result<()> {
    let staff_of = async |conn: &mut Conn, id: Option<i64>, role: Role| -> Result<i64> {
        let id = id.ok_or(Error::Invalid(Invalid::PayeeUnknown))?;
        match crate::store::staff::get(conn, StaffId(id)).await? {
            Some(s) if s.role == role => Ok(id),
            _ => Err(Error::Invalid(Invalid::PayeeUnknown)),
        }
    };
    match kind {
        OperationKind::HotelPayment => {
            let id = counterparty.ok_or(Error::Invalid(Invalid::PayeeUnknown))?;
            if crate::store::hotels::get(conn, HotelId(id)).await?.is_none() {
                return Err(Error::Invalid(Invalid::PayeeUnknown));
            }
        }
        OperationKind::OperatorPayment => {
            staff_of(conn, counterparty, Role::Operator).await?;
        }
        OperationKind::CommissionPaid => {
            let agent = staff_of(conn, counterparty, Role::Agent).await?;
            let owed = balance(conn, agent, amount.currency).await?.owed;
            if amount.minor > owed.minor && over_owed.is_none() {
                return Err(Error::Conflict(Conflict::CommissionOverOwed {
                    owed: Money::new(owed.minor.max(0), owed.currency),
                }));
            }
        }
        _ => {}
    }
    Ok(())
}

async fn balance(conn: &mut Conn, agent: i64, currency: Currency) -> Result<CommissionBalance> {
    let accrued = store::counterparty_sum(conn, OperationKind::CommissionAccrued, agent, currency).await?;
    let paid = store::counterparty_sum(conn, OperationKind::CommissionPaid, agent, currency).await?;
    Ok(CommissionBalance {
        accrued: Money::new(accrued, currency),
        paid: Money::new(paid, currency),
        owed: Money::new(accrued - paid, currency),
    })
}

impl Crm {
    /// What an agent has been accrued, paid and is owed (in roubles: commissions are accrued
    /// in the booking's currency, and the agency sells in roubles).
    pub async fn commission_balance(&self, actor: &Actor, agent: StaffId) -> Result<CommissionBalance> {
        finance(actor)?;
        let mut conn = self.store.conn().await?;
        match crate::store::staff::get(&mut conn, agent).await? {
            Some(s) if s.role == Role::Agent => balance(&mut conn, agent.0, Currency::RUB).await,
            _ => Err(Error::NotFound("agent")),
        }
    }

    /// Everyone the accountant may pay: partner hotels (archived ones too, an old bill may
    /// come late), tour operators with their registry name, agents.
    pub async fn payees(&self, actor: &Actor) -> Result<Payees> {
        finance(actor)?;
        let mut conn = self.store.conn().await?;
        let filter = HotelFilter { include_archived: true, limit: 1000, ..Default::default() };
        let hotels = crate::store::hotels::list(&mut conn, &filter).await?;
        let mut out = Payees {
            hotels: hotels
                .into_iter()
                .map(|h| Payee { id: h.id.0, name: h.name, detail: format!("{}, {}", h.city, h.country) })
                .collect(),
            ..Default::default()
        };
        for s in crate::store::staff::list(&mut conn).await? {
            match s.role {
                Role::Operator => {
                    let registry: Option<crate::paperwork::requisites::OperatorRegistry> =
                        crate::store::paperwork::operator(&mut conn, s.id)
                            .await?
                            .and_then(|r| serde_json::from_str(&r.data).ok());
                    let detail = registry.map(|r| r.full_name).unwrap_or_default();
                    out.operators.push(Payee { id: s.id.0, name: s.name, detail });
                }
                Role::Agent => out.agents.push(Payee { id: s.id.0, name: s.name, detail: String::new() }),
                _ => {}
            }
        }
        Ok(out)
    }

    /// The booking a bank transfer's purpose (or a typed booking number) names, with what is
    /// paid and due on it.
    pub async fn match_bank_transfer(&self, actor: &Actor, purpose: &str) -> Result<TransferMatch> {
        finance(actor)?;
        let id = booking_number_in(purpose).ok_or(Error::Invalid(Invalid::BookingNumberMissing))?;
        let booking = self.booking_for(actor, id, false).await?;
        let paid = store::booking_sum(&mut *self.store.conn().await?, id, OperationKind::ClientPayment).await?;
        let cur = booking.total.currency;
        let due = Money::new(booking.status.amount_due(booking.total.minor, paid), cur);
        Ok(TransferMatch { booking, paid: Money::new(paid, cur), due })
    }

    /// A bank transfer received for a booking: a client payment by bank transfer whose bank
    /// document number is its external id. The same document twice is refused, naming the
    /// operation that holds it.
    pub async fn record_bank_transfer(
        &self,
        actor: &Actor,
        booking: BookingId,
        amount: Money,
        document: &str,
        note: &str,
    ) -> Result<PaymentOutcome> {
        finance(actor)?;
        let document = document.trim();
        if document.is_empty() {
            return Err(Error::Invalid(Invalid::DocumentNumberRequired));
        }
        if document.chars().count() > 64 {
            return Err(Error::Invalid(Invalid::FieldTooLong));
        }
        let external_id = bank_document_id(document);
        let recorded =
            |operation: i64| Error::Conflict(Conflict::DocumentRecorded { number: document.to_owned(), operation });
        if let Some(op) = store::by_external_id(&mut *self.store.conn().await?, &external_id).await? {
            return Err(recorded(op.id.0));
        }
        let input = super::PaymentInput {
            booking_id: booking,
            amount,
            method: PaymentMethod::BankTransfer,
            external_id: Some(external_id),
            note: note.to_owned(),
        };
        let outcome = self.record_client_payment(actor, input).await?;
        if outcome.duplicate {
            // Recorded by a request that raced this one.
            return Err(recorded(outcome.operation.id.0));
        }
        Ok(outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_booking_number_is_read_from_the_purpose() {
        let cases: &[(&str, Option<i64>)] = &[
            ("Оплата по брони №123, Иванов И. И., без НДС", Some(123)),
            ("Оплата по брони № 45 без НДС", Some(45)),
            ("  77 ", Some(77)),
            ("Счёт №, по брони №9", Some(9)),
            ("Оплата за тур", None),
            ("№0", None),
            ("", None),
            ("12a", None),
        ];
        for (purpose, want) in cases {
            assert_eq!(booking_number_in(purpose), want.map(BookingId), "{purpose:?}");
        }
    }
}
