//! The bot's one sending budget, shaped like the limits Telegram applies, and nothing more:
//!
//! - **Over all chats**, the configured rate (Telegram allows about 30 a second). Replies and
//!   the outbox sender draw from this one limiter, so together they never exceed it, and a
//!   broadcast gets the whole rate when nobody is talking to the bot.
//! - **Per private chat**, a short burst ([`PRIVATE`]: three at once) and then one a second; no
//!   per-minute cap. **Per group or channel**, at most 20 a minute ([`GROUP`]).
//! - **Replies first:** while a reply waits for a slot of the overall rate, the outbox takes
//!   none, so a person who writes during a broadcast to 10 000 clients waits for one slot, not
//!   behind the broadcast.
//! - **A 429** pauses exactly what Telegram limited ([`SendBudget::flood`]): the chat, when we
//!   had already sent it a burst; the whole bot, when it hit a chat we had left at rest (so the
//!   overall limit is what was exceeded). The message is sent again after the pause, never dropped.
//!
//! There is no queue and no tick: a sender asks for its turn and goes at once when no limit
//! applies; otherwise it sleeps exactly until the limit allows it. Each limit is a GCRA
//! (a token bucket kept as one "theoretical arrival time"), on tokio's clock, so tests run it
//! in paused time.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::Notify;
use tokio::time::Instant;

/// A limit: `burst` messages at once, then one every `interval`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub burst: u32,
    pub interval: Duration,
}

/// A private chat: a few at once (a reply and a notification together), then one a second.
pub const PRIVATE: Limit = Limit { burst: 3, interval: Duration::from_secs(1) };
/// A group or channel: 20 a minute — a burst of 3 and one per 60/17 s never puts more than 20
/// into any minute.
pub const GROUP: Limit = Limit { burst: 3, interval: Duration::from_micros(60_000_000 / 17) };

/// Chats whose limits are at rest are forgotten after this many turns, so the map holds only
/// chats written to in the last few seconds.
const PRUNE_EVERY: u32 = 4096;

/// One GCRA: `tat` is when the bucket would be full again.
#[derive(Debug, Clone, Copy)]
struct Gcra {
    limit: Limit,
    tat: Instant,
}

impl Gcra {
    fn new(limit: Limit, now: Instant) -> Gcra {
        Gcra { limit, tat: now }
    }

    /// How long until one more may go (zero: now).
    fn wait(&self, now: Instant) -> Duration {
        let tolerance = self.limit.interval * self.limit.burst.saturating_sub(1);
        self.tat.saturating_duration_since(now).saturating_sub(tolerance)
    }

    fn take(&mut self, now: Instant) {
        self.tat = self.tat.max(now) + self.limit.interval;
    }

    fn at_rest(&self, now: Instant) -> bool {
        self.tat <= now
    }
}

#[derive(Debug)]
struct Chat {
    gcra: Gcra,
    paused_until: Option<Instant>,
    /// Whether the last message went to a chat at rest (its first of a burst): a 429 for it
    /// cannot be the chat's own limit.
    last_from_rest: bool,
}

impl Chat {
    fn wait(&self, now: Instant) -> Duration {
        let paused = self.paused_until.map_or(Duration::ZERO, |u| u.saturating_duration_since(now));
        paused.max(self.gcra.wait(now))
    }
}

#[derive(Debug)]
struct State {
    global: Gcra,
    paused_until: Option<Instant>,
    chats: HashMap<i64, Chat>,
    /// Replies whose chat may be written to and who wait only for the overall rate.
    replies_waiting: usize,
    turns: u32,
}

impl State {
    fn global_wait(&self, now: Instant) -> Duration {
        let paused = self.paused_until.map_or(Duration::ZERO, |u| u.saturating_duration_since(now));
        paused.max(self.global.wait(now))
    }

    fn chat_wait(&self, chat: i64, now: Instant) -> Duration {
        self.chats.get(&chat).map_or(Duration::ZERO, |c| c.wait(now))
    }

    fn take_chat(&mut self, chat: i64, now: Instant) {
        let c = self.chats.entry(chat).or_insert_with(|| Chat {
            gcra: Gcra::new(limit_of(chat), now),
            paused_until: None,
            last_from_rest: true,
        });
        c.last_from_rest = c.gcra.at_rest(now);
        c.gcra.take(now);
        self.turns = self.turns.wrapping_add(1);
        if self.turns.is_multiple_of(PRUNE_EVERY) {
            self.chats.retain(|_, c| !c.gcra.at_rest(now) || c.paused_until.is_some_and(|u| u > now));
        }
    }
}

/// The limit Telegram applies to a chat: positive ids are people, negative ones groups and channels.
pub fn limit_of(chat: i64) -> Limit {
    if chat > 0 { PRIVATE } else { GROUP }
}

/// What a 429 paused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paused {
    Chat,
    Bot,
}

#[derive(Clone)]
pub struct SendBudget {
    inner: Arc<Inner>,
}

struct Inner {
    state: Mutex<State>,
    /// Woken when the last waiting reply took its turn (the outbox may go on).
    replies_gone: Notify,
    rate: NonZeroU32,
}

impl SendBudget {
    /// A budget of `rate` messages a second over all chats (at least one).
    pub fn new(rate: u32) -> SendBudget {
        let rate = NonZeroU32::new(rate).unwrap_or(NonZeroU32::MIN);
        let state = State {
            global: Gcra::new(overall(rate), Instant::now()),
            paused_until: None,
            chats: HashMap::new(),
            replies_waiting: 0,
            turns: 0,
        };
        SendBudget { inner: Arc::new(Inner { state: Mutex::new(state), replies_gone: Notify::new(), rate }) }
    }

    /// Messages a second over all chats.
    pub fn rate(&self) -> NonZeroU32 {
        self.inner.rate
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // The state stays consistent under a panic elsewhere (every change is one assignment).
        self.inner.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Waits until a reply to `chat` may go and takes its turn: the chat's own limit first,
    /// then a slot of the overall rate, ahead of the outbox.
    pub async fn reply_turn(&self, chat: i64) {
        let mut waiting = WaitingReply { budget: self, counted: false };
        loop {
            let wait = {
                let mut s = self.state();
                let now = Instant::now();
                let chat_wait = s.chat_wait(chat, now);
                if !chat_wait.is_zero() {
                    // Waiting for its own chat, a reply does not hold up the outbox.
                    waiting.uncount(&mut s);
                    chat_wait
                } else {
                    waiting.count(&mut s);
                    let global = s.global_wait(now);
                    if global.is_zero() {
                        s.global.take(now);
                        s.take_chat(chat, now);
                        waiting.uncount(&mut s);
                        return;
                    }
                    global
                }
            };
            tokio::time::sleep(wait).await;
        }
    }

    /// Waits until the outbox may send one more message: a slot of the overall rate that no
    /// reply is waiting for. The chat's turn is taken separately ([`Self::take_chat_turn`]).
    pub async fn bulk_turn(&self) {
        loop {
            let replies_gone = self.inner.replies_gone.notified();
            tokio::pin!(replies_gone);
            let wait = {
                let mut s = self.state();
                let now = Instant::now();
                if s.replies_waiting > 0 {
                    // Registered before the lock is released, so the wake-up cannot be missed.
                    replies_gone.as_mut().enable();
                    None
                } else {
                    let wait = s.global_wait(now);
                    if wait.is_zero() {
                        s.global.take(now);
                        return;
                    }
                    Some(wait)
                }
            };
            match wait {
                Some(wait) => tokio::time::sleep(wait).await,
                None => replies_gone.await,
            }
        }
    }

    /// Takes `chat`'s turn now, or says how long until it comes (the outbox then puts the
    /// message back rather than hold a sending slot).
    pub fn take_chat_turn(&self, chat: i64) -> Result<(), Duration> {
        let mut s = self.state();
        let now = Instant::now();
        let wait = s.chat_wait(chat, now);
        if !wait.is_zero() {
            return Err(wait);
        }
        s.take_chat(chat, now);
        Ok(())
    }

    /// Telegram answered a message to `chat` with 429 `retry_after`: pauses the chat when it
    /// had had a burst from us (its own limit), otherwise the whole bot (the overall limit).
    pub fn flood(&self, chat: i64, retry_after: Duration) -> Paused {
        let mut s = self.state();
        let until = Instant::now() + retry_after;
        let later = |cur: Option<Instant>| Some(cur.map_or(until, |c| c.max(until)));
        match s.chats.get_mut(&chat) {
            Some(c) if !c.last_from_rest => {
                c.paused_until = later(c.paused_until);
                Paused::Chat
            }
            _ => {
                s.paused_until = later(s.paused_until);
                Paused::Bot
            }
        }
    }
}

/// The count of replies waiting for the overall rate, kept right if the waiting future is dropped.
struct WaitingReply<'a> {
    budget: &'a SendBudget,
    counted: bool,
}

impl WaitingReply<'_> {
    fn count(&mut self, s: &mut State) {
        if !self.counted {
            s.replies_waiting += 1;
            self.counted = true;
        }
    }

    fn uncount(&mut self, s: &mut State) {
        if self.counted {
            s.replies_waiting -= 1;
            self.counted = false;
            if s.replies_waiting == 0 {
                self.budget.inner.replies_gone.notify_waiters();
            }
        }
    }
}

impl Drop for WaitingReply<'_> {
    fn drop(&mut self) {
        if self.counted {
            let budget = self.budget;
            let mut s = budget.state();
            self.uncount(&mut s);
        }
    }
}

/// The overall limit as a GCRA that never lets more than `rate` messages into any second: a
/// small burst (a fiftieth of the rate) absorbs the timer's millisecond granularity, and the
/// sustained rate is lowered by the same amount, since a second can hold the burst plus a
/// second's worth of the sustained rate. It is lowered by a twentieth more for the way to
/// Telegram: Telegram counts messages as they arrive, and sends spaced exactly here can arrive
/// bunched when a busy machine or network holds some back (seen at the full rate under load:
/// one 429 in a broadcast) — 50 ms of such jitter a second now stays within the rate.
fn overall(rate: NonZeroU32) -> Limit {
    let burst = (rate.get() / 50).max(1);
    let sustained = rate.get().saturating_sub(burst + rate.get() / 20).max(1);
    Limit { burst, interval: Duration::from_secs(1) / sustained }
}

impl std::fmt::Debug for SendBudget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SendBudget").field("rate", &self.inner.rate).finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests;
