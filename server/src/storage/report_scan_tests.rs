//! The report's scan of stored rows: records packed with another version, and rows whose
//! values no stored record can have.

use crate::storage::records::tests::{record, storage, sync, COUNT};
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
