//! The cost of a document: the tour sale contract for a booking of two, rendered to HTML and a
//! PDF with its font subset. Prints the time per contract through the service (reading the
//! booking, opening and auditing the passports, rendering) and for the rendering alone (the
//! sandbox's HTML, the layout and the PDF), with the PDF's size; a passport saved while the
//! client's documents are open for signing (each checked, and made anew when it changed); and a
//! payment's QR code. Asserts nothing about time.
//!
//! `cargo bench --bench documents` (env `BENCH_DOCUMENTS`, default 200).

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "common/catalog.rs"]
mod catalog;

use chrono::NaiveDate;
use crm::Actor;
use crm::domain::{BirthDate, InternalPassport, PersonName, Role};
use crm::services::{
    AgencyRequisites, BookingRequest, DocKind, DocSubject, NewTraveller, OperatorRegistry, SecurityKind,
};
use std::time::Instant;
use testkit::{Backend, TestCrm, new_client};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let n: u32 = std::env::var("BENCH_DOCUMENTS").ok().and_then(|v| v.parse().ok()).unwrap_or(200);
    let app = TestCrm::spawn(Backend::Sqlite).await;
    let crm = &app.crm;
    let sys = Actor::System;
    let tour = catalog::published_tour(crm).await;
    let requisites = AgencyRequisites {
        legal_form: "ООО".into(),
        name: "Солнечный берег".into(),
        inn: "7707083893".into(),
        ogrn: "1027700132195".into(),
        address: "630099, г. Новосибирск, ул. Ленина, д. 12".into(),
        city: "Новосибирск".into(),
        phone: "+7 383 200-00-00".into(),
        email: "office@sunshore.example".into(),
        bank_account: "40702810938000000001".into(),
        bik: "044525225".into(),
        bank_name: "ПАО Сбербанк".into(),
        corr_account: "30101810400000000225".into(),
        director: "генерального директора Петрова Петра Петровича".into(),
    };
    crm.save_agency_requisites(&sys, &requisites).await.unwrap();
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
    let registry = OperatorRegistry {
        full_name: "Общество с ограниченной ответственностью «Горизонт Тур»".into(),
        address: "119019, г. Москва, ул. Арбат, д. 1".into(),
        inn: "7714698320".into(),
        registry_number: "РТО 012345".into(),
        security_kind: SecurityKind::Insurance,
        security_amount: 5_000_000_000,
        security_number: "ГО-2027/7".into(),
        security_date: day(2026, 12, 1),
        security_from: day(2027, 1, 1),
        security_until: day(2027, 12, 31),
        guarantor_name: "АО «Страховая компания»".into(),
        guarantor_address: "125009, г. Москва, ул. Тверская, д. 7".into(),
    };
    let operator = crm.operator_registry(&sys).await.unwrap().remove(0).operator.id;
    crm.save_operator_registry(&sys, operator, &registry).await.unwrap();
    let client = crm.register_client(&sys, new_client("Иванова Мария Петровна", "+79123456789")).await.unwrap();
    let passport = InternalPassport::parse(
        "4508",
        "613729",
        day(2010, 1, 15).unwrap(),
        "ОВД Тверского района",
        Some("770-001"),
        crm.today(),
    )
    .unwrap();
    crm.put_internal_passport(&sys, client.id, &passport).await.unwrap();
    crm.set_client_address(&sys, client.id, "630132, г. Новосибирск, ул. Дачная, д. 3, кв. 14").await.unwrap();
    let departure = crm.tour_card(&sys, tour).await.unwrap().departures[0].id;
    let request = BookingRequest {
        client_id: client.id,
        departure_id: departure,
        travellers_count: 2,
        client_travels: true,
        companions: vec![NewTraveller {
            full_name: PersonName::parse("Иванов Пётр Сергеевич").unwrap(),
            birth_date: BirthDate::parse("14.02.1985", crm.today()).unwrap(),
        }],
        rooms: vec![],
        notes: String::new(),
        request_key: None,
    };
    let booking = crm.create_booking(&sys, request).await.unwrap().booking.id;
    let subject = DocSubject::Booking(booking);
    let agent = Actor::staff(app.add_staff("anna", Role::Admin).await.staff.id, Role::Admin);

    let started = Instant::now();
    let mut bytes = 0;
    for _ in 0..n {
        bytes += crm.render_document(&agent, DocKind::Contract, subject).await.unwrap().pdf.len();
    }
    let per = started.elapsed() / n;
    println!("documents: contract through the service: {per:?} each over {n} ({} KiB PDF)", bytes / n as usize / 1024);

    let ctx = crm.document_variables(&agent, DocKind::Contract, subject).await.unwrap();
    let template = crm::paperwork::compile(DocKind::Contract, DocKind::Contract.default_source()).unwrap();
    let started = Instant::now();
    for _ in 0..n {
        crm::paperwork::render(DocKind::Contract, &template, 1, "Договор".into(), &ctx, Vec::new()).unwrap();
    }
    let per = started.elapsed() / n;
    println!("documents: contract rendered (HTML, layout, PDF with the font subset): {per:?} each over {n}");

    // Saving the client's passport checks each of the client's unsigned copies against the data
    // (`signing::stale`): rendered again and compared, made anew where it changed.
    crm.issue_document(&agent, DocKind::Contract, subject).await.unwrap();
    let open = crm.client_documents(&agent, client.id).await.unwrap().iter().filter(|d| d.state.signable()).count();
    let started = Instant::now();
    for _ in 0..n {
        let remade = crm.put_internal_passport(&agent, client.id, &passport).await.unwrap();
        assert!(remade.is_empty());
    }
    let per = started.elapsed() / n;
    println!("documents: the same passport saved again, {open} open copies checked, none made anew: {per:?} each");
    let corrected = InternalPassport { number: "613730".into(), ..passport.clone() };
    let started = Instant::now();
    for i in 0..n {
        let now = if i % 2 == 0 { &corrected } else { &passport };
        let remade = crm.put_internal_passport(&agent, client.id, now).await.unwrap();
        assert!(!remade.is_empty());
    }
    let per = started.elapsed() / n;
    println!("documents: a corrected passport saved, {open} open copies checked and made anew: {per:?} each");

    // The QR codes a payment is sent with: a provider's link, and the bank transfer's payload
    // (the longest the bot draws).
    let link = "https://yoomoney.ru/checkout/payments/v2/contract?orderId=2e8c1f2a-000f-5000-9000-1b68e7b15f3f";
    let purpose = crm::bank_transfer::purpose(booking, "Иванова Мария Петровна");
    let transfer = crm::bank_transfer::payload(
        &requisites,
        &purpose,
        crm::domain::Money::new(10_150_000, crm::domain::Currency::RUB),
    )
    .unwrap();
    for (what, payload) in [("a payment link", link), ("a bank transfer", transfer.as_str())] {
        let started = Instant::now();
        let mut bytes = 0;
        for _ in 0..n {
            bytes += crm::qr::png(payload).unwrap().len();
        }
        let per = started.elapsed() / n;
        println!(
            "documents: QR code of {what} ({} bytes): {per:?} each over {n} ({} bytes PNG)",
            payload.len(),
            bytes / n as usize
        );
    }
}
