//! Team codes and devices: create, list, revoke, enrol.

use chrono::{DateTime, Duration, SubsecRound, Utc};
use ethos_tests::{record, spawn_app, SendExt, TestApp, ORGANISATION};
use serde_json::{json, Value};
use uuid::Uuid;

async fn invite(app: &TestApp, coordinator: &str, count_id: &str, body: Value) -> ethos_tests::Reply {
    app.post(&format!("/api/v1/counts/{count_id}/invites")).bearer_auth(coordinator).json(&body).reply().await
}

async fn enroll(app: &TestApp, code: &str) -> ethos_tests::Reply {
    app.post("/api/v1/enroll").json(&json!({ "code": code })).reply().await
}

fn is_typeable_code(code: &str) -> bool {
    let parts: Vec<&str> = code.split('-').collect();
    parts.len() == 2
        && parts
            .iter()
            .all(|p| p.len() == 4 && p.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()))
}

#[tokio::test]
async fn a_coordinator_creates_a_team_code_for_an_organisation() {
    // Arrange
    let app = spawn_app().await;
    let coordinator = app.coordinator().await;
    let count_id = app.create_count(&coordinator).await["id"].as_str().expect("id").to_string();
    let expires_at = (Utc::now() + Duration::days(2)).trunc_subsecs(0);

    // Act
    let reply = invite(
        &app,
        &coordinator,
        &count_id,
        json!({ "organisation": "Leger des Heils", "organisation_type": "shelter", "expires_at": expires_at }),
    )
    .await;

    // Assert
    let body = reply.assert_status(201);
    body["id"].as_str().expect("id").parse::<Uuid>().expect("a UUID");
    let code = body["code"].as_str().expect("code");
    assert!(is_typeable_code(code), "short and easy to type, like K7PQ-2QXM: {code}");
    assert_eq!(body["organisation"], "Leger des Heils");
    assert_eq!(body["organisation_type"], "shelter");
    let got: DateTime<Utc> = body["expires_at"].as_str().expect("expires_at").parse().expect("RFC 3339");
    assert_eq!(got, expires_at);
    for key in ["id", "code", "organisation", "organisation_type", "expires_at"] {
        assert!(body.get(key).is_some(), "{key} in {body}");
    }
}

#[tokio::test]
async fn a_team_code_without_type_or_expiry_is_of_type_other_and_does_not_expire() {
    let app = spawn_app().await;
    let coordinator = app.coordinator().await;
    let count_id = app.create_count(&coordinator).await["id"].as_str().expect("id").to_string();

    let body = invite(&app, &coordinator, &count_id, json!({ "organisation": "Buurthuis" }))
        .await
        .assert_status(201);

    assert_eq!(body["organisation_type"], "other");
    assert_eq!(body["expires_at"], Value::Null);
}

#[tokio::test]
async fn every_organisation_type_of_the_contract_is_accepted() {
    let app = spawn_app().await;
    let coordinator = app.coordinator().await;
    let count_id = app.create_count(&coordinator).await["id"].as_str().expect("id").to_string();

    for kind in
        ["shelter", "outreach", "care", "municipality", "police", "justice", "housing", "community", "other"]
    {
        let body =
            invite(&app, &coordinator, &count_id, json!({ "organisation": kind, "organisation_type": kind }))
                .await
                .assert_status(201);
        assert_eq!(body["organisation_type"], kind);
    }
}

#[tokio::test]
async fn a_team_code_needs_an_organisation_and_a_known_type() {
    let app = spawn_app().await;
    let coordinator = app.coordinator().await;
    let count_id = app.create_count(&coordinator).await["id"].as_str().expect("id").to_string();

    invite(&app, &coordinator, &count_id, json!({})).await.assert_validation(&[("organisation", "missing")]);
    invite(&app, &coordinator, &count_id, json!({ "organisation": "" }))
        .await
        .assert_validation(&[("organisation", "invalid_value")]);
    invite(&app, &coordinator, &count_id, json!({ "organisation": "X", "organisation_type": "church" }))
        .await
        .assert_validation(&[("organisation_type", "invalid_value")]);
}

#[tokio::test]
async fn team_codes_are_listed_per_count() {
    // Arrange
    let app = spawn_app().await;
    let coordinator = app.coordinator().await;
    let count_id = app.create_count(&coordinator).await["id"].as_str().expect("id").to_string();
    let other_count = app.create_count(&coordinator).await["id"].as_str().expect("id").to_string();
    let a = app.create_invite(&coordinator, &count_id, "Team A").await;
    let b = app.create_invite(&coordinator, &count_id, "Team B").await;
    app.create_invite(&coordinator, &other_count, "Team C").await;

    // Act
    let body = app
        .get(&format!("/api/v1/counts/{count_id}/invites"))
        .bearer_auth(&coordinator)
        .reply()
        .await
        .assert_status(200);

    // Assert
    let items = body["items"].as_array().expect("items");
    let ids: Vec<&Value> = items.iter().map(|i| &i["id"]).collect();
    assert_eq!(ids.len(), 2, "{body}");
    assert!(ids.contains(&&a["id"]) && ids.contains(&&b["id"]), "{body}");
    for item in items {
        let created = if item["id"] == a["id"] { &a } else { &b };
        for key in ["id", "code", "organisation", "organisation_type", "expires_at"] {
            assert_eq!(item[key], created[key], "{key}");
        }
    }
}

#[tokio::test]
async fn team_codes_of_an_unknown_count_are_not_found() {
    let app = spawn_app().await;
    let coordinator = app.coordinator().await;
    let unknown = Uuid::now_v7();

    app.get(&format!("/api/v1/counts/{unknown}/invites"))
        .bearer_auth(&coordinator)
        .reply()
        .await
        .assert_error(404, "not_found");
    invite(&app, &coordinator, &unknown.to_string(), json!({ "organisation": "X" }))
        .await
        .assert_error(404, "not_found");
}

#[tokio::test]
async fn a_locked_count_gets_no_new_team_code() {
    // Arrange
    let app = spawn_app().await;
    let coordinator = app.coordinator().await;
    let count_id = app.create_count(&coordinator).await["id"].as_str().expect("id").to_string();
    app.set_status(&coordinator, &count_id, "locked").await;

    // Act
    let reply = invite(&app, &coordinator, &count_id, json!({ "organisation": "Te laat" })).await;

    // Assert
    reply.assert_error(409, "count_locked");
    let list = app.get(&format!("/api/v1/counts/{count_id}/invites")).bearer_auth(&coordinator).reply().await;
    assert_eq!(list.assert_status(200), json!({ "items": [] }), "nothing stored");
}

#[tokio::test]
async fn a_device_enrols_with_a_team_code_and_gets_its_token_count_organisation_and_secret() {
    // Arrange
    let app = spawn_app().await;
    let coordinator = app.coordinator().await;
    let count = app.create_count(&coordinator).await;
    let code = app.create_invite(&coordinator, count["id"].as_str().expect("id"), ORGANISATION).await;

    // Act
    let reply = app
        .post("/api/v1/enroll")
        .json(&json!({ "code": code["code"], "device_label": "telefoon 1" }))
        .reply()
        .await;

    // Assert
    let body = reply.assert_status(201);
    let mut keys: Vec<&str> = body.as_object().expect("object").keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(keys, ["count", "dedup_secret", "device_id", "device_token", "organisation"]);
    assert!(body["device_token"].as_str().is_some_and(|t| t.len() >= 20));
    body["device_id"].as_str().expect("device_id").parse::<Uuid>().expect("a UUID");
    assert_eq!(body["count"], count);
    assert_eq!(body["organisation"], ORGANISATION);
    assert!(body["dedup_secret"].as_str().is_some_and(|s| s.len() >= 16), "{body}");
}

#[tokio::test]
async fn enrolment_needs_no_device_label() {
    let app = spawn_app().await;
    let coordinator = app.coordinator().await;
    let count_id = app.create_count(&coordinator).await["id"].as_str().expect("id").to_string();
    let code = app.create_invite(&coordinator, &count_id, ORGANISATION).await;

    let body = enroll(&app, code["code"].as_str().expect("code")).await.assert_status(201);

    assert_eq!(body["count"]["id"], count_id.as_str());
}

#[tokio::test]
async fn a_team_code_typed_in_lower_case_without_the_dash_still_enrols() {
    let app = spawn_app().await;
    let coordinator = app.coordinator().await;
    let count_id = app.create_count(&coordinator).await["id"].as_str().expect("id").to_string();
    let code = app.create_invite(&coordinator, &count_id, ORGANISATION).await;
    let typed = code["code"].as_str().expect("code").replace('-', " ").to_lowercase();

    enroll(&app, &typed).await.assert_status(201);
}

#[tokio::test]
async fn devices_of_one_code_share_the_count_secret_and_no_other_answer_reveals_it() {
    // Arrange
    let app = spawn_app().await;
    let field = app.field("training").await;
    let second = app.enroll(field.invite["code"].as_str().expect("code")).await;
    let analyst = app.analyst().await;

    // Act
    let coordinator_views = [
        "/api/v1/counts".to_string(),
        format!("/api/v1/counts/{}", field.count_id),
        format!("/api/v1/counts/{}/invites", field.count_id),
        format!("/api/v1/counts/{}/records", field.count_id),
        format!("/api/v1/counts/{}/records.csv", field.count_id),
        format!("/api/v1/counts/{}/audit", field.count_id),
    ];
    let mut answers = Vec::new();
    for path in &coordinator_views {
        answers.push(app.get(path).bearer_auth(&field.coordinator).reply().await);
    }
    answers.push(app.get("/api/v1/counts").bearer_auth(&analyst).reply().await);
    answers.push(app.get("/api/v1/device/count").bearer_auth(&field.device.token).reply().await);
    answers.push(
        app.post("/api/v1/sync")
            .bearer_auth(&field.device.token)
            .json(&json!({ "records": [record()] }))
            .reply()
            .await,
    );
    answers.push(
        app.post(&format!("/api/v1/counts/{}/status", field.count_id))
            .bearer_auth(&field.coordinator)
            .json(&json!({ "status": "live" }))
            .reply()
            .await,
    );

    // Assert
    assert_eq!(second.dedup_secret, field.device.dedup_secret, "one secret per count");
    assert_ne!(second.id, field.device.id);
    for answer in answers {
        assert!(answer.status.is_success(), "{answer:?}");
        assert!(!answer.text.contains(&field.device.dedup_secret), "the secret leaked: {}", answer.text);
    }
}

#[tokio::test]
async fn each_count_has_its_own_secret() {
    let app = spawn_app().await;
    let field = app.field("training").await;
    let other = app.create_count(&field.coordinator).await["id"].as_str().expect("id").to_string();
    let code = app.create_invite(&field.coordinator, &other, "Team B").await;

    let device = app.enroll(code["code"].as_str().expect("code")).await;

    assert_ne!(device.dedup_secret, field.device.dedup_secret);
}

#[tokio::test]
async fn an_unknown_team_code_is_invite_invalid() {
    let app = spawn_app().await;

    enroll(&app, "AAAA-AAAA").await.assert_error(403, "invite_invalid");
}

#[tokio::test]
async fn guessing_team_codes_is_stopped_after_thirty_wrong_ones_even_for_a_right_code() {
    let app = spawn_app().await;
    let field = app.field("training").await;
    for _ in 0..30 {
        enroll(&app, "AAAA-AAAA").await.assert_error(403, "invite_invalid");
    }
    let right = field.invite["code"].as_str().expect("code").to_string();
    let reply = enroll(&app, &right).await;
    let body = reply.assert_error(429, "too_many_requests");
    let retry: u64 = reply.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((14 * 60..=15 * 60).contains(&retry), "about the 15-minute window: {retry} ({body})");
    let devices = app
        .get(&format!("/api/v1/counts/{}/devices", field.count_id))
        .bearer_auth(&field.coordinator)
        .reply()
        .await
        .assert_status(200);
    assert_eq!(devices["items"].as_array().map(Vec::len), Some(1), "only the device of `field`: {devices}");
}

#[tokio::test]
async fn a_revoked_team_code_is_invite_invalid() {
    // Arrange
    let app = spawn_app().await;
    let coordinator = app.coordinator().await;
    let count_id = app.create_count(&coordinator).await["id"].as_str().expect("id").to_string();
    let code = app.create_invite(&coordinator, &count_id, ORGANISATION).await;
    app.revoke_invite(&coordinator, &code).await;

    // Act
    let reply = enroll(&app, code["code"].as_str().expect("code")).await;

    // Assert
    reply.assert_error(403, "invite_invalid");
}

#[tokio::test]
async fn an_expired_team_code_is_invite_invalid() {
    // Arrange: a code that expires in three seconds, and a device that enrols in time
    let app = spawn_app().await;
    let coordinator = app.coordinator().await;
    let count_id = app.create_count(&coordinator).await["id"].as_str().expect("id").to_string();
    let expires_at = Utc::now() + Duration::seconds(3);
    let code =
        invite(&app, &coordinator, &count_id, json!({ "organisation": "Kort", "expires_at": expires_at }))
            .await
            .assert_status(201);
    enroll(&app, code["code"].as_str().expect("code")).await.assert_status(201);
    let left = (expires_at - Utc::now()).to_std().unwrap_or_default();
    tokio::time::sleep(left + std::time::Duration::from_millis(500)).await;

    // Act
    let reply = enroll(&app, code["code"].as_str().expect("code")).await;

    // Assert
    reply.assert_error(403, "invite_invalid");
}

#[tokio::test]
async fn a_team_code_that_expires_in_the_past_is_validation_failed() {
    let app = spawn_app().await;
    let coordinator = app.coordinator().await;
    let count_id = app.create_count(&coordinator).await["id"].as_str().expect("id").to_string();

    let reply = invite(
        &app,
        &coordinator,
        &count_id,
        json!({ "organisation": "X", "expires_at": "2020-01-01T00:00:00Z" }),
    )
    .await;

    reply.assert_validation(&[("expires_at", "invalid_value")]);
}

#[tokio::test]
async fn the_team_code_of_a_locked_count_is_invite_invalid() {
    let app = spawn_app().await;
    let coordinator = app.coordinator().await;
    let count_id = app.create_count(&coordinator).await["id"].as_str().expect("id").to_string();
    let code = app.create_invite(&coordinator, &count_id, ORGANISATION).await;
    app.set_status(&coordinator, &count_id, "locked").await;

    let reply = enroll(&app, code["code"].as_str().expect("code")).await;

    reply.assert_error(403, "invite_invalid");
}

#[tokio::test]
async fn enrolment_without_a_code_is_validation_failed() {
    let app = spawn_app().await;

    let reply = app.post("/api/v1/enroll").json(&json!({ "device_label": "x" })).reply().await;

    reply.assert_validation(&[("code", "missing")]);
}

#[tokio::test]
async fn revoking_a_team_code_answers_204_and_revokes_every_device_enrolled_with_it() {
    // Arrange
    let app = spawn_app().await;
    let field = app.field("live").await;
    let second = app.enroll(field.invite["code"].as_str().expect("code")).await;
    let other_code = app.create_invite(&field.coordinator, &field.count_id, "Ander team").await;
    let unrelated = app.enroll(other_code["code"].as_str().expect("code")).await;

    // Act
    let reply = app
        .delete(&format!("/api/v1/invites/{}", field.invite["id"].as_str().expect("id")))
        .bearer_auth(&field.coordinator)
        .reply()
        .await;

    // Assert
    assert_eq!(reply.status.as_u16(), 204, "{}", reply.text);
    assert!(reply.text.is_empty());
    for device in [&field.device, &second] {
        let sync = app
            .post("/api/v1/sync")
            .bearer_auth(&device.token)
            .json(&json!({ "records": [record()] }))
            .reply()
            .await;
        sync.assert_error(401, "device_revoked");
        app.get("/api/v1/device/count")
            .bearer_auth(&device.token)
            .reply()
            .await
            .assert_error(401, "device_revoked");
    }
    let results = app.sync(&unrelated.token, &[record()]).await;
    assert_eq!(results[0]["status"], "stored", "a device of another code goes on");
    assert_eq!(
        app.records(&field.coordinator, &field.count_id).await.len(),
        1,
        "nothing stored from revoked"
    );
}

#[tokio::test]
async fn a_revoked_team_code_stays_listed_as_revoked() {
    let app = spawn_app().await;
    let coordinator = app.coordinator().await;
    let count_id = app.create_count(&coordinator).await["id"].as_str().expect("id").to_string();
    let code = app.create_invite(&coordinator, &count_id, ORGANISATION).await;
    app.revoke_invite(&coordinator, &code).await;

    let list = app.get(&format!("/api/v1/counts/{count_id}/invites")).bearer_auth(&coordinator).reply().await;

    let items = list.assert_status(200)["items"].as_array().cloned().expect("items");
    assert_eq!(items.len(), 1);
    assert!(items[0]["revoked_at"].is_string(), "{}", items[0]);
}

#[tokio::test]
async fn revoking_an_unknown_team_code_is_not_found() {
    let app = spawn_app().await;
    let coordinator = app.coordinator().await;

    for id in [Uuid::now_v7().to_string(), "nope".to_string()] {
        app.delete(&format!("/api/v1/invites/{id}"))
            .bearer_auth(&coordinator)
            .reply()
            .await
            .assert_error(404, "not_found");
    }
}
