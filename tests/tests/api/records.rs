//! The coordinator's records: keyset pages, the CSV export, void and undo.

use chrono::{DateTime, Utc};
use ethos_tests::{id_of, record, spawn_app, SendExt};
use serde_json::{json, Value};
use uuid::Uuid;

#[tokio::test]
async fn a_stored_record_is_the_record_plus_device_organisation_received_at_training_and_void() {
    // Arrange
    let app = spawn_app().await;
    let field = app.field("live").await;
    let r = record();
    let before = Utc::now();
    app.sync(&field.device.token, std::slice::from_ref(&r)).await;

    // Act
    let body =
        app.get(&field.records_path()).bearer_auth(&field.coordinator).reply().await.assert_status(200);

    // Assert
    assert_eq!(body["next_after"], Value::Null);
    let items = body["items"].as_array().expect("items");
    assert_eq!(items.len(), 1);
    let stored = &items[0];
    let mut expected = r.as_object().cloned().expect("object");
    expected.insert("device_id".into(), json!(field.device.id));
    expected.insert("organisation".into(), json!(ethos_tests::ORGANISATION));
    expected.insert("received_at".into(), stored["received_at"].clone());
    expected.insert("void".into(), Value::Null);
    assert_eq!(stored, &Value::Object(expected));
    let received: DateTime<Utc> =
        stored["received_at"].as_str().expect("received_at").parse().expect("RFC 3339");
    assert!(received >= before - chrono::Duration::seconds(1) && received <= Utc::now());
}

#[tokio::test]
async fn records_of_another_count_are_not_listed() {
    let app = spawn_app().await;
    let field = app.field("live").await;
    let other_count = app.create_count(&field.coordinator).await["id"].as_str().expect("id").to_string();
    app.sync(&field.device.token, &[record()]).await;

    let other = app.records(&field.coordinator, &other_count).await;

    assert!(other.is_empty());
}

#[tokio::test]
async fn records_of_an_unknown_count_are_not_found() {
    let app = spawn_app().await;
    let coordinator = app.coordinator().await;

    for suffix in ["records", "records.csv"] {
        app.get(&format!("/api/v1/counts/{}/{suffix}", Uuid::now_v7()))
            .bearer_auth(&coordinator)
            .reply()
            .await
            .assert_error(404, "not_found");
    }
}

#[tokio::test]
async fn records_come_in_keyset_pages_of_limit_with_next_after() {
    // Arrange: five records
    let app = spawn_app().await;
    let field = app.field("live").await;
    let records: Vec<Value> = (0..5).map(|_| record()).collect();
    app.sync(&field.device.token, &records).await;
    let all_ids: Vec<String> = records.iter().map(id_of).collect();

    // Act
    let mut pages: Vec<Vec<String>> = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let path = match &after {
            None => format!("{}?limit=2", field.records_path()),
            Some(a) => format!("{}?limit=2&after={a}", field.records_path()),
        };
        let body = app.get(&path).bearer_auth(&field.coordinator).reply().await.assert_status(200);
        let ids: Vec<String> = body["items"].as_array().expect("items").iter().map(id_of).collect();
        pages.push(ids);
        match body["next_after"].as_str() {
            Some(next) => {
                assert_eq!(Some(next), pages.last().and_then(|p| p.last()).map(String::as_str));
                after = Some(next.to_string());
            }
            None => break,
        }
        assert!(pages.len() < 10, "paging ends");
    }

    // Assert
    assert_eq!(pages.iter().map(Vec::len).collect::<Vec<_>>(), [2, 2, 1]);
    assert_eq!(pages.concat(), all_ids, "every record once, in the order stored (the order sent)");

    // An `after` that is no record of this count ends the paging instead of starting it over.
    let bogus = format!("{}?limit=2&after=00000000-0000-4000-8000-000000000000", field.records_path());
    let body = app.get(&bogus).bearer_auth(&field.coordinator).reply().await.assert_status(200);
    assert_eq!(body["items"], serde_json::json!([]));
    assert_eq!(body["next_after"], Value::Null);
}

#[tokio::test]
async fn a_page_limit_over_1000_or_below_1_is_validation_failed() {
    let app = spawn_app().await;
    let field = app.field("live").await;

    for limit in ["1001", "0", "-1", "many"] {
        let reply = app
            .get(&format!("{}?limit={limit}", field.records_path()))
            .bearer_auth(&field.coordinator)
            .reply()
            .await;
        reply.assert_validation(&[("limit", "invalid_value")]);
    }
    let ok = app
        .get(&format!("{}?limit=1000", field.records_path()))
        .bearer_auth(&field.coordinator)
        .reply()
        .await;
    ok.assert_status(200);
}

#[tokio::test]
async fn the_csv_export_has_a_header_and_one_row_per_record_with_training_and_void_marked() {
    // Arrange
    let app = spawn_app().await;
    let field = app.field("live").await;
    let mut practice = record();
    practice["training"] = json!(true);
    let mut with_key = record();
    with_key["dedup_key"] = json!(ethos_tests::key(7));
    with_key["profile"]["care_needs"] = json!(["addiction", "psychiatric"]);
    let plain = record();
    app.sync(&field.device.token, &[practice.clone(), with_key.clone(), plain.clone()]).await;
    app.post(&format!("/api/v1/records/{}/void", id_of(&plain)))
        .bearer_auth(&field.coordinator)
        .json(&json!({ "reason": "dubbel ingevoerd" }))
        .reply()
        .await
        .assert_status(200);

    // Act
    let reply = app
        .get(&format!("/api/v1/counts/{}/records.csv", field.count_id))
        .bearer_auth(&field.coordinator)
        .reply()
        .await;

    // Assert
    assert_eq!(reply.status.as_u16(), 200, "{}", reply.text);
    let content_type = reply.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert!(content_type.starts_with("text/csv"), "{content_type}");
    let lines: Vec<&str> = reply.text.lines().collect();
    assert_eq!(lines.len(), 4, "a header and three rows:\n{}", reply.text);
    let header: Vec<&str> = lines[0].split(',').collect();
    for column in [
        "id",
        "revision",
        "observed_at",
        "municipality",
        "living_situation",
        "dedup_key",
        "age_band",
        "gender",
        "children",
        "care_needs",
        "training",
        "device_id",
        "organisation",
        "received_at",
    ] {
        assert!(header.contains(&column), "column {column} in {header:?}");
    }
    let col = |name: &str| header.iter().position(|h| *h == name).expect("column");
    let row_of = |id: String| -> Vec<String> {
        let line = lines.iter().find(|l| l.starts_with(&id)).unwrap_or_else(|| panic!("a row for {id}"));
        line.split(',').map(str::to_string).collect()
    };
    let p = row_of(id_of(&practice));
    assert_eq!(p[col("training")], "true");
    assert_eq!(p[col("municipality")], "GM0935");
    assert_eq!(p[col("living_situation")], "1.1");
    assert_eq!(p[col("organisation")], ethos_tests::ORGANISATION);
    assert_eq!(p[col("device_id")], field.device.id);
    let k = row_of(id_of(&with_key));
    assert_eq!(k[col("dedup_key")], ethos_tests::key(7));
    assert_eq!(k[col("training")], "false");
    assert!(k[col("care_needs")].contains("addiction") && k[col("care_needs")].contains("psychiatric"));
    let v = row_of(id_of(&plain));
    let void_col = header.iter().position(|h| h.starts_with("void")).expect("a void column");
    assert!(v[void_col..].iter().any(|c| c.contains("dubbel ingevoerd")), "void marked: {v:?}");
    assert!(k[void_col..].iter().all(|c| !c.contains("dubbel")), "{k:?}");
}

#[tokio::test]
async fn the_csv_export_is_audited() {
    let app = spawn_app().await;
    let field = app.field("live").await;

    app.get(&format!("/api/v1/counts/{}/records.csv", field.count_id))
        .bearer_auth(&field.coordinator)
        .reply()
        .await
        .assert_status(200);

    let log = app.audit_actions(&field.coordinator, &field.count_id).await;
    assert!(log.iter().any(|a| a.contains("export")), "{log:?}");
}

async fn void(app: &ethos_tests::TestApp, token: &str, id: &str, reason: &str) -> ethos_tests::Reply {
    app.post(&format!("/api/v1/records/{id}/void"))
        .bearer_auth(token)
        .json(&json!({ "reason": reason }))
        .reply()
        .await
}

#[tokio::test]
async fn voiding_a_record_keeps_it_marks_it_void_and_audits_it() {
    // Arrange
    let app = spawn_app().await;
    let field = app.field("live").await;
    let r = record();
    app.sync(&field.device.token, std::slice::from_ref(&r)).await;
    let before = app.records(&field.coordinator, &field.count_id).await.remove(0);

    // Act
    let body = void(&app, &field.coordinator, &id_of(&r), "testinvoer").await.assert_status(200);

    // Assert
    let info = body["void"].as_object().unwrap_or_else(|| panic!("void info in {body}"));
    assert_eq!(info["reason"], "testinvoer");
    assert_eq!(info["by"], "coordinator");
    info["at"].as_str().expect("at").parse::<DateTime<Utc>>().expect("RFC 3339");
    let mut expected = before.clone();
    expected["void"] = body["void"].clone();
    assert_eq!(body, expected, "the StoredRecord, otherwise unchanged");
    let listed = app.records(&field.coordinator, &field.count_id).await;
    assert_eq!(listed, [expected], "the record stays");
    let log = app.audit_actions(&field.coordinator, &field.count_id).await;
    assert!(log.iter().any(|a| a == "record.void"), "{log:?}");
}

#[tokio::test]
async fn voiding_twice_is_harmless() {
    let app = spawn_app().await;
    let field = app.field("live").await;
    let r = record();
    app.sync(&field.device.token, std::slice::from_ref(&r)).await;
    let first = void(&app, &field.coordinator, &id_of(&r), "eerste").await.assert_status(200);

    let second = void(&app, &field.coordinator, &id_of(&r), "tweede").await.assert_status(200);

    assert!(second["void"].is_object(), "{second}");
    assert_eq!(second["void"]["at"], first["void"]["at"], "still void since the first time");
}

#[tokio::test]
async fn undoing_a_void_answers_the_record_with_void_null() {
    // Arrange
    let app = spawn_app().await;
    let field = app.field("live").await;
    let r = record();
    app.sync(&field.device.token, std::slice::from_ref(&r)).await;
    let original = app.records(&field.coordinator, &field.count_id).await.remove(0);
    void(&app, &field.coordinator, &id_of(&r), "vergissing").await.assert_status(200);

    // Act
    let body = app
        .delete(&format!("/api/v1/records/{}/void", id_of(&r)))
        .bearer_auth(&field.coordinator)
        .reply()
        .await
        .assert_status(200);

    // Assert
    assert_eq!(body, original);
    assert_eq!(app.records(&field.coordinator, &field.count_id).await, [original]);
    let log = app.audit_actions(&field.coordinator, &field.count_id).await;
    assert!(log.iter().any(|a| a == "record.unvoid"), "{log:?}");
}

#[tokio::test]
async fn the_coordinator_may_still_void_and_unvoid_when_the_count_is_locked() {
    let app = spawn_app().await;
    let field = app.field("live").await;
    let r = record();
    app.sync(&field.device.token, std::slice::from_ref(&r)).await;
    app.set_status(&field.coordinator, &field.count_id, "locked").await;

    let voided = void(&app, &field.coordinator, &id_of(&r), "na afloop").await.assert_status(200);
    let undone = app
        .delete(&format!("/api/v1/records/{}/void", id_of(&r)))
        .bearer_auth(&field.coordinator)
        .reply()
        .await
        .assert_status(200);

    assert!(voided["void"].is_object());
    assert_eq!(undone["void"], Value::Null);
}

#[tokio::test]
async fn voiding_an_unknown_record_is_not_found() {
    let app = spawn_app().await;
    let coordinator = app.coordinator().await;
    let id = Uuid::now_v7().to_string();

    void(&app, &coordinator, &id, "x").await.assert_error(404, "not_found");
    app.delete(&format!("/api/v1/records/{id}/void"))
        .bearer_auth(&coordinator)
        .reply()
        .await
        .assert_error(404, "not_found");
}

#[tokio::test]
async fn voiding_needs_a_reason() {
    let app = spawn_app().await;
    let field = app.field("live").await;
    let r = record();
    app.sync(&field.device.token, std::slice::from_ref(&r)).await;
    let path = format!("/api/v1/records/{}/void", id_of(&r));

    app.post(&path)
        .bearer_auth(&field.coordinator)
        .json(&json!({}))
        .reply()
        .await
        .assert_validation(&[("reason", "missing")]);
    void(&app, &field.coordinator, &id_of(&r), "  ").await.assert_validation(&[("reason", "invalid_value")]);
    assert_eq!(app.records(&field.coordinator, &field.count_id).await[0]["void"], Value::Null);
}
