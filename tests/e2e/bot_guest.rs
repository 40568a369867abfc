//! A stranger looks around before registering, and a client's message always reaches a person:
//! the real binary, a fresh database, the fake Telegram.

use crate::bot_client::{World, answer_registration, published_tour};
use crate::fake_telegram::WAIT;
use crm::Actor;
use testkit::backends;

#[tokio::test]
async fn a_stranger_browses_then_registers_to_book_and_the_booking_goes_on() {
    for backend in backends() {
        guest_books(World::on(backend).await).await;
    }
}

async fn guest_books(w: World) {
    let _server = w.serve().await;
    let crm = w.crm().await;
    let (tour_id, dep_id) = published_tour(&crm).await;
    let (_, anna) = w.linked_agent(&crm, 500_001).await;

    // A stranger from a post: the catalog and the card without a word about registering.
    let olga = w.fake.user(630_001, "Ольга", None);
    let welcome = w.say(&olga, "/start vk_post_9", "без регистрации").await;
    assert!(welcome.body.to_string().contains("Зарегистрироваться"), "{}", welcome.body);
    let list = w.say(&olga, "🌍 Туры", "Алтай: золотые горы").await;
    let card = w.press(&olga, &list, &format!("t:{tour_id}"), "Маршрут").await;
    assert!(crm.client_by_telegram(&Actor::System, olga.id).await.unwrap().is_none(), "nobody registered yet");

    // Booking a departure asks to register, and then goes on with that booking.
    w.press(&olga, &card, &format!("d:{dep_id}"), "Чтобы забронировать тур").await;
    w.say(&olga, "Петрова Ольга", "номером телефона").await;
    let seen = w.fake.count_sent(olga.id);
    w.fake.push_contact(&olga, "+79130000007", Some(olga.id));
    w.fake.wait_for_new_message(olga.id, seen, |m| m.text().contains("Дата рождения"), WAIT).await;
    let cities = w.say(&olga, "01.02.1985", "вылетаете").await;
    let consent = w.press(&olga, &cities, "c:1", "согласие").await;
    let marketing = w.press(&olga, &consent, "y", "подборки").await;
    let seen = w.fake.count_sent(olga.id);
    w.fake.push_callback(&olga, marketing.message_id, "n");
    let ask = w.fake.wait_for_new_message(olga.id, seen, |m| m.text().contains("Сколько человек"), WAIT).await;
    assert!(
        w.fake.sent_to(olga.id).iter().any(|m| m.text().contains("Готово, Ольга")),
        "{:#?}",
        w.fake.sent_to(olga.id)
    );
    let quote = w.press(&olga, &ask, "k:1", "Стоимость брони").await;
    w.press(&olga, &quote, "bc:1", "Заявка на бронирование").await;

    let client = crm.client_by_telegram(&Actor::System, olga.id).await.unwrap().unwrap();
    assert_eq!(client.source.as_deref(), Some("vk_post_9"), "the first /start's source is the client's");
    let bookings = crm.list_bookings(&Actor::System, Default::default()).await.unwrap();
    assert_eq!((bookings.len(), bookings[0].client_id), (1, client.id));
    w.fake.wait_for_message(anna.id, |m| m.text().contains("Петрова Ольга"), WAIT).await;
}

#[tokio::test]
async fn a_message_from_a_client_without_an_agent_reaches_one_and_the_client_is_told_who() {
    for backend in backends() {
        message_reaches_agent(World::on(backend).await).await;
    }
}

async fn message_reaches_agent(w: World) {
    let _server = w.serve_with(&[("TOURCRM_AGENCY_PHONE", "+74951234567")]).await;
    let crm = w.crm().await;

    // No agent at all: the message is kept, and the client is given the agency's phone.
    let maria = w.fake.user(640_001, "Мария", None);
    w.say(&maria, "💬 Написать агенту", "Чтобы агент знал, кому отвечать").await;
    w.say(&maria, "Иванова Мария", "номером телефона").await;
    let seen = w.fake.count_sent(maria.id);
    w.fake.push_contact(&maria, "+79123456789", Some(maria.id));
    w.fake.wait_for_new_message(maria.id, seen, |m| m.text().contains("Дата рождения"), WAIT).await;
    let cities = w.say(&maria, "05.03.1990", "вылетаете").await;
    let consent = w.press(&maria, &cities, "c:0", "согласие").await;
    let marketing = w.press(&maria, &consent, "y", "подборки").await;
    let seen = w.fake.count_sent(maria.id);
    w.fake.push_callback(&maria, marketing.message_id, "n");
    w.fake.wait_for_new_message(maria.id, seen, |m| m.text().contains("Напишите ваш вопрос"), WAIT).await;
    w.say(&maria, "Есть ли туры на майские?", "+7 495 123-45-67").await;
    let client = crm.client_by_telegram(&Actor::System, maria.id).await.unwrap().unwrap();
    let history = crm.client_history(&Actor::System, client.id, 10).await.unwrap();
    assert!(
        history.iter().any(|i| i.body == "Есть ли туры на майские?" && i.author == format!("client:{}", client.id))
    );

    // An agent joins: the next message assigns her, reaches her, and the client learns her name.
    let (agent, anna) = w.linked_agent(&crm, 500_001).await;
    w.say(&maria, "💬 Написать агенту", "Напишите ваш вопрос").await;
    w.say(&maria, "А на июнь?", "Ваш агент — Смирнова Анна").await;
    let relayed = w.fake.wait_for_message(anna.id, |m| m.text().contains("А на июнь?"), WAIT).await;
    assert!(relayed.text().contains("закреплён за вами"), "{}", relayed.text());
    assert!(relayed.callback_data().contains(&format!("cl:{}", client.id)), "{:?}", relayed.callback_data());
    let client = crm.get_client(&Actor::System, client.id).await.unwrap();
    assert_eq!(client.agent_id, Some(agent.staff.id));
}

#[tokio::test]
async fn a_strangers_question_is_kept_through_the_registration_and_reaches_the_agent() {
    for backend in backends() {
        question_kept(World::on(backend).await).await;
    }
}

async fn question_kept(w: World) {
    let _server = w.serve().await;
    let crm = w.crm().await;
    let (agent, anna) = w.linked_agent(&crm, 500_021).await;

    let oleg = w.fake.user(640_021, "Олег", None);
    w.say(&oleg, "/start", "без регистрации").await;
    w.say(&oleg, "Здравствуйте, хочу в Турцию в мае", "нужна короткая регистрация").await;
    let offer = w.say(&oleg, "на двоих, до 150 тысяч", "Передать агенту ваши сообщения (2)?").await;
    w.press(&oleg, &offer, "y", "кому отвечать").await;
    // Registered: the kept question goes to the agent, and the client is told who answers.
    answer_registration(&w, &oleg, "Соколов Олег", "+79135550021").await;
    w.fake.wait_for_message(oleg.id, |m| m.text().contains("Ваш агент — Смирнова Анна"), WAIT).await;
    let relayed = w.fake.wait_for_message(anna.id, |m| m.text().contains("хочу в Турцию в мае"), WAIT).await;
    assert!(relayed.text().contains("на двоих, до 150 тысяч"), "{}", relayed.text());
    let client = crm.client_by_telegram(&Actor::System, oleg.id).await.unwrap().unwrap();
    assert_eq!(client.agent_id, Some(agent.staff.id));
    let history = crm.client_history(&Actor::System, client.id, 10).await.unwrap();
    let asked = history.iter().filter(|i| i.body.contains("хочу в Турцию в мае")).count();
    assert_eq!(asked, 1, "kept once: {history:?}");
}
