//! `ethos backup`: a consistent copy while the server serves; restoring it gives the same
//! records and the same report.

#![allow(clippy::unwrap_used)] // a test: a failed step should stop it loudly

use ethos_tests::{record, spawn_app, SendExt, TestApp};
use serde_json::{json, Value};

async fn backup(app: &TestApp, file: &std::path::Path) -> anyhow::Result<()> {
    ethos_server::cli::run(<ethos_server::cli::Cli as clap::Parser>::parse_from([
        "ethos",
        "backup",
        "--db",
        app.db_path().to_str().unwrap(),
        file.to_str().unwrap(),
    ]))
    .await
}

/// A fresh server whose database is the copy.
async fn restored(copy: &std::path::Path) -> TestApp {
    let mut app = spawn_app().await;
    app.stop().await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", app.db_path().display()));
    }
    std::fs::copy(copy, app.db_path()).unwrap();
    app.restart().await;
    app
}

async fn report(app: &TestApp, token: &str, count_id: &str) -> Value {
    let mut report = app
        .get(&format!("/api/v1/counts/{count_id}/report?disclosure=internal"))
        .bearer_auth(token)
        .reply()
        .await
        .assert_status(200);
    report.as_object_mut().unwrap().remove("generated_at");
    report
}

#[tokio::test]
async fn a_backup_during_a_sync_storm_is_consistent_and_a_later_one_restores_identically() {
    let app = spawn_app().await;
    let field = app.field("live").await;
    let dir = tempfile::tempdir().unwrap();

    // Four phones' worth of batches at once while the backup runs.
    let storm: Vec<_> = (0..4)
        .map(|_| {
            let (client, url, token) =
                (app.client.clone(), app.url("/api/v1/sync"), field.device.token.clone());
            tokio::spawn(async move {
                for _ in 0..10 {
                    let records: Vec<Value> = (0..20).map(|_| record()).collect();
                    let answer = client
                        .post(&url)
                        .bearer_auth(&token)
                        .json(&json!({ "records": records }))
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(answer.status(), 200);
                }
            })
        })
        .collect();
    let during = dir.path().join("during.db");
    backup(&app, &during).await.unwrap();
    for task in storm {
        task.await.unwrap();
    }
    let after = dir.path().join("after.db");
    backup(&app, &after).await.unwrap();

    // The copy made during the storm holds whole batches only, each record as the original.
    let original = app.records(&field.coordinator, &field.count_id).await;
    assert_eq!(original.len(), 800);
    let mid = restored(&during).await;
    let token = mid.logged_in("backup-check", ethos_shared::api::Role::Coordinator).await;
    let copied = mid.records(&token, &field.count_id).await;
    assert_eq!(copied.len() % 20, 0, "a batch is one transaction: {} records", copied.len());
    for record in &copied {
        assert!(original.contains(record), "record in the copy differs from the original: {record}");
    }

    // The copy made afterwards is the same data: identical records and report.
    let restored = restored(&after).await;
    let token = restored.logged_in("restore-check", ethos_shared::api::Role::Coordinator).await;
    assert_eq!(restored.records(&token, &field.count_id).await, original);
    assert_eq!(
        report(&restored, &token, &field.count_id).await,
        report(&app, &field.coordinator, &field.count_id).await
    );
}

#[tokio::test]
async fn a_backup_never_overwrites_an_existing_file() {
    let app = spawn_app().await;
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), b"precious").unwrap();
    let error = backup(&app, file.path()).await.unwrap_err();
    assert!(format!("{error:#}").contains("exists"), "{error:#}");
    assert_eq!(std::fs::read(file.path()).unwrap(), b"precious");
}

fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[tokio::test]
async fn the_database_its_wal_and_shm_and_a_backup_are_readable_by_their_owner_only() {
    // Arrange: a server that has written (so the WAL and its index exist).
    let mut app = spawn_app().await;
    let field = app.field("live").await;
    app.sync(&field.device.token, &[record()]).await;
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("copy.db");

    // Act
    backup(&app, &copy).await.unwrap();

    // Assert: 0600, whatever the umask (password hashes and duplicate-key secrets inside).
    let db = app.db_path();
    for file in [db.clone(), format!("{}-wal", db.display()).into(), format!("{}-shm", db.display()).into()] {
        assert_eq!(mode(&file), 0o600, "{}", file.display());
    }
    assert_eq!(mode(&copy), 0o600, "the backup");

    // An older database left readable by others is made private at the next start.
    app.stop().await;
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
    app.restart().await;
    assert_eq!(mode(&db), 0o600);
    // And a backup never overwrites a file.
    let again = backup(&app, &copy).await.unwrap_err();
    assert!(format!("{again:#}").contains("exists already"), "{again:#}");
}
