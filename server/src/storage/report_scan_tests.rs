//! The report's scan of stored rows: records packed with another version, rows whose values
//! no stored record can have, and counts whose records lie between each other's.

use super::{open, organisations, read_range, Way, BOUNDS_SQL};
use crate::storage::records::tests::{now, record, storage, sync, COUNT};
use crate::storage::{Device, Storage};
use ethos_shared::report::ReportRecord;
use uuid::Uuid;

fn count() -> Uuid {
    COUNT.parse().expect("an id")
}

fn by_id(mut records: Vec<ReportRecord>) -> Vec<ReportRecord> {
    records.sort_by_key(|r| r.id);
    records
}

/// Records whose attributes were packed by another version are read from their own columns:
/// the same records as when they were packed now.
#[tokio::test]
async fn records_packed_with_another_version_are_read_from_their_columns() {
    let dir = tempfile::tempdir().expect("a directory");
    let storage = storage(&dir.path().join("t.db")).await;
    let records: Vec<_> = (0..6).map(|n| record(n, None)).collect();
    sync(&storage, &records).await;
    let want = by_id(storage.report_data(count()).await.expect("report data").records);
    assert_eq!(want.len(), 6);
    sqlx::query("UPDATE records SET report_attributes_version = 0, report_attributes = -1 WHERE seq % 2 = 0")
        .execute(&storage.write)
        .await
        .expect("made stale");
    let got = by_id(storage.report_data(count()).await.expect("report data").records);
    assert_eq!(got, want);
    // Still packed with the other version when read: the report took the stale path (the
    // writer re-packs only once, at its start).
    let stale: i64 = sqlx::query_scalar("SELECT count(*) FROM records WHERE report_attributes_version = 0")
        .fetch_one(&storage.write)
        .await
        .expect("a count");
    assert_eq!(stale, 3);
}

/// A stored value that no record can have is an error of the report, never a record read with
/// another value.
#[tokio::test]
async fn a_row_with_a_value_no_record_has_is_an_error() {
    for damage in [
        "UPDATE records SET id = 'not-an-id' WHERE seq = 2",
        "UPDATE records SET dedup_key = 'abc' WHERE seq = 2",
        "UPDATE records SET training = 5 WHERE seq = 2",
        "UPDATE records SET report_attributes = -1 WHERE seq = 2",
        "UPDATE records SET observed_at_ns = NULL, observed_at = 'yesterday' WHERE seq = 2",
        "UPDATE records SET observed_at_ns = 'soon' WHERE seq = 2",
        "UPDATE records SET id = CAST(id AS BLOB) WHERE seq = 2",
        "UPDATE records SET dedup_key = CAST(printf('%064d', 7) AS BLOB) WHERE seq = 2",
    ] {
        let dir = tempfile::tempdir().expect("a directory");
        let storage = storage(&dir.path().join("t.db")).await;
        sync(&storage, &[record(1, None), record(2, None), record(3, None)]).await;
        assert!(storage.report_data(count()).await.is_ok());
        sqlx::query(damage).execute(&storage.write).await.expect(damage);
        assert!(storage.report_data(count()).await.is_err(), "{damage}");
    }
}

const OTHER: &str = "00000000-0000-0000-0000-0000000000c2";

/// A second count, with a device of its own.
async fn other_count(storage: &Storage) -> Device {
    for sql in [
        "INSERT INTO counts VALUES ('00000000-0000-0000-0000-0000000000c2', 'U', '2026-10-15',
            '2026-10-15T20:00:00+02:00', '2026-10-16T20:00:00+02:00', 'live', 's', '2026-01-01T00:00:00Z', 'u')",
        "INSERT INTO invites (id, count_id, code, organisation, organisation_type, created_at, created_by)
            VALUES ('i2', '00000000-0000-0000-0000-0000000000c2', 'B', 'Wonen', 'housing', '2026-01-01T00:00:00Z', 'u')",
        "INSERT INTO devices (id, invite_id, count_id, token_hash, enrolled_at) VALUES
            ('00000000-0000-0000-0000-0000000000d2', 'i2', '00000000-0000-0000-0000-0000000000c2', 'h2', '2026-01-01T00:00:00Z')",
    ] {
        sqlx::query(sql).execute(&storage.write).await.expect("a second count");
    }
    Device {
        id: "00000000-0000-0000-0000-0000000000d2".parse().expect("an id"),
        count_id: OTHER.parse().expect("an id"),
        organisation: String::new(),
        revoked: false,
    }
}

/// Records `n` stored through the second count's `device`.
async fn sync_other(storage: &Storage, device: &Device, n: impl IntoIterator<Item = u128>) {
    let records: Vec<crate::storage::SyncItem> = n.into_iter().map(|n| Ok(record(n, None))).collect();
    storage.sync_batch(device, records, None, now()).await.expect("synced");
}

/// The ids of the records of `count`, read the `way` given over its whole range of positions.
fn read_by(conn: &rusqlite::Connection, way: Way, count: &str) -> Vec<Uuid> {
    let (first, last): (i64, i64) =
        conn.query_row(BOUNDS_SQL, [count], |row| Ok((row.get(0)?, row.get(1)?))).expect("bounds");
    let (_, device_org) = organisations(conn, count).expect("organisations");
    let range = read_range(conn, way, count, first - 1, last, &device_org, 8).expect("a range");
    let mut ids: Vec<Uuid> = range.records.iter().map(|r| r.id).collect();
    ids.sort();
    ids
}

/// The scan reads a count's range of positions along the table while other counts' rows in it
/// are few, else through the count index, and both ways read the same records.
#[tokio::test]
async fn a_range_full_of_other_counts_rows_is_read_through_the_index_with_the_same_records() {
    let dir = tempfile::tempdir().expect("a directory");
    let path = dir.path().join("t.db");
    let storage = storage(&path).await;
    let device = other_count(&storage).await;
    // The other count's two records before and after ours: its range holds all of ours.
    sync_other(&storage, &device, [100]).await;
    for n in (0..20).step_by(4) {
        sync(&storage, &[record(n, None), record(n + 1, None), record(n + 2, None), record(n + 3, None)])
            .await;
    }
    sync_other(&storage, &device, [101]).await;
    let conn = open(&path, std::time::Duration::from_secs(1)).expect("a connection");
    let bounds = |count: &str| -> (i64, i64) {
        conn.query_row(BOUNDS_SQL, [count], |row| Ok((row.get(0)?, row.get(1)?))).expect("bounds")
    };
    let (first, last) = bounds(COUNT);
    assert_eq!(Way::of(&conn, COUNT, first - 1, last).expect("a way"), Way::AlongTable);
    let (first, last) = bounds(OTHER);
    assert_eq!(Way::of(&conn, OTHER, first - 1, last).expect("a way"), Way::ByIndex);
    for (count, want) in [(COUNT, (0..20).collect::<Vec<u128>>()), (OTHER, vec![100, 101])] {
        let mut want: Vec<Uuid> = want.into_iter().map(|n| record(n, None).id).collect();
        want.sort();
        assert_eq!(read_by(&conn, Way::AlongTable, count), want, "{count} along the table");
        assert_eq!(read_by(&conn, Way::ByIndex, count), want, "{count} through the index");
    }
}

/// The records of another count stored in between are left out of a count's report, and each
/// count's records are all there.
#[tokio::test]
async fn records_of_another_count_stored_in_between_are_left_out() {
    let dir = tempfile::tempdir().expect("a directory");
    let storage = storage(&dir.path().join("t.db")).await;
    let device = other_count(&storage).await;
    let other: Uuid = OTHER.parse().expect("an id");
    // Batches of the two counts taken in turns: 0, 1 | 10, 11 | 2, 3 | 12, 13 | 4, 5.
    for n in [0u128, 2, 4] {
        sync(&storage, &[record(n, None), record(n + 1, None)]).await;
        if n < 4 {
            sync_other(&storage, &device, [n + 10, n + 11]).await;
        }
    }
    let ids = |records: Vec<ReportRecord>| by_id(records).into_iter().map(|r| r.id).collect::<Vec<_>>();
    let ours = ids(storage.report_data(count()).await.expect("report data").records);
    let want: Vec<Uuid> = (0..6).map(|n| record(n, None).id).collect();
    assert_eq!(ours, want);
    let theirs = ids(storage.report_data(other).await.expect("report data").records);
    let want: Vec<Uuid> = [10, 11, 12, 13].map(|n| record(n, None).id).to_vec();
    assert_eq!(theirs, want);
}
