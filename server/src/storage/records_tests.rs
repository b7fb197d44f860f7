//! The record's columns, read and written by name from the field table; an old database gaining
//! `entry` and a new packing.

use super::*;
use crate::storage::Device;
use ethos_shared::api::SyncStatus;
use ethos_shared::record::Entry;
use ethos_shared::report::PACKING_VERSION;

pub(crate) const COUNT: &str = "00000000-0000-0000-0000-0000000000c0";
const DEVICE: &str = "00000000-0000-0000-0000-0000000000d1";

/// The user, the live count [`COUNT`], a team code and the device [`DEVICE`] of [`storage`].
pub(crate) const SET_UP: [&str; 4] = [
    "INSERT INTO users VALUES ('u', 'c', 'x', 'coordinator', '2026-01-01T00:00:00Z')",
    "INSERT INTO counts VALUES ('00000000-0000-0000-0000-0000000000c0', 'T', '2026-10-15',
        '2026-10-15T20:00:00+02:00', '2026-10-16T20:00:00+02:00', 'live', 's', '2026-01-01T00:00:00Z', 'u')",
    "INSERT INTO invites (id, count_id, code, organisation, organisation_type, created_at, created_by)
        VALUES ('i1', '00000000-0000-0000-0000-0000000000c0', 'A', 'Zorg', 'care', '2026-01-01T00:00:00Z', 'u')",
    "INSERT INTO devices (id, invite_id, count_id, token_hash, enrolled_at) VALUES
        ('00000000-0000-0000-0000-0000000000d1', 'i1', '00000000-0000-0000-0000-0000000000c0', 'h1', '2026-01-01T00:00:00Z')",
];

pub(crate) async fn storage(path: &std::path::Path) -> Storage {
    let storage = Storage::open(path).await.expect("a database");
    for sql in SET_UP {
        sqlx::query(sql).execute(&storage.write).await.expect("set up");
    }
    storage
}

pub(crate) fn record(n: u128, entry: Option<&str>) -> Record {
    let mut json = serde_json::json!({"id": Uuid::from_u128(0x0192f0c4_1111_7000_8000_000000000000 + n),
        "revision":1, "observed_at": "2026-10-15T22:40:00+02:00", "municipality":"GM0938",
        "living_situation": "3.1", "origin": {"kind": "municipality", "code": "GM0363"},
        "dedup_key": null,
        "profile":{"age_band":"23-26","gender":"woman","household":"with_partner","children": 2,
            "duration":"1-3m","residence_status":"eu","income":"work",
            "care_needs":["addiction","physical"],"previous_facility":"detention","housing_need":"long_term_care"},
        "training": true});
    if let Some(entry) = entry {
        json["entry"] = entry.into();
    }
    ethos_shared::record::parse_record(&json).expect("a record")
}

/// The device [`DEVICE`] of [`storage`].
pub(crate) fn device() -> Device {
    Device {
        id: DEVICE.parse().expect("an id"),
        count_id: COUNT.parse().expect("an id"),
        organisation: String::new(),
        revoked: false,
    }
}

/// A moment inside the window of [`COUNT`], after every [`record`] was observed.
pub(crate) fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339("2026-10-15T23:00:00Z").expect("a time").into()
}

pub(crate) async fn sync(storage: &Storage, records: &[Record]) -> Vec<SyncStatus> {
    let items: Vec<crate::storage::SyncItem> = records.iter().cloned().map(Ok).collect();
    let results = storage.sync_batch(&device(), items, None, now()).await.expect("synced");
    results.into_iter().map(|r| r.status).collect()
}

#[tokio::test]
async fn every_field_is_in_its_own_column_and_comes_back_by_name() {
    let dir = tempfile::tempdir().expect("a directory");
    let storage = storage(&dir.path().join("t.db")).await;
    let (field, desk) = (record(1, None), record(2, Some("desk")));
    assert_eq!(sync(&storage, &[field.clone(), desk.clone()]).await, [SyncStatus::Stored; 2]);

    // The columns by their own names: a field written to another field's column (a swapped
    // name in the table, or a swapped bind) shows here even where it would read back the same.
    let row = sqlx::query(
        "SELECT age_band, gender, household, children, duration, residence_status, income, care_needs,
            previous_facility, housing_need, origin, living_situation, municipality, sent_training, entry,
            report_attributes_version FROM records WHERE id = ?",
    )
    .bind(desk.id.to_string())
    .fetch_one(&storage.read)
    .await
    .expect("a row");
    let text = |c: &str| row.try_get::<String, _>(c).expect(c);
    let got: Vec<String> = [
        "age_band",
        "gender",
        "household",
        "children",
        "duration",
        "residence_status",
        "income",
        "care_needs",
        "previous_facility",
        "housing_need",
        "origin",
        "living_situation",
        "municipality",
        "entry",
    ]
    .iter()
    .map(|c| text(c))
    .collect();
    assert_eq!(
        got,
        [
            "23-26",
            "woman",
            "with_partner",
            "2",
            "1-3m",
            "eu",
            "work",
            "addiction|physical",
            "detention",
            "long_term_care",
            "GM0363",
            "3.1",
            "GM0938",
            "desk"
        ]
    );
    assert!(row.try_get::<bool, _>("sent_training").expect("sent_training"));
    assert_eq!(row.try_get::<i64, _>("report_attributes_version").expect("version"), PACKING_VERSION);

    let page = storage.list_records(COUNT.parse().expect("an id"), None, 10).await.expect("a page");
    let mut read: Vec<Record> = page.into_iter().map(|s| s.record).collect();
    read.sort_by_key(|r| r.id);
    assert_eq!(read, [field, desk]);
    assert_eq!(read[1].entry, Entry::Desk);
}

/// A database of before `entry` and the packing version: its rows are kept as they are (no
/// content hash yet either), the migration adds both columns, the resend of a record stored
/// then is `unchanged`, and its attributes are re-packed.
#[tokio::test]
async fn an_old_record_resent_after_the_migration_is_unchanged_and_re_packed() {
    let dir = tempfile::tempdir().expect("a directory");
    let path = dir.path().join("t.db");
    let storage = storage(&path).await;
    let old = record(1, None);
    assert_eq!(sync(&storage, std::slice::from_ref(&old)).await, [SyncStatus::Stored]);
    for sql in [
        "UPDATE records SET content_hash = NULL",
        "ALTER TABLE records DROP COLUMN entry",
        "ALTER TABLE records DROP COLUMN report_attributes_version",
        "DELETE FROM _sqlx_migrations WHERE version = 20261206200000",
    ] {
        sqlx::query(sql).execute(&storage.write).await.expect(sql);
    }
    storage.close().await;

    let storage = Storage::open(&path).await.expect("the database again");
    let version = || async {
        sqlx::query_scalar::<_, i64>("SELECT report_attributes_version FROM records")
            .fetch_one(&storage.read)
            .await
            .expect("a version")
    };
    let report = storage.report_data(COUNT.parse().expect("an id")).await.expect("report data");
    assert_eq!(report.records.len(), 1);
    assert_eq!(report.records[0].attributes.entry, Entry::Field);
    assert_eq!(sync(&storage, std::slice::from_ref(&old)).await, [SyncStatus::Unchanged]);
    let mut explicit = old.clone();
    explicit.entry = Entry::Field;
    assert_eq!(sync(&storage, &[explicit]).await, [SyncStatus::Unchanged]);
    let mut desk = old.clone();
    desk.entry = Entry::Desk;
    assert_eq!(sync(&storage, &[desk]).await, [SyncStatus::Conflict], "other content, same revision");
    for _ in 0..100 {
        if version().await == PACKING_VERSION {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(version().await, PACKING_VERSION, "re-packed by the writer");
    let again = storage.report_data(COUNT.parse().expect("an id")).await.expect("report data");
    assert_eq!(again.records, report.records);
}
