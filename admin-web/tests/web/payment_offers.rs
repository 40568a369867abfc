//! «Отправить клиенту оплату» on the booking card: the booking's agent and admins see the form
//! with the ways that are on; a refused amount is answered beside its field with the input
//! kept; a sent one lands once in the outbox as a QR code message; other agents are refused,
//! a form without its CSRF token too; a client outside Telegram is told, not silently dropped.

use crate::each_backend;
use axum::http::StatusCode;
use crm::Actor;
use crm::domain::{BookingStatus, Role};
use testkit::ClaimOne;

each_backend!(the_agent_sends_the_transfer_qr_from_the_card_and_a_refusal_keeps_the_input, |app| {
    let (oleg, _) = app.signed_in("oleg", Role::Operator).await;
    let (anna, agent) = app.signed_in("anna", Role::Agent).await;
    let (_, other) = app.signed_in("boris", Role::Agent).await;
    let (boss, admin) = app.signed_in("boss", Role::Admin).await;
    let (_, accountant) = app.signed_in("buh", Role::Accountant).await;
    let boss = Actor::staff(boss.id, Role::Admin);
    app.crm.save_agency_requisites(&boss, &testkit::agency()).await.unwrap();
    let (_, dep) = app.published_tour(&oleg).await;
    let mut new = testkit::new_client("Иванова Мария", "+7 912 345-67-89");
    new.telegram_id = Some(700_501);
    let client = app.crm.register_client(&Actor::staff(anna.id, Role::Agent), new).await.unwrap();
    let id = app.booking(&anna, &client, dep).await;
    let card = format!("/bookings/{id}");
    let send = format!("{card}/payment-offer");

    // Before the contract is signed there is no form.
    assert!(!app.get(&agent, &card).await.body.contains("Отправить клиенту оплату"));
    app.crm.change_booking_status(&boss, id, BookingStatus::ContractSigned, "подписан").await.unwrap();
    let page = app.get(&agent, &card).await;
    assert!(page.body.contains("Отправить клиенту оплату"), "{}", app.backend);
    // Online payment is off here: only the transfer is offered.
    assert!(page.body.contains("value=\"bank_qr\"") && !page.body.contains("value=\"card\""), "{}", app.backend);
    assert!(!app.get(&accountant, &card).await.body.contains("Отправить клиенту оплату"));

    let over = app.post(&agent, &send, &[("amount", "50 000,01"), ("way", "bank_qr")]).await;
    assert_eq!(over.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", app.backend);
    assert!(over.body.contains("больше остатка"), "{}", over.body);
    assert!(over.body.contains("value=\"50 000,01\""), "the input is kept");
    let no_way = app.post(&agent, &send, &[("amount", "1000"), ("way", "cash")]).await;
    assert_eq!(no_way.status, StatusCode::UNPROCESSABLE_ENTITY);
    let off = app.post(&agent, &send, &[("amount", "1000"), ("way", "card")]).await;
    assert_eq!(off.status, StatusCode::CONFLICT);
    assert!(off.body.contains("Онлайн-оплата не подключена"), "{}", off.body);
    assert_eq!(app.crm.claim_outgoing(&Actor::System).await.unwrap().filter(|m| m.payment.is_some()), None);

    // Another agent, a form without its token: refused.
    assert_eq!(app.post(&other, &send, &[("amount", "1000"), ("way", "bank_qr")]).await.status, StatusCode::FORBIDDEN);
    let forged = app.post_raw(&agent, &send, &[("amount", "1000"), ("way", "bank_qr")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    let sent = app.post(&agent, &send, &[("amount", "15 000"), ("way", "bank_qr")]).await;
    assert!(sent.redirects_to(&format!("{card}?sent=1#pay-offer")), "{}: {:?}", app.backend, sent.location);
    assert!(app.get(&agent, &format!("{card}?sent=1")).await.body.contains("Отправлено клиенту"));
    // The admin sends the same again: one message.
    assert!(
        app.post(&admin, &send, &[("amount", "15000"), ("way", "bank_qr")])
            .await
            .redirects_to(&format!("{card}?sent=1#pay-offer"))
    );
    let mut payments = Vec::new();
    while let Some(m) = app.crm.claim_outgoing(&Actor::System).await.unwrap() {
        payments.extend(m.payment);
    }
    assert_eq!(payments.len(), 1, "{}: {payments:?}", app.backend);
    assert!(payments[0].qr_payload.ends_with("|Sum=1500000"), "{}", payments[0].qr_payload);
});

each_backend!(a_client_outside_telegram_is_named_on_the_card_and_the_offer_goes_to_the_agents_telegram, |app| {
    let (oleg, _) = app.signed_in("oleg", Role::Operator).await;
    let (anna, agent) = app.signed_in("anna", Role::Agent).await;
    let client = app.client("Петров Пётр", "+7 912 000-11-22", Some(&anna)).await;
    let (_, dep) = app.published_tour(&oleg).await;
    let id = app.booking(&anna, &client, dep).await;
    app.crm.change_booking_status(&Actor::System, id, BookingStatus::ContractSigned, "подписан").await.unwrap();
    let page = app.get(&agent, &format!("/bookings/{id}")).await;
    assert!(page.body.contains("Клиент не пользуется ботом"), "{}", app.backend);
    let refused =
        app.post(&agent, &format!("/bookings/{id}/payment-offer"), &[("amount", "1000"), ("way", "bank_qr")]).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(refused.body.contains("Клиент не пользуется ботом"), "{}", refused.body);

    // With the agent's own Telegram bound, the offer comes there to forward, and the card says so.
    let (boss, _) = app.signed_in("boss", Role::Admin).await;
    let boss = Actor::staff(boss.id, Role::Admin);
    app.crm.save_agency_requisites(&boss, &testkit::agency()).await.unwrap();
    let token = app.crm.new_invite(&boss, anna.id).await.unwrap();
    app.crm.redeem_invite(&Actor::Telegram(777_300), &token, None).await.unwrap();
    let page = app.get(&agent, &format!("/bookings/{id}")).await;
    assert!(page.body.contains("Получить для клиента") && page.body.contains("придут в ваш Telegram"), "{}", page.body);
    // The «Оплатить» button is promised only when a link is one of the ways.
    assert_eq!(page.body.contains("кнопка «Оплатить»"), app.crm.online_payments_enabled(), "{}", app.backend);
    let sent =
        app.post(&agent, &format!("/bookings/{id}/payment-offer"), &[("amount", "1000"), ("way", "bank_qr")]).await;
    assert!(sent.redirects_to(&format!("/bookings/{id}?sent=1#pay-offer")), "{}", app.backend);
    let page = app.get(&agent, &format!("/bookings/{id}?sent=1")).await;
    assert!(page.body.contains("Отправлено вам"), "{}", app.backend);
    let mut chats = Vec::new();
    while let Some(m) = app.crm.claim_outgoing(&Actor::System).await.unwrap() {
        if m.payment.is_some() {
            chats.push(m.chat_id);
        }
    }
    assert_eq!(chats, [777_300], "{}: to the agent's own chat", app.backend);
});
