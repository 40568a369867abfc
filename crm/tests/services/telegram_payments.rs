//! Telegram Payments: who may ask for an invoice and for how much, the pre-checkout's answer as
//! the booking changes, and a reported payment applied once, moving the booking and queueing
//! the client's receipt.

use crate::each_backend;
use crate::helpers::TestApp;
use crate::sales::request;
use crm::domain::{BookingId, BookingStatus, Currency, Money, OperationKind, PaymentMethod, Role};
use crm::services::{
    ChargeOutcome, CheckoutQuery, CheckoutRefusal, OperationFilter, OutboxFilter, TelegramCharge, TelegramInvoice,
};
use crm::{Actor, Conflict, Crm, Error};
use secrecy::SecretString;

const SYS: Actor = Actor::System;

fn rub(r: i64) -> Money {
    Money::new(r * 100, Currency::RUB)
}

fn payments_on(crm: &Crm) -> Crm {
    crm.clone().with_telegram_payment_token(Some(SecretString::from("381764678:TEST:100500")))
}

fn query(inv: &TelegramInvoice) -> CheckoutQuery {
    CheckoutQuery {
        payload: inv.payload.clone(),
        currency: inv.currency.clone(),
        total_amount: inv.prices.iter().map(|p| p.amount).sum(),
        payer_telegram_id: 7001,
    }
}

fn charge(inv: &TelegramInvoice, id: &str) -> TelegramCharge {
    let q = query(inv);
    TelegramCharge {
        payload: q.payload,
        currency: q.currency,
        total_amount: q.total_amount,
        telegram_charge_id: id.into(),
        provider_charge_id: format!("yk-{id}"),
        payer_telegram_id: 7001,
    }
}

impl TestApp {
    /// A booking of 50 000 ₽ (one traveller) of a client of `agent`, its contract signed.
    async fn signed_booking(&self, agent: &Actor) -> (BookingId, crm::domain::ClientId) {
        let operator = self.actor("oleg", Role::Operator).await;
        let client = self.client("+79123456789", Some(agent)).await;
        let (_, dep) = self.published_tour(&operator, 10).await;
        let b = self.crm.create_booking(agent, request(&client, dep, 1)).await.unwrap().booking.id;
        self.crm.change_booking_status(agent, b, BookingStatus::ContractSigned, "подписан").await.unwrap();
        (b, client.id)
    }
}

each_backend!(an_invoice_is_made_for_a_payable_booking_by_whom_may_ask, |app| {
    let agent = app.actor("anna", Role::Agent).await;
    let other = app.actor("boris", Role::Agent).await;
    let accountant = app.actor("buh", Role::Accountant).await;
    let admin = app.actor("root", Role::Admin).await;
    let operator = app.actor("oleg", Role::Operator).await;
    let client = app.client("+79123456789", Some(&agent)).await;
    let (_, dep) = app.published_tour(&operator, 10).await;
    let b = app.crm.create_booking(&agent, request(&client, dep, 1)).await.unwrap().booking.id;

    // Without the provider token the method is off, and says so.
    assert!(!app.crm.telegram_payments_enabled());
    let off = app.crm.telegram_invoice(&agent, b, rub(100)).await;
    assert!(matches!(off, Err(Error::Conflict(Conflict::TelegramPaymentsOff))), "{off:?}");
    let crm = payments_on(&app.crm);
    assert!(crm.telegram_payments_enabled());

    // Before the contract is signed no payment is taken.
    let early = crm.telegram_invoice(&agent, b, rub(100)).await;
    assert!(matches!(early, Err(Error::Conflict(Conflict::PaymentsNotAccepted(_)))), "{early:?}");
    crm.change_booking_status(&agent, b, BookingStatus::ContractSigned, "подписан").await.unwrap();

    let inv = crm.telegram_invoice(&Actor::Client(client.id), b, rub(15_000)).await.unwrap();
    assert_eq!(inv.booking, b);
    assert_eq!(inv.currency, "RUB");
    assert_eq!(inv.prices.len(), 1);
    assert_eq!(inv.prices[0].amount, 1_500_000, "kopecks");
    assert!(!inv.payload.is_empty() && inv.payload.len() <= 128, "{}", inv.payload);
    assert!((1..=32).contains(&inv.title.chars().count()), "{}", inv.title);
    assert!((1..=255).contains(&inv.description.chars().count()), "{}", inv.description);
    assert!(inv.description.contains("Алтай"), "{}", inv.description);
    assert!(!format!("{inv:?}").contains("TEST:100500"), "the provider token is never printed");
    crm.telegram_invoice(&agent, b, rub(50_000)).await.unwrap();
    crm.telegram_invoice(&admin, b, rub(1)).await.unwrap();

    for (who, what) in [(&other, "another agent"), (&accountant, "the accountant"), (&operator, "the operator")] {
        let r = crm.telegram_invoice(who, b, rub(100)).await;
        assert!(matches!(r, Err(Error::Forbidden(_))), "{what}: {r:?}");
    }
    let stranger = app.client("+79123450000", Some(&other)).await;
    let r = crm.telegram_invoice(&Actor::Client(stranger.id), b, rub(100)).await;
    assert!(matches!(r, Err(Error::Forbidden(_))), "another client: {r:?}");
    let r = crm.telegram_invoice(&agent, b, rub(50_001)).await;
    assert!(matches!(r, Err(Error::Conflict(Conflict::Overpayment { due })) if due == rub(50_000)), "{r:?}");
    let r = crm.telegram_invoice(&agent, b, rub(0)).await;
    assert!(matches!(r, Err(Error::Invalid(_))), "{r:?}");
    let r = crm.telegram_invoice(&agent, b, Money::new(100, Currency::USD)).await;
    assert!(matches!(r, Err(Error::Invalid(_))), "{r:?}");

    // Paid in full: no more invoices.
    crm.record_client_payment(&agent, payment(b, 50_000)).await.unwrap();
    let r = crm.telegram_invoice(&agent, b, rub(1)).await;
    assert!(matches!(r, Err(Error::Conflict(Conflict::PaymentsNotAccepted(_)))), "{r:?}");
});

fn payment(b: BookingId, r: i64) -> crm::services::PaymentInput {
    crm::services::PaymentInput {
        booking_id: b,
        amount: rub(r),
        method: PaymentMethod::Cash,
        external_id: None,
        note: String::new(),
    }
}

each_backend!(the_pre_checkout_is_answered_from_the_invoice_and_the_booking_as_it_is_now, |app| {
    let agent = app.actor("anna", Role::Agent).await;
    let (b, _) = app.signed_booking(&agent).await;
    let crm = payments_on(&app.crm);
    let inv = crm.telegram_invoice(&agent, b, rub(20_000)).await.unwrap();
    let old = crm.telegram_invoice(&agent, b, rub(100)).await.unwrap();

    assert_eq!(crm.telegram_checkout(&SYS, &query(&inv)).await, Ok(()));
    // Only Telegram's report counts: no one else asks this question.
    assert!(crm.telegram_checkout(&agent, &query(&inv)).await.is_err());

    let mut other_amount = query(&inv);
    other_amount.total_amount -= 1;
    assert_eq!(crm.telegram_checkout(&SYS, &other_amount).await, Err(CheckoutRefusal::AmountChanged));
    let mut other_currency = query(&inv);
    other_currency.currency = "USD".into();
    assert_eq!(crm.telegram_checkout(&SYS, &other_currency).await, Err(CheckoutRefusal::AmountChanged));
    let mut forged = query(&inv);
    let (head, _) = inv.payload.rsplit_once('.').unwrap();
    forged.payload = format!("{head}.AAAAAAAAAAAAAAAAAAAAAA");
    assert_eq!(crm.telegram_checkout(&SYS, &forged).await, Err(CheckoutRefusal::UnknownInvoice));
    forged.payload = format!("{{\"booking\":{},\"amount\":1}}", b.0);
    assert_eq!(crm.telegram_checkout(&SYS, &forged).await, Err(CheckoutRefusal::UnknownInvoice));

    // Paid meanwhile by other means: the invoice no longer fits the balance.
    crm.record_client_payment(&agent, payment(b, 40_000)).await.unwrap();
    let r = crm.telegram_checkout(&SYS, &query(&inv)).await;
    assert_eq!(r, Err(CheckoutRefusal::Overpayment { due: rub(10_000) }));
    assert!(r.unwrap_err().message_ru().contains(&rub(10_000).to_string()), "the payer reads what is left");

    // An old invoice is refused even when everything else still fits.
    assert_eq!(crm.telegram_checkout(&SYS, &query(&old)).await, Ok(()));
    app.clock.advance(chrono::Duration::days(crm::services::INVOICE_TTL_DAYS) + chrono::Duration::minutes(1));
    assert_eq!(crm.telegram_checkout(&SYS, &query(&old)).await, Err(CheckoutRefusal::Expired));

    // Cancelled meanwhile: refused with the status named.
    let small = crm.telegram_invoice(&agent, b, rub(5_000)).await.unwrap();
    assert_eq!(crm.telegram_checkout(&SYS, &query(&small)).await, Ok(()));
    crm.change_booking_status(&agent, b, BookingStatus::CancellationRequested, "клиент передумал").await.unwrap();
    let r = crm.telegram_checkout(&SYS, &query(&small)).await;
    assert!(matches!(&r, Err(CheckoutRefusal::NotPayable(_))), "{r:?}");
    assert!(r.unwrap_err().message_ru().contains("запрос отмены"), "the status is named");
});

each_backend!(a_reported_payment_is_applied_once_moves_the_booking_and_queues_the_receipt, |app| {
    let agent = app.actor("anna", Role::Agent).await;
    let admin = app.actor("root", Role::Admin).await;
    let (b, client) = app.signed_booking(&agent).await;
    let crm = payments_on(&app.crm);
    let inv = crm.telegram_invoice(&Actor::Client(client), b, rub(20_000)).await.unwrap();

    let first = crm.telegram_payment_received(&SYS, &charge(&inv, "tg-charge-1")).await.unwrap();
    let again = crm.telegram_payment_received(&SYS, &charge(&inv, "tg-charge-1")).await.unwrap();
    let (ChargeOutcome::Applied(first), ChargeOutcome::Applied(again)) = (first, again) else {
        panic!("both reports end applied")
    };
    assert!(!first.duplicate && again.duplicate);
    assert_eq!(first.operation.id, again.operation.id);
    assert_eq!(first.status, BookingStatus::PartiallyPaid);
    assert_eq!(first.operation.method, PaymentMethod::Online);
    assert_eq!(first.operation.external_id.as_deref(), Some("tg-charge-1"));
    assert!(
        first.operation.note.contains("yk-tg-charge-1"),
        "the provider's charge id is kept: {}",
        first.operation.note
    );
    let ops = crm
        .list_operations(&admin, OperationFilter { booking_id: Some(b), limit: 10, ..Default::default() })
        .await
        .unwrap();
    assert_eq!(ops.iter().filter(|o| o.kind == OperationKind::ClientPayment).count(), 1, "applied once");
    assert_eq!(crm.booking_balance(&agent, b).await.unwrap(), (rub(20_000), rub(30_000)));

    // The client's receipt is queued once, with the payment.
    let receipts: Vec<_> = crm
        .outbox_entries(&admin, OutboxFilter { limit: 100, ..Default::default() })
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == "payment_received")
        .collect();
    assert_eq!(receipts.len(), 1);
    assert!(receipts[0].body.contains(&rub(20_000).to_string()), "{}", receipts[0].body);

    // A paid invoice is not paid again.
    assert_eq!(crm.telegram_checkout(&SYS, &query(&inv)).await, Err(CheckoutRefusal::AlreadyPaid));

    // The rest: paid in full.
    let rest = crm.telegram_invoice(&agent, b, rub(30_000)).await.unwrap();
    let done = crm.telegram_payment_received(&SYS, &charge(&rest, "tg-charge-2")).await.unwrap();
    assert!(matches!(done, ChargeOutcome::Applied(ref o) if o.status == BookingStatus::Paid), "{done:?}");

    // A payload that is not ours records nothing.
    let mut forged = charge(&rest, "tg-charge-3");
    forged.payload = "tp1.1.AAAAAAAAAAAAAAAAAAAAAA".into();
    assert!(matches!(crm.telegram_payment_received(&SYS, &forged).await, Err(Error::NotFound(_))));
    // Only the system acts on Telegram's reports.
    let r = crm.telegram_payment_received(&agent, &charge(&rest, "tg-charge-4")).await;
    assert!(matches!(r, Err(Error::Forbidden(_))), "{r:?}");
});

each_backend!(a_payment_for_a_booking_cancelled_meanwhile_is_kept_for_the_accountant, |app| {
    let agent = app.actor("anna", Role::Agent).await;
    let admin = app.actor("root", Role::Admin).await;
    let (b, _) = app.signed_booking(&agent).await;
    let crm = payments_on(&app.crm);
    let inv = crm.telegram_invoice(&agent, b, rub(20_000)).await.unwrap();
    assert_eq!(crm.telegram_checkout(&SYS, &query(&inv)).await, Ok(()));
    // Cancelled between the pre-checkout and the money arriving.
    crm.change_booking_status(&agent, b, BookingStatus::CancellationRequested, "передумали").await.unwrap();
    let r = crm.telegram_payment_received(&SYS, &charge(&inv, "tg-late")).await.unwrap();
    let ChargeOutcome::Unapplied { reason } = r else { panic!("kept, not applied: {r:?}") };
    assert!(reason.contains("запрос отмены"), "{reason}");
    let again = crm.telegram_payment_received(&SYS, &charge(&inv, "tg-late")).await.unwrap();
    assert!(matches!(again, ChargeOutcome::Unapplied { .. }), "the same answer on a repeat");
    assert_eq!(crm.booking_balance(&agent, b).await.unwrap().0, rub(0), "nothing in the ledger");
    // The accountant finds it in the audit log, with the charge id.
    let filter = crm::services::AuditFilter { limit: 500, ..Default::default() };
    let log = crm.audit_log(&admin, &filter).await.unwrap();
    let kept: Vec<_> = log.iter().filter(|e| e.action == "payment.telegram.unapplied").collect();
    assert_eq!(kept.len(), 1, "{log:#?}");
});

each_backend!(a_charge_left_unapplied_by_a_crash_is_settled_by_the_scheduler, |app| {
    let agent = app.actor("anna", Role::Agent).await;
    let (b, _) = app.signed_booking(&agent).await;
    let crm = payments_on(&app.crm);
    let inv = crm.telegram_invoice(&agent, b, rub(20_000)).await.unwrap();
    // What a crash right after the charge was written leaves: a `received` row, no operation.
    let mut conn = app.crm.store().conn().await.unwrap();
    sqlx::query(
        "INSERT INTO telegram_charges (invoice_id, telegram_charge_id, provider_charge_id, amount, currency, \
         payer_telegram_id, received_at, status) VALUES ($1, 'tg-crash', 'yk-crash', 2000000, 'RUB', 7001, $2, 'received')",
    )
    .bind(inv.id)
    .bind(crm::store::time::ts(app.crm.now()))
    .execute(&mut *conn)
    .await
    .unwrap();
    drop(conn);
    // Too fresh: its handler may still be at work.
    assert_eq!(crm.settle_telegram_charges(&SYS).await.unwrap(), 0);
    app.clock.advance(chrono::Duration::minutes(3));
    assert_eq!(crm.settle_telegram_charges(&SYS).await.unwrap(), 1);
    assert_eq!(crm.settle_telegram_charges(&SYS).await.unwrap(), 0, "settled once");
    assert_eq!(crm.booking_balance(&agent, b).await.unwrap().0, rub(20_000));
    // Telegram's report coming after all changes nothing.
    let r = crm.telegram_payment_received(&SYS, &charge(&inv, "tg-crash")).await.unwrap();
    assert!(matches!(r, ChargeOutcome::Applied(ref o) if o.duplicate), "{r:?}");
    assert!(matches!(crm.settle_telegram_charges(&agent).await, Err(Error::Forbidden(_))));
});
