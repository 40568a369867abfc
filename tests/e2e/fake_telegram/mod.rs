//! A fake Telegram Bot API server speaking the real wire format, for driving the real binary.
//!
//! `FakeTelegram::start()` serves `/bot<token>/<method>` on 127.0.0.1 (its own thread and
//! runtime, so a test may block — e.g. run a CLI command — without starving it). Point the
//! binary at it with `TELOXIDE_API_URL=fake.api_url()`. Tests push updates (`push_text`,
//! `push_callback`, …), which the bot receives through `getUpdates` long polling, and read
//! what the bot sent (`sent_to`, `wait_for_message`, `calls`).
//!
//! To prove the bot *ignored* something, push it, then push a message that does get a reply
//! in the same chat and wait for that reply: teloxide handles one chat's updates in order.

#![allow(dead_code)]

// The agency's channel: posts, edits, reaction counts.
mod channel;
mod faults;
mod json;
mod parse;
// Telegram Payments: invoices, pre-checkout queries, successful payments.
mod payments;
mod selftest;
mod server;
mod updates;

pub use channel::PostLink;
pub use faults::{Calls, Fault};
pub use json::BOT_USERNAME;
pub use payments::FakeInvoice;
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::{Notify, oneshot};

/// A token in BotFather's shape, for tests that need one.
pub const TEST_TOKEN: &str = "123456:TEST-token-abcdefghijklmnop";

/// A Telegram user the test plays.
#[derive(Clone, Debug)]
pub struct FakeUser {
    pub id: i64,
    pub first_name: String,
    pub username: Option<String>,
}

/// One thing the bot delivered to a chat: a sent message (`sendMessage`, `sendPhoto`,
/// `sendDocument`) or an edit of one (`editMessageText`, `editMessageReplyMarkup`, …).
#[derive(Clone, Debug)]
pub struct SentMessage {
    pub method: String,
    pub chat_id: i64,
    pub message_id: i64,
    /// The text, or the caption of a photo or document.
    pub text: Option<String>,
    /// The `reply_markup` exactly as the bot sent it (inline or reply keyboard, or removal).
    pub reply_markup: Option<Value>,
    /// The whole request body (files appear as `{"file_name", "size", "hex"}`).
    pub body: Value,
    /// When the fake accepted it (benchmarks measure reply latency to here).
    pub at: std::time::Instant,
}

impl SentMessage {
    pub fn text(&self) -> &str {
        self.text.as_deref().unwrap_or("")
    }

    /// The bytes of the file sent as `field` (`photo`, `document`).
    pub fn file(&self, field: &str) -> Option<Vec<u8>> {
        let hex = self.body[field]["hex"].as_str()?;
        (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok()).collect()
    }

    /// The `callback_data` of every inline button, row by row.
    pub fn callback_data(&self) -> Vec<String> {
        let rows =
            self.reply_markup.as_ref().and_then(|m| m["inline_keyboard"].as_array().cloned()).unwrap_or_default();
        rows.iter()
            .flat_map(|r| r.as_array().cloned().unwrap_or_default())
            .filter_map(|b| b["callback_data"].as_str().map(str::to_owned))
            .collect()
    }
}

#[derive(Clone)]
pub struct FakeTelegram {
    shared: Arc<Shared>,
    pub addr: SocketAddr,
    _stop: Arc<StopOnDrop>,
}

pub(crate) struct Shared {
    state: Mutex<State>,
    /// Woken when an update is pushed (long polls) and when the bot delivers something.
    updates: Notify,
    sent: Notify,
}

#[derive(Default)]
struct State {
    bot_id: i64,
    last_update_id: i64,
    /// Updates not yet acknowledged by a `getUpdates` offset.
    pending: Vec<Value>,
    /// The highest offset the bot acknowledged with.
    acked_offset: i64,
    calls: Vec<(String, Value)>,
    sent: Vec<SentMessage>,
    /// Every live message (the bot's and the users'), for callbacks and edits to refer to.
    messages: HashMap<(i64, i64), Value>,
    last_message_id: HashMap<i64, i64>,
    users: HashMap<i64, FakeUser>,
    blocked: HashSet<i64>,
    fail_429: u32,
    /// Telegram's flood control, when set: sends beyond this many in the last second get 429.
    rate_limit: Option<usize>,
    recent_sends: std::collections::VecDeque<std::time::Instant>,
    /// Telegram's per-chat flood control, when on ([`FakeTelegram::limit_chat_rates`]).
    chat_limits: bool,
    recent_by_chat: HashMap<i64, std::collections::VecDeque<std::time::Instant>>,
    retry_after: u32,
    rejected_429: u32,
    commands: Value,
    webhook_url: String,
    counter: u64,
    /// Failures on command (see `faults`): kind of call, how many more, how.
    faults: Vec<(faults::Calls, u32, faults::Fault)>,
    faults_served: u32,
    /// Telegram Payments: the invoices the bot made, and each pre-checkout query pushed with
    /// the bot's answer once it came.
    invoices: Vec<payments::FakeInvoice>,
    checkouts: HashMap<String, Option<(bool, Option<String>)>>,
    /// The last `allowed_updates` the bot gave (`None`: never; Telegram's default then).
    allowed_updates: Option<Vec<String>>,
}

/// Update kinds Telegram sends only when `allowed_updates` lists them.
const OPT_IN_UPDATES: [&str; 3] = ["chat_member", "message_reaction", "message_reaction_count"];

impl State {
    /// Whether Telegram would send this update, given the bot's last `allowed_updates`.
    fn allowed(&self, update: &Value) -> bool {
        let Some(kind) = update.as_object().and_then(|o| o.keys().find(|k| *k != "update_id")) else {
            return true;
        };
        match &self.allowed_updates {
            Some(list) if !list.is_empty() => list.iter().any(|k| k == kind),
            _ => !OPT_IN_UPDATES.contains(&kind.as_str()),
        }
    }
}

impl State {
    /// Whether one more send now would exceed the rate limit (and counts it if not).
    fn over_rate_limit(&mut self) -> bool {
        let Some(limit) = self.rate_limit else { return false };
        let now = std::time::Instant::now();
        while self.recent_sends.front().is_some_and(|t| now.duration_since(*t) >= std::time::Duration::from_secs(1)) {
            self.recent_sends.pop_front();
        }
        if self.recent_sends.len() >= limit {
            return true;
        }
        self.recent_sends.push_back(now);
        false
    }

    /// Whether one more send to `chat_id` now would exceed Telegram's per-chat limits as we model
    /// them (and counts it if not): a person gets at most [`PRIVATE_MAX`] messages in any
    /// [`PRIVATE_WINDOW`], a group or channel at most 20 a minute.
    fn over_chat_limit(&mut self, chat_id: i64) -> bool {
        if !self.chat_limits {
            return false;
        }
        let (max, window) =
            if chat_id > 0 { (PRIVATE_MAX, PRIVATE_WINDOW) } else { (20, std::time::Duration::from_secs(60)) };
        let now = std::time::Instant::now();
        let recent = self.recent_by_chat.entry(chat_id).or_default();
        while recent.front().is_some_and(|t| now.duration_since(*t) >= window) {
            recent.pop_front();
        }
        if recent.len() >= max {
            return true;
        }
        recent.push_back(now);
        false
    }

    fn next_message_id(&mut self, chat_id: i64) -> i64 {
        let id = self.last_message_id.entry(chat_id).or_insert(0);
        *id += 1;
        *id
    }

    fn next(&mut self) -> u64 {
        self.counter += 1;
        self.counter
    }
}

struct StopOnDrop(Mutex<Option<oneshot::Sender<()>>>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        if let Some(tx) = self.0.lock().unwrap().take() {
            let _ = tx.send(());
        }
    }
}

impl FakeTelegram {
    pub async fn start() -> FakeTelegram {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let state = State { bot_id: 123_456, commands: json!([]), ..State::default() };
        let shared = Arc::new(Shared { state: Mutex::new(state), updates: Notify::new(), sent: Notify::new() });
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let app = server::router(shared.clone());
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                tokio::select! {
                    r = axum::serve(listener, app) => r.unwrap(),
                    _ = stop_rx => {}
                }
            });
        });
        FakeTelegram { shared, addr, _stop: Arc::new(StopOnDrop(Mutex::new(Some(stop_tx)))) }
    }

    /// The base URL for `TELOXIDE_API_URL`: teloxide appends `bot<token>/<method>` as path
    /// segments, so the root with its slash gives `http://127.0.0.1:<port>/bot<token>/<method>`.
    pub fn api_url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.shared.state.lock().unwrap()
    }
}

/// Telegram publishes no exact per-person limit ("about one message a second, short bursts
/// allowed"); the fake refuses a sixth message within two seconds.
pub const PRIVATE_MAX: usize = 5;
pub const PRIVATE_WINDOW: Duration = Duration::from_secs(2);

/// How long a test waits for the bot by default.
pub const WAIT: Duration = Duration::from_secs(10);
