//! A payment the agency sends the client from the booking card (`Crm::send_payment_offer`): a
//! YooKassa link or the bank-transfer QR, queued once in the outbox with what the sender needs
//! to draw the QR code; refused for other agents' bookings, amounts over the balance, ways that
//! are off and clients the bot cannot reach, with nothing created or queued.

use crate::each_backend;
use crate::helpers::new_client;
use crate::sales::request;
use crm::domain::{BookingStatus, Currency, Money, Role};
use crm::services::notify::OutgoingMessage;
use crm::services::{AuditFilter, PayWay};
use crm::{Actor, Conflict, Crm, Error};
use testkit::ClaimOne;

fn rub(r: i64) -> Money {
    Money::new(r * 100, Currency::RUB)
}

/// Every due message carrying a payment (the others — the status move's — are claimed and left).
async fn payment_messages(crm: &Crm) -> Vec<OutgoingMessage> {
    let mut out = Vec::new();
    while let Some(m) = crm.claim_outgoing(&Actor::System).await.unwrap() {
        if m.payment.is_some() {
            out.push(m);
        }
    }
    out
}

each_backend!(the_agent_sends_a_link_and_a_transfer_qr_of_an_own_booking, |app| {
    let shop = app.shop().await;
    let admin = app.actor("boss", Role::Admin).await;
    let offer = shop.crm.payment_offer_choices(&shop.agent, shop.booking).await.unwrap();
    assert_eq!(offer.ways, [PayWay::Card, PayWay::Sbp], "{}: no requisites, no transfer", app.backend);

    let sent = shop.crm.send_payment_offer(&shop.agent, shop.booking, rub(20_000), PayWay::Sbp).await.unwrap();
    assert!(sent.queued, "{}", app.backend);
    let payments = shop.crm.online_payments_of_booking(&shop.agent, shop.booking).await.unwrap();
    let [payment] = payments.as_slice() else { panic!("{}: one payment, not {payments:?}", app.backend) };
    let url = payment.confirmation_url.clone().expect("the provider answered");
    let msgs = payment_messages(&shop.crm).await;
    let [m] = msgs.as_slice() else { panic!("{}: one payment message, not {msgs:?}", app.backend) };
    let p = m.payment.as_ref().unwrap();
    assert_eq!(p.qr_payload, url, "{}", app.backend);
    assert_eq!(p.button.as_ref().map(|(_, u)| u.as_str()), Some(url.as_str()));
    assert!(p.button.as_ref().unwrap().0.starts_with("Оплатить 20"), "{:?}", p.button);
    assert!(m.body.contains("через СБП") && m.body.contains(&format!("брони №{}", shop.booking.0)), "{}", m.body);
    assert_eq!(m.chat_id, 777_001);

    shop.crm.save_agency_requisites(&admin, &testkit::agency()).await.unwrap();
    assert!(shop.crm.payment_offer_choices(&admin, shop.booking).await.unwrap().ways.contains(&PayWay::BankQr));
    shop.crm.send_payment_offer(&admin, shop.booking, rub(15_000), PayWay::BankQr).await.unwrap();
    let msgs = payment_messages(&shop.crm).await;
    let [m] = msgs.as_slice() else { panic!("{}: one transfer message, not {msgs:?}", app.backend) };
    let p = m.payment.as_ref().unwrap();
    assert!(p.qr_payload.starts_with("ST00012|") && p.qr_payload.ends_with("|Sum=1500000"), "{}", p.qr_payload);
    assert_eq!(p.button, None, "a transfer has no link");
    assert!(m.body.contains("ИНН 7707083893"), "{}", m.body);

    let log = app.crm.audit_log(&admin, &AuditFilter { limit: 50, ..Default::default() }).await.unwrap();
    let sent_entries = log.iter().filter(|e| e.action == "payment.offer.sent").count();
    assert_eq!(sent_entries, 2, "{}", app.backend);
});

each_backend!(another_agents_booking_and_other_roles_are_refused, |app| {
    let shop = app.shop().await;
    let other = app.actor("boris", Role::Agent).await;
    let accountant = app.actor("buh", Role::Accountant).await;
    let operator = app.actor("ostap", Role::Operator).await;
    for who in [&other, &accountant, &operator, &shop.client] {
        let r = shop.crm.send_payment_offer(who, shop.booking, rub(1_000), PayWay::Card).await;
        assert!(matches!(r, Err(Error::Forbidden(_))), "{}: {who:?} → {r:?}", app.backend);
    }
    assert_eq!(shop.fake.payments_made(), 0);
    assert!(payment_messages(&shop.crm).await.is_empty());
});

each_backend!(an_amount_over_the_balance_creates_and_queues_nothing, |app| {
    let shop = app.shop().await;
    let r = shop.crm.send_payment_offer(&shop.agent, shop.booking, rub(100_001), PayWay::Card).await;
    assert!(matches!(r, Err(Error::Conflict(Conflict::Overpayment { due })) if due == rub(100_000)), "{r:?}");
    let r = shop.crm.send_payment_offer(&shop.agent, shop.booking, Money::new(50, Currency::RUB), PayWay::Card).await;
    assert!(matches!(r, Err(Error::Conflict(Conflict::PaymentTooSmall { .. }))), "{r:?}");
    let r =
        shop.crm.send_payment_offer(&shop.agent, shop.booking, Money::new(100_000, Currency::EUR), PayWay::Card).await;
    assert!(matches!(r, Err(Error::Invalid(_))), "{r:?}");
    assert_eq!(shop.fake.payments_made(), 0, "{}", app.backend);
    assert!(payment_messages(&shop.crm).await.is_empty(), "{}", app.backend);
});

each_backend!(the_same_offer_twice_is_one_message, |app| {
    let shop = app.shop().await;
    let admin = app.actor("boss", Role::Admin).await;
    shop.crm.save_agency_requisites(&admin, &testkit::agency()).await.unwrap();
    for way in [PayWay::Card, PayWay::BankQr] {
        let first = shop.crm.send_payment_offer(&shop.agent, shop.booking, rub(30_000), way).await.unwrap();
        let again = shop.crm.send_payment_offer(&shop.agent, shop.booking, rub(30_000), way).await.unwrap();
        assert!(first.queued && !again.queued, "{}: {way:?}", app.backend);
    }
    assert_eq!(shop.fake.payments_made(), 1, "{}: the pending payment is handed out again", app.backend);
    assert_eq!(payment_messages(&shop.crm).await.len(), 2, "{}", app.backend);
    // Another amount is another offer.
    shop.crm.send_payment_offer(&shop.agent, shop.booking, rub(30_001), PayWay::Card).await.unwrap();
    assert_eq!(payment_messages(&shop.crm).await.len(), 1, "{}", app.backend);
});

each_backend!(without_online_payment_only_the_transfer_is_offered, |app| {
    let shop = app.shop().await;
    let admin = app.actor("boss", Role::Admin).await;
    // The same database, online payment off.
    let off = app.crm.clone();
    let r = off.send_payment_offer(&shop.agent, shop.booking, rub(1_000), PayWay::Card).await;
    assert!(matches!(r, Err(Error::Conflict(Conflict::OnlinePaymentsOff))), "{}: {r:?}", app.backend);
    assert!(off.payment_offer_choices(&shop.agent, shop.booking).await.unwrap().ways.is_empty());
    let r = off.send_payment_offer(&shop.agent, shop.booking, rub(1_000), PayWay::BankQr).await;
    assert!(matches!(r, Err(Error::Conflict(Conflict::AgencyRequisitesMissing))), "{}: {r:?}", app.backend);
    off.save_agency_requisites(&admin, &testkit::agency()).await.unwrap();
    assert_eq!(off.payment_offer_choices(&shop.agent, shop.booking).await.unwrap().ways, [PayWay::BankQr]);
    assert!(payment_messages(&off).await.is_empty(), "{}", app.backend);
});

each_backend!(a_client_outside_telegram_is_refused_to_a_sender_without_telegram_not_dropped, |app| {
    let shop = app.shop().await;
    let operator = app.actor("ostap", Role::Operator).await;
    let offline =
        shop.crm.register_client(&shop.agent, new_client("Петров Пётр Петрович", "+79123450000")).await.unwrap();
    let (_, dep) = app.published_tour(&operator, 10).await;
    let b = shop.crm.create_booking(&shop.agent, request(&offline, dep, 1)).await.unwrap().booking.id;
    shop.crm.change_booking_status(&shop.agent, b, BookingStatus::ContractSigned, "подписан").await.unwrap();
    let r = shop.crm.send_payment_offer(&shop.agent, b, rub(1_000), PayWay::Card).await;
    assert!(matches!(r, Err(Error::Conflict(Conflict::ClientWithoutTelegram))), "{}: {r:?}", app.backend);
    assert!(Error::Conflict(Conflict::ClientWithoutTelegram).refusal_ru().unwrap().contains("не пользуется ботом"));
    assert_eq!(shop.fake.payments_made(), 0);
    assert!(payment_messages(&shop.crm).await.is_empty(), "{}", app.backend);
});

each_backend!(a_client_outside_telegram_gets_the_offer_through_the_agents_own_chat, |app| {
    let shop = app.shop().await;
    let operator = app.actor("ostap", Role::Operator).await;
    let admin = app.actor("boss", Role::Admin).await;
    let Actor::Staff { id: anna, .. } = shop.agent else { panic!("the agent is staff") };
    let token = shop.crm.new_invite(&admin, anna).await.unwrap();
    shop.crm.redeem_invite(&Actor::Telegram(888_001), &token, None).await.unwrap();
    let offline =
        shop.crm.register_client(&shop.agent, new_client("Петров Пётр Петрович", "+79123450000")).await.unwrap();
    let (_, dep) = app.published_tour(&operator, 10).await;
    let b = shop.crm.create_booking(&shop.agent, request(&offline, dep, 1)).await.unwrap().booking.id;
    shop.crm.change_booking_status(&shop.agent, b, BookingStatus::ContractSigned, "подписан").await.unwrap();

    let offer = shop.crm.payment_offer_choices(&shop.agent, b).await.unwrap();
    assert_eq!(offer.forward_by, Some(anna), "{}", app.backend);
    let sent = shop.crm.send_payment_offer(&shop.agent, b, rub(1_000), PayWay::Card).await.unwrap();
    assert!(sent.queued && sent.forwarded, "{}: {sent:?}", app.backend);
    // Pressed again: the same message, not a second one.
    let again = shop.crm.send_payment_offer(&shop.agent, b, rub(1_000), PayWay::Card).await.unwrap();
    assert!(!again.queued && again.forwarded, "{}: {again:?}", app.backend);
    let msgs = payment_messages(&shop.crm).await;
    let [m] = msgs.as_slice() else { panic!("{}: one message, not {msgs:?}", app.backend) };
    assert_eq!(m.chat_id, 888_001, "{}: to the agent's own chat", app.backend);
    // Written to the client as ever: the agent forwards it as it is; the link also written
    // out, for forwarding by mail or another messenger.
    let (label, url) = m.payment.as_ref().unwrap().button.clone().unwrap();
    assert!(m.body.contains(&format!("брони №{}", b.0)), "{}", m.body);
    assert!(label.starts_with("Оплатить 1"), "{m:?}");
    assert!(m.body.ends_with(&format!("Ссылка на оплату: {url}")), "{}", m.body);
    let log = app.crm.audit_log(&admin, &AuditFilter { limit: 50, ..Default::default() }).await.unwrap();
    let sent = log.iter().find(|e| e.action == "payment.offer.sent").expect("the offer audited");
    assert!(sent.details.as_deref().unwrap_or_default().contains("чтобы переслать клиенту"), "{sent:?}");

    // The admin without a Telegram of their own hears the refusal instead.
    let r = shop.crm.payment_offer_choices(&admin, b).await;
    assert!(matches!(r, Err(Error::Conflict(Conflict::ClientWithoutTelegram))), "{}: {r:?}", app.backend);
});
