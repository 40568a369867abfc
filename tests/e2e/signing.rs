//! Signing end to end: the real binary, the fake Telegram. The agent issues the contract from
//! the booking card in the bot; the client gets the PDF (no https address) and signs in the
//! chat — the agreement, a wrong code, the right one — and the booking moves; «Мои брони» offers
//! the signed PDF. With an https public address the document opens as a Mini App served by the
//! binary itself, whose page refuses forged `initData` and opens for its client.

use crate::bot_client::{World, published_tour, register};
use crate::fake_telegram::{FakeUser, SentMessage, TEST_TOKEN, WAIT};
use crm::Actor;
use crm::domain::{BookingStatus, Role};
use crm::services::NewStaffInput;
use testkit::backends;

#[tokio::test]
async fn a_client_signs_the_contract_in_the_chat_and_in_the_mini_app() {
    for backend in backends() {
        signs(World::on(backend).await).await;
    }
}

/// The next message to `user` the bot sends with `method`, after `seen`.
async fn next(w: &World, user: &FakeUser, seen: usize, method: &str, expect: &str) -> SentMessage {
    w.fake.wait_for_new_message(user.id, seen, |m| m.method == method && m.text().contains(expect), WAIT).await
}

fn code_in(m: &SentMessage) -> String {
    m.text().split(|c: char| !c.is_ascii_digit()).find(|w| w.len() == 6).expect("a code").to_owned()
}

fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => char::from(b).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `initData` as Telegram signs it with the bot's token for `user`, now.
fn init_data(token: &str, user: i64) -> String {
    let auth = chrono::Utc::now().timestamp().to_string();
    let user_json = format!(r#"{{"id":{user},"first_name":"Мария"}}"#);
    let check = format!("auth_date={auth}\nuser={user_json}");
    let secret = crm::crypto::hmac_sha256(b"WebAppData", token.as_bytes());
    let hash: String = crm::crypto::hmac_sha256(&secret, check.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
    format!("auth_date={auth}&user={}&hash={hash}", percent(&user_json))
}

async fn signs(w: World) {
    let server = w.serve_with(&[("TOURCRM_SCHEDULER_TICK", "1")]).await;
    let crm = w.crm().await;
    let (_, dep_id) = published_tour(&crm).await;
    let admin = crm
        .add_staff(&Actor::System, NewStaffInput { login: "boss", name: "Главный Админ", role: Role::Admin })
        .await
        .unwrap();
    let admin = Actor::staff(admin.staff.id, Role::Admin);
    crm.save_agency_requisites(&admin, &testkit::agency()).await.unwrap();
    let oleg = crm.list_staff(&admin).await.unwrap().into_iter().find(|s| s.login == "oleg").unwrap();
    crm.save_operator_registry(&admin, oleg.id, &testkit::registry()).await.unwrap();
    let (agent, anna) = w.linked_agent(&crm, 500_101).await;
    let maria = w.fake.user(600_101, "Мария", Some("maria"));
    register(&w, &maria, "+79123456789").await;
    let client = crm.client_by_telegram(&Actor::System, maria.id).await.unwrap().unwrap();
    let agent_actor = Actor::staff(agent.staff.id, Role::Agent);
    crm.assign_agent(&admin, client.id, agent.staff.id).await.unwrap();
    let passport = crm::domain::InternalPassport::parse(
        "45 08",
        "613729",
        chrono::NaiveDate::from_ymd_opt(2010, 1, 15).unwrap(),
        "ОВД Тверского района",
        Some("770-001"),
        crm.today(),
    )
    .unwrap();
    crm.put_internal_passport(&Actor::System, client.id, &passport).await.unwrap();
    crm.set_client_address(&Actor::System, client.id, "630132, г. Новосибирск, ул. Дачная, д. 3").await.unwrap();
    let booking = crate::bot_client::book_one(&crm, &agent_actor, client.id, dep_id).await.booking.id;

    // The agent issues the contract from the booking card in the bot.
    let list = w.say(&anna, "📋 Брони", "выберите").await;
    let card = w.press(&anna, &list, &format!("bk:{booking}"), "Бронь №").await;
    let seen = w.fake.count_sent(maria.id);
    w.press(&anna, &card, &format!("ic:{booking}"), "выдан клиенту на подпись").await;

    // The client gets the PDF itself (no https address), with «Подписать в чате».
    let doc_msg = next(&w, &maria, seen, "sendDocument", "«Договор о реализации").await;
    let first = doc_msg.callback_data().into_iter().find(|d| d.starts_with("sg:")).expect("«Подписать в чате»");

    // The agent corrects a typo in the passport: the contract is made anew and sent, and the
    // old copy's button says so and offers the new one.
    let seen = w.fake.count_sent(maria.id);
    let corrected = crm::domain::InternalPassport { number: "613730".into(), ..passport.clone() };
    crm.put_internal_passport(&agent_actor, client.id, &corrected).await.unwrap();
    w.fake
        .wait_for_new_message(
            maria.id,
            seen,
            |m| {
                m.method == "sendDocument"
                    && m.text().contains("Договор о реализации")
                    && m.text().contains("составлен заново")
            },
            WAIT,
        )
        .await;
    let refused = w.press(&maria, &doc_msg, &first, "новый экземпляр").await;
    let sign = refused.callback_data().into_iter().find(|d| d.starts_with("sg:")).expect("the new copy's «Подписать»");
    assert_ne!(sign, first);
    let doc_id: i64 = sign[3..].parse().unwrap();
    let agreement = w.press(&maria, &refused, &sign, "соглашение об использовании простой электронной подписи").await;
    let seen = w.fake.count_sent(maria.id);
    w.press(&maria, &agreement, &format!("sa:{doc_id}"), "Код для подписи отправлен").await;
    let code = code_in(&next(&w, &maria, seen, "sendMessage", "Код для подписания").await);
    let wrong = if code == "000000" { "111111" } else { "000000" };
    w.say(&maria, wrong, "Код неверный. Осталось попыток: 4").await;
    let status = crm.booking_card(&Actor::System, booking).await.unwrap().booking.status;
    assert_eq!(status, BookingStatus::ContractPending, "a wrong code signs nothing");
    // The code inside a question is not passed to the agent nor kept: asked alone.
    let (first3, last3) = code.split_at(3);
    w.say(&maria, &format!("код {first3} {last3} пришёл, а дальше что?"), "только его 6 цифр").await;
    let history = crm
        .client_history(&Actor::System, crm.booking_card(&Actor::System, booking).await.unwrap().booking.client_id, 50)
        .await
        .unwrap();
    assert!(history.iter().all(|h| !h.body.contains(first3) || !h.body.contains(last3)), "{history:?}");
    // Typed as people type it, with a word and a space.
    let done = w.say(&maria, &format!("Код: {first3} {last3}"), "подписан").await;
    let status = crm.booking_card(&Actor::System, booking).await.unwrap().booking.status;
    assert_eq!(status, BookingStatus::ContractSigned);
    // The booking now takes a payment: offered at once.
    assert!(done.text().contains("Теперь бронь можно оплатить"), "{}", done.text());
    assert!(done.callback_data().contains(&format!("pb:{booking}")), "{:?}", done.callback_data());
    let ev = crm.document_signature(&Actor::System, crm::domain::IssuedDocumentId(doc_id)).await.unwrap().unwrap();
    assert_eq!((ev.telegram_id, ev.attempts), (maria.id, 2));

    // «Мои брони»: the contract signed under its booking, its PDF on request; the consent issued
    // at registration, still to sign, under the client's own documents.
    let mine = w.say(&maria, "/bookings", "Ваши брони").await;
    let text = mine.text();
    assert!(text.contains("📄 Договор о реализации туристского продукта") && text.contains("— есть подпись"), "{text}");
    assert!(text.contains("📄 Ваши документы:\n   Согласие на обработку персональных данных — "), "{text}");
    let offered = mine.callback_data();
    assert!(offered.contains(&format!("dp:{doc_id}")), "the signed contract's PDF: {offered:?}");
    assert!(offered.iter().any(|d| d.starts_with("sg:")), "the consent to sign: {offered:?}");
    let seen = w.fake.count_sent(maria.id);
    w.fake.push_callback(&maria, mine.message_id, &format!("dp:{doc_id}"));
    next(&w, &maria, seen, "sendDocument", "Договор").await;
    drop(server);

    // With an https public address, the next document opens as a Mini App of this server.
    let server = w.serve_with(&[("TOURCRM_SCHEDULER_TICK", "1"), ("TOURCRM_PUBLIC_URL", "https://crm.example")]).await;
    let consent = crm
        .issue_document(
            &agent_actor,
            crm::services::DocKind::PersonalDataConsent,
            crm::services::DocSubject::Client(client.id),
        )
        .await
        .unwrap();
    let seen = 0;
    // The consent issued by itself at registration may be delivered first: wait for this one.
    let want = format!("https://crm.example/sign/{}", consent.document.id);
    let msg = w
        .fake
        .wait_for_new_message(
            maria.id,
            seen,
            |m| {
                m.method == "sendMessage"
                    && m.reply_markup.as_ref().and_then(|r| r["inline_keyboard"][0][0]["web_app"]["url"].as_str())
                        == Some(want.as_str())
            },
            WAIT,
        )
        .await;
    let url = msg
        .reply_markup
        .as_ref()
        .and_then(|m| m["inline_keyboard"][0][0]["web_app"]["url"].as_str())
        .map(str::to_owned);
    let id = consent.document.id;
    assert_eq!(url.as_deref(), Some(format!("https://crm.example/sign/{id}").as_str()), "{:?}", msg.reply_markup);
    let http = reqwest::Client::new();
    let view = format!("{}/sign/{id}/view", server.base);
    let forged = http.post(&view).form(&[("init_data", init_data("1:another-token", maria.id))]).send().await.unwrap();
    assert_eq!(forged.status(), 403);
    let page = http.post(&view).form(&[("init_data", init_data(TEST_TOKEN, maria.id))]).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let body = page.text().await.unwrap();
    assert!(body.contains("Согласие на обработку персональных данных"), "{body}");
    let other = http.post(&view).form(&[("init_data", init_data(TEST_TOKEN, anna.id))]).send().await.unwrap();
    assert_eq!(other.status(), 403, "the agent's Telegram is not the client");
}
