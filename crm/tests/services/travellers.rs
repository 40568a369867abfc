//! The travellers of a booking and their documents: the client first, companions up to the
//! booked count, documents sealed, every opening audited, warnings shown, scope enforced.

use crate::each_backend;
use crate::helpers::{FOREIGN_NUMBER, TestApp, foreign_passport, internal_passport, t0};
use chrono::{Duration, NaiveDate};
use crm::domain::{
    BirthCertificate, BirthDate, BookingId, BookingStatus, DepartureId, DocKind, DocWarning, ForeignPassport, Invalid,
    PersonName, Role, TravellerDocument, TravellerId,
};
use crm::services::{AuditFilter, NewTraveller};
use crm::{Actor, Conflict, Error};

const CHILD_CERT_NUMBER: &str = "583920";
const COMPANION_PASSPORT: &str = "759876543";

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn person(name: &str, born: &str) -> NewTraveller {
    NewTraveller {
        full_name: PersonName::parse(name).unwrap(),
        birth_date: BirthDate::parse(born, t0().date_naive()).unwrap(),
    }
}

fn companion_passport(latin: &str, expires: NaiveDate) -> TravellerDocument {
    TravellerDocument::ForeignPassport(
        ForeignPassport::parse(COMPANION_PASSPORT, d(2021, 5, 1), expires, "МВД 54001", latin, t0().date_naive())
            .unwrap(),
    )
}

fn child_certificate() -> TravellerDocument {
    TravellerDocument::BirthCertificate(
        BirthCertificate::parse(
            "IV-МЮ",
            CHILD_CERT_NUMBER,
            d(2019, 6, 1),
            "Отдел ЗАГС Новосибирска",
            t0().date_naive(),
        )
        .unwrap(),
    )
}

impl TestApp {
    /// A published tour to `country` with one departure a month from now (back 6 days later).
    async fn tour_to(&self, operator: &Actor, country: &str) -> DepartureId {
        let mut input = crate::sales::excursion("Тур", 50_000);
        input.country = country.into();
        let card = self.crm.create_tour(operator, input).await.unwrap();
        let start = self.crm.today() + Duration::days(30);
        let dep = self.crm.add_departure(operator, card.tour.id, start, start + Duration::days(6), 20).await.unwrap();
        self.crm.publish_tour(operator, card.tour.id).await.unwrap();
        dep.id
    }

    /// An agent, their client and a booking for `seats` to `country`.
    async fn booking_to(&self, country: &str, seats: i64) -> (Actor, Actor, BookingId) {
        let operator = self.actor("oleg", Role::Operator).await;
        let agent = self.actor("anna", Role::Agent).await;
        let client = self.client("+7 912 345-67-89", Some(&agent)).await;
        let dep = self.tour_to(&operator, country).await;
        let card = self.crm.create_booking(&agent, crate::sales::request(&client, dep, seats)).await.unwrap();
        (agent, Actor::Client(client.id), card.booking.id)
    }

    async fn audit_count(&self, action: &str) -> usize {
        let log = self.crm.audit_log(&Actor::System, &AuditFilter { limit: 500, ..Default::default() }).await.unwrap();
        log.iter().filter(|e| e.action == action).count()
    }
}

each_backend!(the_client_travels_first_and_companions_fill_only_the_booked_seats, |app| {
    let (agent, _, booking) = app.booking_to("Россия", 3).await;
    let list = app.crm.travellers(&agent, booking).await.unwrap();
    assert_eq!(list.travellers.len(), 1);
    assert!(list.travellers[0].is_client);
    assert_eq!(list.travellers[0].traveller.full_name, "Иванова Мария Петровна");
    assert!(list.can_add && !list.abroad);

    let son = app.crm.add_traveller(&agent, booking, person("Иванов Пётр Сергеевич", "01.02.2015")).await.unwrap();
    app.crm.add_traveller(&agent, booking, person("Иванов Сергей Олегович", "10.10.1988")).await.unwrap();
    let full = app.crm.add_traveller(&agent, booking, person("Петрова Анна Ивановна", "01.01.1990")).await;
    match full {
        Err(Error::Conflict(c @ Conflict::TravellersFull { count: 3 })) => {
            assert!(c.message_ru().contains("новую бронь"), "{}", c.message_ru())
        }
        other => panic!("{}: a fourth traveller on 3 seats: {other:?}", app.backend),
    }
    let card = app.crm.booking_card(&agent, booking).await.unwrap();
    assert_eq!(card.booking.travellers_count, 3, "the count and the price stay");
    assert_eq!(card.booking.total.minor, 3 * 50_000 * 100);
    let list = app.crm.travellers(&agent, booking).await.unwrap();
    assert!(!list.can_add);
    let names: Vec<_> = list.travellers.iter().map(|t| t.traveller.full_name.as_str()).collect();
    assert_eq!(names, ["Иванова Мария Петровна", "Иванов Пётр Сергеевич", "Иванов Сергей Олегович"]);
    // In Russia the child needs a birth certificate, the adults their internal passports.
    assert_eq!(list.travellers[1].age_on_departure, 11);
    assert_eq!(list.travellers[1].missing(), [DocKind::BirthCertificate]);
    assert_eq!(list.travellers[2].missing(), [DocKind::InternalPassport]);

    let fixed = app.crm.edit_traveller(&agent, son.id, person("Иванов Петр Сергеевич", "01.02.2015")).await.unwrap();
    assert_eq!(fixed.full_name, "Иванов Петр Сергеевич");
    app.crm.remove_traveller(&agent, son.id).await.unwrap();
    assert_eq!(app.crm.travellers(&agent, booking).await.unwrap().travellers.len(), 2);
    let client_row = list.travellers[0].traveller.id;
    let kept = app.crm.remove_traveller(&agent, client_row).await;
    assert!(matches!(kept, Err(Error::Conflict(Conflict::ClientTravellerStays))), "{kept:?}");
    assert_eq!(app.audit_count("booking.traveller.add").await, 2);
    assert_eq!(app.audit_count("booking.traveller.edit").await, 1);
    assert_eq!(app.audit_count("booking.traveller.remove").await, 1);

    for to in [BookingStatus::CancellationRequested, BookingStatus::Cancelled] {
        app.crm.change_booking_status(&agent, booking, to, "клиент передумал").await.unwrap();
    }
    let closed = app.crm.add_traveller(&agent, booking, person("Петрова Анна Ивановна", "01.01.1990")).await;
    assert!(matches!(closed, Err(Error::Conflict(Conflict::BookingClosed))), "{closed:?}");
});

each_backend!(travellers_documents_round_trip_and_every_opening_is_audited, |app| {
    let (agent, _, booking) = app.booking_to("Турция", 3).await;
    let list = app.crm.travellers(&agent, booking).await.unwrap();
    let client_row = list.travellers[0].traveller.id;
    let child = app.crm.add_traveller(&agent, booking, person("Иванова Дарья Сергеевна", "01.06.2019")).await.unwrap();
    let missing = app.crm.missing_documents(&agent, booking).await.unwrap();
    assert_eq!(
        missing,
        [
            (client_row, DocKind::InternalPassport),
            (client_row, DocKind::ForeignPassport),
            (child.id, DocKind::ForeignPassport),
        ],
        "{}",
        app.backend
    );

    // A passport issued before its holder was born, or before they turned 14, is refused, and
    // nothing is stored.
    let passport = TravellerDocument::InternalPassport(internal_passport());
    let refused = app.crm.put_traveller_document(&agent, child.id, &passport).await;
    assert!(matches!(refused, Err(Error::Invalid(Invalid::IssuedBeforeBirth))), "{refused:?}");
    let teen = app.crm.add_traveller(&agent, booking, person("Иванов Пётр Сергеевич", "01.06.1998")).await.unwrap();
    let refused = app.crm.put_traveller_document(&agent, teen.id, &passport).await;
    assert!(matches!(refused, Err(Error::Invalid(Invalid::InternalPassportUnder14))), "{refused:?}");
    app.crm.remove_traveller(&agent, teen.id).await.unwrap();
    assert!(app.crm.open_traveller_documents(&agent, child.id).await.unwrap().identity().is_empty());

    // The client's own documents: stored on the client, so the expiry reminder reads them.
    let own = TravellerDocument::ForeignPassport(foreign_passport());
    app.crm.put_traveller_document(&agent, client_row, &own).await.unwrap();
    let internal = TravellerDocument::InternalPassport(internal_passport());
    app.crm.put_traveller_document(&agent, client_row, &internal).await.unwrap();
    let client = app.crm.booking_card(&agent, booking).await.unwrap().booking.client_id;
    let on_client = app.crm.open_documents(&Actor::System, client).await.unwrap();
    assert_eq!(on_client.foreign_passport, Some(foreign_passport()));
    let c = app.crm.get_client(&agent, client).await.unwrap();
    assert_eq!(c.foreign_passport_expires_on, Some(foreign_passport().expires_on));

    // The child's: sealed under the traveller.
    app.crm
        .put_traveller_document(&agent, child.id, &companion_passport("IVANOVA DARIA", d(2031, 1, 1)))
        .await
        .unwrap();
    app.crm.put_traveller_document(&agent, child.id, &child_certificate()).await.unwrap();
    assert_eq!(app.crm.missing_documents(&agent, booking).await.unwrap(), []);

    // A birth date corrected to after the documents on file were issued is refused the same
    // way, and nothing changes; one before them is taken.
    let later = app.crm.edit_traveller(&agent, child.id, person("Иванова Дарья Сергеевна", "01.06.2020")).await;
    assert!(matches!(later, Err(Error::Invalid(Invalid::IssuedBeforeBirth))), "{later:?}");
    let list = app.crm.travellers(&agent, booking).await.unwrap();
    let kept = list.travellers.iter().find(|t| t.traveller.id == child.id).unwrap();
    assert_eq!(kept.traveller.birth_date, d(2019, 6, 1));
    let own_later = app.crm.edit_traveller(&agent, client_row, person("Иванова Мария Петровна", "01.01.2005")).await;
    assert!(matches!(own_later, Err(Error::Invalid(Invalid::InternalPassportUnder14))), "{own_later:?}");
    app.crm.edit_traveller(&agent, child.id, person("Иванова Дарья Сергеевна", "15.05.2019")).await.unwrap();

    let reads_before = app.audit_count("document.read.traveller").await;
    let opened = app.crm.open_traveller_documents(&agent, child.id).await.unwrap();
    assert_eq!(opened.identity(), [companion_passport("IVANOVA DARIA", d(2031, 1, 1)), child_certificate()]);
    assert_eq!(opened.payment_details, None);
    app.crm.open_traveller_documents(&agent, child.id).await.unwrap();
    assert_eq!(app.audit_count("document.read.traveller").await, reads_before + 2, "{}", app.backend);
    let mine = app.crm.open_traveller_documents(&agent, client_row).await.unwrap();
    assert_eq!(mine.internal_passport, Some(internal_passport()));
    assert_eq!(mine.payment_details, None, "a traveller's view opens identity documents only");
    let log = app.crm.audit_log(&Actor::System, &AuditFilter { limit: 1, ..Default::default() }).await.unwrap();
    assert_eq!(log[0].action, "document.read");
    assert_eq!(log[0].entity_id.as_deref(), Some(client.to_string().as_str()));

    // Removing the child removes their documents.
    app.crm.remove_traveller(&agent, child.id).await.unwrap();
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM secure_documents WHERE owner_kind = 'traveller'")
        .fetch_one(app.crm.store().pool())
        .await
        .unwrap();
    assert_eq!(left, 0);
});

each_backend!(warnings_point_out_a_short_passport_and_a_name_off_the_rules, |app| {
    let (agent, _, booking) = app.booking_to("Турция", 2).await;
    let husband = app.crm.add_traveller(&agent, booking, person("Щукин Юрий Олегович", "01.02.1985")).await.unwrap();
    // Back on 31.12.2026: the passport must last until 30.06.2027.
    let short = companion_passport("SCHUKIN YURIY", d(2027, 6, 1));
    let warnings = app.crm.put_traveller_document(&agent, husband.id, &short).await.unwrap().warnings;
    assert_eq!(
        warnings,
        [
            DocWarning::ForeignPassportExpiresSoon { expires_on: d(2027, 6, 1), needed_until: d(2027, 6, 30) },
            DocWarning::LatinNameDiffers { printed: "SCHUKIN YURIY".into(), expected: "SHCHUKIN IURII".into() },
        ],
        "{}",
        app.backend
    );
    let checks = app.audit_count("document.check").await;
    let list = app.crm.travellers(&agent, booking).await.unwrap();
    assert_eq!(list.travellers[1].warnings, warnings, "the list shows what the entry showed");
    assert_eq!(app.audit_count("document.check").await, checks + 1, "computing warnings is a reading");
    let good = companion_passport("SHCHUKIN IURII", d(2030, 1, 1));
    assert_eq!(app.crm.put_traveller_document(&agent, husband.id, &good).await.unwrap().warnings, []);
});

each_backend!(only_the_bookings_agent_the_admin_and_the_client_reach_travellers_documents, |app| {
    let (anna, client, booking) = app.booking_to("Турция", 2).await;
    let boris = app.actor("boris", Role::Agent).await;
    let admin = app.actor("boss", Role::Admin).await;
    let accountant = app.actor("buh", Role::Accountant).await;
    let operator = app.actor("olga", Role::Operator).await;
    let stranger = app.client("+7 912 000-00-09", None).await;
    let companion =
        app.crm.add_traveller(&anna, booking, person("Иванов Сергей Олегович", "10.10.1988")).await.unwrap();
    let doc = companion_passport("IVANOV SERGEI", d(2031, 1, 1));
    for actor in [&boris, &accountant, &operator, &Actor::Client(stranger.id), &Actor::Telegram(7)] {
        let who = format!("{}: {actor:?}", app.backend);
        assert!(matches!(app.crm.travellers(actor, booking).await, Err(Error::Forbidden(_))), "{who}");
        assert!(matches!(app.crm.missing_documents(actor, booking).await, Err(Error::Forbidden(_))), "{who}");
        let put = app.crm.put_traveller_document(actor, companion.id, &doc).await;
        assert!(matches!(put, Err(Error::Forbidden(_))), "{who}: {put:?}");
        let open = app.crm.open_traveller_documents(actor, companion.id).await;
        assert!(matches!(open, Err(Error::Forbidden(_))), "{who}: {open:?}");
        let add = app.crm.add_traveller(actor, booking, person("Петрова Анна Ивановна", "01.01.1990")).await;
        assert!(matches!(add, Err(Error::Forbidden(_))), "{who}: {add:?}");
        let rm = app.crm.remove_traveller(actor, companion.id).await;
        assert!(matches!(rm, Err(Error::Forbidden(_))), "{who}: {rm:?}");
    }
    assert_eq!(app.audit_count("document.read.traveller").await, 0, "a refused opening reads nothing");
    // The client enters their companions' documents while signing, but does not edit the list.
    app.crm.put_traveller_document(&client, companion.id, &doc).await.unwrap();
    assert_eq!(
        app.crm.open_traveller_documents(&client, companion.id).await.unwrap().identity(),
        std::slice::from_ref(&doc)
    );
    let add = app.crm.add_traveller(&client, booking, person("Петрова Анна Ивановна", "01.01.1990")).await;
    assert!(matches!(add, Err(Error::Forbidden(_))), "{add:?}");
    app.crm.open_traveller_documents(&admin, companion.id).await.unwrap();
    app.crm.put_traveller_document(&admin, companion.id, &doc).await.unwrap();
    assert_eq!(app.audit_count("document.read.traveller").await, 2);
});

each_backend!(a_companions_passport_number_never_reaches_the_database_in_clear, |app| {
    let (agent, _, booking) = app.booking_to("Турция", 3).await;
    let companion =
        app.crm.add_traveller(&agent, booking, person("Иванов Сергей Олегович", "10.10.1988")).await.unwrap();
    let child = app.crm.add_traveller(&agent, booking, person("Иванова Дарья Сергеевна", "01.06.2019")).await.unwrap();
    app.crm
        .put_traveller_document(&agent, companion.id, &companion_passport("IVANOV SERGEI", d(2031, 1, 1)))
        .await
        .unwrap();
    app.crm.put_traveller_document(&agent, child.id, &child_certificate()).await.unwrap();
    app.crm.open_traveller_documents(&agent, companion.id).await.unwrap();
    app.crm.travellers(&agent, booking).await.unwrap();
    let chunks = crate::documents::stored_bytes(&app).await;
    let contains = |needle: &str| chunks.iter().any(|c| crate::documents::contains(c, needle));
    assert!(contains("Иванов Сергей Олегович"), "{}: the scan sees the names kept in clear", app.backend);
    for secret in [COMPANION_PASSPORT, CHILD_CERT_NUMBER, FOREIGN_NUMBER, "IVANOV SERGEI"] {
        assert!(!contains(secret), "{}: {secret} is stored in clear", app.backend);
    }
});

each_backend!(bookings_made_before_the_rule_get_their_client_as_first_traveller, |app| {
    let (agent, _, booking) = app.booking_to("Россия", 2).await;
    let companion =
        app.crm.add_traveller(&agent, booking, person("Иванов Сергей Олегович", "10.10.1988")).await.unwrap();
    let pool = app.crm.store().pool();
    // As before the rule: the client not listed, a companion in front.
    sqlx::query("DELETE FROM booking_travellers WHERE client_id IS NOT NULL").execute(pool).await.unwrap();
    sqlx::query("UPDATE booking_travellers SET position = 0").execute(pool).await.unwrap();
    let migration = match app.db.sqlite_file() {
        Some(_) => include_str!("../../../migrations/sqlite/0008_travellers.sql"),
        None => include_str!("../../../migrations/postgres/0008_travellers.sql"),
    };
    let part = migration.split("-- 2.").nth(1).unwrap().split("CREATE INDEX").next().unwrap();
    let body = part.split_once('\n').unwrap().1;
    sqlx::raw_sql(body).execute(pool).await.unwrap();
    sqlx::raw_sql(body).execute(pool).await.unwrap();
    let list = app.crm.travellers(&agent, booking).await.unwrap();
    let rows: Vec<(TravellerId, bool)> = list.travellers.iter().map(|t| (t.traveller.id, t.is_client)).collect();
    assert_eq!(rows.len(), 2, "{}: run twice, added once", app.backend);
    assert!(rows[0].1, "{}: the client first", app.backend);
    assert_eq!(rows[1], (companion.id, false));
    assert_eq!(list.travellers[0].traveller.birth_date, d(1990, 3, 5));
});
