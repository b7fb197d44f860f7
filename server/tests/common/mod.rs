//! What the process-level tests (`fault.rs`, `load.rs`) share: the real `ethos` binary on a
//! free loopback port with its own database, and a live count with enrolled phones.

#![allow(clippy::unwrap_used, dead_code)] // test support; each test binary uses its own part

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub const PASSWORD: &str = "process-test-password";

/// The real server on its own port and database; killed when dropped.
pub struct Server {
    pub child: Child,
    pub db: PathBuf,
    pub port: u16,
    /// `http://127.0.0.1:PORT`
    pub root: String,
    _dir: tempfile::TempDir,
}

impl Server {
    /// A fresh database with the user `coordinator`, and the server started on it.
    pub async fn start() -> Server {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("ethos.db");
        ethos_server::cli::add_user(&db, "coordinator", ethos_shared::api::Role::Coordinator, PASSWORD)
            .await
            .unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let root = format!("http://127.0.0.1:{port}");
        let server = Server { child: spawn(&db, port), db, port, root, _dir: dir };
        server.wait_healthy().await;
        server
    }

    /// SIGKILL (no clean shutdown), then the server again on the same port and database.
    pub async fn kill_and_restart(&mut self) {
        self.child.kill().expect("SIGKILL"); // Child::kill is SIGKILL on Unix
        self.child.wait().expect("the killed server is reaped");
        tokio::time::sleep(Duration::from_millis(200)).await;
        self.child = spawn(&self.db, self.port);
        self.wait_healthy().await;
    }

    pub async fn wait_healthy(&self) {
        let client = reqwest::Client::new();
        for _ in 0..200 {
            if client
                .get(format!("{}/healthz", self.root))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the server did not come up at {}", self.root);
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn(db: &Path, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_ethos"))
        .args(["serve", "--db", db.to_str().expect("utf-8 path"), "--bind", &format!("127.0.0.1:{port}")])
        .env("ETHOS_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("ethos starts")
}

/// A live count seen from the coordinator and its phones.
pub struct LiveCount {
    pub token: String,
    pub count_id: String,
    pub devices: Vec<String>,
    /// The start of the count window: two hours ago.
    pub window_start: chrono::DateTime<chrono::FixedOffset>,
}

/// Logs in as the coordinator, creates a live count and a team code, enrols `devices` phones.
pub async fn live_count(http: &reqwest::Client, root: &str, devices: usize) -> LiveCount {
    let api = format!("{root}/api/v1");
    let post = |path: &str, token: Option<&str>, body: Value| {
        let mut request = http.post(format!("{api}{path}")).json(&body);
        if let Some(t) = token {
            request = request.bearer_auth(t);
        }
        async move { request.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let login = post("/login", None, json!({"username": "coordinator", "password": PASSWORD})).await;
    let token = login["token"].as_str().expect("a token").to_string();
    let start = (chrono::Utc::now() - chrono::Duration::hours(2)).fixed_offset();
    let window = json!({"name": "Test", "reference_date": start.date_naive(), "starts_at": start,
        "ends_at": start + chrono::Duration::hours(24)});
    let count = post("/counts", Some(&token), window).await;
    let count_id = count["id"].as_str().expect("a count id").to_string();
    post(&format!("/counts/{count_id}/status"), Some(&token), json!({"status": "live"})).await;
    let invite =
        post(&format!("/counts/{count_id}/invites"), Some(&token), json!({"organisation": "Straatteam"}))
            .await;
    let mut tokens = Vec::new();
    for _ in 0..devices {
        let device = post("/enroll", None, json!({"code": invite["code"]})).await;
        tokens.push(device["device_token"].as_str().expect("a device token").to_string());
    }
    LiveCount { token, count_id, devices: tokens, window_start: start }
}
