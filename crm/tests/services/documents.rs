//! Personal documents: sealed before they reach the database, opened only by the right people,
//! every opening audited.

use crate::each_backend;
use crate::helpers::{
    CARD_NUMBER, FOREIGN_NUMBER, INTERNAL_NUMBER, SERIES, TestApp, card, foreign_passport, internal_passport,
};
use crm::domain::{ClientId, Role};
use crm::services::Documents;
use crm::store::audit::AuditFilter;
use crm::{Actor, Error};

const SECRETS: [&str; 4] = [SERIES, INTERNAL_NUMBER, FOREIGN_NUMBER, CARD_NUMBER];

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

fn all_documents() -> Documents {
    Documents {
        internal_passport: Some(internal_passport()),
        foreign_passport: Some(foreign_passport()),
        payment_details: Some(card()),
    }
}

/// Every byte the database holds that could carry a document: the SQLite file and its WAL, or
/// on PostgreSQL the envelopes and every other column of the tables near them, as text.
async fn stored_bytes(app: &TestApp) -> Vec<Vec<u8>> {
    if app.backend == "sqlite" {
        let mut out = vec![std::fs::read(&app.location).unwrap()];
        if let Ok(wal) = std::fs::read(format!("{}-wal", app.location)) {
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
        "SELECT to_jsonb(a)::text FROM audit_log a",
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
    let chunks = stored_bytes(&app).await;
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
    assert_eq!(log[0].details.as_deref(), Some("internal_passport,foreign_passport,payment_details"));
    let card_view = app.crm.client_card(&agent, c.id).await.unwrap();
    assert_eq!(card_view.documents_on_file, ["foreign_passport", "internal_passport", "payment_details"]);
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
