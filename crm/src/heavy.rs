//! CPU-heavy work (password hashing, a document's PDF, a spreadsheet) off the async workers.
//!
//! The process runs one async worker by default (see `tourcrm`'s `startup::runtime`): the bot's replies,
//! the panel's pages and the database's answers all pass through it, so work that holds a core
//! for milliseconds runs on tokio's blocking pool instead, where it delays nobody's reply.

use std::sync::{Arc, LazyLock};
use tokio::sync::Semaphore;

/// At most this many heavy runs at once, one a core. Each holds its core (and an argon2 run
/// ~19 MiB) for tens of milliseconds: a flood (of sign-ins, of exports) would otherwise grow
/// the blocking pool to hundreds of threads and gigabytes. The rest wait here, holding no
/// thread. (A flood of sign-ins computed on the async workers once slowed `/healthz`
/// twentyfold.)
static SLOTS: LazyLock<Arc<Semaphore>> =
    LazyLock::new(|| Arc::new(Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get()))));

/// Runs `work` on the blocking pool once a slot is free. The slot goes with the work, so a
/// request that gives up waiting does not free it before the work ends. `None` if the work
/// panicked.
pub async fn run<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    let slot = SLOTS.clone().acquire_owned().await.ok()?;
    tokio::task::spawn_blocking(move || {
        let _slot = slot;
        work()
    })
    .await
    .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test(flavor = "current_thread")]
    async fn heavy_work_runs_off_the_async_worker_and_at_most_a_core_each() {
        let worker = std::thread::current().id();
        assert_ne!(run(move || std::thread::current().id()).await, Some(worker));
        let running = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let slots = std::thread::available_parallelism().map_or(2, |n| n.get());
        let mut works = tokio::task::JoinSet::new();
        for _ in 0..3 * slots {
            let (running, peak) = (running.clone(), peak.clone());
            works.spawn(run(move || {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                std::thread::sleep(std::time::Duration::from_millis(20));
                running.fetch_sub(1, Ordering::SeqCst);
            }));
        }
        works.join_all().await;
        assert!(peak.load(Ordering::SeqCst) <= slots, "more heavy runs at once than slots");
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_panic_in_the_work_is_none_not_a_panic_here() {
        assert_eq!(run(|| -> u8 { panic!("boom") }).await, None);
    }
}
