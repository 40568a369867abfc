//! The bot's one look-up per update: who a Telegram account is (with the chat's dialogue state).

use crate::each_backend;
use crate::helpers::new_client;
use crm::domain::Role;
use crm::services::{NewStaffInput, TelegramAccount};
use crm::{Actor, Error};

each_backend!(a_telegram_account_is_staff_client_blacklisted_or_nobody_in_one_look_up, |app| {
    let sys = &Actor::System;
    assert_eq!(app.crm.telegram_account(sys, 4242).await.unwrap(), None, "{}", app.backend);

    let mut new = new_client("Орлова Ольга Игоревна", "+7 912 345-67-89");
    new.telegram_id = Some(4242);
    new.marketing_consent = true;
    let olga = app.crm.register_client(sys, new).await.unwrap();
    let as_client = TelegramAccount::Client {
        id: olga.id,
        full_name: "Орлова Ольга Игоревна".into(),
        blacklisted: false,
        marketing_consent: true,
    };
    assert_eq!(app.crm.telegram_account(&Actor::Telegram(4242), 4242).await.unwrap(), Some(as_client.clone()));

    app.crm.set_blacklist(sys, olga.id, true, "проверка").await.unwrap();
    let seen = app.crm.telegram_account(sys, 4242).await.unwrap();
    assert!(matches!(seen, Some(TelegramAccount::Client { blacklisted: true, .. })), "{seen:?}");
    app.crm.set_blacklist(sys, olga.id, false, "проверка").await.unwrap();

    // An employee with the same Telegram talks to the bot as staff while active.
    let input = NewStaffInput { login: "olga", name: "Орлова Ольга", role: Role::Agent };
    let created = app.crm.add_staff(sys, input).await.unwrap();
    app.crm.redeem_invite(&Actor::Telegram(4242), &created.invite_token, None).await.unwrap();
    let as_staff =
        TelegramAccount::Staff { id: created.staff.id, role: Role::Agent, name: "Орлова Ольга".into() };
    assert_eq!(app.crm.telegram_account(sys, 4242).await.unwrap(), Some(as_staff), "{}", app.backend);
    app.crm.set_staff_active(sys, created.staff.id, false).await.unwrap();
    assert_eq!(app.crm.telegram_account(sys, 4242).await.unwrap(), Some(as_client));

    let other = app.crm.telegram_account(&Actor::Telegram(4343), 4242).await;
    assert!(matches!(other, Err(Error::Forbidden(_))), "{other:?}");
});

each_backend!(the_account_and_the_chat_state_are_read_together_as_apart, |app| {
    let sys = &Actor::System;
    let together = |telegram_id: i64| {
        let crm = app.crm.clone();
        async move { crm.telegram_account_and_chat_state(&Actor::System, telegram_id, telegram_id).await.unwrap() }
    };
    // A stranger without a dialogue, then with one.
    assert_eq!(together(4242).await, (None, None), "{}", app.backend);
    app.crm.put_chat_state(sys, 4242, "\"AskName\"").await.unwrap();
    assert_eq!(together(4242).await, (None, Some("\"AskName\"".to_owned())), "{}", app.backend);

    // A client, and the same person as an active employee (staff first), as the look-up alone.
    let mut new = new_client("Орлова Ольга Игоревна", "+7 912 345-67-89");
    new.telegram_id = Some(4242);
    app.crm.register_client(sys, new).await.unwrap();
    let alone = app.crm.telegram_account(sys, 4242).await.unwrap();
    assert!(matches!(alone, Some(TelegramAccount::Client { .. })), "{alone:?}");
    assert_eq!(together(4242).await, (alone, Some("\"AskName\"".to_owned())), "{}", app.backend);
    let input = NewStaffInput { login: "olga", name: "Орлова Ольга", role: Role::Agent };
    let created = app.crm.add_staff(sys, input).await.unwrap();
    app.crm.redeem_invite(&Actor::Telegram(4242), &created.invite_token, None).await.unwrap();
    app.crm.remove_chat_state(sys, 4242).await.unwrap();
    let alone = app.crm.telegram_account(sys, 4242).await.unwrap();
    assert!(matches!(alone, Some(TelegramAccount::Staff { .. })), "{alone:?}");
    assert_eq!(together(4242).await, (alone, None), "{}", app.backend);
    // Another chat's state is not this one's.
    app.crm.put_chat_state(sys, 4343, "\"AskName\"").await.unwrap();
    assert_eq!(together(4242).await.1, None, "{}", app.backend);

    let refused = app.crm.telegram_account_and_chat_state(&Actor::Telegram(4242), 4242, 4242).await;
    assert!(matches!(refused, Err(Error::Forbidden(_))), "{refused:?}");
});
