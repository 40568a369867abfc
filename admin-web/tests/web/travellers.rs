//! The «Туристы» of a booking in the panel: companions added up to the booked seats, documents
//! entered with every wrong field marked and the input kept, warnings shown, «Показать» audited,
//! and nothing of it for the accountant.

use crate::each_backend;
use crate::helpers::{PASSPORT_FORM, TestApp};
use axum::http::StatusCode;
use chrono::Duration;
use crm::Actor;
use crm::domain::{BookingId, Role};
use crm::services::{AuditFilter, BookingRequest, Client, Staff};

impl TestApp {
    /// A booking for two to Turkey, back 6 days after a departure a month from now.
    async fn trip_for_two(&self, operator: &Staff, agent: &Staff, client: &Client) -> BookingId {
        let op = Actor::staff(operator.id, Role::Operator);
        let mut input = crate::tours::excursion("Стамбул и Каппадокия");
        input.country = "Турция".into();
        let tour = self.crm.create_tour(&op, input).await.unwrap().tour.id;
        let start = self.crm.today() + Duration::days(30);
        let dep = self.crm.add_departure(&op, tour, start, start + Duration::days(6), 10).await.unwrap().id;
        self.crm.publish_tour(&op, tour).await.unwrap();
        let req = BookingRequest {
            client_id: client.id,
            departure_id: dep,
            travellers_count: 2,
            client_travels: true,
            companions: vec![],
            rooms: vec![],
            notes: String::new(),
            request_key: None,
        };
        self.crm.create_booking(&Actor::staff(agent.id, Role::Agent), req).await.unwrap().booking.id
    }
}

each_backend!(an_agent_adds_a_companion_and_enters_a_passport_field_by_field, |app| {
    let (oleg, _) = app.signed_in("oleg", Role::Operator).await;
    let (anna, agent) = app.signed_in("anna", Role::Agent).await;
    let client = app.client("Иванова Мария", "+7 912 345-67-89", Some(&anna)).await;
    let booking = app.trip_for_two(&oleg, &anna, &client).await;
    let card = format!("/bookings/{booking}");

    let page = app.get(&agent, &card).await;
    assert!(page.body.contains("загранпаспорт: нет"), "{}", page.body);
    let bad =
        app.post(&agent, &format!("{card}/travellers"), &[("full_name", "Петров"), ("birth_date", "31.02.1980")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Укажите хотя бы фамилию и имя") && bad.body.contains("Такого дня нет в календаре"));
    assert!(bad.body.contains("value=\"Петров\""), "the input is kept");
    let ok = app
        .post(&agent, &format!("{card}/travellers"), &[("full_name", "Щукин Юрий"), ("birth_date", "01.02.1985")])
        .await;
    assert!(ok.redirects_to(&format!("{card}#travellers")), "{:?}", ok.location);
    let full = app
        .post(&agent, &format!("{card}/travellers"), &[("full_name", "Петров Пётр"), ("birth_date", "01.02.1980")])
        .await;
    assert_eq!(full.status, StatusCode::CONFLICT);
    assert!(full.body.contains("новую бронь"), "the price is per person: {}", full.body);

    let list = app.crm.travellers(&Actor::System, booking).await.unwrap();
    let yuri = list.travellers[1].traveller.id;
    let path = format!("/travellers/{yuri}");
    let form = |number: &'static str, expires: &'static str, latin: &'static str| {
        vec![
            ("kind", "foreign_passport"),
            ("number", number),
            ("latin_name", latin),
            ("issued_on", "01.05.2021"),
            ("expires_on", expires),
            ("issuer", "МВД 54001"),
        ]
    };
    let refused = app.post(&agent, &format!("{path}/documents"), &form("75 12345", "когда-то", "SHCHUKIN IURII")).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert!(refused.body.contains("Номер загранпаспорта — 9 цифр"), "{}", refused.body);
    assert!(refused.body.contains("Дата должна быть в формате дд.мм.гггг"), "both wrong fields are marked");
    assert!(refused.body.contains("value=\"SHCHUKIN IURII\""), "the right fields are kept");
    assert_eq!(app.crm.missing_documents(&Actor::System, booking).await.unwrap().len(), 3, "nothing saved");
    // Issued before the holder was born: the form again, the date marked, the input kept.
    let mut early = form("75 9876543", "01.06.2027", "SCHUKIN YURIY");
    early[3] = ("issued_on", "01.05.1980");
    let refused = app.post(&agent, &format!("{path}/documents"), &early).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert!(refused.body.contains("Дата выдачи раньше даты рождения владельца"), "{}", refused.body);
    assert!(refused.body.contains("value=\"01.05.1980\"") && refused.body.contains("value=\"SCHUKIN YURIY\""));

    let saved =
        app.post(&agent, &format!("{path}/documents"), &form("75 9876543", "01.06.2027", "SCHUKIN YURIY")).await;
    assert!(saved.redirects_to(&format!("{path}?saved=identity#documents")), "{:?}", saved.location);
    let page = app.get(&agent, &format!("{path}?saved=identity")).await;
    assert!(page.body.contains("<p class=\"ok\" role=\"status\">Документ сохранён.</p>"), "{}", page.body);
    assert!(page.body.contains("действует до 01.06.2027"), "the expiry warning: {}", page.body);
    assert!(page.body.contains("«SHCHUKIN IURII»"), "the transliteration warning");
    assert!(!page.body.contains("9876543"), "the page shows no number until «Показать»");
    // A birth date corrected to after the passport's issue: marked at the field, not saved.
    let later = app.post(&agent, &path, &[("full_name", "Щукин Юрий"), ("birth_date", "01.02.2022")]).await;
    assert_eq!(later.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", later.body);
    assert!(later.body.contains("Дата выдачи раньше даты рождения владельца"), "{}", later.body);
    assert!(later.body.contains("value=\"01.02.2022\""), "the input is kept");
    let renamed = app.post(&agent, &path, &[("full_name", "Щукин Юрий Олегович"), ("birth_date", "01.02.1985")]).await;
    assert!(renamed.redirects_to(&format!("{path}?saved=traveller#person")), "{:?}", renamed.location);
    let card_page = app.get(&agent, &card).await;
    assert!(card_page.body.contains("⚠") && card_page.body.contains("загранпаспорт: внесён"));

    let shown = app.post(&agent, &format!("{path}/documents/open"), &[]).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(shown.body.contains("75 9876543") && shown.body.contains("SCHUKIN YURIY"));
    let filter = AuditFilter { action: Some("document.read.traveller".into()), limit: 10, ..Default::default() };
    assert_eq!(app.crm.audit_log(&Actor::System, &filter).await.unwrap().len(), 1);
});

each_backend!(the_accountant_sees_the_names_but_no_traveller_document, |app| {
    let (oleg, _) = app.signed_in("oleg", Role::Operator).await;
    let (anna, _) = app.signed_in("anna", Role::Agent).await;
    let (_, accountant) = app.signed_in("buh", Role::Accountant).await;
    let (_, other) = app.signed_in("olga", Role::Agent).await;
    let client = app.client("Иванова Мария", "+7 912 345-67-89", Some(&anna)).await;
    let booking = app.trip_for_two(&oleg, &anna, &client).await;
    let list = app.crm.travellers(&Actor::System, booking).await.unwrap();
    let me = list.travellers[0].traveller.id;
    let page = app.get(&accountant, &format!("/bookings/{booking}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Иванова Мария") && !page.body.contains("загранпаспорт"));
    assert!(!page.body.contains(&format!("/travellers/{me}")));
    for b in [&accountant, &other] {
        assert_eq!(app.get(b, &format!("/travellers/{me}")).await.status, StatusCode::FORBIDDEN);
        assert_eq!(app.post(b, &format!("/travellers/{me}/documents/open"), &[]).await.status, StatusCode::FORBIDDEN);
    }
});

each_backend!(refund_details_are_entered_on_the_client_card, |app| {
    let (anna, agent) = app.signed_in("anna", Role::Agent).await;
    let client = app.client("Иванова Мария", "+7 912 345-67-89", Some(&anna)).await;
    let path = format!("/clients/{}/payment-details", client.id);
    let bad = app
        .post(&agent, &path, &[("method", "card"), ("card_number", "4276 1000 1234 5674"), ("holder", "MARIA")])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("номер карты (16–19 цифр)"));
    let form = [
        ("method", "account"),
        ("account", "40817810099910004312"),
        ("bik", "044525225"),
        ("bank", "Сбербанк"),
        ("holder", "Иванова Мария"),
    ];
    let saved = format!("/clients/{}?saved=payment#documents", client.id);
    assert!(app.post(&agent, &path, &form).await.redirects_to(&saved));
    let card = app.get(&agent, page(&saved)).await.body;
    assert!(card.contains("<p class=\"ok\" role=\"status\">Реквизиты для возврата сохранены.</p>"), "{card}");
    let docs = app.crm.open_documents(&Actor::System, client.id).await.unwrap();
    assert!(matches!(docs.payment_details, Some(crm::domain::PaymentDetails::Account { .. })));
});

each_backend!(the_clients_address_for_the_documents_is_entered_on_the_card, |app| {
    let (anna, agent) = app.signed_in("anna", Role::Agent).await;
    let (_, other) = app.signed_in("olga", Role::Agent).await;
    let client = app.client("Иванова Мария", "+7 912 345-67-89", Some(&anna)).await;
    let card = app.get(&agent, &format!("/clients/{}", client.id)).await.body;
    // None on file yet: the form is open, for the contract needs it.
    assert!(card.contains("<details open id=\"address\">"), "{card}");
    let path = format!("/clients/{}/address", client.id);
    let bad = app.post(&agent, &path, &[("address", "Москва")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Укажите адрес полностью") && bad.body.contains("value=\"Москва\""));
    assert_eq!(app.crm.open_documents(&Actor::System, client.id).await.unwrap().address, None, "nothing kept");
    // Another agent's client: refused, nothing kept.
    let address = [("address", "630132, г. Новосибирск, ул. Дачная, д. 3, кв. 14")];
    assert_eq!(app.post(&other, &path, &address).await.status, StatusCode::FORBIDDEN);
    let saved = format!("/clients/{}?saved=address#documents", client.id);
    assert!(app.post(&agent, &path, &address).await.redirects_to(&saved));
    assert!(app.get(&agent, page(&saved)).await.body.contains("Адрес сохранён."));
    // A made-up notice in the URL shows nothing.
    let forged = app.get(&agent, &format!("/clients/{}?saved=%3Cscript%3E&remade=x", client.id)).await;
    assert_eq!(forged.status, StatusCode::OK);
    assert!(!forged.body.contains("role=\"status\""), "{}", forged.body);
    let docs = app.crm.open_documents(&Actor::System, client.id).await.unwrap();
    assert_eq!(docs.address.as_deref(), Some("630132, г. Новосибирск, ул. Дачная, д. 3, кв. 14"));
    let card = app.get(&agent, &format!("/clients/{}", client.id)).await.body;
    assert!(card.contains("<li>Адрес</li>") && card.contains("Адрес для договора и согласия: заменить"), "{card}");
    assert!(!card.contains("<details open id=\"address\">"), "on file: the form is folded");
    let shown = app.post(&agent, &format!("/clients/{}/documents", client.id), &[]).await.body;
    assert!(shown.contains("ул. Дачная, д. 3, кв. 14"), "{shown}");
});

each_backend!(the_clients_own_passport_is_entered_on_the_card, |app| {
    let (anna, agent) = app.signed_in("anna", Role::Agent).await;
    let (_, other) = app.signed_in("olga", Role::Agent).await;
    let (_, accountant) = app.signed_in("vera", Role::Accountant).await;
    let client = app.client("Иванова Мария", "+7 912 345-67-89", Some(&anna)).await;
    let card = app.get(&agent, &format!("/clients/{}", client.id)).await.body;
    // No identity document on file: the passport's form is open (the consent names one).
    assert!(card.contains("<details open id=\"doc-internal_passport\">"), "{card}");
    assert!(card.contains("<details id=\"doc-foreign_passport\">"), "{card}");
    let path = format!("/clients/{}/identity", client.id);
    let form = |series: &'static str| {
        PASSPORT_FORM.iter().map(|&(k, v)| if k == "series" { (k, series) } else { (k, v) }).collect::<Vec<_>>()
    };
    // A wrong field: marked, the input kept, nothing sealed.
    let bad = app.post(&agent, &path, &form("45 0")).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Серия паспорта РФ — 4 цифры.") && bad.body.contains("value=\"ОВД Тверского района\""));
    // A kind the card does not take, another agent's client, the accountant: refused.
    let certificate = [("kind", "birth_certificate"), ("series", "IV-МЮ"), ("number", "123456")];
    assert_ne!(app.post(&agent, &path, &certificate).await.status, StatusCode::SEE_OTHER);
    assert_eq!(app.post(&other, &path, &form("45 08")).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.post(&accountant, &path, &form("45 08")).await.status, StatusCode::FORBIDDEN);
    assert!(!app.crm.client_document_kinds(&Actor::System, client.id).await.unwrap().identity(), "nothing kept");
    // The right one: sealed as the client's own, the form folded.
    let saved = format!("/clients/{}?saved=identity#documents", client.id);
    assert!(app.post(&agent, &path, &form("45 08")).await.redirects_to(&saved));
    assert!(app.get(&agent, page(&saved)).await.body.contains("Документ сохранён."));
    let docs = app.crm.open_documents(&Actor::System, client.id).await.unwrap();
    assert_eq!(docs.internal_passport.map(|p| p.number), Some("613729".to_owned()));
    let card = app.get(&agent, &format!("/clients/{}", client.id)).await.body;
    assert!(card.contains("<li>Паспорт РФ</li>") && card.contains("Паспорт РФ клиента: заменить"), "{card}");
    assert!(!card.contains("<details open id=\"doc-internal_passport\">"), "on file: the form is folded");
});

each_backend!(consents_lacking_data_are_made_anew_once_it_is_entered_and_issued_again_from_the_card, |app| {
    let (anna, agent) = app.signed_in("anna", Role::Agent).await;
    let (_, other) = app.signed_in("olga", Role::Agent).await;
    let boss = Actor::staff(app.staff("boss", Role::Admin).await.id, Role::Admin);
    app.crm.save_agency_requisites(&boss, &testkit::agency()).await.unwrap();
    let client = app.client("Иванова Мария", "+7 912 345-67-89", Some(&anna)).await;
    app.crm.ensure_consent(&Actor::System, client.id).await.unwrap();
    let first = app.crm.client_documents(&Actor::System, client.id).await.unwrap();
    assert_eq!(first.len(), 1);
    let card = app.get(&agent, &format!("/clients/{}", client.id)).await.body;
    assert!(card.contains("не хватает: адрес клиента; документ, удостоверяющий личность клиента"), "{card}");
    assert!(card.contains("Выдать согласие на подпись"), "{card}");
    // The agent enters what it lacked. The passport alone makes no new copy (the address is
    // still missing); with the address the consent is made anew by itself: one new copy,
    // complete, the old one superseded.
    app.post(&agent, &format!("/clients/{}/identity", client.id), &PASSPORT_FORM).await;
    assert_eq!(app.crm.client_documents(&Actor::System, client.id).await.unwrap().len(), 1, "no copy per piece");
    let address = [("address", "630132, г. Новосибирск, ул. Дачная, д. 3, кв. 14")];
    let saved = app.post(&agent, &format!("/clients/{}/address", client.id), &address).await;
    // The agent is told the consent was made anew and sent.
    let told = format!("/clients/{}?saved=address&remade=1#documents", client.id);
    assert!(saved.redirects_to(&told), "{:?}", saved.location);
    let card = app.get(&agent, page(&told)).await.body;
    assert!(card.contains("Адрес сохранён. Неподписанные документы, где это указано, составлены заново"), "{card}");
    let docs = app.crm.client_documents(&Actor::System, client.id).await.unwrap();
    assert_eq!(docs.len(), 2, "{}", app.backend);
    let anew = docs.iter().find(|d| d.state.signable()).unwrap();
    assert!(anew.document.missing.is_empty(), "{}", anew.document.missing);
    assert_eq!(anew.document.supersedes, Some(first[0].document.id));
    let card = app.get(&agent, &format!("/clients/{}", client.id)).await.body;
    assert!(!card.contains("не хватает:"), "{card}");
    // «Выдать согласие» issues it again on demand (the client lost the message); another agent
    // may not.
    let path = format!("/clients/{}/consents", client.id);
    assert_eq!(app.post(&other, &path, &[]).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.crm.client_documents(&Actor::System, client.id).await.unwrap().len(), 2, "nothing issued");
    assert!(app.post(&agent, &path, &[]).await.redirects_to(&format!("/clients/{}?saved=consents#issued", client.id)));
    assert_eq!(app.crm.client_documents(&Actor::System, client.id).await.unwrap().len(), 3);
});

/// The page a redirect names, without its fragment (which a browser keeps to itself).
fn page(location: &str) -> &str {
    location.split('#').next().unwrap_or(location)
}

each_backend!(an_expired_foreign_passport_on_the_card_is_saved_and_its_warning_shown, |app| {
    let (anna, agent) = app.signed_in("anna", Role::Agent).await;
    let client = app.client("Иванова Мария", "+7 912 345-67-89", Some(&anna)).await;
    let form = [
        ("kind", "foreign_passport"),
        ("number", "75 1234567"),
        ("latin_name", "IVANOVA MARIYA"),
        ("issued_on", "01.02.2010"),
        ("expires_on", "01.02.2020"),
        ("issuer", "МВД 77001"),
    ];
    // Answered with a redirect (a reload does not post it again), the warnings named by code:
    // the passport's data stays out of the address.
    let saved = app.post(&agent, &format!("/clients/{}/identity", client.id), &form).await;
    let to = format!("/clients/{}?saved=identity&warned=expired,latin_name_differs#documents", client.id);
    assert!(saved.redirects_to(&to), "{saved:?}");
    assert!(app.crm.client_document_kinds(&Actor::System, client.id).await.unwrap().identity());
    let card = app.get(&agent, page(&to)).await;
    assert!(
        card.body.contains("Документ сохранён. ⚠ Срок действия загранпаспорта истёк: по нему не выехать"),
        "{}",
        card.body
    );
    assert!(card.body.contains("⚠ Имя латиницей отличается от транслитерации"), "{}", card.body);
    // The card marks the passport for as long as it has run out, not only after the save.
    let card = app.get(&agent, &format!("/clients/{}", client.id)).await;
    assert!(
        card.body.contains("Загранпаспорт до 01.02.2020 <span class=\"badge bad\">срок истёк</span></li>"),
        "{}",
        card.body
    );
    assert!(!card.body.contains("⚠"), "{}", card.body);
    // A warning code edited into the address by hand says nothing.
    let forged =
        app.get(&agent, &format!("/clients/{}?saved=identity&warned=%3Cb%3Ex,expires%3C/b%3E", client.id)).await;
    assert!(forged.body.contains("Документ сохранён.") && !forged.body.contains("⚠"), "{}", forged.body);
});
