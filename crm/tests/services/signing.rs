//! Signing documents: issue, read, accept the agreement, the one-time code, the signature and
//! its evidence; each refusal changes nothing (but a wrong code's attempt); tampering with the
//! stored copy or the evidence is caught.

use crate::each_backend;
use crate::helpers::{TestApp, internal_passport, new_client};
use crate::paperwork::{agency, pdf_text, registry};
use crate::sales::request;
use chrono::Duration;
use crm::domain::{BookingId, BookingStatus, IssuedDocumentId, Role};
use crm::services::notify::OutgoingMessage;
use crm::services::{CODE_MAX_ATTEMPTS, Client, DocKind, DocSubject, DocumentState, Evidence, SigningRefusal};
use crm::{Actor, Error};
use testkit::ClaimOne;

const TELEGRAM_ID: i64 = 700_100;

/// The operator's registry number, as the contract states it.
const REGISTRY: &str = "РТО 012345";

struct Setup {
    agent: Actor,
    /// The tour's operator, whose registry data the contract states.
    operator: crm::domain::StaffId,
    client: Client,
    booking: BookingId,
}

impl TestApp {
    async fn booked(&self, phone: &str, telegram_id: i64) -> Setup {
        self.booked_with(phone, telegram_id, true).await
    }

    async fn booked_with(&self, phone: &str, telegram_id: i64, with_passport: bool) -> Setup {
        self.booked_for(phone, telegram_id, with_passport, 1).await
    }

    /// A booking for `travellers` people, of whom only the client is entered.
    async fn booked_for(&self, phone: &str, telegram_id: i64, with_passport: bool, travellers: i64) -> Setup {
        // Staff names take letters only: the id spelt in letters keeps each setup's staff apart.
        let tag: String = telegram_id.to_string().chars().map(|d| (b'a' + d as u8 - b'0') as char).collect();
        let operator = self.staff(&format!("op{tag}"), Role::Operator).await;
        let admin = self.actor(&format!("ad{tag}"), Role::Admin).await;
        let agent = self.actor(&format!("ag{tag}"), Role::Agent).await;
        // What the contract needs besides the booking: the agency's requisites, the operator's
        // registry data, the client's passport and address.
        self.crm.save_agency_requisites(&admin, &agency()).await.unwrap();
        self.crm.save_operator_registry(&admin, operator.id, &registry()).await.unwrap();
        let mut new = new_client("Иванова Мария Петровна", phone);
        new.telegram_id = Some(telegram_id);
        let client = self.crm.register_client(&agent, new).await.unwrap();
        if with_passport {
            self.crm.put_internal_passport(&agent, client.id, &internal_passport()).await.unwrap();
        }
        self.crm.set_client_address(&agent, client.id, "630132, г. Новосибирск, ул. Дачная, д. 3").await.unwrap();
        let operator = Actor::staff(operator.id, Role::Operator);
        let (_, dep) = self.published_tour(&operator, 10).await;
        let card = self.crm.create_booking(&agent, request(&client, dep, travellers)).await.unwrap();
        // The first booking issued the personal-data consent: its message is not what these
        // tests follow.
        self.outgoing().await;
        Setup { agent, operator: operator.staff_id().unwrap(), client, booking: card.booking.id }
    }

    async fn issue(&self, s: &Setup) -> IssuedDocumentId {
        let line = self.crm.issue_document(&s.agent, DocKind::Contract, DocSubject::Booking(s.booking)).await;
        line.unwrap().document.id
    }

    /// Claims every due message (the sender's part), oldest first.
    async fn outgoing(&self) -> Vec<OutgoingMessage> {
        let mut out = Vec::new();
        while let Some(m) = self.crm.claim_outgoing(&Actor::System).await.unwrap() {
            out.push(m);
        }
        out
    }

    /// The code the client received in Telegram.
    async fn code_sent(&self) -> String {
        let msgs = self.outgoing().await;
        let body = &msgs.last().expect("a code message").body;
        let digits: String = body.split(|c: char| !c.is_ascii_digit()).find(|w| w.len() == 6).unwrap().into();
        assert_eq!(digits.len(), 6, "{body}");
        digits
    }

    async fn status(&self, s: &Setup) -> BookingStatus {
        self.crm.booking_card(&s.agent, s.booking).await.unwrap().booking.status
    }

    async fn signatures(&self) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM document_signatures").fetch_one(self.crm.store().pool()).await.unwrap()
    }
}

fn refusal<T: std::fmt::Debug>(r: crm::Result<T>) -> SigningRefusal {
    match r {
        Err(Error::Signing(s)) => s,
        other => panic!("expected a signing refusal, got {other:?}"),
    }
}

each_backend!(a_contract_is_issued_read_and_signed_with_the_code_and_the_booking_moves, |app| {
    let s = app.booked("+79120000001", TELEGRAM_ID).await;
    let client = Actor::Client(s.client.id);
    let id = app.issue(&s).await;

    // The client gets the document through the outbox, its PDF attached and checked.
    let msgs = app.outgoing().await;
    let doc_msg = msgs.iter().find(|m| m.document.is_some()).expect("the document's message");
    assert_eq!(doc_msg.chat_id, TELEGRAM_ID);
    let attached = doc_msg.document.as_ref().unwrap();
    assert_eq!(attached.id, id);
    // The copy sent is the PDF the template renders for this booking, byte for byte.
    let rendered = app.crm.render_document(&s.agent, DocKind::Contract, DocSubject::Booking(s.booking)).await.unwrap();
    assert_eq!(crm::crypto::sha256_hex(&attached.pdf), rendered.sha256);
    assert!(rendered.missing.is_empty(), "{:?}", rendered.missing);

    let view = app.crm.open_for_signing(&client, id).await.unwrap();
    assert!(view.html.contains(REGISTRY));
    assert!(view.agreement_needed);
    assert_eq!(view.document.state, DocumentState::Opened);
    assert_eq!(refusal(app.crm.send_signing_code(&client, id).await), SigningRefusal::AgreementRequired);

    app.crm.accept_signature_agreement(&client, &Evidence::chat()).await.unwrap();
    app.crm.accept_signature_agreement(&client, &Evidence::chat()).await.unwrap();
    assert!(!app.crm.open_for_signing(&client, id).await.unwrap().agreement_needed, "accepted once");

    app.crm.send_signing_code(&client, id).await.unwrap();
    let code = app.code_sent().await;
    // The code lies nowhere in clear: not in the outbox, not in the codes.
    let leaked: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE body LIKE $1 OR CAST(sealed_body AS TEXT) LIKE $1")
            .bind(format!("%{code}%"))
            .fetch_one(app.crm.store().pool())
            .await
            .unwrap();
    assert_eq!(leaked, 0, "{}", app.backend);
    let in_codes: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sign_codes WHERE code_hash LIKE $1")
        .bind(format!("%{code}%"))
        .fetch_one(app.crm.store().pool())
        .await
        .unwrap();
    assert_eq!(in_codes, 0);

    let wrong = if code == "000000" { "111111" } else { "000000" };
    let mini_app = Evidence::mini_app(Some("203.0.113.7".into()), Some("TelegramBot WebView".into()));
    assert_eq!(
        refusal(app.crm.sign_with_code(&client, id, wrong, &mini_app).await),
        SigningRefusal::CodeWrong { left: CODE_MAX_ATTEMPTS - 1 }
    );
    assert_eq!(app.status(&s).await, BookingStatus::ContractPending, "a wrong code signs nothing");
    assert_eq!(refusal(app.crm.sign_with_code(&client, id, "12a", &mini_app).await), SigningRefusal::CodeFormat);

    let signed = app.crm.sign_with_code(&client, id, &format!(" {code} "), &mini_app).await.unwrap();
    assert_eq!(signed.state, DocumentState::Signed);
    assert_eq!(app.status(&s).await, BookingStatus::ContractSigned, "{}", app.backend);
    let history = app.crm.booking_card(&s.agent, s.booking).await.unwrap().history;
    assert!(history.iter().any(|h| h.to == BookingStatus::ContractSigned), "{history:?}");
    // The client's history tells of the move like any other, from the client.
    let told = app.crm.client_history(&s.agent, s.client.id, 50).await.unwrap();
    let moved = told.iter().find(|i| i.body.contains("→ «договор подписан»")).expect("the move in the history");
    assert_eq!((moved.booking_id, moved.direction), (Some(s.booking), crm::domain::Direction::In), "{moved:?}");

    let ev = app.crm.document_signature(&s.agent, id).await.unwrap().expect("evidence");
    assert_eq!(ev.telegram_id, TELEGRAM_ID);
    assert_eq!(ev.phone, s.client.phone);
    assert_eq!(ev.attempts, 2);
    assert_eq!(ev.template_version, "1");
    assert_eq!(ev.sha256, signed.document.sha256);
    assert_eq!(ev.ip.as_deref(), Some("203.0.113.7"));
    assert_eq!(ev.user_agent.as_deref(), Some("TelegramBot WebView"));
    assert_eq!(ev.signed_at, app.crm.now());
    assert_eq!(ev.code_hash.len(), 64);

    // The same code again: the document is signed, nothing more happens.
    assert_eq!(
        refusal(app.crm.sign_with_code(&client, id, &code, &mini_app).await),
        SigningRefusal::NotSignable(DocumentState::Signed)
    );
    assert_eq!(app.signatures().await, 1);

    // The signed copy: the client, the agent and the admin read it; the accountant never.
    let admin = app.actor("root", Role::Admin).await;
    for who in [&client, &s.agent, &admin] {
        let (_, pdf) = app.crm.document_pdf(who, id).await.unwrap();
        assert_eq!(crm::crypto::sha256_hex(&pdf), ev.sha256);
        if let Some(text) = pdf_text(&pdf) {
            assert!(text.contains(REGISTRY), "{text}");
        }
    }
    let accountant = app.actor("buh", Role::Accountant).await;
    assert!(matches!(app.crm.document_pdf(&accountant, id).await, Err(Error::Forbidden(_))));
    assert!(app.crm.booking_documents(&accountant, s.booking).await.unwrap().is_empty());
    let listed = app.crm.booking_documents(&s.agent, s.booking).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].state, DocumentState::Signed);
    // The client's documents: the contract and the consent the first booking issued.
    let kinds: Vec<DocKind> =
        app.crm.client_documents(&s.agent, s.client.id).await.unwrap().iter().map(|d| d.document.kind).collect();
    assert_eq!(kinds, [DocKind::Contract, DocKind::PersonalDataConsent]);
    // A signed contract is never reissued.
    let again = app.crm.issue_document(&s.agent, DocKind::Contract, DocSubject::Booking(s.booking)).await;
    assert!(matches!(again, Err(Error::Signing(SigningRefusal::BookingMoved | SigningRefusal::AlreadySigned))));
});

each_backend!(only_the_client_it_was_issued_to_signs_it, |app| {
    let s = app.booked("+79120000002", TELEGRAM_ID).await;
    let id = app.issue(&s).await;
    let other = app.client("+79120000003", Some(&s.agent)).await;
    let intruder = Actor::Client(other.id);
    assert_eq!(refusal(app.crm.open_for_signing(&intruder, id).await), SigningRefusal::NotYours);
    assert_eq!(refusal(app.crm.send_signing_code(&intruder, id).await), SigningRefusal::NotYours);
    assert_eq!(
        refusal(app.crm.sign_with_code(&intruder, id, "123456", &Evidence::chat()).await),
        SigningRefusal::NotYours
    );
    assert!(matches!(
        app.crm.sign_with_code(&s.agent, id, "123456", &Evidence::chat()).await,
        Err(Error::Forbidden(_))
    ));
    let stranger_agent = app.actor("boris", Role::Agent).await;
    assert!(matches!(app.crm.document_pdf(&stranger_agent, id).await, Err(Error::Forbidden(_))));
    assert!(matches!(
        app.crm.issue_document(&stranger_agent, DocKind::Contract, DocSubject::Booking(s.booking)).await,
        Err(Error::Forbidden(_))
    ));
});

/// The client has accepted the agreement and has a code in hand.
async fn ready_to_sign(app: &TestApp, s: &Setup, id: IssuedDocumentId) -> String {
    let client = Actor::Client(s.client.id);
    app.crm.open_for_signing(&client, id).await.unwrap();
    app.crm.accept_signature_agreement(&client, &Evidence::chat()).await.unwrap();
    app.crm.send_signing_code(&client, id).await.unwrap();
    app.code_sent().await
}

each_backend!(a_code_expires_after_ten_minutes_and_a_new_one_works, |app| {
    let s = app.booked("+79120000004", TELEGRAM_ID).await;
    let client = Actor::Client(s.client.id);
    let id = app.issue(&s).await;
    let code = ready_to_sign(&app, &s, id).await;
    assert_eq!(refusal(app.crm.send_signing_code(&client, id).await), SigningRefusal::CodeTooSoon);
    app.clock.advance(Duration::minutes(10));
    assert_eq!(
        refusal(app.crm.sign_with_code(&client, id, &code, &Evidence::chat()).await),
        SigningRefusal::CodeExpired
    );
    assert_eq!(app.status(&s).await, BookingStatus::ContractPending);
    app.crm.send_signing_code(&client, id).await.unwrap();
    let fresh = app.code_sent().await;
    if fresh != code {
        assert_eq!(
            refusal(app.crm.sign_with_code(&client, id, &code, &Evidence::chat()).await),
            SigningRefusal::CodeWrong { left: CODE_MAX_ATTEMPTS - 1 },
            "the old code was replaced"
        );
    }
    app.crm.sign_with_code(&client, id, &fresh, &Evidence::chat()).await.unwrap();
    assert_eq!(app.status(&s).await, BookingStatus::ContractSigned);
});

each_backend!(five_wrong_codes_spend_the_code_and_even_the_right_one_is_refused, |app| {
    let s = app.booked("+79120000005", TELEGRAM_ID).await;
    let client = Actor::Client(s.client.id);
    let id = app.issue(&s).await;
    let code = ready_to_sign(&app, &s, id).await;
    // Guesses that are surely wrong: codes other than the one sent.
    let guesses: Vec<String> =
        (0..1_000_000).map(|n| format!("{n:06}")).filter(|g| *g != code).take(CODE_MAX_ATTEMPTS as usize).collect();
    for (i, g) in guesses.iter().enumerate() {
        let left = CODE_MAX_ATTEMPTS - 1 - i as i64;
        let expected = if left > 0 { SigningRefusal::CodeWrong { left } } else { SigningRefusal::CodeExhausted };
        assert_eq!(refusal(app.crm.sign_with_code(&client, id, g, &Evidence::chat()).await), expected);
    }
    assert_eq!(
        refusal(app.crm.sign_with_code(&client, id, &code, &Evidence::chat()).await),
        SigningRefusal::CodeExhausted
    );
    assert_eq!(app.signatures().await, 0);
    app.clock.advance(Duration::seconds(61));
    app.crm.send_signing_code(&client, id).await.unwrap();
    let fresh = app.code_sent().await;
    app.crm.sign_with_code(&client, id, &fresh, &Evidence::chat()).await.unwrap();
    assert_eq!(app.crm.document_signature(&client, id).await.unwrap().unwrap().attempts, 1);
});

each_backend!(a_changed_copy_is_refused_and_nothing_is_signed, |app| {
    let s = app.booked("+79120000006", TELEGRAM_ID).await;
    let client = Actor::Client(s.client.id);
    let id = app.issue(&s).await;
    let code = ready_to_sign(&app, &s, id).await;
    let pool = app.crm.store().pool();

    // One flipped byte of the sealed PDF.
    let (pdf,): (Vec<u8>,) = sqlx::query_as("SELECT pdf FROM document_copies WHERE document_id = $1")
        .bind(id.0)
        .fetch_one(pool)
        .await
        .unwrap();
    let mut bad = pdf.clone();
    let last = bad.len() - 1;
    bad[last] ^= 1;
    sqlx::query("UPDATE document_copies SET pdf = $1 WHERE document_id = $2")
        .bind(bad)
        .bind(id.0)
        .execute(pool)
        .await
        .unwrap();
    assert_eq!(
        refusal(app.crm.sign_with_code(&client, id, &code, &Evidence::chat()).await),
        SigningRefusal::DocumentChanged
    );
    assert_eq!(refusal(app.crm.document_pdf(&s.agent, id).await), SigningRefusal::DocumentChanged);
    assert_eq!(refusal(app.crm.open_for_signing(&client, id).await), SigningRefusal::DocumentChanged);
    assert_eq!(app.status(&s).await, BookingStatus::ContractPending);
    assert_eq!(app.signatures().await, 0);

    // Another document's copy put in its place: sealed for another row, it does not open.
    let s2 = app.booked("+79120000007", TELEGRAM_ID + 1).await;
    let other = app.issue(&s2).await;
    sqlx::query(
        "UPDATE document_copies SET pdf = (SELECT pdf FROM document_copies WHERE document_id = $1), \
         html = (SELECT html FROM document_copies WHERE document_id = $1) WHERE document_id = $2",
    )
    .bind(other.0)
    .bind(id.0)
    .execute(pool)
    .await
    .unwrap();
    assert_eq!(
        refusal(app.crm.sign_with_code(&client, id, &code, &Evidence::chat()).await),
        SigningRefusal::DocumentChanged
    );
    // The original back: it signs (the code was not spent by the refusals).
    sqlx::query("UPDATE document_copies SET pdf = $1 WHERE document_id = $2")
        .bind(pdf)
        .bind(id.0)
        .execute(pool)
        .await
        .unwrap();
    let refused = app.crm.sign_with_code(&client, id, &code, &Evidence::chat()).await;
    assert_eq!(refusal(refused), SigningRefusal::DocumentChanged, "the html is still the other one's");
    let refusals: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'document.sign_refused'")
        .fetch_one(pool)
        .await
        .unwrap();
    assert!(refusals >= 3, "each refusal is in the log: {refusals}");
});

each_backend!(the_evidence_cannot_be_edited_or_deleted, |app| {
    let s = app.booked("+79120000008", TELEGRAM_ID).await;
    let client = Actor::Client(s.client.id);
    let id = app.issue(&s).await;
    let code = ready_to_sign(&app, &s, id).await;
    app.crm.sign_with_code(&client, id, &code, &Evidence::chat()).await.unwrap();
    let pool = app.crm.store().pool();
    for sql in [
        "UPDATE issued_documents SET sha256 = 'forged' WHERE id = $1",
        "DELETE FROM issued_documents WHERE id = $1",
        "UPDATE document_signatures SET phone = '+70000000000' WHERE document_id = $1",
        "DELETE FROM document_signatures WHERE document_id = $1",
        "DELETE FROM document_events WHERE document_id = $1",
        "DELETE FROM document_copies WHERE document_id = $1",
    ] {
        let r = sqlx::query(sql).bind(id.0).execute(pool).await;
        assert!(r.is_err(), "{} allowed: {sql}", app.backend);
    }
    let r = sqlx::query("UPDATE es_agreements SET version = '0' WHERE client_id = $1")
        .bind(s.client.id.0)
        .execute(pool)
        .await;
    assert!(r.is_err(), "{}", app.backend);
});

each_backend!(reissuing_supersedes_the_unsigned_copy_and_its_message_is_not_sent, |app| {
    let s = app.booked("+79120000009", TELEGRAM_ID).await;
    let client = Actor::Client(s.client.id);
    let first = app.issue(&s).await;
    let second = app.issue(&s).await;
    let docs = app.crm.booking_documents(&s.agent, s.booking).await.unwrap();
    let state_of = |id: IssuedDocumentId| docs.iter().find(|d| d.document.id == id).unwrap().state;
    assert_eq!(state_of(first), DocumentState::Superseded);
    assert_eq!(state_of(second), DocumentState::Issued);
    let sent = app.outgoing().await;
    let with_docs: Vec<_> = sent.iter().filter_map(|m| m.document.as_ref()).map(|d| d.id).collect();
    assert_eq!(with_docs, vec![second], "the superseded copy's message is skipped");
    app.crm.accept_signature_agreement(&client, &Evidence::chat()).await.unwrap();
    assert_eq!(
        refusal(app.crm.send_signing_code(&client, first).await),
        SigningRefusal::NotSignable(DocumentState::Superseded)
    );
});

each_backend!(a_document_not_signed_in_time_expires, |app| {
    let s = app.booked("+79120000010", TELEGRAM_ID).await;
    let client = Actor::Client(s.client.id);
    let id = app.issue(&s).await;
    app.crm.accept_signature_agreement(&client, &Evidence::chat()).await.unwrap();
    app.clock.advance(Duration::days(crm::services::SIGN_WINDOW_DAYS));
    assert_eq!(
        refusal(app.crm.send_signing_code(&client, id).await),
        SigningRefusal::NotSignable(DocumentState::Expired)
    );
    assert_eq!(app.crm.issued_document(&s.agent, id).await.unwrap().state, DocumentState::Expired);
});

each_backend!(a_contract_for_more_travellers_than_entered_cannot_be_signed_until_the_agent_adds_them, |app| {
    let s = app.booked_for("+79120000012", TELEGRAM_ID, true, 2).await;
    let client = Actor::Client(s.client.id);
    let first = app.issue(&s).await;
    let line = app.crm.issued_document(&s.agent, first).await.unwrap();
    assert!(line.document.missing.contains("внесены 1 из 2"), "{}", line.document.missing);
    // The missing traveller is the agent's part; the companion's passport would be the client's.
    let (by_client, by_agency) = crm::services::missing_parts(&line.document.missing);
    assert_eq!(by_agency, ["сведения о туристах (внесены 1 из 2, их добавляет агент)"], "{by_client:?}");
    app.crm.accept_signature_agreement(&client, &Evidence::chat()).await.unwrap();
    assert_eq!(refusal(app.crm.send_signing_code(&client, first).await), SigningRefusal::DataMissing);
    // The agent adds the companion and issues the contract again: it names both travellers.
    let companion = crm::services::NewTraveller {
        full_name: crm::domain::PersonName::parse("Иванов Сергей Олегович").unwrap(),
        birth_date: crm::domain::BirthDate::parse("10.10.1988", app.crm.today()).unwrap(),
    };
    app.crm.add_traveller(&s.agent, s.booking, companion).await.unwrap();
    let second = app.issue(&s).await;
    let line = app.crm.issued_document(&s.agent, second).await.unwrap();
    assert!(!line.document.missing.contains("сведения о туристах"), "{}", line.document.missing);
    let pdf = app.crm.document_pdf(&s.agent, second).await.unwrap().1;
    if let Some(text) = pdf_text(&pdf) {
        assert!(text.contains("Иванов Сергей Олегович"), "the companion is in the contract: {text}");
    }
});

each_backend!(missing_passport_data_is_entered_by_the_client_and_the_document_made_anew, |app| {
    let s = app.booked_with("+79120000011", TELEGRAM_ID, false).await;
    let client = Actor::Client(s.client.id);
    let first = app.issue(&s).await;
    let line = app.crm.issued_document(&client, first).await.unwrap();
    assert!(!line.document.missing.is_empty(), "the passport is missing");
    app.crm.accept_signature_agreement(&client, &Evidence::chat()).await.unwrap();
    assert_eq!(refusal(app.crm.send_signing_code(&client, first).await), SigningRefusal::DataMissing);
    // The client enters their passport (a wrong series is refused by its type before), and
    // the contract is made anew with it.
    app.crm.put_internal_passport(&client, s.client.id, &internal_passport()).await.unwrap();
    let second = app.crm.current_copy(&client, first).await.unwrap();
    assert!(second.document.missing.is_empty(), "{}", second.document.missing);
    assert_eq!(second.document.supersedes, Some(first));
    assert_eq!(app.crm.issued_document(&client, first).await.unwrap().state, DocumentState::Superseded);
    app.crm.send_signing_code(&client, second.document.id).await.unwrap();
    let code = app.code_sent().await;
    app.crm.sign_with_code(&client, second.document.id, &code, &Evidence::chat()).await.unwrap();
    assert_eq!(app.status(&s).await, BookingStatus::ContractSigned);
});

/// The client's passport as corrected by the agent: another number.
fn corrected_passport() -> crm::domain::InternalPassport {
    let issued = chrono::NaiveDate::from_ymd_opt(2010, 1, 15).unwrap();
    let today = crate::helpers::t0().date_naive();
    crm::domain::InternalPassport::parse("45 08", "765432", issued, "ОВД Тверского района", Some("770-001"), today)
        .unwrap()
}

each_backend!(a_copy_whose_data_the_agent_corrects_is_made_anew_and_the_old_one_cannot_be_signed, |app| {
    let s = app.booked("+79120000013", TELEGRAM_ID).await;
    let client = Actor::Client(s.client.id);
    let first = app.issue(&s).await;
    app.outgoing().await;
    // A typo in the passport found after the contract was sent: the agent corrects it.
    app.crm.put_internal_passport(&s.agent, s.client.id, &corrected_passport()).await.unwrap();
    let now = app.crm.current_copy(&client, first).await.unwrap();
    assert_ne!(now.document.id, first, "{}", app.backend);
    assert_eq!(now.document.supersedes, Some(first));
    assert!(now.document.missing.is_empty(), "{}", now.document.missing);
    assert_eq!(app.crm.issued_document(&client, first).await.unwrap().state, DocumentState::Superseded);
    let pdf = app.crm.document_pdf(&s.agent, now.document.id).await.unwrap().1;
    if let Some(text) = pdf_text(&pdf) {
        assert!(text.contains("765432"), "the corrected number is in the contract: {text}");
    }
    // The client is told the copy was made anew (the consent, which states the passport too,
    // is made anew with it).
    let sent = app.outgoing().await;
    let contract = sent.iter().find(|m| m.document.as_ref().is_some_and(|d| d.id == now.document.id));
    assert!(contract.expect("the new copy is sent").body.contains("составлен заново"), "{sent:?}");
    app.crm.accept_signature_agreement(&client, &Evidence::chat()).await.unwrap();
    assert_eq!(
        refusal(app.crm.send_signing_code(&client, first).await),
        SigningRefusal::NotSignable(DocumentState::Superseded)
    );
    // Saving the same passport again changes nothing the copy states: no new copy.
    app.crm.put_internal_passport(&s.agent, s.client.id, &corrected_passport()).await.unwrap();
    assert_eq!(app.crm.current_copy(&client, first).await.unwrap().document.id, now.document.id);
    assert!(app.outgoing().await.is_empty());
});

each_backend!(a_copy_made_stale_where_nothing_remakes_it_is_refused_at_signing_and_made_anew, |app| {
    let s = app.booked("+79120000014", TELEGRAM_ID).await;
    let client = Actor::Client(s.client.id);
    let first = app.issue(&s).await;
    app.crm.accept_signature_agreement(&client, &Evidence::chat()).await.unwrap();
    app.crm.send_signing_code(&client, first).await.unwrap();
    let code = app.code_sent().await;
    // The agency moves office after the code was sent: the contract states the old address.
    let admin = app.actor("movesoffice", Role::Admin).await;
    let moved = crm::services::AgencyRequisites {
        address: "630091, г. Новосибирск, Красный проспект, д. 50".into(),
        ..agency()
    };
    app.crm.save_agency_requisites(&admin, &moved).await.unwrap();
    let e = app.crm.sign_with_code(&client, first, &code, &Evidence::chat()).await;
    assert_eq!(refusal(e), SigningRefusal::Outdated, "{}", app.backend);
    assert_eq!(app.signatures().await, 0);
    assert_eq!(app.status(&s).await, BookingStatus::ContractPending);
    let now = app.crm.current_copy(&client, first).await.unwrap();
    assert_ne!(now.document.id, first);
    assert!(app.outgoing().await.iter().any(|m| m.document.as_ref().is_some_and(|d| d.id == now.document.id)));
    // The new copy states the new address and is signed.
    app.crm.send_signing_code(&client, now.document.id).await.unwrap();
    let code = app.code_sent().await;
    app.crm.sign_with_code(&client, now.document.id, &code, &Evidence::chat()).await.unwrap();
    assert_eq!(app.status(&s).await, BookingStatus::ContractSigned);
});

each_backend!(a_copy_that_lacked_data_and_still_lacks_some_is_not_made_anew_for_each_piece, |app| {
    let s = app.booked_for("+79120000015", TELEGRAM_ID, false, 2).await;
    let client = Actor::Client(s.client.id);
    let first = app.issue(&s).await;
    // The companion is added: the contract still lacks their passport and the client's.
    let companion = crm::services::NewTraveller {
        full_name: crm::domain::PersonName::parse("Иванов Сергей Олегович").unwrap(),
        birth_date: crm::domain::BirthDate::parse("10.10.1988", app.crm.today()).unwrap(),
    };
    app.crm.add_traveller(&s.agent, s.booking, companion).await.unwrap();
    assert_eq!(app.crm.current_copy(&client, first).await.unwrap().document.id, first, "{}", app.backend);
    // The client's passport: the companion's is still missing, so still the same copy.
    app.crm.put_internal_passport(&client, s.client.id, &internal_passport()).await.unwrap();
    assert_eq!(app.crm.current_copy(&client, first).await.unwrap().document.id, first);
});

each_backend!(the_agent_hears_once_in_telegram_when_the_client_signs, |app| {
    let s = app.booked("+79120000031", TELEGRAM_ID).await;
    let Actor::Staff { id: agent_id, .. } = s.agent else { panic!("the agent is staff") };
    let admin = app.actor("boss", Role::Admin).await;
    let token = app.crm.new_invite(&admin, agent_id).await.unwrap();
    app.crm.redeem_invite(&Actor::Telegram(888_031), &token, None).await.unwrap();
    let client = Actor::Client(s.client.id);

    // The contract: the booking's agent is told, with the booking and its new status.
    let id = app.issue(&s).await;
    app.outgoing().await;
    let code = ready_to_sign(&app, &s, id).await;
    app.crm.sign_with_code(&client, id, &code, &Evidence::chat()).await.unwrap();
    let sent = app.outgoing().await;
    let to_agent: Vec<_> = sent.iter().filter(|m| m.chat_id == 888_031).collect();
    assert_eq!(to_agent.len(), 1, "{sent:?}");
    let note = &to_agent[0].body;
    assert!(note.contains("Иванова Мария Петровна подписал(а) договор"), "{note}");
    assert!(note.contains(&format!("№{}", s.booking.0)) && note.contains("«договор подписан»"), "{note}");
    assert!(to_agent[0].document.is_none() && !to_agent[0].advertising);
    // The client still gets their own message of the move.
    assert!(sent.iter().any(|m| m.chat_id == TELEGRAM_ID), "{sent:?}");

    // The personal-data consent the booking issued: the client's agent is told of it too.
    let docs = app.crm.client_documents(&s.agent, s.client.id).await.unwrap();
    let consent = docs.iter().find(|d| d.document.kind == DocKind::PersonalDataConsent).unwrap().document.id;
    app.clock.advance(Duration::seconds(61));
    app.crm.open_for_signing(&client, consent).await.unwrap();
    app.crm.send_signing_code(&client, consent).await.unwrap();
    let code = app.code_sent().await;
    app.crm.sign_with_code(&client, consent, &code, &Evidence::chat()).await.unwrap();
    let sent = app.outgoing().await;
    let notes: Vec<_> = sent.iter().filter(|m| m.chat_id == 888_031).map(|m| m.body.as_str()).collect();
    assert_eq!(notes.len(), 1, "{sent:?}");
    assert!(notes[0].starts_with("✍️ Иванова Мария Петровна подписал(а) «"), "{}", notes[0]);

    // Refused again, nothing more is queued.
    assert!(app.crm.sign_with_code(&client, consent, &code, &Evidence::chat()).await.is_err());
    assert!(app.outgoing().await.is_empty());
});

each_backend!(a_contract_the_operators_financial_security_does_not_cover_cannot_be_signed, |app| {
    let s = app.booked("+79120000032", TELEGRAM_ID).await;
    let client = Actor::Client(s.client.id);
    // The admin entered next year's guarantee early: on the contract's date it is not in force.
    let admin = app.actor("nextyear", Role::Admin).await;
    let next_year = crm::services::OperatorRegistry {
        security_from: chrono::NaiveDate::from_ymd_opt(2027, 1, 1),
        security_until: chrono::NaiveDate::from_ymd_opt(2027, 12, 31),
        ..registry()
    };
    app.crm.save_operator_registry(&admin, s.operator, &next_year).await.unwrap();
    let id = app.issue(&s).await;
    let doc = app.crm.issued_document(&s.agent, id).await.unwrap().document;
    assert!(
        doc.missing.contains("финансовое обеспечение туроператора, действующее на дату договора 25.11.2026 (внесено с 01.01.2027 по 31.12.2027"),
        "{}",
        doc.missing
    );
    // It is the agency's to enter, not the client's: the client is not sent a copy to sign yet.
    let (by_client, by_agency) = crm::services::missing_parts(&doc.missing);
    assert!(by_client.is_empty() && by_agency.len() == 1, "{by_client:?} {by_agency:?}");
    let sent = app.outgoing().await;
    assert!(sent.iter().all(|m| m.document.is_none()), "{sent:?}");
    app.crm.open_for_signing(&client, id).await.unwrap();
    app.crm.accept_signature_agreement(&client, &Evidence::chat()).await.unwrap();
    assert_eq!(refusal(app.crm.send_signing_code(&client, id).await), SigningRefusal::DataMissing);
    // The guarantee in force is entered: the contract is made anew by itself, complete, sent
    // to the client, and signed.
    app.crm.save_operator_registry(&admin, s.operator, &registry()).await.unwrap();
    let again = app.crm.current_copy(&client, id).await.unwrap().document;
    assert_ne!(again.id, id, "made anew without the agent issuing it");
    assert!(again.missing.is_empty(), "{}", again.missing);
    let sent = app.outgoing().await;
    assert!(sent.iter().any(|m| m.document.as_ref().is_some_and(|d| d.id == again.id)), "{sent:?}");
    let again = again.id;
    let code = ready_to_sign(&app, &s, again).await;
    app.crm.sign_with_code(&client, again, &code, &Evidence::chat()).await.unwrap();
    assert_eq!(app.status(&s).await, BookingStatus::ContractSigned);
});
