//! Long polling that confirms an update only after it was handled.
//!
//! Telegram forgets every update below the `offset` of the next `getUpdates`; teloxide's own
//! polling moves the offset past a batch as soon as it has received it, so the updates being
//! handled when the process dies (a crash, a kill, a failed deploy) are lost: their senders meet
//! silence. Here the offset never passes an update still in flight: it is the lowest update
//! being handled, or the one after the last seen. Telegram hands the in-flight updates back with
//! each poll; they are recognised (`seen`) and skipped, so nothing is handled twice while the
//! process lives, and after a restart the updates that were in flight come again. Handling one
//! twice across a restart is safe by design: the state is saved before effects run and the
//! effects repeat idempotently (registration recognises its own account).
//!
//! Updates of one chat are handled in order, one at a time (a worker per chat, which ends when
//! the chat is quiet); chats run side by side. A worker waiting for its chat holds little: its
//! queue carries boxed updates (a tokio channel allocates its slots 32 at a time, and an
//! `Update` is kilobytes, so a quiet chat held ~60 KB) and the handling future is boxed only
//! while it runs (the handler's state machine is ~25 KB). With 1 000 chats at once that was
//! 88 MB of the peak heap, kept until the workers ended.
//!
//! A failing `getUpdates` (Telegram's 5xx, a dropped connection) is retried with backoff from
//! the same offset, so an outage loses nothing.

use crate::conversation::{Ctx, TgBot};
use crate::new_updates;
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use teloxide::prelude::*;
use teloxide::types::Me;
use tokio::sync::{Notify, mpsc, watch};

/// How long one `getUpdates` waits for news.
const POLL_TIMEOUT: u32 = 10;
/// A chat's worker ends after this long without updates.
const WORKER_IDLE: Duration = Duration::from_secs(60);
/// While updates are in flight, wait until none is, or this long, before asking again: the
/// answer holds every update in flight again (up to 100 from the lowest), and parsing
/// updates is most of what the bot spends on them. Asking again as soon as any one finished
/// parsed a burst of n updates about n²/2 times (two thirds of the CPU of a burst of 100); now
/// a burst costs a poll per pause, and news waits at most one pause while others are handled.
const IN_FLIGHT_PAUSE: Duration = Duration::from_millis(50);
/// Backoff after a failed `getUpdates`: doubling from 0.25 s up to 8 s.
const MAX_BACKOFF: Duration = Duration::from_secs(8);

/// The ids of the updates being handled, and a wake-up when one finishes.
#[derive(Default)]
struct InFlight {
    ids: Mutex<BTreeSet<u32>>,
    finished: Notify,
}

impl InFlight {
    fn lowest(&self) -> Option<u32> {
        self.ids.lock().ok().and_then(|ids| ids.first().copied())
    }

    fn finish(&self, id: u32) {
        if let Ok(mut ids) = self.ids.lock() {
            ids.remove(&id);
        }
        self.finished.notify_waiters();
    }

    fn is_empty(&self) -> bool {
        self.ids.lock().map(|ids| ids.is_empty()).unwrap_or(true)
    }
}

/// Polls until `stop` turns true; then lets the updates in flight finish (the caller bounds
/// the wait) and confirms them.
pub(crate) async fn run(bot: TgBot, ctx: Ctx, mut stop: watch::Receiver<bool>) {
    if let Err(e) = bot.delete_webhook().await {
        tracing::warn!(error = %e, "deleteWebhook failed; polling anyway");
    }
    // Telegram unreachable at start (a network down, a proxy not up yet) must not leave the bot
    // off until a restart: asked again with the same backoff as `getUpdates`.
    let mut backoff = Duration::ZERO;
    let me = loop {
        match bot.get_me().await {
            Ok(me) => break me,
            Err(e) => {
                backoff = (backoff * 2).clamp(Duration::from_millis(250), MAX_BACKOFF);
                tracing::error!(error = %e, retry_in_ms = backoff.as_millis() as u64, "getMe failed; asking again");
                tokio::select! {
                    _ = tokio::time::sleep(backoff) => {}
                    _ = stop.changed() => {}
                }
                if *stop.borrow() {
                    return;
                }
            }
        }
    };
    let in_flight = Arc::new(InFlight::default());
    // What every update's handling needs, shared rather than cloned per update.
    let job = Arc::new(Job { bot: bot.clone(), ctx, me });
    let mut workers: HashMap<i64, mpsc::UnboundedSender<Box<Update>>> = HashMap::new();
    // The id after the last update handed to a worker: the offset when nothing is in flight.
    let mut next: Option<u32> = None;
    // The text of the updates handed out, to recognise them when they come back (see `new_updates`).
    let mut seen = new_updates::Seen::default();
    backoff = Duration::ZERO;
    while !*stop.borrow() {
        let offset = in_flight.lowest().or(next);
        // Updates in flight come back with each answer: only those after `next` are parsed.
        let request = new_updates::poll(&bot, offset, POLL_TIMEOUT, &crate::handlers::ALLOWED_UPDATES, next, &mut seen);
        let updates = tokio::select! {
            answer = request => answer,
            _ = stop.changed() => break,
        };
        let updates = match updates {
            Ok(updates) => {
                backoff = Duration::ZERO;
                updates
            }
            Err(e) => {
                backoff = (backoff * 2).clamp(Duration::from_millis(250), MAX_BACKOFF);
                tracing::warn!(error = %e, retry_in_ms = backoff.as_millis() as u64, "getUpdates failed");
                tokio::select! {
                    _ = tokio::time::sleep(backoff) => {}
                    _ = stop.changed() => {}
                }
                continue;
            }
        };
        for polled in updates {
            let id = polled.id;
            if next.is_some_and(|n| id < n) {
                continue; // in flight already
            }
            next = Some(id.saturating_add(1));
            let Some(update) = polled.update else { continue }; // did not parse: skipped
            if let Ok(mut ids) = in_flight.ids.lock() {
                ids.insert(id);
            }
            let chat = update.chat().map(|c| c.id.0);
            let job = job.clone();
            match chat {
                Some(chat) => send_to_chat(&mut workers, chat, update, job, &in_flight),
                None => {
                    let in_flight = in_flight.clone();
                    tokio::spawn(async move {
                        job.handle(update).await;
                        in_flight.finish(id);
                    });
                }
            }
        }
        if !in_flight.is_empty() {
            let pause = tokio::time::sleep(IN_FLIGHT_PAUSE);
            tokio::pin!(pause);
            loop {
                let finished = in_flight.finished.notified();
                if in_flight.is_empty() {
                    break;
                }
                tokio::select! {
                    _ = finished => {}
                    _ = &mut pause => break,
                    _ = stop.changed() => break,
                }
            }
        }
    }
    drop(workers);
    // Stopping: wait for the updates in flight, then confirm them so they don't come again.
    while !in_flight.is_empty() {
        let finished = in_flight.finished.notified();
        let _ = tokio::time::timeout(Duration::from_millis(100), finished).await;
    }
    if let Some(offset) = next {
        let _ = bot.get_updates().offset(offset as i32).limit(1).timeout(0).await;
    }
}

/// What handling one update takes: the same for long polling and the webhook.
pub(crate) struct Job {
    pub(crate) bot: TgBot,
    pub(crate) ctx: Ctx,
    pub(crate) me: Me,
}

impl Job {
    pub(crate) async fn handle(&self, update: Update) {
        let handled = crate::handlers::route(&self.bot, update, &self.me, &self.ctx).await;
        if let Err(e) = handled {
            tracing::error!(error = %e, "bot update failed");
        }
    }
}

/// Hands the update to its chat's worker, starting one when the chat has none (or it ended).
fn send_to_chat(
    workers: &mut HashMap<i64, mpsc::UnboundedSender<Box<Update>>>,
    chat: i64,
    update: Update,
    job: Arc<Job>,
    in_flight: &Arc<InFlight>,
) {
    let update = Box::new(update);
    let update = match workers.get(&chat) {
        Some(tx) => match tx.send(update) {
            Ok(()) => return,
            Err(mpsc::error::SendError(update)) => update,
        },
        None => update,
    };
    let (tx, mut rx) = mpsc::unbounded_channel::<Box<Update>>();
    let _ = tx.send(update);
    workers.insert(chat, tx);
    workers.retain(|_, tx| !tx.is_closed());
    let in_flight = in_flight.clone();
    tokio::spawn(async move {
        while let Ok(Some(update)) = tokio::time::timeout(WORKER_IDLE, rx.recv()).await {
            let id = update.id.0;
            Box::pin(job.handle(*update)).await;
            in_flight.finish(id);
        }
        // Quiet for a while (or stopping): updates sent meanwhile are still handled here.
        rx.close();
        while let Some(update) = rx.recv().await {
            let id = update.id.0;
            Box::pin(job.handle(*update)).await;
            in_flight.finish(id);
        }
    });
}
