//! Instructions the server executes, counted by valgrind's callgrind: on a shared machine CPU
//! time moves with the load of everything else, an instruction count does not, so a cut in the
//! update path shows in it whatever the neighbours do.
//!
//! The server runs under `valgrind --tool=callgrind --instr-atstart=no` (start-up is not
//! counted); [`Callgrind::measure`] switches instrumentation on around a piece of work and dumps
//! what it counted to a file of its own, which `callgrind_annotate` reads.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

pub struct Callgrind {
    pid: u32,
    dir: PathBuf,
}

/// What one measured piece of work cost.
pub struct Counted {
    /// Instructions executed by every thread of the server.
    pub instructions: u64,
    /// Wall time the instrumentation was on (under valgrind, many times the real one).
    pub wall: Duration,
    /// The dump, for `callgrind_annotate --inclusive=yes`.
    pub file: PathBuf,
}

impl Callgrind {
    /// The command that runs `bin` under callgrind, its dumps in `dir`.
    pub fn command(bin: &Path, dir: &Path) -> Command {
        let mut c = Command::new("valgrind");
        c.arg("--tool=callgrind")
            .arg("--instr-atstart=no")
            .arg(format!("--callgrind-out-file={}", dir.join("callgrind.out").display()))
            .arg(bin);
        c
    }

    pub fn new(pid: u32, dir: &Path) -> Callgrind {
        Callgrind { pid, dir: dir.to_owned() }
    }

    /// Counts the instructions of the server while `work` runs; the dump is labelled `label`.
    pub async fn measure<F: std::future::Future>(&self, label: &str, work: F) -> (Counted, F::Output) {
        self.control(vec!["--instr=on".into()]).await;
        self.control(vec!["--zero".into()]).await;
        let before = self.dumps();
        let started = Instant::now();
        let out = work.await;
        let wall = started.elapsed();
        self.control(vec![format!("--dump={label}")]).await;
        self.control(vec!["--instr=off".into()]).await;
        let deadline = Instant::now() + Duration::from_secs(30);
        let file = loop {
            if let Some(f) = self.dumps().into_iter().find(|f| !before.contains(f)) {
                break f;
            }
            assert!(Instant::now() < deadline, "callgrind wrote no dump for {label}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        let instructions = totals(&file);
        (Counted { instructions, wall, file }, out)
    }

    /// `callgrind_control` blocks until the server took the command: off the async workers.
    async fn control(&self, args: Vec<String>) {
        let pid = self.pid.to_string();
        let status = tokio::task::spawn_blocking(move || {
            Command::new("callgrind_control").args(&args).arg(&pid).stdout(std::process::Stdio::null()).status()
        })
        .await
        .unwrap()
        .expect("callgrind_control runs");
        assert!(status.success(), "callgrind_control failed");
    }

    fn dumps(&self) -> Vec<PathBuf> {
        std::fs::read_dir(&self.dir)
            .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect::<Vec<PathBuf>>())
            .unwrap_or_default()
            .into_iter()
            .filter(|p: &PathBuf| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("callgrind.out")))
            .collect()
    }
}

/// The dump's total instruction count (its `totals:` line, or `summary:` in older formats),
/// read once the file is complete.
fn totals(file: &Path) -> u64 {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        let line = text.lines().find_map(|l| l.strip_prefix("totals:").or_else(|| l.strip_prefix("summary:")));
        if let Some(n) = line.and_then(|v| v.split_whitespace().next()).and_then(|v| v.parse().ok()) {
            return n;
        }
        assert!(Instant::now() < deadline, "no totals in {}", file.display());
        std::thread::sleep(Duration::from_millis(100));
    }
}
