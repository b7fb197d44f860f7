//! The rebuilds of `records`, as a rowid table (migration 20261206210000) and with the report's
//! columns first (20261207000000), keep every row with every value and its place, and leave
//! the indexes the reads rely on.

use super::*;
use sqlx::Row;

/// The version of the migration that rebuilds `records`.
const REBUILD: i64 = 20261206210000;

/// Every column of `records` before and after the rebuild.
const COLUMNS: &str = "id, count_id, device_id, revision, observed_at, municipality, living_situation,
    dedup_key, origin, age_band, gender, household, children, duration, residence_status, income,
    care_needs, previous_facility, housing_need, observed_at_ns, report_attributes, sent_training,
    stored_in_training, training, received_at, void_reason, void_at, void_by, content_hash, entry,
    report_attributes_version";

/// Every value of every row, quoted as SQL literals, in (count, id) order.
async fn rows(pool: &SqlitePool) -> Vec<String> {
    let quoted: Vec<String> = COLUMNS.split(',').map(|c| format!("quote({})", c.trim())).collect();
    sqlx::query_scalar(&format!("SELECT {} FROM records ORDER BY count_id, id", quoted.join(" || '|' || ")))
        .fetch_all(pool)
        .await
        .expect("the rows")
}

#[tokio::test]
async fn the_rebuild_keeps_every_row_and_value_of_the_old_table() {
    let dir = tempfile::tempdir().expect("a directory");
    let path = dir.path().join("t.db");
    let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))
        .expect("options")
        .create_if_missing(true)
        .foreign_keys(true);
    let pool = SqlitePoolOptions::new().max_connections(1).connect_with(options).await.expect("a pool");
    let mut before = sqlx::migrate!("../migrations");
    before.migrations =
        before.migrations.iter().filter(|m| m.version < REBUILD).cloned().collect::<Vec<_>>().into();
    before.run(&pool).await.expect("the schema before the rebuild");
    sqlx::query("INSERT INTO users VALUES ('u', 'c', 'x', 'coordinator', '2026-01-01T00:00:00Z')")
        .execute(&pool)
        .await
        .expect("a user");
    for count in ["c1", "c2"] {
        sqlx::query(
            "INSERT INTO counts VALUES (?, 'T', '2026-10-15', '2026-10-15T20:00:00+02:00',
                '2026-10-16T20:00:00+02:00', 'live', 's', '2026-01-01T00:00:00Z', 'u')",
        )
        .bind(count)
        .execute(&pool)
        .await
        .expect("a count");
    }
    for sql in [
        "INSERT INTO invites (id, count_id, code, organisation, organisation_type, created_at, created_by)
            VALUES ('i', 'c2', 'A', 'Zorg', 'care', '2026-01-01T00:00:00Z', 'u')",
        "INSERT INTO devices (id, invite_id, count_id, token_hash, enrolled_at)
            VALUES ('d', 'i', 'c2', 'h', '2026-01-01T00:00:00Z')",
    ] {
        sqlx::query(sql).execute(&pool).await.expect("a team code and a device");
    }
    // Ids out of order and over two counts; a void record, one without a hash, a desk record.
    for (n, (id, count)) in [("r3", "c2"), ("r1", "c2"), ("r2", "c1"), ("r0", "c2")].into_iter().enumerate() {
        sqlx::query(&format!(
            "INSERT INTO records ({COLUMNS}) VALUES (?1, ?2, 'd', ?3, '2026-10-15T22:40:00+02:00', 'GM0938',
                '3.1', ?4, 'GM0363', '23-26', 'woman', 'alone', '2', '1-3m', 'eu', 'work', 'addiction',
                'detention', 'social', ?5, ?6, 0, 0, ?7, '2026-10-15T23:00:00Z', ?8, ?9, ?10, ?11, ?12, ?13)"
        ))
        .bind(id)
        .bind(count)
        .bind(n as i64 + 1)
        .bind((n != 1).then(|| format!("{n:064}")))
        .bind((n != 2).then_some(1_760_000_000_000_000_000_i64 + n as i64))
        .bind(4_242 + n as i64)
        .bind(n == 3)
        .bind((n == 0).then_some("dubbel"))
        .bind((n == 0).then_some("2026-10-16T01:00:00Z"))
        .bind((n == 0).then_some("c"))
        .bind((n != 1).then_some(vec![n as u8; 32]))
        .bind(if n == 2 { "desk" } else { "field" })
        .bind(1 + (n as i64 % 2))
        .execute(&pool)
        .await
        .expect("an old row");
    }
    let old = rows(&pool).await;
    assert_eq!(old.len(), 4);
    pool.close().await;

    let storage = Storage::open(&path).await.expect("the database, migrated");
    assert_eq!(rows(&storage.read).await, old, "every row with every value");
    let by_seq: Vec<(String, String)> = sqlx::query_as("SELECT count_id, id FROM records ORDER BY seq")
        .fetch_all(&storage.read)
        .await
        .expect("seq");
    let ids: Vec<&str> = by_seq.iter().map(|(_, id)| id.as_str()).collect();
    assert_eq!(ids, ["r2", "r0", "r1", "r3"], "stored one count after the other, in id order");
    let leading: Vec<String> =
        sqlx::query_scalar("SELECT name FROM pragma_table_info('records') ORDER BY cid LIMIT 10")
            .fetch_all(&storage.read)
            .await
            .expect("the columns");
    assert_eq!(
        leading,
        [
            "seq",
            "count_id",
            "training",
            "void_reason",
            "report_attributes_version",
            "report_attributes",
            "observed_at_ns",
            "device_id",
            "id",
            "dedup_key"
        ],
        "what the report reads of every row comes first in it (report_scan.rs)"
    );
    let plan: Vec<String> =
        sqlx::query("EXPLAIN QUERY PLAN SELECT id FROM records WHERE count_id = ? AND seq > ? ORDER BY seq")
            .bind("c2")
            .bind(0)
            .fetch_all(&storage.read)
            .await
            .expect("a plan")
            .iter()
            .map(|r| r.get::<String, _>("detail"))
            .collect();
    assert!(plan.iter().any(|d| d.contains("records_count")), "a count's rows through its index: {plan:?}");
    let duplicate = sqlx::query(&format!(
        "INSERT INTO records ({COLUMNS}) SELECT {COLUMNS} FROM records WHERE id = 'r1'"
    ))
    .execute(&storage.write)
    .await;
    assert!(
        matches!(duplicate.map_err(StoreError::from), Err(StoreError::Conflict(Conflict::Exists))),
        "an id is unique over all counts"
    );
    let fk: i64 = sqlx::query_scalar("SELECT count(*) FROM pragma_foreign_key_check")
        .fetch_one(&storage.read)
        .await
        .expect("foreign keys checked");
    assert_eq!(fk, 0);
}
