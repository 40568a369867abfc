//! Client pages: search and keyset pagination, the registration form, the card's actions,
//! the blacklist, documents behind «Показать», ownership, escaping of hostile text.

use crate::each_backend;
use crate::helpers::PASSWORD;
use axum::http::StatusCode;
use crm::Actor;
use crm::domain::Role;
use crm::services::AuditFilter;

each_backend!(hostile_text_is_shown_as_text, |app| {
    let (_, admin) = app.signed_in("boss", Role::Admin).await;
    let client = app.client("Иванова Мария", "+7 912 345-67-89", None).await;
    let card = format!("/clients/{}", client.id);
    let script = "<script>alert('x')</script>";
    assert_eq!(app.post(&admin, &format!("{card}/tags"), &[("tag", script)]).await.status, StatusCode::SEE_OTHER);
    let body = [("kind", "note"), ("direction", "none"), ("body", script)];
    assert_eq!(app.post(&admin, &format!("{card}/interactions"), &body).await.status, StatusCode::SEE_OTHER);
    let page = app.get(&admin, &card).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("<script>"), "raw script on the card");
    assert!(page.body.contains("&lt;script&gt;"));
    let list = app.get(&admin, "/clients").await;
    assert!(!list.body.contains("<script>") && list.body.contains("&lt;script&gt;"));
    // A name with markup is refused by the domain type, and the typed input comes back escaped.
    let form = [
        ("full_name", "<script>alert(1)</script>"),
        ("phone", "+7 912 000-11-22"),
        ("birth_date", "01.01.1990"),
        ("city", "Омск"),
    ];
    let refused = app.post(&admin, "/clients", &form).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("только буквы"), "the reason is next to the field");
    assert!(!refused.body.contains("<script>") && refused.body.contains("&lt;script&gt;"));
});

each_backend!(registering_a_client_keeps_the_input_and_names_the_bad_field, |app| {
    let (_, admin) = app.signed_in("boss", Role::Admin).await;
    let (anna, agent) = app.signed_in("anna", Role::Agent).await;
    let form = [("full_name", "Петров Пётр"), ("phone", "12345"), ("birth_date", "31.02.1990"), ("city", "Омск")];
    let page = app.post(&admin, "/clients", &form).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("value=\"Петров Пётр\""), "input kept");
    assert!(page.body.contains("В российском номере 10 цифр") || page.body.contains("российским"), "{}", page.body);
    assert!(page.body.contains("Такого дня нет в календаре"), "a day the calendar lacks is named as such");
    let anna_id = anna.id.to_string();
    let form = [
        ("full_name", "Петров Пётр"),
        ("phone", "8 (913) 000-00-01"),
        ("birth_date", "01.02.1980"),
        ("city", "омск"),
        ("agent_id", anna_id.as_str()),
    ];
    let done = app.post(&admin, "/clients", &form).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let url = done.location.clone().unwrap();
    let card = app.get(&admin, &url).await;
    assert!(card.body.contains("+79130000001") && card.body.contains("Омск") && card.body.contains("Сотрудник anna"));
    let again = app.post(&admin, "/clients", &form).await;
    assert!(again.body.contains("уже зарегистрирован"), "a taken phone is named beside the field");
    // The agent reads the card of their client in the panel, without its forms, and may not
    // change it here (they work in the bot).
    let theirs = app.get(&agent, &url).await;
    assert_eq!(theirs.status, StatusCode::OK);
    assert!(theirs.body.contains("Петров Пётр") && !theirs.body.contains("/tags\""), "read-only card");
    let tag = app.post(&agent, &format!("{url}/tags"), &[("tag", "VIP")]).await;
    assert_eq!(tag.status, StatusCode::FORBIDDEN);
    assert!(app.post(&agent, "/clients", &form).await.status == StatusCode::FORBIDDEN);
});

each_backend!(search_filters_and_keyset_pages, |app| {
    let (_, admin) = app.signed_in("boss", Role::Admin).await;
    let sys = Actor::System;
    for i in 0..55 {
        let letter = |n: usize| char::from(b'a' + u8::try_from(n).unwrap());
        let name = format!("Клиент Номер{}{}", letter(i / 26), letter(i % 26));
        let c = app.client(&name, &format!("+7 900 {:07}", 1_000_000 + i), None).await;
        if i % 10 == 0 {
            app.crm.add_tag(&sys, c.id, "VIP").await.unwrap();
        }
    }
    let ivanova = app.client("Иванова Ёлка", "+7 912 345-67-89", None).await;
    app.crm.change_city(&sys, ivanova.id, crm::domain::City::parse("Казань").unwrap()).await.unwrap();
    let first = app.get(&admin, "/clients").await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(first.body.matches("<a href=\"/clients/").count(), 50, "a page holds 50");
    let next = first.body.split("href=\"/clients?").nth(1).unwrap().split('"').next().unwrap().replace("&amp;", "&");
    let second = app.get(&admin, &format!("/clients?{next}")).await;
    assert_eq!(second.body.matches("<a href=\"/clients/").count(), 6);
    assert!(second.body.contains("Номерaa") && !second.body.contains("Номерcc"));
    let by_name = app.get(&admin, "/clients?q=%D0%B5%D0%BB%D0%BA%D0%B0").await; // «елка» finds «Ёлка»
    assert!(by_name.body.contains("Иванова Ёлка") && !by_name.body.contains("Номер"));
    let by_phone = app.get(&admin, "/clients?q=912+345-67").await;
    assert!(by_phone.body.contains("Иванова Ёлка") && !by_phone.body.contains("Номер"));
    let by_tag = app.get(&admin, "/clients?tag=vip").await;
    assert_eq!(by_tag.body.matches("<a href=\"/clients/").count(), 6);
    let by_city = app.get(&admin, "/clients?city=%D0%BA%D0%B0%D0%B7%D0%B0%D0%BD%D1%8C").await;
    assert!(by_city.body.contains("Иванова Ёлка") && !by_city.body.contains("Номер"));
    app.crm.set_blacklist(&sys, ivanova.id, true, "Не платит").await.unwrap();
    let black = app.get(&admin, "/clients?blacklisted=yes").await;
    assert!(black.body.contains("Иванова Ёлка") && !black.body.contains("Номер"));
    let not_black = app.get(&admin, "/clients?blacklisted=no&q=%D0%B8%D0%B2%D0%B0%D0%BD").await;
    assert!(!not_black.body.contains("Иванова Ёлка"));
});

each_backend!(the_blacklist_needs_a_reason_and_keeps_its_history, |app| {
    let (_, admin) = app.signed_in("boss", Role::Admin).await;
    let client = app.client("Иванова Мария", "+7 912 345-67-89", None).await;
    let path = format!("/clients/{}/blacklist", client.id);
    let empty = app.post(&admin, &path, &[("on", "1"), ("reason", "   ")]).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.body.contains("Укажите причину"));
    assert!(!app.crm.get_client(&Actor::System, client.id).await.unwrap().is_blacklisted());
    assert_eq!(
        app.post(&admin, &path, &[("on", "1"), ("reason", "Скандал в офисе")]).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(app.post(&admin, &path, &[("on", "0"), ("reason", "Извинился")]).await.status, StatusCode::SEE_OTHER);
    let card = app.get(&admin, &format!("/clients/{}", client.id)).await;
    assert!(
        card.body.contains("Скандал в офисе")
            && card.body.contains("Извинился")
            && card.body.contains("Сотрудник boss")
    );
    assert!(card.body.contains("Внести в чёрный список"));
    let twice = app.post(&admin, &path, &[("on", "0"), ("reason", "Ещё раз")]).await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
});

each_backend!(documents_open_only_for_the_admin_and_the_own_agent_and_are_audited, |app| {
    let (_, admin) = app.signed_in("boss", Role::Admin).await;
    let (anna, agent) = app.signed_in("anna", Role::Agent).await;
    let (_, other_agent) = app.signed_in("olga", Role::Agent).await;
    let (_, accountant) = app.signed_in("buh", Role::Accountant).await;
    let client = app.client("Иванова Мария", "+7 912 345-67-89", Some(&anna)).await;
    let p = crm::domain::InternalPassport::parse(
        "4508",
        "613729",
        chrono::NaiveDate::from_ymd_opt(2010, 1, 15).unwrap(),
        "ОВД Тверского района",
        Some("770-001"),
        crate::helpers::t0().date_naive(),
    )
    .unwrap();
    app.crm.put_internal_passport(&Actor::System, client.id, &p).await.unwrap();
    let card = format!("/clients/{}", client.id);
    let docs = format!("{card}/documents");
    let admin_card = app.get(&admin, &card).await;
    assert!(admin_card.body.contains("Показать") && !admin_card.body.contains("613729"), "the card hides the numbers");
    let acc_card = app.get(&accountant, &card).await;
    assert_eq!(acc_card.status, StatusCode::OK);
    assert!(!acc_card.body.contains("Показать") && !acc_card.body.contains("История общения"));
    for b in [&admin, &agent] {
        let page = app.post(b, &docs, &[]).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("4508 613729"));
    }
    for b in [&other_agent, &accountant] {
        let page = app.post(b, &docs, &[]).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN);
        assert!(!page.body.contains("613729"));
    }
    assert_eq!(app.get(&other_agent, &card).await.status, StatusCode::FORBIDDEN, "not their client");
    let filter = AuditFilter { action: Some("document.read".into()), limit: 10, ..Default::default() };
    let reads = app.crm.audit_log(&Actor::System, &filter).await.unwrap();
    assert_eq!(reads.len(), 2);
});

each_backend!(the_accountant_sees_no_document_data_on_any_page, |app| {
    let (_, admin) = app.signed_in("boss", Role::Admin).await;
    let (_, accountant) = app.signed_in("buh", Role::Accountant).await;
    let (anna, _) = app.signed_in("anna", Role::Agent).await;
    let operator = app.staff("oper", Role::Operator).await;
    let client = app.client("Иванова Мария", "+7 912 345-67-89", Some(&anna)).await;
    let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
    let today = crate::helpers::t0().date_naive();
    let foreign = crm::domain::ForeignPassport::parse(
        "75 0908172",
        day(2020, 2, 1),
        day(2030, 2, 1),
        "МВД 77001",
        "ivanova mariya",
        today,
    )
    .unwrap();
    app.crm.put_foreign_passport(&Actor::System, client.id, &foreign).await.unwrap();
    let internal = crm::domain::InternalPassport::parse(
        "4508",
        "613729",
        day(2010, 1, 15),
        "ОВД Тверского района",
        Some("770-001"),
        today,
    )
    .unwrap();
    app.crm.put_internal_passport(&Actor::System, client.id, &internal).await.unwrap();
    let (_, departure) = app.published_tour(&operator).await;
    let booking = app.booking(&anna, &client, departure).await;
    let card = format!("/clients/{}", client.id);
    let pages = [card.as_str(), "/clients", "/clients?q=иванова", "/bookings", &format!("/bookings/{booking}"), "/"];
    // What a page must not show: the expiry date, the numbers, which documents are on file.
    let traces = ["01.02.2030", "2030-02-01", "0908172", "613729", "Загранпаспорт", "Паспорт РФ", "Документ"];
    for path in pages {
        let page = app.get(&accountant, path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        let shown: Vec<_> = traces.iter().filter(|t| page.body.contains(**t)).collect();
        assert!(shown.is_empty(), "{}: the accountant's {path} shows {shown:?}", app.backend);
    }
    let admin_card = app.get(&admin, &card).await;
    assert!(admin_card.body.contains("Загранпаспорт до 01.02.2030</li>"), "the admin's card lists the documents");
});

each_backend!(agents_list_only_their_own_clients, |app| {
    let (anna, agent) = app.signed_in("anna", Role::Agent).await;
    let olga = app.staff("olga", Role::Agent).await;
    app.client("Своя Клиентка", "+7 912 000-00-01", Some(&anna)).await;
    app.client("Чужая Клиентка", "+7 912 000-00-02", Some(&olga)).await;
    let list = app.get(&agent, "/clients").await;
    assert!(list.body.contains("Своя Клиентка") && !list.body.contains("Чужая Клиентка"));
    let _ = PASSWORD;
});

each_backend!(tampered_ids_end_in_a_clear_page, |app| {
    let (_, admin) = app.signed_in("boss", Role::Admin).await;
    for path in ["/clients/999999", "/clients/abc", "/clients/-1", "/nowhere"] {
        let page = app.get(&admin, path).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
        assert!(page.body.contains("Страница не найдена"));
    }
    let page = app.post(&admin, "/clients/999999/blacklist", &[("on", "1"), ("reason", "x")]).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
});

each_backend!(staff_correct_the_contacts_and_the_admin_gives_the_client_to_another_agent, |app| {
    let (anna, agent) = app.signed_in("anna", Role::Agent).await;
    let (boris, other) = app.signed_in("boris", Role::Agent).await;
    let (_, admin) = app.signed_in("boss", Role::Admin).await;
    let boss = Actor::staff(app.staff("root", Role::Admin).await.id, Role::Admin);
    app.crm.save_agency_requisites(&boss, &testkit::agency()).await.unwrap();
    let client = app.client("Иванова Мария", "+7 912 345-67-89", Some(&anna)).await;
    // A complete consent on file, which states the client's name.
    let passport = crm::domain::InternalPassport::parse(
        "45 08",
        "613729",
        chrono::NaiveDate::from_ymd_opt(2010, 1, 15).unwrap(),
        "ОВД Тверского района",
        Some("770-001"),
        app.crm.today(),
    )
    .unwrap();
    app.crm.put_internal_passport(&boss, client.id, &passport).await.unwrap();
    app.crm.set_client_address(&boss, client.id, "630132, г. Новосибирск, ул. Дачная, д. 3").await.unwrap();
    app.crm.ensure_consent(&Actor::System, client.id).await.unwrap();
    let card = format!("/clients/{}", client.id);
    let path = format!("{card}/contacts");
    let page = app.get(&agent, &card).await.body;
    assert!(page.contains("Исправить данные") && page.contains("value=\"+7 912 345-67-89\""), "{page}");
    assert!(!page.contains("Передать другому турагенту"), "only the admin gives clients away");

    // Wrong fields: each marked, the input kept, nothing changed.
    let bad = [("full_name", "Петрова"), ("phone", "12345"), ("birth_date", "31.02.1985"), ("city", "Томск")];
    let refused = app.post(&agent, &path, &bad).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    for (why, field) in [("Укажите хотя бы фамилию и имя", "full_name"), ("Такого дня нет в календаре", "birth_date")]
    {
        assert!(refused.body.contains(why), "{field}: {}", refused.body);
    }
    assert!(refused.body.contains("value=\"12345\"") && refused.body.contains("<details id=\"edit-contacts\" open>"));
    let fixed = [
        ("full_name", "Петрова Мария Ивановна"),
        ("phone", "+7 913 000-11-22"),
        ("birth_date", "02.03.1985"),
        ("city", "Томск"),
    ];
    // Another agent's client: refused.
    assert_eq!(app.post(&other, &path, &fixed).await.status, StatusCode::FORBIDDEN);
    let saved = app.post(&agent, &path, &fixed).await;
    // The consent states the name: made anew, and the agent is told.
    let told = format!("{card}?saved=contacts&remade=1#contacts");
    assert!(saved.redirects_to(&told), "{:?}", saved.location);
    let page = app.get(&agent, &format!("{card}?saved=contacts&remade=1")).await.body;
    assert!(page.contains("Данные клиента исправлены. Неподписанные документы"), "{page}");
    assert!(page.contains("Петрова Мария Ивановна") && page.contains("+7 913 000-11-22"), "{page}");

    // The admin gives the client to Boris; a made-up agent is refused.
    let to = format!("{card}/agent");
    assert_eq!(app.post(&agent, &to, &[("agent_id", &boris.id.0.to_string())]).await.status, StatusCode::FORBIDDEN);
    let forged = app.post(&admin, &to, &[("agent_id", "999999")]).await;
    assert_eq!(forged.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(forged.body.contains("Выберите действующего турагента"), "{}", forged.body);
    let page = app.get(&admin, &card).await.body;
    assert!(page.contains("Передать другому турагенту"), "{page}");
    let given = app.post(&admin, &to, &[("agent_id", &boris.id.0.to_string())]).await;
    assert!(given.redirects_to(&format!("{card}?saved=agent#contacts")), "{:?}", given.location);
    assert_eq!(app.get(&agent, &card).await.status, StatusCode::FORBIDDEN, "no longer Anna's");
    assert_eq!(app.get(&other, &card).await.status, StatusCode::OK);
});
