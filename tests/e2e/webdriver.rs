//! A minimal W3C WebDriver client over reqwest, enough to drive headless Chromium through the
//! panel like a person: open a page, fill a field, click, read text, take a screenshot.
//! chromedriver (Debian's `chromium-driver`) is started per test on a free port.

#![allow(dead_code)]

use base64::Engine;
use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Browser {
    http: reqwest::Client,
    base: String,
    session: String,
    driver: Child,
    /// Chromium's profile; removed with the browser.
    _profile: tempfile::TempDir,
}

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// Whether this machine can run the browser tests (CI installs the packages).
pub fn available() -> bool {
    std::path::Path::new("/usr/bin/chromedriver").exists() && std::path::Path::new("/usr/bin/chromium").exists()
}

impl Browser {
    pub async fn start(width: u32, height: u32) -> Browser {
        let port = crate::helpers::free_port();
        let driver = Command::new("/usr/bin/chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let http = reqwest::Client::new();
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        while http.get(format!("{base}/status")).send().await.is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let profile = tempfile::tempdir().unwrap();
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                         "--disable-background-networking", "--disable-component-update", "--disable-sync",
                         "--disable-dev-shm-usage", format!("--window-size={width},{height}"),
                         format!("--user-data-dir={}", profile.path().display())]
            }
        }}});
        let res: Value = http.post(format!("{base}/session")).json(&caps).send().await.unwrap().json().await.unwrap();
        let session = res["value"]["sessionId"].as_str().unwrap_or_else(|| panic!("no session: {res}")).to_owned();
        Browser { http, base, session, driver, _profile: profile }
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/session/{}{}", self.base, self.session, path);
        let mut req = self.http.request(method, url);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let v: Value = req.send().await.unwrap().json().await.unwrap();
        if v["value"].get("error").is_some() {
            panic!("webdriver {path}: {}", v["value"]);
        }
        v["value"].clone()
    }

    pub async fn goto(&self, url: &str) {
        self.call(reqwest::Method::POST, "/url", Some(json!({ "url": url }))).await;
    }

    /// The element's id, if the page has it now.
    async fn find_now(&self, css: &str) -> Result<String, Value> {
        let url = format!("{}/session/{}/element", self.base, self.session);
        let body = json!({"using": "css selector", "value": css});
        let v: Value = self.http.post(url).json(&body).send().await.unwrap().json().await.unwrap();
        v["value"][ELEMENT].as_str().map(str::to_owned).ok_or(v)
    }

    /// The element, waiting up to 10 s for it to appear.
    pub async fn find(&self, css: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match self.find_now(css).await {
                Ok(id) => return id,
                Err(v) => assert!(Instant::now() < deadline, "no element {css}: {v}"),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn fill(&self, css: &str, text: &str) {
        let el = self.find(css).await;
        self.call(reqwest::Method::POST, &format!("/element/{el}/clear"), Some(json!({}))).await;
        self.call(reqwest::Method::POST, &format!("/element/{el}/value"), Some(json!({ "text": text }))).await;
    }

    pub async fn click(&self, css: &str) {
        let el = self.find(css).await;
        self.call(reqwest::Method::POST, &format!("/element/{el}/click"), Some(json!({}))).await;
    }

    /// Clicks a button that submits a form and waits until the next page has loaded: a
    /// WebDriver click does not wait for a form's POST and redirect, so a check right after a
    /// plain click may read the old page or the database before the request arrived.
    pub async fn submit(&self, css: &str) {
        let before = self.find_now("html").await.expect("a page is open");
        self.click(css).await;
        let deadline = Instant::now() + Duration::from_secs(10);
        // Element references belong to one document: a new page has a new `html` element.
        while self.find_now("html").await.is_ok_and(|now| now == before) {
            assert!(Instant::now() < deadline, "{css} did not lead to a new page");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.find("body").await;
    }

    pub async fn select(&self, css: &str, value: &str) {
        self.click(&format!("{css} option[value='{value}']")).await;
    }

    pub async fn text(&self, css: &str) -> String {
        let Ok(el) = self.find_now(css).await else { return String::new() };
        self.call(reqwest::Method::GET, &format!("/element/{el}/text"), None).await.as_str().unwrap_or("").to_owned()
    }

    /// Waits up to 10 s until the page's path ends with `suffix` (a form's redirect has landed).
    pub async fn wait_for_path(&self, suffix: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !self.url().await.split(['?', '#']).next().unwrap_or("").ends_with(suffix) {
            assert!(Instant::now() < deadline, "still at {} waiting for …{suffix}", self.url().await);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn url(&self) -> String {
        self.call(reqwest::Method::GET, "/url", None).await.as_str().unwrap_or("").to_owned()
    }

    /// Saves a PNG into `target/screenshots/` (kept as a test artifact) and returns its path.
    pub async fn screenshot(&self, name: &str) -> std::path::PathBuf {
        let v = self.call(reqwest::Method::GET, "/screenshot", None).await;
        let png = base64::engine::general_purpose::STANDARD.decode(v.as_str().unwrap()).unwrap();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap();
        path
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // End the session so Chromium exits before its profile directory is removed.
        let _ = std::process::Command::new("curl")
            .args(["-s", "-X", "DELETE", &format!("{}/session/{}", self.base, self.session)])
            .output();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
