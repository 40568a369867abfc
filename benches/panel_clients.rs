//! The panel's client list and search with 100,000 clients, measured from a second process
//! over loopback: the real `tourcrm serve` on a SQLite (or, with `BENCH_DATABASE_URL`,
//! PostgreSQL) database seeded here, and concurrent HTTP clients signed in as an admin.
//! Prints p50/p99 latency and requests per second per kind of page; asserts nothing.
//!
//! `cargo bench --bench panel_clients` (env `BENCH_CLIENTS`, default 100000; `BENCH_REQUESTS`,
//! per kind, default 400; `BENCH_CONCURRENCY`, default 8).

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "common/clients.rs"]
mod clients;

use crm::domain::Role;

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn env_num(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn cookie(res: &reqwest::Response, name: &str) -> Option<String> {
    res.headers().get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).find_map(|c| {
        let pair = c.split(';').next()?;
        let (k, v) = pair.split_once('=')?;
        (k.trim() == name).then(|| v.to_owned())
    })
}

fn hidden(html: &str, name: &str) -> String {
    let at = html.find(&format!("name=\"{name}\" value=\"")).unwrap() + name.len() + 15;
    html[at..].split('"').next().unwrap().to_owned()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let n = env_num("BENCH_CLIENTS", 100_000);
    let per_kind = env_num("BENCH_REQUESTS", 400);
    let concurrency = env_num("BENCH_CONCURRENCY", 8);
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let url = std::env::var("BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}", data.join("tourcrm.db").display()));
    let bin = env!("CARGO_BIN_EXE_tourcrm");
    let run = |args: &[&str]| {
        Command::new(bin).args(args).env("TOURCRM_DATA_DIR", &data).env("DATABASE_URL", &url).output().unwrap()
    };
    let out =
        String::from_utf8(run(&["staff", "add", "--role", "admin", "--name", "Бенч Админ", "--login", "bench"]).stdout)
            .unwrap();
    let one_time =
        out.lines().find(|l| l.starts_with("Одноразовый")).unwrap().split_whitespace().last().unwrap().to_owned();
    run(&["staff", "add", "--role", "agent", "--name", "Бенч Агент", "--login", "agent"]);

    let key = std::fs::read_to_string(data.join("master.key")).unwrap();
    let store = crm::store::Store::open(&url).await.unwrap();
    let crm =
        crm::Crm::new(store, crm::crypto::MasterKey::from_base64(&key).unwrap(), Arc::new(crm::clock::SystemClock))
            .await
            .unwrap();
    let staff = crm.list_staff(&crm::Actor::System).await.unwrap();
    let admin = staff.iter().find(|s| s.login == "bench").unwrap().id;
    let agent = staff.iter().find(|s| s.login == "agent").unwrap().id;
    crm.change_password(&crm::Actor::staff(admin, Role::Admin), &one_time, "бенчмарк-пароль-1").await.unwrap();
    let t = Instant::now();
    clients::seed(&crm, n, Some(agent)).await;
    println!("seeded {n} clients in {:?}", t.elapsed());
    crm.store().close().await;

    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let base = format!("http://127.0.0.1:{port}");
    let mut server = Command::new(bin)
        .arg("serve")
        .env("TOURCRM_DATA_DIR", &data)
        .env("DATABASE_URL", &url)
        .env("TOURCRM_HTTP_ADDR", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    while http.get(format!("{base}/healthz")).send().await.is_err() {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Sign in as a browser would: the login form's nonce cookie and hidden field, then the session cookie.
    let form = http.get(format!("{base}/login")).send().await.unwrap();
    let nonce_cookie = cookie(&form, "tourcrm_login").unwrap();
    let nonce = hidden(&form.text().await.unwrap(), "_csrf");
    let res = http
        .post(format!("{base}/login"))
        .header("cookie", format!("tourcrm_login={nonce_cookie}"))
        .form(&[("login", "bench"), ("password", "бенчмарк-пароль-1"), ("_csrf", nonce.as_str())])
        .send()
        .await
        .unwrap();
    let session = format!("tourcrm_session={}", cookie(&res, "tourcrm_session").expect("signed in"));

    let kinds: [(&str, String); 5] = [
        ("first page", "/clients".into()),
        ("deep page (keyset)", format!("/clients?before_id={}", n / 2)),
        ("search by name", "/clients?q=%D0%B7%D0%B0%D0%B9%D1%86%D0%B5%D0%B2%D0%B0".into()),
        ("search by phone digits", "/clients?q=912345".into()),
        ("filter by city", "/clients?city=%D0%9A%D0%B0%D0%B7%D0%B0%D0%BD%D1%8C".into()),
    ];
    println!("client list with {n} clients, {concurrency} concurrent clients, {per_kind} requests per kind:");
    for (label, path) in kinds {
        let url = format!("{base}{path}");
        let started = Instant::now();
        let mut tasks = Vec::new();
        for w in 0..concurrency {
            let (http, url, session) = (http.clone(), url.clone(), session.clone());
            let count = per_kind / concurrency + usize::from(w < per_kind % concurrency);
            tasks.push(tokio::spawn(async move {
                let mut lat = Vec::with_capacity(count);
                for _ in 0..count {
                    let t = Instant::now();
                    let r = http.get(&url).header("cookie", &session).send().await.unwrap();
                    assert!(r.status().is_success(), "{} {}", r.status(), url);
                    let _ = r.bytes().await.unwrap();
                    lat.push(t.elapsed());
                }
                lat
            }));
        }
        let mut all = Vec::new();
        for t in tasks {
            all.extend(t.await.unwrap());
        }
        let wall = started.elapsed();
        all.sort();
        let p = |q: f64| all[((all.len() - 1) as f64 * q) as usize];
        println!(
            "  {label:<24} p50 {:>9.2?}  p99 {:>9.2?}  {:>6.0} req/s",
            p(0.5),
            p(0.99),
            all.len() as f64 / wall.as_secs_f64()
        );
    }
    let _ = server.kill();
    let _ = server.wait();
}
