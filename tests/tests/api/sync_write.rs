//! The sync write path: the content hash that tells an exact resend (also for rows stored before
//! the hash existed), several versions of one record in one batch, and many syncs at once
//! (committed together) each answered with the statuses of the table and stored once.

use ethos_shared::record::parse_record;
use ethos_shared::sync::content_hash;
use ethos_tests::{id_of, record, spawn_app, Device, TestApp};
use serde_json::{json, Value};
use sqlx::{ConnectOptions, Connection, SqliteConnection};

async fn connect(app: &TestApp) -> SqliteConnection {
    sqlx::sqlite::SqliteConnectOptions::new()
        .filename(app.db_path())
        .busy_timeout(std::time::Duration::from_secs(10))
        .connect()
        .await
        .expect("a second connection to the test database")
}

/// The stored content hash of a record, as hex (empty when there is none).
async fn stored_hash(app: &TestApp, id: &str) -> String {
    let mut conn = connect(app).await;
    let hash: Option<String> = sqlx::query_scalar(
        "SELECT lower(hex(content_hash)) FROM records WHERE id = ? AND content_hash IS NOT NULL",
    )
    .bind(id)
    .fetch_optional(&mut conn)
    .await
    .expect("a query");
    conn.close().await.expect("closed");
    hash.unwrap_or_default()
}

fn hash_of(record: &Value) -> String {
    let record = parse_record(record).expect("a valid record");
    content_hash(&record).iter().map(|b| format!("{b:02x}")).collect()
}

fn statuses(results: &[Value]) -> Vec<(String, String)> {
    results
        .iter()
        .map(|r| {
            let error = r["errors"][0]["code"].as_str().unwrap_or_default().to_string();
            (r["status"].as_str().unwrap_or_default().to_string(), error)
        })
        .collect()
}

fn st(status: &str, error: &str) -> (String, String) {
    (status.to_string(), error.to_string())
}

/// Resend, changed content and a new revision of `r` (held at revision 1) answer as api.md says.
async fn assert_resend_paths(app: &TestApp, device: &Device, r: &Value) {
    let same_other_order: Value = serde_json::from_str(&r.to_string()).expect("JSON");
    let mut changed = r.clone();
    changed["living_situation"] = json!("2.1");
    let results = app.sync(&device.token, &[same_other_order, changed.clone()]).await;
    assert_eq!(statuses(&results), [st("unchanged", ""), st("conflict", "content_differs")]);
    changed["revision"] = json!(2);
    let results = app.sync(&device.token, std::slice::from_ref(&changed)).await;
    assert_eq!(statuses(&results), [st("updated", "")]);
    assert_eq!(stored_hash(app, &id_of(r)).await, hash_of(&changed), "the new revision's hash is stored");
    assert_eq!(statuses(&app.sync(&device.token, &[changed]).await), [st("unchanged", "")]);
}

#[tokio::test]
async fn the_content_hash_of_the_canonical_record_is_stored_and_tells_resends_from_changes() {
    let app = spawn_app().await;
    let field = app.field("live").await;
    let r = record();
    app.sync(&field.device.token, std::slice::from_ref(&r)).await;
    assert_eq!(stored_hash(&app, &id_of(&r)).await, hash_of(&r));
    assert_resend_paths(&app, &field.device, &r).await;
}

#[tokio::test]
async fn a_row_without_a_hash_is_judged_by_its_columns_and_filled_in_at_the_next_start() {
    let mut app = spawn_app().await;
    let field = app.field("live").await;
    let (a, b) = (record(), record());
    app.sync(&field.device.token, &[a.clone(), b.clone()]).await;
    // As if both rows had been stored before the hash column existed: the column is dropped and
    // its migration forgotten, so the next start adds it again, empty.
    app.stop().await;
    let mut conn = connect(&app).await;
    sqlx::query("ALTER TABLE records DROP COLUMN content_hash").execute(&mut conn).await.expect("dropped");
    sqlx::query("DELETE FROM _sqlx_migrations WHERE description LIKE '%content hash%'")
        .execute(&mut conn)
        .await
        .expect("forgotten");
    conn.close().await.expect("closed");
    app.restart().await;
    // The server fills the hashes in beside serving; wait for it.
    let mut filled = false;
    for _ in 0..100 {
        if stored_hash(&app, &id_of(&a)).await == hash_of(&a)
            && stored_hash(&app, &id_of(&b)).await == hash_of(&b)
        {
            filled = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(filled, "the hashes of the older rows are filled in at start");
    assert_resend_paths(&app, &field.device, &a).await;

    // A row whose hash is (still) missing is judged by its columns, as before the hash existed.
    let mut conn = connect(&app).await;
    sqlx::query("UPDATE records SET content_hash = NULL WHERE id = ?")
        .bind(id_of(&b))
        .execute(&mut conn)
        .await
        .expect("hash removed");
    conn.close().await.expect("closed");
    assert_resend_paths(&app, &field.device, &b).await;
}

#[tokio::test]
async fn versions_of_one_record_in_one_batch_are_judged_in_order_and_stored_as_they_end() {
    let app = spawn_app().await;
    let field = app.field("live").await;
    let r1 = record();
    let mut r2 = r1.clone();
    r2["revision"] = json!(2);
    r2["living_situation"] = json!("8.1");
    let mut r1b = r1.clone();
    r1b["living_situation"] = json!("2.1");

    let results = app.sync(&field.device.token, &[r1.clone(), r1.clone(), r2.clone(), r1b, r2.clone()]).await;

    assert_eq!(
        statuses(&results),
        [
            st("stored", ""),
            st("unchanged", ""),
            st("updated", ""),
            st("conflict", "stale_revision"),
            st("unchanged", "")
        ]
    );
    let records = app.records(&field.coordinator, &field.count_id).await;
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["revision"], 2);
    assert_eq!(records[0]["living_situation"], "8.1");
    assert_eq!(stored_hash(&app, &id_of(&r1)).await, hash_of(&r2));
    let actions = app.audit_actions(&field.coordinator, &field.count_id).await;
    assert_eq!(actions.iter().filter(|a| *a == "record.update").count(), 1);
}

#[tokio::test]
async fn many_syncs_at_once_are_each_answered_and_every_record_is_stored_once() {
    let app = spawn_app().await;
    let field = app.field("live").await;
    let mut devices = vec![field.device.clone()];
    for i in 0..11 {
        let invite = app.create_invite(&field.coordinator, &field.count_id, &format!("Team {i}")).await;
        devices.push(app.enroll(invite["code"].as_str().expect("a code")).await);
    }
    // Each device: 20 new records, a bad one, and a record that every device sends (only the
    // first to arrive stores it; the others get other_device), three rounds at once.
    let shared = record();
    let mut bad = record();
    bad["living_situation"] = json!("99.9");
    let batches: Vec<(Device, Vec<Value>)> = (0..3)
        .flat_map(|_| devices.iter().cloned())
        .map(|d| {
            let mut batch: Vec<Value> = (0..20).map(|_| record()).collect();
            batch.insert(7, bad.clone());
            batch.push(shared.clone());
            (d, batch)
        })
        .collect();
    let answers =
        futures_util::future::join_all(batches.iter().map(|(device, batch)| app.sync(&device.token, batch)))
            .await;

    let mut owner_of_shared = Vec::new();
    for ((device, batch), results) in batches.iter().zip(&answers) {
        for (sent, result) in batch.iter().zip(results) {
            assert_eq!(result["id"], sent["id"], "results in the order sent");
            let status = result["status"].as_str().expect("a status");
            if sent["id"] == shared["id"] {
                match status {
                    "stored" => owner_of_shared.push(device.id.clone()),
                    "unchanged" => {}
                    _ => assert_eq!(result["errors"][0]["code"], "other_device", "{result}"),
                }
            } else if sent["id"] == bad["id"] {
                assert_eq!(status, "rejected", "{result}");
            } else {
                assert_eq!(status, "stored", "{result}");
            }
        }
    }
    assert_eq!(owner_of_shared.len(), 1, "the shared record is stored exactly once");
    let stored = app.records(&field.coordinator, &field.count_id).await;
    assert_eq!(stored.len(), batches.len() * 20 + 1, "every new record once, the shared one once");
    let mut ids: Vec<&str> = stored.iter().map(|r| r["id"].as_str().expect("an id")).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), stored.len());
    let shared_row = stored.iter().find(|r| r["id"] == shared["id"]).expect("the shared record");
    assert_eq!(shared_row["device_id"], owner_of_shared[0].as_str());
    let actions = app.audit_actions(&field.coordinator, &field.count_id).await;
    assert_eq!(actions.iter().filter(|a| *a == "sync").count(), batches.len(), "one audit entry per sync");
}

/// A body of 300 records whose text ends in `tail` (after the records list).
fn large_body(records: &[Value], tail: &str) -> Vec<u8> {
    let list: Vec<String> = records.iter().map(Value::to_string).collect();
    format!(r#"{{"records":[{}]{tail}}}"#, list.join(",")).into_bytes()
}

#[tokio::test]
async fn a_large_body_that_does_not_decode_to_its_end_stores_none_of_its_pieces() {
    let app = spawn_app().await;
    let field = app.field("live").await;
    let records: Vec<Value> = (0..300).map(|_| record()).collect();
    // The records are good; what a value tree refuses comes after them (a lone surrogate, a
    // number out of range) or inside the last one (a member nothing reads), so the server
    // learns it only after it has handed the pieces before to the writer.
    let mut last_with_surrogate = records.clone();
    let tail = records.last().expect("a record").to_string();
    let hostile_last = format!(r#"{},"note":"\ud800"}}"#, &tail[..tail.len() - 1]);
    last_with_surrogate.pop();
    let mut body_inside = large_body(&last_with_surrogate, "");
    body_inside.truncate(body_inside.len() - 2);
    body_inside.extend(format!(",{hostile_last}]}}").into_bytes());
    for (what, body) in [
        ("a lone surrogate after the records", large_body(&records, r#","x":"\ud800""#)),
        ("a number out of range after the records", large_body(&records, r#","x":1e999"#)),
        ("a lone surrogate in a member of the last record", body_inside),
    ] {
        let reply = app.sync_raw(&field.device.token, "application/json", body).await;
        let text: String = reply.text.chars().take(300).collect();
        assert_eq!(reply.status.as_u16(), 400, "{what}: {text}");
        assert_eq!(reply.json()["code"], "invalid_json", "{what}");
    }
    assert!(app.records(&field.coordinator, &field.count_id).await.is_empty(), "nothing stored");
    let mut conn = connect(&app).await;
    let syncs: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'sync'")
        .fetch_one(&mut conn)
        .await
        .expect("a count");
    assert_eq!(syncs, 0, "nothing audited");

    // A member named as serde_json's raw-value marker: a value tree reads the record inside it,
    // as the server always did. Every record is stored once, by that reading alone.
    let marker = format!(r#"{{"$serde_json::private::RawValue":{}}}"#, Value::String(tail.clone()));
    let mut body = large_body(&records[..299], "");
    body.truncate(body.len() - 2);
    body.extend(format!(",{marker}]}}").into_bytes());
    let reply = app.sync_raw(&field.device.token, "application/json", body).await;
    assert_eq!(reply.status.as_u16(), 200, "{}", reply.text);
    let results = reply.json()["results"].as_array().cloned().expect("results");
    assert_eq!(results.len(), 300);
    assert!(results.iter().all(|r| r["status"] == "stored"), "{results:?}");
    assert_eq!(app.records(&field.coordinator, &field.count_id).await.len(), 300);
    conn.close().await.expect("closed");
}
