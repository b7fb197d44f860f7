//! The sync writer and the write pool are two connections to one database: they take turns in
//! the application, so a coordinator's write while phones sync waits its turn instead of
//! failing on SQLite's lock.

use super::records::tests::{record, sync, SET_UP};
use super::Storage;
use ethos_shared::api::{Role, SyncStatus};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn writes_of_the_pool_wait_their_turn_beside_the_sync_writer() {
    let dir = tempfile::tempdir().expect("a directory");
    // A busy timeout far shorter than one group's transaction: a write that met the sync
    // writer's lock in SQLite, not in its turn, would fail. (A new file: nothing else has it
    // open, not even a closing connection's checkpoint.)
    let path = dir.path().join("t.db");
    let storage = Storage::open_tuned(&path, Duration::from_millis(1), None).await.expect("a database");
    let mut tx = storage.write_tx().await.expect("the turn");
    for sql in SET_UP {
        sqlx::query(sql).execute(&mut *tx).await.expect("set up");
    }
    tx.commit().await.expect("set up");

    let syncs = (0..8u128).map(|phone| {
        let storage = storage.clone();
        tokio::spawn(async move {
            let mut statuses = Vec::new();
            for batch in 0..4u128 {
                let first = 1 + (phone * 4 + batch) * 250;
                let records: Vec<_> = (first..first + 250).map(|n| record(n, None)).collect();
                statuses.extend(sync(&storage, &records).await);
            }
            statuses
        })
    });
    let syncs: Vec<_> = syncs.collect();
    let users = (0..40).map(|i| {
        let storage = storage.clone();
        tokio::spawn(async move { storage.add_user(&format!("user{i}"), Role::Coordinator, "h").await })
    });
    let users: Vec<_> = users.collect();

    for user in users {
        user.await.expect("joined").expect("the user stored in its turn");
    }
    for phone in syncs {
        let statuses = phone.await.expect("joined");
        assert_eq!(statuses, vec![SyncStatus::Stored; 1000]);
    }
    let (records, users): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM records), (SELECT COUNT(*) FROM users WHERE username LIKE 'user%')",
    )
    .fetch_one(&storage.read)
    .await
    .expect("counted");
    assert_eq!((records, users), (8_000, 40));
}
