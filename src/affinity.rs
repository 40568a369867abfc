//! The serving threads on one core (`TOURCRM_CORE`).
//!
//! One async worker answers the bot and the panel, and every database query is handed to one of
//! SQLite's connection threads (sqlx runs each connection on a thread of its own) and back: a
//! handful of wake-ups per update. When the two threads sit on different cores, each wake-up is
//! an interrupt from one core to the other, and the woken core first leaves its idle state (on a
//! VM, each is an exit to the hypervisor); on one core the thread that waits just switches to
//! the one it woke. Measured with the update-path bench on the 2-core CI machine (README):
//! ~30 % less CPU per update and lower latencies under every conversational load.
//!
//! So `serve` pins its main thread before the runtime starts; every thread started from it
//! (the async worker, SQLite's threads) inherits the core. Tokio's blocking pool, where
//! CPU-heavy work runs (`crm::heavy`: a PDF, a spreadsheet, a password hash), gets the cores the
//! process was given back at its threads' start, so such work never takes the bot's core.

use crate::config::CoreChoice;
use rustix::thread::{CpuSet, sched_getaffinity, sched_getcpu, sched_setaffinity};
use std::cell::Cell;

/// The serving threads' core and the cores the process was given.
#[derive(Debug, Clone)]
pub struct Pinning {
    core: usize,
    given: CpuSet,
}

impl Pinning {
    /// Pins the calling thread by `choice`; threads it starts later inherit the core. `Ok(None)`:
    /// nothing pinned (off, one core only, several async workers with `Auto`, or the system
    /// refused). `Err`: the chosen core is not one this process may run on.
    pub fn pin_current(choice: CoreChoice, workers: usize) -> Result<Option<Pinning>, String> {
        let Ok(given) = sched_getaffinity(None) else { return Ok(None) };
        let core = match choice {
            CoreChoice::Off => return Ok(None),
            CoreChoice::Auto if workers != 1 || given.count() < 2 => return Ok(None),
            CoreChoice::Auto => sched_getcpu(),
            CoreChoice::Core(n) if n < CpuSet::MAX_CPU && given.is_set(n) => n,
            CoreChoice::Core(n) => {
                return Err(format!("core {n} is not one this process may run on ({})", list(&given)));
            }
        };
        if let Err(e) = sched_setaffinity(None, &only(core)) {
            tracing::warn!(core, "cannot keep the serving threads on one core: {e}");
            return Ok(None);
        }
        Ok(Some(Pinning { core, given }))
    }

    /// The core, for the log.
    pub fn core(&self) -> usize {
        self.core
    }

    /// A thread tokio starts: the process's cores again (the blocking pool's heavy work runs
    /// anywhere). The async workers come back to the core at their first park.
    pub fn on_thread_start(&self) {
        let _ = sched_setaffinity(None, &self.given);
    }

    /// An async worker about to park (tokio calls this on its workers only): on the core, once.
    pub fn on_worker_park(&self) {
        thread_local! { static PINNED: Cell<bool> = const { Cell::new(false) } }
        if !PINNED.get() {
            PINNED.set(true);
            let _ = sched_setaffinity(None, &only(self.core));
        }
    }
}

/// The set of one core.
fn only(core: usize) -> CpuSet {
    let mut one = CpuSet::new();
    one.set(core);
    one
}

/// `0,1,6` style, the cores one by one.
fn list(set: &CpuSet) -> String {
    let cores: Vec<String> = (0..CpuSet::MAX_CPU).filter(|&c| set.is_set(c)).map(|c| c.to_string()).collect();
    cores.join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `f` on a thread of its own, so the test's pinning does not outlive it.
    fn on_own_thread<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
        std::thread::spawn(f).join().expect("the thread")
    }

    fn cores_now() -> CpuSet {
        sched_getaffinity(None).expect("affinity")
    }

    #[test]
    fn off_pins_nothing() {
        on_own_thread(|| {
            let before = cores_now();
            assert!(Pinning::pin_current(CoreChoice::Off, 1).unwrap().is_none());
            assert_eq!(cores_now(), before);
        });
    }

    #[test]
    fn auto_pins_one_worker_only() {
        on_own_thread(|| {
            let before = cores_now();
            assert!(Pinning::pin_current(CoreChoice::Auto, 2).unwrap().is_none());
            assert_eq!(cores_now(), before);
        });
    }

    #[test]
    fn a_core_the_process_may_not_use_is_refused_by_name() {
        on_own_thread(|| {
            let err = Pinning::pin_current(CoreChoice::Core(CpuSet::MAX_CPU + 1), 1).unwrap_err();
            assert!(err.contains(&format!("core {}", CpuSet::MAX_CPU + 1)), "{err}");
        });
    }

    #[test]
    fn a_pinned_thread_starts_pinned_threads_and_tokio_threads_get_the_cores_back() {
        on_own_thread(|| {
            let given = cores_now();
            let first = (0..CpuSet::MAX_CPU).find(|&c| given.is_set(c)).unwrap();
            let pinning = Pinning::pin_current(CoreChoice::Core(first), 1).unwrap().expect("pinned");
            assert_eq!(pinning.core(), first);
            assert_eq!(cores_now().count(), 1);
            // A thread started now (as sqlx starts a connection's) inherits the one core.
            assert_eq!(on_own_thread(|| cores_now().count()), 1);
            // A blocking-pool thread gets the process's cores back; a worker, the core again.
            let p = pinning.clone();
            let (started, parked) = on_own_thread(move || {
                p.on_thread_start();
                let started = cores_now();
                p.on_worker_park();
                (started, cores_now().count())
            });
            assert_eq!(started, given);
            assert_eq!(parked, 1);
        });
    }
}
