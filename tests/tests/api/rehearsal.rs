//! A count in training is a rehearsal: its dashboard, duplicate review and report show its
//! training records, marked `"training": true`; decisions on them are kept apart and dropped
//! when the count goes live, which starts from zero.

use ethos_tests::{key, record_with_key, spawn_app, Field, SendExt, TestApp};
use serde_json::{json, Value};

async fn get(app: &TestApp, field: &Field, path: &str) -> Value {
    app.get(&format!("/api/v1/counts/{}/{path}", field.count_id))
        .bearer_auth(&field.coordinator)
        .reply()
        .await
        .assert_status(200)
}

/// Three training records, two sharing key 1, decided "different people": three persons.
async fn rehearsed(app: &TestApp) -> Field {
    let field = app.field("training").await;
    let (a, b, c) = (record_with_key(&key(1)), record_with_key(&key(1)), record_with_key(&key(2)));
    app.sync(&field.device.token, &[a, b, c]).await;
    app.post(&format!("/api/v1/counts/{}/duplicates/{}/resolve", field.count_id, key(1)))
        .bearer_auth(&field.coordinator)
        .json(&json!({ "decision": "different_people" }))
        .reply()
        .await
        .assert_status(200);
    field
}

#[tokio::test]
async fn a_count_in_training_reviews_and_reports_its_training_records() {
    let app = spawn_app().await;
    let field = rehearsed(&app).await;

    let review = get(&app, &field, "duplicates").await;
    let report = get(&app, &field, "report?disclosure=internal").await;
    let dashboard = get(&app, &field, "dashboard").await;

    assert_eq!(review["training"], true);
    assert_eq!(review["items"][0]["dedup_key"], key(1));
    assert_eq!(review["items"][0]["resolution"]["decision"], "different_people");
    assert_eq!(report["training"], true);
    assert_eq!(report["persons_total"], 3, "the rehearsal's decision counts: the pair is two people");
    assert_eq!(report["records_counted"], 3);
    let by_group = report["tables"].as_array().expect("tables").iter().find(|t| t["id"] == "by_count_group");
    assert_eq!(by_group.expect("by_count_group")["total"], 3);
    assert_eq!(dashboard["training"], true);
    assert_eq!(dashboard["persons_total"], 3);
    assert_eq!(dashboard["records_counted"], 3);
    assert_eq!(dashboard["by_municipality"], json!([{ "municipality": "GM0935", "records": 3 }]));
    let log = app.audit_actions(&field.coordinator, &field.count_id).await;
    assert!(log.contains(&"duplicate.resolve".to_string()), "the rehearsal's decision is audited: {log:?}");
}

#[tokio::test]
async fn a_table_of_training_records_is_marked_oefendata_after_the_bom() {
    let app = spawn_app().await;
    let field = rehearsed(&app).await;

    let response = app
        .get(&format!(
            "/api/v1/counts/{}/report.csv?table=by_count_group&disclosure=internal&sep=semicolon",
            field.count_id
        ))
        .bearer_auth(&field.coordinator)
        .send()
        .await
        .expect("an answer");
    let disposition =
        response.headers().get("content-disposition").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let bytes = response.bytes().await.expect("a body");

    assert!(bytes.starts_with("\u{feff}OEFENDATA".as_bytes()), "{:?}", String::from_utf8_lossy(&bytes[..40]));
    assert!(disposition.contains("oefendata-by_count_group"), "{disposition}");
    let text = String::from_utf8_lossy(&bytes);
    assert!(
        text.lines().nth(1).is_some_and(|l| l.starts_with("count_group;count_group_naam;persons")),
        "{text}"
    );
}

#[tokio::test]
async fn going_live_starts_from_zero_and_drops_the_rehearsals_decisions() {
    // Arrange
    let app = spawn_app().await;
    let field = rehearsed(&app).await;

    // Act
    app.set_status(&field.coordinator, &field.count_id, "live").await;
    let (c, d) = (record_with_key(&key(1)), record_with_key(&key(1)));
    app.sync(&field.device.token, &[c, d]).await;

    // Assert: the live pair of the same key is undecided; the training records are in no figure
    let review = get(&app, &field, "duplicates").await;
    assert_eq!(review["training"], false);
    assert_eq!(review["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(review["items"][0]["records"].as_array().map(Vec::len), Some(2), "only the live records");
    assert_eq!(review["items"][0]["resolution"], Value::Null, "the rehearsal's decision is gone");
    let report = get(&app, &field, "report?disclosure=internal").await;
    assert_eq!(report["training"], false);
    // The live pair is one person (undecided), not two as the rehearsal decided.
    assert_eq!((report["persons_total"].clone(), report["records_training"].clone()), (json!(1), json!(3)));
    let dashboard = get(&app, &field, "dashboard").await;
    assert_eq!(
        (dashboard["training"].clone(), dashboard["records_counted"].clone()),
        (json!(false), json!(2))
    );
}

#[tokio::test]
async fn a_count_locked_from_training_reports_nothing() {
    let app = spawn_app().await;
    let field = rehearsed(&app).await;

    app.set_status(&field.coordinator, &field.count_id, "locked").await;

    let report = get(&app, &field, "report?disclosure=internal").await;
    assert_eq!((report["training"].clone(), report["persons_total"].clone()), (json!(false), json!(0)));
    assert_eq!(get(&app, &field, "duplicates").await["items"], json!([]));
}
