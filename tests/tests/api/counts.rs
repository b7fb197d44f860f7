//! Counts: create, list, read, and the lifecycle training → live → locked.

use ethos_tests::{new_count, spawn_app, SendExt};
use serde_json::{json, Value};
use uuid::Uuid;

#[tokio::test]
async fn a_coordinator_creates_a_count_that_starts_in_training() {
    // Arrange
    let app = spawn_app().await;
    let coordinator = app.coordinator().await;
    let new = json!({
        "name": "Nulmeting 2026",
        "reference_date": "2026-10-15",
        "starts_at": "2026-10-15T20:00:00+02:00",
        "ends_at": "2026-10-16T20:00:00+02:00"
    });

    // Act
    let reply = app.post("/api/v1/counts").bearer_auth(&coordinator).json(&new).reply().await;

    // Assert
    let count = reply.assert_status(201);
    let id: Uuid = count["id"].as_str().expect("id").parse().expect("a UUID");
    assert_eq!(
        count,
        json!({
            "id": id.to_string(),
            "name": "Nulmeting 2026",
            "reference_date": "2026-10-15",
            "starts_at": "2026-10-15T20:00:00+02:00",
            "ends_at": "2026-10-16T20:00:00+02:00",
            "status": "training"
        })
    );
}

#[tokio::test]
async fn counts_are_listed_for_coordinators_and_analysts() {
    // Arrange
    let app = spawn_app().await;
    let coordinator = app.coordinator().await;
    let analyst = app.analyst().await;
    let a = app.create_count(&coordinator).await;
    let b = app.create_count(&coordinator).await;

    for token in [&coordinator, &analyst] {
        // Act
        let body = app.get("/api/v1/counts").bearer_auth(token).reply().await.assert_status(200);

        // Assert
        let items = body["items"].as_array().expect("items");
        assert_eq!(items.len(), 2, "{body}");
        assert!(items.contains(&a) && items.contains(&b), "{body}");
    }
}

#[tokio::test]
async fn a_count_is_read_by_its_id() {
    let app = spawn_app().await;
    let coordinator = app.coordinator().await;
    let analyst = app.analyst().await;
    let count = app.create_count(&coordinator).await;
    let path = format!("/api/v1/counts/{}", count["id"].as_str().expect("id"));

    for token in [&coordinator, &analyst] {
        let body = app.get(&path).bearer_auth(token).reply().await.assert_status(200);
        assert_eq!(body, count);
    }
}

#[tokio::test]
async fn an_unknown_count_is_not_found() {
    let app = spawn_app().await;
    let coordinator = app.coordinator().await;

    for path in [format!("/api/v1/counts/{}", Uuid::now_v7()), "/api/v1/counts/not-a-uuid".to_string()] {
        app.get(&path).bearer_auth(&coordinator).reply().await.assert_error(404, "not_found");
    }
}

#[tokio::test]
async fn a_count_without_a_name_is_validation_failed() {
    let app = spawn_app().await;
    let coordinator = app.coordinator().await;
    let mut new = new_count("x");
    new.as_object_mut().expect("object").remove("name");

    let reply = app.post("/api/v1/counts").bearer_auth(&coordinator).json(&new).reply().await;

    reply.assert_validation(&[("name", "missing")]);
    let list = app.get("/api/v1/counts").bearer_auth(&coordinator).reply().await;
    assert_eq!(list.assert_status(200), json!({ "items": [] }), "nothing stored");
}

#[tokio::test]
async fn a_count_with_a_blank_name_is_validation_failed() {
    let app = spawn_app().await;
    let coordinator = app.coordinator().await;

    let reply = app.post("/api/v1/counts").bearer_auth(&coordinator).json(&new_count("   ")).reply().await;

    reply.assert_validation(&[("name", "invalid_value")]);
}

#[tokio::test]
async fn a_count_that_ends_before_it_starts_is_validation_failed() {
    let app = spawn_app().await;
    let coordinator = app.coordinator().await;
    let mut new = new_count("Achterstevoren");
    let starts = new["starts_at"].clone();
    new["starts_at"] = new["ends_at"].clone();
    new["ends_at"] = starts;

    let reply = app.post("/api/v1/counts").bearer_auth(&coordinator).json(&new).reply().await;

    reply.assert_validation(&[("ends_at", "invalid_value")]);
}

#[tokio::test]
async fn a_count_with_a_malformed_reference_date_is_validation_failed() {
    let app = spawn_app().await;
    let coordinator = app.coordinator().await;
    let mut new = new_count("Datum");
    new["reference_date"] = json!("15-10-2026");

    let reply = app.post("/api/v1/counts").bearer_auth(&coordinator).json(&new).reply().await;

    reply.assert_validation(&[("reference_date", "invalid_value")]);
}

async fn change(app: &ethos_tests::TestApp, token: &str, id: &str, status: &str) -> ethos_tests::Reply {
    app.post(&format!("/api/v1/counts/{id}/status"))
        .bearer_auth(token)
        .json(&json!({ "status": status }))
        .reply()
        .await
}

#[tokio::test]
async fn training_becomes_live_and_live_becomes_locked() {
    // Arrange
    let app = spawn_app().await;
    let coordinator = app.coordinator().await;
    let count = app.create_count(&coordinator).await;
    let id = count["id"].as_str().expect("id");

    // Act
    let live = change(&app, &coordinator, id, "live").await.assert_status(200);
    let locked = change(&app, &coordinator, id, "locked").await.assert_status(200);

    // Assert
    let mut expected = count.clone();
    expected["status"] = json!("live");
    assert_eq!(live, expected, "the updated Count");
    expected["status"] = json!("locked");
    assert_eq!(locked, expected);
    let read = app.get(&format!("/api/v1/counts/{id}")).bearer_auth(&coordinator).reply().await;
    assert_eq!(read.assert_status(200)["status"], "locked");
}

#[tokio::test]
async fn training_may_become_locked_directly() {
    let app = spawn_app().await;
    let coordinator = app.coordinator().await;
    let count = app.create_count(&coordinator).await;

    let body =
        change(&app, &coordinator, count["id"].as_str().expect("id"), "locked").await.assert_status(200);

    assert_eq!(body["status"], "locked");
}

#[tokio::test]
async fn every_other_status_change_is_an_invalid_transition_and_changes_nothing() {
    // Arrange: one count per starting status
    let app = spawn_app().await;
    let coordinator = app.coordinator().await;
    let mut at: Vec<(&str, String)> = Vec::new();
    for (status, path) in
        [("training", &[][..]), ("live", &["live"][..]), ("locked", &["live", "locked"][..])]
    {
        let id = app.create_count(&coordinator).await["id"].as_str().expect("id").to_string();
        for step in path {
            app.set_status(&coordinator, &id, step).await;
        }
        at.push((status, id));
    }
    let forbidden = [
        ("training", "training"),
        ("live", "training"),
        ("live", "live"),
        ("locked", "training"),
        ("locked", "live"),
        ("locked", "locked"),
    ];

    for (from, to) in forbidden {
        let id = &at.iter().find(|(s, _)| *s == from).expect("a count").1;

        // Act
        let reply = change(&app, &coordinator, id, to).await;

        // Assert
        let body = reply.assert_error(409, "invalid_transition");
        assert!(body["message"].as_str().is_some(), "{from} → {to}: {body}");
        let read = app.get(&format!("/api/v1/counts/{id}")).bearer_auth(&coordinator).reply().await;
        assert_eq!(read.assert_status(200)["status"], from, "{from} → {to} changed nothing");
    }
}

#[tokio::test]
async fn an_unknown_status_is_validation_failed() {
    let app = spawn_app().await;
    let coordinator = app.coordinator().await;
    let count = app.create_count(&coordinator).await;

    let reply = change(&app, &coordinator, count["id"].as_str().expect("id"), "closed").await;

    reply.assert_validation(&[("status", "invalid_value")]);
}

#[tokio::test]
async fn changing_the_status_of_an_unknown_count_is_not_found() {
    let app = spawn_app().await;
    let coordinator = app.coordinator().await;

    let reply = change(&app, &coordinator, &Uuid::now_v7().to_string(), "live").await;

    reply.assert_error(404, "not_found");
}

#[tokio::test]
async fn a_device_reads_its_own_count_and_sees_its_status_change() {
    // Arrange
    let app = spawn_app().await;
    let field = app.field("training").await;
    let own =
        |app: &ethos_tests::TestApp| app.get("/api/v1/device/count").bearer_auth(&field.device.token).reply();
    let count: Value = own(&app).await.assert_status(200);
    assert_eq!(count["id"], field.count_id.as_str());
    assert_eq!(count["status"], "training");

    // Act
    app.set_status(&field.coordinator, &field.count_id, "live").await;

    // Assert
    let read =
        app.get(&format!("/api/v1/counts/{}", field.count_id)).bearer_auth(&field.coordinator).reply().await;
    let mut expected = read.assert_status(200);
    assert_eq!(own(&app).await.assert_status(200), expected.clone());
    app.set_status(&field.coordinator, &field.count_id, "locked").await;
    expected["status"] = json!("locked");
    assert_eq!(own(&app).await.assert_status(200), expected, "a device still reads a locked count");
}
