//! A clean stop and start on the same database loses nothing.

use ethos_tests::{id_of, key, record, record_with_key, spawn_app, SendExt};
use serde_json::{json, Value};

#[tokio::test]
async fn records_and_their_void_state_survive_a_restart() {
    // Arrange
    let mut app = spawn_app().await;
    let field = app.field("live").await;
    let (kept, voided) = (record(), record());
    app.sync(&field.device.token, &[kept.clone(), voided.clone()]).await;
    app.post(&format!("/api/v1/records/{}/void", id_of(&voided)))
        .bearer_auth(&field.coordinator)
        .json(&json!({ "reason": "dubbel" }))
        .reply()
        .await
        .assert_status(200);
    let before = app.records(&field.coordinator, &field.count_id).await;
    let csv_before = app
        .get(&format!("/api/v1/counts/{}/records.csv", field.count_id))
        .bearer_auth(&field.coordinator)
        .reply()
        .await
        .text;

    // Act
    app.restart().await;

    // Assert
    let coordinator = app.login("coordinator", ethos_tests::PASSWORD).await.assert_status(200)["token"]
        .as_str()
        .expect("token")
        .to_string();
    let after = app.records(&coordinator, &field.count_id).await;
    assert_eq!(after, before);
    let v = after.iter().find(|r| r["id"] == voided["id"]).expect("the void record stays");
    assert_eq!(v["void"]["reason"], "dubbel");
    let k = after.iter().find(|r| r["id"] == kept["id"]).expect("kept");
    assert_eq!(k["void"], Value::Null);
    let csv_after = app
        .get(&format!("/api/v1/counts/{}/records.csv", field.count_id))
        .bearer_auth(&coordinator)
        .reply()
        .await
        .text;
    assert_eq!(csv_after, csv_before);
}

#[tokio::test]
async fn sessions_and_device_tokens_survive_a_restart() {
    let mut app = spawn_app().await;
    let field = app.field("live").await;

    app.restart().await;

    app.get("/api/v1/counts").bearer_auth(&field.coordinator).reply().await.assert_status(200);
    let count =
        app.get("/api/v1/device/count").bearer_auth(&field.device.token).reply().await.assert_status(200);
    assert_eq!(count["status"], "live");
}

#[tokio::test]
async fn a_resend_after_a_restart_is_still_unchanged() {
    // Arrange: the phone did not see the answer before the server went down
    let mut app = spawn_app().await;
    let field = app.field("live").await;
    let r = record();
    app.sync(&field.device.token, std::slice::from_ref(&r)).await;

    // Act
    app.restart().await;
    let results = app.sync(&field.device.token, std::slice::from_ref(&r)).await;

    // Assert
    assert_eq!(results, [json!({ "id": id_of(&r), "status": "unchanged", "revision": 1 })]);
    assert_eq!(app.records(&field.coordinator, &field.count_id).await.len(), 1);
}

#[tokio::test]
async fn count_status_team_codes_and_duplicate_decisions_survive_a_restart() {
    // Arrange
    let mut app = spawn_app().await;
    let field = app.field("live").await;
    let (a, b) = (record_with_key(&key(1)), record_with_key(&key(1)));
    app.sync(&field.device.token, &[a.clone(), b]).await;
    let group = app
        .post(&format!("/api/v1/counts/{}/duplicates/{}/resolve", field.count_id, key(1)))
        .bearer_auth(&field.coordinator)
        .json(&json!({ "decision": "same_person", "primary_record_id": id_of(&a) }))
        .reply()
        .await
        .assert_status(200);
    app.set_status(&field.coordinator, &field.count_id, "locked").await;

    // Act
    app.restart().await;

    // Assert
    let count = app
        .get(&format!("/api/v1/counts/{}", field.count_id))
        .bearer_auth(&field.coordinator)
        .reply()
        .await
        .assert_status(200);
    assert_eq!(count["status"], "locked");
    let groups = app
        .get(&format!("/api/v1/counts/{}/duplicates", field.count_id))
        .bearer_auth(&field.coordinator)
        .reply()
        .await
        .assert_status(200);
    assert_eq!(groups["items"], json!([group]));
    let invites = app
        .get(&format!("/api/v1/counts/{}/invites", field.count_id))
        .bearer_auth(&field.coordinator)
        .reply()
        .await
        .assert_status(200);
    assert_eq!(invites["items"][0]["code"], field.invite["code"]);
}

#[tokio::test]
async fn the_server_stops_cleanly_twice_in_a_row() {
    let mut app = spawn_app().await;
    let field = app.field("live").await;
    app.sync(&field.device.token, &[record()]).await;

    app.restart().await;
    app.restart().await;

    assert_eq!(app.records(&field.coordinator, &field.count_id).await.len(), 1);
    let health = app.get("/healthz").reply().await;
    assert_eq!(health.assert_status(200), json!({ "status": "ok" }));
}
