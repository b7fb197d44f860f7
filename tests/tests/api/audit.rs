//! The audit log of a count (`GET /api/v1/counts/{id}/audit`): every change, who and when.

use chrono::{DateTime, Utc};
use ethos_tests::{id_of, key, record, record_with_key, spawn_app, SendExt};
use serde_json::{json, Value};

#[tokio::test]
async fn every_change_to_a_count_is_in_its_audit_log_with_who_and_when() {
    // Arrange: a count taken through its life
    let app = spawn_app().await;
    let field = app.field("live").await;
    let r = record();
    let mut r2 = r.clone();
    r2["revision"] = json!(2);
    r2["living_situation"] = json!("3.1");
    app.sync(&field.device.token, std::slice::from_ref(&r)).await;
    app.sync(&field.device.token, &[r2]).await;
    let void_path = format!("/api/v1/records/{}/void", id_of(&r));
    app.post(&void_path)
        .bearer_auth(&field.coordinator)
        .json(&json!({ "reason": "x" }))
        .reply()
        .await
        .assert_status(200);
    app.delete(&void_path).bearer_auth(&field.coordinator).reply().await.assert_status(200);
    app.sync(&field.device.token, &[record_with_key(&key(1)), record_with_key(&key(1))]).await;
    app.post(&format!("/api/v1/counts/{}/duplicates/{}/resolve", field.count_id, key(1)))
        .bearer_auth(&field.coordinator)
        .json(&json!({ "decision": "different_people" }))
        .reply()
        .await
        .assert_status(200);
    app.revoke_invite(&field.coordinator, &field.invite).await;
    app.set_status(&field.coordinator, &field.count_id, "locked").await;

    // Act
    let body = app
        .get(&format!("/api/v1/counts/{}/audit", field.count_id))
        .bearer_auth(&field.coordinator)
        .reply()
        .await
        .assert_status(200);

    // Assert
    let items = body["items"].as_array().expect("items");
    let actions: Vec<&str> = items.iter().filter_map(|e| e["action"].as_str()).collect();
    for expected in [
        "count.create",
        "count.status",
        "invite.create",
        "device.enroll",
        "record.update",
        "record.void",
        "record.unvoid",
        "duplicate.resolve",
        "invite.revoke",
    ] {
        assert!(actions.contains(&expected), "{expected} in {actions:?}");
    }
    for entry in items {
        assert!(entry["actor"].as_str().is_some_and(|a| !a.is_empty()), "who: {entry}");
        entry["at"].as_str().expect("when").parse::<DateTime<Utc>>().expect("RFC 3339");
    }
    let void = items.iter().find(|e| e["action"] == "record.void").expect("record.void");
    assert!(void["actor"].as_str().unwrap_or_default().contains("coordinator"), "{void}");
}

#[tokio::test]
async fn the_audit_log_holds_no_personal_data_of_records() {
    let app = spawn_app().await;
    let field = app.field("live").await;
    let mut r = record();
    r["profile"]["residence_status"] = json!("undocumented");
    r["profile"]["previous_facility"] = json!("psychiatric_clinic");
    app.sync(&field.device.token, &[r]).await;

    let body = app
        .get(&format!("/api/v1/counts/{}/audit", field.count_id))
        .bearer_auth(&field.coordinator)
        .reply()
        .await
        .assert_status(200);

    let text = body.to_string();
    assert!(!text.contains("undocumented") && !text.contains("psychiatric_clinic"), "{text}");
}

#[tokio::test]
async fn the_audit_log_of_a_count_holds_only_that_count() {
    let app = spawn_app().await;
    let field = app.field("live").await;
    let other = app.create_count(&field.coordinator).await;

    let body = app
        .get(&format!("/api/v1/counts/{}/audit", id_of(&other)))
        .bearer_auth(&field.coordinator)
        .reply()
        .await
        .assert_status(200);

    let items = body["items"].as_array().expect("items");
    let actions: Vec<&Value> = items.iter().map(|e| &e["action"]).collect();
    assert_eq!(actions, ["count.create"], "{body}");
}

#[tokio::test]
async fn the_audit_log_of_an_unknown_count_is_not_found() {
    let app = spawn_app().await;
    let coordinator = app.coordinator().await;

    app.get(&format!("/api/v1/counts/{}/audit", uuid::Uuid::now_v7()))
        .bearer_auth(&coordinator)
        .reply()
        .await
        .assert_error(404, "not_found");
}
