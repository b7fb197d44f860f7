//! A database that cannot be written — restored as root so the server's user may not write it,
//! or on a file system remounted read-only after disk errors. `/healthz` must say so, every
//! write must get 503 `storage_read_only` with `Retry-After` (phones keep their records and
//! try again), reads keep working, and once the file is writable again the same batch is
//! stored once, without a restart.
//!
//! The file is made read-only for real with a read-only bind mount of the database file onto
//! itself (root ignores file modes, so `chmod` would show nothing in CI, which runs as root);
//! without root the test says "skipped" and passes.

#![allow(clippy::unwrap_used)] // a test: a failed step should stop it loudly

use ethos_tests::{id_of, record, spawn_app, Reply, SendExt, TestApp};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The database file bind-mounted read-only onto itself; unmounted (lazily) on drop.
struct ReadOnlyFile(PathBuf);

impl ReadOnlyFile {
    fn mount(file: &Path) -> Option<ReadOnlyFile> {
        let run = |args: &[&str]| {
            Command::new("mount")
                .args(args)
                .arg(file)
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        };
        if !run(&["--bind", file.to_str().unwrap()]) {
            return None;
        }
        let guard = ReadOnlyFile(file.to_path_buf());
        run(&["-o", "remount,bind,ro"]).then_some(guard)
    }
}

impl Drop for ReadOnlyFile {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

async fn sync(app: &TestApp, token: &str, records: &[Value]) -> Reply {
    app.post("/api/v1/sync").bearer_auth(token).json(&json!({ "records": records })).reply().await
}

#[track_caller]
fn assert_read_only(reply: &Reply) {
    let body = reply.assert_error(503, "storage_read_only");
    let header: u64 = reply.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(header >= 1, "Retry-After {header}");
    assert_eq!(body["details"]["retry_after_secs"], header, "{body}");
}

#[tokio::test]
async fn a_read_only_database_is_reported_by_healthz_and_writes_get_503_with_retry_after_and_nothing_is_lost()
{
    // Arrange: a count with one stored record; the server stopped, its database file made
    // read-only, the server started again on it.
    let mut app = spawn_app().await;
    let field = app.field("live").await;
    let first = record();
    assert_eq!(app.sync(&field.device.token, std::slice::from_ref(&first)).await[0]["status"], "stored");
    app.stop().await;
    let Some(read_only) = ReadOnlyFile::mount(&app.db_path()) else {
        eprintln!("skipped: cannot bind-mount the database read-only here (not root?)");
        return;
    };
    assert!(std::fs::OpenOptions::new().write(true).open(app.db_path()).is_err(), "really read-only");
    app.restart().await;

    // Act and assert: the health check says so; a phone's batch and a coordinator's change are
    // refused with 503 and Retry-After; reads still work.
    let health = app.get("/healthz").reply().await;
    assert_read_only(&health);
    let batch: Vec<Value> = (0..3).map(|_| record()).collect();
    assert_read_only(&sync(&app, &field.device.token, &batch).await);
    let void = app
        .post(&format!("/api/v1/records/{}/void", id_of(&first)))
        .bearer_auth(&field.coordinator)
        .json(&json!({ "reason": "dubbel" }))
        .reply()
        .await;
    assert_read_only(&void);
    let stored = app.records(&field.coordinator, &field.count_id).await;
    assert_eq!(stored.iter().map(id_of).collect::<Vec<_>>(), [id_of(&first)]);
    assert!(stored[0]["void"].is_null(), "{}", stored[0]);

    // Act: the operator makes the file writable again; the same server gets the resend.
    drop(read_only);
    app.get("/healthz").reply().await.assert_status(200);
    let body = sync(&app, &field.device.token, &batch).await.assert_status(200);
    let again = sync(&app, &field.device.token, &batch).await.assert_status(200);

    // Assert: stored once, then unchanged; nothing lost.
    let statuses = |b: &Value| -> Vec<String> {
        b["results"].as_array().unwrap().iter().map(|r| r["status"].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(statuses(&body), ["stored"; 3], "{body}");
    assert_eq!(statuses(&again), ["unchanged"; 3], "{again}");
    assert_eq!(app.records(&field.coordinator, &field.count_id).await.len(), 4);
    app.stop().await;
}
