//! The whole update path, measured: the real `tourcrm` binary long-polls the fake Telegram Bot
//! API of the e2e tests, which enforces Telegram's limits (the overall rate, and per chat: see
//! `fake_telegram::PRIVATE_MAX`) by answering 429 as Telegram does. Simulated clients walk the
//! registration (`/start`, the guest menu's «Зарегистрироваться», four texts and three button
//! presses, each answered by the bot) under the loads of issue #16, and then:
//! - a reply's latency while a broadcast to 10 000 clients uses the whole rate;
//! - one client pressing a tour's button every second (`BENCH_PRESS_SECS`, default 120);
//! - one update of each common kind measured alone (`kinds`): a registration step answered with
//!   a text, a tour's button pressed (its card shown), `/start` of a known client — each
//!   `BENCH_KIND_UPDATES` times (default 100, after as many unmeasured to warm the connections'
//!   statement caches), by different clients at once.
//!
//! For each load it prints the reply latency (from the update queued to the reply accepted)
//! p50/p95/p99/max, updates per second, the server's CPU time per update (all its threads' time on a
//! CPU, from `/proc`), its resident memory (now and the peak so far) and the 429s the
//! fake answered; and the idle memory after start and after the loads. Asserts nothing.
//!
//! `cargo bench --bench update_path` (env `BENCH_RATE`, the configured rate and the fake's
//! overall limit, default 1000; `BENCH_LOADS`, a comma-separated subset of
//! `light,fifty_think,fifty_fast,thousand,broadcast,button,kinds`).
//!
//! `BENCH_CALLGRIND=<dir>` runs the server under valgrind's callgrind and counts the
//! instructions of each kind of update (the whole process, net of what it does idle in the same
//! time), with a dump per kind in `<dir>` for `callgrind_annotate --inclusive=yes`; only the
//! `kinds` load runs then unless `BENCH_LOADS` says otherwise (times under valgrind mean nothing);
//! a load named in `BENCH_LOADS` is counted whole, with its dump.
//! `BENCH_SERVER_BIN` runs another build of the server (a copy kept from before a change), or
//! `examples/echo_floor.rs`: what the same loads cost a bot that does no work at all.

#![allow(clippy::unwrap_used, clippy::expect_used, dead_code, unused_imports)]

#[path = "common/callgrind.rs"]
mod callgrind;
#[path = "common/catalog.rs"]
mod catalog;
#[path = "common/clients.rs"]
mod clients;
#[path = "common/driver.rs"]
mod driver;
#[path = "../tests/e2e/fake_telegram/mod.rs"]
mod fake_telegram;
#[path = "common/procstat.rs"]
mod procstat;

use callgrind::Callgrind;
use crm::Actor;
use crm::notify::BroadcastKind;
use crm::services::AudienceFilter;
use crm::services::notify::BroadcastInput;
use driver::{Input, Outcome, Pace, Step};
use fake_telegram::{FakeTelegram, FakeUser, TEST_TOKEN};
use procstat::Proc;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The broadcast's audience: seeded clients, every other one agreeing to marketing.
const SEEDED: usize = 20_000;

struct Bench {
    fake: FakeTelegram,
    proc: Proc,
    /// Counting the server's instructions (`BENCH_CALLGRIND`).
    callgrind: Option<Callgrind>,
    /// Chat ids of simulated clients: each load takes fresh ones, so every client is new.
    next_chat: i64,
}

impl Bench {
    fn users(&mut self, n: usize) -> Vec<FakeUser> {
        (0..n)
            .map(|_| {
                self.next_chat += 1;
                self.fake.user(self.next_chat, "Мария", None)
            })
            .collect()
    }

    /// Registrations of `n` new clients, the i-th starting at `spread * i / n`.
    fn registrations(&mut self, n: usize, spread: Duration) -> Vec<(FakeUser, Vec<Step>, Duration)> {
        self.users(n)
            .into_iter()
            .enumerate()
            .map(|(i, u)| {
                let phone = format!("+7913{:07}", u.id % 10_000_000);
                (u, driver::registration(&phone), spread * u32::try_from(i).unwrap() / u32::try_from(n).unwrap())
            })
            .collect()
    }

    /// Runs a load and prints its line.
    async fn measure(&self, name: &str, clients: Vec<(FakeUser, Vec<Step>, Duration)>, pace: Pace) -> Outcome {
        let cpu = self.proc.cpu_mark();
        let rejected = self.fake.rejected_429();
        let run = driver::run(&self.fake, clients, pace);
        let (counted, out) = match &self.callgrind {
            Some(cg) => {
                let label: String = name.chars().filter(|c| c.is_ascii_alphanumeric()).take(24).collect();
                let (c, out) = cg.measure(&label, run).await;
                (Some(c), out)
            }
            None => (None, run.await),
        };
        let cpu = self.proc.cpu_since(&cpu);
        self.report(name, &out, cpu, self.fake.rejected_429() - rejected);
        if let Some(c) = counted {
            // Under valgrind only the instructions mean anything (the whole process, idle included).
            let per_update = c.instructions as f64 / out.updates().max(1) as f64;
            println!("|   (callgrind: {per_update:.0} instructions/update; {}) |||||||", c.file.display());
        }
        out
    }

    fn report(&self, name: &str, out: &Outcome, cpu: Duration, rejected: u32) {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let n = out.updates().max(1);
        println!(
            "| {name} | {} | {:.1} / {:.1} / {:.1} / {:.1} | {:.0} | {:.3} | {:.1} / {:.1} | {rejected} |{}",
            out.updates(),
            ms(out.quantile(0.5)),
            ms(out.quantile(0.95)),
            ms(out.quantile(0.99)),
            ms(out.quantile(1.0)),
            out.updates() as f64 / out.wall.as_secs_f64().max(1e-9),
            ms(cpu) / n as f64,
            self.proc.rss_mib(),
            self.proc.peak_rss_mib(),
            if out.wrong + out.extra > 0 {
                format!(
                    " {} unexpected replies (first: {:?}), {} extra messages",
                    out.wrong, out.first_wrong, out.extra
                )
            } else {
                String::new()
            },
        );
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let rate: usize = std::env::var("BENCH_RATE").ok().and_then(|v| v.parse().ok()).unwrap_or(1000);
    let press_secs: u32 = std::env::var("BENCH_PRESS_SECS").ok().and_then(|v| v.parse().ok()).unwrap_or(120);
    let kind_updates: usize = std::env::var("BENCH_KIND_UPDATES").ok().and_then(|v| v.parse().ok()).unwrap_or(100);
    let callgrind_dir = std::env::var_os("BENCH_CALLGRIND").map(std::path::PathBuf::from);
    let loads = std::env::var("BENCH_LOADS")
        .unwrap_or_else(|_| if callgrind_dir.is_some() { "kinds".into() } else { String::new() });
    let wanted = |l: &str| loads.is_empty() || loads.split(',').any(|x| x.trim() == l);
    let fake = FakeTelegram::start().await;
    fake.limit_rate(rate);
    fake.limit_chat_rates();
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    // `BENCH_SERVER_BIN` measures another build of the server (a copy kept from before a change).
    let bin = std::env::var_os("BENCH_SERVER_BIN")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from(env!("CARGO_BIN_EXE_tourcrm")));
    let mut server = match &callgrind_dir {
        Some(d) => {
            std::fs::create_dir_all(d).unwrap();
            Callgrind::command(&bin, d)
        }
        None => Command::new(&bin),
    };
    // The key is handed over rather than read back from the server's key file: a server under
    // measurement need not be tourcrm (`examples/echo_floor.rs`, the floor of the path).
    let master_key = crm::crypto::MasterKey::generate_base64();
    let child = server
        .arg("serve")
        .env("TOURCRM_MASTER_KEY", &master_key)
        .current_dir(dir.path())
        .env("TOURCRM_DATA_DIR", dir.path().join("data"))
        .env("TOURCRM_HTTP_ADDR", format!("127.0.0.1:{port}"))
        .env("TELOXIDE_TOKEN", TEST_TOKEN)
        .env("TELOXIDE_API_URL", fake.api_url())
        .env("TOURCRM_BOT_RATE", rate.to_string())
        // The scheduler at its default tick (a minute), as an agency runs it: the broadcast is
        // expanded into the outbox by the bench itself (below), so a tick of a second — ~8 ms
        // of CPU a second, charged to every load's updates — is not needed to start it.
        // Every local hour but one minute: the broadcast goes out whatever the time of the run.
        .env("TOURCRM_NOTIFY_HOURS", "00:00-23:59")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map(Server)
        .unwrap();
    // Valgrind starts the server many times slower.
    let deadline = Instant::now() + Duration::from_secs(if callgrind_dir.is_some() { 600 } else { 60 });
    while fake.calls("getUpdates").is_empty() {
        assert!(Instant::now() < deadline, "the server did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let proc = Proc::new(child.0.id());
    tokio::time::sleep(Duration::from_secs(2)).await;
    let idle_start = proc.rss_mib();
    // tourcrm made its data directory before polling; the echo floor has none.
    std::fs::create_dir_all(dir.path().join("data")).unwrap();
    let url = format!("sqlite://{}", dir.path().join("data/tourcrm.db").display());
    let store = crm::store::Store::open(&url).await.unwrap();
    let key = crm::crypto::MasterKey::from_base64(&master_key).unwrap();
    let crm = crm::Crm::new(store, key, std::sync::Arc::new(crm::clock::SystemClock)).await.unwrap();
    let tour = catalog::published_tour(&crm).await;

    let callgrind = callgrind_dir.as_deref().map(|d| Callgrind::new(child.0.id(), d));
    let mut b = Bench { fake, proc, callgrind, next_chat: 50_000_000 };
    // Warm-up: one registration (templates, statements, connections).
    let warm = b.registrations(1, Duration::ZERO);
    driver::run(&b.fake, warm, Pace::AfterReply(Duration::ZERO)).await;

    println!("update path: the real binary, the fake Bot API enforcing Telegram's limits; overall rate {rate}/s");
    println!("idle RSS after start: {idle_start:.1} MiB");
    println!();
    println!(
        "| load | updates | latency p50 / p95 / p99 / max, ms | updates/s | CPU ms/update | RSS now / peak, MiB | 429s |"
    );
    println!("|---|---|---|---|---|---|---|");
    let second = Pace::AfterReply(Duration::from_secs(1));
    if wanted("light") {
        let clients = b.registrations(200, Duration::from_secs(20));
        b.measure("200 clients over 20 s, answering 1 s after a reply", clients, second).await;
    }
    if wanted("fifty_think") {
        let clients = b.registrations(50, Duration::ZERO);
        b.measure("50 clients at once, answering 1 s after a reply", clients, second).await;
    }
    if wanted("fifty_fast") {
        let clients = b.registrations(50, Duration::ZERO);
        b.measure("50 clients at once, answering at once", clients, Pace::AfterReply(Duration::ZERO)).await;
    }
    if wanted("thousand") {
        let clients = b.registrations(1000, Duration::ZERO);
        b.measure("1 000 clients at once, answering at once", clients, Pace::AfterReply(Duration::ZERO)).await;
    }
    if wanted("broadcast") {
        broadcast(&mut b, &crm, tour).await;
    }
    if wanted("button") {
        let user = b.users(1).remove(0);
        let phone = format!("+7913{:07}", user.id % 10_000_000);
        let registered =
            driver::run(&b.fake, vec![(user.clone(), driver::registration(&phone), Duration::ZERO)], second);
        registered.await;
        let mut script = vec![Step { input: Input::Text("🌍 Туры".into()), expect: "Алтай" }];
        let press = Step { input: Input::PressOnFirst(format!("t:{}", tour.0)), expect: "Алтай" };
        script.extend(std::iter::repeat_n(press, press_secs as usize));
        let name = format!("one client pressing a tour's button every second for {press_secs} s");
        b.measure(&name, vec![(user, script, Duration::ZERO)], Pace::Every(Duration::from_secs(1))).await;
    }
    if wanted("kinds") {
        kinds(&mut b, tour, kind_updates).await;
    }
    tokio::time::sleep(Duration::from_secs(5)).await;
    println!();
    println!("idle RSS after the loads: {:.1} MiB (peak {:.1} MiB)", b.proc.rss_mib(), b.proc.peak_rss_mib());
    drop(child);
}

/// The server under measurement, stopped when the bench ends — by a panic too: a failed run
/// left it polling a fake that was gone, and it took the updates of the next run's fake (or hit
/// its panel) when that one got the same port.
struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A broadcast to 10 000 clients at the whole rate; meanwhile a new client writes `/start`
/// every 200 ms, and the latency of each answer is measured.
async fn broadcast(b: &mut Bench, crm: &crm::Crm, tour: crm::domain::TourId) {
    clients::seed(crm, SEEDED, None).await;
    let audience = SEEDED / 2;
    let sent_before = b.fake.total_sent();
    let input = BroadcastInput {
        kind: BroadcastKind::NewTour,
        title: "Бенчмарк".into(),
        template: BroadcastKind::NewTour.default_template().into(),
        tour_id: Some(tour),
        audience: AudienceFilter::default(),
        send_at: None,
    };
    crm.create_broadcast(&Actor::System, input).await.unwrap();
    // What the server's scheduler would do at its next tick: the outbox rows, which the server's
    // sender (polling the outbox) then sends.
    let hours = crm::notify::Daytime::parse("00:00-23:59").unwrap();
    crm.expand_due_broadcasts(&Actor::System, hours).await.unwrap();
    // Wait until the broadcast is under way.
    let deadline = Instant::now() + Duration::from_secs(120);
    while b.fake.total_sent() < sent_before + 200 {
        assert!(Instant::now() < deadline, "the broadcast did not start");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let started = Instant::now();
    let probes: Vec<_> = b
        .users(40)
        .into_iter()
        .enumerate()
        .map(|(i, u)| {
            let step = Step { input: Input::Text("/start".into()), expect: "без регистрации" };
            (u, vec![step], Duration::from_millis(200) * u32::try_from(i).unwrap())
        })
        .collect();
    let out = b.measure("a reply during a broadcast to 10 000 clients", probes, Pace::AfterReply(Duration::ZERO)).await;
    let during = b.fake.total_sent() - sent_before - out.updates();
    let deadline = Instant::now() + Duration::from_secs(600);
    while b.fake.total_sent() < sent_before + audience + out.updates() {
        assert!(Instant::now() < deadline, "the broadcast did not finish");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "|   (the broadcast: {during} of {audience} delivered while the probes ran; all in {:.1} s from the first probe) |||||||",
        secs
    );
}

/// One kind of update measured alone: `warm` unmeasured first (the pool's connections prepare
/// their statements), then `measured`; both sent by their clients at once.
struct Kind {
    name: &'static str,
    warm: Vec<(FakeUser, Vec<Step>, Duration)>,
    measured: Vec<(FakeUser, Vec<Step>, Duration)>,
}

/// A registration step answered with a text, a tour's button pressed, `/start` of a known
/// client: CPU time per update from `/proc`, or under callgrind instructions per update.
async fn kinds(b: &mut Bench, tour: crm::domain::TourId, n: usize) {
    let now = Pace::AfterReply(Duration::ZERO);
    let at_once = |users: &[FakeUser], step: &dyn Fn(&FakeUser) -> Step| -> Vec<(FakeUser, Vec<Step>, Duration)> {
        users.iter().map(|u| (u.clone(), vec![step(u)], Duration::ZERO)).collect()
    };
    let text =
        |t: &'static str, expect: &'static str| move |_: &FakeUser| Step { input: Input::Text(t.into()), expect };
    // New clients at the registration's first question, and registered ones with the tour list.
    let fresh = b.users(2 * n);
    driver::run(&b.fake, at_once(&fresh[..], &text("/start", "без регистрации")), now).await;
    driver::run(&b.fake, at_once(&fresh[..], &text("📝 Зарегистрироваться", "Как вас зовут")), now).await;
    let registrations = b.registrations(n, Duration::ZERO);
    let known: Vec<FakeUser> = registrations.iter().map(|(u, ..)| u.clone()).collect();
    driver::run(&b.fake, registrations, now).await;
    driver::run(&b.fake, at_once(&known[..], &text("🌍 Туры", "Алтай")), now).await;
    let lists: std::collections::HashMap<i64, i64> =
        known.iter().map(|u| (u.id, b.fake.sent_to(u.id).last().expect("the tour list").message_id)).collect();
    let press = |u: &FakeUser| Step {
        input: Input::PressOnMessage(lists[&u.id], format!("t:{}", tour.0)),
        expect: "Алтай",
    };
    let kinds = [
        Kind {
            name: "a registration step answered with a text (the name)",
            warm: at_once(&fresh[..n], &text("Иванова Мария", "номером телефона")),
            measured: at_once(&fresh[n..], &text("Иванова Мария", "номером телефона")),
        },
        Kind {
            name: "a tour's button pressed (its card shown)",
            warm: at_once(&known[..], &press),
            measured: at_once(&known[..], &press),
        },
        Kind {
            name: "/start of a known client",
            warm: at_once(&known[..], &text("/start", "чем займёмся")),
            measured: at_once(&known[..], &text("/start", "чем займёмся")),
        },
    ];
    // Idle (polling, the outbox looking for work): subtracted from the kinds' counts.
    let idle = match &b.callgrind {
        Some(cg) => {
            let (c, ()) = cg.measure("idle", tokio::time::sleep(Duration::from_secs(5))).await;
            println!();
            println!(
                "callgrind: idle {:.0} instructions/s (over {:.1} s), dump {}",
                c.instructions as f64 / c.wall.as_secs_f64(),
                c.wall.as_secs_f64(),
                c.file.display()
            );
            c.instructions as f64 / c.wall.as_secs_f64()
        }
        None => 0.0,
    };
    println!();
    println!("| update, measured alone | updates | CPU ms/update | instructions/update (net of idle) |");
    println!("|---|---|---|---|");
    for kind in kinds {
        // Each chat's reply budget refills (a burst of three), so no reply waits for it.
        tokio::time::sleep(Duration::from_secs(3)).await;
        driver::run(&b.fake, kind.warm, now).await;
        tokio::time::sleep(Duration::from_secs(3)).await;
        let cpu = b.proc.cpu_mark();
        let label: String = kind.name.split(['(', ' ']).filter(|w| !w.is_empty()).take(4).collect::<Vec<_>>().join("_");
        let label: String = label.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        let (counted, out) = match &b.callgrind {
            Some(cg) => {
                let (c, out) = cg.measure(&label, driver::run(&b.fake, kind.measured, now)).await;
                (Some(c), out)
            }
            None => (None, driver::run(&b.fake, kind.measured, now).await),
        };
        let cpu = b.proc.cpu_since(&cpu);
        let updates = out.updates().max(1) as f64;
        let (cpu, instructions) = match counted {
            Some(c) => (
                "—".to_owned(),
                format!(
                    "{:.0} ({:.0} raw; {})",
                    (c.instructions as f64 - idle * c.wall.as_secs_f64()) / updates,
                    c.instructions as f64 / updates,
                    c.file.display()
                ),
            ),
            None => (format!("{:.3}", cpu.as_secs_f64() * 1000.0 / updates), "—".to_owned()),
        };
        let wrong = if out.wrong + out.extra > 0 {
            format!(" {} unexpected replies (first: {:?}), {} extra messages", out.wrong, out.first_wrong, out.extra)
        } else {
            String::new()
        };
        println!("| {} | {} | {cpu} | {instructions} |{wrong}", kind.name, out.updates());
    }
}
