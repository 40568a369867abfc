//! Consents issued for signing at registration or the first booking, whichever comes first
//! (issue #13), and the registration's yes/no answers carrying the question's version and hash.

use crate::each_backend;
use crate::helpers::{TestApp, new_client};
use crate::paperwork::agency;
use crate::sales::request;
use crm::domain::Role;
use crm::services::notify::OutgoingMessage;
use crm::services::{AuditFilter, DocKind, ShownText};
use crm::{Actor, Conflict};
use testkit::ClaimOne;

impl TestApp {
    /// Claims every due message, oldest first.
    async fn consent_outbox(&self) -> Vec<OutgoingMessage> {
        let mut out = Vec::new();
        while let Some(m) = self.crm.claim_outgoing(&Actor::System).await.unwrap() {
            out.push(m);
        }
        out
    }

    async fn issued_count(&self) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM issued_documents").fetch_one(self.crm.store().pool()).await.unwrap()
    }

    async fn with_requisites(&self) {
        let admin = self.actor("consentadmin", Role::Admin).await;
        self.crm.save_agency_requisites(&admin, &agency()).await.unwrap();
    }
}

each_backend!(registering_issues_the_consents_once_and_records_the_question_shown, |app| {
    app.with_requisites().await;
    let tg = Actor::Telegram(5151);
    let mut new = new_client("Орлова Ольга Игоревна", "+7 912 345-67-89");
    new.telegram_id = Some(5151);
    new.personal_data_consent = true;
    new.marketing_consent = true;
    let client = app.crm.register_client(&tg, new).await.unwrap();
    let issued = app.crm.ensure_consent(&tg, client.id).await.unwrap();
    let kinds: Vec<DocKind> = issued.iter().map(|d| d.document.kind).collect();
    assert_eq!(kinds, [DocKind::PersonalDataConsent, DocKind::MarketingConsent], "{}", app.backend);
    // The advertising consent names only the person: it lacks nothing without the address and
    // passport, which the personal-data consent states.
    assert!(!issued[0].document.missing.is_empty());
    assert_eq!(issued[1].document.missing, "", "{}", app.backend);
    let sent = app.consent_outbox().await;
    let docs: Vec<_> = sent.iter().filter_map(|m| m.document.as_ref()).collect();
    assert_eq!(docs.len(), 2, "both consents go to the client: {sent:?}");
    assert!(sent.iter().all(|m| m.chat_id == 5151));
    // Again (a repeated registration effect), then the first booking: nothing new.
    assert!(app.crm.ensure_consent(&tg, client.id).await.unwrap().is_empty());
    let operator = app.actor("consentop", Role::Operator).await;
    let (_, dep) = app.published_tour(&operator, 10).await;
    // The client books themself (no agent is theirs yet).
    app.crm.create_booking(&Actor::Client(client.id), request(&client, dep, 1)).await.unwrap();
    assert_eq!(app.issued_count().await, 2, "{}", app.backend);
    let agent = app.actor("consentboss", Role::Admin).await;
    assert!(app.consent_outbox().await.iter().all(|m| m.document.is_none()));

    // The address and passport entered: only the consent that states them is made anew.
    app.crm.put_internal_passport(&agent, client.id, &crate::helpers::internal_passport()).await.unwrap();
    let remade = app.crm.set_client_address(&agent, client.id, "630132, г. Новосибирск, ул. Дачная, д. 3").await;
    let kinds: Vec<DocKind> = remade.unwrap().iter().map(|d| d.document.kind).collect();
    assert_eq!(kinds, [DocKind::PersonalDataConsent], "{}", app.backend);
    app.consent_outbox().await;

    // The registration's answers carry the version and hash of the texts shown.
    let card = app.crm.client_card(&agent, client.id).await.unwrap();
    let pd = ShownText::personal_data();
    let mk = ShownText::marketing();
    let events: Vec<_> =
        card.consent_history.iter().map(|e| (e.kind.as_str(), e.text_version.clone(), e.text_sha256.clone())).collect();
    assert_eq!(
        events,
        [
            ("personal_data", Some(pd.version.clone()), Some(pd.sha256.clone())),
            ("marketing", Some(mk.version.clone()), Some(mk.sha256.clone())),
        ]
    );
    assert_eq!(pd.sha256, crm::crypto::sha256_hex(pd.text.as_bytes()));
    assert!(pd.version.ends_with(&pd.sha256[..12]), "{}", pd.version);
    // A change made by staff later answered no question of ours: no text recorded.
    app.crm.set_marketing_consent(&agent, client.id, false).await.unwrap();
    let card = app.crm.client_card(&agent, client.id).await.unwrap();
    let last = card.consent_history.last().unwrap();
    assert_eq!((last.granted, last.text_version.as_deref()), (false, None));
});

each_backend!(a_first_booking_issues_the_consent_and_the_second_none, |app| {
    app.with_requisites().await;
    let agent = app.actor("consentag", Role::Agent).await;
    let client = app.crm.register_client(&agent, new_client("Петров Пётр Петрович", "+7 913 111-22-33")).await.unwrap();
    assert_eq!(app.issued_count().await, 0, "staff registration issues nothing itself");
    let operator = app.actor("consentop", Role::Operator).await;
    let (_, dep) = app.published_tour(&operator, 10).await;
    app.crm.create_booking(&agent, request(&client, dep, 1)).await.unwrap();
    let docs = app.crm.client_documents(&agent, client.id).await.unwrap();
    let kinds: Vec<DocKind> = docs.iter().map(|d| d.document.kind).collect();
    assert_eq!(kinds, [DocKind::PersonalDataConsent], "no marketing consent without the opt-in: {}", app.backend);
    app.crm.create_booking(&agent, request(&client, dep, 1)).await.unwrap();
    assert_eq!(app.issued_count().await, 1, "{}", app.backend);
});

each_backend!(without_requisites_nothing_is_issued_and_nothing_fails, |app| {
    let tg = Actor::Telegram(5252);
    let mut new = new_client("Сидорова Анна Ивановна", "+7 914 222-33-44");
    new.telegram_id = Some(5252);
    new.personal_data_consent = true;
    let client = app.crm.register_client(&tg, new).await.unwrap();
    assert!(app.crm.ensure_consent(&tg, client.id).await.unwrap().is_empty());
    // The reason is the missing requisites: issuing directly says so.
    let direct = app.crm.issue_document(&Actor::System, DocKind::PersonalDataConsent, client_subject(&client)).await;
    assert!(matches!(direct, Err(crm::Error::Conflict(Conflict::AgencyRequisitesMissing))), "{direct:?}");
    // Nothing could be made, so the client's documents were not opened (nor their reading audited).
    let filter = AuditFilter { action: Some("document.read".into()), limit: 10, ..Default::default() };
    assert!(app.crm.audit_log(&Actor::System, &filter).await.unwrap().is_empty(), "{}", app.backend);
    let agent = Actor::Client(client.id);
    let operator = app.actor("consentop", Role::Operator).await;
    let (_, dep) = app.published_tour(&operator, 10).await;
    app.crm.create_booking(&agent, request(&client, dep, 1)).await.unwrap();
    assert_eq!(app.issued_count().await, 0, "{}", app.backend);
    // Once the requisites are entered, the next booking issues it.
    app.with_requisites().await;
    app.crm.create_booking(&agent, request(&client, dep, 1)).await.unwrap();
    assert_eq!(app.issued_count().await, 1, "{}", app.backend);
});

each_backend!(someone_elses_telegram_account_issues_nothing, |app| {
    app.with_requisites().await;
    let mut new = new_client("Орлова Ольга Игоревна", "+7 912 345-67-89");
    new.telegram_id = Some(5353);
    new.personal_data_consent = true;
    let client = app.crm.register_client(&Actor::Telegram(5353), new).await.unwrap();
    let other = app.crm.ensure_consent(&Actor::Telegram(5454), client.id).await;
    assert!(matches!(other, Err(crm::Error::Forbidden(_))), "{other:?}");
    assert_eq!(app.issued_count().await, 0);
});

fn client_subject(c: &crm::services::Client) -> crm::services::DocSubject {
    crm::services::DocSubject::Client(c.id)
}
