//! `POST /api/v1/sync`: every status of the sync table, the time rules, training, and that each
//! record is judged on its own.

use chrono::{DateTime, Utc};
use ethos_tests::{hours_from_now, id_of, record, record_at, spawn_app, SendExt};
use serde_json::{json, Value};

/// The stored record with this id, if any.
fn find<'a>(records: &'a [Value], id: &str) -> Option<&'a Value> {
    records.iter().find(|r| r["id"] == id)
}

/// Asserts that the stored record holds every field of the sent record.
#[track_caller]
fn assert_holds(stored: &Value, sent: &Value) {
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
    let reply = app
        .post("/api/v1/sync")
        .bearer_auth(&field.device.token)
        .header("content-type", "application/json")
        .body(body)
        .reply()
        .await;

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
async fn an_invalid_record_is_rejected_with_its_field_errors_and_nothing_is_stored() {
    // Arrange
    let app = spawn_app().await;
    let field = app.field("live").await;
    let mut r = record();
    r["living_situation"] = json!("1.2");
    r["municipality"] = json!("GM0363");
    r["profile"]["gender"] = json!("male");
    r["profile"]["children"] = json!(21);
    r["profile"]["care_needs"] = json!(["none", "addiction"]);

    // Act
    let results = app.sync(&field.device.token, std::slice::from_ref(&r)).await;

    // Assert
    let result = &results[0];
    assert_eq!(result["id"], id_of(&r).as_str());
    assert_eq!(result["status"], "rejected");
    assert!(result.get("revision").is_none(), "no revision when nothing is stored: {result}");
    let mut errors = ethos_tests::field_errors(&result["errors"]);
    errors.sort();
    let mut want: Vec<(String, String)> = [
        ("living_situation", "invalid_value"),
        ("municipality", "invalid_value"),
        ("profile.gender", "invalid_value"),
        ("profile.children", "invalid_value"),
        ("profile.care_needs", "invalid_value"),
    ]
    .iter()
    .map(|(f, c)| (f.to_string(), c.to_string()))
    .collect();
    want.sort();
    assert_eq!(errors, want);
    assert!(app.records(&field.coordinator, &field.count_id).await.is_empty(), "nothing stored");
}

#[tokio::test]
async fn a_record_missing_a_field_is_rejected_as_missing() {
    let app = spawn_app().await;
    let field = app.field("live").await;

    for key in
        ["revision", "observed_at", "municipality", "living_situation", "origin", "dedup_key", "profile"]
    {
        let mut r = record();
        r.as_object_mut().expect("object").remove(key);
        let results = app.sync(&field.device.token, std::slice::from_ref(&r)).await;
        assert_eq!(
            results[0],
            json!({ "id": id_of(&r), "status": "rejected", "errors": [{ "field": key, "code": "missing" }] }),
            "{key}"
        );
    }
    let mut r = record();
    r["profile"].as_object_mut().expect("profile").remove("housing_need");
    let results = app.sync(&field.device.token, &[r]).await;
    assert_eq!(results[0]["errors"], json!([{ "field": "profile.housing_need", "code": "missing" }]));
    assert!(app.records(&field.coordinator, &field.count_id).await.is_empty(), "nothing stored");
}

#[tokio::test]
async fn required_fields_do_not_accept_unknown_but_every_profile_field_does() {
    // Arrange
    let app = spawn_app().await;
    let field = app.field("live").await;
    let mut bad = record();
    bad["municipality"] = json!("unknown");
    bad["living_situation"] = json!("unknown");
    let mut vague = record();
    vague["origin"] = json!({ "kind": "unknown" });
    for key in [
        "age_band",
        "gender",
        "household",
        "children",
        "duration",
        "residence_status",
        "income",
        "previous_facility",
        "housing_need",
    ] {
        vague["profile"][key] = json!("unknown");
    }
    vague["profile"]["care_needs"] = json!(["unknown"]);

    // Act
    let results = app.sync(&field.device.token, &[bad, vague.clone()]).await;

    // Assert
    assert_eq!(results[0]["status"], "rejected");
    let mut errors = ethos_tests::field_errors(&results[0]["errors"]);
    errors.sort();
    assert_eq!(
        errors,
        [
            ("living_situation".to_string(), "invalid_value".to_string()),
            ("municipality".to_string(), "invalid_value".to_string())
        ]
    );
    assert_eq!(results[1]["status"], "stored", "{}", results[1]);
    assert_holds(&app.records(&field.coordinator, &field.count_id).await[0], &vague);
}

#[tokio::test]
async fn a_null_duplicate_key_an_abroad_origin_and_unknown_extra_fields_are_accepted() {
    let app = spawn_app().await;
    let field = app.field("live").await;
    let mut r = record();
    r["origin"] = json!({ "kind": "abroad" });
    r["dedup_key"] = Value::Null;
    r["note"] = json!("extra fields are ignored");
    r["profile"]["children"] = json!("unknown");
    r["profile"]["care_needs"] = json!(["psychiatric", "addiction"]);

    let results = app.sync(&field.device.token, std::slice::from_ref(&r)).await;

    assert_eq!(results[0]["status"], "stored", "{}", results[0]);
    let stored = &app.records(&field.coordinator, &field.count_id).await[0];
    assert_eq!(stored["origin"], json!({ "kind": "abroad" }));
    assert_eq!(stored["dedup_key"], Value::Null);
    assert_eq!(stored["profile"]["children"], "unknown");
    assert!(stored.get("note").is_none(), "the extra field is not stored: {stored}");
}

#[tokio::test]
async fn one_bad_record_in_a_batch_does_not_block_the_others_and_results_keep_their_order() {
    // Arrange
    let app = spawn_app().await;
    let field = app.field("live").await;
    let good1 = record();
    let mut bad = record();
    bad["profile"]["income"] = json!("lottery");
    let late = record_at(hours_from_now(-20));
    let good2 = record();
    let not_a_record = json!("hello");

    // Act
    let results = app
        .sync(&field.device.token, &[good1.clone(), bad.clone(), not_a_record, late.clone(), good2.clone()])
        .await;

    // Assert
    let statuses: Vec<&Value> = results.iter().map(|r| &r["status"]).collect();
    assert_eq!(statuses, ["stored", "rejected", "rejected", "rejected", "stored"]);
    assert_eq!(results[0]["id"], id_of(&good1).as_str());
    assert_eq!(results[1]["id"], id_of(&bad).as_str());
    assert_eq!(results[3]["id"], id_of(&late).as_str());
    assert_eq!(results[4]["id"], id_of(&good2).as_str());
    let stored = app.records(&field.coordinator, &field.count_id).await;
    let mut ids: Vec<&Value> = stored.iter().map(|r| &r["id"]).collect();
    ids.sort_by_key(|v| v.as_str().unwrap_or_default().to_string());
    let mut want = vec![&good1["id"], &good2["id"]];
    want.sort_by_key(|v| v.as_str().unwrap_or_default().to_string());
    assert_eq!(ids, want, "only the good records are stored");
}

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
async fn a_record_up_to_an_hour_ahead_of_the_server_clock_is_stored() {
    let app = spawn_app().await;
    let field = app.field("live").await;
    let r = record_at(hours_from_now(1) - chrono::Duration::minutes(2));

    let results = app.sync(&field.device.token, &[r]).await;

    assert_eq!(results[0]["status"], "stored", "{}", results[0]);
}

#[tokio::test]
async fn children_run_from_0_to_20_or_unknown_and_care_needs_is_a_non_empty_list() {
    // Arrange
    let app = spawn_app().await;
    let field = app.field("live").await;
    let with = |pointer: &str, value: Value| {
        let mut r = record();
        *r.pointer_mut(pointer).expect("a field") = value;
        r
    };
    let good = [
        with("/profile/children", json!(20)),
        with("/profile/children", json!("unknown")),
        with("/profile/care_needs", json!(["none"])),
        with("/profile/care_needs", json!(["unknown"])),
        with(
            "/profile/care_needs",
            json!(["psychiatric", "addiction", "intellectual_disability", "physical"]),
        ),
    ];
    let bad = [
        with("/profile/children", json!(21)),
        with("/profile/children", json!(-1)),
        with("/profile/children", json!("2")),
        with("/profile/care_needs", json!([])),
        with("/profile/care_needs", json!(["unknown", "addiction"])),
        with("/profile/care_needs", json!(["none", "unknown"])),
        with("/profile/care_needs", json!("addiction")),
    ];

    // Act
    let good_results = app.sync(&field.device.token, &good).await;
    let bad_results = app.sync(&field.device.token, &bad).await;

    // Assert
    for (r, sent) in good_results.iter().zip(&good) {
        assert_eq!(r["status"], "stored", "{} for {}", r, sent["profile"]);
    }
    for (r, sent) in bad_results.iter().zip(&bad) {
        assert_eq!(r["status"], "rejected", "{} for {}", r, sent["profile"]);
        let errors = ethos_tests::field_errors(&r["errors"]);
        assert_eq!(errors.len(), 1, "{r}");
        assert!(errors[0].0.starts_with("profile."), "{r}");
        assert_eq!(errors[0].1, "invalid_value", "{r}");
    }
    assert_eq!(app.records(&field.coordinator, &field.count_id).await.len(), good.len());
}

#[tokio::test]
async fn an_origin_must_be_a_dutch_municipality_abroad_or_unknown() {
    let app = spawn_app().await;
    let field = app.field("live").await;
    let mut anywhere = record();
    anywhere["origin"] = json!({ "kind": "municipality", "code": "GM0363" });
    let mut nowhere = record();
    nowhere["origin"] = json!({ "kind": "municipality", "code": "GM9999" });
    let mut mars = record();
    mars["origin"] = json!({ "kind": "mars" });

    let results = app.sync(&field.device.token, &[anywhere, nowhere, mars]).await;

    assert_eq!(results[0]["status"], "stored", "any Dutch municipality: {}", results[0]);
    for r in &results[1..] {
        assert_eq!(r["status"], "rejected", "{r}");
        let errors = ethos_tests::field_errors(&r["errors"]);
        assert!(errors.iter().all(|(f, c)| f.starts_with("origin") && c == "invalid_value"), "{r}");
    }
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
