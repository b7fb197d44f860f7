//! `POST /api/v1/sync`: each record's fields checked on their own, one bad record rejected
//! alone with its field errors.

use super::sync::assert_holds;
use ethos_tests::{hours_from_now, id_of, record, record_at, spawn_app};
use serde_json::{json, Value};

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
