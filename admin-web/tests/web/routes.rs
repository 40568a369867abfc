//! The route × role matrix: every route of `admin_web::ROUTES` against admin, operator, agent,
//! accountant and an anonymous visitor. The table below must name every route, and only
//! those: a new route without an entry fails here.

use crate::helpers::{Browser, PASSPORT_FORM, Page, TestApp, spawn};
use axum::http::StatusCode;
use crm::domain::Role;
use std::collections::BTreeSet;
use testkit::{Backend, backends};

const ADMIN: u8 = 1;
const OPERATOR: u8 = 2;
const AGENT: u8 = 4;
const ACCOUNTANT: u8 = 8;
const STAFF: u8 = ADMIN | OPERATOR | AGENT | ACCOUNTANT;
/// Who enters hotels (everyone on the staff reads them).
const HOTELIERS: u8 = ADMIN | OPERATOR;
/// Anyone, signed in or not.
const EVERYONE: u8 = 16 | STAFF;
/// The ledger's people: every finance route refuses agents and operators.
const FINANCE: u8 = ADMIN | ACCOUNTANT;

/// (method, path, who may use it, the form a test request sends).
type Entry = (&'static str, &'static str, u8, &'static [(&'static str, &'static str)]);

const GREETING: &str = "С днём рождения, {{ client.first_name }}!";
/// A broadcast of the fixture's tour (`{tour_id}` is replaced) to everyone, now.
const BROADCAST: &[(&str, &str)] = &[
    ("kind", "new_tour"),
    ("title", "Новинка"),
    ("tour_id", "{tour_id}"),
    ("template", "Новый тур: {{ tour.title }}"),
    ("when", "now"),
];

const EXPECTED: &[Entry] = &[
    ("GET", "/healthz", EVERYONE, &[]),
    ("GET", "/static/panel.css", EVERYONE, &[]),
    ("GET", "/login", EVERYONE, &[]),
    ("POST", "/login", EVERYONE, &[("login", "nobody"), ("password", "wrong")]),
    ("POST", "/logout", STAFF, &[]),
    ("GET", "/password", STAFF, &[]),
    ("POST", "/password", STAFF, &[("old", "wrong-password"), ("new", "0123456789ab"), ("repeat", "0123456789ab")]),
    ("GET", "/", STAFF, &[]),
    ("GET", "/clients", ADMIN | AGENT | ACCOUNTANT, &[]),
    ("GET", "/clients/new", ADMIN, &[]),
    (
        "POST",
        "/clients",
        ADMIN,
        &[("full_name", "Петров Пётр"), ("phone", "+7 913 000-00-01"), ("birth_date", "01.02.1980"), ("city", "Омск")],
    ),
    ("GET", "/clients/{id}", ADMIN | AGENT | ACCOUNTANT, &[]),
    ("POST", "/clients/{id}/tags", ADMIN, &[("tag", "VIP")]),
    ("POST", "/clients/{id}/tags/remove", ADMIN, &[("tag", "VIP")]),
    ("POST", "/clients/{id}/interactions", ADMIN, &[("kind", "call"), ("direction", "in"), ("body", "Звонок")]),
    ("POST", "/clients/{id}/blacklist", ADMIN, &[("on", "1"), ("reason", "Проверка")]),
    ("POST", "/clients/{id}/documents", ADMIN | AGENT, &[]),
    ("GET", "/hotels", STAFF, &[]),
    ("GET", "/hotels/new", HOTELIERS, &[]),
    ("POST", "/hotels", HOTELIERS, &[("name", "Rixos Premium"), ("country", "Турция"), ("city", "Кемер")]),
    ("GET", "/hotels/{id}", STAFF, &[]),
    ("GET", "/hotels/{id}/edit", HOTELIERS, &[]),
    ("POST", "/hotels/{id}", HOTELIERS, &[("name", "Rixos Sungate"), ("country", "Турция"), ("city", "Бельдиби")]),
    ("POST", "/hotels/{id}/archive", HOTELIERS, &[("archived", "1")]),
    ("POST", "/hotels/{id}/rooms", HOTELIERS, &[("room_type", "Family"), ("capacity", "4"), ("meal_plan", "AI")]),
    (
        "POST",
        "/hotels/{id}/terms",
        HOTELIERS,
        &[("free_days", "14"), ("min_days_0", "0"), ("max_days_0", "13"), ("penalty_0", "50"), ("unit_0", "percent")],
    ),
    ("POST", "/hotels/{id}/managers", HOTELIERS, &[("name", "Mehmet Kaya"), ("phone", "+90 242 555 00 01")]),
    ("POST", "/hotels/{id}/agreements", HOTELIERS, &[("agreed_on", "01.01.2026"), ("commission", "10")]),
    (
        "POST",
        "/hotels/{id}/correspondence",
        HOTELIERS,
        &[("kind", "email"), ("direction", "out"), ("subject", "Квота"), ("body", "Запрос квоты")],
    ),
    ("GET", "/hotels/rooms/{id}", HOTELIERS, &[]),
    ("POST", "/hotels/rooms/{id}", HOTELIERS, &[("room_type", "Standard"), ("capacity", "3"), ("meal_plan", "BB")]),
    ("POST", "/hotels/rooms/{id}/archive", HOTELIERS, &[("archived", "1")]),
    (
        "POST",
        "/hotels/rooms/{id}/seasons",
        HOTELIERS,
        &[("starts_on", "2027-06-01"), ("ends_on", "2027-06-30"), ("price_per_night", "9000"), ("currency", "RUB")],
    ),
    ("POST", "/hotels/rooms/{id}/seasons/remove", HOTELIERS, &[("season_id", "{season}")]),
    ("GET", "/hotels/managers/{id}", HOTELIERS, &[]),
    ("POST", "/hotels/managers/{id}", HOTELIERS, &[("name", "Ayşe Yılmaz"), ("position", "Sales")]),
    ("POST", "/hotels/managers/{id}/active", HOTELIERS, &[("active", "0")]),
    ("GET", "/staff", ADMIN, &[]),
    ("GET", "/staff/new", ADMIN, &[]),
    ("POST", "/staff", ADMIN, &[("login", "newbie"), ("name", "Новиков Пётр"), ("role", "agent")]),
    ("POST", "/staff/{id}/active", ADMIN, &[("active", "0")]),
    ("POST", "/staff/{id}/password", ADMIN, &[]),
    ("POST", "/staff/{id}/unlock", ADMIN, &[]),
    ("POST", "/staff/{id}/invite", ADMIN, &[]),
    ("GET", "/notifications", ADMIN, &[]),
    ("GET", "/notifications/{kind}", ADMIN, &[]),
    ("POST", "/notifications/{kind}", ADMIN, &[("enabled", "1"), ("lead_days", "0"), ("template", GREETING)]),
    ("POST", "/notifications/{kind}/preview", ADMIN, &[("lead_days", "0"), ("template", GREETING)]),
    ("GET", "/broadcasts", ADMIN | OPERATOR, &[]),
    ("GET", "/broadcasts/new", ADMIN | OPERATOR, &[]),
    ("POST", "/broadcasts/check", ADMIN | OPERATOR, BROADCAST),
    ("POST", "/broadcasts", ADMIN | OPERATOR, BROADCAST),
    ("GET", "/broadcasts/{id}", ADMIN | OPERATOR, &[]),
    ("POST", "/broadcasts/{id}/pause", ADMIN | OPERATOR, &[]),
    ("POST", "/broadcasts/{id}/resume", ADMIN | OPERATOR, &[]),
    ("POST", "/broadcasts/{id}/cancel", ADMIN | OPERATOR, &[]),
    ("GET", "/outbox", ADMIN, &[]),
    ("POST", "/outbox/{id}/requeue", ADMIN, &[]),
    ("GET", "/audit", ADMIN, &[]),
    ("GET", "/tours", ADMIN | OPERATOR | AGENT, &[]),
    ("GET", "/tours/new", ADMIN | OPERATOR, &[]),
    ("POST", "/tours", ADMIN | OPERATOR, TOUR_FORM),
    ("GET", "/tours/{id}", ADMIN | OPERATOR | AGENT, &[]),
    ("GET", "/tours/{id}/edit", ADMIN | OPERATOR, &[]),
    ("POST", "/tours/{id}", ADMIN | OPERATOR, TOUR_FORM),
    ("POST", "/tours/{id}/publish", ADMIN | OPERATOR, &[]),
    ("POST", "/tours/{id}/unpublish", ADMIN | OPERATOR, &[]),
    ("POST", "/tours/{id}/archive", ADMIN | OPERATOR, &[]),
    (
        "POST",
        "/tours/{id}/departures",
        ADMIN | OPERATOR,
        &[("starts_on", "10.01.2027"), ("ends_on", "17.01.2027"), ("capacity", "10")],
    ),
    (
        "POST",
        "/tours/{id}/departures/capacity",
        ADMIN | OPERATOR,
        &[("departure_id", "{departure}"), ("capacity", "20")],
    ),
    ("POST", "/tours/{id}/departures/remove", ADMIN | OPERATOR, &[("departure_id", "{departure}")]),
    ("GET", "/bookings", STAFF, &[]),
    ("GET", "/bookings/{id}", STAFF, &[]),
    ("POST", "/bookings/{id}/status", ADMIN, &[("to", "contract_signed"), ("reason", "Договор подписан в офисе")]),
    // The fixture's booking waits for its contract: the payment is refused (409), for the role allowed.
    ("POST", "/bookings/{id}/payment-offer", ADMIN | AGENT, &[("amount", "1000"), ("way", "bank_qr")]),
    // The fixture's booking has one seat, the client's: a new companion is refused (409), the
    // client stays (409); both are answers, not refusals of the role.
    ("GET", "/bookings/{id}/operations", ADMIN | AGENT | ACCOUNTANT, &[]),
    ("POST", "/bookings/{id}/travellers", ADMIN | AGENT, &[("full_name", "Петров Пётр"), ("birth_date", "01.02.1980")]),
    ("GET", "/travellers/{id}", ADMIN | AGENT, &[]),
    (
        "POST",
        "/travellers/{id}",
        ADMIN | AGENT,
        &[("full_name", "Клиентова Ольга Петровна"), ("birth_date", "05.03.1990")],
    ),
    ("POST", "/travellers/{id}/remove", ADMIN | AGENT, &[]),
    ("POST", "/travellers/{id}/documents", ADMIN | AGENT, &PASSPORT_FORM),
    ("POST", "/travellers/{id}/documents/open", ADMIN | AGENT, &[]),
    (
        "POST",
        "/clients/{id}/payment-details",
        ADMIN | AGENT,
        &[("method", "card"), ("card_number", "4276 1000 1234 5671"), ("holder", "OLGA KLIENTOVA")],
    ),
    ("POST", "/clients/{id}/address", ADMIN | AGENT, &[("address", "630132, г. Новосибирск, ул. Дачная, д. 3")]),
    (
        "POST",
        "/clients/{id}/contacts",
        ADMIN | AGENT,
        &[
            ("full_name", "Иванова Мария Петровна"),
            ("phone", "+7 912 000-11-22"),
            ("birth_date", "01.02.1990"),
            ("city", "Новосибирск"),
        ],
    ),
    ("POST", "/clients/{id}/agent", ADMIN, &[("agent_id", "{agent}")]),
    ("POST", "/clients/{id}/consents", ADMIN | AGENT, &[]),
    ("POST", "/clients/{id}/identity", ADMIN | AGENT, &PASSPORT_FORM),
    ("GET", "/bookings/{id}/contract.pdf", ADMIN | AGENT, &[]),
    ("GET", "/documents", ADMIN, &[]),
    ("GET", "/documents/requisites", ADMIN, &[]),
    ("POST", "/documents/requisites", ADMIN, &[("legal_form", "ООО"), ("inn", "123")]),
    ("GET", "/documents/operators/{id}", ADMIN, &[]),
    ("POST", "/documents/operators/{id}", ADMIN, &[("full_name", "ООО «Горизонт»"), ("registry_number", "РТО 012345")]),
    ("GET", "/documents/{kind}", ADMIN, &[]),
    ("POST", "/documents/{kind}", ADMIN, &[("source", "<p>{{ client.full_name }}</p>"), ("subject", "{booking}")]),
    (
        "POST",
        "/documents/{kind}/preview",
        ADMIN,
        &[("source", "<p>{{ client.full_name }}</p>"), ("subject", "{booking}")],
    ),
    ("POST", "/bookings/{id}/contract", ADMIN | AGENT, &[]),
    ("GET", "/documents/{id}/pdf", ADMIN | AGENT, &[]),
    ("GET", "/payments", ADMIN | ACCOUNTANT, &[]),
    // No online payment in the fixture: the accountant's forms answer 404/409, not a refusal.
    ("POST", "/payments/{id}/refund", ADMIN | ACCOUNTANT, &[("reason", "Бронь аннулирована")]),
    ("POST", "/payments/{id}/resolve", ADMIN | ACCOUNTANT, &[("reason", "Внесено вручную")]),
    // YooKassa's notifications: no session, no CSRF token (online payment is off here: 404).
    ("POST", "/webhooks/yookassa", EVERYONE, &[]),
    // The accountant's desk and commission rates (issue #15).
    ("GET", "/operations", FINANCE, &[]),
    ("POST", "/operations/{id}/reverse", FINANCE, &[("reason", "Ошибка ввода")]),
    ("GET", "/operations/hotel", FINANCE, &[]),
    ("POST", "/operations/hotel", FINANCE, &[("payee", "{hotel}"), ("amount", "10 000"), ("method", "bank_transfer")]),
    ("GET", "/operations/operator", FINANCE, &[]),
    ("POST", "/operations/operator", FINANCE, &[("payee", "{operator}"), ("amount", "5000"), ("method", "cash")]),
    ("GET", "/operations/commission", FINANCE, &[]),
    ("POST", "/operations/commission", FINANCE, &[("payee", "{agent}"), ("amount", "100")]),
    ("GET", "/operations/refund", FINANCE, &[]),
    ("POST", "/operations/refund", FINANCE, &[("booking", "{booking_id}"), ("amount", "1")]),
    ("GET", "/operations/transfer", FINANCE, &[]),
    ("POST", "/operations/transfer/check", FINANCE, &[("purpose", "Оплата по брони №{booking_id}, без НДС")]),
    ("POST", "/operations/transfer", FINANCE, &[("booking", "{booking_id}"), ("amount", "1000"), ("document", "77")]),
    ("GET", "/commissions", FINANCE, &[]),
    ("POST", "/commissions/agents/{id}", ADMIN, &[("rate", "7,5")]),
    ("POST", "/commissions/tours/{id}", ADMIN, &[("rate", "10"), ("from", "")]),
    // The financial reports.
    ("GET", "/reports", ADMIN | ACCOUNTANT, &[]),
    ("GET", "/reports/{name}", ADMIN | ACCOUNTANT, &[]),
    ("GET", "/kpi", ADMIN | ACCOUNTANT, &[]),
];

const TOUR_FORM: &[(&str, &str)] = &[
    ("kind", "excursion"),
    ("title", "Алтай: золотые горы"),
    ("country", "Россия"),
    ("departure_city", "Новосибирск"),
    ("price", "50000"),
    ("currency", "RUB"),
    ("route", "1: Горно-Алтайск — встреча группы"),
];

#[test]
fn the_table_names_every_route_and_only_those() {
    let routes: BTreeSet<(&str, &str)> = admin_web::ROUTES.iter().map(|r| (r.method, r.path)).collect();
    let table: BTreeSet<(&str, &str)> = EXPECTED.iter().map(|(m, p, _, _)| (*m, *p)).collect();
    assert_eq!(routes.len(), admin_web::ROUTES.len(), "a route is listed twice");
    assert_eq!(table.len(), EXPECTED.len(), "the table lists a route twice");
    let missing: Vec<_> = routes.difference(&table).collect();
    let stale: Vec<_> = table.difference(&routes).collect();
    assert!(missing.is_empty(), "routes without an expected allow/deny entry: {missing:?}");
    assert!(stale.is_empty(), "table entries for routes that do not exist: {stale:?}");
}

/// The data every role's walk uses: a client of the agent's with documents, a staff member to
/// act on, a hotel with a room and a manager, a published tour with a booking, a running
/// broadcast and a message of unknown fate. The secret bits are checked not to leak into refusals.
struct Fixture {
    client_id: i64,
    client_phone: String,
    victim_id: i64,
    /// The operator's published tour, one of its departures and the agent's booking on it.
    tour_id: i64,
    departure_id: i64,
    booking_id: i64,
    /// The booking's first traveller (the client).
    traveller_id: i64,
    broadcast_id: i64,
    message_id: i64,
    hotel_id: i64,
    room_id: i64,
    /// A season of that room, apart from the one the walk adds.
    season_id: i64,
    manager_id: i64,
    /// The operator's staff id (its registry data page).
    operator_id: i64,
    /// The booking's contract, issued for signing.
    document_id: i64,
    /// The agent's staff id and a hotel payment to reverse.
    agent_id: i64,
    operation_id: i64,
}

async fn fixture(app: &TestApp) -> (Fixture, Vec<(u8, Browser)>) {
    let (boss, admin) = app.signed_in("boss", Role::Admin).await;
    let (operator_staff, operator) = app.signed_in("oper", Role::Operator).await;
    let (agent_staff, agent) = app.signed_in("agent", Role::Agent).await;
    let (_, accountant) = app.signed_in("buh", Role::Accountant).await;
    let victim = app.staff("victim", Role::Agent).await;
    let client = app.client("Клиентова Ольга", "+7 912 111-22-33", Some(&agent_staff)).await;
    let passport = crm::domain::ForeignPassport::parse(
        "75 1234567",
        chrono::NaiveDate::from_ymd_opt(2020, 2, 1).unwrap(),
        chrono::NaiveDate::from_ymd_opt(2030, 2, 1).unwrap(),
        "МВД 77001",
        "klientova olga",
        crate::helpers::t0().date_naive(),
    )
    .unwrap();
    app.crm.put_foreign_passport(&crm::Actor::System, client.id, &passport).await.unwrap();
    let (tour, departure) = app.published_tour(&operator_staff).await;
    let booking = app.booking(&agent_staff, &client, departure).await;
    let boss = crm::Actor::staff(boss.id, Role::Admin);
    app.crm.save_agency_requisites(&boss, &testkit::agency()).await.unwrap();
    app.crm.save_operator_registry(&boss, operator_staff.id, &testkit::registry()).await.unwrap();
    let contract = crm::services::DocSubject::Booking(booking);
    let document_id = app
        .crm
        .issue_document(&crm::Actor::System, crm::services::DocKind::Contract, contract)
        .await
        .unwrap()
        .document
        .id
        .0;
    app.subscriber("Подписчикова Анна", "+7 912 444-55-66", "Москва", 7001).await;
    let broadcast_id = app.running_broadcast(tour).await;
    let message_id = app.message_of_unknown_fate().await;
    let (hotel_id, room_id, manager_id) = crate::hotels::hotel_with_room_and_manager(app).await;
    let day = |m| chrono::NaiveDate::from_ymd_opt(2027, m, 1).unwrap();
    let price = crm::domain::Money::new(900_000, crm::domain::Currency::RUB);
    let season = crm::services::SeasonInput { starts_on: day(9), ends_on: day(10), price_per_night: price };
    let season_id = app.crm.add_season(&crm::Actor::System, room_id, season).await.unwrap().id;
    let paid_hotel = crm::services::OperationInput {
        kind: crm::domain::OperationKind::HotelPayment,
        booking_id: None,
        amount: price,
        counterparty_id: Some(hotel_id.0),
        method: crm::domain::PaymentMethod::BankTransfer,
        external_id: None,
        note: String::new(),
    };
    let operation_id = app.crm.record_operation(&crm::Actor::System, paid_hotel).await.unwrap().id.0;
    let f = Fixture {
        client_id: client.id.0,
        client_phone: client.phone.clone(),
        victim_id: victim.id.0,
        tour_id: tour.0,
        departure_id: departure.0,
        booking_id: booking.0,
        traveller_id: app.crm.travellers(&crm::Actor::System, booking).await.unwrap().travellers[0].traveller.id.0,
        broadcast_id: broadcast_id.0,
        message_id: message_id.0,
        hotel_id: hotel_id.0,
        room_id: room_id.0,
        season_id,
        manager_id,
        operator_id: operator_staff.id.0,
        document_id,
        agent_id: agent_staff.id.0,
        operation_id,
    };
    let browsers =
        vec![(ADMIN, admin), (OPERATOR, operator), (AGENT, agent), (ACCOUNTANT, accountant), (16, Browser::default())];
    (f, browsers)
}

fn concrete(path: &str, f: &Fixture) -> String {
    let id = [
        ("/commissions/agents/", f.agent_id),
        ("/commissions/tours/", f.tour_id),
        ("/operations/", f.operation_id),
        ("/documents/operators/", f.operator_id),
        ("/staff/", f.victim_id),
        ("/hotels/rooms/", f.room_id),
        ("/hotels/managers/", f.manager_id),
        ("/hotels/", f.hotel_id),
        ("/tours/", f.tour_id),
        ("/bookings/", f.booking_id),
        ("/travellers/", f.traveller_id),
        ("/broadcasts/", f.broadcast_id),
        ("/outbox/", f.message_id),
        ("/clients/", f.client_id),
        ("/documents/", f.document_id),
    ]
    .into_iter()
    .find_map(|(prefix, id)| path.starts_with(prefix).then_some(id))
    .unwrap_or(f.client_id);
    let kind = if path.starts_with("/documents/") { "contract" } else { "birthday_greeting" };
    path.replace("{id}", &id.to_string()).replace("{kind}", kind).replace("{name}", "statement")
}

/// A form with the fixture's row ids put in for their placeholders.
fn concrete_form(form: &[(&'static str, &'static str)], f: &Fixture) -> Vec<(&'static str, String)> {
    let ids = [
        ("{tour_id}", f.tour_id),
        ("{departure}", f.departure_id),
        ("{season}", f.season_id),
        ("{hotel}", f.hotel_id),
        ("{operator}", f.operator_id),
        ("{agent}", f.agent_id),
        ("{booking_id}", f.booking_id),
    ];
    let booking = format!("b{}", f.booking_id);
    form.iter()
        .map(|(k, v)| {
            (*k, ids.iter().fold(v.replace("{booking}", &booking), |v, (name, id)| v.replace(name, &id.to_string())))
        })
        .collect()
}

fn allowed(path: &str, page: &Page) -> bool {
    if path == "/logout" {
        // Signing out also ends at the sign-in page; it is done when the cookie is deleted.
        return page.redirects_to("/login") && page.cookie("tourcrm_session").as_deref() == Some("");
    }
    page.status != StatusCode::FORBIDDEN
        && !page.status.is_server_error()
        && !page.location.as_deref().is_some_and(|l| l.starts_with("/login"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_answers_every_role_as_the_table_says() {
    for backend in backends() {
        // One fresh database per role, so one role's changes cannot decide another's answers.
        for who in [ADMIN, OPERATOR, AGENT, ACCOUNTANT, 16] {
            let app = spawn(backend).await;
            let (f, browsers) = fixture(&app).await;
            let mut browser = browsers.into_iter().find(|(r, _)| *r == who).map(|(_, b)| b).unwrap();
            if who == 16 {
                browser = app.visit_login().await;
            }
            // Sign-out last: it ends the session the other requests use.
            let mut table: Vec<_> = EXPECTED.iter().collect();
            table.sort_by_key(|(_, p, _, _)| *p == "/logout");
            for (method, path, may, form) in table {
                let url = concrete(path, &f);
                let form = concrete_form(form, &f);
                let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
                let expect = may & who != 0;
                if *method == "GET" {
                    // A HEAD passes the same guard: the same answer, without the body.
                    let head = app.head(&browser, &url).await;
                    let what = format!("{backend}: role {who} HEAD {url} → {} {:?}", head.status, head.location);
                    assert_eq!(allowed(path, &head), expect, "{what}");
                    assert!(head.body.is_empty(), "{what}: a HEAD answer has no body");
                    if !expect {
                        let refused = if who == 16 { head.redirects_to("/login") } else { head.status == 403 };
                        assert!(refused, "{what}");
                    }
                }
                let page = if *method == "GET" {
                    app.get(&browser, &url).await
                } else {
                    app.post(&browser, &url, &form).await
                };
                let what = format!("{backend}: role {who} {method} {url} → {} {:?}", page.status, page.location);
                assert_eq!(allowed(path, &page), expect, "{what}\n{}", &page.body[..page.body.len().min(600)]);
                if !expect {
                    if who == 16 {
                        assert!(page.redirects_to("/login"), "anonymous must go to the sign-in page: {what}");
                    } else {
                        assert_eq!(page.status, StatusCode::FORBIDDEN, "{what}");
                        assert!(page.body.contains("Доступ запрещён"), "{what}");
                        assert!(!page.body.contains(&f.client_phone), "a refusal leaked data: {what}");
                        assert!(!page.body.contains("1234567"), "a refusal leaked a passport: {what}");
                    }
                }
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_navigation_shows_only_what_the_role_may_use() {
    let app = spawn(Backend::Sqlite).await;
    let (_, browsers) = fixture(&app).await;
    for (who, b) in browsers.into_iter().filter(|(w, _)| *w != 16) {
        let page = app.get(&b, "/").await;
        assert_eq!(page.status, StatusCode::OK);
        let nav_start = page.body.find("<nav class=\"main\">").unwrap();
        let nav_end = page.body[nav_start..].find("</nav>").unwrap() + nav_start;
        let nav = &page.body[nav_start..nav_end];
        assert_eq!(nav.contains("href=\"/clients\""), who & (ADMIN | AGENT | ACCOUNTANT) != 0, "role {who}: {nav}");
        assert_eq!(nav.contains("href=\"/hotels\""), who & STAFF != 0, "role {who}: {nav}");
        assert_eq!(nav.contains("href=\"/staff\""), who == ADMIN, "role {who}: {nav}");
        assert_eq!(nav.contains("href=\"/audit\""), who == ADMIN, "role {who}: {nav}");
        assert_eq!(nav.contains("href=\"/tours\""), who & (ADMIN | OPERATOR | AGENT) != 0, "role {who}: {nav}");
        assert_eq!(nav.contains("href=\"/bookings\""), who & STAFF != 0, "role {who}: {nav}");
        assert_eq!(nav.contains("href=\"/broadcasts\""), who & (ADMIN | OPERATOR) != 0, "role {who}: {nav}");
        assert_eq!(nav.contains("href=\"/notifications\""), who == ADMIN, "role {who}: {nav}");
        assert_eq!(nav.contains("href=\"/outbox\""), who == ADMIN, "role {who}: {nav}");
        assert_eq!(nav.contains("href=\"/operations\""), who & FINANCE != 0, "role {who}: {nav}");
        assert_eq!(nav.contains("href=\"/commissions\""), who & FINANCE != 0, "role {who}: {nav}");
        assert_eq!(nav.contains("href=\"/reports\""), who & (ADMIN | ACCOUNTANT) != 0, "role {who}: {nav}");
    }
}
