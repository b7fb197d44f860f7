//! `POST /api/v1/sync`: every status of the sync table (stored, unchanged, updated, conflict),
//! resends and batches. Field checks are in `sync_fields.rs`, time rules, training and locking
//! in `sync_time.rs`.

use chrono::{DateTime, Utc};
use ethos_tests::{hours_from_now, id_of, record, spawn_app, SendExt};
use serde_json::{json, Value};

/// The stored record with this id, if any.
pub(crate) fn find<'a>(records: &'a [Value], id: &str) -> Option<&'a Value> {
    records.iter().find(|r| r["id"] == id)
}

/// Asserts that the stored record holds every field of the sent record.
#[track_caller]
pub(crate) fn assert_holds(stored: &Value, sent: &Value) {
    for (k, v) in sent.as_object().expect("a record") {
        assert_eq!(&stored[k], v, "field {k} of {stored}");
    }
}

#[tokio::test]
async fn a_new_valid_record_is_stored() {
    // Arrange
    let app = spawn_app().await;
    let field = app.field("live").await;
    let r = record();

    // Act
    let before = Utc::now();
    let body = app
        .post("/api/v1/sync")
        .bearer_auth(&field.device.token)
        .json(&json!({ "records": [r] }))
        .reply()
        .await
        .assert_status(200);

    // Assert
    assert_eq!(body["results"], json!([{ "id": id_of(&r), "status": "stored", "revision": 1 }]));
    let server_time: DateTime<Utc> =
        body["server_time"].as_str().expect("server_time").parse().expect("RFC 3339");
    assert!((server_time - before).num_seconds().abs() < 60, "{server_time}");
    let stored = app.records(&field.coordinator, &field.count_id).await;
    assert_eq!(stored.len(), 1);
    assert_holds(&stored[0], &r);
}

#[tokio::test]
async fn an_exact_resend_is_unchanged() {
    let app = spawn_app().await;
    let field = app.field("live").await;
    let r = record();
    app.sync(&field.device.token, std::slice::from_ref(&r)).await;
    let before = app.records(&field.coordinator, &field.count_id).await;

    let results = app.sync(&field.device.token, std::slice::from_ref(&r)).await;

    assert_eq!(results, [json!({ "id": id_of(&r), "status": "unchanged", "revision": 1 })]);
    assert_eq!(app.records(&field.coordinator, &field.count_id).await, before, "nothing changes");
}

#[tokio::test]
async fn a_resend_with_its_fields_in_another_order_and_without_the_training_flag_is_unchanged() {
    // Arrange
    let app = spawn_app().await;
    let field = app.field("live").await;
    let r = record();
    app.sync(&field.device.token, std::slice::from_ref(&r)).await;
    let mut reordered = serde_json::Map::new();
    for (k, v) in r.as_object().expect("object").iter().rev() {
        if k != "training" {
            reordered.insert(k.clone(), v.clone());
        }
    }
    let body = format!("{{\"records\":[{}]}}", Value::Object(reordered));

    // Act
    let reply = app.sync_raw(&field.device.token, "application/json", body).await;

    // Assert
    assert_eq!(reply.assert_status(200)["results"][0]["status"], "unchanged");
}

#[tokio::test]
async fn a_higher_revision_from_the_same_device_is_updated_and_replaces_the_record() {
    // Arrange
    let app = spawn_app().await;
    let field = app.field("live").await;
    let r1 = record();
    app.sync(&field.device.token, std::slice::from_ref(&r1)).await;
    let mut r2 = r1.clone();
    r2["revision"] = json!(2);
    r2["living_situation"] = json!("2.1");
    r2["profile"]["gender"] = json!("woman");

    // Act
    let results = app.sync(&field.device.token, std::slice::from_ref(&r2)).await;

    // Assert
    assert_eq!(results, [json!({ "id": id_of(&r1), "status": "updated", "revision": 2 })]);
    let stored = app.records(&field.coordinator, &field.count_id).await;
    assert_eq!(stored.len(), 1, "replaced, not added");
    assert_holds(&stored[0], &r2);
    let log = app.audit_actions(&field.coordinator, &field.count_id).await;
    assert!(log.iter().any(|a| a == "record.update"), "the replacement is audited: {log:?}");
}

#[tokio::test]
async fn a_revision_may_skip_numbers() {
    let app = spawn_app().await;
    let field = app.field("live").await;
    let r1 = record();
    app.sync(&field.device.token, std::slice::from_ref(&r1)).await;
    let mut r5 = r1.clone();
    r5["revision"] = json!(5);
    r5["living_situation"] = json!("8.1");

    let results = app.sync(&field.device.token, &[r5]).await;

    assert_eq!(results[0], json!({ "id": id_of(&r1), "status": "updated", "revision": 5 }));
}

#[tokio::test]
async fn the_same_revision_with_other_content_is_a_conflict_content_differs_and_changes_nothing() {
    let app = spawn_app().await;
    let field = app.field("live").await;
    let r1 = record();
    app.sync(&field.device.token, std::slice::from_ref(&r1)).await;
    let mut other = r1.clone();
    other["living_situation"] = json!("3.1");

    let results = app.sync(&field.device.token, &[other]).await;

    assert_eq!(
        results,
        [json!({ "id": id_of(&r1), "status": "conflict", "revision": 1,
                 "errors": [{ "field": "revision", "code": "content_differs" }] })]
    );
    assert_holds(&app.records(&field.coordinator, &field.count_id).await[0], &r1);
}

#[tokio::test]
async fn a_lower_revision_is_a_conflict_stale_revision_and_changes_nothing() {
    // Arrange
    let app = spawn_app().await;
    let field = app.field("live").await;
    let r1 = record();
    let mut r2 = r1.clone();
    r2["revision"] = json!(2);
    r2["living_situation"] = json!("2.1");
    app.sync(&field.device.token, std::slice::from_ref(&r1)).await;
    app.sync(&field.device.token, std::slice::from_ref(&r2)).await;

    // Act
    let results = app.sync(&field.device.token, std::slice::from_ref(&r1)).await;

    // Assert
    assert_eq!(
        results,
        [json!({ "id": id_of(&r1), "status": "conflict", "revision": 2,
                 "errors": [{ "field": "revision", "code": "stale_revision" }] })]
    );
    assert_holds(&app.records(&field.coordinator, &field.count_id).await[0], &r2);
}

#[tokio::test]
async fn a_record_sent_by_another_device_is_a_conflict_other_device_and_changes_nothing() {
    // Arrange
    let app = spawn_app().await;
    let field = app.field("live").await;
    let other = app.enroll(field.invite["code"].as_str().expect("code")).await;
    let r1 = record();
    app.sync(&field.device.token, std::slice::from_ref(&r1)).await;
    let mut r2 = r1.clone();
    r2["revision"] = json!(2);
    r2["living_situation"] = json!("2.1");

    for attempt in [r1.clone(), r2] {
        // Act
        let results = app.sync(&other.token, std::slice::from_ref(&attempt)).await;

        // Assert
        assert_eq!(results[0]["status"], "conflict", "{}", results[0]);
        assert_eq!(results[0]["errors"], json!([{ "field": "id", "code": "other_device" }]));
        assert_eq!(results[0]["revision"], 1, "the revision the server holds");
    }
    let stored = app.records(&field.coordinator, &field.count_id).await;
    assert_holds(&stored[0], &r1);
    assert_eq!(stored[0]["device_id"], field.device.id.as_str(), "the record belongs to the first device");
}

#[tokio::test]
async fn a_batch_of_exactly_500_records_is_accepted() {
    let app = spawn_app().await;
    let field = app.field("live").await;
    let records: Vec<Value> = (0..500).map(|_| record()).collect();

    let results = app.sync(&field.device.token, &records).await;

    assert!(results.iter().all(|r| r["status"] == "stored"));
    assert_eq!(app.records(&field.coordinator, &field.count_id).await.len(), 500);
}

#[tokio::test]
async fn an_empty_batch_gets_no_results() {
    let app = spawn_app().await;
    let field = app.field("live").await;

    let results = app.sync(&field.device.token, &[]).await;

    assert!(results.is_empty());
}

#[tokio::test]
async fn the_same_id_twice_in_one_batch_is_stored_once_then_unchanged() {
    let app = spawn_app().await;
    let field = app.field("live").await;
    let r = record();

    let results = app.sync(&field.device.token, &[r.clone(), r]).await;

    let statuses: Vec<&Value> = results.iter().map(|r| &r["status"]).collect();
    assert_eq!(statuses, ["stored", "unchanged"]);
    assert_eq!(app.records(&field.coordinator, &field.count_id).await.len(), 1);
}

#[tokio::test]
async fn records_are_attributed_to_the_organisation_of_the_code_the_device_enrolled_with() {
    let app = spawn_app().await;
    let field = app.field("live").await;
    let shelter = app.create_invite(&field.coordinator, &field.count_id, "Nachtopvang").await;
    let other = app.enroll(shelter["code"].as_str().expect("code")).await;
    let (a, b) = (record(), record());

    app.sync(&field.device.token, std::slice::from_ref(&a)).await;
    app.sync(&other.token, std::slice::from_ref(&b)).await;

    let stored = app.records(&field.coordinator, &field.count_id).await;
    let a = find(&stored, &id_of(&a)).expect("a");
    let b = find(&stored, &id_of(&b)).expect("b");
    assert_eq!(a["organisation"], ethos_tests::ORGANISATION);
    assert_eq!(a["device_id"], field.device.id.as_str());
    assert_eq!(b["organisation"], "Nachtopvang");
    assert_eq!(b["device_id"], other.id.as_str());
}

#[tokio::test]
async fn concurrent_resends_of_one_record_store_it_once() {
    // Arrange: a phone with a flaky connection fires the same batch eight times at once
    let app = spawn_app().await;
    let field = app.field("live").await;
    let r = record();
    let body = json!({ "records": [r] });

    // Act
    let tasks: Vec<_> = (0..8)
        .map(|_| tokio::spawn(app.post("/api/v1/sync").bearer_auth(&field.device.token).json(&body).reply()))
        .collect();
    let mut statuses = Vec::new();
    for task in tasks {
        let body = task.await.expect("the request task").assert_status(200);
        statuses.push(body["results"][0]["status"].as_str().unwrap_or_default().to_string());
    }

    // Assert
    statuses.sort();
    assert_eq!(
        statuses,
        ["stored", "unchanged", "unchanged", "unchanged", "unchanged", "unchanged", "unchanged", "unchanged"]
    );
    assert_eq!(app.records(&field.coordinator, &field.count_id).await.len(), 1);
}

#[tokio::test]
async fn two_devices_sending_one_new_id_at_once_leave_it_with_exactly_one_of_them() {
    // Arrange
    let app = spawn_app().await;
    let field = app.field("live").await;
    let other = app.enroll(field.invite["code"].as_str().expect("code")).await;
    let r = record();
    let body = json!({ "records": [r] });

    // Act
    let first = tokio::spawn(app.post("/api/v1/sync").bearer_auth(&field.device.token).json(&body).reply());
    let second = tokio::spawn(app.post("/api/v1/sync").bearer_auth(&other.token).json(&body).reply());
    let a = first.await.expect("task").assert_status(200)["results"][0].clone();
    let b = second.await.expect("task").assert_status(200)["results"][0].clone();

    // Assert
    let mut statuses = [a["status"].as_str().unwrap_or_default(), b["status"].as_str().unwrap_or_default()];
    statuses.sort();
    assert_eq!(statuses, ["conflict", "stored"], "{a} {b}");
    let loser = if a["status"] == "conflict" { &a } else { &b };
    assert_eq!(loser["errors"], json!([{ "field": "id", "code": "other_device" }]));
    let stored = app.records(&field.coordinator, &field.count_id).await;
    assert_eq!(stored.len(), 1);
    let winner = if a["status"] == "stored" { &field.device.id } else { &other.id };
    assert_eq!(stored[0]["device_id"], winner.as_str());
}

#[tokio::test]
async fn a_resend_is_unchanged_for_every_shape_of_record() {
    // Arrange: records in every form a phone may send them
    let app = spawn_app().await;
    let field = app.field("live").await;
    let at = hours_from_now(-1);
    let with = |pointer: &str, value: Value| {
        let mut r = record();
        *r.pointer_mut(pointer).expect("a field") = value;
        r
    };
    let mut shapes = vec![
        with("/observed_at", json!(at.with_timezone(&Utc).format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())),
        with("/observed_at", json!(at.format("%Y-%m-%dT%H:%M:%S%.6f+01:00").to_string())),
        with(
            "/observed_at",
            json!(at.with_timezone(&chrono::FixedOffset::east_opt(19800).expect("+05:30")).to_rfc3339()),
        ),
        with("/observed_at", json!(format!("{}:60+01:00", at.format("%Y-%m-%dT%H:%M")))),
        with("/profile/care_needs", json!(["physical", "addiction", "psychiatric"])),
        with("/profile/children", json!("unknown")),
        with("/origin", json!({ "kind": "abroad" })),
        with("/origin", json!({ "kind": "unknown" })),
        with("/dedup_key", json!(ethos_tests::key(99))),
        with("/training", json!(true)),
        with("/revision", json!(u32::MAX)),
    ];
    let mut no_flag = record();
    no_flag.as_object_mut().expect("object").remove("training");
    shapes.push(no_flag);
    let first = app.sync(&field.device.token, &shapes).await;
    for (r, sent) in first.iter().zip(&shapes) {
        assert_eq!(r["status"], "stored", "{r} for {sent}");
    }

    // Act
    let again = app.sync(&field.device.token, &shapes).await;

    // Assert
    for (r, sent) in again.iter().zip(&shapes) {
        assert_eq!(r["status"], "unchanged", "{r} for {sent}");
    }
    assert_eq!(app.records(&field.coordinator, &field.count_id).await.len(), shapes.len());
}
