//! The floor of the update path: a bot that does nothing but long-poll and answer every update
//! with one constant message (and a pressed button's callback), with no state, database or
//! templates. `cargo bench --bench update_path` measures it with the same driver, fake Bot API
//! and `/proc` accounting as `tourcrm` (README, «The bot's update path»):
//!
//! ```sh
//! cargo build --release --example echo_floor
//! BENCH_SERVER_BIN=target/release/examples/echo_floor BENCH_LOADS=light cargo bench --bench update_path
//! ```
//!
//! What it costs per update is what polling over loopback HTTP costs on the machine (the
//! driver counts its constant answers as unexpected: it checks that the bot did the work).
//! Like `tourcrm serve` by default, it runs one async worker on the core it starts on.

use serde_json::{Value, json};
use std::time::Duration;

fn main() {
    #[cfg(target_os = "linux")]
    {
        let mut only = rustix::thread::CpuSet::new();
        only.set(rustix::thread::sched_getcpu());
        let _ = rustix::thread::sched_setaffinity(None, &only);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build();
    runtime.expect("a tokio runtime").block_on(run());
}

async fn run() {
    let api = std::env::var("TELOXIDE_API_URL").unwrap_or_else(|_| "https://api.telegram.org".into());
    let token = std::env::var("TELOXIDE_TOKEN").expect("TELOXIDE_TOKEN");
    let base = format!("{}/bot{token}", api.trim_end_matches('/'));
    let client = reqwest::Client::new();
    let mut offset: i64 = 0;
    // A fake Bot API that went away (its bench ended) is not polled for ever: its port may
    // serve something else next.
    let mut failed = 0;
    while failed < 20 {
        let asked = client.post(format!("{base}/getUpdates")).json(&json!({"offset": offset, "timeout": 10})).send();
        let answer: Value = match asked.await {
            Ok(r) => r.json().await.unwrap_or(Value::Null),
            Err(_) => Value::Null,
        };
        let Some(updates) = answer["result"].as_array() else {
            failed += 1;
            tokio::time::sleep(Duration::from_millis(250)).await;
            continue;
        };
        failed = 0;
        let mut answering = tokio::task::JoinSet::new();
        for update in updates {
            offset = offset.max(update["update_id"].as_i64().unwrap_or(0) + 1);
            let (chat, callback) = match (update.get("message"), update.get("callback_query")) {
                (Some(m), _) => (m["chat"]["id"].as_i64(), None),
                (None, Some(q)) => (q["from"]["id"].as_i64(), q["id"].as_str().map(str::to_owned)),
                _ => (None, None),
            };
            let Some(chat) = chat else { continue };
            answering.spawn(answer_one(client.clone(), base.clone(), chat, callback));
        }
        answering.join_all().await;
    }
}

async fn answer_one(client: reqwest::Client, base: String, chat: i64, callback: Option<String>) {
    if let Some(id) = callback {
        let _ = client.post(format!("{base}/answerCallbackQuery")).json(&json!({"callback_query_id": id})).send().await;
    }
    let message = json!({"chat_id": chat, "text": "ok", "reply_markup": {"inline_keyboard": [[{"text": "ok", "callback_data": "ok"}]]}});
    // A 429 waits what Telegram says and sends the same message again, as tourcrm does.
    loop {
        let Ok(sent) = client.post(format!("{base}/sendMessage")).json(&message).send().await else { return };
        let answer: Value = sent.json().await.unwrap_or(Value::Null);
        match answer["parameters"]["retry_after"].as_u64() {
            Some(secs) => tokio::time::sleep(Duration::from_secs(secs)).await,
            None => return,
        }
    }
}
