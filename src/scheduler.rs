//! The background scheduler: every tick it runs each job once. Jobs are small and idempotent,
//! so a tick that overlaps a restart or a second instance does no harm.
//!
//! Notifications and broadcasts run only in the instance that holds the leadership (a
//! PostgreSQL advisory lock; always granted on SQLite): it queues what is due into the outbox
//! and runs the outbox sender when the bot is configured. An instance that loses the lock (its
//! connection died) stops sending; whichever instance takes the lock next (this one again, once
//! the database is back) first marks the messages left in doubt as `unknown`, then sends.

use crm::notify::Daytime;
use crm::store::Leadership;
use crm::{Actor, Crm};
use std::time::Duration;
use tokio::sync::watch;

/// The advisory lock key of the notifier ("tourcrm" in ASCII).
const NOTIFIER_LOCK: i64 = 0x0074_6f75_7263_726d;

pub struct Settings {
    pub tick: Duration,
    pub daytime: Daytime,
    /// The outbox sender, when the bot is configured (without it messages wait in the outbox).
    pub sender: Option<bot::outbox::OutboxSender>,
}

/// Runs until `stop` turns true.
pub async fn run(crm: Crm, settings: Settings, mut stop: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(settings.tick);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // Kept, not consumed: after losing the lead (its connection died with the database) and
    // taking it again, this instance sends again.
    let sender = settings.sender.map(std::sync::Arc::new);
    let mut lead: Option<Leadership> = None;
    let mut sending: Option<(watch::Sender<bool>, tokio::task::JoinHandle<()>)> = None;
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.changed() => break,
        }
        finish_rotation(&crm).await;
        let held = match lead.as_mut() {
            Some(l) => Some(l.still_held().await),
            None => None,
        };
        lead = match (lead.take(), held) {
            (Some(l), Some(true)) => Some(l),
            (Some(_), _) => {
                tracing::error!("scheduler: lost the notifier lock; another instance will take over");
                if let Some((stop_sender, task)) = sending.take() {
                    let _ = stop_sender.send(true);
                    let _ = task.await;
                }
                None
            }
            (None, _) => take_lead(&crm).await,
        };
        if lead.is_none() {
            continue;
        }
        if sending.is_none()
            && let Some(s) = sender.clone()
        {
            // Whatever a dead leader left `sending` is in doubt: never resend it by itself.
            if let Err(e) = crm.recover_outbox(&Actor::System).await {
                tracing::error!(error = %e, "scheduler: outbox recovery failed");
            }
            let (tx, rx) = watch::channel(false);
            sending = Some((tx, tokio::spawn(s.run(crm.clone(), rx))));
        }
        notify(&crm, settings.daytime).await;
        settle_payments(&crm).await;
    }
    if let Some((stop_sender, task)) = sending {
        let _ = stop_sender.send(true);
        let _ = task.await;
    }
}

async fn take_lead(crm: &Crm) -> Option<Leadership> {
    match crm.store().try_lead(NOTIFIER_LOCK).await {
        Ok(Some(l)) => {
            tracing::info!("scheduler: this instance schedules and sends notifications");
            Some(l)
        }
        Ok(None) => None,
        Err(e) => {
            tracing::error!(error = %e, "scheduler: cannot take the notifier lock");
            None
        }
    }
}

async fn notify(crm: &Crm, daytime: Daytime) {
    match crm.schedule_notifications(&Actor::System, daytime).await {
        Ok(r) if r.total() > 0 || r.failed > 0 => {
            tracing::info!(queued = r.total(), failed = r.failed, "scheduler: notifications queued");
        }
        Ok(_) => {}
        Err(e) => tracing::error!(error = %e, "scheduler: queueing notifications failed"),
    }
    match crm.expand_due_broadcasts(&Actor::System, daytime).await {
        Ok(n) if n > 0 => tracing::info!(messages = n, "scheduler: broadcast queued"),
        Ok(_) => {}
        Err(e) => tracing::error!(error = %e, "scheduler: queueing broadcasts failed"),
    }
}

/// Telegram payments that a crash left recorded but not applied to their booking.
async fn settle_payments(crm: &Crm) {
    match crm.settle_telegram_charges(&Actor::System).await {
        Ok(n) if n > 0 => tracing::info!(charges = n, "scheduler: Telegram payments settled"),
        Ok(_) => {}
        Err(e) => tracing::error!(error = %e, "scheduler: settling Telegram payments failed"),
    }
}

async fn finish_rotation(crm: &Crm) {
    // A key rotation interrupted by a crash leaves records under the old key: finish it.
    match crm.finish_rotation(&Actor::System).await {
        Ok(report) if report.resealed > 0 || !report.deleted.is_empty() => {
            tracing::info!(resealed = report.resealed, deleted = ?report.deleted, "finished an interrupted key rotation");
        }
        Ok(_) => {}
        // The keys in memory still serve; only keys made after the change would not open.
        Err(e @ crm::Error::Crypto(_)) => {
            tracing::error!(error = %e, "scheduler: the data keys no longer open with this process's master key (was `tourcrm keys rotate --master` run?): restart tourcrm")
        }
        Err(e) => tracing::error!(error = %e, "scheduler: finishing key rotation failed"),
    }
}
