//! The storage error is read from what SQLite really answers: a lock held by another
//! connection, a database at its size limit, a write through a read-only connection and the
//! schema's constraints, as sqlx errors and inside an `anyhow` chain.

use super::{Conflict, Storage, StoreError, User};
use ethos_shared::api::{NewCount, Role};
use sqlx::Connection;
use std::time::Duration;

async fn open(dir: &tempfile::TempDir, busy_timeout: Duration) -> Storage {
    Storage::open_tuned(&dir.path().join("e.db"), busy_timeout, None).await.expect("a database")
}

async fn coordinator(storage: &Storage) -> User {
    let id = storage.add_user("c", Role::Coordinator, "not a hash").await.expect("a user");
    User { id, username: "c".into(), role: Role::Coordinator }
}

fn new_count() -> NewCount {
    NewCount {
        name: "T".into(),
        reference_date: "2026-10-15".parse().expect("a date"),
        starts_at: "2026-10-15T20:00:00+02:00".parse().expect("a time"),
        ends_at: "2026-10-16T20:00:00+02:00".parse().expect("a time"),
    }
}

#[test]
fn result_codes_map_to_their_variant() {
    let of = StoreError::of_result_code;
    assert!(matches!(of(5), Some(StoreError::Busy)));
    assert!(matches!(of(517), Some(StoreError::Busy)), "SQLITE_BUSY_SNAPSHOT");
    assert!(matches!(of(6), Some(StoreError::Busy)), "SQLITE_LOCKED");
    assert!(matches!(of(13), Some(StoreError::Full)));
    assert!(matches!(of(8), Some(StoreError::ReadOnly)));
    assert!(matches!(of(1032), Some(StoreError::ReadOnly)), "SQLITE_READONLY_DBMOVED");
    assert!(matches!(of(2067), Some(StoreError::Conflict(Conflict::Exists))));
    assert!(matches!(of(1555), Some(StoreError::Conflict(Conflict::Exists))));
    assert!(matches!(of(787), Some(StoreError::Conflict(Conflict::Constraint))), "a foreign key");
    assert!(of(1).is_none(), "SQLITE_ERROR is a bug, not a condition");
}

#[tokio::test]
async fn a_write_lock_held_by_another_connection_is_busy() {
    let dir = tempfile::tempdir().expect("a directory");
    let storage = open(&dir, Duration::from_millis(50)).await;
    let user = coordinator(&storage).await;
    let url = format!("sqlite://{}", dir.path().join("e.db").display());
    let mut other = sqlx::SqliteConnection::connect(&url).await.expect("another connection");
    sqlx::query("BEGIN IMMEDIATE").execute(&mut other).await.expect("the lock");
    let err = storage.create_count(&new_count(), "s", &user).await.expect_err("busy");
    assert!(matches!(err, StoreError::Busy), "{err:?}");
    assert!(err.is_condition());
    sqlx::query("ROLLBACK").execute(&mut other).await.expect("released");
    storage.create_count(&new_count(), "s", &user).await.expect("stored once free");
}

#[tokio::test]
async fn a_database_at_its_size_limit_is_full_and_a_read_only_connection_is_read_only() {
    let dir = tempfile::tempdir().expect("a directory");
    let storage = open(&dir, Duration::from_secs(1)).await;
    let user = coordinator(&storage).await;
    let pages: i64 = sqlx::query_scalar("PRAGMA page_count").fetch_one(&storage.write).await.expect("pages");
    sqlx::query(&format!("PRAGMA max_page_count = {pages}")).execute(&storage.write).await.expect("limit");
    let mut full = None;
    for _ in 0..200 {
        let mut count = new_count();
        count.name = "x".repeat(4000);
        if let Err(e) = storage.create_count(&count, &"s".repeat(4000), &user).await {
            full = Some(e);
            break;
        }
    }
    assert!(matches!(full, Some(StoreError::Full)), "{full:?}");

    let write_on_read = sqlx::query("INSERT INTO server_keys (name, key) VALUES ('x', x'00')")
        .execute(&storage.read)
        .await
        .expect_err("the read pool cannot write");
    assert!(matches!(StoreError::from(write_on_read), StoreError::ReadOnly));
}

#[tokio::test]
async fn constraints_are_conflicts_also_inside_an_anyhow_chain() {
    let dir = tempfile::tempdir().expect("a directory");
    let storage = open(&dir, Duration::from_secs(1)).await;
    let again = sqlx::query("INSERT INTO server_keys (name, key) VALUES ('login', x'00')")
        .execute(&storage.write)
        .await
        .expect_err("the login key exists");
    let wrapped = anyhow::Error::from(again).context("storing a key");
    assert!(matches!(StoreError::from(wrapped), StoreError::Conflict(Conflict::Exists)));
    let orphan = sqlx::query(
        "INSERT INTO count_population (count_id, municipality, population) VALUES ('none', 'GM0935', 1)",
    )
    .execute(&storage.write)
    .await
    .expect_err("no such count");
    assert!(matches!(StoreError::from(orphan), StoreError::Conflict(Conflict::Constraint)));
    let no_table =
        sqlx::query("SELECT * FROM no_such_table").execute(&storage.read).await.expect_err("a bug");
    assert!(matches!(StoreError::from(no_table), StoreError::Other(_)));
    // A storage error passed through `anyhow` comes back as itself.
    let passed = anyhow::Error::from(StoreError::Full);
    assert!(matches!(StoreError::from(passed), StoreError::Full));
}
