//! Helpers for the integration tests: a real server on port 0 with its own database.
//!
//! `spawn_app()` starts `ethos_server::Application` on `127.0.0.1:0` with a fresh SQLite file in
//! a temporary directory, so every test has its own database and port. Requests go through
//! `reqwest` as any client's would; `.reply()` turns an answer into a [`Reply`] to assert on.
//! Bodies are plain `serde_json::Value`s, so the tests check the wire form of api.md and not
//! what the server's own types happen to accept.
//!
//! Run with `cargo test -p ethos-tests`; add `ETHOS_TEST_LOG=warn` to see the server's logs.

use chrono::{DateTime, Duration, FixedOffset, SubsecRound, Utc};
pub use ethos_server::Tuning;
use ethos_server::{Application, Config};
use reqwest::header::HeaderMap;
use reqwest::{RequestBuilder, StatusCode};
use serde_json::{json, Value};
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use tempfile::TempDir;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use uuid::Uuid;

pub use ethos_shared::api::Role;

/// The password of every account the helpers make.
pub const PASSWORD: &str = "correct horse battery staple";
/// The organisation of the team code `field()` makes.
pub const ORGANISATION: &str = "Straatteam Maastricht";

/// A running server and what the tests need to talk to it.
pub struct TestApp {
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    dir: TempDir,
    server: Option<Server>,
    tuning: Tuning,
}

struct Server {
    shutdown: oneshot::Sender<()>,
    task: JoinHandle<anyhow::Result<()>>,
}

/// Starts a server with an empty database of its own. With `ETHOS_TEST_LOG` set (e.g.
/// `ETHOS_TEST_LOG=warn`), the server's logs go to the test output.
pub async fn spawn_app() -> TestApp {
    spawn_app_tuned(Tuning::default()).await
}

/// As `spawn_app`, with other session, rate-limit or storage settings (e.g. a session of
/// seconds instead of 12 hours).
pub async fn spawn_app_tuned(tuning: Tuning) -> TestApp {
    spawn_app_in(tempfile::tempdir().expect("a temporary directory"), tuning).await
}

/// As `spawn_app_tuned`, with the database in `dir` (e.g. a small file system mounted there).
pub async fn spawn_app_in(dir: TempDir, tuning: Tuning) -> TestApp {
    if let Ok(filter) = std::env::var("ETHOS_TEST_LOG") {
        let _ = tracing_subscriber::fmt().with_env_filter(filter).with_test_writer().try_init();
    }
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("an HTTP client");
    let mut app = TestApp { addr: SocketAddr::from(([127, 0, 0, 1], 0)), client, dir, server: None, tuning };
    app.start().await;
    app
}

/// The write lock of another connection; see [`TestApp::hold_write_lock`].
pub struct WriteLock(sqlx::SqliteConnection);

impl WriteLock {
    /// Commits the other process's write and closes its connection.
    pub async fn release(mut self) {
        use sqlx::Connection;
        sqlx::query("COMMIT").execute(&mut self.0).await.expect("the other write commits");
        self.0.close().await.expect("the other connection closes");
    }
}

impl TestApp {
    pub fn db_path(&self) -> PathBuf {
        self.dir.path().join("ethos.db")
    }

    /// Another process writing to the database, as `ethos backup` or `ethos import` would:
    /// it holds SQLite's write lock (and has written) until [`WriteLock::release`].
    pub async fn hold_write_lock(&self) -> WriteLock {
        use sqlx::ConnectOptions;
        let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(self.db_path())
            .connect()
            .await
            .expect("a second connection to the test database");
        sqlx::query("BEGIN IMMEDIATE").execute(&mut conn).await.expect("the write lock");
        sqlx::query(
            "INSERT INTO audit_log (at, actor, action) VALUES ('2026-11-25T00:00:00Z', 'cli', 'test')",
        )
        .execute(&mut conn)
        .await
        .expect("a write under the lock");
        WriteLock(conn)
    }

    async fn start(&mut self) {
        let config = Config {
            db_path: self.db_path(),
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            web_dir: self.dir.path().join("no-web-client"),
        };
        let app =
            Application::build_tuned(config, None, self.tuning.clone()).await.expect("the server starts");
        self.addr = app.local_addr();
        let (shutdown, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(app.run_until(async move {
            let _ = stopped.await;
        }));
        self.server = Some(Server { shutdown, task });
    }

    /// Stops the server cleanly: requests in flight finish and the database is closed.
    pub async fn stop(&mut self) {
        if let Some(server) = self.server.take() {
            let _ = server.shutdown.send(());
            server.task.await.expect("the server task ends").expect("the server stops cleanly");
        }
    }

    /// Stops the server and starts it again on the same database (on a new port).
    pub async fn restart(&mut self) {
        self.stop().await;
        self.start().await;
    }

    /// As `restart`, with other settings from now on.
    pub async fn restart_tuned(&mut self, tuning: Tuning) {
        self.tuning = tuning;
        self.restart().await;
    }

    /// `path` on this server, e.g. `/api/v1/counts`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub fn get(&self, path: &str) -> RequestBuilder {
        self.client.get(self.url(path))
    }
    pub fn post(&self, path: &str) -> RequestBuilder {
        self.client.post(self.url(path))
    }
    pub fn delete(&self, path: &str) -> RequestBuilder {
        self.client.delete(self.url(path))
    }

    pub fn put(&self, path: &str) -> RequestBuilder {
        self.client.put(self.url(path))
    }

    // --- accounts -------------------------------------------------------------------------

    /// Adds an account the way `ethos user add` does.
    pub async fn add_user(&self, username: &str, role: Role) {
        ethos_server::cli::add_user(&self.db_path(), username, role, PASSWORD)
            .await
            .expect("the user is added");
    }

    pub async fn login(&self, username: &str, password: &str) -> Reply {
        self.post("/api/v1/login").json(&json!({ "username": username, "password": password })).reply().await
    }

    /// Adds an account with `PASSWORD` and logs in; returns the token.
    pub async fn logged_in(&self, username: &str, role: Role) -> String {
        self.add_user(username, role).await;
        let body = self.login(username, PASSWORD).await.assert_status(200);
        body["token"].as_str().expect("a token").to_string()
    }

    /// A logged-in coordinator named `coordinator`.
    pub async fn coordinator(&self) -> String {
        self.logged_in("coordinator", Role::Coordinator).await
    }

    /// A logged-in analyst named `analyst`.
    pub async fn analyst(&self) -> String {
        self.logged_in("analyst", Role::Analyst).await
    }

    // --- counts, team codes, devices -------------------------------------------------------

    /// Creates a count in training whose window runs from 12 hours ago to 12 hours ahead.
    pub async fn create_count(&self, coordinator: &str) -> Value {
        self.post("/api/v1/counts")
            .bearer_auth(coordinator)
            .json(&new_count("Telling Maastricht-Heuvelland"))
            .reply()
            .await
            .assert_status(201)
    }

    pub async fn set_status(&self, coordinator: &str, count_id: &str, status: &str) -> Value {
        self.post(&format!("/api/v1/counts/{count_id}/status"))
            .bearer_auth(coordinator)
            .json(&json!({ "status": status }))
            .reply()
            .await
            .assert_status(200)
    }

    pub async fn create_invite(&self, coordinator: &str, count_id: &str, organisation: &str) -> Value {
        self.post(&format!("/api/v1/counts/{count_id}/invites"))
            .bearer_auth(coordinator)
            .json(&json!({ "organisation": organisation, "organisation_type": "outreach" }))
            .reply()
            .await
            .assert_status(201)
    }

    /// Revokes a team code (`DELETE /api/v1/invites/{id}`, asserting `204`).
    pub async fn revoke_invite(&self, coordinator: &str, invite: &Value) {
        self.delete(&format!("/api/v1/invites/{}", id_of(invite)))
            .bearer_auth(coordinator)
            .reply()
            .await
            .assert_status(204);
    }

    pub async fn enroll(&self, code: &str) -> Device {
        let body = self
            .post("/api/v1/enroll")
            .json(&json!({ "code": code, "device_label": "test phone" }))
            .reply()
            .await
            .assert_status(201);
        let text = |k: &str| body[k].as_str().unwrap_or_else(|| panic!("{k} in {body}")).to_string();
        Device {
            token: text("device_token"),
            id: text("device_id"),
            organisation: text("organisation"),
            dedup_secret: text("dedup_secret"),
        }
    }

    /// A coordinator, a count in `status` (`training` or `live`), a team code and a device
    /// enrolled with it.
    pub async fn field(&self, status: &str) -> Field {
        let coordinator = self.coordinator().await;
        let count = self.create_count(&coordinator).await;
        let count_id = count["id"].as_str().expect("a count id").to_string();
        let invite = self.create_invite(&coordinator, &count_id, ORGANISATION).await;
        let device = self.enroll(invite["code"].as_str().expect("a code")).await;
        if status != "training" {
            self.set_status(&coordinator, &count_id, status).await;
        }
        Field { coordinator, count_id, invite, device }
    }

    // --- sync and records ------------------------------------------------------------------

    /// Syncs `records` and returns the results (asserting `200` and one result per record).
    pub async fn sync(&self, device_token: &str, records: &[Value]) -> Vec<Value> {
        let body = self
            .post("/api/v1/sync")
            .bearer_auth(device_token)
            .json(&json!({ "records": records }))
            .reply()
            .await
            .assert_status(200);
        let results = body["results"].as_array().cloned().expect("results");
        assert_eq!(results.len(), records.len(), "one result per record: {body}");
        results
    }

    /// `POST /api/v1/sync` with `body` as it is, sent as `content_type`: for bodies that
    /// [`TestApp::sync`] cannot make (malformed, hostile, too large, another content type).
    pub async fn sync_raw(
        &self,
        device_token: &str,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> Reply {
        self.post("/api/v1/sync")
            .bearer_auth(device_token)
            .header("content-type", content_type)
            .body(body)
            .reply()
            .await
    }

    /// Every stored record of a count, as the coordinator sees it.
    pub async fn records(&self, coordinator: &str, count_id: &str) -> Vec<Value> {
        let body = self
            .get(&format!("/api/v1/counts/{count_id}/records?limit=1000"))
            .bearer_auth(coordinator)
            .reply()
            .await
            .assert_status(200);
        body["items"].as_array().cloned().expect("items")
    }

    /// The actions in a count's audit log, newest first.
    pub async fn audit_actions(&self, coordinator: &str, count_id: &str) -> Vec<String> {
        let body = self
            .get(&format!("/api/v1/counts/{count_id}/audit"))
            .bearer_auth(coordinator)
            .reply()
            .await
            .assert_status(200);
        let items = body["items"].as_array().cloned().expect("items");
        items.iter().map(|e| e["action"].as_str().unwrap_or_default().to_string()).collect()
    }
}

/// An enrolled field device.
#[derive(Debug, Clone)]
pub struct Device {
    pub token: String,
    pub id: String,
    pub organisation: String,
    pub dedup_secret: String,
}

/// What most sync and records tests start from.
pub struct Field {
    pub coordinator: String,
    pub count_id: String,
    pub invite: Value,
    pub device: Device,
}

impl Field {
    pub fn records_path(&self) -> String {
        format!("/api/v1/counts/{}/records", self.count_id)
    }
}

// --- bodies ---------------------------------------------------------------------------------

/// `now + hours` in whole seconds at the Dutch winter offset, as a phone would send it.
pub fn hours_from_now(hours: i64) -> DateTime<FixedOffset> {
    let offset = FixedOffset::east_opt(3600).expect("+01:00");
    (Utc::now() + Duration::hours(hours)).trunc_subsecs(0).with_timezone(&offset)
}

/// The body of `POST /api/v1/counts`: a window from 12 hours ago to 12 hours ahead.
pub fn new_count(name: &str) -> Value {
    let starts_at = hours_from_now(-12);
    json!({
        "name": name,
        "reference_date": starts_at.date_naive().to_string(),
        "starts_at": starts_at.to_rfc3339(),
        "ends_at": hours_from_now(12).to_rfc3339(),
    })
}

/// A valid record observed an hour ago (inside the window of `new_count`), with a new UUID v7.
pub fn record() -> Value {
    record_at(hours_from_now(-1))
}

/// A valid record observed at `observed_at`.
pub fn record_at(observed_at: DateTime<FixedOffset>) -> Value {
    json!({
        "id": Uuid::now_v7().to_string(),
        "revision": 1,
        "observed_at": observed_at.to_rfc3339(),
        "municipality": "GM0935",
        "living_situation": "1.1",
        "origin": { "kind": "municipality", "code": "GM0938" },
        "dedup_key": null,
        "profile": {
            "age_band": "23-26", "gender": "man", "household": "alone", "children": 0,
            "duration": "1-3m", "residence_status": "dutch", "income": "benefit",
            "care_needs": ["addiction"], "previous_facility": "none",
            "housing_need": "housing_first"
        },
        "training": false
    })
}

/// A valid record carrying the duplicate key `key`.
pub fn record_with_key(key: &str) -> Value {
    let mut r = record();
    r["dedup_key"] = json!(key);
    r
}

/// A well-formed duplicate key (64 lowercase hex characters), different for every `n`.
pub fn key(n: u32) -> String {
    format!("{n:064x}")
}

pub fn id_of(value: &Value) -> String {
    value["id"].as_str().unwrap_or_else(|| panic!("no id in {value}")).to_string()
}

// --- answers --------------------------------------------------------------------------------

/// An answer, read completely.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|e| panic!("{} is not JSON ({e}): {:?}", self.status, self.text))
    }

    /// Asserts the status and returns the body: parsed when it is JSON, `null` when empty, and
    /// otherwise as a JSON string (e.g. CSV).
    #[track_caller]
    pub fn assert_status(&self, status: u16) -> Value {
        assert_eq!(self.status.as_u16(), status, "unexpected status; body: {}", self.text);
        let content_type = self.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default();
        if content_type.starts_with("application/json") {
            self.json()
        } else if self.text.is_empty() {
            Value::Null
        } else {
            Value::String(self.text.clone())
        }
    }

    /// Asserts an error answer of api.md: this status, and the body
    /// `{"code": code, "message": "...", "details"?: {...}}` and nothing else. Returns the body.
    #[track_caller]
    pub fn assert_error(&self, status: u16, code: &str) -> Value {
        assert_eq!(self.status.as_u16(), status, "unexpected status; body: {}", self.text);
        let body: Value = serde_json::from_str(&self.text)
            .unwrap_or_else(|e| panic!("error body is not JSON ({e}): {:?}", self.text));
        assert_error_shape(&body);
        assert_eq!(body["code"], code, "unexpected code: {body}");
        body
    }

    /// Asserts a `422 validation_failed` whose `details.errors` are exactly `errors`
    /// (`(field, code)` pairs, in any order).
    #[track_caller]
    pub fn assert_validation(&self, errors: &[(&str, &str)]) {
        let body = self.assert_error(422, "validation_failed");
        let mut got = field_errors(&body["details"]["errors"]);
        let mut want: Vec<(String, String)> =
            errors.iter().map(|(f, c)| (f.to_string(), c.to_string())).collect();
        got.sort();
        want.sort();
        assert_eq!(got, want, "details.errors of {body}");
    }
}

/// `{code, message, details?}` with a non-empty string code and a string message.
#[track_caller]
pub fn assert_error_shape(body: &Value) {
    let obj = body.as_object().unwrap_or_else(|| panic!("error body is not an object: {body}"));
    assert!(obj.get("code").and_then(Value::as_str).is_some_and(|c| !c.is_empty()), "code in {body}");
    assert!(obj.get("message").and_then(Value::as_str).is_some(), "message in {body}");
    for k in obj.keys() {
        assert!(["code", "message", "details"].contains(&k.as_str()), "unexpected key {k} in {body}");
    }
}

/// `[{field, code}, …]` as pairs.
pub fn field_errors(errors: &Value) -> Vec<(String, String)> {
    errors
        .as_array()
        .unwrap_or_else(|| panic!("errors is not a list: {errors}"))
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap_or_default().to_string(),
                e["code"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// `.reply()` on a request: sends it and reads the whole answer.
pub trait SendExt {
    fn reply(self) -> impl Future<Output = Reply> + Send;
}

impl SendExt for RequestBuilder {
    async fn reply(self) -> Reply {
        let response = self.send().await.expect("the server answers");
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.expect("a readable body");
        Reply { status, headers, text }
    }
}
