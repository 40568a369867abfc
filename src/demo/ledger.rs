//! The demo's ledger beyond the client payments: refunds after cancellations, payments to
//! hotels and to the operator, and the agents' commission payouts — all by the accountant.

use super::Cast;
use super::catalog::Made;
use crm::Crm;
use crm::domain::{BookingId, Money, OperationKind, PaymentMethod, share_bp};
use crm::services::{BookingCard, OperationFilter, OperationInput};
use std::collections::BTreeMap;

/// The accountant returns what the cancellation left to refund.
pub(crate) async fn refund(crm: &Crm, cast: &Cast, card: &BookingCard) -> crm::Result<()> {
    let Some(due) = card.booking.refund_due.filter(|m| m.minor > 0) else { return Ok(()) };
    let op = OperationInput {
        kind: OperationKind::ClientRefund,
        booking_id: Some(card.booking.id),
        amount: due,
        counterparty_id: None,
        method: PaymentMethod::BankTransfer,
        external_id: None,
        note: "Возврат за вычетом штрафа отеля".into(),
    };
    crm.record_operation(&cast.accountant, op).await?;
    if let Some(penalty) = card.booking.penalty.filter(|m| m.minor > 0)
        && let Some(room) = card.rooms.first()
    {
        supplier(
            crm,
            cast,
            OperationKind::HotelPayment,
            card.booking.id,
            penalty,
            room.hotel_id.0,
            "Штраф отеля за отмену",
        )
        .await?;
    }
    Ok(())
}

/// Hotels and the flight part are paid for every booking paid in full.
pub(crate) async fn suppliers(crm: &Crm, cast: &Cast, made: &Made, paid: &[BookingCard]) -> crm::Result<()> {
    for card in paid {
        let b = &card.booking;
        for r in &card.rooms {
            supplier(crm, cast, OperationKind::HotelPayment, b.id, r.total, r.hotel_id.0, "Оплата проживания по счёту")
                .await?;
        }
        let operator = made.sellable.iter().find(|s| s.tour == b.tour_id).and_then(|s| s.operator.staff_id());
        let net = Money::new(share_bp(b.total.minor - b.rooms_total.minor, 8_000), b.total.currency);
        supplier(
            crm,
            cast,
            OperationKind::OperatorPayment,
            b.id,
            net,
            operator.map_or(0, |o| o.0),
            "Оплата перелёта и трансфера",
        )
        .await?;
    }
    Ok(())
}

async fn supplier(
    crm: &Crm,
    cast: &Cast,
    kind: OperationKind,
    booking: BookingId,
    amount: Money,
    counterparty: i64,
    note: &str,
) -> crm::Result<()> {
    if amount.minor <= 0 {
        return Ok(());
    }
    let op = OperationInput {
        kind,
        booking_id: Some(booking),
        amount,
        counterparty_id: Some(counterparty),
        method: PaymentMethod::BankTransfer,
        external_id: None,
        note: note.into(),
    };
    crm.record_operation(&cast.accountant, op).await?;
    Ok(())
}

/// The commission accrued on paid bookings is paid out to the first two agents who earned any.
pub(crate) async fn commissions(crm: &Crm, cast: &Cast) -> crm::Result<()> {
    let f = OperationFilter { kind: Some(OperationKind::CommissionAccrued), limit: 1000, ..Default::default() };
    let mut by_agent: BTreeMap<i64, i64> = BTreeMap::new();
    for op in crm.list_operations(&cast.accountant, f).await? {
        if let Some(agent) = op.counterparty_id {
            *by_agent.entry(agent).or_default() += op.amount.minor;
        }
    }
    for (&agent, &sum) in by_agent.iter().filter(|(_, s)| **s > 0).take(2) {
        let op = OperationInput {
            kind: OperationKind::CommissionPaid,
            booking_id: None,
            amount: Money::new(sum, crm::domain::Currency::RUB),
            counterparty_id: Some(agent),
            method: PaymentMethod::BankTransfer,
            external_id: None,
            note: "Выплата агентской комиссии за месяц".into(),
        };
        crm.record_operation(&cast.accountant, op).await?;
    }
    Ok(())
}
