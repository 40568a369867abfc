//! Documents from templates: the contract states every essential term of 132-FZ art. 10 from a
//! real booking, the consent the items of 152-FZ art. 9 part 4, the PDF reads back with its
//! Cyrillic text; templates missing a required term or trying to reach outside are refused.

use crate::each_backend;
use crate::helpers::{INTERNAL_NUMBER, SERIES, TestApp, internal_passport};
use crate::sales::request;
use chrono::NaiveDate;
use crm::domain::{BirthDate, InternalPassport, Invalid, PersonName, Role, StaffId, TravellerDocument};
use crm::services::{
    AgencyRequisites, AuditFilter, DocKind, DocSubject, NewTraveller, OperatorRegistry, RenderedDocument,
};
use crm::{Actor, Conflict, Error};

// Shared with the panel's and the end-to-end tests (signing needs documents too).
pub use testkit::{agency, registry};

/// What a document's PDF says, read by `pdftotext` (poppler-utils), with spacing normalised;
/// `None` where it is not installed, except under CI, which must have it.
pub fn pdf_text(pdf: &[u8]) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("doc.pdf");
    std::fs::write(&file, pdf).unwrap();
    match std::process::Command::new("pdftotext").arg("-enc").arg("UTF-8").arg(&file).arg("-").output() {
        Ok(out) => {
            assert!(out.status.success(), "pdftotext: {}", String::from_utf8_lossy(&out.stderr));
            Some(normalised(&String::from_utf8(out.stdout).unwrap()))
        }
        Err(_) if std::env::var_os("CI").is_some() => panic!("CI must have pdftotext (poppler-utils)"),
        Err(_) => {
            eprintln!("pdftotext is not installed: the PDF's text is not read back (apt-get install poppler-utils)");
            None
        }
    }
}

pub fn normalised(s: &str) -> String {
    s.replace('\u{a0}', " ").split_whitespace().collect::<Vec<_>>().join(" ")
}

pub struct Sale {
    pub agent: Actor,
    pub admin: Actor,
    pub booking: crm::domain::BookingId,
    pub client: crm::domain::ClientId,
}

impl TestApp {
    /// A booking of two (the client and a companion) on an excursion tour whose operator's
    /// registry data, the agency's requisites, the client's passport and address are on file.
    pub async fn documented_sale(&self) -> Sale {
        let admin = self.actor("boss", Role::Admin).await;
        let operator = self.staff("oleg", Role::Operator).await;
        let operator_actor = Actor::staff(operator.id, Role::Operator);
        let agent = self.actor("anna", Role::Agent).await;
        self.crm.save_agency_requisites(&admin, &agency()).await.unwrap();
        self.crm.save_operator_registry(&admin, operator.id, &registry()).await.unwrap();
        let client = self.client("+79123456789", Some(&agent)).await;
        self.crm.put_internal_passport(&agent, client.id, &internal_passport()).await.unwrap();
        self.crm
            .set_client_address(&agent, client.id, "630132, г. Новосибирск, ул. Дачная, д. 3, кв. 14")
            .await
            .unwrap();
        let (_, dep) = self.published_tour(&operator_actor, 10).await;
        let mut req = request(&client, dep, 2);
        req.companions = vec![NewTraveller {
            full_name: PersonName::parse("Иванов Пётр Сергеевич").unwrap(),
            birth_date: BirthDate::parse("14.02.1985", self.crm.today()).unwrap(),
        }];
        let card = self.crm.create_booking(&agent, req).await.unwrap();
        Sale { agent, admin, booking: card.booking.id, client: client.id }
    }
}

fn assert_states(doc: &RenderedDocument, text: &str, terms: &[&str], backend: impl std::fmt::Display) {
    for term in terms {
        assert!(text.contains(term), "{backend}: {} does not state «{term}»", doc.kind.code());
    }
}

each_backend!(the_contract_states_every_essential_term_from_the_booking, |app| {
    let sale = app.documented_sale().await;
    let doc = app.crm.render_document(&sale.agent, DocKind::Contract, DocSubject::Booking(sale.booking)).await.unwrap();
    assert_eq!((doc.kind, doc.template_version), (DocKind::Contract, 1));
    assert!(doc.title.starts_with("Договор о реализации туристского продукта №"), "{}", doc.title);
    let terms = [
        // The operator, its registry number and financial security (132-FZ art. 10, 17.1).
        "Общество с ограниченной ответственностью «Горизонт Тур»",
        "119019, г. Москва, ул. Арбат, д. 1",
        "РТО 012345",
        "банковская гарантия",
        "БГ-2026/118",
        "от 01.12.2025",
        "с 01.01.2026 по 31.12.2036",
        "50 000 000 ₽",
        "АО «Надёжный банк»",
        "125009, г. Москва, ул. Тверская, д. 7",
        // The agent.
        "ООО «Солнечный берег»",
        "ИНН 7707083893",
        "ОГРН 1027700132195",
        "40702810938000000001",
        // The tourist and the travellers.
        "Иванова Мария Петровна",
        &format!("серия {SERIES} № {INTERNAL_NUMBER}"),
        "Иванов Пётр Сергеевич",
        "14.02.1985",
        // The price in rubles and the payment schedule.
        "100 000 ₽",
        "Предоплата",
        "Доплата",
        // The tour's properties: route, programme, services, extras.
        "Алтай: золотые горы",
        "Горно-Алтайск",
        "Остров Патмос",
        "Авторский маршрут с гидом",
        "сопровождение гида",
        "перелёт",
        // Rights, liability, change and termination, claims, the financial security's claims.
        "Права и обязанности сторон",
        "Ответственность сторон",
        "Изменение и расторжение договора",
        "Претензии",
        "требований о выплате по финансовому обеспечению",
    ];
    let html = crate::paperwork::normalised(&doc.html.replace("&#x2f;", "/"));
    assert_states(&doc, &html, &terms, app.backend);
    // The companion's passport is not on file yet: said, and left blank for the hand.
    assert_eq!(doc.missing, vec!["паспорт РФ туриста Иванов Пётр Сергеевич".to_owned()], "{}", app.backend);
    let travellers = app.crm.booking_card(&sale.agent, sale.booking).await.unwrap().travellers;
    let companion = travellers.iter().find(|t| t.full_name == "Иванов Пётр Сергеевич").unwrap();
    let passport = InternalPassport::parse(
        "5011",
        "204060",
        NaiveDate::from_ymd_opt(2015, 6, 1).unwrap(),
        "ГУ МВД России по Новосибирской области",
        Some("540-001"),
        app.crm.today(),
    )
    .unwrap();
    let passport = TravellerDocument::InternalPassport(passport);
    app.crm.put_traveller_document(&sale.agent, companion.id, &passport).await.unwrap();
    let doc = app.crm.render_document(&sale.agent, DocKind::Contract, DocSubject::Booking(sale.booking)).await.unwrap();
    assert!(doc.missing.is_empty(), "{}: {:?}", app.backend, doc.missing);
    assert!(doc.html.contains("серия 5011 № 204060"), "{}: the companion's passport", app.backend);

    // Deterministic: the same data and template give the same bytes, so the hash detects change.
    let again =
        app.crm.render_document(&sale.admin, DocKind::Contract, DocSubject::Booking(sale.booking)).await.unwrap();
    assert_eq!(again.sha256, doc.sha256, "{}", app.backend);
    assert_eq!(doc.sha256.len(), 64);
    assert!(doc.pdf.starts_with(b"%PDF-"));

    if let Some(text) = pdf_text(&doc.pdf) {
        for term in [
            "Иванова Мария Петровна",
            "Иванов Пётр Сергеевич",
            "РТО 012345",
            "100 000",
            "Горизонт Тур",
            "Страница 1 из",
        ] {
            assert!(text.contains(term), "{}: the PDF's text lacks «{term}»:\n{text}", app.backend);
        }
    }
});

each_backend!(the_consents_state_what_152_fz_and_38_fz_ask, |app| {
    let sale = app.documented_sale().await;
    let subject = DocSubject::Client(sale.client);
    let doc = app.crm.render_document(&sale.agent, DocKind::PersonalDataConsent, subject).await.unwrap();
    assert!(doc.missing.is_empty(), "{}: {:?}", app.backend, doc.missing);
    let html = crate::paperwork::normalised(&doc.html);
    let terms = [
        // The subject: name, address, identity document's number, date and issuer.
        "Иванова Мария Петровна",
        "630132, г. Новосибирск, ул. Дачная, д. 3, кв. 14",
        &format!("№ {SERIES} {INTERNAL_NUMBER}"),
        "выдан 15.01.2010",
        "ОВД Тверского района",
        // The operator of personal data.
        "ООО «Солнечный берег»",
        "630099, г. Новосибирск, ул. Ленина, д. 12, офис 5",
        // Purpose, list of data, actions, methods, term and withdrawal, signature.
        "Цель обработки",
        "Перечень персональных данных",
        "Перечень действий",
        "способов обработки",
        "Срок действия согласия",
        "может быть отозвано",
        "Подпись субъекта",
    ];
    assert_states(&doc, &html, &terms, app.backend);
    if let Some(text) = pdf_text(&doc.pdf) {
        assert!(text.contains("Иванова Мария Петровна") && text.contains("СОГЛАСИЕ НА ОБРАБОТКУ"), "{text}");
    }
    let marketing = app.crm.render_document(&sale.agent, DocKind::MarketingConsent, subject).await.unwrap();
    assert!(marketing.html.contains("38-ФЗ") && marketing.html.contains("+7 912 345-67-89"));
    assert_ne!(marketing.sha256, doc.sha256, "a separate document");
    // A contract needs a booking.
    let no = app.crm.render_document(&sale.agent, DocKind::Contract, subject).await;
    assert!(matches!(no, Err(Error::NotFound(_))), "{no:?}");
});

each_backend!(a_template_without_a_mandatory_term_is_refused_with_the_term_named, |app| {
    let sale = app.documented_sale().await;
    let subject = DocSubject::Booking(sale.booking);
    let without = DocKind::Contract.default_source().replace("{{ operator.registry_number }}", "");
    let e = app.crm.save_document_template(&sale.admin, DocKind::Contract, &without, subject).await.unwrap_err();
    let Error::Template(e) = e else { panic!("{e:?}") };
    assert!(e.0.contains("реестровый номер туроператора"), "{}: {e}", app.backend);
    let no_claims = DocKind::Contract.default_source().replace("Претензи", "Жалоб").replace("претензи", "жалоб");
    let e = app.crm.save_document_template(&sale.admin, DocKind::Contract, &no_claims, subject).await.unwrap_err();
    assert!(matches!(&e, Error::Template(t) if t.0.contains("о претензиях")), "{e:?}");
    let consent = DocKind::PersonalDataConsent.default_source().replace("{{ client.address }}", "");
    let e = app
        .crm
        .save_document_template(&sale.admin, DocKind::PersonalDataConsent, &consent, DocSubject::Client(sale.client))
        .await
        .unwrap_err();
    assert!(matches!(&e, Error::Template(t) if t.0.contains("адрес клиента")), "{e:?}");
    // Nothing was saved.
    let versions = app.crm.document_template_versions(&sale.admin, DocKind::Contract).await.unwrap();
    assert_eq!(versions.len(), 1, "{}", app.backend);
});

each_backend!(unsafe_templates_are_refused_and_values_are_escaped, |app| {
    let sale = app.documented_sale().await;
    let subject = DocSubject::Booking(sale.booking);
    let base = DocKind::Contract.default_source();
    for (attempt, because) in [
        (format!("{{% include \"/etc/passwd\" %}}{base}"), "include"),
        (format!("{{{{ get_env(name=\"TOURCRM_MASTER_KEY\") }}}}{base}"), "функций нет"),
        (format!("{{% extends \"base.html\" %}}{base}"), "extends"),
        (format!("{{% set x = 1 %}}{base}"), "set"),
        (base.replace("<body>", "<body><script>alert(1)</script>"), "«script»"),
        (base.replace("<body>", "<body><img src=\"file:///etc/passwd\">"), "«img»"),
        (format!("{{{{ client.full_name | safe }}}}{base}"), "«safe»"),
    ] {
        let e = app.crm.preview_document_template(&sale.admin, DocKind::Contract, &attempt, subject).await;
        assert!(matches!(&e, Err(Error::Template(t)) if t.0.contains(because)), "{}: {because}: {e:?}", app.backend);
    }
    // A value with markup stays text.
    app.crm.set_client_address(&sale.agent, sale.client, "г. Новосибирск, ул. <b>Ленина</b>, д. 1").await.unwrap();
    let doc = app
        .crm
        .render_document(&sale.agent, DocKind::PersonalDataConsent, DocSubject::Client(sale.client))
        .await
        .unwrap();
    assert!(doc.html.contains("&lt;b&gt;Ленина&lt;&#x2f;b&gt;"), "{}", app.backend);
    // Only the admin edits templates.
    let e = app.crm.preview_document_template(&sale.agent, DocKind::Contract, base, subject).await;
    assert!(matches!(e, Err(Error::Forbidden(_))));
});

each_backend!(a_saved_template_is_a_new_version_and_old_versions_render_as_issued, |app| {
    let sale = app.documented_sale().await;
    let subject = DocSubject::Booking(sale.booking);
    let first = app.crm.render_document(&sale.agent, DocKind::Contract, subject).await.unwrap();
    let edited = DocKind::Contract
        .default_source()
        .replace("<h2>11. Заключительные положения</h2>", "<h2>11. Прочие условия</h2>");
    let preview = app.crm.preview_document_template(&sale.admin, DocKind::Contract, &edited, subject).await.unwrap();
    assert!(preview.html.contains("Прочие условия") && preview.template_version == 2);
    let saved = app.crm.save_document_template(&sale.admin, DocKind::Contract, &edited, subject).await.unwrap();
    assert_eq!(saved.version, 2);
    let same = app.crm.save_document_template(&sale.admin, DocKind::Contract, &edited, subject).await;
    assert!(matches!(same, Err(Error::Conflict(Conflict::NoChange(_)))), "{same:?}");
    let now = app.crm.render_document(&sale.agent, DocKind::Contract, subject).await.unwrap();
    assert_eq!(now.template_version, 2);
    assert_ne!(now.sha256, first.sha256);
    let as_issued = app.crm.render_document_version(&sale.agent, DocKind::Contract, 1, subject).await.unwrap();
    assert_eq!(as_issued.sha256, first.sha256, "{}", app.backend);
    let versions = app.crm.document_template_versions(&sale.admin, DocKind::Contract).await.unwrap();
    assert_eq!(versions.iter().map(|v| v.version).collect::<Vec<_>>(), vec![2, 1]);
    let log = app.crm.audit_log(&Actor::System, &AuditFilter { limit: 200, ..Default::default() }).await.unwrap();
    assert!(log.iter().any(|e| e.action == "document_template.save" && e.entity_id.as_deref() == Some("contract")));
});

each_backend!(requisites_are_checked_field_by_field_and_needed_before_any_document, |app| {
    let admin = app.actor("boss", Role::Admin).await;
    let agent = app.actor("anna", Role::Agent).await;
    let client = app.client("+79123456789", Some(&agent)).await;
    let none = app.crm.render_document(&agent, DocKind::PersonalDataConsent, DocSubject::Client(client.id)).await;
    assert!(matches!(none, Err(Error::Conflict(Conflict::AgencyRequisitesMissing))), "{none:?}");

    let wrong_inn = AgencyRequisites { inn: "7707083894".into(), ..agency() };
    let e = app.crm.save_agency_requisites(&admin, &wrong_inn).await.unwrap_err();
    assert!(matches!(e, Error::InvalidField { field: "ИНН", why: Invalid::InnChecksum }), "{e:?}");
    assert!(e.refusal_ru().unwrap().starts_with("«ИНН»: ИНН не проходит проверку"));
    let wrong_account = AgencyRequisites { bank_account: "40702810938000000002".into(), ..agency() };
    let e = app.crm.save_agency_requisites(&admin, &wrong_account).await.unwrap_err();
    assert!(matches!(e, Error::InvalidField { why: Invalid::AccountChecksum, .. }), "{e:?}");
    assert!(matches!(app.crm.save_agency_requisites(&agent, &agency()).await, Err(Error::Forbidden(_))));
    assert_eq!(app.crm.agency_requisites(&admin).await.unwrap(), None, "nothing saved");
    app.crm.save_agency_requisites(&admin, &agency()).await.unwrap();
    assert_eq!(app.crm.agency_requisites(&admin).await.unwrap(), Some(agency()));

    let bad = OperatorRegistry { registry_number: "12".into(), ..registry() };
    let operator = app.staff("oleg", Role::Operator).await;
    let e = app.crm.save_operator_registry(&admin, operator.id, &bad).await.unwrap_err();
    assert!(matches!(e, Error::InvalidField { why: Invalid::RegistryNumber, .. }), "{e:?}");
    let not_operator = app.crm.save_operator_registry(&admin, agent.staff_id().unwrap(), &registry()).await;
    assert!(matches!(not_operator, Err(Error::NotFound(_))));
    let missing = app.crm.save_operator_registry(&admin, StaffId(9999), &registry()).await;
    assert!(matches!(missing, Err(Error::NotFound(_))));
    app.crm.save_operator_registry(&admin, operator.id, &registry()).await.unwrap();
    let listed = app.crm.operator_registry(&admin).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].registry.as_ref().map(|r| r.registry_number.as_str()), Some("РТО 012345"));
    let log = app.crm.audit_log(&Actor::System, &AuditFilter { limit: 200, ..Default::default() }).await.unwrap();
    assert!(log.iter().any(|e| e.action == "agency.requisites"), "{}", app.backend);
    assert!(log.iter().any(|e| e.action == "operator.registry"), "{}", app.backend);
});
