//! Personal documents: sealed before they reach the database, opened only by the right people,
//! every opening audited.

use crate::each_backend;
use crate::helpers::{
    CARD_NUMBER, FOREIGN_NUMBER, INTERNAL_NUMBER, SERIES, TestApp, card, foreign_passport, internal_passport,
};
use crm::audit::AuditField;
use crm::domain::{ClientId, Role};
use crm::services::{AuditFilter, Documents};
use crm::{Actor, Error};

const SECRETS: [&str; 4] = [SERIES, INTERNAL_NUMBER, FOREIGN_NUMBER, CARD_NUMBER];

pub(crate) fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

fn all_documents() -> Documents {
    Documents {
        internal_passport: Some(internal_passport()),
        foreign_passport: Some(foreign_passport()),
        payment_details: Some(card()),
        birth_certificate: None,
        address: None,
    }
}

/// Every byte the database holds that could carry a document: the SQLite file and its WAL, or
/// on PostgreSQL the envelopes and every other column of the tables near them, as text.
pub(crate) async fn stored_bytes(app: &TestApp) -> Vec<Vec<u8>> {
    if let Some(file) = app.db.sqlite_file() {
        let mut out = vec![std::fs::read(file).unwrap()];
        if let Ok(wal) = std::fs::read(format!("{}-wal", file.display())) {
            out.push(wal);
        }
        return out;
    }
    let pool = app.crm.store().pool();
    let mut out: Vec<Vec<u8>> =
        sqlx::query_scalar("SELECT envelope FROM secure_documents").fetch_all(pool).await.unwrap();
    assert!(!out.is_empty());
    for sql in [
        "SELECT (to_jsonb(d) - 'envelope')::text FROM secure_documents d",
        "SELECT to_jsonb(c)::text FROM clients c",
        "SELECT to_jsonb(t)::text FROM booking_travellers t",
        "SELECT to_jsonb(a)::text FROM audit_log a",
        "SELECT to_jsonb(a)::text FROM client_addresses a",
    ] {
        let rows: Vec<String> = sqlx::query_scalar(sql).fetch_all(pool).await.unwrap();
        out.extend(rows.into_iter().map(String::into_bytes));
    }
    out
}

async fn read_audits(app: &TestApp, client: ClientId) -> usize {
    let log = app.crm.audit_log(&Actor::System, &AuditFilter { limit: 50, ..Default::default() }).await.unwrap();
    log.iter().filter(|e| e.action == "document.read" && e.entity_id.as_deref() == Some(&client.to_string())).count()
}

each_backend!(passports_and_card_numbers_never_reach_the_database_in_clear, |app| {
    let agent = app.actor("anna", Role::Agent).await;
    let c = app.client("+7 912 345-67-89", Some(&agent)).await;
    app.crm.put_foreign_passport(&agent, c.id, &foreign_passport()).await.unwrap();
    app.crm.put_internal_passport(&agent, c.id, &internal_passport()).await.unwrap();
    app.crm.put_payment_details(&agent, c.id, &card()).await.unwrap();
    app.crm.set_client_address(&agent, c.id, "630132, г. Новосибирск, ул. Дачная, д. 3").await.unwrap();
    let chunks = stored_bytes(&app).await;
    assert!(!chunks.iter().any(|b| contains(b, "Дачная")), "{}: the address is stored in clear", app.backend);
    // The scan does see what is stored in clear: the phone.
    assert!(chunks.iter().any(|b| contains(b, "+79123456789")), "{}: the scan sees nothing", app.backend);
    for secret in SECRETS {
        assert!(!chunks.iter().any(|b| contains(b, secret)), "{}: {secret} is stored in clear", app.backend);
    }
    // The name and the issuer are not secret, but the Latin spelling only lives in the envelope.
    assert!(!chunks.iter().any(|b| contains(b, "IVANOVA MARIYA")), "{}", app.backend);
});

each_backend!(opened_documents_are_what_was_stored_and_each_opening_is_audited, |app| {
    let agent = app.actor("anna", Role::Agent).await;
    let c = app.client("+7 912 345-67-89", Some(&agent)).await;
    assert_eq!(app.crm.open_documents(&agent, c.id).await.unwrap(), Documents::default());
    assert_eq!(read_audits(&app, c.id).await, 1);
    app.put_all_documents(c.id).await;
    assert_eq!(app.crm.open_documents(&agent, c.id).await.unwrap(), all_documents(), "{}", app.backend);
    assert_eq!(app.crm.open_documents(&Actor::System, c.id).await.unwrap(), all_documents());
    assert_eq!(read_audits(&app, c.id).await, 3, "{}", app.backend);
    let log = app.crm.audit_log(&Actor::System, &AuditFilter { limit: 1, ..Default::default() }).await.unwrap();
    assert_eq!(log[0].actor, "system");
    let opened = log[0].detail(AuditField::Documents);
    assert_eq!(opened.as_deref(), Some("паспорт РФ, загранпаспорт, реквизиты для возврата"));
    let card_view = app.crm.client_card(&agent, c.id).await.unwrap();
    let on_file = card_view.documents_on_file.unwrap();
    assert_eq!(on_file, ["foreign_passport", "internal_passport", "payment_details"]);
    // Rewriting a document replaces it.
    let other =
        crm::domain::PaymentDetails::account("40817810099910004312", "044525225", "Сбербанк", "Иванова М.").unwrap();
    app.crm.put_payment_details(&agent, c.id, &other).await.unwrap();
    assert_eq!(app.crm.open_documents(&agent, c.id).await.unwrap().payment_details, Some(other));
});

each_backend!(a_ciphertext_copied_to_another_client_does_not_decrypt, |app| {
    let a = app.client("+7 912 000-00-01", None).await;
    let b = app.client("+7 912 000-00-02", None).await;
    app.put_all_documents(a.id).await;
    app.put_all_documents(b.id).await;
    let pool = app.crm.store().pool();
    let envelope: Vec<u8> = sqlx::query_scalar(
        "SELECT envelope FROM secure_documents WHERE owner_id = $1 AND doc_kind = 'foreign_passport'",
    )
    .bind(a.id.0)
    .fetch_one(pool)
    .await
    .unwrap();
    sqlx::query("UPDATE secure_documents SET envelope = $1 WHERE owner_id = $2 AND doc_kind = 'foreign_passport'")
        .bind(envelope.clone())
        .bind(b.id.0)
        .execute(pool)
        .await
        .unwrap();
    let opened = app.crm.open_documents(&Actor::System, b.id).await;
    assert!(matches!(opened, Err(Error::Crypto(_))), "{}: {opened:?}", app.backend);
    // Moved to another kind of the same client, it fails too.
    sqlx::query("UPDATE secure_documents SET envelope = $1 WHERE owner_id = $2 AND doc_kind = 'internal_passport'")
        .bind(envelope)
        .bind(a.id.0)
        .execute(pool)
        .await
        .unwrap();
    let opened = app.crm.open_documents(&Actor::System, a.id).await;
    assert!(matches!(opened, Err(Error::Crypto(_))), "{}: {opened:?}", app.backend);
});

each_backend!(only_the_own_agent_the_admin_and_the_client_open_or_put_documents, |app| {
    let anna = app.actor("anna", Role::Agent).await;
    let boris = app.actor("boris", Role::Agent).await;
    let admin = app.actor("admin", Role::Admin).await;
    let accountant = app.actor("buh", Role::Accountant).await;
    let operator = app.actor("oper", Role::Operator).await;
    let c = app.client("+7 912 345-67-89", Some(&anna)).await;
    for actor in [&accountant, &operator, &boris, &Actor::Client(ClientId(c.id.0 + 1)), &Actor::Telegram(5)] {
        let opened = app.crm.open_documents(actor, c.id).await;
        assert!(matches!(opened, Err(Error::Forbidden(_))), "{}: open by {actor:?}: {opened:?}", app.backend);
        let put = app.crm.put_internal_passport(actor, c.id, &internal_passport()).await;
        assert!(matches!(put, Err(Error::Forbidden(_))), "{}: put by {actor:?}: {put:?}", app.backend);
        let put = app.crm.put_foreign_passport(actor, c.id, &foreign_passport()).await;
        assert!(matches!(put, Err(Error::Forbidden(_))), "{}: put by {actor:?}: {put:?}", app.backend);
        let put = app.crm.put_payment_details(actor, c.id, &card()).await;
        assert!(matches!(put, Err(Error::Forbidden(_))), "{}: put by {actor:?}: {put:?}", app.backend);
    }
    assert_eq!(read_audits(&app, c.id).await, 0, "a refused opening reads nothing");
    for actor in [&anna, &admin, &Actor::Client(c.id), &Actor::System] {
        app.crm.put_internal_passport(actor, c.id, &internal_passport()).await.unwrap();
        app.crm.put_foreign_passport(actor, c.id, &foreign_passport()).await.unwrap();
        app.crm.put_payment_details(actor, c.id, &card()).await.unwrap();
        assert_eq!(app.crm.open_documents(actor, c.id).await.unwrap(), all_documents(), "{actor:?}");
    }
    assert_eq!(read_audits(&app, c.id).await, 4);
});

each_backend!(the_foreign_passport_expiry_is_kept_in_clear_on_the_client, |app| {
    let c = app.client("+7 912 345-67-89", None).await;
    assert_eq!(c.foreign_passport_expires_on, None);
    app.crm.put_foreign_passport(&Actor::System, c.id, &foreign_passport()).await.unwrap();
    let c = app.crm.get_client(&Actor::System, c.id).await.unwrap();
    assert_eq!(c.foreign_passport_expires_on, Some(foreign_passport().expires_on), "{}", app.backend);
    let raw: Option<String> = sqlx::query_scalar("SELECT foreign_passport_expires_on FROM clients WHERE id = $1")
        .bind(c.id.0)
        .fetch_one(app.crm.store().pool())
        .await
        .unwrap();
    assert_eq!(raw.as_deref(), Some("2030-02-01"));
});

fn json<T: serde::Serialize>(view: &T) -> String {
    serde_json::to_string(view).unwrap()
}

/// What must not reach a role that sees no documents, in any view: the numbers, the foreign
/// passport's expiry (kept in clear for the reminder) and even which documents are on file.
fn document_traces(view: &str) -> Vec<String> {
    let expiry = foreign_passport().expires_on.to_string();
    let kinds = ["\"internal_passport\"", "\"foreign_passport\"", "\"payment_details\""];
    SECRETS
        .iter()
        .chain(&[expiry.as_str()])
        .chain(&kinds)
        .filter(|n| view.contains(**n))
        .map(|n| n.to_string())
        .collect()
}

each_backend!(the_accountant_sees_no_document_data_in_any_view, |app| {
    let agent = app.actor("anna", Role::Agent).await;
    let operator = app.actor("oleg", Role::Operator).await;
    let admin = app.actor("boss", Role::Admin).await;
    let accountant = app.actor("buh", Role::Accountant).await;
    let c = app.client("+7 912 345-67-89", Some(&agent)).await;
    app.put_all_documents(c.id).await;
    let (_, departure) = app.published_tour(&operator, 10).await;
    let booking = app.crm.create_booking(&agent, crate::sales::request(&c, departure, 1)).await.unwrap().booking.id;
    let signed = crm::domain::BookingStatus::ContractSigned;
    app.crm.change_booking_status(&agent, booking, signed, "договор подписан в офисе").await.unwrap();
    let payment = crm::services::PaymentInput {
        booking_id: booking,
        amount: crm::domain::Money::new(1_000_000, crm::domain::Currency::RUB),
        method: crm::domain::PaymentMethod::Cash,
        external_id: None,
        note: String::new(),
    };
    app.crm.record_client_payment(&accountant, payment).await.unwrap();

    // Every view of a client or a booking the accountant may open, as its service returns it.
    let views = |who: Actor| {
        let crm = app.crm.clone();
        async move {
            let by_name = crm::Crm::search_filter("иванова");
            let operations = crm::services::OperationFilter { limit: 50, ..Default::default() };
            let bookings = crm::services::BookingFilter { limit: 50, ..Default::default() };
            vec![
                ("get_client", json(&crm.get_client(&who, c.id).await.unwrap())),
                ("client_card", json(&crm.client_card(&who, c.id).await.unwrap())),
                ("list_clients", json(&crm.list_clients(&who, crm::Crm::search_filter("")).await.unwrap())),
                ("search_clients", json(&crm.list_clients(&who, by_name).await.unwrap())),
                ("list_bookings", json(&crm.list_bookings(&who, bookings).await.unwrap())),
                ("booking_card", json(&crm.booking_card(&who, booking).await.unwrap())),
                ("list_operations", json(&crm.list_operations(&who, operations).await.unwrap())),
            ]
        }
    };
    for (view, seen) in views(accountant).await {
        assert_eq!(document_traces(&seen), Vec::<String>::new(), "{}: the accountant's {view}: {seen}", app.backend);
    }
    // The same views show the admin what the card is for: the rule hides, the data is there.
    let admin_views: std::collections::HashMap<_, _> = views(admin).await.into_iter().collect();
    let expiry = foreign_passport().expires_on.to_string();
    for view in ["get_client", "client_card", "list_clients", "search_clients"] {
        assert!(admin_views[view].contains(&expiry), "{}: the admin's {view}", app.backend);
    }
    assert!(admin_views["client_card"].contains("\"foreign_passport\""));
    let card = app.crm.client_card(&accountant, c.id).await.unwrap();
    assert_eq!(card.documents_on_file, None);
    assert_eq!(card.client.foreign_passport_expires_on, None);
    assert!(matches!(app.crm.open_documents(&accountant, c.id).await, Err(Error::Forbidden(_))));
});

// An address an earlier version kept in clear is sealed at start and the clear row removed;
// one typed again meanwhile (already sealed) is kept, not overwritten by the old one.
each_backend!(addresses_kept_in_clear_by_an_earlier_version_are_sealed, |app| {
    let agent = app.actor("anna", Role::Agent).await;
    let old = app.client("+7 912 345-67-89", Some(&agent)).await;
    let retyped = app.client("+7 912 345-67-90", Some(&agent)).await;
    app.crm.set_client_address(&agent, retyped.id, "630132, г. Новосибирск, ул. Новая, д. 1").await.unwrap();
    let pool = app.crm.store().pool();
    for (client, address) in
        [(old.id, "630132, г. Новосибирск, ул. Дачная, д. 3"), (retyped.id, "старый адрес в открытом виде")]
    {
        sqlx::query("INSERT INTO client_addresses (client_id, address, updated_by, updated_at) VALUES ($1, $2, 'v1', '2026-01-01T00:00:00.000000Z')")
            .bind(client.0)
            .bind(address)
            .execute(pool)
            .await
            .unwrap();
    }
    assert_eq!(app.crm.seal_clear_addresses().await.unwrap(), 1, "{}", app.backend);
    assert_eq!(app.crm.seal_clear_addresses().await.unwrap(), 0, "a second start finds nothing");
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM client_addresses").fetch_one(pool).await.unwrap();
    assert_eq!(left, 0);
    // Gone from the file too (SQLite overwrites what it deletes and the log is emptied).
    let chunks = stored_bytes(&app).await;
    assert!(!chunks.iter().any(|b| contains(b, "Дачная")), "{}: the clear address lingers", app.backend);
    let address = app.crm.client_address(&agent, old.id).await.unwrap();
    assert_eq!(address.as_deref(), Some("630132, г. Новосибирск, ул. Дачная, д. 3"));
    let kept = app.crm.client_address(&agent, retyped.id).await.unwrap();
    assert_eq!(kept.as_deref(), Some("630132, г. Новосибирск, ул. Новая, д. 1"));
});

each_backend!(an_expired_foreign_passport_on_the_card_is_saved_with_a_warning, |app| {
    let agent = app.actor("anna", Role::Agent).await;
    let client = app.client("+7 912 345-67-89", Some(&agent)).await;
    let today = app.crm.today();
    let expired = crm::domain::ForeignPassport::parse(
        "75 1234567",
        chrono::NaiveDate::from_ymd_opt(2010, 2, 1).unwrap(),
        chrono::NaiveDate::from_ymd_opt(2020, 2, 1).unwrap(),
        "МВД 77001",
        "IVANOVA MARIIA",
        today,
    )
    .unwrap();
    let doc = crm::domain::TravellerDocument::ForeignPassport(expired);
    let saved = app.crm.put_client_document(&agent, client.id, &doc).await.unwrap();
    let said: Vec<String> = saved.warnings.iter().map(|w| w.message_ru()).collect();
    assert!(said.iter().any(|w| w.starts_with("Срок действия загранпаспорта истёк 01.02.2020")), "{said:?}");
    // Saved all the same: the warning never stops it.
    assert!(app.crm.client_document_kinds(&Actor::System, client.id).await.unwrap().identity());
});
