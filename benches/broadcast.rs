//! A broadcast to many clients through the real binary and the fake Telegram Bot API, with the
//! global rate set to 1 000 messages a second and the fake enforcing the same flood limit
//! (a send beyond 1 000 in any second gets 429). Prints the achieved rate as a share of the
//! limit, the 429s received and the server's peak memory; asserts nothing.
//!
//! `cargo bench --bench broadcast` (env `BENCH_RECIPIENTS`, default 10 000; `BENCH_RATE`, 1 000).

#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

// The test suite's fake Bot API; its selftests and helpers this bench does not use stay in.
#[path = "common/catalog.rs"]
mod catalog;
#[allow(unused_imports)]
#[path = "../tests/e2e/fake_telegram/mod.rs"]
mod fake_telegram;
#[path = "../tests/e2e/subscribers.rs"]
mod subscribers;

use chrono::Timelike;
use crm::Actor;
use crm::notify::BroadcastKind;
use crm::services::AudienceFilter;
use crm::services::notify::BroadcastInput;
use fake_telegram::{FakeTelegram, TEST_TOKEN};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const FIRST_CHAT: i64 = 2_000_000;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let n: i64 = std::env::var("BENCH_RECIPIENTS").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let rate: usize = std::env::var("BENCH_RATE").ok().and_then(|v| v.parse().ok()).unwrap_or(1000);
    let fake = FakeTelegram::start().await;
    fake.limit_rate(rate);
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let h = chrono::Utc::now().with_timezone(&crm::domain::DEFAULT_TZ).hour();
    let hours = format!("{:02}:00-{:02}:00", (h + 22) % 24, (h + 2) % 24);
    let mut child = Command::new(env!("CARGO_BIN_EXE_tourcrm"))
        .arg("serve")
        .current_dir(dir.path())
        .env("TOURCRM_DATA_DIR", dir.path().join("data"))
        .env("TOURCRM_HTTP_ADDR", format!("127.0.0.1:{port}"))
        .env("TELOXIDE_TOKEN", TEST_TOKEN)
        .env("TELOXIDE_API_URL", fake.api_url())
        .env("TOURCRM_BOT_RATE", rate.to_string())
        .env("TOURCRM_SCHEDULER_TICK", "1")
        .env("TOURCRM_NOTIFY_HOURS", &hours)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let key_file = dir.path().join("data/master.key");
    let deadline = Instant::now() + Duration::from_secs(30);
    while fake.calls("getUpdates").is_empty() || !key_file.exists() {
        assert!(Instant::now() < deadline, "the server did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let url = format!("sqlite://{}", dir.path().join("data/tourcrm.db").display());
    let store = crm::store::Store::open(&url).await.unwrap();
    let key = crm::crypto::MasterKey::from_base64(&std::fs::read_to_string(&key_file).unwrap()).unwrap();
    let crm = crm::Crm::new(store, key, std::sync::Arc::new(crm::clock::SystemClock)).await.unwrap();

    let filled = Instant::now();
    subscribers::subscribers(&crm, n, FIRST_CHAT, 915).await;
    eprintln!("{n} clients registered in {:?}", filled.elapsed());
    let tour = catalog::published_tour(&crm).await;

    let input = BroadcastInput {
        kind: BroadcastKind::NewTour,
        title: "Бенчмарк".into(),
        template: BroadcastKind::NewTour.default_template().into(),
        tour_id: Some(tour),
        audience: AudienceFilter::default(),
        send_at: None,
    };
    let composed = Instant::now();
    crm.create_broadcast(&Actor::System, input).await.unwrap();
    // Nothing else is sent meanwhile: every delivered message is the broadcast's.
    let delivered = || fake.total_sent();
    let mut first = None;
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        let got = delivered();
        if got > 0 && first.is_none() {
            first = Some(Instant::now());
        }
        if got >= n as usize {
            break;
        }
        assert!(Instant::now() < deadline, "only {got} of {n} delivered");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let done = Instant::now();
    let first = first.unwrap();
    let secs = done.duration_since(first).as_secs_f64();
    let achieved = (n - 1) as f64 / secs;
    let peak_kib = peak_memory_kib(child.id());
    println!("broadcast: {n} recipients through the real binary and the fake Bot API (flood limit {rate}/s)");
    println!("  expansion (queueing) until the first message: {:?}", first.duration_since(composed));
    println!(
        "  sending: {:.1} s, {achieved:.0} msg/s = {:.1} % of the {rate}/s limit",
        secs,
        100.0 * achieved / rate as f64
    );
    println!("  429 answers received: {}", fake.rejected_429());
    println!("  server peak memory (VmHWM): {:.1} MiB", peak_kib as f64 / 1024.0);
    let twice = (0..n).filter(|i| fake.count_sent(FIRST_CHAT + i) > 1).count();
    println!("  recipients who got it twice: {twice}");
    let _ = child.kill();
    let _ = child.wait();
}

fn peak_memory_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}
