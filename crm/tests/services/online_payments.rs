//! Online payments against the fake YooKassa (testkit): the link, notifications applied once
//! and only as the provider tells, flags for the accountant, retries with the same key,
//! reconciliation healing lost answers, refunds.

use crate::each_backend;
use crate::helpers::{TestApp, new_client};
use crate::sales::request;
use chrono::Duration;
use crm::domain::{BookingId, BookingStatus, Currency, Money, OperationKind, Role};
use crm::services::OperationFilter;
use crm::services::payments::{NotificationOutcome, OnlineMethod, OnlinePaymentRequest, OnlinePaymentStatus};
use crm::{Actor, Conflict, Crm, Error};
use std::net::IpAddr;
use testkit::FakeYooKassa;

const YOOKASSA: &str = "185.71.76.10";
const STRANGER: &str = "203.0.113.7";

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn rub(r: i64) -> Money {
    Money::new(r * 100, Currency::RUB)
}

/// A CRM with online payments through a fresh fake, a client (on Telegram) with a booking of
/// 100 000 ₽ whose contract is signed, and the booking's agent.
pub(crate) struct Shop {
    pub(crate) crm: Crm,
    pub(crate) fake: FakeYooKassa,
    pub(crate) agent: Actor,
    pub(crate) client: Actor,
    pub(crate) booking: BookingId,
}

impl TestApp {
    pub(crate) async fn shop(&self) -> Shop {
        let fake = FakeYooKassa::start().await;
        let crm = self.crm.clone().with_online_payments(Some(testkit::online_payments(&fake, &["185.71.76.0/27"])));
        let operator = self.actor("oleg", Role::Operator).await;
        let agent = self.actor("anna", Role::Agent).await;
        let mut new = new_client("Иванова Мария Петровна", "+79123456789");
        new.telegram_id = Some(777_001);
        let client = crm.register_client(&agent, new).await.unwrap();
        let (_, dep) = self.published_tour(&operator, 10).await;
        let b = crm.create_booking(&agent, request(&client, dep, 2)).await.unwrap().booking;
        crm.change_booking_status(&agent, b.id, BookingStatus::ContractSigned, "подписан").await.unwrap();
        Shop { crm, fake, agent, client: Actor::Client(client.id), booking: b.id }
    }
}

impl Shop {
    async fn pay(&self, r: i64, method: OnlineMethod) -> crm::Result<crm::services::payments::OnlinePayment> {
        let req = OnlinePaymentRequest { booking_id: self.booking, amount: rub(r), method };
        self.crm.create_online_payment(&self.client, req).await
    }

    async fn notify(&self, event: &str, id: &str) -> crm::Result<NotificationOutcome> {
        let body = self.fake.notification(event, id, |_| {});
        self.crm.handle_yookassa_notification(ip(YOOKASSA), &body).await
    }

    async fn paid(&self) -> i64 {
        let f = OperationFilter {
            booking_id: Some(self.booking),
            kind: Some(OperationKind::ClientPayment),
            limit: 100,
            ..Default::default()
        };
        self.crm.list_operations(&Actor::System, f).await.unwrap().iter().map(|o| o.amount.minor).sum()
    }

    async fn status(&self) -> BookingStatus {
        self.crm.booking_card(&Actor::System, self.booking).await.unwrap().booking.status
    }

    async fn payment(&self, id: i64) -> crm::services::payments::OnlinePayment {
        let all = self.crm.online_payments_of_booking(&Actor::System, self.booking).await.unwrap();
        all.into_iter().find(|p| p.id == id).unwrap()
    }

    async fn payment_messages(&self) -> usize {
        let f = crm::services::OutboxFilter { limit: 100, ..Default::default() };
        let all = self.crm.outbox_entries(&Actor::System, f).await.unwrap();
        all.iter().filter(|m| m.kind == "payment_received").count()
    }
}

each_backend!(a_paid_link_lands_in_the_ledger_moves_the_booking_and_tells_the_client, |app| {
    let shop = app.shop().await;
    let p = shop.pay(30_000, OnlineMethod::Card).await.unwrap();
    assert_eq!(p.status, OnlinePaymentStatus::Pending);
    let url = p.confirmation_url.clone().unwrap();
    assert!(url.starts_with("https://yoomoney.ru/checkout/"), "{url}");
    // What YooKassa was asked: capture, redirect, our ids in the metadata, the 54-FZ receipt.
    let seen = shop.fake.seen();
    let create = &seen[0];
    assert_eq!((create.method, create.path.as_str()), ("POST", "/v3/payments"));
    assert_eq!(create.body["amount"], serde_json::json!({"value": "30000.00", "currency": "RUB"}));
    assert_eq!(create.body["capture"], true);
    assert_eq!(create.body["confirmation"]["type"], "redirect");
    assert_eq!(create.body["metadata"]["booking_id"], shop.booking.0.to_string());
    assert_eq!(create.body["metadata"]["payment_id"], p.id.to_string());
    assert!(create.body.get("payment_method_data").is_none());
    assert_eq!(create.body["receipt"]["customer"]["phone"], "79123456789");
    assert_eq!(create.body["receipt"]["items"][0]["payment_mode"], "partial_prepayment");
    assert_eq!(create.body["receipt"]["items"][0]["vat_code"], 1);

    let pid = p.provider_payment_id.clone().unwrap();
    // A notification before the client paid: the provider says pending, nothing moves.
    assert_eq!(shop.notify("payment.succeeded", &pid).await.unwrap(), NotificationOutcome::Ignored, "{}", app.backend);
    assert_eq!(shop.paid().await, 0);

    shop.fake.succeed(&pid);
    assert_eq!(shop.notify("payment.succeeded", &pid).await.unwrap(), NotificationOutcome::Applied);
    assert_eq!(shop.paid().await, rub(30_000).minor);
    assert_eq!(shop.status().await, BookingStatus::PartiallyPaid);
    assert_eq!(shop.payment(p.id).await.status, OnlinePaymentStatus::Succeeded);
    assert_eq!(shop.payment_messages().await, 1, "the client's «оплата получена» is queued");
    let ops = shop
        .crm
        .list_operations(
            &Actor::System,
            OperationFilter { booking_id: Some(shop.booking), limit: 10, ..Default::default() },
        )
        .await
        .unwrap();
    assert_eq!(ops[0].external_id.as_deref(), Some(pid.as_str()));

    // Replays change nothing.
    for _ in 0..3 {
        assert_eq!(shop.notify("payment.succeeded", &pid).await.unwrap(), NotificationOutcome::Duplicate);
    }
    assert_eq!(shop.paid().await, rub(30_000).minor);
    assert_eq!(shop.payment_messages().await, 1);

    // СБП: the link opens the bank app; the rest of the balance is a full prepayment.
    let sbp = shop.pay(70_000, OnlineMethod::Sbp).await.unwrap();
    assert!(sbp.confirmation_url.unwrap().starts_with("https://qr.nspk.ru/"));
    let body = shop.fake.seen().last().unwrap().body.clone();
    assert_eq!(body["payment_method_data"]["type"], "sbp");
    assert_eq!(body["receipt"]["items"][0]["payment_mode"], "full_prepayment");
    shop.fake.succeed(sbp.provider_payment_id.as_deref().unwrap());
    shop.notify("payment.succeeded", sbp.provider_payment_id.as_deref().unwrap()).await.unwrap();
    assert_eq!(shop.status().await, BookingStatus::Paid);
});

each_backend!(concurrent_copies_of_a_notification_are_applied_once, |app| {
    let shop = app.shop().await;
    let p = shop.pay(10_000, OnlineMethod::Card).await.unwrap();
    let pid = p.provider_payment_id.unwrap();
    shop.fake.succeed(&pid);
    let n = || shop.notify("payment.succeeded", &pid);
    let all = tokio::join!(n(), n(), n(), n(), n(), n(), n(), n(), n(), n());
    let outcomes = [all.0, all.1, all.2, all.3, all.4, all.5, all.6, all.7, all.8, all.9];
    let applied = outcomes.iter().filter(|o| matches!(o, Ok(NotificationOutcome::Applied))).count();
    assert_eq!(applied, 1, "{}: {outcomes:?}", app.backend);
    assert!(outcomes.iter().all(|o| o.is_ok()), "{outcomes:?}");
    assert_eq!(shop.paid().await, rub(10_000).minor);
    assert_eq!(shop.payment_messages().await, 1);
});

each_backend!(notifications_are_believed_only_as_the_provider_tells_them, |app| {
    let shop = app.shop().await;
    let p = shop.pay(10_000, OnlineMethod::Card).await.unwrap();
    let pid = p.provider_payment_id.unwrap();
    shop.fake.succeed(&pid);
    // From an address outside the allow list: refused, nothing changes.
    let body = shop.fake.notification("payment.succeeded", &pid, |_| {});
    let forged = shop.crm.handle_yookassa_notification(ip(STRANGER), &body).await;
    assert!(matches!(forged, Err(Error::Forbidden(_))), "{forged:?}");
    assert_eq!(shop.paid().await, 0);
    // Garbage is not a notification.
    let junk = shop.crm.handle_yookassa_notification(ip(YOOKASSA), b"{\"event\":1}").await.unwrap();
    assert_eq!(junk, NotificationOutcome::Malformed);
    // An id YooKassa does not know.
    let unknown = shop.fake.notification("payment.succeeded", "2ed99999-000f-5000-9000-1", |_| {});
    assert_eq!(
        shop.crm.handle_yookassa_notification(ip(YOOKASSA), &unknown).await.unwrap(),
        NotificationOutcome::Ignored
    );
    // A body claiming another amount: only the provider's counts.
    let tampered = shop.fake.notification("payment.succeeded", &pid, |o| {
        o["amount"] = serde_json::json!({"value": "99999.00", "currency": "RUB"});
    });
    let done = shop.crm.handle_yookassa_notification(ip(YOOKASSA), &tampered).await.unwrap();
    assert_eq!(done, NotificationOutcome::Applied);
    assert_eq!(shop.paid().await, rub(10_000).minor, "{}", app.backend);
    // IPv4 behind a dual-stack socket is the same address.
    let mapped: IpAddr = "::ffff:185.71.76.10".parse().unwrap();
    assert_eq!(shop.crm.handle_yookassa_notification(mapped, &body).await.unwrap(), NotificationOutcome::Duplicate);
});

each_backend!(an_amount_the_provider_holds_differently_is_flagged_not_applied, |app| {
    let shop = app.shop().await;
    let p = shop.pay(10_000, OnlineMethod::Card).await.unwrap();
    let pid = p.provider_payment_id.unwrap();
    shop.fake.succeed(&pid);
    shop.fake.set_amount(&pid, "9000.00", "RUB");
    assert_eq!(shop.notify("payment.succeeded", &pid).await.unwrap(), NotificationOutcome::Flagged);
    assert_eq!(shop.paid().await, 0, "{}", app.backend);
    assert_eq!(shop.payment(p.id).await.status, OnlinePaymentStatus::RefundDue);
    let accountant = app.actor("buh", Role::Accountant).await;
    let overview = shop.crm.online_payments_overview(&accountant).await.unwrap();
    assert_eq!(overview.flags.len(), 1);
    assert_eq!(overview.flags[0].kind, "amount_mismatch");
    assert!(overview.flags[0].detail.contains(&rub(9_000).accounting()), "{}", overview.flags[0].detail);
    // Another currency likewise.
    let p2 = shop.pay(5_000, OnlineMethod::Card).await.unwrap();
    let pid2 = p2.provider_payment_id.unwrap();
    shop.fake.succeed(&pid2);
    shop.fake.set_amount(&pid2, "5000.00", "USD");
    assert_eq!(shop.notify("payment.succeeded", &pid2).await.unwrap(), NotificationOutcome::Flagged);
    assert_eq!(shop.paid().await, 0);
});

each_backend!(a_payment_for_a_cancelled_booking_becomes_a_refund_due_and_is_refunded, |app| {
    let shop = app.shop().await;
    let p = shop.pay(10_000, OnlineMethod::Card).await.unwrap();
    let pid = p.provider_payment_id.unwrap();
    let sys = Actor::System;
    shop.crm
        .change_booking_status(&sys, shop.booking, BookingStatus::CancellationRequested, "передумали")
        .await
        .unwrap();
    shop.crm.change_booking_status(&sys, shop.booking, BookingStatus::Cancelled, "передумали").await.unwrap();
    shop.fake.succeed(&pid);
    assert_eq!(shop.notify("payment.succeeded", &pid).await.unwrap(), NotificationOutcome::Flagged);
    assert_eq!(shop.paid().await, 0, "{}", app.backend);
    assert_eq!(shop.payment(p.id).await.status, OnlinePaymentStatus::RefundDue);
    let accountant = app.actor("buh", Role::Accountant).await;
    let flags = shop.crm.online_payments_overview(&accountant).await.unwrap().flags;
    assert_eq!(flags[0].kind, "refund_due");

    // Agents may not refund; a reason is required.
    let refused = shop.crm.refund_online_payment(&shop.agent, p.id, "возврат").await;
    assert!(matches!(refused, Err(Error::Forbidden(_))), "{refused:?}");
    let no_reason = shop.crm.refund_online_payment(&accountant, p.id, "  ").await;
    assert!(matches!(no_reason, Err(Error::Invalid(_))), "{no_reason:?}");

    let done = shop.crm.refund_online_payment(&accountant, p.id, "бронь аннулирована").await.unwrap();
    assert_eq!(done.status, OnlinePaymentStatus::Refunded);
    let refund = shop.fake.seen().into_iter().find(|s| s.path == "/v3/refunds").unwrap();
    assert_eq!(refund.body["payment_id"], pid.as_str());
    assert_eq!(refund.body["amount"]["value"], "10000.00");
    assert!(shop.crm.online_payments_overview(&accountant).await.unwrap().flags.is_empty(), "the flag is resolved");
    // Never entered the ledger, so no refund there either; the webhook of the refund is a replay.
    let refunds = OperationFilter { kind: Some(OperationKind::ClientRefund), limit: 10, ..Default::default() };
    assert!(shop.crm.list_operations(&sys, refunds).await.unwrap().is_empty());
    let rid = shop.fake.seen().iter().filter(|s| s.path.starts_with("/v3/refunds")).count();
    assert_eq!(rid, 1);
    let again = shop.crm.refund_online_payment(&accountant, p.id, "ещё раз").await;
    assert!(matches!(again, Err(Error::Conflict(_))), "{again:?}");
});

each_backend!(refunding_an_applied_payment_records_a_client_refund_when_the_provider_confirms, |app| {
    let shop = app.shop().await;
    shop.fake.keep_refunds_pending();
    let p = shop.pay(10_000, OnlineMethod::Card).await.unwrap();
    let pid = p.provider_payment_id.unwrap();
    shop.fake.succeed(&pid);
    shop.notify("payment.succeeded", &pid).await.unwrap();
    let accountant = app.actor("buh", Role::Accountant).await;
    let asked = shop.crm.refund_online_payment(&accountant, p.id, "клиент отказался").await.unwrap();
    assert_eq!(asked.status, OnlinePaymentStatus::Succeeded, "the refund is still pending at the provider");
    let refund_id = shop.fake.refund_ids().pop().unwrap();
    shop.fake.succeed_refund(&refund_id);
    assert_eq!(
        shop.notify("refund.succeeded", &refund_id).await.unwrap(),
        NotificationOutcome::Applied,
        "{}",
        app.backend
    );
    assert_eq!(shop.notify("refund.succeeded", &refund_id).await.unwrap(), NotificationOutcome::Duplicate);
    assert_eq!(shop.payment(p.id).await.status, OnlinePaymentStatus::Refunded);
    let refunds = OperationFilter { kind: Some(OperationKind::ClientRefund), limit: 10, ..Default::default() };
    let ops = shop.crm.list_operations(&Actor::System, refunds).await.unwrap();
    assert_eq!(ops.len(), 1);
    assert_eq!(ops[0].amount, rub(10_000));
});

each_backend!(server_errors_are_retried_with_the_same_key, |app| {
    let shop = app.shop().await;
    shop.fake.fail_next(2);
    let p = shop.pay(10_000, OnlineMethod::Card).await.unwrap();
    assert!(p.confirmation_url.is_some());
    let posts: Vec<_> = shop.fake.seen().into_iter().filter(|s| s.path == "/v3/payments").collect();
    assert_eq!(posts.len(), 3, "two 500s and the answer");
    assert!(posts.iter().all(|s| s.idempotence_key == posts[0].idempotence_key && s.idempotence_key.is_some()));
    assert_eq!(shop.fake.payments_made(), 1);
});

each_backend!(the_same_link_is_handed_out_again_and_bad_requests_change_nothing, |app| {
    let shop = app.shop().await;
    let a = shop.pay(10_000, OnlineMethod::Card).await.unwrap();
    let b = shop.pay(10_000, OnlineMethod::Card).await.unwrap();
    assert_eq!(a.id, b.id);
    assert_eq!(shop.fake.payments_made(), 1);
    let c = shop.pay(10_000, OnlineMethod::Sbp).await.unwrap();
    assert_ne!(a.id, c.id);
    let over = shop.pay(100_001, OnlineMethod::Card).await;
    assert!(matches!(over, Err(Error::Conflict(Conflict::Overpayment { .. }))), "{over:?}");
    let zero = shop.pay(0, OnlineMethod::Card).await;
    assert!(matches!(zero, Err(Error::Invalid(_))), "{zero:?}");
    // Another agent's booking is not theirs to bill.
    let other = app.actor("boris", Role::Agent).await;
    let req = OnlinePaymentRequest { booking_id: shop.booking, amount: rub(1_000), method: OnlineMethod::Card };
    assert!(matches!(shop.crm.create_online_payment(&other, req).await, Err(Error::Forbidden(_))));
    let req = OnlinePaymentRequest { booking_id: shop.booking, amount: rub(1_000), method: OnlineMethod::Card };
    let ok = shop.crm.create_online_payment(&shop.agent, req).await;
    assert!(ok.is_ok(), "{ok:?}");
    // Without a provider: a clear refusal.
    let req = OnlinePaymentRequest { booking_id: shop.booking, amount: rub(1_000), method: OnlineMethod::Card };
    let off = app.crm.create_online_payment(&shop.client, req).await;
    assert!(matches!(off, Err(Error::Conflict(Conflict::OnlinePaymentsOff))), "{off:?}");
    assert!(!app.crm.online_payments_enabled() && shop.crm.online_payments_enabled());
    assert!(Conflict::OnlinePaymentsOff.message_ru().contains("не подключена"));
});

each_backend!(reconciliation_finds_a_payment_whose_notification_never_came, |app| {
    let shop = app.shop().await;
    let p = shop.pay(10_000, OnlineMethod::Card).await.unwrap();
    let pid = p.provider_payment_id.unwrap();
    let sys = Actor::System;
    // Still pending at the provider: looked at, nothing moves.
    app.clock.advance(Duration::minutes(5));
    let r = shop.crm.reconcile_online_payments(&sys).await.unwrap();
    assert_eq!((r.looked_at, r.settled), (1, 0), "{}", app.backend);
    shop.fake.succeed(&pid);
    // Too soon after the last look.
    assert_eq!(shop.crm.reconcile_online_payments(&sys).await.unwrap().looked_at, 0);
    app.clock.advance(Duration::minutes(5));
    let r = shop.crm.reconcile_online_payments(&sys).await.unwrap();
    assert_eq!(r.settled, 1);
    assert_eq!(shop.paid().await, rub(10_000).minor);
    // The late notification is a replay.
    assert_eq!(shop.notify("payment.succeeded", &pid).await.unwrap(), NotificationOutcome::Duplicate);
    // A cancelled one is closed.
    let q = shop.pay(5_000, OnlineMethod::Card).await.unwrap();
    shop.fake.cancel(q.provider_payment_id.as_deref().unwrap());
    app.clock.advance(Duration::minutes(5));
    shop.crm.reconcile_online_payments(&sys).await.unwrap();
    assert_eq!(shop.payment(q.id).await.status, OnlinePaymentStatus::Canceled);
    // Agents do not run it.
    assert!(shop.crm.reconcile_online_payments(&shop.agent).await.is_err());
});

each_backend!(a_payment_created_but_whose_answer_was_lost_is_healed_by_reconciliation, |app| {
    let shop = app.shop().await;
    // The provider makes the payment, but every answer is lost (as a kill -9 after the call).
    shop.fake.lose_answers(4);
    let lost = shop.pay(10_000, OnlineMethod::Card).await;
    assert!(matches!(lost, Err(Error::Conflict(Conflict::PaymentProviderUnavailable))), "{lost:?}");
    assert_eq!(shop.fake.payments_made(), 1);
    let ours = shop.crm.online_payments_of_booking(&Actor::System, shop.booking).await.unwrap();
    assert_eq!(ours.len(), 1);
    assert!(ours[0].provider_payment_id.is_none(), "our write of its id was lost");
    app.clock.advance(Duration::minutes(5));
    shop.crm.reconcile_online_payments(&Actor::System).await.unwrap();
    assert_eq!(shop.fake.payments_made(), 1, "asked again with the same key: no second payment");
    let keys: std::collections::HashSet<_> =
        shop.fake.seen().into_iter().filter(|s| s.path == "/v3/payments").map(|s| s.idempotence_key).collect();
    assert_eq!(keys.len(), 1, "{}", app.backend);
    let healed = shop.payment(ours[0].id).await;
    let pid = healed.provider_payment_id.clone().unwrap();
    assert!(healed.confirmation_url.is_some());
    // The client paid and the notification was lost too: the next run applies it.
    shop.fake.succeed(&pid);
    app.clock.advance(Duration::minutes(5));
    shop.crm.reconcile_online_payments(&Actor::System).await.unwrap();
    assert_eq!(shop.paid().await, rub(10_000).minor);
    assert_eq!(shop.status().await, BookingStatus::PartiallyPaid);
});

each_backend!(the_agent_hears_once_in_telegram_when_a_client_pays_online, |app| {
    let shop = app.shop().await;
    let Actor::Staff { id: anna, .. } = shop.agent else { panic!("the agent is staff") };
    let admin = app.actor("boss", Role::Admin).await;
    let token = shop.crm.new_invite(&admin, anna).await.unwrap();
    shop.crm.redeem_invite(&Actor::Telegram(888_001), &token, None).await.unwrap();
    // A payment the agent typed in is not noted to them: they know.
    let cash = crm::services::PaymentInput {
        booking_id: shop.booking,
        amount: rub(1_000),
        method: crm::domain::PaymentMethod::Cash,
        external_id: None,
        note: String::new(),
    };
    shop.crm.record_client_payment(&shop.agent, cash).await.unwrap();

    let p = shop.pay(29_000, OnlineMethod::Card).await.unwrap();
    let pid = p.provider_payment_id.unwrap();
    shop.fake.succeed(&pid);
    for _ in 0..2 {
        shop.notify("payment.succeeded", &pid).await.unwrap();
    }
    let sent = shop.crm.claim_outgoing_batch(&Actor::System, 20).await.unwrap();
    let to_agent: Vec<_> = sent.iter().filter(|m| m.chat_id == 888_001).collect();
    assert_eq!(to_agent.len(), 1, "{sent:?}");
    let note = to_agent[0].body.replace('\u{a0}', " ");
    assert!(note.contains("Иванова Мария Петровна оплатил(а) онлайн 29 000 ₽"), "{note}");
    assert!(note.contains("Оплачено 30 000 ₽ из 100 000 ₽"), "{note}");
    assert!(!to_agent[0].advertising);
    // The client's own «оплата получена» for both payments still goes to the client.
    let receipts = sent.iter().filter(|m| m.chat_id == 777_001 && m.body.contains("получили вашу оплату"));
    assert_eq!(receipts.count(), 2, "{sent:?}");
});
