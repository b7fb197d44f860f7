//! `POST /api/v1/sync`: the time rules (the count's window, the server's clock), training, and
//! a locked count.

use super::sync::{assert_holds, find};
use chrono::DateTime;
use ethos_tests::{hours_from_now, id_of, record, record_at, spawn_app, SendExt};
use serde_json::{json, Value};

#[tokio::test]
async fn a_live_record_outside_the_window_is_rejected_outside_window() {
    // Arrange: the window runs from 12 hours ago; one hour of tolerance
    let app = spawn_app().await;
    let field = app.field("live").await;
    let r = record_at(hours_from_now(-14));

    // Act
    let results = app.sync(&field.device.token, std::slice::from_ref(&r)).await;

    // Assert
    assert_eq!(
        results[0],
        json!({ "id": id_of(&r), "status": "rejected",
                "errors": [{ "field": "observed_at", "code": "outside_window" }] })
    );
    assert!(app.records(&field.coordinator, &field.count_id).await.is_empty());
}

#[tokio::test]
async fn a_live_record_within_an_hour_before_the_window_is_stored() {
    let app = spawn_app().await;
    let field = app.field("live").await;
    let count =
        app.get("/api/v1/device/count").bearer_auth(&field.device.token).reply().await.assert_status(200);
    let starts: DateTime<chrono::FixedOffset> =
        DateTime::parse_from_rfc3339(count["starts_at"].as_str().expect("starts_at")).expect("RFC 3339");
    let r = record_at(starts - chrono::Duration::minutes(59));

    let results = app.sync(&field.device.token, &[r]).await;

    assert_eq!(results[0]["status"], "stored", "{}", results[0]);
}

#[tokio::test]
async fn a_record_more_than_an_hour_ahead_of_the_server_is_rejected_in_future() {
    let app = spawn_app().await;
    let field = app.field("live").await;
    let r = record_at(hours_from_now(2));

    let results = app.sync(&field.device.token, std::slice::from_ref(&r)).await;

    assert_eq!(
        results[0],
        json!({ "id": id_of(&r), "status": "rejected",
                "errors": [{ "field": "observed_at", "code": "in_future" }] })
    );
    assert!(app.records(&field.coordinator, &field.count_id).await.is_empty());
}

#[tokio::test]
async fn a_training_record_in_the_future_is_rejected_in_future_too() {
    let app = spawn_app().await;
    let field = app.field("training").await;
    let r = record_at(hours_from_now(3));

    let results = app.sync(&field.device.token, &[r]).await;

    assert_eq!(results[0]["errors"], json!([{ "field": "observed_at", "code": "in_future" }]));
}

#[tokio::test]
async fn records_sent_while_the_count_is_in_training_are_stored_as_training_and_stay_so() {
    // Arrange
    let app = spawn_app().await;
    let field = app.field("training").await;
    let practice = record_at(hours_from_now(-48));
    let r = record();

    // Act
    let results = app.sync(&field.device.token, &[practice.clone(), r.clone()]).await;
    app.set_status(&field.coordinator, &field.count_id, "live").await;
    let mut revised = r.clone();
    revised["revision"] = json!(2);
    revised["living_situation"] = json!("2.1");
    let after_live = app.sync(&field.device.token, &[revised]).await;

    // Assert
    assert_eq!(results[0]["status"], "stored", "training records may lie outside the window");
    assert_eq!(results[1]["status"], "stored");
    assert_eq!(after_live[0]["status"], "updated");
    let stored = app.records(&field.coordinator, &field.count_id).await;
    assert_eq!(stored.len(), 2);
    for s in &stored {
        assert_eq!(s["training"], true, "{s}");
    }
}

#[tokio::test]
async fn a_record_that_says_training_on_a_live_count_is_stored_as_training() {
    let app = spawn_app().await;
    let field = app.field("live").await;
    let mut practice = record_at(hours_from_now(-72));
    practice["training"] = json!(true);
    let mut real = record();
    real.as_object_mut().expect("object").remove("training");

    let results = app.sync(&field.device.token, &[practice.clone(), real.clone()]).await;

    assert_eq!(results[0]["status"], "stored", "practice may lie before the window: {}", results[0]);
    assert_eq!(results[1]["status"], "stored");
    let stored = app.records(&field.coordinator, &field.count_id).await;
    let find_training = |r: &Value| find(&stored, &id_of(r)).expect("stored")["training"].clone();
    assert_eq!(find_training(&practice), true);
    assert_eq!(find_training(&real), false, "a record without the flag is not training");
}

#[tokio::test]
async fn a_locked_count_rejects_new_records_and_revisions_with_count_locked() {
    // Arrange
    let app = spawn_app().await;
    let field = app.field("live").await;
    let held = record();
    app.sync(&field.device.token, std::slice::from_ref(&held)).await;
    app.set_status(&field.coordinator, &field.count_id, "locked").await;
    let new = record();
    let mut revised = held.clone();
    revised["revision"] = json!(2);
    revised["living_situation"] = json!("2.1");

    // Act
    let results = app.sync(&field.device.token, &[new.clone(), revised]).await;

    // Assert
    assert_eq!(
        results[0],
        json!({ "id": id_of(&new), "status": "rejected", "errors": [{ "field": "count", "code": "count_locked" }] })
    );
    assert_eq!(results[1]["status"], "rejected");
    assert_eq!(results[1]["errors"], json!([{ "field": "count", "code": "count_locked" }]));
    let stored = app.records(&field.coordinator, &field.count_id).await;
    assert_eq!(stored.len(), 1, "nothing new stored");
    assert_holds(&stored[0], &held);
}

#[tokio::test]
async fn a_locked_count_still_answers_unchanged_to_an_exact_resend() {
    let app = spawn_app().await;
    let field = app.field("live").await;
    let held = record();
    app.sync(&field.device.token, std::slice::from_ref(&held)).await;
    app.set_status(&field.coordinator, &field.count_id, "locked").await;

    let results = app.sync(&field.device.token, std::slice::from_ref(&held)).await;

    assert_eq!(results, [json!({ "id": id_of(&held), "status": "unchanged", "revision": 1 })]);
}

#[tokio::test]
async fn a_record_up_to_an_hour_ahead_of_the_server_clock_is_stored() {
    let app = spawn_app().await;
    let field = app.field("live").await;
    let r = record_at(hours_from_now(1) - chrono::Duration::minutes(2));

    let results = app.sync(&field.device.token, &[r]).await;

    assert_eq!(results[0]["status"], "stored", "{}", results[0]);
}
