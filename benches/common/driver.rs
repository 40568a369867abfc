//! Simulated clients for the update-path benchmark: each walks a script (a text, or a press
//! of a button on one of the bot's messages), waiting for the bot's reply before the next
//! step. One loop drives them all and reads the fake Bot API's deliveries in order, so a
//! thousand clients cost the benchmark process little next to the server it measures.
//!
//! A reply's latency runs from the moment the update was queued in the fake (a `getUpdates`
//! long poll returns it at once) to the moment the fake accepted the bot's `sendMessage`.

#![allow(dead_code)]

use crate::fake_telegram::{FakeTelegram, FakeUser};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::time::{Duration, Instant};

/// What a client does at one step.
#[derive(Clone, Debug)]
pub enum Input {
    Text(String),
    /// Presses the button with this callback data under the bot's last message to the client.
    Press(String),
    /// Presses it under the bot's first reply to the client (a list the client keeps using).
    PressOnFirst(String),
    /// Presses it under this message of the bot's (one sent in an earlier run).
    PressOnMessage(i64, String),
}

/// One step: the input and a piece of the reply's text that shows the bot understood it.
#[derive(Clone, Debug)]
pub struct Step {
    pub input: Input,
    pub expect: &'static str,
}

/// When a client takes its next step.
#[derive(Clone, Copy, Debug)]
pub enum Pace {
    /// This long after the bot's reply (a person reading and answering).
    AfterReply(Duration),
    /// At a fixed cadence from the first step, whatever the replies do.
    Every(Duration),
}

/// A registration as a client walks it: the registration test's script, with a typed phone.
pub fn registration(phone: &str) -> Vec<Step> {
    let text = |t: &str, expect| Step { input: Input::Text(t.to_owned()), expect };
    let press = |d: &str, expect| Step { input: Input::Press(d.to_owned()), expect };
    vec![
        // A stranger browses first (the guest menu); registering is one menu button away.
        text("/start", "без регистрации"),
        text("📝 Зарегистрироваться", "Как вас зовут"),
        text("Иванова Мария", "номером телефона"),
        text(phone, "Дата рождения"),
        text("05.03.1990", "вылетаете"),
        press("c:0", "согласие"),
        press("y", "подборки"),
        press("n", "Готово, Мария"),
    ]
}

struct Client {
    user: FakeUser,
    script: Vec<Step>,
    step: usize,
    first_reply: Option<i64>,
    last_reply: Option<i64>,
    /// When the current step was pushed, while its reply is awaited.
    pushed: Option<Instant>,
    started: Instant,
}

#[derive(Debug, Default)]
pub struct Outcome {
    pub latencies: Vec<Duration>,
    /// Replies whose text was not what the step expected (the bot did not do the work measured).
    pub wrong: usize,
    /// The first such reply, to tell what the bot did instead.
    pub first_wrong: Option<String>,
    /// Messages to the clients beyond one reply per step.
    pub extra: usize,
    /// From the first push to the last reply.
    pub wall: Duration,
}

impl Outcome {
    pub fn updates(&self) -> usize {
        self.latencies.len()
    }

    /// The `q` quantile of the latencies (0.5 = median).
    pub fn quantile(&self, q: f64) -> Duration {
        let mut l = self.latencies.clone();
        l.sort();
        l.get(((l.len().saturating_sub(1)) as f64 * q).round() as usize).copied().unwrap_or_default()
    }
}

/// Runs `clients` (each with its script and its start offset from now) at `pace` until every
/// script is done; panics when the bot stops answering for `stall`.
pub async fn run(fake: &FakeTelegram, clients: Vec<(FakeUser, Vec<Step>, Duration)>, pace: Pace) -> Outcome {
    let stall = Duration::from_secs(120);
    let start = Instant::now();
    let mut cursor = fake.total_sent();
    let mut due: BinaryHeap<Reverse<(Instant, usize)>> = BinaryHeap::new();
    let mut by_chat: HashMap<i64, usize> = HashMap::new();
    let mut all: Vec<Client> = Vec::with_capacity(clients.len());
    for (i, (user, script, offset)) in clients.into_iter().enumerate() {
        due.push(Reverse((start + offset, i)));
        by_chat.insert(user.id, i);
        all.push(Client {
            user,
            script,
            step: 0,
            first_reply: None,
            last_reply: None,
            pushed: None,
            started: start + offset,
        });
    }
    let mut out = Outcome::default();
    let mut left = all.len();
    let mut first_push = None;
    let mut last_reply = start;
    let mut progress = Instant::now();
    while left > 0 {
        let now = Instant::now();
        while let Some(Reverse((at, i))) = due.peek().copied() {
            if at > now {
                break;
            }
            due.pop();
            let c = &mut all[i];
            let step = &c.script[c.step];
            match &step.input {
                Input::Text(t) => fake.push_text(&c.user, t),
                Input::Press(d) => fake.push_callback(&c.user, c.last_reply.expect("a message to press on"), d),
                Input::PressOnFirst(d) => fake.push_callback(&c.user, c.first_reply.expect("a message to press on"), d),
                Input::PressOnMessage(m, d) => fake.push_callback(&c.user, *m, d),
            };
            c.pushed = Some(Instant::now());
            first_push.get_or_insert(now);
        }
        let new = fake.sent_from(cursor);
        cursor += new.len();
        for m in new {
            let Some(&i) = by_chat.get(&m.chat_id) else { continue };
            let c = &mut all[i];
            let Some(pushed) = c.pushed.take() else {
                out.extra += 1;
                continue;
            };
            progress = Instant::now();
            out.latencies.push(m.at.saturating_duration_since(pushed));
            if !m.text().contains(c.script[c.step].expect) {
                out.wrong += 1;
                out.first_wrong.get_or_insert_with(|| m.text().to_owned());
            }
            c.first_reply.get_or_insert(m.message_id);
            c.last_reply = Some(m.message_id);
            last_reply = last_reply.max(m.at);
            c.step += 1;
            if c.step == c.script.len() {
                left -= 1;
                continue;
            }
            let next = match pace {
                Pace::AfterReply(d) => m.at + d,
                Pace::Every(d) => c.started + d * u32::try_from(c.step).unwrap_or(u32::MAX),
            };
            due.push(Reverse((next, i)));
        }
        assert!(progress.elapsed() < stall, "no reply for {stall:?}; {left} clients still waiting");
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    out.wall = last_reply.saturating_duration_since(first_push.unwrap_or(start));
    out
}
