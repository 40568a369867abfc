use crate::each_backend;
use crate::helpers::new_client;
use crm::domain::{PersonName, Phone, Role};
use crm::services::{NewClient, PhoneOnRecord};
use crm::{Actor, Conflict, Error};

fn from_telegram(name: &str, phone: &str, telegram_id: i64) -> NewClient {
    NewClient { telegram_id: Some(telegram_id), ..new_client(name, phone) }
}

each_backend!(a_message_from_a_client_without_an_agent_assigns_one_and_is_kept, |app| {
    let tg = Actor::Telegram(42);
    let c = app.crm.register_client(&tg, from_telegram("Иванова Мария", "+79123456789", 42)).await.unwrap();
    let me = Actor::Client(c.id);

    // No agent at all: the message is kept in the history, nobody is assigned.
    let sent = app.crm.client_writes(&me, c.id, " Есть туры на май? ").await.unwrap();
    assert!(sent.agent.is_none() && !sent.newly_assigned, "{}", app.backend);
    let history = app.crm.client_history(&Actor::System, c.id, 10).await.unwrap();
    assert_eq!(history[0].body, "Есть туры на май?");
    assert_eq!(history[0].author, format!("client:{}", c.id));

    // The booking rule picks the agent with the fewest open bookings, and she stays.
    let anna = app.staff("anna", Role::Agent).await;
    let sent = app.crm.client_writes(&me, c.id, "А на июнь?").await.unwrap();
    assert_eq!((sent.agent.map(|s| s.id), sent.newly_assigned), (Some(anna.id), true));
    let _boris = app.staff("boris", Role::Agent).await;
    let sent = app.crm.client_writes(&me, c.id, "И ещё").await.unwrap();
    assert_eq!((sent.agent.map(|s| s.id), sent.newly_assigned), (Some(anna.id), false));
    assert_eq!(app.crm.get_client(&Actor::System, c.id).await.unwrap().agent_id, Some(anna.id));

    // Her agent left: the next message goes to an active one.
    let admin = app.actor("admin", Role::Admin).await;
    app.crm.set_staff_active(&admin, anna.id, false).await.unwrap();
    let sent = app.crm.client_writes(&me, c.id, "Алло?").await.unwrap();
    assert!(sent.newly_assigned && sent.agent.as_ref().is_some_and(|s| s.id != anna.id), "{}", app.backend);

    // Only the client themself, a real text, not when blacklisted.
    let other = Actor::Client(crm::domain::ClientId(c.id.0 + 1));
    assert!(matches!(app.crm.client_writes(&other, c.id, "x").await, Err(Error::Forbidden(_))));
    assert!(matches!(app.crm.client_writes(&me, c.id, "   ").await, Err(Error::Invalid(_))));
    app.crm.set_blacklist(&admin, c.id, true, "спам").await.unwrap();
    let before = app.crm.client_history(&Actor::System, c.id, 50).await.unwrap().len();
    assert!(matches!(app.crm.client_writes(&me, c.id, "ну").await, Err(Error::Conflict(Conflict::Blacklisted))));
    assert_eq!(app.crm.client_history(&Actor::System, c.id, 50).await.unwrap().len(), before);
});

each_backend!(the_first_start_source_is_the_registered_clients, |app| {
    let tg = Actor::Telegram(77);
    app.crm.record_start(&tg, "vk_post_1").await.unwrap();
    app.crm.record_start(&tg, "vk_post_2").await.unwrap();
    assert!(matches!(app.crm.record_start(&Actor::System, "x").await, Err(Error::Forbidden(_))));
    let c = app.crm.register_client(&tg, from_telegram("Петров Пётр", "+79130000001", 77)).await.unwrap();
    assert_eq!(c.source.as_deref(), Some("vk_post_1"), "{}: the first source wins", app.backend);
    // A source given with the registration itself is kept as given.
    let tg2 = Actor::Telegram(78);
    app.crm.record_start(&tg2, "post_9").await.unwrap();
    let new =
        NewClient { source: Some("direct".into()), ..from_telegram("Сидоров Сидор", "+79130000002", 78) };
    assert_eq!(app.crm.register_client(&tg2, new).await.unwrap().source.as_deref(), Some("direct"));
});

each_backend!(a_phone_on_record_is_told_apart_and_a_linked_card_takes_the_corrected_name, |app| {
    let anna = app.actor("anna", Role::Agent).await;
    let card = app.client("+79123456789", Some(&anna)).await;
    let used = app.crm.register_client(&Actor::Telegram(5), from_telegram("Кто То", "+79120000000", 5)).await.unwrap();
    let tg = Actor::Telegram(99);
    let phone = |p: &str| Phone::parse(p).unwrap();
    let on_record = app.crm.phone_on_record(&tg, &phone("8 912 345-67-89"), true).await.unwrap();
    assert_eq!(on_record, PhoneOnRecord::Linkable { full_name: card.full_name.clone() }, "{}", app.backend);
    assert_eq!(app.crm.phone_on_record(&tg, &phone("+79123456789"), false).await.unwrap(), PhoneOnRecord::Unconfirmed);
    assert_eq!(app.crm.phone_on_record(&tg, &phone(&used.phone), true).await.unwrap(), PhoneOnRecord::Taken);
    assert_eq!(app.crm.phone_on_record(&tg, &phone("+79000000000"), true).await.unwrap(), PhoneOnRecord::Free);
    // Staff registering a client: their own client's card; another agent's only as taken.
    let mine = PhoneOnRecord::Card { client: card.id, full_name: card.full_name.clone() };
    assert_eq!(app.crm.phone_on_record(&anna, &phone("+79123456789"), false).await.unwrap(), mine);
    let olga = app.actor("olga", Role::Agent).await;
    assert_eq!(app.crm.phone_on_record(&olga, &phone("+79123456789"), false).await.unwrap(), PhoneOnRecord::Taken);
    assert_eq!(app.crm.phone_on_record(&olga, &phone("+79000000000"), false).await.unwrap(), PhoneOnRecord::Free);
    let accountant = app.actor("vera", Role::Accountant).await;
    let refused = app.crm.phone_on_record(&accountant, &phone("+79000000000"), false).await;
    assert!(matches!(refused, Err(Error::Forbidden(_))), "{refused:?}");

    let corrected = PersonName::parse("Иванова Марья Петровна").unwrap();
    let linked = app
        .crm
        .link_telegram_by_phone(&tg, &phone("+79123456789"), Some("masha"), true, false, Some(&corrected))
        .await
        .unwrap();
    assert_eq!(
        (linked.id, linked.telegram_id, linked.full_name.as_str()),
        (card.id, Some(99), "Иванова Марья Петровна")
    );
    let found = app.crm.list_clients(&Actor::System, crm::Crm::search_filter("марья")).await.unwrap();
    assert_eq!(found.len(), 1, "{}: the corrected name is searchable", app.backend);
    let history = app.crm.client_history(&Actor::System, card.id, 10).await.unwrap();
    assert!(history[0].body.contains("«Иванова Мария Петровна» → «Иванова Марья Петровна»"), "{history:?}");
    assert_eq!(history[0].author, "telegram:99");
    // A blacklisted card's own phone is declined (a typed one says no more than any card).
    let admin = app.actor("admin", Role::Admin).await;
    let banned = app.client("+79125550000", Some(&anna)).await;
    app.crm.set_blacklist(&admin, banned.id, true, "мошенничество").await.unwrap();
    assert_eq!(app.crm.phone_on_record(&tg, &phone("+79125550000"), true).await.unwrap(), PhoneOnRecord::Declined);
    assert_eq!(app.crm.phone_on_record(&tg, &phone("+79125550000"), false).await.unwrap(), PhoneOnRecord::Unconfirmed);
    // Now it is taken.
    assert_eq!(
        app.crm.phone_on_record(&Actor::Telegram(100), &phone("+79123456789"), true).await.unwrap(),
        PhoneOnRecord::Taken
    );
});
