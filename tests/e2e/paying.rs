//! Paying from the chat end to end: the real binary, the fake Telegram. «Оплатить» under a
//! booking in «Мои брони» → the amount (the next instalment, the rest, another typed and
//! checked) → the bank-transfer QR code arrives as a photo whose caption names the requisites
//! and the purpose, and which a real QR reader reads back as the GOST payload.

use crate::bot_client::{World, book_one, published_tour, register};
use crate::fake_telegram::{FakeUser, SentMessage, WAIT};
use crm::Actor;
use crm::domain::{BookingStatus, Role};
use crm::services::NewStaffInput;
use testkit::{backends, qr_text};

#[tokio::test]
async fn a_client_picks_an_amount_and_gets_the_bank_transfer_qr() {
    for backend in backends() {
        pays(World::on(backend).await).await;
    }
}

async fn photo_after(w: &World, user: &FakeUser, seen: usize) -> SentMessage {
    w.fake.wait_for_new_message(user.id, seen, |m| m.method == "sendPhoto", WAIT).await
}

/// The `Sum=` of a GOST payload, in kopecks.
fn sum_of(payload: &str) -> i64 {
    payload.rsplit('|').find_map(|f| f.strip_prefix("Sum=")).expect("a sum").parse().unwrap()
}

async fn pays(w: World) {
    let server = w.serve().await;
    let crm = w.crm().await;
    let (_, dep) = published_tour(&crm).await;
    let maria = w.fake.user(600_201, "Мария", Some("maria"));
    register(&w, &maria, "+79123456789").await;
    let client = crm.client_by_telegram(&Actor::System, maria.id).await.unwrap().unwrap();
    let b = book_one(&crm, &Actor::System, client.id, dep).await.booking.id;
    let pay = format!("pb:{}", b.0);

    // Before the contract is signed there is nothing to press.
    let mine = w.say(&maria, "/bookings", "Ваши брони").await;
    assert!(!mine.callback_data().contains(&pay), "{:?}", mine.callback_data());
    crm.change_booking_status(&Actor::System, b, BookingStatus::ContractSigned, "подписан в офисе").await.unwrap();

    // Signed, but the agency has no way to pay in the chat yet: the client is told so.
    let mine = w.say(&maria, "/bookings", "Ваши брони").await;
    w.press(&maria, &mine, &pay, "пока нельзя").await;

    let admin = crm
        .add_staff(&Actor::System, NewStaffInput { login: "boss", name: "Главный Админ", role: Role::Admin })
        .await
        .unwrap();
    crm.save_agency_requisites(&Actor::staff(admin.staff.id, Role::Admin), &testkit::agency()).await.unwrap();

    let amounts = w.press(&maria, &mine, &pay, "Осталось оплатить").await;
    assert_eq!(amounts.callback_data(), ["pn", "pr", "po"], "{}", amounts.text());
    let ask = w.press(&maria, &amounts, "po", "Напишите сумму").await;
    assert!(ask.text().replace('\u{a0}', " ").contains("от 1 ₽ до 50 000 ₽"), "{}", ask.text());
    let bad = w.say(&maria, "пять тысяч", "Напишите сумму").await;
    assert!(bad.text().contains("Сумма должна быть числом"), "{}", bad.text());
    let big = w.say(&maria, "1000000", "Напишите сумму").await;
    assert!(big.text().contains("больше остатка"), "{}", big.text());

    // A question typed at the amount goes to the agent about this booking; the amount is
    // still asked from there.
    let anna = crm
        .add_staff(&Actor::System, NewStaffInput { login: "anna", name: "Смирнова Анна", role: Role::Agent })
        .await
        .unwrap();
    let anna_tg = w.fake.user(500_201, "Анна", None);
    w.say(&anna_tg, &format!("/start staff_{}", anna.invite_token), "Смирнова Анна").await;
    let offer = w.say(&maria, "А можно оплатить частями?", "Передать ему ваше сообщение").await;
    assert!(offer.text().contains("оплату продолжим"), "{}", offer.text());
    assert_eq!(offer.callback_data(), ["rq", "pn", "pr", "po"], "{}", offer.text());
    w.press(&maria, &offer, "rq", "Передал").await;
    let asked = w.fake.wait_for_message(anna_tg.id, |m| m.text().contains("частями"), WAIT).await;
    let about = format!("❓ Вопрос об оплате брони №{} «", b.0);
    assert!(asked.text().contains(&about) && asked.text().contains("(осталось оплатить "), "{}", asked.text());

    // A good amount: the only way to pay is the transfer, so its QR code comes at once.
    let seen = w.fake.count_sent(maria.id);
    w.fake.push_text(&maria, "20000");
    let photo = photo_after(&w, &maria, seen).await;
    let caption = photo.text();
    let purpose = format!("Оплата по брони №{}, Иванова М., без НДС", b.0);
    for part in ["ООО «Солнечный берег»", "40702810938000000001", "044525225", purpose.as_str()] {
        assert!(caption.contains(part), "the caption lacks {part}: {caption}");
    }
    if let Some(payload) = qr_text(&photo.file("photo").expect("the photo's bytes")) {
        assert!(payload.starts_with("ST00012|Name=ООО «Солнечный берег»|"), "{payload}");
        assert!(payload.contains(&format!("|Purpose={purpose}|")), "{payload}");
        assert_eq!(sum_of(&payload), 2_000_000);
    }

    // The payment chosen, its amount buttons are spent; «Оплатить» again offers them anew, and
    // «Весь остаток» is the whole balance.
    w.press(&maria, &amounts, "pr", "устарела").await;
    let amounts = w.press(&maria, &mine, &pay, "Осталось оплатить").await;
    let seen = w.fake.count_sent(maria.id);
    w.fake.push_callback(&maria, amounts.message_id, "pr");
    let rest = photo_after(&w, &maria, seen).await;
    if let Some(payload) = qr_text(&rest.file("photo").unwrap()) {
        assert_eq!(sum_of(&payload), 5_000_000, "{payload}");
    }
    drop(server);
}
