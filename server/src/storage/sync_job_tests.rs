//! A batch of several pieces: judged in order across them, and stored whole or not at all.

use super::records::tests::{device, now, record, storage, sync};
use super::Storage;
use ethos_shared::api::SyncStatus;
use ethos_shared::record::Record;
use sqlx::Row;

async fn rows(storage: &Storage, sql: &str) -> i64 {
    sqlx::query(sql).fetch_one(&storage.read).await.expect("a row").get(0)
}

/// Record `n` in a revision with other content.
fn revised(n: u128) -> Record {
    let mut r = record(n, None);
    r.revision = 2;
    r.living_situation = ethos_shared::ethos::LivingSituation::ALL[0];
    r
}

#[tokio::test]
async fn a_batch_of_several_pieces_is_judged_in_order_across_them() {
    let dir = tempfile::tempdir().expect("a directory");
    let storage = storage(&dir.path().join("t.db")).await;
    // 300 new records (three pieces), then in the fourth piece: a new revision of a record of
    // the first piece, an exact resend of one of the third, and a record sent twice in it.
    let mut batch: Vec<Record> = (1..=300).map(|n| record(n, None)).collect();
    batch.extend([revised(5), record(250, None), record(301, None), revised(301)]);
    let statuses = sync(&storage, &batch).await;
    assert_eq!(&statuses[..300], &[SyncStatus::Stored; 300]);
    assert_eq!(
        &statuses[300..],
        [SyncStatus::Updated, SyncStatus::Unchanged, SyncStatus::Stored, SyncStatus::Updated]
    );
    assert_eq!(rows(&storage, "SELECT COUNT(*) FROM records").await, 301);
    for n in [5, 301] {
        let id = revised(n).id.to_string();
        let row = sqlx::query("SELECT revision, living_situation FROM records WHERE id = ?")
            .bind(&id)
            .fetch_one(&storage.read)
            .await
            .expect("the record");
        assert_eq!(row.get::<i64, _>(0), 2, "{n}");
        assert_eq!(row.get::<String, _>(1), revised(n).living_situation.code(), "{n}");
    }
    assert_eq!(rows(&storage, "SELECT COUNT(*) FROM audit_log WHERE action = 'record.update'").await, 2);
    assert_eq!(rows(&storage, "SELECT COUNT(*) FROM audit_log WHERE action = 'sync'").await, 1);
    // The whole batch again: every record as it ends up is held.
    let again = sync(&storage, &batch).await;
    assert_eq!(again.iter().filter(|s| **s == SyncStatus::Unchanged).count(), 302, "{again:?}");
}

#[tokio::test]
async fn a_request_that_stops_before_its_last_piece_stores_nothing() {
    let dir = tempfile::tempdir().expect("a directory");
    let storage = storage(&dir.path().join("t.db")).await;
    let device = device();
    let now = now();
    // Two pieces reach the writer; the request fails (a bug) in the third.
    let items = (1..=250u128).map(|n| {
        assert!(n != 230, "a bug while preparing record {n}");
        Ok(record(n, None))
    });
    let request = {
        let storage = storage.clone();
        tokio::spawn(async move { storage.sync_batch(&device, items, None, now).await })
    };
    assert!(request.await.expect_err("the request failed").is_panic());
    // Nothing of it is stored or audited, and the writer goes on with the next sync.
    assert_eq!(sync(&storage, &[record(1, None), record(300, None)]).await, [SyncStatus::Stored; 2]);
    assert_eq!(rows(&storage, "SELECT COUNT(*) FROM records").await, 2);
    assert_eq!(rows(&storage, "SELECT COUNT(*) FROM audit_log WHERE action = 'sync'").await, 1);
}

#[tokio::test]
async fn a_batch_whose_condition_fails_after_its_last_piece_stores_nothing() {
    let dir = tempfile::tempdir().expect("a directory");
    let storage = storage(&dir.path().join("t.db")).await;
    let device = device();
    let now = now();
    for (n, sound) in [(250u128, false), (3, false), (250, true)] {
        let items = (1..=n).map(|n| Ok(record(n, None)));
        let stored = storage.sync_batch_if(&device, items, || sound, None, now).await.expect("answered");
        assert_eq!(stored.is_some(), sound, "{n}");
    }
    assert_eq!(rows(&storage, "SELECT COUNT(*) FROM records").await, 250);
    assert_eq!(rows(&storage, "SELECT COUNT(*) FROM audit_log WHERE action = 'sync'").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_that_stops_in_a_group_is_undone_alone_and_the_others_are_stored_once() {
    let dir = tempfile::tempdir().expect("a directory");
    let storage = storage(&dir.path().join("t.db")).await;
    let device = device();
    let now = now();
    let spawn = |from: u128, to: u128, sound: bool| {
        let (storage, device) = (storage.clone(), device.clone());
        tokio::spawn(async move {
            let items = (from..=to).map(|n| Ok(record(n, None)));
            storage.sync_batch_if(&device, items, move || sound, None, now).await.expect("answered")
        })
    };
    let pause = || tokio::time::sleep(std::time::Duration::from_millis(60));
    // While a write holds the turn, the writer takes a first job and waits; the next three
    // queue behind it and make one group once the turn is free.
    let turn = storage.write_tx().await.expect("the write turn");
    let first = spawn(1, 50, true);
    pause().await;
    let second = spawn(101, 350, true);
    pause().await;
    let stopped = spawn(401, 650, false);
    pause().await;
    // It sends one record of the stopped job again: stored, as nothing of that job is held.
    let third = spawn(650, 899, true);
    pause().await;
    drop(turn);
    for (job, n) in [(first, 50), (second, 250), (third, 250)] {
        let results = job.await.expect("ran").expect("stored");
        assert_eq!(results.len(), n);
        let other: Vec<_> = results.iter().filter(|r| r.status != SyncStatus::Stored).collect();
        assert!(other.is_empty(), "{other:?}");
    }
    assert!(stopped.await.expect("ran").is_none());
    assert_eq!(rows(&storage, "SELECT COUNT(*) FROM records").await, 550);
    assert_eq!(rows(&storage, "SELECT COUNT(*) FROM audit_log WHERE action = 'sync'").await, 3);
    // What the stopped job would have stored can be sent again and is new.
    let again = sync(&storage, &[record(401, None), record(649, None)]).await;
    assert_eq!(again, [SyncStatus::Stored; 2]);
}
