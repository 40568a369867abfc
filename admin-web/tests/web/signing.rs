//! The signing Mini App over HTTP: `initData` computed here with the bot token as Telegram
//! does; forged, stale and other users' data refused; the whole signing through the page.

use crate::each_backend;
use crate::helpers::{ADDRESS, Browser, PASSPORT_FORM, TestApp, new_client, spawn_with};
use admin_web::AppState;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::Duration;
use crm::Actor;
use crm::crypto::hmac_sha256;
use crm::domain::{BookingStatus, IssuedDocumentId, Role};
use crm::services::{DocKind, DocSubject};
use testkit::{Backend, ClaimOne};

const TOKEN: &str = "4242:signing-test-token";
const TELEGRAM_ID: i64 = 5_550_001;

/// `initData` as Telegram signs it for `user` at `auth_date` (seconds).
fn init_data(token: &str, user: i64, auth_date: i64) -> String {
    let mut fields = vec![
        ("auth_date".to_owned(), auth_date.to_string()),
        ("query_id".to_owned(), "AAHdF6IQAAAAAN0XohDhrOrc".to_owned()),
        ("user".to_owned(), format!(r#"{{"id":{user},"first_name":"Мария","language_code":"ru"}}"#)),
    ];
    // The data-check-string: every field but the hash, sorted, `key=value` lines.
    let check = fields.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("\n");
    let secret = hmac_sha256(b"WebAppData", token.as_bytes());
    fields.push(("hash".to_owned(), hex::encode(hmac_sha256(&secret, check.as_bytes()))));
    serde_urlencoded::to_string(&fields).unwrap()
}

async fn spawn(backend: Backend) -> TestApp {
    spawn_with(backend, |crm| AppState::new(crm).with_bot_token(TOKEN)).await
}

struct Issued {
    id: IssuedDocumentId,
    booking: crm::domain::BookingId,
}

async fn issued(app: &TestApp) -> Issued {
    issued_with(app, true).await
}

/// A contract issued to the client, with or without their passport on file.
async fn issued_with(app: &TestApp, passport: bool) -> Issued {
    issued_lacking(app, passport, true).await
}

/// A contract issued to the client, with or without their passport and address on file.
async fn issued_lacking(app: &TestApp, passport: bool, address: bool) -> Issued {
    issued_under(app, passport, address, testkit::registry()).await
}

/// The same, under the operator's registry entry given (its security may not be in force).
async fn issued_under(
    app: &TestApp,
    passport: bool,
    address: bool,
    registry: crm::services::OperatorRegistry,
) -> Issued {
    let oleg = app.staff("oleg", Role::Operator).await;
    let anna = app.staff("anna", Role::Agent).await;
    let boss = Actor::staff(app.staff("boss", Role::Admin).await.id, Role::Admin);
    app.crm.save_agency_requisites(&boss, &testkit::agency()).await.unwrap();
    app.crm.save_operator_registry(&boss, oleg.id, &registry).await.unwrap();
    let mut new = new_client("Иванова Мария Петровна", "+7 912 345-67-89");
    new.telegram_id = Some(TELEGRAM_ID);
    let agent = Actor::staff(anna.id, Role::Agent);
    let client = app.crm.register_client(&agent, new).await.unwrap();
    if passport {
        app.crm.put_internal_passport(&agent, client.id, &passport_of(app)).await.unwrap();
    }
    if address {
        app.crm.set_client_address(&agent, client.id, "630132, г. Новосибирск, ул. Дачная, д. 3").await.unwrap();
    }
    let (_, dep) = app.published_tour(&oleg).await;
    let booking = app.booking(&anna, &client, dep).await;
    let line = app.crm.issue_document(&agent, DocKind::Contract, DocSubject::Booking(booking)).await.unwrap();
    // The document's own message leaves the outbox (the bot would send it).
    while app.crm.claim_outgoing(&Actor::System).await.unwrap().is_some() {}
    Issued { id: line.document.id, booking }
}

fn passport_of(app: &TestApp) -> crm::domain::InternalPassport {
    crm::domain::InternalPassport::parse(
        "45 08",
        "613729",
        chrono::NaiveDate::from_ymd_opt(2010, 1, 15).unwrap(),
        "ОВД Тверского района",
        Some("770-001"),
        app.crm.today(),
    )
    .unwrap()
}

impl TestApp {
    async fn mini_app(&self, path: &str, init: &str, extra: &[(&str, &str)]) -> crate::helpers::Page {
        let mut form = vec![("init_data", init)];
        form.extend_from_slice(extra);
        let body = serde_urlencoded::to_string(&form).unwrap();
        let req = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::USER_AGENT, "Mozilla/5.0 Telegram-Android/11.2")
            .extension(axum::extract::ConnectInfo(std::net::SocketAddr::new(ADDRESS, 40_000)))
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    fn now_s(&self) -> i64 {
        self.crm.now().timestamp()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_signs_the_contract_in_the_mini_app() {
    for backend in testkit::backends() {
        let app = spawn(backend).await;
        let doc = issued(&app).await;
        let base = format!("/sign/{}", doc.id);

        let shell = app.get(&Browser::default(), &base).await;
        assert_eq!(shell.status, StatusCode::OK);
        assert!(shell.body.contains("/sign/app.js"), "{}", shell.body);
        assert_eq!(app.get(&Browser::default(), "/sign/app.js").await.status, StatusCode::OK);

        let init = init_data(TOKEN, TELEGRAM_ID, app.now_s() - 30);
        let page = app.mini_app(&format!("{base}/view"), &init, &[]).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(page.body.contains("РТО 012345"), "the document is shown");
        assert!(page.body.contains("Соглашение об использовании простой электронной подписи"));

        let page = app.mini_app(&format!("{base}/code"), &init, &[]).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.body.contains("Сначала примите соглашение"), "{}", page.body);

        let page = app.mini_app(&format!("{base}/agreement"), &init, &[]).await;
        assert!(page.body.contains("Соглашение принято"), "{}", page.body);
        let page = app.mini_app(&format!("{base}/code"), &init, &[]).await;
        assert!(page.body.contains("Код отправлен"), "{}", page.body);
        let sent = app.crm.claim_outgoing(&Actor::System).await.unwrap().expect("the code's message");
        assert_eq!(sent.chat_id, TELEGRAM_ID);
        let code: String = sent.body.split(|c: char| !c.is_ascii_digit()).find(|w| w.len() == 6).unwrap().into();

        let wrong = if code == "999999" { "000000" } else { "999999" };
        let page = app.mini_app(&format!("{base}/sign"), &init, &[("code", wrong)]).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.body.contains("Код неверный. Осталось попыток: 4"), "{}", page.body);
        let status = app.crm.booking_card(&Actor::System, doc.booking).await.unwrap().booking.status;
        assert_eq!(status, BookingStatus::ContractPending);

        let page = app.mini_app(&format!("{base}/sign"), &init, &[("code", &code)]).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(page.body.contains("Договор подписан. Спасибо! Оплатить бронь можно в чате"), "{}", page.body);
        let status = app.crm.booking_card(&Actor::System, doc.booking).await.unwrap().booking.status;
        assert_eq!(status, BookingStatus::ContractSigned, "{}", app.backend);
        let ev = app.crm.document_signature(&Actor::System, doc.id).await.unwrap().unwrap();
        assert_eq!(ev.telegram_id, TELEGRAM_ID);
        assert_eq!(ev.ip.as_deref(), Some(ADDRESS.to_string().as_str()));
        assert_eq!(ev.user_agent.as_deref(), Some("Mozilla/5.0 Telegram-Android/11.2"));
        assert_eq!(ev.channel, crm::services::Channel::MiniApp);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_stale_and_other_users_init_data_are_refused() {
    for backend in testkit::backends() {
        let app = spawn(backend).await;
        let doc = issued(&app).await;
        let view = format!("/sign/{}/view", doc.id);
        let now = app.now_s();

        let forged = init_data("4242:another-bots-token", TELEGRAM_ID, now);
        let page = app.mini_app(&view, &forged, &[]).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN);
        assert!(page.body.contains("не прошли проверку подлинности"), "{}", page.body);
        assert!(!page.body.contains("РТО 012345"));

        // A valid copy with the user swapped: the hash no longer matches.
        let swapped = init_data(TOKEN, TELEGRAM_ID, now).replace("5550001", "5550002");
        assert_eq!(app.mini_app(&view, &swapped, &[]).await.status, StatusCode::FORBIDDEN);

        let stale = init_data(TOKEN, TELEGRAM_ID, now - Duration::hours(2).num_seconds());
        let page = app.mini_app(&view, &stale, &[]).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN);
        assert!(page.body.contains("открыта слишком давно"), "{}", page.body);

        let page = app.mini_app(&view, "", &[]).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN);
        assert!(page.body.contains("открыта не из Telegram"), "{}", page.body);

        // A Telegram user who is nobody's client, then another client.
        let stranger = init_data(TOKEN, 7_770_001, now);
        let page = app.mini_app(&view, &stranger, &[]).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN);
        assert!(page.body.contains("не зарегистрирован"), "{}", page.body);
        let mut other = new_client("Петров Пётр Петрович", "+7 912 000-00-01");
        other.telegram_id = Some(7_770_002);
        app.crm.register_client(&Actor::System, other).await.unwrap();
        let intruder = init_data(TOKEN, 7_770_002, now);
        for step in ["view", "agreement", "code", "sign"] {
            let page = app.mini_app(&format!("/sign/{}/{step}", doc.id), &intruder, &[("code", "123456")]).await;
            assert_eq!(page.status, StatusCode::FORBIDDEN, "{step}: {}", page.body);
            assert!(page.body.contains("выдан другому клиенту"), "{step}: {}", page.body);
            assert!(!page.body.contains("РТО 012345"), "{step}");
        }
        let status = app.crm.booking_card(&Actor::System, doc.booking).await.unwrap().booking.status;
        assert_eq!(status, BookingStatus::ContractPending);
    }
}

each_backend!(without_a_bot_token_there_is_no_mini_app, |app| {
    let page = app.get(&Browser::default(), "/sign/1").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
});

/// The passport fields as the Mini App's form posts them.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_client_enters_the_missing_passport_and_the_contract_is_made_anew() {
    for backend in testkit::backends() {
        let app = spawn(backend).await;
        let doc = issued_with(&app, false).await;
        let base = format!("/sign/{}", doc.id);
        let init = init_data(TOKEN, TELEGRAM_ID, app.now_s() - 30);
        let puts = crm::services::AuditFilter {
            action: Some("document.put.internal_passport".into()),
            limit: 10,
            ..Default::default()
        };

        let page = app.mini_app(&format!("{base}/view"), &init, &[]).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(page.body.contains("Внесите недостающие данные"), "{}", page.body);
        assert!(page.body.contains("Иванова Мария Петровна: паспорт"), "{}", page.body);
        let traveller = app.crm.missing_documents(&Actor::System, doc.booking).await.unwrap()[0].0;
        let t = traveller.0.to_string();

        // A wrong series and number: both marked, the rest kept, nothing saved.
        let mut wrong: Vec<(&str, &str)> = vec![("traveller", &t)];
        wrong.extend(PASSPORT_FORM.iter().map(|&(k, v)| match k {
            "series" => (k, "45 0"),
            "number" => (k, "61372A"),
            _ => (k, v),
        }));
        let page = app.mini_app(&format!("{base}/documents"), &init, &wrong).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", page.body);
        assert!(page.body.contains("Серия паспорта РФ — 4 цифры."), "{}", page.body);
        assert!(page.body.contains("Номер паспорта РФ — 6 цифр."), "{}", page.body);
        assert!(page.body.contains("value=\"ОВД Тверского района\""), "the right fields are kept");
        assert!(page.body.contains("value=\"61372A\""), "the wrong ones too");
        assert_eq!(app.crm.missing_documents(&Actor::System, doc.booking).await.unwrap().len(), 1, "nothing saved");
        assert_eq!(app.crm.audit_log(&Actor::System, &puts).await.unwrap().len(), 0);

        // Another Telegram client, and forged data, change nothing.
        let mut other = new_client("Петров Пётр Петрович", "+7 912 000-00-01");
        other.telegram_id = Some(7_770_002);
        app.crm.register_client(&Actor::System, other).await.unwrap();
        let mut right: Vec<(&str, &str)> = vec![("traveller", &t)];
        right.extend(PASSPORT_FORM);
        let intruder = init_data(TOKEN, 7_770_002, app.now_s());
        let page = app.mini_app(&format!("{base}/documents"), &intruder, &right).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", page.body);
        assert!(page.body.contains("выдан другому клиенту"), "{}", page.body);
        let forged = init_data("4242:another-bots-token", TELEGRAM_ID, app.now_s());
        let page = app.mini_app(&format!("{base}/documents"), &forged, &right).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", page.body);
        assert_eq!(app.crm.missing_documents(&Actor::System, doc.booking).await.unwrap().len(), 1, "nothing saved");
        assert_eq!(app.crm.booking_documents(&Actor::System, doc.booking).await.unwrap().len(), 1);

        // The right passport: sealed, audited, and the contract made anew with it.
        let page = app.mini_app(&format!("{base}/documents"), &init, &right).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(page.body.contains("документ составлен заново"), "{}", page.body);
        assert!(!page.body.contains("Внесите недостающие данные"), "{}", page.body);
        assert!(app.crm.missing_documents(&Actor::System, doc.booking).await.unwrap().is_empty());
        assert_eq!(app.crm.audit_log(&Actor::System, &puts).await.unwrap().len(), 1);
        let opened = app.crm.open_traveller_documents(&Actor::System, traveller).await.unwrap();
        assert_eq!(opened.identity().len(), 1, "the passport is on file");
        let docs = app.crm.booking_documents(&Actor::System, doc.booking).await.unwrap();
        assert_eq!(docs.len(), 2);
        let anew = docs.iter().find(|d| d.document.id != doc.id).unwrap();
        assert!(anew.document.missing.is_empty(), "{}", anew.document.missing);
        assert_eq!(anew.document.supersedes, Some(doc.id));
        let old = docs.iter().find(|d| d.document.id == doc.id).unwrap();
        assert_eq!(old.state, crm::services::DocumentState::Superseded);
        assert!(page.body.contains(&format!("/sign/{}/agreement", anew.document.id)), "the page shows the new copy");
        assert!(page.body.contains("613729"), "the new copy holds the passport: {}", page.body);

        // Sent again (a second tap): nothing more is saved or made.
        let again = app.mini_app(&format!("/sign/{}/documents", anew.document.id), &init, &right).await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", again.body);
        assert!(again.body.contains("уже внесён или не нужен"), "{}", again.body);
        assert_eq!(app.crm.audit_log(&Actor::System, &puts).await.unwrap().len(), 1);
        assert_eq!(app.crm.booking_documents(&Actor::System, doc.booking).await.unwrap().len(), 2);

        // The new copy is signed as usual.
        let next = format!("/sign/{}", anew.document.id);
        app.mini_app(&format!("{next}/agreement"), &init, &[]).await;
        let page = app.mini_app(&format!("{next}/code"), &init, &[]).await;
        assert!(page.body.contains("Код отправлен"), "{}", page.body);
    }
}

/// The client's part entered while the operator's security is not in force (the agency's part):
/// the client is thanked for theirs and told the agency prepares the rest, not asked to write
/// to anyone about it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_clients_part_entered_while_the_agencys_lacks_says_the_agency_prepares_the_rest() {
    for backend in testkit::backends() {
        let app = spawn(backend).await;
        let mut later = testkit::registry();
        later.security_from = chrono::NaiveDate::from_ymd_opt(2090, 1, 1);
        later.security_until = chrono::NaiveDate::from_ymd_opt(2090, 12, 31);
        let doc = issued_under(&app, false, true, later).await;
        let init = init_data(TOKEN, TELEGRAM_ID, app.now_s() - 30);
        let t = app.crm.missing_documents(&Actor::System, doc.booking).await.unwrap()[0].0.0.to_string();
        let mut passport: Vec<(&str, &str)> = vec![("traveller", &t)];
        passport.extend(PASSPORT_FORM);
        let page = app.mini_app(&format!("/sign/{}/documents", doc.id), &init, &passport).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(page.body.contains("с вашей стороны всё внесено"), "{}", page.body);
        assert!(page.body.contains("Документ ещё готовит агентство"), "{}", page.body);
        assert!(!page.body.contains("его вносит агентство"), "the agency's items are not listed: {}", page.body);
        assert!(!page.body.contains("/agreement"), "nothing to sign yet: {}", page.body);
        // The copy was made anew with the passport: it lacks only the agency's part now.
        let docs = app.crm.booking_documents(&Actor::System, doc.booking).await.unwrap();
        assert_eq!(docs.len(), 2);
        let anew = docs.iter().find(|d| d.document.id != doc.id).unwrap();
        assert!(crm::services::waits_for_agency(&anew.document.missing), "{}", anew.document.missing);
        assert!(page.body.contains("613729"), "the page shows the new copy: {}", page.body);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_client_enters_the_missing_address_and_passport_and_the_contract_is_made_anew_once() {
    for backend in testkit::backends() {
        let app = spawn(backend).await;
        let doc = issued_lacking(&app, false, false).await;
        let base = format!("/sign/{}", doc.id);
        let init = init_data(TOKEN, TELEGRAM_ID, app.now_s() - 30);
        let page = app.mini_app(&format!("{base}/view"), &init, &[]).await;
        assert!(page.body.contains("Ваш адрес: для договора и согласия"), "{}", page.body);
        assert!(page.body.contains("Иванова Мария Петровна: паспорт"), "{}", page.body);

        // A short address: refused with its reason and what was typed, nothing kept.
        let page =
            app.mini_app(&format!("{base}/documents"), &init, &[("kind", "address"), ("address", "Москва")]).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", page.body);
        assert!(page.body.contains("Укажите адрес полностью") && page.body.contains("value=\"Москва\""));
        let client = app.crm.booking_card(&Actor::System, doc.booking).await.unwrap().booking.client_id;
        assert!(!app.crm.client_document_kinds(&Actor::System, client).await.unwrap().address());

        // The address: kept; the passport is still missing, so the document is not made yet.
        let address = [("kind", "address"), ("address", "630132, г. Новосибирск, ул. Дачная, д. 3")];
        let page = app.mini_app(&format!("{base}/documents"), &init, &address).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(page.body.contains("Внесите оставшиеся"), "{}", page.body);
        assert!(!page.body.contains("Ваш адрес:"), "the address form is gone: {}", page.body);
        assert_eq!(app.crm.booking_documents(&Actor::System, doc.booking).await.unwrap().len(), 1);
        let again = app.mini_app(&format!("{base}/documents"), &init, &address).await;
        assert!(again.body.contains("уже внесён или не нужен"), "{}", again.body);

        // The passport, the last thing missing: the contract is made anew, complete, once.
        let t = app.crm.missing_documents(&Actor::System, doc.booking).await.unwrap()[0].0.0.to_string();
        let mut passport: Vec<(&str, &str)> = vec![("traveller", &t)];
        passport.extend(PASSPORT_FORM);
        let page = app.mini_app(&format!("{base}/documents"), &init, &passport).await;
        assert!(page.body.contains("документ составлен заново"), "{}", page.body);
        let docs = app.crm.booking_documents(&Actor::System, doc.booking).await.unwrap();
        assert_eq!(docs.len(), 2);
        let anew = docs.iter().find(|d| d.document.id != doc.id).unwrap();
        assert!(anew.document.missing.is_empty(), "{}", anew.document.missing);
        assert!(page.body.contains("ул. Дачная, д. 3"), "the new copy holds the address");
    }
}

/// A consent has no travellers: the client enters their own passport and address for it, a
/// wrong field or a document not asked for changes nothing, and once both are on file the
/// consent is made anew. The marketing consent names only the person: it lacks neither and
/// stays as it was.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_client_enters_their_own_passport_and_address_for_the_consents() {
    for backend in testkit::backends() {
        let app = spawn(backend).await;
        let anna = app.staff("anna", Role::Agent).await;
        let boss = Actor::staff(app.staff("boss", Role::Admin).await.id, Role::Admin);
        app.crm.save_agency_requisites(&boss, &testkit::agency()).await.unwrap();
        let mut new = new_client("Иванова Мария Петровна", "+7 912 345-67-89");
        new.telegram_id = Some(TELEGRAM_ID);
        new.marketing_consent = true;
        let agent = Actor::staff(anna.id, Role::Agent);
        let client = app.crm.register_client(&agent, new).await.unwrap().id;
        app.crm.ensure_consent(&agent, client).await.unwrap();
        while app.crm.claim_outgoing(&Actor::System).await.unwrap().is_some() {}
        let consents = app.crm.client_documents(&Actor::System, client).await.unwrap();
        assert_eq!(consents.len(), 2, "the personal-data and the marketing consent");
        let lacking: Vec<_> =
            consents.iter().filter(|d| !d.document.missing.is_empty()).map(|d| d.document.kind).collect();
        assert_eq!(lacking, [DocKind::PersonalDataConsent], "only it states the passport and the address");
        let pd = consents.iter().find(|d| d.document.kind == DocKind::PersonalDataConsent).unwrap().document.id;
        let base = format!("/sign/{pd}");
        let init = init_data(TOKEN, TELEGRAM_ID, app.now_s() - 30);

        let page = app.mini_app(&format!("{base}/view"), &init, &[]).await;
        assert!(page.body.contains("Ваш документ: паспорт РФ"), "{}", page.body);
        assert!(page.body.contains("<details><summary>Нет паспорта РФ? Внесите загранпаспорт"), "{}", page.body);
        assert!(page.body.contains("Ваш адрес: для договора и согласия"), "{}", page.body);

        // A wrong series: marked, the input kept, nothing saved.
        let wrong: Vec<(&str, &str)> =
            PASSPORT_FORM.iter().map(|&(k, v)| if k == "series" { (k, "45 0") } else { (k, v) }).collect();
        let page = app.mini_app(&format!("{base}/documents"), &init, &wrong).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", page.body);
        assert!(page.body.contains("Серия паспорта РФ — 4 цифры."), "{}", page.body);
        assert!(page.body.contains("value=\"ОВД Тверского района\""), "the right fields are kept");
        assert!(!app.crm.client_document_kinds(&Actor::System, client).await.unwrap().identity(), "nothing saved");

        // The foreign passport instead, with a wrong number: its form open with the mark.
        let foreign = [("kind", "foreign_passport"), ("number", "7512")];
        let page = app.mini_app(&format!("{base}/documents"), &init, &foreign).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", page.body);
        assert!(page.body.contains("<details open><summary>Нет паспорта РФ?"), "{}", page.body);
        assert!(page.body.contains("value=\"7512\""), "{}", page.body);

        // A document the consent does not ask the client for: nothing saved.
        let certificate = [("kind", "birth_certificate"), ("series", "IV-МЮ"), ("number", "123456")];
        let page = app.mini_app(&format!("{base}/documents"), &init, &certificate).await;
        assert!(page.body.contains("уже внесён или не нужен"), "{}", page.body);
        assert!(!app.crm.client_document_kinds(&Actor::System, client).await.unwrap().identity(), "nothing saved");

        // The passport: kept; the address is still missing, so nothing is made yet.
        let page = app.mini_app(&format!("{base}/documents"), &init, &PASSPORT_FORM).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(page.body.contains("Внесите оставшиеся"), "{}", page.body);
        assert!(!page.body.contains("Ваш документ:"), "the passport form is gone: {}", page.body);
        assert!(app.crm.client_document_kinds(&Actor::System, client).await.unwrap().identity());
        assert_eq!(app.crm.client_documents(&Actor::System, client).await.unwrap().len(), 2);
        let again = app.mini_app(&format!("{base}/documents"), &init, &PASSPORT_FORM).await;
        assert!(again.body.contains("уже внесён или не нужен"), "{}", again.body);

        // The address, the last thing missing: the consent made anew, complete, once.
        let address = [("kind", "address"), ("address", "630132, г. Новосибирск, ул. Дачная, д. 3")];
        let page = app.mini_app(&format!("{base}/documents"), &init, &address).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(page.body.contains("документ составлен заново"), "{}", page.body);
        assert!(page.body.contains("613729") && page.body.contains("ул. Дачная, д. 3"), "{}", page.body);
        let docs = app.crm.client_documents(&Actor::System, client).await.unwrap();
        assert_eq!(docs.len(), 3, "one new copy");
        let open: Vec<_> = docs.iter().filter(|d| d.state.signable()).collect();
        assert_eq!(open.len(), 2);
        assert!(open.iter().all(|d| d.document.missing.is_empty()));
        let pd = open.iter().find(|d| d.document.kind == DocKind::PersonalDataConsent).unwrap();
        assert!(pd.document.supersedes.is_some());
        let marketing = open.iter().find(|d| d.document.kind == DocKind::MarketingConsent).unwrap();
        assert!(marketing.document.supersedes.is_none(), "the marketing consent is the one first issued");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_opened_on_a_copy_made_anew_shows_the_new_copy() {
    for backend in testkit::backends() {
        let app = spawn(backend).await;
        let doc = issued(&app).await;
        let init = init_data(TOKEN, TELEGRAM_ID, app.now_s() - 30);
        // The agent corrects the passport after the contract was sent: it is made anew.
        let client = app.crm.issued_document(&Actor::System, doc.id).await.unwrap().document.client_id;
        let corrected = crm::domain::InternalPassport { number: "765432".into(), ..passport_of(&app) };
        let remade = app.crm.put_internal_passport(&Actor::System, client, &corrected).await.unwrap();
        let anew = remade.iter().find(|d| d.document.kind == DocKind::Contract).expect("the contract made anew");
        // The old message's button (the page of the old copy) shows the new copy, and says so;
        // asking for a code on the old copy does the same and sends none.
        for step in ["view", "code"] {
            let page = app.mini_app(&format!("/sign/{}/{step}", doc.id), &init, &[]).await;
            assert!(page.body.contains("заменён новым экземпляром"), "{}: {}", app.backend, page.body);
            assert!(page.body.contains(&format!("/sign/{}/agreement", anew.document.id)), "{}", page.body);
            assert!(page.body.contains("765432"), "the new copy states the corrected number");
        }
        while let Some(m) = app.crm.claim_outgoing(&Actor::System).await.unwrap() {
            assert!(!m.body.contains("Код для подписания"), "no code for the old copy: {}", m.body);
        }
    }
}
