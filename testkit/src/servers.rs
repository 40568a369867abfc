//! Throwaway Redis and PostgreSQL servers for the fault tests: each on a free port of its own,
//! so a test may kill and restart it without harming the shared servers or other tests.
//!
//! Without the server programs (a developer's machine without `redis-server` or PostgreSQL's
//! `initdb`), [`RedisServer::start`] and [`PostgresServer::start`] answer `None` and the test
//! says it skipped; under CI (`CI` set) a missing program fails the test instead.
//! PostgreSQL refuses to run as root: as root the cluster belongs to the `postgres` user and
//! its programs run through `runuser` (how CI runs).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn wait_until(what: &str, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !ready() {
        assert!(Instant::now() < deadline, "{what} did not start within 20 s");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn answers(port: u16) -> bool {
    std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
}

/// `None` when `program` is not installed, unless under CI, where that is a failure.
fn installed(program: &Path) -> Option<()> {
    if program.exists() {
        return Some(());
    }
    assert!(std::env::var_os("CI").is_none(), "{} is not installed (needed by the fault tests)", program.display());
    eprintln!("{} is not installed: fault test skipped", program.display());
    None
}

/// A `redis-server` without persistence: a restart comes back empty, as after a crash.
pub struct RedisServer {
    pub port: u16,
    program: PathBuf,
    child: Option<Child>,
}

impl RedisServer {
    pub fn start() -> Option<RedisServer> {
        let program = std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
            .map(|d| d.join("redis-server"))
            .find(|p| p.exists())
            .unwrap_or_else(|| PathBuf::from("/usr/bin/redis-server"));
        installed(&program)?;
        let mut server = RedisServer { port: free_port(), program, child: None };
        server.restart();
        Some(server)
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// SIGKILL: gone at once, connections reset, nothing saved.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        wait_until("the Redis shutdown", || !answers(self.port));
    }

    /// Starts (again) on the same port, empty.
    pub fn restart(&mut self) {
        self.kill();
        let port = self.port.to_string();
        let child = Command::new(&self.program)
            .args(["--port", &port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        self.child = Some(child);
        wait_until("redis-server", || answers(self.port));
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A PostgreSQL cluster in a temporary directory (`initdb`, then `pg_ctl`), fsync off.
pub struct PostgresServer {
    pub port: u16,
    bin: PathBuf,
    dir: tempfile::TempDir,
    as_postgres: bool,
}

impl PostgresServer {
    pub fn start() -> Option<PostgresServer> {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .ok()
            .and_then(|versions| versions.filter_map(|v| v.ok()).map(|v| v.path().join("bin")).max())
            .unwrap_or_else(|| PathBuf::from("/usr/lib/postgresql/bin"));
        installed(&bin.join("initdb"))?;
        let dir = tempfile::tempdir().unwrap();
        let as_postgres = Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.starts_with(b"0\n"));
        if as_postgres {
            let _ = Command::new("chown").arg("postgres").arg(dir.path()).status();
        }
        let server = PostgresServer { port: free_port(), bin, dir, as_postgres };
        let data = server.data();
        let out = server
            .program("initdb")
            .args(["-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "-D"])
            .arg(&data)
            .output()
            .unwrap();
        assert!(out.status.success(), "initdb: {}", String::from_utf8_lossy(&out.stderr));
        server.restart();
        Some(server)
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn program(&self, name: &str) -> Command {
        let path = self.bin.join(name);
        if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        }
    }

    /// The `postgres` database of this server (tests create theirs in it, or use it as it is).
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Immediate shutdown: open connections are cut, as in a crash (recovery runs at start).
    pub fn kill(&self) {
        let _ = self.program("pg_ctl").args(["-m", "immediate", "-w", "stop", "-D"]).arg(self.data()).output();
        wait_until("the PostgreSQL shutdown", || !answers(self.port));
    }

    /// Starts (again) on the same port with the same data.
    pub fn restart(&self) {
        let options =
            format!("-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off", self.port, self.dir.path().display());
        let out = self
            .program("pg_ctl")
            .args(["-w", "-o", &options, "-l"])
            .arg(self.dir.path().join("log"))
            .args(["start", "-D"])
            .arg(self.data())
            .stdout(Stdio::null())
            .output()
            .unwrap();
        assert!(out.status.success(), "pg_ctl start: {}", String::from_utf8_lossy(&out.stderr));
        wait_until("PostgreSQL", || answers(self.port));
    }
}

impl Drop for PostgresServer {
    fn drop(&mut self) {
        self.kill();
    }
}
