use crate::each_backend;
use crate::helpers::{new_client, t0};
use chrono::Duration;
use crm::domain::{Invalid, Role, TagName};
use crm::services::ClientFilter;
use crm::{Actor, Conflict, Crm, Error};

each_backend!(a_client_registers_once_per_phone, |app| {
    let agent = app.actor("anna", Role::Agent).await;
    let c = app.client("8 (912) 345-67-89", Some(&agent)).await;
    assert_eq!(c.phone, "+79123456789");
    assert_eq!(c.agent_id, agent.staff_id());
    assert!(c.pd_consent_at.is_some());
    let again = app.crm.register_client(&agent, new_client("Петров Пётр", "+7 912 3456789")).await;
    assert!(
        matches!(again, Err(Error::Conflict(Conflict::PhoneTaken(id))) if id == c.id.0),
        "{}: {again:?}",
        app.backend
    );
});

each_backend!(an_agent_sees_only_own_clients, |app| {
    let anna = app.actor("anna", Role::Agent).await;
    let boris = app.actor("boris", Role::Agent).await;
    let c = app.client("9123456789", Some(&anna)).await;
    assert!(app.crm.get_client(&anna, c.id).await.is_ok());
    assert!(matches!(app.crm.get_client(&boris, c.id).await, Err(Error::Forbidden(_))));
    let listed = app.crm.list_clients(&boris, Default::default()).await.unwrap();
    assert!(listed.is_empty());
    let listed = app.crm.list_clients(&Actor::System, crm::Crm::search_filter("мария")).await.unwrap();
    assert_eq!(listed.len(), 1, "{}", app.backend);
});

each_backend!(tags_are_case_insensitive_created_on_first_use_and_removable, |app| {
    let agent = app.actor("anna", Role::Agent).await;
    let c = app.client("+7 912 345-67-89", Some(&agent)).await;
    let d = app.client("+7 912 345-67-80", Some(&agent)).await;
    assert!(app.crm.all_tags(&agent).await.unwrap().is_empty());
    let c = app.crm.add_tag(&agent, c.id, "VIP").await.unwrap();
    assert_eq!(c.tags, ["VIP"]);
    let c = app.crm.add_tag(&agent, c.id, " #vip ").await.unwrap();
    assert_eq!(c.tags, ["VIP"], "{}: one tag whatever the case", app.backend);
    let d = app.crm.add_tag(&agent, d.id, "vip").await.unwrap();
    assert_eq!(d.tags, ["VIP"], "the first spelling is kept");
    app.crm.add_tag(&agent, d.id, "Семейные туры").await.unwrap();
    assert_eq!(app.crm.all_tags(&agent).await.unwrap(), ["VIP", "Семейные туры"]);
    let c = app.crm.remove_tag(&agent, c.id, "Vip").await.unwrap();
    assert!(c.tags.is_empty());
    let d = app.crm.remove_tag(&agent, d.id, "СЕМЕЙНЫЕ ТУРЫ").await.unwrap();
    assert_eq!(d.tags, ["VIP"]);
    assert!(matches!(app.crm.add_tag(&agent, c.id, "  ").await, Err(Error::Invalid(Invalid::TagEmpty))));
    let f = ClientFilter { tag_key: Some(TagName::parse("vIp").unwrap().key()), limit: 50, ..Default::default() };
    let tagged = app.crm.list_clients(&Actor::System, f).await.unwrap();
    assert_eq!(tagged.iter().map(|c| c.id).collect::<Vec<_>>(), [d.id], "{}", app.backend);
});

each_backend!(only_an_admin_blacklists_with_a_reason_and_the_history_is_kept, |app| {
    let admin = app.actor("admin", Role::Admin).await;
    let agent = app.actor("anna", Role::Agent).await;
    let c = app.client("+7 912 345-67-89", Some(&agent)).await;
    assert!(matches!(app.crm.set_blacklist(&agent, c.id, true, "долг").await, Err(Error::Forbidden(_))));
    let no_reason = app.crm.set_blacklist(&admin, c.id, true, "   ").await;
    assert!(matches!(no_reason, Err(Error::Invalid(Invalid::ReasonRequired))), "{no_reason:?}");
    let on = app.crm.set_blacklist(&admin, c.id, true, "  не оплатил   тур ").await.unwrap();
    let b = on.blacklist.as_ref().unwrap();
    assert_eq!((b.reason.as_str(), b.by, b.at), ("не оплатил тур", admin.staff_id(), t0()));
    let twice = app.crm.set_blacklist(&admin, c.id, true, "ещё раз").await;
    assert!(matches!(twice, Err(Error::Conflict(Conflict::NoChange(_)))), "{}: {twice:?}", app.backend);
    let f = ClientFilter { blacklisted: Some(true), limit: 50, ..Default::default() };
    assert_eq!(app.crm.list_clients(&admin, f.clone()).await.unwrap().len(), 1);
    app.clock.advance(Duration::hours(1));
    assert!(matches!(app.crm.set_blacklist(&admin, c.id, false, "").await, Err(Error::Invalid(_))));
    let off = app.crm.set_blacklist(&admin, c.id, false, "оплатил").await.unwrap();
    assert!(!off.is_blacklisted());
    let again = app.crm.set_blacklist(&admin, c.id, false, "оплатил").await;
    assert!(matches!(again, Err(Error::Conflict(Conflict::NoChange(_)))));
    assert!(app.crm.list_clients(&admin, f).await.unwrap().is_empty());
    let card = app.crm.client_card(&admin, c.id).await.unwrap();
    let history: Vec<_> =
        card.blacklist_history.iter().map(|e| (e.blacklisted, e.reason.as_str(), e.actor.clone(), e.at)).collect();
    let who = admin.audit_name();
    assert_eq!(
        history,
        [(true, "не оплатил тур", who.clone(), t0()), (false, "оплатил", who, t0() + Duration::hours(1))],
        "{}",
        app.backend
    );
});

each_backend!(marketing_consent_toggles_are_recorded_with_their_times, |app| {
    let c = app.client("+7 912 345-67-89", None).await;
    assert!(!c.marketing_consent);
    let me = Actor::Client(c.id);
    app.clock.advance(Duration::hours(1));
    assert!(app.crm.set_marketing_consent(&me, c.id, true).await.unwrap());
    assert!(!app.crm.set_marketing_consent(&me, c.id, true).await.unwrap(), "no change, no record");
    app.clock.advance(Duration::hours(1));
    assert!(app.crm.set_marketing_consent(&me, c.id, false).await.unwrap());
    let card = app.crm.client_card(&Actor::System, c.id).await.unwrap();
    assert!(!card.client.marketing_consent);
    assert_eq!(card.client.marketing_consent_changed_at, Some(t0() + Duration::hours(2)));
    let events: Vec<_> = card.consent_history.iter().map(|e| (e.kind.as_str(), e.granted, e.at)).collect();
    assert_eq!(
        events,
        [
            ("personal_data", true, t0()),
            ("marketing", true, t0() + Duration::hours(1)),
            ("marketing", false, t0() + Duration::hours(2)),
        ],
        "{}",
        app.backend
    );
    assert!(card.consent_history[1..].iter().all(|e| e.actor == me.audit_name()));
    // Personal-data consent can be withdrawn and given again; the first grant's time is kept
    // until a withdrawal clears it.
    assert!(!app.crm.set_personal_data_consent(&me, c.id, true).await.unwrap());
    assert!(app.crm.set_personal_data_consent(&me, c.id, false).await.unwrap());
    assert_eq!(app.crm.get_client(&me, c.id).await.unwrap().pd_consent_at, None, "{}", app.backend);
    app.clock.advance(Duration::hours(1));
    assert!(app.crm.set_personal_data_consent(&me, c.id, true).await.unwrap());
    let again = app.crm.get_client(&me, c.id).await.unwrap();
    assert_eq!(again.pd_consent_at, Some(t0() + Duration::hours(3)));
    assert_eq!(app.crm.client_card(&me, c.id).await.unwrap().consent_history.len(), 5);
});

each_backend!(clients_are_found_by_name_part_phone_digits_tag_and_blacklist, |app| {
    let sys = Actor::System;
    let alena = app.crm.register_client(&sys, new_client("Семёнова Алёна Викторовна", "8 (912) 345-67-89")).await;
    let alena = alena.unwrap();
    let petr = app.crm.register_client(&sys, new_client("Петров Пётр", "+7 923 111-22-33")).await.unwrap();
    let ids = |v: Vec<crm::services::Client>| v.into_iter().map(|c| c.id).collect::<Vec<_>>();
    let search = |q: &'static str| {
        let crm = app.crm.clone();
        async move { ids(crm.list_clients(&Actor::System, Crm::search_filter(q)).await.unwrap()) }
    };
    assert_eq!(search("семенова").await, [alena.id], "{}: ё = е", app.backend);
    assert_eq!(search("АЛЁНА").await, [alena.id]);
    assert_eq!(search("  алена   викторовна ").await, [alena.id]);
    assert_eq!(search("пётр").await, [petr.id]);
    assert_eq!(search("ПЕТР").await, [petr.id]);
    assert_eq!(search("89123456789").await, [alena.id], "{}: 8… means +7…", app.backend);
    assert_eq!(search("8 912 345-67-89").await, [alena.id]);
    assert_eq!(search("912 345").await, [alena.id]);
    assert_eq!(search("+7 923").await, [petr.id]);
    assert_eq!(search("11-22").await, [petr.id]);
    assert_eq!(search("ова").await, [alena.id]);
    assert!(search("сем%ва").await.is_empty(), "{}: % is not a wildcard", app.backend);
    assert_eq!(search("").await, [petr.id, alena.id], "newest first");
    assert!(search("сидоров").await.is_empty());
    app.crm.add_tag(&sys, petr.id, "горящие").await.unwrap();
    let f = ClientFilter {
        tag_key: Some(TagName::parse("ГОРЯЩИЕ").unwrap().key()), limit: 10, ..Default::default()
    };
    assert_eq!(ids(app.crm.list_clients(&sys, f).await.unwrap()), [petr.id]);
    app.crm.set_blacklist(&sys, alena.id, true, "хамство").await.unwrap();
    let f = |b| ClientFilter { blacklisted: Some(b), limit: 10, ..Default::default() };
    assert_eq!(ids(app.crm.list_clients(&sys, f(true)).await.unwrap()), [alena.id]);
    assert_eq!(ids(app.crm.list_clients(&sys, f(false)).await.unwrap()), [petr.id]);
});

each_backend!(keyset_pages_are_disjoint_and_cover_every_client, |app| {
    let all: Vec<_> = app.clients(25, None).await.into_iter().map(|c| c.id).collect();
    let mut seen = Vec::new();
    let mut before = None;
    let mut sizes = Vec::new();
    loop {
        let f = ClientFilter { before_id: before, limit: 10, ..Default::default() };
        let page = app.crm.list_clients(&Actor::System, f).await.unwrap();
        if page.is_empty() {
            break;
        }
        sizes.push(page.len());
        before = page.last().map(|c| c.id);
        seen.extend(page.into_iter().map(|c| c.id));
    }
    assert_eq!(sizes, [10, 10, 5], "{}", app.backend);
    let mut expected = all.clone();
    expected.reverse();
    assert_eq!(seen, expected, "pages run newest first without gaps or repeats");
});

each_backend!(a_telegram_user_registers_only_themself_and_only_with_consent, |app| {
    let tg = Actor::Telegram(4242);
    let mut new = new_client("Орлова Ольга Игоревна", "+7 912 345-67-89");
    new.telegram_id = Some(4242);
    new.telegram_username = Some("olga".into());
    new.personal_data_consent = false;
    let refused = app.crm.register_client(&tg, new.clone()).await;
    assert!(matches!(refused, Err(Error::Invalid(Invalid::ConsentRequired))), "{refused:?}");
    new.personal_data_consent = true;
    let mut someone_else = new.clone();
    someone_else.telegram_id = Some(4343);
    assert!(matches!(app.crm.register_client(&tg, someone_else).await, Err(Error::Forbidden(_))));
    let mut no_id = new.clone();
    no_id.telegram_id = None;
    assert!(matches!(app.crm.register_client(&tg, no_id).await, Err(Error::Forbidden(_))));
    let mut with_agent = new.clone();
    with_agent.agent_id = Some(app.staff("anna", Role::Agent).await.id);
    let c = app.crm.register_client(&tg, with_agent).await.unwrap();
    assert_eq!(c.telegram_id, Some(4242));
    assert_eq!(c.agent_id, None, "a client cannot pick their agent");
    assert_eq!(c.pd_consent_at, Some(t0()));
    assert_eq!(app.crm.client_by_telegram(&tg, 4242).await.unwrap().map(|c| c.id), Some(c.id));
    let mut twice = new.clone();
    twice.phone = crm::domain::Phone::parse("+7 912 345-67-00").unwrap();
    let twice = app.crm.register_client(&tg, twice).await;
    assert!(matches!(twice, Err(Error::Conflict(Conflict::TelegramTaken))), "{}: {twice:?}", app.backend);
});

fn contacts(name: &str, phone: &str, born: &str, city: &str) -> crm::services::ClientContacts {
    crm::services::ClientContacts {
        full_name: crm::domain::PersonName::parse(name).unwrap(),
        phone: crm::domain::Phone::parse(phone).unwrap(),
        birth_date: crm::domain::BirthDate::parse(born, t0().date_naive()).unwrap(),
        city: crm::domain::City::parse(city).unwrap(),
    }
}

each_backend!(staff_correct_a_clients_contacts_and_a_taken_phone_or_an_early_birth_is_refused, |app| {
    let anna = app.actor("anna", Role::Agent).await;
    let boris = app.actor("boris", Role::Agent).await;
    let c = app.client("+7 912 345-67-89", Some(&anna)).await;
    let other = app.client("+7 912 345-67-80", Some(&boris)).await;
    let fixed = contacts("Петрова Мария Ивановна", "+7 913 000-11-22", "02.03.1985", "из Томска");
    // Another agent's client, and the client themself: refused, nothing changes.
    assert!(matches!(app.crm.edit_client(&boris, c.id, &fixed).await, Err(Error::Forbidden(_))));
    assert!(matches!(app.crm.edit_client(&Actor::Client(c.id), c.id, &fixed).await, Err(Error::Forbidden(_))));
    // Another card's phone: refused as at registration.
    let taken = contacts("Петрова Мария Ивановна", &other.phone, "02.03.1985", "Новосибирск");
    let refused = app.crm.edit_client(&anna, c.id, &taken).await;
    assert!(matches!(refused, Err(Error::Conflict(Conflict::PhoneTaken(id))) if id == other.id.0), "{refused:?}");
    assert_eq!(app.crm.get_client(&anna, c.id).await.unwrap().phone, "+79123456789");

    let (edited, remade) = app.crm.edit_client(&anna, c.id, &fixed).await.unwrap();
    assert_eq!(edited.full_name, "Петрова Мария Ивановна");
    assert_eq!(edited.phone, "+79130001122");
    assert_eq!(edited.birth_date, chrono::NaiveDate::from_ymd_opt(1985, 3, 2));
    assert_eq!((edited.city.as_deref(), edited.time_zone), (Some("Томск"), chrono_tz::Asia::Tomsk));
    assert!(remade.is_empty(), "no documents issued yet");
    // Found by the new name and phone; the old phone is free for another card.
    let found = app.crm.list_clients(&anna, Crm::search_filter("петрова")).await.unwrap();
    assert_eq!(found.iter().map(|c| c.id).collect::<Vec<_>>(), [c.id]);
    app.client("+7 912 345-67-89", Some(&anna)).await;
    // The same again: nothing to change.
    let same = app.crm.edit_client(&anna, c.id, &fixed).await;
    assert!(matches!(same, Err(Error::Conflict(Conflict::NoChange(_)))), "{same:?}");
    // A birth date after the client's passport was issued: refused as when it was saved.
    app.crm.put_internal_passport(&anna, c.id, &crate::helpers::internal_passport()).await.unwrap();
    let late = contacts("Петрова Мария Ивановна", "+7 913 000-11-22", "02.03.2005", "Томск");
    let refused = app.crm.edit_client(&anna, c.id, &late).await;
    assert!(matches!(refused, Err(Error::Invalid(Invalid::InternalPassportUnder14))), "{refused:?}");
    // The audit log says what was corrected, not the numbers.
    let log = app.crm.audit_log(&Actor::System, &crm::services::AuditFilter { limit: 50, ..Default::default() }).await;
    let edit = log.unwrap().into_iter().find(|e| e.action == "client.edit").expect("the correction in the log");
    let details = format!("{edit:?}");
    assert!(details.contains("ФИО, телефон, дата рождения, город вылета"), "{details}");
    assert!(!details.contains("9130001122"), "{details}");
});

each_backend!(a_corrected_name_and_birth_date_follow_the_client_on_their_bookings, |app| {
    let anna = app.actor("anna", Role::Agent).await;
    let operator = app.actor("oleg", Role::Operator).await;
    let c = app.client("+7 912 345-67-89", Some(&anna)).await;
    let (_, dep) = app.published_tour(&operator, 10).await;
    let booking = app.crm.create_booking(&anna, crate::sales::request(&c, dep, 1)).await.unwrap().booking.id;
    let fixed = contacts("Петрова Мария Ивановна", "+7 912 345-67-89", "02.03.1985", "Новосибирск");
    app.crm.edit_client(&anna, c.id, &fixed).await.unwrap();
    let list = app.crm.travellers(&anna, booking).await.unwrap();
    let me = &list.travellers[0].traveller;
    assert_eq!(
        (me.full_name.as_str(), me.birth_date),
        ("Петрова Мария Ивановна", chrono::NaiveDate::from_ymd_opt(1985, 3, 2).unwrap())
    );
});

each_backend!(the_agent_given_a_client_hears_of_it_in_telegram, |app| {
    let anna = app.actor("anna", Role::Agent).await;
    let boris = app.actor("boris", Role::Agent).await;
    let admin = app.actor("boss", Role::Admin).await;
    let token = app.crm.new_invite(&admin, boris.staff_id().unwrap()).await.unwrap();
    app.crm.redeem_invite(&Actor::Telegram(888_041), &token, None).await.unwrap();
    let c = app.client("+7 912 345-67-89", Some(&anna)).await;
    app.crm.assign_agent(&admin, c.id, boris.staff_id().unwrap()).await.unwrap();
    let sent = app.crm.claim_outgoing_batch(&Actor::System, 20).await.unwrap();
    let to_boris: Vec<_> = sent.iter().filter(|m| m.chat_id == 888_041).collect();
    assert_eq!(to_boris.len(), 1, "{sent:?}");
    assert!(to_boris[0].body.starts_with("👤 Вам передан клиент"), "{}", to_boris[0].body);
});
