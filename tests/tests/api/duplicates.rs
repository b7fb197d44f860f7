//! Possible duplicates: groups of counted records sharing a key, and the coordinator's decision.

use chrono::{DateTime, Utc};
use ethos_tests::{id_of, key, record_with_key, spawn_app, Field, Reply, SendExt, TestApp};
use serde_json::{json, Value};

async fn groups(app: &TestApp, field: &Field) -> Vec<Value> {
    let body = app
        .get(&format!("/api/v1/counts/{}/duplicates", field.count_id))
        .bearer_auth(&field.coordinator)
        .reply()
        .await
        .assert_status(200);
    body["items"].as_array().cloned().expect("items")
}

async fn resolve(app: &TestApp, field: &Field, key: &str, body: Value) -> Reply {
    app.post(&format!("/api/v1/counts/{}/duplicates/{key}/resolve", field.count_id))
        .bearer_auth(&field.coordinator)
        .json(&body)
        .reply()
        .await
}

fn ids_of(group: &Value) -> Vec<String> {
    let mut ids: Vec<String> = group["records"].as_array().expect("records").iter().map(id_of).collect();
    ids.sort();
    ids
}

fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids
}

#[tokio::test]
async fn counted_records_sharing_a_key_form_a_group_without_a_resolution() {
    // Arrange: two records with key 1, one with key 2, none without a key
    let app = spawn_app().await;
    let field = app.field("live").await;
    let other = app.enroll(field.invite["code"].as_str().expect("code")).await;
    let (a, b, single) = (record_with_key(&key(1)), record_with_key(&key(1)), record_with_key(&key(2)));
    app.sync(&field.device.token, &[a.clone(), single]).await;
    app.sync(&other.token, std::slice::from_ref(&b)).await;

    // Act
    let groups = groups(&app, &field).await;

    // Assert
    assert_eq!(groups.len(), 1, "{groups:?}");
    let group = &groups[0];
    assert_eq!(group["dedup_key"], key(1));
    assert_eq!(group["resolution"], Value::Null);
    assert_eq!(ids_of(group), sorted(vec![id_of(&a), id_of(&b)]));
    let stored = app.records(&field.coordinator, &field.count_id).await;
    for r in group["records"].as_array().expect("records") {
        let s = stored.iter().find(|s| s["id"] == r["id"]).expect("stored");
        for (k, v) in s.as_object().expect("object") {
            assert_eq!(&r[k], v, "a group holds StoredRecords ({k})");
        }
        assert_ne!(r.get("since_decision"), Some(&json!(true)));
    }
}

#[tokio::test]
async fn training_and_void_records_do_not_count_towards_a_group() {
    // Arrange
    let app = spawn_app().await;
    let field = app.field("live").await;
    let counted = record_with_key(&key(3));
    let mut practice = record_with_key(&key(3));
    practice["training"] = json!(true);
    let voided = record_with_key(&key(3));
    app.sync(&field.device.token, &[counted, practice, voided.clone()]).await;

    // Act
    app.post(&format!("/api/v1/records/{}/void", id_of(&voided)))
        .bearer_auth(&field.coordinator)
        .json(&json!({ "reason": "dubbel" }))
        .reply()
        .await
        .assert_status(200);

    // Assert
    assert!(groups(&app, &field).await.is_empty(), "one counted record is no group");
    app.delete(&format!("/api/v1/records/{}/void", id_of(&voided)))
        .bearer_auth(&field.coordinator)
        .reply()
        .await
        .assert_status(200);
    assert_eq!(groups(&app, &field).await.len(), 1, "undoing the void brings the group back");
}

#[tokio::test]
async fn records_stored_while_the_count_was_in_training_form_no_group() {
    let app = spawn_app().await;
    let field = app.field("training").await;
    app.sync(&field.device.token, &[record_with_key(&key(4)), record_with_key(&key(4))]).await;

    app.set_status(&field.coordinator, &field.count_id, "live").await;

    assert!(groups(&app, &field).await.is_empty());
}

#[tokio::test]
async fn resolving_as_the_same_person_with_a_primary_record_answers_the_group_with_its_resolution() {
    // Arrange
    let app = spawn_app().await;
    let field = app.field("live").await;
    let (a, b) = (record_with_key(&key(5)), record_with_key(&key(5)));
    app.sync(&field.device.token, &[a.clone(), b.clone()]).await;
    let before = Utc::now();

    // Act
    let reply =
        resolve(&app, &field, &key(5), json!({ "decision": "same_person", "primary_record_id": id_of(&b) }))
            .await;

    // Assert
    let group = reply.assert_status(200);
    assert_eq!(group["dedup_key"], key(5));
    assert_eq!(ids_of(&group), sorted(vec![id_of(&a), id_of(&b)]));
    let resolution = &group["resolution"];
    assert_eq!(resolution["decision"], "same_person");
    assert_eq!(resolution["primary_record_id"], id_of(&b).as_str());
    assert_eq!(resolution["decided_by"], "coordinator");
    let at: DateTime<Utc> = resolution["decided_at"].as_str().expect("decided_at").parse().expect("RFC 3339");
    assert!(at >= before - chrono::Duration::seconds(1));
    assert_eq!(groups(&app, &field).await, [group], "the list shows the same");
    let log = app.audit_actions(&field.coordinator, &field.count_id).await;
    assert!(log.iter().any(|a| a.starts_with("duplicate")), "the decision is audited: {log:?}");
}

#[tokio::test]
async fn resolving_as_different_people_has_no_primary_record() {
    let app = spawn_app().await;
    let field = app.field("live").await;
    app.sync(&field.device.token, &[record_with_key(&key(6)), record_with_key(&key(6))]).await;

    let group =
        resolve(&app, &field, &key(6), json!({ "decision": "different_people" })).await.assert_status(200);

    assert_eq!(group["resolution"]["decision"], "different_people");
    assert_eq!(group["resolution"]["primary_record_id"], Value::Null);
}

#[tokio::test]
async fn a_new_decision_replaces_the_old_one() {
    let app = spawn_app().await;
    let field = app.field("live").await;
    app.sync(&field.device.token, &[record_with_key(&key(7)), record_with_key(&key(7))]).await;
    resolve(&app, &field, &key(7), json!({ "decision": "different_people" })).await.assert_status(200);

    let group = resolve(&app, &field, &key(7), json!({ "decision": "same_person" })).await.assert_status(200);

    assert_eq!(group["resolution"]["decision"], "same_person");
    assert_eq!(group["resolution"]["primary_record_id"], Value::Null);
}

#[tokio::test]
async fn a_record_arriving_after_the_decision_joins_the_group_marked_since_decision() {
    // Arrange
    let app = spawn_app().await;
    let field = app.field("live").await;
    let (a, b) = (record_with_key(&key(8)), record_with_key(&key(8)));
    app.sync(&field.device.token, &[a.clone(), b.clone()]).await;
    resolve(&app, &field, &key(8), json!({ "decision": "same_person", "primary_record_id": id_of(&a) }))
        .await
        .assert_status(200);
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let late = record_with_key(&key(8));

    // Act
    app.sync(&field.device.token, std::slice::from_ref(&late)).await;

    // Assert
    let groups = groups(&app, &field).await;
    assert_eq!(groups.len(), 1);
    let group = &groups[0];
    assert_eq!(group["resolution"]["decision"], "same_person", "the decision holds for the key");
    assert_eq!(group["resolution"]["primary_record_id"], id_of(&a).as_str());
    for r in group["records"].as_array().expect("records") {
        if r["id"] == late["id"] {
            assert_eq!(r["since_decision"], true, "{r}");
        } else {
            assert_ne!(r.get("since_decision"), Some(&json!(true)), "{r}");
        }
    }
    assert_eq!(ids_of(group).len(), 3);
}

#[tokio::test]
async fn resolving_a_key_that_is_no_group_is_not_found() {
    let app = spawn_app().await;
    let field = app.field("live").await;
    app.sync(&field.device.token, &[record_with_key(&key(9))]).await;

    for k in [key(9), key(10), "not-a-key".to_string()] {
        resolve(&app, &field, &k, json!({ "decision": "different_people" }))
            .await
            .assert_error(404, "not_found");
    }
}

#[tokio::test]
async fn a_primary_record_outside_the_group_or_an_unknown_decision_is_validation_failed() {
    let app = spawn_app().await;
    let field = app.field("live").await;
    let outsider = record_with_key(&key(12));
    app.sync(&field.device.token, &[record_with_key(&key(11)), record_with_key(&key(11)), outsider.clone()])
        .await;

    resolve(
        &app,
        &field,
        &key(11),
        json!({ "decision": "same_person", "primary_record_id": id_of(&outsider) }),
    )
    .await
    .assert_validation(&[("primary_record_id", "invalid_value")]);
    resolve(&app, &field, &key(11), json!({ "decision": "maybe" }))
        .await
        .assert_validation(&[("decision", "invalid_value")]);
    resolve(&app, &field, &key(11), json!({})).await.assert_validation(&[("decision", "missing")]);
    assert_eq!(groups(&app, &field).await[0]["resolution"], Value::Null, "nothing decided");
}

#[tokio::test]
async fn duplicates_of_an_unknown_count_are_not_found() {
    let app = spawn_app().await;
    let coordinator = app.coordinator().await;

    app.get(&format!("/api/v1/counts/{}/duplicates", uuid::Uuid::now_v7()))
        .bearer_auth(&coordinator)
        .reply()
        .await
        .assert_error(404, "not_found");
}

#[tokio::test]
async fn the_coordinator_may_still_resolve_duplicates_when_the_count_is_locked() {
    let app = spawn_app().await;
    let field = app.field("live").await;
    app.sync(&field.device.token, &[record_with_key(&key(13)), record_with_key(&key(13))]).await;
    app.set_status(&field.coordinator, &field.count_id, "locked").await;

    let group =
        resolve(&app, &field, &key(13), json!({ "decision": "different_people" })).await.assert_status(200);

    assert_eq!(group["resolution"]["decision"], "different_people");
}
