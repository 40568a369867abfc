//! Starting the binary with a private data directory and a chosen database.

#![allow(dead_code)]

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};
use testkit::Backend;

pub const BIN: &str = env!("CARGO_BIN_EXE_tourcrm");

/// A working directory with its own data dir; the database is SQLite there, or a fresh
/// PostgreSQL database.
pub struct Sandbox {
    pub dir: tempfile::TempDir,
    pub database_url: String,
}

impl Sandbox {
    pub async fn new(backend: Backend) -> Sandbox {
        let dir = tempfile::tempdir().unwrap();
        let database_url = testkit::database_url(backend, &dir.path().join("data/tourcrm.db")).await;
        Sandbox { dir, database_url }
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// The command with a clean environment: only what the test sets reaches the binary.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(BIN);
        c.args(args)
            .current_dir(self.dir.path())
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("TOURCRM_DATA_DIR", self.data_dir())
            .env("DATABASE_URL", &self.database_url)
            .env("RUST_LOG", "info");
        c
    }

    pub fn run(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut c = self.command(args);
        for (k, v) in env {
            c.env(k, v);
        }
        c.output().unwrap()
    }

    /// Starts `tourcrm serve` on a free port and waits until `/healthz` answers.
    pub async fn serve(&self, env: &[(&str, &str)]) -> Server {
        self.serve_on(free_port(), env).await
    }

    /// Like [`serve`](Self::serve) on a chosen port (when the URL must be known beforehand).
    pub async fn serve_on(&self, port: u16, env: &[(&str, &str)]) -> Server {
        let addr = format!("127.0.0.1:{port}");
        let mut c = self.command(&["serve"]);
        c.env("TOURCRM_HTTP_ADDR", &addr).stdout(Stdio::piped()).stderr(Stdio::piped());
        for (k, v) in env {
            c.env(k, v);
        }
        let child = c.spawn().unwrap();
        let server = Server { child, base: format!("http://{addr}") };
        server.wait_healthy().await;
        server
    }
}

pub struct Server {
    pub child: Child,
    pub base: String,
}

impl Server {
    async fn wait_healthy(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(r) = reqwest::get(format!("{}/healthz", self.base)).await
                && r.status().is_success()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("tourcrm serve did not become healthy at {}", self.base);
    }

    /// Stops the server with SIGTERM and returns its stdout and stderr.
    /// A clean shutdown must finish within 15 s; a server that hangs is killed and the test
    /// fails, rather than the whole suite waiting forever.
    pub fn stop(mut self) -> (String, String) {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let deadline = Instant::now() + Duration::from_secs(15);
        let mut hung = false;
        while self.child.try_wait().unwrap().is_none() {
            if Instant::now() > deadline {
                hung = true;
                let _ = self.child.kill();
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let out = std::mem::replace(&mut self.child, Command::new("true").spawn().unwrap()).wait_with_output().unwrap();
        assert!(!hung, "tourcrm did not shut down within 15 s of SIGTERM:\n{}", String::from_utf8_lossy(&out.stderr));
        (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
