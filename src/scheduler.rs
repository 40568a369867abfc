//! The background scheduler: every tick it runs each job once. Jobs are small and idempotent,
//! so a tick that overlaps a restart or a second instance does no harm. Notifications and
//! broadcasts join here with their own issue.

use crm::{Actor, Crm};
use std::time::Duration;
use tokio::sync::watch;

pub const TICK: Duration = Duration::from_secs(60);

/// Runs until `stop` turns true.
pub async fn run(crm: Crm, mut stop: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => run_jobs(&crm).await,
            _ = stop.changed() => break,
        }
    }
}

async fn run_jobs(crm: &Crm) {
    // A key rotation interrupted by a crash leaves records under the old key: finish it.
    match crm.finish_rotation(&Actor::System).await {
        Ok(report) if report.resealed > 0 || !report.retired.is_empty() => {
            tracing::info!(resealed = report.resealed, retired = ?report.retired, "finished an interrupted key rotation");
        }
        Ok(_) => {}
        Err(e) => tracing::error!(error = %e, "scheduler: finishing key rotation failed"),
    }
}
