//! What the server process costs, read from `/proc/<pid>`: CPU time of all its threads
//! (`task/*/schedstat`, in nanoseconds; `stat`'s utime + stime, in 10 ms ticks, when a thread
//! ended in between) and resident memory (`status`: VmRSS now, VmHWM the peak so far).

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::time::Duration;

/// The process's CPU time at one moment: its threads' own, and the whole process's in ticks.
pub struct CpuMark {
    ticks: Duration,
    threads: BTreeMap<String, u64>,
}

pub struct Proc {
    pid: u32,
    tick: Duration,
}

impl Proc {
    pub fn new(pid: u32) -> Proc {
        // Clock ticks per second, usually 100 (10 ms resolution; loads run hundreds of updates).
        let hz = std::process::Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.trim().parse::<u32>().ok())
            .unwrap_or(100);
        Proc { pid, tick: Duration::from_secs(1) / hz }
    }

    /// The CPU time so far, to measure a load with [`Proc::cpu_since`].
    pub fn cpu_mark(&self) -> CpuMark {
        let mut threads = BTreeMap::new();
        for task in std::fs::read_dir(format!("/proc/{}/task", self.pid)).into_iter().flatten().flatten() {
            // `schedstat`: nanoseconds on a CPU, then waiting, then time slices.
            let stat = std::fs::read_to_string(task.path().join("schedstat")).unwrap_or_default();
            if let Some(ns) = stat.split_whitespace().next().and_then(|f| f.parse().ok()) {
                threads.insert(task.file_name().to_string_lossy().into_owned(), ns);
            }
        }
        CpuMark { ticks: self.cpu(), threads }
    }

    /// CPU time used since `mark`, user and system, all threads, to the nanosecond (a load of
    /// 400 updates is ~40 ticks: a tick is 0.025 ms of an update). A thread that ended meanwhile
    /// (the blocking pool's, idle for 10 s) takes its time with it: the ticks, which count it,
    /// are the answer when the two differ by more than their own rounding.
    pub fn cpu_since(&self, mark: &CpuMark) -> Duration {
        let now = self.cpu_mark();
        let ns: u64 =
            now.threads.iter().map(|(t, ns)| ns.saturating_sub(mark.threads.get(t).copied().unwrap_or(0))).sum();
        let precise = Duration::from_nanos(ns);
        let ticks = now.ticks.saturating_sub(mark.ticks);
        let ended = !mark.threads.keys().all(|t| now.threads.contains_key(t));
        if ended && ticks.abs_diff(precise) > self.tick * 2 { ticks } else { precise }
    }

    /// CPU time the process used so far, user and system, all threads, in whole ticks.
    pub fn cpu(&self) -> Duration {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid)).unwrap_or_default();
        // Fields after the command name (which is in parentheses and may hold spaces).
        let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
        let fields: Vec<&str> = rest.split_whitespace().collect();
        // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
        let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<u32>().ok()).unwrap_or(0);
        self.tick * (ticks(11) + ticks(12))
    }

    fn status_kib(&self, key: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid)).unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    }

    /// Resident memory now, MiB.
    pub fn rss_mib(&self) -> f64 {
        self.status_kib("VmRSS:") as f64 / 1024.0
    }

    /// The most resident memory the process ever had, MiB.
    pub fn peak_rss_mib(&self) -> f64 {
        self.status_kib("VmHWM:") as f64 / 1024.0
    }
}
