//! The five financial reports over a ledger of 1,000,000 operations (two years of a large agency:
//! 250,000 bookings of 200 tours by 10 operators, 50 agents, 300 hotels), each timed over a
//! month, a quarter and a year, with the query plans the database chose (EXPLAIN QUERY PLAN on
//! SQLite, EXPLAIN on PostgreSQL). SQLite on a file always; PostgreSQL too when
//! `TOURCRM_TEST_POSTGRES_URL` is set (a fresh database of its own). Prints; asserts nothing.
//!
//! `cargo bench --bench reports` (env `BENCH_OPERATIONS`, default 1000000; `BENCH_RUNS`, timed
//! runs per report and period after one warm-up, default 3; the median is printed).
//!
//! The data is written in one transaction with multi-row INSERTs of literal values the bench
//! made itself (no outside text), which is what makes a million rows take seconds, not hours.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use crm::Actor;
use crm::domain::{Role, StaffId};
use crm::services::{Grouping, Period, ReportFilter, ReportName};
use crm::store::Backend as StoreBackend;
use crm::store::reports::ReportQuery;
use sqlx::Executor;
use std::sync::Arc;
use std::time::Instant;
use testkit::{Backend, TestDb};

const OPERATORS: i64 = 10;
const AGENTS: i64 = 50;
const HOTELS: i64 = 300;
const TOURS: i64 = 200;
const CLIENTS: i64 = 20_000;
const COUNTRIES: [&str; 8] = ["Турция", "Египет", "ОАЭ", "Таиланд", "Россия", "Грузия", "Вьетнам", "Китай"];
/// The first id of the staff the bench adds (operators, then agents, then the accountant).
const STAFF0: i64 = 1_000;

fn env_num(name: &str, default: i64) -> i64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// A small deterministic generator (xorshift64*): the same data on every run and backend.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: i64) -> i64 {
        (self.next() % n as u64) as i64
    }
}

fn ts(t: chrono::DateTime<Utc>) -> String {
    crm::store::time::ts(t)
}

/// Runs `INSERT INTO {head} VALUES` with the rows in statements of `chunk` rows.
async fn insert_rows(conn: &mut sqlx::AnyConnection, head: &str, rows: impl Iterator<Item = String>, chunk: usize) {
    let mut batch: Vec<String> = Vec::with_capacity(chunk);
    let mut flush = async |batch: &mut Vec<String>| {
        if !batch.is_empty() {
            let sql = format!("INSERT INTO {head} VALUES {}", batch.join(","));
            conn.execute(sql.as_str()).await.unwrap();
            batch.clear();
        }
    };
    for row in rows {
        batch.push(row);
        if batch.len() == chunk {
            flush(&mut batch).await;
        }
    }
    flush(&mut batch).await;
}

/// Fills the database: staff, clients, hotels, tours, bookings with their signing, operations.
async fn fill(store: &crm::store::Store, operations: i64) {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let start = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
    let span = Duration::days(730).num_seconds();
    let created = ts(start);
    let mut tx = store.begin().await.unwrap();
    let staff = (0..OPERATORS + AGENTS + 1).map(|i| {
        let id = STAFF0 + i;
        let (role, name) = match i {
            i if i < OPERATORS => ("operator", format!("Туроператор {i}")),
            i if i < OPERATORS + AGENTS => ("agent", format!("Агент {}", i - OPERATORS)),
            _ => ("accountant", "Бухгалтер".to_owned()),
        };
        format!("({id}, 'bench{id}', '{name}', '{role}', 'x', 0, NULL, NULL, NULL, NULL, 1, '{created}', 1000)")
    });
    insert_rows(
        &mut tx,
        "staff (id, login, name, role, password_hash, must_change_password, telegram_id, telegram_username, \
         invite_token_hash, invite_expires_at, active, created_at, commission_bp)",
        staff,
        500,
    )
    .await;
    let clients = (1..=CLIENTS).map(|i| {
        let agent = STAFF0 + OPERATORS + i % AGENTS;
        format!("({i}, 'Клиент {i}', 'клиент {i}', '+79{i:09}', 'Europe/Moscow', {agent}, '{created}')")
    });
    insert_rows(&mut tx, "clients (id, full_name, name_key, phone, time_zone, agent_id, created_at)", clients, 1000)
        .await;
    let hotels = (1..=HOTELS).map(|i| {
        let country = COUNTRIES[(i % 8) as usize];
        format!("({i}, 'Отель {i}', '{country}', 'Город {}', 'bench', '{created}')", i % 40)
    });
    insert_rows(&mut tx, "hotels (id, name, country, city, created_by, created_at)", hotels, 1000).await;
    let tours = (1..=TOURS).map(|i| {
        let country = COUNTRIES[(i % 8) as usize];
        let operator = STAFF0 + i % OPERATORS;
        format!(
            "({i}, 'package', 'Тур {i}', '{country}', 'Москва', 5000000, 'RUB', 'published', {operator}, '{created}', '{created}')"
        )
    });
    insert_rows(
        &mut tx,
        "tours (id, kind, title, country, departure_city, price_per_person, currency, status, operator_id, created_at, updated_at)",
        tours,
        1000,
    )
    .await;
    let departures = (1..=TOURS).map(|i| format!("({i}, {i}, '2027-06-01', '2027-06-08', 1000000, 0)"));
    insert_rows(&mut tx, "tour_departures (id, tour_id, starts_on, ends_on, capacity, seats_booked)", departures, 1000)
        .await;

    // A booking for every four operations; each signed (most of them) some days after it was made.
    let bookings = operations / 4;
    let mut totals = Vec::with_capacity(bookings as usize);
    let mut booking_rows = Vec::with_capacity(bookings as usize);
    let mut history = Vec::with_capacity(2 * bookings as usize);
    for b in 1..=bookings {
        let at = start + Duration::seconds(span * (b - 1) / bookings);
        let tour = 1 + rng.below(TOURS);
        let client = 1 + rng.below(CLIENTS);
        let agent = STAFF0 + OPERATORS + client % AGENTS;
        let travellers = 1 + rng.below(4);
        let total = travellers * 5_000_000;
        let status = match rng.below(20) {
            0..10 => "paid",
            10..13 => "partially_paid",
            13..15 => "contract_signed",
            15..17 => "contract_pending",
            17..19 => "cancelled",
            _ => "cancellation_requested",
        };
        let (made, signed) = (ts(at), ts(at + Duration::hours(1 + rng.below(96))));
        booking_rows.push(format!(
            "({b}, {client}, {tour}, {tour}, {agent}, '{status}', {travellers}, 5000000, 0, {total}, 'RUB', 1000, 'bench', '{made}', '{made}')"
        ));
        history.push(format!("({b}, NULL, 'contract_pending', 'bench', 'booked', '{made}')"));
        if status != "contract_pending" {
            history.push(format!("({b}, 'contract_pending', 'contract_signed', 'bench', 'signed', '{signed}')"));
        }
        totals.push(total);
    }
    insert_rows(
        &mut tx,
        "bookings (id, client_id, tour_id, departure_id, agent_id, status, travellers_count, tour_price_per_person, \
         rooms_total, total, currency, commission_bp, created_by, created_at, updated_at)",
        booking_rows.into_iter(),
        1000,
    )
    .await;
    insert_rows(
        &mut tx,
        "booking_status_history (booking_id, from_status, to_status, actor, reason, at)",
        history.into_iter(),
        1000,
    )
    .await;

    // The operations in time order (ids grow with time, as in life); every 97th reverses the one before.
    let mut last: Option<(i64, &str, i64, String, String)> = None;
    let ops = (1..=operations).map(|id| {
        let at = ts(start + Duration::seconds(span * (id - 1) / operations + rng.below(600)));
        if id % 97 == 0
            && let Some((prev, kind, amount, booking, counterparty)) = last.take()
        {
            let cp_kind = counterparty_kind(kind);
            return format!(
                "({id}, '{at}', '{kind}', {}, 'RUB', {booking}, '{cp_kind}', {counterparty}, 'bank_transfer', NULL, 'сторно', 'staff:{}', {prev})",
                -amount,
                STAFF0 + OPERATORS + AGENTS
            );
        }
        // Bookings made around this time (payments follow bookings).
        let near = ((id * bookings / operations) - rng.below(200)).clamp(1, bookings);
        let total = totals[(near - 1) as usize];
        let (kind, booking, counterparty, amount) = match rng.below(100) {
            0..45 => ("client_payment", near.to_string(), (1 + near % CLIENTS).to_string(), total / 2),
            45..50 => ("client_refund", near.to_string(), (1 + near % CLIENTS).to_string(), total / 10),
            50..62 => ("commission_accrued", near.to_string(), (STAFF0 + OPERATORS + rng.below(AGENTS)).to_string(), total / 10),
            62..70 => ("commission_paid", "NULL".to_owned(), (STAFF0 + OPERATORS + rng.below(AGENTS)).to_string(), 300_000 + rng.below(2_000_000)),
            70..88 => ("hotel_payment", "NULL".to_owned(), (1 + rng.below(HOTELS)).to_string(), 1_000_000 + rng.below(50_000_000)),
            _ => ("operator_payment", "NULL".to_owned(), (STAFF0 + rng.below(OPERATORS)).to_string(), 5_000_000 + rng.below(100_000_000)),
        };
        last = Some((id, kind, amount, booking.clone(), counterparty.clone()));
        let method = if kind == "commission_accrued" { "internal" } else { "bank_transfer" };
        format!(
            "({id}, '{at}', '{kind}', {amount}, 'RUB', {booking}, '{}', {counterparty}, '{method}', 'ext-{id}', '', 'staff:{}', NULL)",
            counterparty_kind(kind),
            STAFF0 + OPERATORS + AGENTS
        )
    });
    insert_rows(
        &mut tx,
        "operations (id, at, kind, amount, currency, booking_id, counterparty_kind, counterparty_id, method, \
         external_id, note, recorded_by, reverses_id)",
        ops,
        1000,
    )
    .await;
    tx.commit().await.unwrap();
}

fn counterparty_kind(kind: &str) -> &'static str {
    match kind {
        "client_payment" | "client_refund" => "client",
        "commission_accrued" | "commission_paid" => "agent",
        "hotel_payment" => "hotel",
        _ => "operator",
    }
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

async fn bench(backend: Backend, operations: i64, runs: usize) {
    let db = TestDb::new(backend).await;
    let store = crm::store::Store::open(&db.url).await.unwrap();
    let t = Instant::now();
    fill(&store, operations).await;
    let mut conn = store.conn().await.unwrap();
    match store.backend() {
        StoreBackend::Sqlite => {
            conn.execute("ANALYZE").await.unwrap();
        }
        StoreBackend::Postgres => {
            // Index-only scans need the visibility map that VACUUM writes (autovacuum would, later).
            conn.execute("VACUUM ANALYZE").await.unwrap();
        }
    }
    drop(conn);
    println!("\n== {backend}: {operations} operations written and analysed in {:.1} s", t.elapsed().as_secs_f64());
    let crm = crm::Crm::new(
        store.clone(),
        crm::crypto::MasterKey::from_base64(&crm::crypto::MasterKey::generate_base64()).unwrap(),
        Arc::new(crm::clock::SystemClock),
    )
    .await
    .unwrap();
    let accountant = Actor::staff(StaffId(STAFF0 + OPERATORS + AGENTS), Role::Accountant);
    let periods = [
        ("month", Period::new(day(2026, 11, 1), day(2026, 11, 30)).unwrap()),
        ("quarter", Period::new(day(2026, 7, 1), day(2026, 9, 30)).unwrap()),
        ("year", Period::new(day(2026, 1, 1), day(2026, 12, 31)).unwrap()),
    ];
    let base = ReportFilter::month_of(Utc::now());
    let cases: Vec<(&str, ReportName, ReportFilter)> = vec![
        ("revenue", ReportName::Revenue, base.clone()),
        (
            "revenue, one operator",
            ReportName::Revenue,
            ReportFilter { operator: Some(StaffId(STAFF0 + 3)), ..base.clone() },
        ),
        ("commissions", ReportName::Commissions, base.clone()),
        ("hotel expenses", ReportName::HotelExpenses, base.clone()),
        ("statement, first page", ReportName::Statement, base.clone()),
        (
            "statement, one agent",
            ReportName::Statement,
            ReportFilter { agent: Some(StaffId(STAFF0 + OPERATORS + 7)), ..base.clone() },
        ),
        ("tours sold", ReportName::ToursSold, base.clone()),
        (
            "tours sold by destination",
            ReportName::ToursSold,
            ReportFilter { grouping: Grouping::Destination, ..base.clone() },
        ),
    ];
    println!(
        "{:<28} {:>10} {:>10} {:>10}   (median of {runs} runs after a warm-up, ms)",
        "report", "month", "quarter", "year"
    );
    for (label, name, filter) in &cases {
        let mut line = format!("{label:<28}");
        for (_, period) in &periods {
            let f = ReportFilter { period: *period, ..filter.clone() };
            crm.report(&accountant, *name, &f).await.unwrap();
            let mut times = Vec::new();
            for _ in 0..runs {
                let t = Instant::now();
                let r = crm.report(&accountant, *name, &f).await.unwrap();
                times.push(t.elapsed().as_secs_f64() * 1000.0);
                std::hint::black_box(r);
            }
            times.sort_by(f64::total_cmp);
            line.push_str(&format!(" {:>10.1}", times[times.len() / 2]));
        }
        println!("{line}");
    }
    // A page deep into the year's statement: its balance is summed, not walked.
    let year = ReportFilter { period: periods[2].1, ..base.clone() };
    let middle = crm::domain::OperationId(operations * 3 / 4);
    let t = Instant::now();
    crm.report(&accountant, ReportName::Statement, &ReportFilter { after: Some(middle), ..year.clone() })
        .await
        .unwrap();
    println!("{:<28} {:>32.1}", "statement, a page mid-year", t.elapsed().as_secs_f64() * 1000.0);

    let (from, until) = periods[2].1.bounds();
    let q = ReportQuery {
        from,
        until,
        currency: crm::domain::Currency::RUB,
        operator_id: None,
        agent_id: None,
        destination: None,
    };
    let mut conn = store.conn().await.unwrap();
    println!("\n-- query plans ({backend}, the year, unfiltered)");
    for (name, plan) in crm::store::reports::explain(&mut conn, store.backend(), &q).await.unwrap() {
        println!("[{name}]\n{plan}");
    }
    drop(conn);
    store.close().await;
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let operations = env_num("BENCH_OPERATIONS", 1_000_000);
    let runs = env_num("BENCH_RUNS", 3).max(1) as usize;
    for backend in testkit::backends() {
        bench(backend, operations, runs).await;
    }
}
