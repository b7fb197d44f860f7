//! The database cannot take a write — another process holds its lock too long, or it is full —
//! while a phone syncs. The phone must get a clear 503 with a stable code and `Retry-After`,
//! nothing of its batch may be half-stored, and once the condition is gone the same batch,
//! sent again, is stored exactly once.

#![allow(clippy::unwrap_used)] // a test: a failed step should stop it loudly

use ethos_tests::{id_of, record, spawn_app_in, spawn_app_tuned, Reply, SendExt, TestApp, Tuning};
use serde_json::{json, Value};
use std::collections::HashSet;
use std::time::Duration;

async fn sync(app: &TestApp, token: &str, records: &[Value]) -> Reply {
    app.post("/api/v1/sync").bearer_auth(token).json(&json!({ "records": records })).reply().await
}

/// The ids of every stored record of the count, following the pages.
async fn stored_ids(app: &TestApp, coordinator: &str, count_id: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut after = String::new();
    loop {
        let path = format!("/api/v1/counts/{count_id}/records?limit=1000&after={after}");
        let page = app.get(&path).bearer_auth(coordinator).reply().await.assert_status(200);
        ids.extend(page["items"].as_array().unwrap().iter().map(id_of));
        match page["next_after"].as_str() {
            Some(next) => after = next.to_string(),
            None => return ids,
        }
    }
}

fn statuses(body: &Value) -> Vec<String> {
    body["results"].as_array().unwrap().iter().map(|r| r["status"].as_str().unwrap().to_string()).collect()
}

/// Asserts the 503 answer: the code, `Retry-After` and `details.retry_after_secs` agreeing.
#[track_caller]
fn assert_unavailable(reply: &Reply, code: &str) -> u64 {
    let body = reply.assert_error(503, code);
    let header: u64 = reply.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(header >= 1, "Retry-After {header}");
    assert_eq!(body["details"]["retry_after_secs"], header, "{body}");
    header
}

#[tokio::test]
async fn a_lock_held_past_the_busy_timeout_gives_503_storage_busy_and_the_resend_stores_once() {
    // Arrange: a server that waits 300 ms for the lock; another process holds it for longer.
    let app = spawn_app_tuned(Tuning { busy_timeout: Duration::from_millis(300), ..Tuning::default() }).await;
    let field = app.field("live").await;
    let batch: Vec<Value> = (0..3).map(|_| record()).collect();
    let other = app.hold_write_lock().await;

    // Act: the phone syncs while the lock is held.
    let started = std::time::Instant::now();
    let busy = sync(&app, &field.device.token, &batch).await;
    let waited = started.elapsed();

    // Assert: a clear answer after about the busy timeout, and nothing stored.
    assert_eq!(assert_unavailable(&busy, "storage_busy"), 5);
    assert!(waited >= Duration::from_millis(250) && waited < Duration::from_secs(5), "{waited:?}");
    assert!(app.records(&field.coordinator, &field.count_id).await.is_empty());

    // The other process finishes; the phone sends the same batch again, and once more.
    other.release().await;
    let stored = sync(&app, &field.device.token, &batch).await.assert_status(200);
    assert_eq!(statuses(&stored), ["stored"; 3], "{stored}");
    let again = sync(&app, &field.device.token, &batch).await.assert_status(200);
    assert_eq!(statuses(&again), ["unchanged"; 3], "{again}");
    assert_eq!(app.records(&field.coordinator, &field.count_id).await.len(), 3);
}

#[tokio::test]
async fn a_full_database_gives_503_storage_full_keeps_nothing_of_the_batch_and_after_room_stores_it_once() {
    // Arrange: a database that may not grow beyond 1 MiB (SQLite answers SQLITE_FULL, exactly
    // as when the disk is full); phones sync batches of 100 until it is full.
    let cap = Tuning { max_db_bytes: Some(1024 * 1024), ..Tuning::default() };
    let mut app = spawn_app_tuned(cap).await;
    let field = app.field("live").await;
    let mut acknowledged = HashSet::new();
    let mut refused = None;
    for _ in 0..100 {
        let batch: Vec<Value> = (0..100).map(|_| record()).collect();
        let reply = sync(&app, &field.device.token, &batch).await;
        if reply.status == 503 {
            refused = Some((reply, batch));
            break;
        }
        let body = reply.assert_status(200);
        assert_eq!(statuses(&body), ["stored"; 100], "{body}");
        acknowledged.extend(batch.iter().map(id_of));
    }

    // Assert: the full database is a clear answer, not a 500; exactly the acknowledged records
    // are stored, none of the refused batch; the server still serves reads.
    let (reply, refused) = refused.expect("1 MiB fills up within 10,000 records");
    assert_unavailable(&reply, "storage_full");
    assert!(!acknowledged.is_empty(), "some batches fitted before the database was full");
    eprintln!("{} records stored before the 1 MiB database was full", acknowledged.len());
    let stored: HashSet<String> =
        stored_ids(&app, &field.coordinator, &field.count_id).await.into_iter().collect();
    assert_eq!(stored, acknowledged);
    app.get("/healthz").reply().await.assert_status(200);
    // The write connection is not left broken: a single record fits or is refused cleanly,
    // never a 500 (SQLite rolled the transaction back itself; see `Storage::open_tuned`).
    let one = sync(&app, &field.device.token, &[record()]).await;
    if one.status == 503 {
        assert_unavailable(&one, "storage_full");
    } else {
        one.assert_status(200);
    }

    // Act: the operator makes room (here: lifts the limit and restarts); the phone resends.
    app.restart_tuned(Tuning::default()).await;
    let body = sync(&app, &field.device.token, &refused).await.assert_status(200);
    assert_eq!(statuses(&body), ["stored"; 100], "{body}");
    let body = sync(&app, &field.device.token, &refused).await.assert_status(200);
    assert_eq!(statuses(&body), ["unchanged"; 100], "{body}");

    // Assert: every record exactly once.
    let ids = stored_ids(&app, &field.coordinator, &field.count_id).await;
    assert_eq!(ids.len(), acknowledged.len() + refused.len() + usize::from(one.status == 200));
    let unique: HashSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "no record twice");
}

/// A tmpfs mounted on a directory for the length of a test (needs root, as in CI); unmounted
/// lazily on drop, also when the test fails.
struct SmallDisk(std::path::PathBuf);

impl SmallDisk {
    fn mount(dir: &std::path::Path, size: &str) -> Option<SmallDisk> {
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| SmallDisk(dir.to_path_buf()))
    }

    fn resize(&self, size: &str) {
        let status = std::process::Command::new("mount")
            .args(["-o", &format!("remount,size={size}")])
            .arg(&self.0)
            .status()
            .unwrap();
        assert!(status.success(), "remount");
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

#[tokio::test]
async fn a_really_full_disk_gives_503_storage_full_and_once_there_is_room_the_resend_is_stored_without_a_restart(
) {
    // Arrange: the database on a 1 MiB file system of its own. Mounting needs root; elsewhere
    // the test says so and passes (the cap test above covers the server's side).
    let dir = tempfile::tempdir().unwrap();
    let Some(disk) = SmallDisk::mount(dir.path(), "1m") else {
        eprintln!("skipped: cannot mount a tmpfs here (not root?)");
        return;
    };
    let mut app = spawn_app_in(dir, Tuning::default()).await;
    let field = app.field("live").await;
    let mut acknowledged = HashSet::new();
    let mut refused = None;
    for _ in 0..100 {
        let batch: Vec<Value> = (0..100).map(|_| record()).collect();
        let reply = sync(&app, &field.device.token, &batch).await;
        if reply.status != 200 {
            refused = Some((reply, batch));
            break;
        }
        acknowledged.extend(batch.iter().map(id_of));
    }

    // Assert: ENOSPC reaches the phone as storage_full; exactly the acknowledged records are held.
    let (reply, refused) = refused.expect("1 MiB fills up within 10,000 records");
    assert_unavailable(&reply, "storage_full");
    eprintln!("{} records stored before the 1 MiB disk was full", acknowledged.len());
    let stored: HashSet<String> =
        stored_ids(&app, &field.coordinator, &field.count_id).await.into_iter().collect();
    assert_eq!(stored, acknowledged);

    // Act: the operator makes room; the same server, not restarted, gets the resend.
    disk.resize("16m");
    let body = sync(&app, &field.device.token, &refused).await.assert_status(200);
    assert_eq!(statuses(&body), ["stored"; 100], "{body}");
    let body = sync(&app, &field.device.token, &refused).await.assert_status(200);
    assert_eq!(statuses(&body), ["unchanged"; 100], "{body}");
    let ids = stored_ids(&app, &field.coordinator, &field.count_id).await;
    assert_eq!(ids.len(), acknowledged.len() + refused.len());
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), ids.len(), "no record twice");
    app.stop().await;
}
