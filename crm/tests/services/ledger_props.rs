//! Property test of the booking status machine and the ledger together: random sequences of
//! bookings, status moves, payments, refunds and reversals on one small departure. Whatever the
//! sequence, each step is applied whole or refused with a reason (never a database error), and
//! after each one: no balance is negative or above the price, refunds never exceed payments, a
//! booking in a paying status has the status its payments imply, and the seats booked are the
//! travellers of the live bookings, never more than the departure has (no seat sold twice).
//! SQLite, a bounded number of cases (`PROPTEST_CASES` overrides it): it runs in every `cargo test`.

use crate::helpers::{TestApp, spawn};
use crate::sales::request;
use crm::domain::{BookingId, BookingStatus, Currency, Money, OperationId, OperationKind, PaymentMethod, Role};
use crm::services::{OperationInput, PaymentInput};
use crm::{Actor, Error};
use proptest::prelude::*;
use testkit::Backend;

const CAPACITY: i64 = 5;
/// The excursion's price per traveller, in kopecks (see `sales::published_tour`).
const PRICE: i64 = 50_000 * 100;

#[derive(Debug, Clone)]
enum Op {
    Book {
        client: usize,
        travellers: i64,
    },
    Move {
        booking: usize,
        to: BookingStatus,
    },
    /// A payment of this share (per mille) of the price of one traveller, over 1000 for an overpayment.
    Pay {
        booking: usize,
        per_mille: i64,
    },
    Refund {
        booking: usize,
        per_mille: i64,
    },
    Reverse {
        payment: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => (0usize..3, 1i64..4).prop_map(|(client, travellers)| Op::Book { client, travellers }),
        3 => (0usize..4, proptest::sample::select(BookingStatus::ALL.to_vec()))
            .prop_map(|(booking, to)| Op::Move { booking, to }),
        4 => (0usize..4, 1i64..2500).prop_map(|(booking, per_mille)| Op::Pay { booking, per_mille }),
        1 => (0usize..4, 1i64..1500).prop_map(|(booking, per_mille)| Op::Refund { booking, per_mille }),
        1 => (0usize..6).prop_map(|payment| Op::Reverse { payment }),
    ]
}

fn rub(per_mille: i64) -> Money {
    Money::new(PRICE * per_mille / 1000, Currency::RUB)
}

/// A refusal is fine; a database error or a broken invariant inside the services is not.
fn refused_or_done<T>(what: &Op, r: Result<T, Error>) -> Result<Option<T>, TestCaseError> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(
            Error::Forbidden(_) | Error::NotFound(_) | Error::Conflict(_) | Error::Invalid(_) | Error::IllegalMove(_),
        ) => Ok(None),
        Err(e) => Err(TestCaseError::fail(format!("{what:?} failed: {e}"))),
    }
}

async fn run(ops: Vec<Op>) -> Result<(), TestCaseError> {
    let app: TestApp = spawn(Backend::Sqlite).await;
    let operator = app.actor("oleg", Role::Operator).await;
    let agent = app.actor("anna", Role::Agent).await;
    let accountant = app.actor("buh", Role::Accountant).await;
    let mut clients = Vec::new();
    for phone in ["+79120000001", "+79120000002", "+79120000003"] {
        clients.push(app.client(phone, Some(&agent)).await);
    }
    let (tour, dep) = app.published_tour(&operator, CAPACITY).await;
    let mut bookings: Vec<BookingId> = Vec::new();
    let mut payments: Vec<OperationId> = Vec::new();
    for op in ops {
        let crm = &app.crm;
        match &op {
            Op::Book { client, travellers } => {
                let r = crm.create_booking(&agent, request(&clients[*client], dep, *travellers)).await;
                if let Some(card) = refused_or_done(&op, r)? {
                    bookings.push(card.booking.id);
                }
            }
            Op::Move { booking, to } => {
                let Some(id) = bookings.get(*booking) else { continue };
                refused_or_done(&op, crm.change_booking_status(&agent, *id, *to, "проверка").await)?;
            }
            Op::Pay { booking, per_mille } => {
                let Some(id) = bookings.get(*booking) else { continue };
                let p = PaymentInput {
                    booking_id: *id,
                    amount: rub(*per_mille),
                    method: PaymentMethod::Cash,
                    external_id: None,
                    note: String::new(),
                };
                if let Some(done) = refused_or_done(&op, crm.record_client_payment(&agent, p).await)? {
                    payments.push(done.operation.id);
                }
            }
            Op::Refund { booking, per_mille } => {
                let Some(id) = bookings.get(*booking) else { continue };
                let input = OperationInput {
                    kind: OperationKind::ClientRefund,
                    booking_id: Some(*id),
                    amount: rub(*per_mille),
                    counterparty_id: None,
                    method: PaymentMethod::BankTransfer,
                    external_id: None,
                    note: String::new(),
                };
                refused_or_done(&op, crm.record_operation(&accountant, input).await)?;
            }
            Op::Reverse { payment } => {
                let Some(id) = payments.get(*payment) else { continue };
                refused_or_done(&op, crm.reverse_operation(&accountant, *id, "ошибка").await)?;
            }
        }
        check(&app, &accountant, &bookings, tour, &op).await?;
    }
    Ok(())
}

async fn check(
    app: &TestApp,
    accountant: &Actor,
    bookings: &[BookingId],
    tour: crm::domain::TourId,
    after: &Op,
) -> Result<(), TestCaseError> {
    let mut live_travellers = 0;
    for id in bookings {
        let card = app.crm.booking_card(accountant, *id).await.map_err(|e| TestCaseError::fail(e.to_string()))?;
        let b = &card.booking;
        let sum = |kind| card.operations.iter().filter(|o| o.kind == kind).map(|o| o.amount.minor).sum::<i64>();
        let (paid, refunded) = (sum(OperationKind::ClientPayment), sum(OperationKind::ClientRefund));
        prop_assert!(paid >= 0 && paid <= b.total.minor, "after {after:?}: paid {paid} of {}", b.total.minor);
        prop_assert!(refunded >= 0 && refunded <= paid, "after {after:?}: refunded {refunded} of {paid}");
        prop_assert_eq!(card.paid.minor, paid, "the card's paid figure is the ledger's");
        if matches!(b.status, BookingStatus::ContractSigned | BookingStatus::PartiallyPaid | BookingStatus::Paid) {
            let implied = BookingStatus::from_payments(paid, b.total.minor);
            prop_assert_eq!(b.status, implied, "after {:?}: booking {} paid {}", after, id.0, paid);
        }
        if b.status.is_active() {
            live_travellers += b.travellers_count;
        }
    }
    let card = app.crm.tour_card(accountant, tour).await.map_err(|e| TestCaseError::fail(e.to_string()))?;
    let dep = &card.departures[0];
    prop_assert_eq!(dep.seats_booked, live_travellers, "after {:?}: seats booked vs live bookings", after);
    prop_assert!(
        dep.seats_booked <= dep.capacity,
        "after {after:?}: {} seats sold of {}",
        dep.seats_booked,
        dep.capacity
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn no_sequence_of_moves_and_payments_breaks_the_ledger(ops in proptest::collection::vec(op(), 1..30)) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(run(ops))?;
    }
}
