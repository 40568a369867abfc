//! Paying online from the chat end to end: the real binary, the fake Telegram and the fake
//! YooKassa. «Оплатить» → «Весь остаток» → «Картой» → a photo whose button opens YooKassa's page
//! and whose QR code (read back by zbar) is the same link; YooKassa's notification (re-fetched,
//! never trusted) puts the money in the ledger once, however often it comes, moves the booking
//! to «полная оплата» and the client gets the receipt message.

use crate::bot_client::{World, book_one, published_tour, register};
use crate::fake_telegram::{BOT_USERNAME, FakeUser, SentMessage, WAIT};
use crm::Actor;
use crm::domain::{BookingStatus, OperationKind};
use crm::services::OperationFilter;
use testkit::{FakeYooKassa, YOOKASSA_SECRET_KEY as SECRET_KEY, YOOKASSA_SHOP_ID as SHOP_ID};
use testkit::{backends, qr_text};

#[tokio::test]
async fn a_client_pays_by_card_and_the_notification_moves_the_booking_once() {
    for backend in backends() {
        pays_online(World::on(backend).await).await;
    }
}

async fn photo_after(w: &World, user: &FakeUser, seen: usize) -> SentMessage {
    w.fake.wait_for_new_message(user.id, seen, |m| m.method == "sendPhoto", WAIT).await
}

/// The URL of the message's one URL button.
fn url_button(m: &SentMessage) -> String {
    let rows = m.reply_markup.as_ref().and_then(|r| r["inline_keyboard"].as_array().cloned()).unwrap_or_default();
    rows.iter()
        .flat_map(|row| row.as_array().cloned().unwrap_or_default())
        .find_map(|b| b["url"].as_str().map(str::to_owned))
        .unwrap_or_else(|| panic!("no URL button in {:?}", m.reply_markup))
}

async fn pays_online(w: World) {
    let yookassa = FakeYooKassa::start().await;
    let server = w
        .serve_with(&[
            ("TOURCRM_YOOKASSA_SHOP_ID", SHOP_ID),
            ("TOURCRM_YOOKASSA_SECRET_KEY", SECRET_KEY),
            ("TOURCRM_YOOKASSA_API_URL", &yookassa.url),
            ("TOURCRM_YOOKASSA_WEBHOOK_ALLOW", "127.0.0.1"),
            ("TOURCRM_BOT_USERNAME", BOT_USERNAME),
        ])
        .await;
    let crm = w.crm().await;
    let (_, dep) = published_tour(&crm).await;
    let maria = w.fake.user(600_301, "Мария", Some("maria_online"));
    register(&w, &maria, "+79123450301").await;
    let client = crm.client_by_telegram(&Actor::System, maria.id).await.unwrap().unwrap();
    let b = book_one(&crm, &Actor::System, client.id, dep).await.booking;
    crm.change_booking_status(&Actor::System, b.id, BookingStatus::ContractSigned, "подписан").await.unwrap();

    let mine = w.say(&maria, "/bookings", "Ваши брони").await;
    let amounts = w.press(&maria, &mine, &format!("pb:{}", b.id.0), "Осталось оплатить").await;
    let ways = w.press(&maria, &amounts, "pr", "").await;
    assert!(ways.callback_data().contains(&"pv:card".to_owned()), "{} {:?}", ways.text(), ways.callback_data());
    assert!(ways.callback_data().contains(&"pv:sbp".to_owned()), "{:?}", ways.callback_data());
    let seen = w.fake.count_sent(maria.id);
    w.fake.push_callback(&maria, ways.message_id, "pv:card");
    let photo = photo_after(&w, &maria, seen).await;

    // The button and the QR code carry YooKassa's own confirmation page for this payment.
    assert_eq!(yookassa.payments_made(), 1);
    let asked = yookassa.seen().into_iter().find(|s| s.method == "POST").expect("a payment asked for");
    assert_eq!(asked.body["amount"]["value"], format!("{}.00", b.total.minor / 100), "{}", asked.body);
    let link = url_button(&photo);
    if let Some(text) = qr_text(&photo.file("photo").expect("the photo's bytes")) {
        assert_eq!(text, link, "the QR code is the button's link");
    }
    let ours = crm.online_payments_of_booking(&Actor::System, b.id).await.unwrap();
    assert_eq!(ours.len(), 1);
    assert_eq!(ours[0].confirmation_url.as_deref(), Some(link.as_str()), "the link is YooKassa's page");
    let provider_id = ours[0].provider_payment_id.clone().expect("YooKassa's id kept");

    // The client paid; YooKassa notifies twice (it retries until answered).
    yookassa.succeed(&provider_id);
    let body = yookassa.notification("payment.succeeded", &provider_id, |_| {});
    let http = reqwest::Client::new();
    for _ in 0..2 {
        let r = http
            .post(format!("{}/webhooks/yookassa", server.base))
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{}", r.status());
    }
    let receipt = w.fake.wait_for_message(maria.id, |m| m.text().contains("получили вашу оплату"), WAIT).await;
    assert!(receipt.text().contains("Тур оплачен полностью"), "{}", receipt.text());
    let after = crm.booking_card(&Actor::System, b.id).await.unwrap();
    assert_eq!(after.booking.status, BookingStatus::Paid);
    let filter = OperationFilter {
        booking_id: Some(b.id),
        kind: Some(OperationKind::ClientPayment),
        limit: 10,
        ..Default::default()
    };
    let ops = crm.list_operations(&Actor::System, filter).await.unwrap();
    assert_eq!(ops.len(), 1, "one payment however often notified: {ops:?}");
    drop(server);
}
