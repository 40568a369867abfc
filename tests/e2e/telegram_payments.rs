//! Telegram Payments end to end: the real binary, the fake Bot API. The agent sends an invoice
//! from the booking card in the bot; the client gets its link through the outbox; Telegram's
//! pre-checkout is answered (refused for a changed amount, let through for the invoice's own);
//! the payment, reported twice, is recorded once, the booking moves and the client gets one
//! receipt; an invoice for a booking cancelled meanwhile is refused at the pre-checkout.

use crate::bot_client::{World, published_tour, register};
use crate::fake_telegram::{FakeUser, TEST_TOKEN, WAIT};
use crm::Actor;
use crm::domain::{BookingStatus, Currency, Money, OperationKind, Role};
use crm::services::{NewStaffInput, OperationFilter};
use std::time::Duration;
use testkit::backends;

const PROVIDER_TOKEN: &str = "381764678:TEST:100500";

fn rub(r: i64) -> Money {
    Money::new(r * 100, Currency::RUB)
}

#[tokio::test]
async fn an_agent_sends_an_invoice_the_client_pays_it_in_telegram_and_the_booking_moves() {
    for backend in backends() {
        pays(World::on(backend).await).await;
    }
}

/// The agent's «Счёт в Telegram» for `amount` on the booking's card; the invoice the bot made.
async fn invoice_from_card(
    w: &World,
    agent: &FakeUser,
    booking: i64,
    amount: &str,
) -> crate::fake_telegram::FakeInvoice {
    let list = w.say(agent, "📋 Брони", "выберите").await;
    let card = w.press(agent, &list, &format!("bk:{booking}"), "Бронь №").await;
    w.press(agent, &card, &format!("ti:{booking}"), "Сумма счёта").await;
    w.say(agent, amount, "отправлен клиенту").await;
    w.fake.invoices().last().cloned().expect("createInvoiceLink was called")
}

async fn receipts(w: &World, user: &FakeUser) -> usize {
    w.fake.sent_to(user.id).iter().filter(|m| m.text().contains("получили вашу оплату")).count()
}

async fn pays(w: World) {
    let server =
        w.serve_with(&[("TOURCRM_SCHEDULER_TICK", "1"), ("TOURCRM_TELEGRAM_PAYMENT_TOKEN", PROVIDER_TOKEN)]).await;
    let crm = w.crm().await;
    let (_, dep_id) = published_tour(&crm).await;
    let admin = crm
        .add_staff(&Actor::System, NewStaffInput { login: "boss", name: "Главный Админ", role: Role::Admin })
        .await
        .unwrap();
    let admin = Actor::staff(admin.staff.id, Role::Admin);
    let (agent, anna) = w.linked_agent(&crm, 500_201).await;
    let maria = w.fake.user(600_201, "Мария", Some("maria"));
    register(&w, &maria, "+79123456789").await;
    let client = crm.client_by_telegram(&Actor::System, maria.id).await.unwrap().unwrap();
    let agent_actor = Actor::staff(agent.staff.id, Role::Agent);
    crm.assign_agent(&admin, client.id, agent.staff.id).await.unwrap();
    let booking = crate::bot_client::book_one(&crm, &agent_actor, client.id, dep_id).await.booking.id;
    crm.change_booking_status(&agent_actor, booking, BookingStatus::ContractSigned, "подписан в офисе").await.unwrap();

    // The agent sends an invoice of 20 000 ₽; the client gets its link through the outbox.
    let seen = w.fake.count_sent(maria.id);
    let inv = invoice_from_card(&w, &anna, booking.0, "20 000").await;
    assert_eq!((inv.currency.as_str(), inv.total_amount), ("RUB", 2_000_000), "kopecks");
    assert_eq!(inv.provider_token, PROVIDER_TOKEN);
    let link = inv.link.clone().expect("a link was made");
    let msg = w.fake.wait_for_new_message(maria.id, seen, |m| m.text().contains(&link), WAIT).await;
    assert!(msg.text().contains("20") && msg.text().contains(&format!("№{}", booking.0)), "{}", msg.text());

    // Telegram asks before taking the money: another amount is refused, in Russian.
    let q = w.fake.push_pre_checkout(&maria, &inv, inv.total_amount + 100);
    let (ok, error) = w.fake.pre_checkout_answer(&q, WAIT).await;
    assert!(!ok, "a changed amount is refused");
    assert!(error.as_deref().unwrap_or_default().contains("не совпадают со счётом"), "{error:?}");
    let q = w.fake.push_pre_checkout(&maria, &inv, inv.total_amount);
    assert_eq!(w.fake.pre_checkout_answer(&q, WAIT).await, (true, None));

    // The money arrives; Telegram's report comes twice: one payment, one receipt.
    let seen = w.fake.count_sent(maria.id);
    w.fake.push_successful_payment(&maria, &inv, "tg-e2e-1");
    w.fake.push_successful_payment(&maria, &inv, "tg-e2e-1");
    let receipt =
        w.fake.wait_for_new_message(maria.id, seen, |m| m.text().contains("получили вашу оплату"), WAIT).await;
    assert!(receipt.text().contains("осталось"), "{}", receipt.text());
    // Both reports handled (the chat's updates go in order), and the outbox had time to send more.
    w.say(&maria, "/bookings", "Ваши брони").await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(receipts(&w, &maria).await, 1, "one receipt");
    let card = crm.booking_card(&Actor::System, booking).await.unwrap();
    assert_eq!(card.booking.status, BookingStatus::PartiallyPaid);
    assert_eq!(card.paid.minor, 2_000_000);
    let filter = OperationFilter {
        booking_id: Some(booking),
        kind: Some(OperationKind::ClientPayment),
        limit: 10,
        ..Default::default()
    };
    let ops = crm.list_operations(&admin, filter).await.unwrap();
    assert_eq!(ops.len(), 1, "recorded once: {ops:#?}");
    assert_eq!(ops[0].external_id.as_deref(), Some("tg-e2e-1"));
    assert!(ops[0].note.contains("2f1e-tg-e2e-1"), "the provider's charge id is kept: {}", ops[0].note);

    // An invoice sent into the chat (`sendInvoice`, what the client's «Оплатить» uses): paid
    // with its own button.
    let settings = bot::BotSettings {
        token: TEST_TOKEN.into(),
        api_url: Some(w.fake.api_url()),
        redis_url: None,
        redis_prefix: "tourcrm:".into(),
        global_rate: 25,
        webhook_url: None,
        webhook_secret: None,
        public_url: None,
    };
    let payments = crm.clone().with_telegram_payment_token(Some(PROVIDER_TOKEN.into()));
    let own = payments.telegram_invoice(&Actor::Client(client.id), booking, rub(5_000)).await.unwrap();
    let sent = bot::payments::send_invoice(&settings.bot().unwrap(), teloxide::types::ChatId(maria.id), &own)
        .await
        .expect("sendInvoice accepted");
    let shown = sent.invoice().expect("the message carries the invoice");
    assert_eq!((shown.currency.as_str(), shown.total_amount), ("RUB", 500_000));
    let inv = w.fake.invoices().last().cloned().unwrap();
    assert_eq!((inv.link.as_deref(), inv.provider_token.as_str()), (None, PROVIDER_TOKEN));
    let q = w.fake.push_pre_checkout(&maria, &inv, inv.total_amount);
    assert_eq!(w.fake.pre_checkout_answer(&q, WAIT).await, (true, None));
    let seen = w.fake.count_sent(maria.id);
    w.fake.push_successful_payment(&maria, &inv, "tg-e2e-2");
    w.fake.wait_for_new_message(maria.id, seen, |m| m.text().contains("получили вашу оплату"), WAIT).await;
    assert_eq!(crm.booking_card(&Actor::System, booking).await.unwrap().paid.minor, 2_500_000);

    // An invoice for the rest, then the client asks to cancel: Telegram is told no.
    let rest = invoice_from_card(&w, &anna, booking.0, "25000").await;
    crm.change_booking_status(&agent_actor, booking, BookingStatus::CancellationRequested, "клиент передумал")
        .await
        .unwrap();
    let q = w.fake.push_pre_checkout(&maria, &rest, rest.total_amount);
    let (ok, error) = w.fake.pre_checkout_answer(&q, WAIT).await;
    assert!(!ok);
    assert!(error.as_deref().unwrap_or_default().contains("запрос отмены"), "{error:?}");
    drop(server);
}
