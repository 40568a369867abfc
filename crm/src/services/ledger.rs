//! The operations ledger: every money movement is an operation; nothing is edited or deleted,
//! a mistake is corrected by a reversing operation. Client payments — recorded by hand now,
//! by payment providers later — all go through [`Crm::record_client_payment`], which also
//! moves the booking's status and accrues the agent's commission when it is paid in full.

use super::Crm;
use super::audit::Audited;
use super::bookings::check_booking_access;
use super::scope::{Access, Scope};
use crate::audit::{self, AuditAction, AuditField, AuditObject, Entry};
use crate::domain::{
    BookingId, BookingStatus, Cause, Invalid, Money, OperationId, OperationKind, PaymentMethod, Role, share_bp,
};
use crate::store::Conn;
use crate::store::bookings::{self as bookings_store, Booking};
use crate::store::operations::{self as store, NewOperation, Operation, OperationFilter};
use crate::{Actor, Conflict, Error, Result, text};
use chrono::{DateTime, Utc};

#[derive(Debug, Clone)]
pub struct PaymentInput {
    pub booking_id: BookingId,
    pub amount: Money,
    pub method: PaymentMethod,
    /// The provider's payment id or the bank document number: recording the same one twice
    /// returns the first operation instead of a second payment.
    pub external_id: Option<String>,
    pub note: String,
}

#[derive(Debug, Clone)]
pub struct OperationInput {
    pub kind: OperationKind,
    pub booking_id: Option<BookingId>,
    pub amount: Money,
    /// The agent, hotel or operator paid (the client is the booking's).
    pub counterparty_id: Option<i64>,
    pub method: PaymentMethod,
    pub external_id: Option<String>,
    pub note: String,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct PaymentOutcome {
    pub operation: Operation,
    pub status: BookingStatus,
    /// True when this external id had already been recorded and nothing new was written.
    pub duplicate: bool,
}

fn finance(actor: &Actor) -> Result<()> {
    actor.require(&[Role::Admin, Role::Accountant], "the ledger is the accountant's")
}

fn clean_note(note: &str) -> Result<String> {
    let n = note.trim();
    if n.chars().count() > 1000 {
        return Err(Error::Invalid(Invalid::TextTooLong));
    }
    Ok(n.to_owned())
}

impl Crm {
    pub async fn record_client_payment(&self, actor: &Actor, p: PaymentInput) -> Result<PaymentOutcome> {
        // Agents record payments of their own bookings, the accountant and admins of any;
        // clients pay through a provider, which records as the system. Operators only read
        // the bookings of their tours.
        let booking = self.booking_for(actor, p.booking_id, false).await?;
        if matches!(actor, Actor::Client(_) | Actor::Telegram(_) | Actor::Staff { role: Role::Operator, .. }) {
            return Err(Error::Forbidden("payments are recorded by the agency or the provider"));
        }
        let note = clean_note(&p.note)?;
        if p.amount.minor <= 0 {
            return Err(Error::Invalid(Invalid::AmountZero));
        }
        if p.amount.currency != booking.total.currency {
            return Err(Error::Invalid(Invalid::CurrencyMismatch));
        }
        let actor_name = actor.audit_name();
        let mut tx = self.audited(actor).await?;
        let outcome = self.client_payment_in(&mut tx, &actor_name, &p, &note).await?;
        if outcome.duplicate {
            return Ok(outcome);
        }
        let entry = Entry::new(AuditAction::LedgerClientPayment, AuditObject::Booking(p.booking_id))
            .with(AuditField::Amount, p.amount)
            .with(AuditField::Operation, audit::number(outcome.operation.id));
        tx.commit(entry).await?;
        Ok(outcome)
    }

    /// The one path of a client payment into the ledger, inside the caller's transaction (the
    /// panel's and the bot's record above, a provider's payment applied by `payments`): the
    /// same provider id twice returns the first operation; the booking's status is read again
    /// here, moves with the payment, and the client's «оплата получена» message is queued.
    pub(crate) async fn client_payment_in(
        &self,
        tx: &mut Audited,
        actor_name: &str,
        p: &PaymentInput,
        note: &str,
    ) -> Result<PaymentOutcome> {
        let now = tx.now();
        if let Some(ext) = &p.external_id
            && let Some(existing) = store::by_external_id(tx, ext).await?
        {
            // The same document on another booking is a mistake, not a retry: say so rather
            // than hand back an operation of a booking the actor may not even see.
            if existing.booking_id != Some(p.booking_id) || existing.kind != OperationKind::ClientPayment {
                return Err(Error::Conflict(Conflict::NoChange("this payment is already recorded")));
            }
            let b = bookings_store::get(tx, p.booking_id).await?.ok_or(Error::NotFound("booking"))?;
            return Ok(PaymentOutcome { operation: existing, status: b.status, duplicate: true });
        }
        // Read again inside the transaction: the status may have moved since the check above.
        let b = bookings_store::get(tx, p.booking_id).await?.ok_or(Error::NotFound("booking"))?;
        if !b.status.accepts_payments() {
            return Err(Error::Conflict(Conflict::PaymentsNotAccepted(b.status.title_ru())));
        }
        let paid = store::booking_sum(tx, b.id, OperationKind::ClientPayment).await?;
        let due = b.total.minor - paid;
        if p.amount.minor > due {
            return Err(Error::Conflict(Conflict::Overpayment { due: Money::new(due, b.total.currency) }));
        }
        let op_id = store::insert(
            tx,
            &NewOperation {
                at: now,
                kind: OperationKind::ClientPayment,
                amount: p.amount,
                booking_id: Some(b.id),
                counterparty_id: Some(b.client_id.0),
                method: p.method,
                external_id: p.external_id.as_deref(),
                note,
                recorded_by: actor_name,
                reverses: None,
            },
        )
        .await
        .map_err(|e| Error::from(e).on_unique(Conflict::NoChange("this payment is already recorded")))?;
        let status = self
            .follow_payments(
                tx,
                &b,
                paid + p.amount.minor,
                actor_name,
                text::get("booking_history", "payment_received"),
            )
            .await?;
        let operation = store::get(tx, op_id).await?.ok_or(Error::NotFound("operation"))?;
        let paid_now = paid + p.amount.minor;
        let schedule = bookings_store::schedule(tx, b.id).await?;
        let cur = b.total.currency;
        let news = super::notify::status::PaymentNews {
            operation_id: op_id.0,
            amount: p.amount,
            paid: Money::new(paid_now, cur),
            left: Money::new((b.total.minor - paid_now).max(0), cur),
            status,
            next: next_instalment(&schedule, paid_now),
        };
        super::notify::status::announce_payment(tx, &b, &news, now).await?;
        if p.method == PaymentMethod::Online {
            super::notify::status::note_agent_of_payment(tx, &b, &news, now).await?;
        }
        Ok(PaymentOutcome { operation, status, duplicate: false })
    }

    /// Moves a booking to the status its payments imply, and keeps the agent's commission in
    /// step: accrued when it becomes paid in full, reversed if it stops being so.
    async fn follow_payments(
        &self,
        conn: &mut Conn,
        b: &Booking,
        paid: i64,
        actor: &str,
        why: &str,
    ) -> Result<BookingStatus> {
        let target = BookingStatus::from_payments(paid, b.total.minor);
        if !matches!(b.status, BookingStatus::ContractSigned | BookingStatus::PartiallyPaid | BookingStatus::Paid)
            || target == b.status
        {
            return Ok(b.status);
        }
        b.status.check_move(target, Cause::Payment)?;
        let now = self.now();
        let Some(move_id) = bookings_store::move_status(conn, b.id, b.status, target, actor, why, now).await? else {
            return Err(Error::Conflict(Conflict::NoChange("the booking changed meanwhile")));
        };
        super::booking_events::status_moved(conn, b, target, move_id, actor, why, now).await?;
        if target == BookingStatus::Paid {
            let commission = share_bp(b.total.minor, b.commission_bp);
            if let (Some(agent), true) = (b.agent_id, commission > 0) {
                store::insert(
                    conn,
                    &NewOperation {
                        at: now,
                        kind: OperationKind::CommissionAccrued,
                        amount: Money::new(commission, b.total.currency),
                        booking_id: Some(b.id),
                        counterparty_id: Some(agent.0),
                        method: PaymentMethod::Internal,
                        external_id: None,
                        note: "",
                        recorded_by: actor,
                        reverses: None,
                    },
                )
                .await?;
            }
        } else if b.status == BookingStatus::Paid {
            reverse_commission(conn, b.id, actor, text::get("booking_history", "no_longer_paid"), now).await?;
        }
        Ok(target)
    }

    /// Refunds, commission payouts, payments to hotels and operators: the accountant's. A
    /// commission payout over what the agent is owed is refused (see
    /// [`Crm::record_operation_over_owed`]).
    pub async fn record_operation(&self, actor: &Actor, input: OperationInput) -> Result<Operation> {
        self.record_operation_with(actor, input, None).await
    }

    /// A commission payout beyond what is owed (an advance), which the accountant confirmed
    /// with a reason; the reason is kept in the operation's note and the audit log.
    pub async fn record_operation_over_owed(
        &self,
        actor: &Actor,
        input: OperationInput,
        reason: &str,
    ) -> Result<Operation> {
        let reason = crate::domain::reason(reason, 1000)?;
        self.record_operation_with(actor, input, Some(&reason)).await
    }

    async fn record_operation_with(
        &self,
        actor: &Actor,
        input: OperationInput,
        over_owed: Option<&str>,
    ) -> Result<Operation> {
        finance(actor)?;
        if input.kind == OperationKind::ClientPayment {
            return self
                .record_client_payment(
                    actor,
                    PaymentInput {
                        booking_id: input.booking_id.ok_or(Error::NotFound("booking"))?,
                        amount: input.amount,
                        method: input.method,
                        external_id: input.external_id,
                        note: input.note,
                    },
                )
                .await
                .map(|o| o.operation);
        }
        let note = clean_note(&input.note)?;
        if input.amount.minor <= 0 {
            return Err(Error::Invalid(Invalid::AmountZero));
        }
        let actor_name = actor.audit_name();
        let mut tx = self.audited(actor).await?;
        let op = self.operation_in(&mut tx, &actor_name, &input, &note, over_owed).await?;
        let entry = Entry::new(AuditAction::ledger(input.kind), AuditObject::Operation(op.id))
            .with(AuditField::Amount, input.amount)
            .with_some(AuditField::Booking, input.booking_id.map(audit::number))
            .with_some(AuditField::Reason, over_owed);
        tx.commit(entry).await?;
        Ok(op)
    }

    /// An operation other than a client payment, inside the caller's transaction (the
    /// accountant's record above, a provider's refund applied by `payments`). `over_owed` is
    /// the accountant's reason for paying an agent more than owed, kept in the note.
    pub(crate) async fn operation_in(
        &self,
        tx: &mut Audited,
        actor_name: &str,
        input: &OperationInput,
        note: &str,
        over_owed: Option<&str>,
    ) -> Result<Operation> {
        let now = tx.now();
        let booking = match input.booking_id {
            Some(id) => Some(bookings_store::get(tx, id).await?.ok_or(Error::NotFound("booking"))?),
            None => None,
        };
        if let Some(b) = &booking
            && b.total.currency != input.amount.currency
        {
            return Err(Error::Invalid(Invalid::CurrencyMismatch));
        }
        let counterparty = match (input.kind, &booking) {
            (OperationKind::ClientRefund, Some(b)) => {
                let paid = store::booking_sum(tx, b.id, OperationKind::ClientPayment).await?;
                let refunded = store::booking_sum(tx, b.id, OperationKind::ClientRefund).await?;
                if input.amount.minor > paid - refunded {
                    return Err(Error::Conflict(Conflict::Overpayment {
                        due: Money::new(paid - refunded, b.total.currency),
                    }));
                }
                Some(b.client_id.0)
            }
            (OperationKind::ClientRefund, None) => return Err(Error::NotFound("booking")),
            (OperationKind::CommissionAccrued | OperationKind::CommissionPaid, b) => {
                input.counterparty_id.or(b.as_ref().and_then(|b| b.agent_id.map(|a| a.0)))
            }
            _ => input.counterparty_id,
        };
        // Who is paid must exist and be of the kind paid; an agent is paid what is owed.
        super::desk::check_payee(tx, input.kind, counterparty, input.amount, over_owed).await?;
        if let Some(ext) = &input.external_id
            && let Some(op) = store::by_external_id(tx, ext).await?
        {
            return Err(Error::Conflict(Conflict::DocumentRecorded {
                number: super::desk::document_number(ext).to_owned(),
                operation: op.id.0,
            }));
        }
        let note = match over_owed {
            Some(why) if note.is_empty() => clean_note(why)?,
            Some(why) => clean_note(&format!("{note}. {why}"))?,
            None => note.to_owned(),
        };
        let id = store::insert(
            tx,
            &NewOperation {
                at: now,
                kind: input.kind,
                amount: input.amount,
                booking_id: input.booking_id,
                counterparty_id: counterparty,
                method: input.method,
                external_id: input.external_id.as_deref(),
                note: &note,
                recorded_by: actor_name,
                reverses: None,
            },
        )
        .await
        .map_err(|e| Error::from(e).on_unique(Conflict::NoChange("this document is already recorded")))?;
        store::get(tx, id).await?.ok_or(Error::NotFound("operation"))
    }

    /// Corrects a mistaken operation with its negation. A reversed client payment moves the
    /// booking back (paid → partially paid …).
    pub async fn reverse_operation(&self, actor: &Actor, id: OperationId, reason: &str) -> Result<Operation> {
        finance(actor)?;
        let reason = crate::domain::reason(reason, 1000)?;
        let actor_name = actor.audit_name();
        let mut tx = self.audited(actor).await?;
        let now = tx.now();
        let op = store::get(&mut tx, id).await?.ok_or(Error::NotFound("operation"))?;
        if op.reversed_by.is_some() {
            return Err(Error::Conflict(Conflict::AlreadyReversed));
        }
        if op.reverses.is_some() {
            return Err(Error::Conflict(Conflict::NoChange("a reversal is not reversed; record a new operation")));
        }
        let rev = insert_reversal(&mut tx, &op, &actor_name, &reason, now)
            .await
            .map_err(|e| e.on_unique(Conflict::AlreadyReversed))?;
        if op.kind == OperationKind::ClientPayment
            && let Some(bid) = op.booking_id
        {
            let b = bookings_store::get(&mut tx, bid).await?.ok_or(Error::NotFound("booking"))?;
            let paid = store::booking_sum(&mut tx, bid, OperationKind::ClientPayment).await?;
            self.follow_payments(&mut tx, &b, paid, &actor_name, text::get("booking_history", "payment_reversed"))
                .await?;
        }
        let out = store::get(&mut tx, rev).await?.ok_or(Error::NotFound("operation"))?;
        let entry = Entry::new(AuditAction::LedgerReverse, AuditObject::Operation(id))
            .with(AuditField::Amount, op.amount)
            .with(AuditField::Reason, reason);
        tx.commit(entry).await?;
        Ok(out)
    }

    /// Operations the actor may see: the accountant and admins all, an agent those of their
    /// own bookings, a client those of their own booking.
    pub async fn list_operations(&self, actor: &Actor, mut filter: OperationFilter) -> Result<Vec<Operation>> {
        match Scope::of(actor, Access::Read) {
            Scope::All => {}
            Scope::Agent(id) => filter.agent_id = Some(id.0),
            Scope::Client(_) => {
                let bid = filter.booking_id.ok_or(Error::Forbidden("a client sees the operations of a booking"))?;
                self.booking_for(actor, bid, false).await?;
            }
            Scope::Operator(_) | Scope::Nothing => return Err(Error::Forbidden("the ledger is not for this role")),
        }
        Ok(store::list(&mut *self.store.conn().await?, &filter).await?)
    }

    /// Sums per kind and currency over a period.
    pub async fn ledger_totals(
        &self,
        actor: &Actor,
        from: Option<DateTime<Utc>>,
        until: Option<DateTime<Utc>>,
    ) -> Result<Vec<(OperationKind, Money)>> {
        finance(actor)?;
        Ok(store::totals(&mut *self.store.conn().await?, from, until).await?)
    }

    /// What a client has paid on a booking and what is left (for the agent's and client's views).
    pub async fn booking_balance(&self, actor: &Actor, id: BookingId) -> Result<(Money, Money)> {
        let b = self.booking_for(actor, id, false).await?;
        check_booking_access(actor, &b, false)?;
        let paid = store::booking_sum(&mut *self.store.conn().await?, id, OperationKind::ClientPayment).await?;
        let cur = b.total.currency;
        Ok((Money::new(paid, cur), Money::new(b.status.amount_due(b.total.minor, paid), cur)))
    }
}

/// The first instalment of `schedule` that `paid` does not cover yet, with what is left of it.
pub fn next_instalment(schedule: &[bookings_store::Installment], paid: i64) -> Option<(Money, chrono::NaiveDate)> {
    let mut scheduled: i64 = 0;
    for i in schedule {
        scheduled = scheduled.saturating_add(i.amount.minor);
        if scheduled > paid {
            return Some((Money::new(scheduled - paid, i.amount.currency), i.due_on));
        }
    }
    None
}

/// Reverses the agent's commission accrued on a booking that stopped being a sale: its payment
/// was reversed, or it was cancelled (the agency earns nothing on a refunded trip).
pub(crate) async fn reverse_commission(
    conn: &mut Conn,
    booking: BookingId,
    actor: &str,
    why: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let filter = OperationFilter {
        booking_id: Some(booking),
        kind: Some(OperationKind::CommissionAccrued),
        limit: 100,
        ..Default::default()
    };
    let accrued = store::list(conn, &filter).await?;
    for op in accrued.into_iter().filter(|o| o.reverses.is_none() && o.reversed_by.is_none()) {
        insert_reversal(conn, &op, actor, why, now).await?;
    }
    Ok(())
}

async fn insert_reversal(
    conn: &mut Conn,
    op: &Operation,
    actor: &str,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<OperationId> {
    Ok(store::insert(
        conn,
        &NewOperation {
            at: now,
            kind: op.kind,
            amount: Money::new(-op.amount.minor, op.amount.currency),
            booking_id: op.booking_id,
            counterparty_id: op.counterparty_id,
            method: op.method,
            external_id: None,
            note: reason,
            recorded_by: actor,
            reverses: Some(op.id),
        },
    )
    .await?)
}
