//! What the server process costs, read from `/proc/<pid>`: CPU time of all its threads
//! (`stat`: utime + stime) and resident memory (`status`: VmRSS now, VmHWM the peak so far).

#![allow(dead_code)]

use std::time::Duration;

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

    /// CPU time the process used so far, user and system, all threads.
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
