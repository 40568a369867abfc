//! The whole update path, measured: the real `tourcrm` binary long-polls the fake Telegram
//! Bot API of the e2e tests; each of N users sends `/start` and the bot answers with the first
//! registration question (a state read, a dialogue step, a state write, a template render and
//! a `sendMessage`). Prints updates per second and latency percentiles; asserts nothing.
//!
//! `cargo bench --bench update_path` (env `BENCH_USERS`, default 500).

#![allow(clippy::unwrap_used, clippy::expect_used, dead_code, unused_imports)]

#[path = "../tests/e2e/fake_telegram/mod.rs"]
mod fake_telegram;

use fake_telegram::{FakeTelegram, TEST_TOKEN};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let users: i64 = std::env::var("BENCH_USERS").ok().and_then(|v| v.parse().ok()).unwrap_or(500);
    let fake = FakeTelegram::start().await;
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_tourcrm"))
        .arg("serve")
        .current_dir(dir.path())
        .env("TOURCRM_DATA_DIR", dir.path().join("data"))
        .env("TOURCRM_HTTP_ADDR", format!("127.0.0.1:{port}"))
        .env("TELOXIDE_TOKEN", TEST_TOKEN)
        .env("TELOXIDE_API_URL", fake.api_url())
        .env("TOURCRM_BOT_RATE", "1000")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the bot polls.
    let deadline = Instant::now() + Duration::from_secs(30);
    while fake.calls("getUpdates").is_empty() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Warm-up: one conversation.
    let warm = fake.user(1, "Разогрев", None);
    fake.push_text(&warm, "/start");
    fake.wait_for_message(1, |_| true, Duration::from_secs(30)).await;

    let started = Instant::now();
    let mut pushed = Vec::with_capacity(users as usize);
    for i in 0..users {
        let u = fake.user(10_000 + i, "Клиент", None);
        fake.push_text(&u, "/start");
        pushed.push((u.id, Instant::now()));
    }
    let mut latencies = Vec::with_capacity(users as usize);
    for (chat, at) in &pushed {
        fake.wait_for_message(*chat, |_| true, Duration::from_secs(120)).await;
        // The reply's arrival is observed on polling the fake; record when we saw it.
        latencies.push(at.elapsed());
    }
    let total = started.elapsed();
    latencies.sort();
    let p = |q: f64| latencies[((latencies.len() - 1) as f64 * q) as usize];
    println!("update path: {users} updates (one /start per user) through the real binary and the fake Bot API");
    println!("  throughput: {:.0} updates/s (all answered in {:?})", users as f64 / total.as_secs_f64(), total);
    println!(
        "  latency from push to reply seen: p50 {:?}  p90 {:?}  p99 {:?}  max {:?}",
        p(0.5),
        p(0.9),
        p(0.99),
        p(1.0)
    );
    // One at a time: the latency of a single update on an idle bot.
    let mut single = Vec::new();
    for i in 0..50 {
        let u = fake.user(900_000 + i, "Клиент", None);
        let t = Instant::now();
        fake.push_text(&u, "/start");
        fake.wait_for_message(u.id, |_| true, Duration::from_secs(30)).await;
        single.push(t.elapsed());
    }
    single.sort();
    let q = |x: f64| single[((single.len() - 1) as f64 * x) as usize];
    println!("  one at a time (50 updates): p50 {:?}  p99 {:?}", q(0.5), q(0.99));
    let _ = child.kill();
    let _ = child.wait();
}
