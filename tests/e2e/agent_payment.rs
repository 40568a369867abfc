//! The agent's «Ссылка на оплату» end to end: the real binary, the fake Bot API and the fake
//! YooKassa. From the booking card in the bot the agent picks the amount and the way; the
//! client gets, through the outbox, a QR code photo — with a URL button for a YooKassa link —
//! and a real QR reader reads the code back as exactly the link, or the GOST payload. For a
//! client who does not use the bot, the photo comes to the agent's own chat to forward.

use crate::bot_client::{World, published_tour, register};
use crate::fake_telegram::{FakeUser, SentMessage, WAIT};
use crm::Actor;
use crm::domain::{BookingStatus, Role};
use crm::services::{BookingRequest, NewStaffInput};
use testkit::{FakeYooKassa, backends, qr_text};

#[tokio::test]
async fn an_agent_sends_a_link_and_a_transfer_qr_and_the_client_gets_photos_that_read_back() {
    for backend in backends() {
        sends(World::on(backend).await).await;
    }
}

/// The URL buttons of a message, `(text, url)`, row by row.
fn url_buttons(m: &SentMessage) -> Vec<(String, String)> {
    let markup = m.reply_markup.clone().unwrap_or_default();
    // A photo's request is multipart: the keyboard arrives as a JSON string.
    let markup = match markup.as_str() {
        Some(s) => serde_json::from_str(s).unwrap_or_default(),
        None => markup,
    };
    let rows = markup["inline_keyboard"].as_array().cloned().unwrap_or_default();
    rows.iter()
        .flat_map(|r| r.as_array().cloned().unwrap_or_default())
        .filter_map(|b| Some((b["text"].as_str()?.to_owned(), b["url"].as_str()?.to_owned())))
        .collect()
}

/// From the booking card: «Ссылка на оплату», an amount (a button or typed), a way; the
/// agent's confirmation; the photo the client got.
async fn send_from_card(
    w: &World,
    agent: &FakeUser,
    client: &FakeUser,
    booking: i64,
    amount: Result<&str, &str>,
    way: &str,
) -> SentMessage {
    let list = w.say(agent, "📋 Брони", "выберите").await;
    let card = w.press(agent, &list, &format!("bk:{booking}"), "Бронь №").await;
    let amounts = w.press(agent, &card, &format!("sp:{booking}"), "отправить клиенту").await;
    let ways = match amount {
        Ok(button) => w.press(agent, &amounts, button, "Как отправить клиенту").await,
        Err(typed) => {
            w.press(agent, &amounts, "po", "Напишите сумму").await;
            w.say(agent, typed, "Как отправить клиенту").await
        }
    };
    let seen = w.fake.count_sent(client.id);
    let done = w.press(agent, &ways, way, "Отправлено клиенту").await;
    assert!(done.text().contains(&format!("№{booking}")), "{}", done.text());
    w.fake.wait_for_new_message(client.id, seen, |m| m.method == "sendPhoto", WAIT).await
}

async fn sends(w: World) {
    let yookassa = FakeYooKassa::start().await;
    let server = w
        .serve_with(&[
            ("TOURCRM_SCHEDULER_TICK", "1"),
            ("TOURCRM_YOOKASSA_SHOP_ID", testkit::YOOKASSA_SHOP_ID),
            ("TOURCRM_YOOKASSA_SECRET_KEY", testkit::YOOKASSA_SECRET_KEY),
            ("TOURCRM_YOOKASSA_API_URL", yookassa.url.as_str()),
            ("TOURCRM_YOOKASSA_RETURN_URL", "https://t.me/tourcrm_test_bot"),
        ])
        .await;
    let crm = w.crm().await;
    let (_, dep) = published_tour(&crm).await;
    let admin = crm
        .add_staff(&Actor::System, NewStaffInput { login: "boss", name: "Главный Админ", role: Role::Admin })
        .await
        .unwrap();
    let admin = Actor::staff(admin.staff.id, Role::Admin);
    crm.save_agency_requisites(&admin, &testkit::agency()).await.unwrap();
    let (agent, anna) = w.linked_agent(&crm, 500_301).await;
    let maria = w.fake.user(600_301, "Мария", Some("maria"));
    register(&w, &maria, "+79123456789").await;
    let client = crm.client_by_telegram(&Actor::System, maria.id).await.unwrap().unwrap();
    crm.assign_agent(&admin, client.id, agent.staff.id).await.unwrap();
    let agent_actor = Actor::staff(agent.staff.id, Role::Agent);
    let request = BookingRequest {
        client_id: client.id,
        departure_id: crm::domain::DepartureId(dep),
        travellers_count: 1,
        client_travels: true,
        companions: vec![],
        rooms: vec![],
        notes: String::new(),
        request_key: None,
    };
    let b = crm.create_booking(&agent_actor, request.clone()).await.unwrap().booking.id;
    crm.change_booking_status(&agent_actor, b, BookingStatus::ContractSigned, "подписан в офисе").await.unwrap();

    // The rest by СБП: a YooKassa link as a button and as the QR code, the same link.
    let photo = send_from_card(&w, &anna, &maria, b.0, Ok("pr"), "pv:sbp").await;
    let payments = crm.online_payments_of_booking(&admin, b).await.unwrap();
    // The newest СБП payment: in the agency's notification hours the scheduler has already
    // reminded the client of the deposit (due in three days) with a card payment of its own.
    let sbp = payments.iter().find(|p| p.method == crm::services::payments::OnlineMethod::Sbp);
    let link = sbp.and_then(|p| p.confirmation_url.clone()).expect("the СБП payment's link");
    assert!(link.starts_with("https://qr.nspk.ru/"), "{link}");
    let buttons = url_buttons(&photo);
    assert_eq!(buttons.iter().map(|(_, u)| u.as_str()).collect::<Vec<_>>(), [link.as_str()], "{buttons:?}");
    assert!(buttons[0].0.starts_with("Оплатить"), "{buttons:?}");
    assert!(photo.text().contains("через СБП") && photo.text().contains(&format!("№{}", b.0)), "{}", photo.text());
    if let Some(read) = qr_text(&photo.file("photo").expect("the photo's bytes")) {
        assert_eq!(read, link, "the QR code is exactly the link");
    }

    // 15 000 ₽ typed, by transfer: the GOST payload in the QR code, the requisites in the caption.
    let photo = send_from_card(&w, &anna, &maria, b.0, Err("15000"), "pv:bank").await;
    assert!(url_buttons(&photo).is_empty(), "a transfer has no link");
    let caption = photo.text();
    for part in ["ООО «Солнечный берег»", "ИНН 7707083893", "40702810938000000001", "044525225"] {
        assert!(caption.contains(part), "the caption lacks {part}: {caption}");
    }
    let purpose = format!("Оплата по брони №{}, Иванова М., без НДС", b.0);
    if let Some(read) = qr_text(&photo.file("photo").unwrap()) {
        assert_eq!(
            read,
            format!(
                "ST00012|Name=ООО «Солнечный берег»|PersonalAcc=40702810938000000001|BankName=ПАО Сбербанк|\
                 BIC=044525225|CorrespAcc=30101810400000000225|PayeeINN=7707083893|Purpose={purpose}|Sum=1500000"
            )
        );
    }

    // A client who does not use the bot: the photo comes to the agent's own chat, to forward.
    let offline = crm.register_client(&agent_actor, testkit::new_client("Петров Пётр", "+79123450000")).await.unwrap();
    let request = BookingRequest { client_id: offline.id, ..request };
    let b = crm.create_booking(&agent_actor, request).await.unwrap().booking.id;
    crm.change_booking_status(&agent_actor, b, BookingStatus::ContractSigned, "подписан в офисе").await.unwrap();
    let list = w.say(&anna, "📋 Брони", "выберите").await;
    let card = w.press(&anna, &list, &format!("bk:{}", b.0), "Бронь №").await;
    let amounts = w.press(&anna, &card, &format!("sp:{}", b.0), "отправить клиенту").await;
    let ways = w.press(&anna, &amounts, "pr", "Как отправить клиенту").await;
    let seen = w.fake.count_sent(anna.id);
    let done = w.press(&anna, &ways, "pv:bank", "перешлите его клиенту").await;
    assert!(done.text().contains(&format!("№{}", b.0)), "{}", done.text());
    let photo = w.fake.wait_for_new_message(anna.id, seen, |m| m.method == "sendPhoto", WAIT).await;
    assert!(photo.text().contains(&format!("Оплата по брони №{}, Петров П.", b.0)), "{}", photo.text());
    drop(server);
}
