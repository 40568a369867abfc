//! The agent's side of the bot, end to end: answering a client through the relay, working a
//! booking, and crafted buttons that try to reach another agent's client.

use crate::bot_client::{World, published_tour, register};
use crate::fake_telegram::{FakeUser, WAIT};
use crm::Actor;
use crm::domain::{BookingStatus, Currency, Money, Role};
use crm::services::NewStaffInput;
use testkit::backends;

#[tokio::test]
async fn an_agent_answers_a_client_and_works_the_booking_but_cannot_reach_another_agents_client() {
    for backend in backends() {
        agent_works(World::on(backend).await).await;
    }
}

async fn agent_works(w: World) {
    let _server = w.serve().await;
    let crm = w.crm().await;
    let (tour_id, dep_id) = published_tour(&crm).await;
    let add = |login: &'static str, name: &'static str| {
        let crm = crm.clone();
        async move { crm.add_staff(&Actor::System, NewStaffInput { login, name, role: Role::Agent }).await.unwrap() }
    };
    let anna = add("anna", "Смирнова Анна").await;
    let boris = add("boris", "Борисов Борис").await;
    let anna_tg = w.fake.user(500_001, "Анна", None);
    let boris_tg = w.fake.user(500_002, "Борис", None);
    let bound = w.say(&anna_tg, &format!("/start staff_{}", anna.invite_token), "Смирнова Анна").await;
    // The work menu comes with the confirmation: nothing to guess before the first button.
    let menu = bound.reply_markup.as_ref().map(|m| m.to_string()).unwrap_or_default();
    assert!(menu.contains("Мои клиенты") && menu.contains("Заявки"), "no work menu: {menu}");
    w.say(&boris_tg, &format!("/start staff_{}", boris.invite_token), "Борисов Борис").await;

    // The client registers and books; the request goes to the agent with fewer bookings (Анна,
    // by id), who becomes the client's agent.
    let maria = w.fake.user(600_001, "Мария", None);
    register(&w, &maria, "+79123456789").await;
    let list = w.say(&maria, "🌍 Туры", "Алтай").await;
    let card = w.press(&maria, &list, &format!("t:{tour_id}"), "Маршрут").await;
    let ask = w.press(&maria, &card, &format!("d:{dep_id}"), "Сколько человек").await;
    w.press(&maria, &ask, "k:1", "Стоимость брони").await;
    // A question at the price goes to the agent when the client says so; the price stays
    // and books from the answer's buttons.
    let offer = w.say(&maria, "А трансфер из аэропорта включён?", "Передать ему ваше сообщение").await;
    assert!(offer.text().contains("цена выше остаётся в силе"), "{}", offer.text());
    let relayed = w.press(&maria, &offer, "rq", "Передал").await;
    assert!(relayed.text().contains("Смирнова Анна"), "{}", relayed.text());
    let asked = w.fake.wait_for_message(anna_tg.id, |m| m.text().contains("трансфер из аэропорта"), WAIT).await;
    // The agent is told what the question is about: the tour, its dates, the count priced.
    assert!(asked.text().contains("❓ Вопрос о туре «") && asked.text().contains(", 1 чел.:"), "{}", asked.text());
    w.press(&maria, &relayed, "bc:1", "Заявка на бронирование").await;
    let client = crm.client_by_telegram(&Actor::System, maria.id).await.unwrap().unwrap();
    assert_eq!(client.agent_id, Some(anna.staff.id));
    let booking = crm.list_bookings(&Actor::System, Default::default()).await.unwrap()[0].clone();

    // Client → agent → «Ответить» → client.
    w.say(&maria, "💬 Написать агенту", "Напишите ваш вопрос").await;
    w.say(&maria, "Можно с собакой?", "Ответит ваш агент, Смирнова Анна").await;
    let relayed = w.fake.wait_for_message(anna_tg.id, |m| m.text().contains("Можно с собакой?"), WAIT).await;
    let ask = w.press(&anna_tg, &relayed, &format!("rt:{}", client.id), "Напишите сообщение клиенту").await;
    let _ = ask;
    w.say(&anna_tg, "Да, мелкие собаки — можно.", "Отправлено клиенту").await;
    w.fake.wait_for_message(maria.id, |m| m.text().contains("Да, мелкие собаки"), WAIT).await;
    let history = crm.client_history(&Actor::System, client.id, 10).await.unwrap();
    assert!(history.iter().any(|i| i.body.contains("мелкие собаки")), "the answer is logged");

    // The agent works the booking: contract signed, a cash payment.
    let clients = w.say(&anna_tg, "👥 Мои клиенты", "Клиенты").await;
    let card = w.press(&anna_tg, &clients, &format!("cl:{}", client.id), "Иванова Мария").await;
    // The phone in groups, the history's kinds in words, and who wrote each message: the
    // client's question and Анна's answer.
    assert!(card.text().contains("📞 +7 912 345-67-89"), "{}", card.text());
    assert!(card.text().contains(" · Сообщение · клиент: Можно с собакой?"), "{}", card.text());
    assert!(card.text().contains(" · Сообщение · Смирнова Анна: Да, мелкие"), "{}", card.text());
    // History times on the agency's clock (not the server's UTC), the zone named once.
    let answer = history.iter().find(|i| i.body.contains("мелкие собаки")).unwrap();
    let at = answer.occurred_at.with_timezone(&crm::domain::AGENCY_TZ).format("%d.%m %H:%M").to_string();
    assert!(card.text().contains(&format!("• {at} · Сообщение")), "{}", card.text());
    assert!(card.text().contains("Последние события (время московское):"), "{}", card.text());
    let bcard = w.press(&anna_tg, &card, &format!("bk:{}", booking.id), "Бронь №").await;
    let asked = w.press(&anna_tg, &bcard, &format!("mv:{}:contract_signed", booking.id), "причину").await;
    assert!(asked.text().contains(&format!("Бронь №{} → «договор подписан»", booking.id)), "{}", asked.text());
    w.say(&anna_tg, "подписан в офисе", "договор подписан").await;
    w.fake.wait_for_message(maria.id, |m| m.text().contains("новый статус — договор подписан"), WAIT).await;
    // The card's button pressed again after the move: refused at once, no reason asked first.
    let seen = w.fake.count_sent(anna_tg.id);
    w.fake.push_callback(&anna_tg, bcard.message_id, &format!("mv:{}:contract_signed", booking.id));
    let stale = w.fake.wait_for_new_message(anna_tg.id, seen, |m| m.text().contains("уже в статусе"), WAIT).await;
    assert!(stale.text().contains("«договор подписан»"), "{}", stale.text());
    let bcard = w.say(&anna_tg, "📋 Брони", "Брони").await;
    let bcard = w.press(&anna_tg, &bcard, &format!("bk:{}", booking.id), "к оплате").await;
    let method = w.press(&anna_tg, &bcard, &format!("py:{}", booking.id), "Как клиент оплатил").await;
    w.press(&anna_tg, &method, "pm:cash", "Сумма оплаты").await;
    // More than is due: said in money, and the dialogue stays on the amount.
    let over = w.say(&anna_tg, "60000", "больше остатка").await;
    let due = Money::new(5_000_000, Currency::RUB).to_string();
    assert!(over.text().contains(&due) && over.text().contains("другую сумму"), "{}", over.text());
    w.say(&anna_tg, "10000", "частичная оплата").await;
    // The client is told of the payment (and of the move it made).
    let paid = Money::new(1_000_000, Currency::RUB).to_string();
    let told = w.fake.wait_for_message(maria.id, |m| m.text().contains("получили вашу оплату"), WAIT).await;
    assert!(told.text().contains(&paid), "{}", told.text());
    w.fake.wait_for_message(maria.id, |m| m.text().contains("новый статус — частичная оплата"), WAIT).await;
    let card = crm.booking_card(&Actor::System, booking.id).await.unwrap();
    assert_eq!(card.booking.status, BookingStatus::PartiallyPaid);
    assert_eq!(card.paid.minor, 1_000_000);
    // A button drawn by the version before codes (a position in the status list) has expired:
    // it is not read as whichever status sits there now.
    let seen = w.fake.count_sent(anna_tg.id);
    w.fake.push_callback(&anna_tg, bcard.message_id, &format!("mv:{}:4", booking.id));
    w.fake.wait_for_new_message(anna_tg.id, seen, |m| m.text().contains("кнопка устарела"), WAIT).await;

    // Борис crafts buttons naming Анна's client and booking: refused, nothing changes.
    let menu = w.say(&boris_tg, "👥 Мои клиенты", "Клиентов не найдено").await;
    let seen = w.fake.count_sent(boris_tg.id);
    w.fake.push_callback(&boris_tg, menu.message_id, &format!("cl:{}", client.id));
    let refused = w.fake.wait_for_new_message(boris_tg.id, seen, |m| m.text().contains("Нет доступа"), WAIT).await;
    assert!(!refused.text().contains("Иванова"), "{}", refused.text());
    let seen = w.fake.count_sent(boris_tg.id);
    w.fake.push_callback(&boris_tg, menu.message_id, &format!("mv:{}:cancellation_requested", booking.id));
    w.fake.wait_for_new_message(boris_tg.id, seen, |m| m.text().contains("Нет доступа"), WAIT).await;
    let seen = w.fake.count_sent(boris_tg.id);
    w.fake.push_callback(&boris_tg, menu.message_id, &format!("rt:{}", client.id));
    w.fake.wait_for_new_message(boris_tg.id, seen, |m| m.text().contains("Напишите сообщение"), WAIT).await;
    w.say(&boris_tg, "Привет от чужого агента", "Нет доступа").await;
    assert_eq!(
        crm.booking_card(&Actor::System, booking.id).await.unwrap().booking.status,
        BookingStatus::PartiallyPaid
    );
    assert!(!w.fake.sent_to(maria.id).iter().any(|m| m.text().contains("чужого агента")));

    // The client's «Мои брони»: paid so far, the next payment; then a cancellation request with
    // a reason, confirmed, reaches the agent.
    let mine = w.say(&maria, "🧳 Мои брони", "Ваши брони").await;
    let next = Money::new(500_000, Currency::RUB).to_string();
    assert!(mine.text().contains(&format!("оплачено {paid}")), "{}", mine.text());
    assert!(mine.text().contains(&format!("следующий платёж: {next} до ")), "{}", mine.text());
    let why = w.press(&maria, &mine, &format!("xc:{}", booking.id), "почему").await;
    let _ = why;
    let confirm = w.say(&maria, "Заболел ребёнок", "Отправить агенту запрос").await;
    let sent = w.press(&maria, &confirm, "y", "отправлен").await;
    assert!(sent.text().contains("Смирнова Анна"), "{}", sent.text());
    let heard = w.fake.wait_for_message(anna_tg.id, |m| m.text().contains("Запрос отмены брони"), WAIT).await;
    assert!(
        heard.text().contains("Причина: Заболел ребёнок") && heard.text().contains("+7 912 345-67-89"),
        "{}",
        heard.text()
    );
    assert!(!w.fake.sent_to(boris_tg.id).iter().any(|m| m.text().contains("Запрос отмены")), "only the agent");
    let card = crm.booking_card(&Actor::System, booking.id).await.unwrap();
    assert_eq!(card.booking.status, BookingStatus::CancellationRequested);
    let history = crm.client_history(&Actor::System, client.id, 50).await.unwrap();
    assert!(history.iter().any(|i| i.booking_id == Some(booking.id) && i.body.contains("Заболел ребёнок")));
}

/// Telegram lets a bot send a private chat about 20 messages a minute (teloxide's throttle
/// keeps to it), so the agent's shortcuts are walked in a chat of their own.
#[tokio::test]
async fn the_agents_notice_opens_the_booking_and_the_client_and_a_logged_call_leads_back_to_the_card() {
    let w = World::on(testkit::Backend::Sqlite).await;
    let _server = w.serve().await;
    let crm = w.crm().await;
    let (tour_id, dep_id) = published_tour(&crm).await;
    let (_, anna_tg) = w.linked_agent(&crm, 500_011).await;
    let maria = w.fake.user(600_021, "Мария", None);
    register(&w, &maria, "+79123456789").await;
    let list = w.say(&maria, "🌍 Туры", "Алтай").await;
    let card = w.press(&maria, &list, &format!("t:{tour_id}"), "Маршрут").await;
    let ask = w.press(&maria, &card, &format!("d:{dep_id}"), "Сколько человек").await;
    let quote = w.press(&maria, &ask, "k:1", "Стоимость брони").await;
    w.press(&maria, &quote, "bc:1", "Заявка на бронирование").await;
    let client = crm.client_by_telegram(&Actor::System, maria.id).await.unwrap().unwrap();
    let booking = crm.list_bookings(&Actor::System, Default::default()).await.unwrap()[0].clone();

    // The notice gives the client's phone and opens the booking and the client.
    let notice = w.fake.wait_for_message(anna_tg.id, |m| m.text().contains("Новая заявка"), WAIT).await;
    assert!(notice.text().contains("+7 912 345-67-89"), "{}", notice.text());
    assert!(notice.callback_data().contains(&format!("cl:{}", client.id)), "{:?}", notice.callback_data());
    let opened = w.press(&anna_tg, &notice, &format!("bk:{}", booking.id), "Бронь №").await;
    assert!(opened.text().contains("Иванова Мария"), "{}", opened.text());
    // «🆕 Заявки» says it lists new requests, and each names its client.
    let requests = w.say(&anna_tg, "🆕 Заявки", "Новые заявки").await;
    assert!(requests.body.to_string().contains("Иванова Мария"), "{}", requests.body);
    // After logging a call, a button leads back to the card, which shows the call by Анна.
    let card = w.press(&anna_tg, &notice, &format!("cl:{}", client.id), "Иванова Мария").await;
    w.press(&anna_tg, &card, &format!("nt:{}:call", client.id), "Опишите, что было").await;
    let logged = w.say(&anna_tg, "Обсудили визу", "Записано в историю клиента").await;
    let card = w.press(&anna_tg, &logged, &format!("cl:{}", client.id), "Иванова Мария").await;
    assert!(card.text().contains(" · Звонок · Смирнова Анна: Обсудили визу"), "{}", card.text());
    // An agent pressing a blacklist button is told at once it is the admin's.
    let seen = w.fake.count_sent(anna_tg.id);
    w.fake.push_callback(&anna_tg, card.message_id, &format!("bl:{}", client.id));
    w.fake.wait_for_new_message(anna_tg.id, seen, |m| m.text().contains("ведёт администратор"), WAIT).await;
}

#[tokio::test]
async fn an_agent_enters_the_clients_passport_field_by_field_in_the_bot() {
    for backend in backends() {
        passport_entry(World::on(backend).await).await;
    }
}

/// An agent in the bot, and a client who booked `travellers` places in the bot: the agent's
/// Telegram user and the booking.
async fn agent_and_booking(w: &World, crm: &crm::Crm, travellers: u8) -> (FakeUser, crm::services::Booking) {
    let (tour_id, dep_id) = published_tour(crm).await;
    let (_, anna_tg) = w.linked_agent(crm, 500_001).await;
    let maria = w.fake.user(600_001, "Мария", None);
    register(w, &maria, "+79123456789").await;
    let list = w.say(&maria, "🌍 Туры", "Алтай").await;
    let card = w.press(&maria, &list, &format!("t:{tour_id}"), "Маршрут").await;
    let ask = w.press(&maria, &card, &format!("d:{dep_id}"), "Сколько человек").await;
    let quote = w.press(&maria, &ask, &format!("k:{travellers}"), "Стоимость брони").await;
    w.press(&maria, &quote, &format!("bc:{travellers}"), "Заявка на бронирование").await;
    (anna_tg, crm.list_bookings(&Actor::System, Default::default()).await.unwrap()[0].clone())
}

async fn passport_entry(w: World) {
    let _server = w.serve().await;
    let crm = w.crm().await;
    let (anna_tg, booking) = agent_and_booking(&w, &crm, 1).await;
    let me = crm.travellers(&Actor::System, booking.id).await.unwrap().travellers[0].traveller.id;

    let bookings = w.say(&anna_tg, "📋 Брони", "Брони").await;
    let bcard = w.press(&anna_tg, &bookings, &format!("bk:{}", booking.id), "Бронь №").await;
    let list = w.press(&anna_tg, &bcard, &format!("tr:{}", booking.id), "Туристы брони").await;
    assert!(list.text().contains("❗ паспорт РФ — нужен, не внесён"), "{}", list.text());
    let kinds = w.press(&anna_tg, &list, &format!("tv:{me}"), "Какой документ").await;
    w.press(&anna_tg, &kinds, &format!("dk:{me}:internal_passport"), "Серия паспорта РФ").await;
    w.say(&anna_tg, "45 0", "Серия паспорта РФ — 4 цифры.").await;
    w.say(&anna_tg, "45 08", "Номер — 6 цифр").await;
    w.say(&anna_tg, "613729", "Дата выдачи").await;
    w.say(&anna_tg, "15.01.2010", "Кем выдан").await;
    w.say(&anna_tg, "ОВД Тверского района", "Код подразделения").await;
    let summary = w.say(&anna_tg, "770001", "Проверьте").await;
    assert!(summary.text().contains("Код подразделения: 770-001"), "{}", summary.text());
    let saved = w.press(&anna_tg, &summary, "y", "Сохранено: паспорт РФ").await;
    // Back to the list, where the next traveller's document is entered.
    assert_eq!(saved.callback_data(), [format!("tr:{}", booking.id)]);
    let opened = crm.open_documents(&Actor::System, booking.client_id).await.unwrap();
    assert_eq!(opened.internal_passport.map(|p| p.number).as_deref(), Some("613729"));
    assert!(crm.missing_documents(&Actor::System, booking.id).await.unwrap().is_empty());
}

#[tokio::test]
async fn an_agent_adds_a_companion_to_a_booking_in_the_bot() {
    for backend in backends() {
        companion_entry(World::on(backend).await).await;
    }
}

async fn companion_entry(w: World) {
    let _server = w.serve().await;
    let crm = w.crm().await;
    let (anna_tg, booking) = agent_and_booking(&w, &crm, 2).await;

    let bookings = w.say(&anna_tg, "📋 Брони", "Брони").await;
    let bcard = w.press(&anna_tg, &bookings, &format!("bk:{}", booking.id), "Бронь №").await;
    let list = w.press(&anna_tg, &bcard, &format!("tr:{}", booking.id), "Туристы брони").await;
    assert!(list.text().contains("(1 из 2)"), "{}", list.text());
    let add = format!("ta:{}", booking.id);
    assert!(list.callback_data().contains(&add), "{:?}", list.callback_data());
    w.press(&anna_tg, &list, &add, "Новый турист брони").await;
    // A wrong name and an impossible date are answered and change nothing.
    w.say(&anna_tg, "Иванов", "фамилию и имя").await;
    w.say(&anna_tg, "Иванов Пётр Сергеевич", "Дата рождения туриста").await;
    w.say(&anna_tg, "31.02.2015", "Такого дня нет").await;
    assert_eq!(crm.travellers(&Actor::System, booking.id).await.unwrap().travellers.len(), 1);
    let list = w.say(&anna_tg, "01.02.2015", "(2 из 2)").await;
    assert!(list.text().contains("Иванов Пётр Сергеевич, 01.02.2015"), "{}", list.text());
    assert!(!list.callback_data().contains(&add), "no third traveller: {:?}", list.callback_data());
    let all = crm.travellers(&Actor::System, booking.id).await.unwrap().travellers;
    assert_eq!(all[1].traveller.full_name, "Иванов Пётр Сергеевич");
}

#[tokio::test]
async fn an_agent_enters_a_clients_refund_details_and_address_in_the_bot() {
    for backend in backends() {
        refund_entry(World::on(backend).await).await;
    }
}

/// The refund details and the address, both entered from the client's card.
async fn refund_entry(w: World) {
    let _server = w.serve().await;
    let crm = w.crm().await;
    let (anna, anna_tg) = w.linked_agent(&crm, 500_001).await;
    let agent = Actor::staff(anna.staff.id, Role::Agent);
    let client = crm.register_client(&agent, testkit::new_client("Иванова Мария", "+79123456789")).await.unwrap();
    let clients = w.say(&anna_tg, "👥 Мои клиенты", "Клиенты").await;
    let card = w.press(&anna_tg, &clients, &format!("cl:{}", client.id), "Иванова Мария").await;
    let to = w.press(&anna_tg, &card, &format!("rf:{}", client.id), "Куда вернуть деньги").await;
    w.press(&anna_tg, &to, &format!("rb:{}:card", client.id), "Номер карты").await;
    w.say(&anna_tg, "4276 1000 1234 5674", "Реквизиты: номер карты").await;
    w.say(&anna_tg, "4276 1000 1234 5671", "Получатель").await;
    let summary = w.say(&anna_tg, "MARIIA IVANOVA", "Проверьте реквизиты").await;
    w.press(&anna_tg, &summary, "y", "Реквизиты для возврата сохранены").await;
    let opened = crm.open_documents(&Actor::System, client.id).await.unwrap();
    assert_eq!(
        opened.payment_details,
        Some(crm::domain::PaymentDetails::card("4276100012345671", "MARIIA IVANOVA").unwrap())
    );
    // The address the contract and the consent state: a short one is refused and asked again.
    w.press(&anna_tg, &card, &format!("ad:{}", client.id), "Адрес клиента для договора").await;
    w.say(&anna_tg, "Москва", "Укажите адрес полностью").await;
    let saved = w.say(&anna_tg, "630132, г. Новосибирск, ул. Дачная, д. 3, кв. 14", "Адрес сохранён").await;
    assert_eq!(saved.callback_data(), [format!("cl:{}", client.id)]);
    let opened = crm.open_documents(&Actor::System, client.id).await.unwrap();
    assert_eq!(opened.address.as_deref(), Some("630132, г. Новосибирск, ул. Дачная, д. 3, кв. 14"));
    // The client's own passport, without a booking: field by field, saved as the client's.
    let kinds = w.press(&anna_tg, &card, &format!("cd:{}", client.id), "Какой документ").await;
    w.press(&anna_tg, &kinds, &format!("ck:{}:internal_passport", client.id), "Серия").await;
    w.say(&anna_tg, "45 0", "Серия паспорта РФ — 4 цифры.").await;
    w.say(&anna_tg, "45 08", "Номер").await;
    w.say(&anna_tg, "613729", "Дата выдачи").await;
    w.say(&anna_tg, "15.01.2010", "Кем выдан").await;
    w.say(&anna_tg, "ОВД Тверского района", "Код подразделения").await;
    let summary = w.say(&anna_tg, "770001", "Проверьте").await;
    let saved = w.press(&anna_tg, &summary, "y", "Сохранено: паспорт РФ").await;
    assert_eq!(saved.callback_data(), [format!("cl:{}", client.id)]);
    let opened = crm.open_documents(&Actor::System, client.id).await.unwrap();
    assert_eq!(opened.internal_passport.map(|p| p.number).as_deref(), Some("613729"));

    // The card corrected field by field: another card's phone and a birth date after the
    // passport are refused and asked again; a right phone is saved.
    crm.register_client(&agent, testkit::new_client("Петров Пётр", "+79123450000")).await.unwrap();
    let fields = w.press(&anna_tg, &card, &format!("ec:{}", client.id), "Что исправить").await;
    w.press(&anna_tg, &fields, &format!("ef:{}:birth_date", client.id), "Дата рождения клиента").await;
    w.say(&anna_tg, "01.01.2005", "выдают с 14 лет").await;
    w.say(&anna_tg, "/cancel", "").await;
    w.press(&anna_tg, &fields, &format!("ef:{}:phone", client.id), "Новый телефон клиента").await;
    w.say(&anna_tg, "12345", "10 цифр").await;
    w.say(&anna_tg, "+7 912 345-00-00", "Клиент с таким телефоном уже зарегистрирован").await;
    let saved = w.say(&anna_tg, "+7 913 000-11-22", "Исправлено: телефон.").await;
    assert_eq!(saved.callback_data(), [format!("cl:{}", client.id)]);
    assert_eq!(crm.get_client(&Actor::System, client.id).await.unwrap().phone, "+79130001122");

    // A foreign passport that ran out is marked where the agent looks, on the card.
    let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
    let expired = crm::domain::ForeignPassport::parse(
        "751234567",
        day(2010, 2, 1),
        day(2020, 2, 1),
        "МВД 77001",
        "IVANOVA MARIIA",
        crm.today(),
    )
    .unwrap();
    let doc = crm::domain::TravellerDocument::ForeignPassport(expired);
    crm.put_client_document(&agent, client.id, &doc).await.unwrap();
    let card = w.press(&anna_tg, &saved, &format!("cl:{}", client.id), "Иванова Мария").await;
    assert!(card.text().contains("загранпаспорт до 01.02.2020 — ⚠️ срок истёк"), "{}", card.text());
}

#[tokio::test]
async fn an_agent_registering_a_client_hears_of_a_phone_on_a_card_at_once_and_finds_clients_by_typing() {
    for backend in backends() {
        registering(World::on(backend).await).await;
    }
}

async fn registering(w: World) {
    let _server = w.serve().await;
    let crm = w.crm().await;
    let add = |login: &'static str, name: &'static str| {
        let crm = crm.clone();
        async move { crm.add_staff(&Actor::System, NewStaffInput { login, name, role: Role::Agent }).await.unwrap() }
    };
    let anna = add("anna", "Смирнова Анна").await;
    let boris = add("boris", "Борисов Борис").await;
    let annas = Actor::staff(anna.staff.id, Role::Agent);
    let mine = crm.register_client(&annas, testkit::new_client("Иванова Мария", "+79123456789")).await.unwrap();
    let boris_actor = Actor::staff(boris.staff.id, Role::Agent);
    crm.register_client(&boris_actor, testkit::new_client("Петров Пётр", "+79120000001")).await.unwrap();
    let anna_tg = w.fake.user(500_011, "Анна", None);
    w.say(&anna_tg, &format!("/start staff_{}", anna.invite_token), "Смирнова Анна").await;

    // A name typed at the menu finds the agent's client.
    let found = w.say(&anna_tg, "иванова", "Найдено: 1").await;
    assert!(found.callback_data().contains(&format!("cl:{}", mine.id)), "{:?}", found.callback_data());

    w.say(&anna_tg, "➕ Новый клиент", "ФИО клиента").await;
    w.say(&anna_tg, "Сидорова Анна", "Телефон клиента").await;
    // Her own client's phone: the card, and the phone asked again.
    let on_card = w.say(&anna_tg, "8 912 345-67-89", "уже в карточке клиента: Иванова Мария").await;
    assert_eq!(on_card.callback_data(), [format!("cl:{}", mine.id)]);
    // Another agent's client: only that it is taken, nothing of the card.
    let taken = w.say(&anna_tg, "+7 912 000-00-01", "закреплён за другим агентом").await;
    assert!(!taken.text().contains("Петров"), "{}", taken.text());
    // A free phone: the registration goes on, the name kept.
    w.say(&anna_tg, "+7 912 555-00-02", "Дата рождения клиента").await;
    w.say(&anna_tg, "14 марта 1990", "Город вылета клиента").await;
    w.say(&anna_tg, "Томск", "Сидорова Анна").await;
    let found = crm.list_clients(&Actor::System, crm::Crm::search_filter("Сидорова")).await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!((found[0].phone.as_str(), found[0].agent_id), ("+79125550002", Some(anna.staff.id)));
}
