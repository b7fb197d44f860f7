//! The report's scan of stored rows: records packed with another version, rows whose values
//! no stored record can have, and counts whose records lie between each other's.

use crate::storage::records::tests::{record, storage, sync, COUNT};
use crate::storage::Device;
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
    ] {
        let dir = tempfile::tempdir().expect("a directory");
        let storage = storage(&dir.path().join("t.db")).await;
        sync(&storage, &[record(1, None), record(2, None), record(3, None)]).await;
        assert!(storage.report_data(count()).await.is_ok());
        sqlx::query(damage).execute(&storage.write).await.expect(damage);
        assert!(storage.report_data(count()).await.is_err(), "{damage}");
    }
}

/// The scan reads the table between a count's first and last record: the records of another
/// count stored in between are left out, and each count's records are all there.
#[tokio::test]
async fn records_of_another_count_stored_in_between_are_left_out() {
    let dir = tempfile::tempdir().expect("a directory");
    let storage = storage(&dir.path().join("t.db")).await;
    let other: Uuid = "00000000-0000-0000-0000-0000000000c2".parse().expect("an id");
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
    let device = Device {
        id: "00000000-0000-0000-0000-0000000000d2".parse().expect("an id"),
        count_id: other,
        organisation: String::new(),
        revoked: false,
    };
    let now = chrono::DateTime::parse_from_rfc3339("2026-10-15T23:00:00Z").expect("a time").into();
    // Batches of the two counts taken in turns: 0, 1 | 10, 11 | 2, 3 | 12, 13 | 4, 5.
    for n in [0u128, 2, 4] {
        sync(&storage, &[record(n, None), record(n + 1, None)]).await;
        if n < 4 {
            let theirs = vec![Ok(record(n + 10, None)), Ok(record(n + 11, None))];
            storage.sync_batch(&device, theirs, None, now).await.expect("synced");
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
