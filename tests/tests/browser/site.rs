//! The server the phone talks to: `ethos_server::Application` in this process, with its own
//! SQLite file and the built field app (`client/dist`) as its web directory.
//!
//! "Offline" is the server being stopped: Chromium's network emulation does not stop a service
//! worker's own requests, and `navigator.onLine` stays true anyway. [`Site::restart`] binds the
//! SAME address again, because another port is another origin, with no service worker and no
//! IndexedDB.

use ethos_server::{Application, Config};
use ethos_tests::{new_count, Role, SendExt, Tuning, ORGANISATION, PASSWORD};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tempfile::TempDir;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A running (or stopped) server with a database of its own.
pub struct Site {
    /// Fixed after the first start: restarts bind it again.
    pub addr: SocketAddr,
    dir: TempDir,
    web_dir: PathBuf,
    client: reqwest::Client,
    server: Option<Running>,
    /// Used at every (re)start; [`Site::restart_tuned`] changes it.
    tuning: Tuning,
}

struct Running {
    shutdown: oneshot::Sender<()>,
    task: JoinHandle<anyhow::Result<()>>,
}

/// What a coordinator sets up before the count: a count in training and a team code.
pub struct Team {
    pub coordinator: String,
    pub count_id: String,
    pub count_name: String,
    pub code: String,
}

/// `client/dist`, checked: without a built client every browser test fails loudly.
pub fn client_dist() -> PathBuf {
    let dist = Path::new(env!("CARGO_MANIFEST_DIR")).join("../client/dist");
    let missing: Vec<&str> = ["index.html", "sw.js", "ethos_client.js", "ethos_client_bg.wasm"]
        .into_iter()
        .filter(|f| !dist.join(f).is_file())
        .collect();
    assert!(
        missing.is_empty(),
        "the field app is not built: {} lacks {missing:?}. Run `cargo xtask build-client --release` \
         first (`cargo xtask test` does it for you).",
        dist.display()
    );
    dist
}

impl Site {
    /// Starts a server on `127.0.0.1` on a free port, serving `client/dist`.
    pub async fn start() -> Site {
        Site::start_tuned(Tuning::default()).await
    }

    /// As `start`, with the given tuning (a database size cap, say).
    pub async fn start_tuned(tuning: Tuning) -> Site {
        let web_dir = client_dist();
        let dir = tempfile::tempdir().expect("a temporary directory");
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("an HTTP client");
        let mut site =
            Site { addr: SocketAddr::from(([127, 0, 0, 1], 0)), dir, web_dir, client, server: None, tuning };
        site.run().await;
        site
    }

    /// The SQLite file (with `-wal` and `-shm` beside it).
    pub fn db_path(&self) -> PathBuf {
        self.dir.path().join("ethos.db")
    }

    async fn run(&mut self) {
        assert!(self.server.is_none(), "the server is already running");
        let config = Config { db_path: self.db_path(), bind: self.addr, web_dir: self.web_dir.clone() };
        // The old socket of this address may linger for a moment after a stop.
        let mut tries = 0;
        let app = loop {
            match Application::build_tuned(config.clone(), None, self.tuning.clone()).await {
                Ok(app) => break app,
                Err(_) if self.addr.port() != 0 && tries < 50 => {
                    tries += 1;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => panic!("the server does not start on {}: {e:#}", self.addr),
            }
        };
        self.addr = app.local_addr();
        let (shutdown, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(app.run_until(async move {
            let _ = stopped.await;
        }));
        self.server = Some(Running { shutdown, task });
    }

    /// Stops the server: the phone is offline from here on.
    pub async fn stop(&mut self) {
        let running = self.server.take().expect("the server is running");
        let _ = running.shutdown.send(());
        tokio::time::timeout(Duration::from_secs(10), running.task)
            .await
            .expect("the server stops within 10 s")
            .expect("the server task ends")
            .expect("the server stops cleanly");
    }

    /// Starts the server again on the same address and database: the phone is back online.
    pub async fn restart(&mut self) {
        self.run().await;
    }

    /// Starts the server again as `restart` does, with another tuning.
    pub async fn restart_tuned(&mut self, tuning: Tuning) {
        self.tuning = tuning;
        self.run().await;
    }

    /// `http://127.0.0.1:PORT` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// A coordinator, a count in training (its window around now) and a team code, made the
    /// way a coordinator makes them: `ethos user add`, then the HTTP API.
    pub async fn team(&self) -> Team {
        ethos_server::cli::add_user(&self.db_path(), "coordinator", Role::Coordinator, PASSWORD)
            .await
            .expect("the coordinator is added");
        let login = self
            .client
            .post(self.url("/api/v1/login"))
            .json(&json!({ "username": "coordinator", "password": PASSWORD }))
            .reply()
            .await
            .assert_status(200);
        let coordinator = text(&login, "token");
        let count = self
            .client
            .post(self.url("/api/v1/counts"))
            .bearer_auth(&coordinator)
            .json(&new_count("Telling Maastricht-Heuvelland"))
            .reply()
            .await
            .assert_status(201);
        let count_id = text(&count, "id");
        let invite = self
            .client
            .post(self.url(&format!("/api/v1/counts/{count_id}/invites")))
            .bearer_auth(&coordinator)
            .json(&json!({ "organisation": ORGANISATION, "organisation_type": "outreach" }))
            .reply()
            .await
            .assert_status(201);
        Team { coordinator, count_name: text(&count, "name"), count_id, code: text(&invite, "code") }
    }

    /// The count of `team` as its coordinator reads it, and the count's duplicate-key secret
    /// (read by enrolling one more device with the team code).
    pub async fn count_and_secret(&self, team: &Team) -> (Value, String) {
        let client = reqwest::Client::new();
        let count: Value = client
            .get(self.url(&format!("/api/v1/counts/{}", team.count_id)))
            .bearer_auth(&team.coordinator)
            .send()
            .await
            .expect("the count")
            .json()
            .await
            .expect("JSON");
        let enrolled: Value = client
            .post(self.url("/api/v1/enroll"))
            .json(&json!({ "code": team.code }))
            .send()
            .await
            .expect("an enrolment")
            .json()
            .await
            .expect("JSON");
        let secret = enrolled["dedup_secret"].as_str().expect("the count's secret").to_string();
        (count, secret)
    }

    /// Every record the server holds for the team's count, as the coordinator sees them
    /// (all pages).
    pub async fn records(&self, team: &Team) -> Vec<Value> {
        let mut records = Vec::new();
        let mut after = String::new();
        loop {
            let path = format!("/api/v1/counts/{}/records?limit=1000&after={after}", team.count_id);
            let page = self
                .client
                .get(self.url(&path))
                .bearer_auth(&team.coordinator)
                .reply()
                .await
                .assert_status(200);
            records.extend(page["items"].as_array().cloned().expect("items"));
            match page["next_after"].as_str() {
                Some(next) => after = next.to_string(),
                None => return records,
            }
        }
    }
}

fn text(body: &Value, key: &str) -> String {
    body[key].as_str().unwrap_or_else(|| panic!("no {key} in {body}")).to_string()
}
