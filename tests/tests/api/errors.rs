//! The Errors section of api.md: every code, its status and the body shape, and that nothing of
//! a refused request is stored.

use ethos_tests::{new_count, record, spawn_app, SendExt};
use serde_json::{json, Value};

const ONE_MIB: usize = 1024 * 1024;

#[tokio::test]
async fn malformed_json_is_invalid_json_400() {
    let app = spawn_app().await;
    let field = app.field("live").await;

    for body in ["{", "{\"records\": [}", "records=1", "", "{\"records\": []} trailing"] {
        app.sync_raw(&field.device.token, "application/json", body).await.assert_error(400, "invalid_json");
    }
    let reply = app
        .post("/api/v1/counts")
        .bearer_auth(&field.coordinator)
        .header("content-type", "application/json")
        .body("{\"name\": \"x\",")
        .reply()
        .await;
    reply.assert_error(400, "invalid_json");
    let login =
        app.post("/api/v1/login").header("content-type", "application/json").body("nope").reply().await;
    login.assert_error(400, "invalid_json");
}

#[tokio::test]
async fn a_body_that_is_not_sent_as_json_is_unsupported_media_type_415() {
    let app = spawn_app().await;
    let field = app.field("live").await;
    let valid = json!({ "records": [record()] }).to_string();

    for content_type in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]
    {
        app.sync_raw(&field.device.token, content_type, valid.clone())
            .await
            .assert_error(415, "unsupported_media_type");
    }
    let no_type = app.post("/api/v1/sync").bearer_auth(&field.device.token).body(valid.clone()).reply().await;
    no_type.assert_error(415, "unsupported_media_type");
    let counts = app
        .post("/api/v1/counts")
        .bearer_auth(&field.coordinator)
        .header("content-type", "text/plain")
        .body(new_count("x").to_string())
        .reply()
        .await;
    counts.assert_error(415, "unsupported_media_type");
    assert!(app.records(&field.coordinator, &field.count_id).await.is_empty(), "nothing stored");
    app.sync_raw(&field.device.token, "application/json; charset=utf-8", valid).await.assert_status(200);
}

#[tokio::test]
async fn a_body_over_one_mib_is_payload_too_large_413_and_nothing_is_stored() {
    // Arrange: valid records padded with an ignored extra field to just over 1 MiB
    let app = spawn_app().await;
    let field = app.field("live").await;
    let mut padded = record();
    padded["padding"] = json!("x".repeat(ONE_MIB));
    let body = json!({ "records": [record(), padded] }).to_string();
    assert!(body.len() > ONE_MIB);

    // Act
    let reply = app.sync_raw(&field.device.token, "application/json", body).await;

    // Assert
    reply.assert_error(413, "payload_too_large");
    assert!(app.records(&field.coordinator, &field.count_id).await.is_empty(), "nothing stored");
}

#[tokio::test]
async fn a_body_of_exactly_one_mib_is_accepted() {
    let app = spawn_app().await;
    let field = app.field("live").await;
    let mut body = json!({ "records": [record()] }).to_string();
    body.push_str(&" ".repeat(ONE_MIB - body.len()));
    assert_eq!(body.len(), ONE_MIB);

    let reply = app.sync_raw(&field.device.token, "application/json", body).await;

    assert_eq!(reply.assert_status(200)["results"][0]["status"], "stored");
}

#[tokio::test]
async fn a_body_over_one_mib_elsewhere_is_payload_too_large_too() {
    let app = spawn_app().await;
    let coordinator = app.coordinator().await;
    let mut new = new_count("groot");
    new["padding"] = json!("x".repeat(ONE_MIB + 10));

    let reply = app.post("/api/v1/counts").bearer_auth(&coordinator).json(&new).reply().await;

    reply.assert_error(413, "payload_too_large");
    let list = app.get("/api/v1/counts").bearer_auth(&coordinator).reply().await.assert_status(200);
    assert_eq!(list, json!({ "items": [] }));
}

#[tokio::test]
async fn more_than_500_records_in_one_sync_is_payload_too_large_413_and_nothing_is_stored() {
    let app = spawn_app().await;
    let field = app.field("live").await;
    let records: Vec<Value> = (0..501).map(|_| record()).collect();
    let body = json!({ "records": records }).to_string();
    assert!(body.len() < ONE_MIB, "the count, not the size, is too large");

    let reply = app.sync_raw(&field.device.token, "application/json", body).await;

    reply.assert_error(413, "payload_too_large");
    assert!(app.records(&field.coordinator, &field.count_id).await.is_empty(), "nothing stored");
}

#[tokio::test]
async fn a_sync_body_without_a_records_list_is_validation_failed_422() {
    let app = spawn_app().await;
    let field = app.field("live").await;

    for (body, code) in [
        (json!({}), "missing"),
        (json!({ "record": [record()] }), "missing"),
        (json!({ "records": record() }), "invalid_value"),
        (json!({ "records": "[]" }), "invalid_value"),
        (json!({ "records": null }), "invalid_value"),
    ] {
        let reply = app.sync_raw(&field.device.token, "application/json", body.to_string()).await;
        let got = reply.assert_error(422, "validation_failed");
        let errors = ethos_tests::field_errors(&got["details"]["errors"]);
        assert_eq!(errors.len(), 1, "{got}");
        assert_eq!(errors[0].0, "records", "{got}");
        if body.get("records").is_none() {
            assert_eq!(errors[0].1, code, "{got}");
        }
    }
    for body in [json!([record()]), json!("records"), json!(null), json!(42)] {
        let reply = app.sync_raw(&field.device.token, "application/json", body.to_string()).await;
        reply.assert_error(422, "validation_failed");
    }
}

#[tokio::test]
async fn validation_failed_lists_each_field_with_its_code() {
    let app = spawn_app().await;
    let coordinator = app.coordinator().await;

    let reply = app
        .post("/api/v1/counts")
        .bearer_auth(&coordinator)
        .json(&json!({ "name": "x", "reference_date": "2026-10-15", "starts_at": "yesterday",
                        "ends_at": "2026-10-16T20:00:00+02:00" }))
        .reply()
        .await;

    let body = reply.assert_error(422, "validation_failed");
    let errors = body["details"]["errors"].as_array().expect("details.errors");
    assert!(!errors.is_empty());
    for e in errors {
        let obj = e.as_object().expect("{field, code}");
        assert!(obj["field"].is_string() && obj["code"].is_string(), "{e}");
    }
    assert!(errors.iter().any(|e| e["field"] == "starts_at" && e["code"] == "invalid_value"), "{body}");
}

#[tokio::test]
async fn no_unknown_or_expired_token_is_unauthorized_401() {
    let app = spawn_app().await;
    let field = app.field("live").await;

    app.get("/api/v1/counts").reply().await.assert_error(401, "unauthorized");
    app.get("/api/v1/counts").bearer_auth("not-a-real-token").reply().await.assert_error(401, "unauthorized");
    app.get("/api/v1/counts")
        .header("authorization", format!("Basic {}", field.coordinator))
        .reply()
        .await
        .assert_error(401, "unauthorized");
    app.sync_raw("forged", "application/json", json!({ "records": [] }).to_string())
        .await
        .assert_error(401, "unauthorized");
}

#[tokio::test]
async fn a_valid_token_of_the_wrong_role_is_forbidden_403() {
    let app = spawn_app().await;
    let analyst = app.analyst().await;

    let reply = app.post("/api/v1/counts").bearer_auth(&analyst).json(&new_count("x")).reply().await;

    reply.assert_error(403, "forbidden");
}

#[tokio::test]
async fn an_unknown_path_or_id_is_not_found_404() {
    let app = spawn_app().await;
    let coordinator = app.coordinator().await;

    for path in ["/api/v1/nothing-here", "/api/v1/counts/123", "/api/v1/counts/123/records"] {
        app.get(path).bearer_auth(&coordinator).reply().await.assert_error(404, "not_found");
    }
}

#[tokio::test]
async fn a_forbidden_status_change_is_invalid_transition_409() {
    let app = spawn_app().await;
    let coordinator = app.coordinator().await;
    let id = app.create_count(&coordinator).await["id"].as_str().expect("id").to_string();
    app.set_status(&coordinator, &id, "locked").await;

    let reply = app
        .post(&format!("/api/v1/counts/{id}/status"))
        .bearer_auth(&coordinator)
        .json(&json!({ "status": "live" }))
        .reply()
        .await;

    reply.assert_error(409, "invalid_transition");
}

#[tokio::test]
async fn a_new_team_code_for_a_locked_count_is_count_locked_409() {
    let app = spawn_app().await;
    let coordinator = app.coordinator().await;
    let id = app.create_count(&coordinator).await["id"].as_str().expect("id").to_string();
    app.set_status(&coordinator, &id, "live").await;
    app.set_status(&coordinator, &id, "locked").await;

    let reply = app
        .post(&format!("/api/v1/counts/{id}/invites"))
        .bearer_auth(&coordinator)
        .json(&json!({ "organisation": "Te laat" }))
        .reply()
        .await;

    reply.assert_error(409, "count_locked");
}

#[tokio::test]
async fn an_unknown_team_code_is_invite_invalid_403() {
    let app = spawn_app().await;

    let reply = app.post("/api/v1/enroll").json(&json!({ "code": "ZZZZ-ZZZZ" })).reply().await;

    reply.assert_error(403, "invite_invalid");
}

#[tokio::test]
async fn a_device_whose_code_was_revoked_is_device_revoked_401() {
    let app = spawn_app().await;
    let field = app.field("live").await;
    app.revoke_invite(&field.coordinator, &field.invite).await;

    let reply =
        app.sync_raw(&field.device.token, "application/json", json!({ "records": [] }).to_string()).await;

    reply.assert_error(401, "device_revoked");
}

#[tokio::test]
async fn too_many_failed_logins_is_too_many_requests_429() {
    let app = spawn_app().await;
    for _ in 0..5 {
        app.login("someone", "wrong").await.assert_error(401, "unauthorized");
    }

    let reply = app.login("someone", "wrong").await;

    reply.assert_error(429, "too_many_requests");
}

#[tokio::test]
async fn every_4xx_answer_has_the_error_body() {
    // Arrange: requests the router itself might refuse before any handler runs
    let app = spawn_app().await;
    let field = app.field("live").await;
    let records = field.records_path();
    let requests = vec![
        ("wrong method on counts", app.client.put(app.url("/api/v1/counts")).bearer_auth(&field.coordinator)),
        ("wrong method on sync", app.get("/api/v1/sync").bearer_auth(&field.device.token)),
        ("wrong method on login", app.get("/api/v1/login")),
        (
            "a repeated query parameter",
            app.get(&format!("{records}?limit=1&limit=2")).bearer_auth(&field.coordinator),
        ),
        ("a path that is not UTF-8", app.get("/api/v1/counts/%FF%FE").bearer_auth(&field.coordinator)),
        ("an empty bearer token", app.get("/api/v1/counts").header("authorization", "Bearer ")),
        ("a header that is not ASCII", app.get("/api/v1/counts").header("authorization", "Bearer \u{00e9}")),
    ];

    let mut problems = Vec::new();
    for (what, request) in requests {
        // Act
        let reply = request.reply().await;

        // Assert (collected, so one run lists every problem)
        let body: Option<Value> = serde_json::from_str(&reply.text).ok();
        let shaped = body.as_ref().is_some_and(|b| b["code"].is_string() && b["message"].is_string());
        if !reply.status.is_client_error() || !shaped {
            problems.push(format!("{what}: {} {:?}", reply.status, reply.text));
        }
    }
    assert!(
        problems.is_empty(),
        "{} answer(s) without the error body:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
