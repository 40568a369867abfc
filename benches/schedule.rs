//! One scheduler run over many clients, in process (no server): how long the tick that queues
//! the due notifications takes with 100 000 clients — the first run of a day (which writes the
//! day's birthdays, passports and payments to the outbox) and a steady run a minute later (which
//! finds nothing new), the cost every instance pays each `TOURCRM_SCHEDULER_TICK`. Prints the
//! timings; asserts nothing.
//!
//! `cargo bench --bench schedule` (env `BENCH_CLIENTS`, default 100000; `BENCH_DATABASE_URL`
//! for PostgreSQL, else a temporary SQLite file).

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "common/catalog.rs"]
mod catalog;
#[path = "common/clients.rs"]
mod clients;

use chrono::Duration;
use crm::Actor;
use crm::notify::Daytime;
use std::sync::Arc;
use std::time::Instant;
use testkit::{FixedClock, t0};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let n: usize = std::env::var("BENCH_CLIENTS").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let dir = tempfile::tempdir().unwrap();
    let url = std::env::var("BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}", dir.path().join("bench.db").display()));
    let store = crm::store::Store::open(&url).await.unwrap();
    // Noon in Moscow: daytime for most of the country's zones.
    let clock = Arc::new(FixedClock::new(t0()));
    let crm = crm::Crm::new(
        store,
        crm::crypto::MasterKey::from_base64(&crm::crypto::MasterKey::generate_base64()).unwrap(),
        clock.clone(),
    )
    .await
    .unwrap();
    let t = Instant::now();
    clients::seed(&crm, n, None).await;
    println!("schedule: {n} clients seeded in {:?}", t.elapsed());

    catalog::published_tour(&crm).await;

    let daytime = Daytime::default();
    let t = Instant::now();
    let first = crm.schedule_notifications(&Actor::System, daytime).await.unwrap();
    let first_took = t.elapsed();
    clock.advance(Duration::minutes(1));
    let mut steady = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let r = crm.schedule_notifications(&Actor::System, daytime).await.unwrap();
        steady.push((t.elapsed(), r.total()));
        clock.advance(Duration::minutes(1));
    }
    println!("  first run of the day: {:?}, {} messages queued ({:?})", first_took, first.total(), first.queued);
    let times: Vec<_> = steady.iter().map(|(d, _)| *d).collect();
    println!(
        "  steady runs (nothing new): {:?} (queued {:?})",
        times,
        steady.iter().map(|(_, n)| *n).collect::<Vec<_>>()
    );
}
