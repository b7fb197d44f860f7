//! Who may call what: coordinator, analyst, device, revoked device and no token, for every
//! endpoint of the contract.

use ethos_tests::{id_of, key, record, record_with_key, spawn_app, Reply, SendExt, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

/// Who asks.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Who {
    Coordinator,
    Analyst,
    Device,
    RevokedDevice,
    Nobody,
}

/// Everything the calls need: a live count with a device, a record, a duplicate group, and a
/// revoked device.
struct World {
    coordinator: String,
    analyst: String,
    device: String,
    revoked: String,
    count_id: String,
    record_id: String,
    dup_key: String,
}

async fn world(app: &TestApp) -> World {
    let field = app.field("live").await;
    let analyst = app.analyst().await;
    let r = record();
    app.sync(&field.device.token, &[r.clone(), record_with_key(&key(1)), record_with_key(&key(1))]).await;
    let doomed = app.create_invite(&field.coordinator, &field.count_id, "Ingetrokken").await;
    let revoked = app.enroll(doomed["code"].as_str().expect("code")).await;
    app.revoke_invite(&field.coordinator, &doomed).await;
    World {
        coordinator: field.coordinator,
        analyst,
        device: field.device.token,
        revoked: revoked.token,
        count_id: field.count_id,
        record_id: id_of(&r),
        dup_key: key(1),
    }
}

impl World {
    fn token(&self, who: Who) -> Option<&str> {
        match who {
            Who::Coordinator => Some(&self.coordinator),
            Who::Analyst => Some(&self.analyst),
            Who::Device => Some(&self.device),
            Who::RevokedDevice => Some(&self.revoked),
            Who::Nobody => None,
        }
    }
}

async fn call(app: &TestApp, method: Method, path: &str, token: Option<&str>, body: Option<Value>) -> Reply {
    let mut req = app.client.request(method, app.url(path));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    req.reply().await
}

/// What each kind of caller gets, checked for one endpoint: `ok` is the success status for
/// those allowed; everyone else gets the error of api.md.
async fn check(
    app: &TestApp,
    w: &World,
    allowed: &[Who],
    method: Method,
    path: &str,
    body: Option<Value>,
    ok: u16,
) {
    for who in [Who::Analyst, Who::Device, Who::RevokedDevice, Who::Nobody, Who::Coordinator] {
        let reply = call(app, method.clone(), path, w.token(who), body.clone()).await;
        let context = format!("{method} {path} as {who:?}");
        if allowed.contains(&who) {
            assert_eq!(reply.status.as_u16(), ok, "{context}: {}", reply.text);
            continue;
        }
        let (status, code) = match who {
            Who::Nobody => (401, "unauthorized"),
            Who::RevokedDevice => (401, "device_revoked"),
            _ => (403, "forbidden"),
        };
        assert_eq!(reply.status.as_u16(), status, "{context}: {}", reply.text);
        let body: Value =
            serde_json::from_str(&reply.text).unwrap_or_else(|_| panic!("{context}: {}", reply.text));
        ethos_tests::assert_error_shape(&body);
        assert_eq!(body["code"], code, "{context}");
    }
}

const USERS: &[Who] = &[Who::Coordinator, Who::Analyst];
const COORDINATOR: &[Who] = &[Who::Coordinator];
const DEVICE: &[Who] = &[Who::Device];

#[tokio::test]
async fn counts_are_created_only_by_a_coordinator() {
    let app = spawn_app().await;
    let w = world(&app).await;

    check(&app, &w, COORDINATOR, Method::POST, "/api/v1/counts", Some(ethos_tests::new_count("N")), 201)
        .await;
}

#[tokio::test]
async fn counts_are_listed_and_read_by_coordinators_and_analysts_only() {
    let app = spawn_app().await;
    let w = world(&app).await;

    check(&app, &w, USERS, Method::GET, "/api/v1/counts", None, 200).await;
    check(&app, &w, USERS, Method::GET, &format!("/api/v1/counts/{}", w.count_id), None, 200).await;
}

#[tokio::test]
async fn only_a_coordinator_changes_a_count_status() {
    // A fresh count in training per allowed caller: training → live is allowed once.
    let app = spawn_app().await;
    let w = world(&app).await;
    let fresh = app.create_count(&w.coordinator).await;

    let path = format!("/api/v1/counts/{}/status", id_of(&fresh));
    check(&app, &w, COORDINATOR, Method::POST, &path, Some(json!({ "status": "live" })), 200).await;
}

#[tokio::test]
async fn only_a_coordinator_creates_lists_and_revokes_team_codes() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let invites = format!("/api/v1/counts/{}/invites", w.count_id);
    let spare = app.create_invite(&w.coordinator, &w.count_id, "Reserve").await;

    check(&app, &w, COORDINATOR, Method::POST, &invites, Some(json!({ "organisation": "GGD" })), 201).await;
    check(&app, &w, COORDINATOR, Method::GET, &invites, None, 200).await;
    check(&app, &w, COORDINATOR, Method::DELETE, &format!("/api/v1/invites/{}", id_of(&spare)), None, 204)
        .await;
}

#[tokio::test]
async fn only_a_device_reads_its_own_count_and_syncs() {
    let app = spawn_app().await;
    let w = world(&app).await;

    check(&app, &w, DEVICE, Method::GET, "/api/v1/device/count", None, 200).await;
    check(&app, &w, DEVICE, Method::POST, "/api/v1/sync", Some(json!({ "records": [record()] })), 200).await;
}

#[tokio::test]
async fn only_a_coordinator_sees_records_and_their_csv() {
    let app = spawn_app().await;
    let w = world(&app).await;

    check(&app, &w, COORDINATOR, Method::GET, &format!("/api/v1/counts/{}/records", w.count_id), None, 200)
        .await;
    check(
        &app,
        &w,
        COORDINATOR,
        Method::GET,
        &format!("/api/v1/counts/{}/records.csv", w.count_id),
        None,
        200,
    )
    .await;
}

#[tokio::test]
async fn only_a_coordinator_voids_and_unvoids_a_record() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let path = format!("/api/v1/records/{}/void", w.record_id);

    check(&app, &w, COORDINATOR, Method::POST, &path, Some(json!({ "reason": "test" })), 200).await;
    check(&app, &w, COORDINATOR, Method::DELETE, &path, None, 200).await;
}

#[tokio::test]
async fn only_a_coordinator_lists_and_resolves_duplicates() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let list = format!("/api/v1/counts/{}/duplicates", w.count_id);
    let resolve = format!("/api/v1/counts/{}/duplicates/{}/resolve", w.count_id, w.dup_key);

    check(&app, &w, COORDINATOR, Method::GET, &list, None, 200).await;
    check(
        &app,
        &w,
        COORDINATOR,
        Method::POST,
        &resolve,
        Some(json!({ "decision": "different_people" })),
        200,
    )
    .await;
}

#[tokio::test]
async fn only_a_coordinator_reads_the_audit_log() {
    let app = spawn_app().await;
    let w = world(&app).await;

    check(&app, &w, COORDINATOR, Method::GET, &format!("/api/v1/counts/{}/audit", w.count_id), None, 200)
        .await;
}

#[tokio::test]
async fn logout_is_for_coordinators_and_analysts() {
    // Logging out ends the session, so the allowed callers are checked last and separately.
    let app = spawn_app().await;
    let w = world(&app).await;
    for who in [Who::Device, Who::RevokedDevice, Who::Nobody] {
        let reply = call(&app, Method::POST, "/api/v1/logout", w.token(who), None).await;
        match who {
            Who::Device => reply.assert_error(403, "forbidden"),
            Who::RevokedDevice => reply.assert_error(401, "device_revoked"),
            _ => reply.assert_error(401, "unauthorized"),
        };
    }

    for who in [Who::Coordinator, Who::Analyst] {
        let reply = call(&app, Method::POST, "/api/v1/logout", w.token(who), None).await;
        assert_eq!(reply.status.as_u16(), 204, "{who:?}: {}", reply.text);
    }
}

#[tokio::test]
async fn login_enrolment_and_health_need_no_token() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let code = app.create_invite(&w.coordinator, &w.count_id, "Open").await;

    app.login("coordinator", ethos_tests::PASSWORD).await.assert_status(200);
    app.post("/api/v1/enroll").json(&json!({ "code": code["code"] })).reply().await.assert_status(201);
    let health = app.get("/healthz").reply().await;
    assert_eq!(health.assert_status(200), json!({ "status": "ok" }));
}

#[tokio::test]
async fn a_device_of_one_count_cannot_touch_the_records_of_another() {
    // Arrange: two counts, a device each; device B tries to overwrite a record of device A
    let app = spawn_app().await;
    let field = app.field("live").await;
    let other_count = app.create_count(&field.coordinator).await;
    let other_id = id_of(&other_count);
    app.set_status(&field.coordinator, &other_id, "live").await;
    let code = app.create_invite(&field.coordinator, &other_id, "Elders").await;
    let stranger = app.enroll(code["code"].as_str().expect("code")).await;
    let r = record();
    app.sync(&field.device.token, std::slice::from_ref(&r)).await;
    let mut hijack = r.clone();
    hijack["revision"] = json!(2);

    // Act
    let results = app.sync(&stranger.token, &[hijack]).await;

    // Assert
    assert_eq!(results[0]["status"], "conflict");
    assert_eq!(results[0]["errors"], json!([{ "field": "id", "code": "other_device" }]));
    assert_eq!(app.records(&field.coordinator, &field.count_id).await[0]["revision"], 1);
    assert!(app.records(&field.coordinator, &other_id).await.is_empty());
}
