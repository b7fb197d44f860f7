//! `entry` (api.md "Sync"): how a record was made, `field` when absent; part of the record's
//! content, returned with the stored record and in `records.csv`, and counted per organisation
//! in the report's data-quality section.

use ethos_tests::{id_of, record, spawn_app, SendExt, TestApp};
use serde_json::{json, Value};

fn made(entry: Option<&str>) -> Value {
    let mut r = record();
    if let Some(entry) = entry {
        r["entry"] = json!(entry);
    }
    r
}

fn statuses(results: &[Value]) -> Vec<&str> {
    results.iter().map(|r| r["status"].as_str().unwrap_or_default()).collect()
}

#[tokio::test]
async fn entry_goes_through_sync_the_stored_record_and_records_csv() {
    // Arrange
    let app = spawn_app().await;
    let field = app.field("live").await;
    let (phone, desk, sheet) = (made(None), made(Some("desk")), made(Some("sheet")));

    // Act
    let results = app.sync(&field.device.token, &[phone.clone(), desk.clone(), sheet.clone()]).await;

    // Assert
    assert_eq!(statuses(&results), ["stored"; 3]);
    let stored = app.records(&field.coordinator, &field.count_id).await;
    let entry_of = |r: &Value| {
        let s = stored.iter().find(|s| s["id"] == r["id"]).expect("stored");
        s.get("entry").cloned()
    };
    assert_eq!(entry_of(&phone), None, "field is left out, as absent means field");
    assert_eq!(entry_of(&desk), Some(json!("desk")));
    assert_eq!(entry_of(&sheet), Some(json!("sheet")));
    let csv = app
        .get(&format!("/api/v1/counts/{}/records.csv", field.count_id))
        .bearer_auth(&field.coordinator)
        .reply()
        .await;
    assert_eq!(csv.status.as_u16(), 200, "{}", csv.text);
    let lines: Vec<&str> = csv.text.lines().collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    let col = header.iter().position(|h| *h == "entry").expect("an entry column");
    assert_eq!(header[col - 1], "training");
    assert_eq!(header[col + 1], "device_id");
    for (r, want) in [(&phone, "field"), (&desk, "desk"), (&sheet, "sheet")] {
        let line = lines.iter().find(|l| l.starts_with(&id_of(r))).expect("a row");
        assert_eq!(line.split(',').nth(col), Some(want), "{line}");
    }
}

#[tokio::test]
async fn resends_go_through_the_content_hash_with_and_without_entry() {
    let app = spawn_app().await;
    let field = app.field("live").await;
    let (phone, desk) = (made(None), made(Some("desk")));
    let token = &field.device.token;
    assert_eq!(statuses(&app.sync(token, &[phone.clone(), desk.clone()]).await), ["stored"; 2]);

    // Exact resends, also with `entry: "field"` spelled out (the same content) and keys reordered.
    let mut phone_explicit = phone.clone();
    phone_explicit["entry"] = json!("field");
    let reordered: Value =
        serde_json::from_str(&serde_json::to_string_pretty(&desk).expect("json")).expect("json");
    let results = app.sync(token, &[phone.clone(), phone_explicit, reordered]).await;
    assert_eq!(statuses(&results), ["unchanged"; 3]);

    // Changed content under the same revision: `entry` alone is a change.
    let mut phone_as_desk = phone.clone();
    phone_as_desk["entry"] = json!("desk");
    let mut desk_as_field = desk.clone();
    desk_as_field.as_object_mut().expect("object").remove("entry");
    let results = app.sync(token, &[phone_as_desk.clone(), desk_as_field]).await;
    assert_eq!(statuses(&results), ["conflict"; 2]);
    for r in &results {
        assert_eq!(r["errors"][0]["code"], "content_differs", "{r}");
    }

    // A new revision may change it.
    phone_as_desk["revision"] = json!(2);
    assert_eq!(statuses(&app.sync(token, std::slice::from_ref(&phone_as_desk)).await), ["updated"]);
    let stored = app.records(&field.coordinator, &field.count_id).await;
    let updated = stored.iter().find(|s| s["id"] == phone["id"]).expect("stored");
    assert_eq!(updated["entry"], "desk");
    assert_eq!(statuses(&app.sync(token, &[phone_as_desk]).await), ["unchanged"]);
}

#[tokio::test]
async fn an_entry_outside_its_values_is_rejected_as_invalid_value() {
    let app = spawn_app().await;
    let field = app.field("live").await;
    let results = app.sync(&field.device.token, &[made(Some("phone")), made(Some("Desk"))]).await;
    for r in &results {
        assert_eq!(r["status"], "rejected", "{r}");
        assert_eq!(r["errors"], json!([{"field": "entry", "code": "invalid_value"}]));
    }
}

async fn enrolled(app: &TestApp, coordinator: &str, count_id: &str, organisation: &str) -> String {
    let invite = app.create_invite(coordinator, count_id, organisation).await;
    app.enroll(invite["code"].as_str().expect("a code")).await.token
}

#[tokio::test]
async fn the_report_counts_records_per_organisation_and_entry() {
    // Arrange: two organisations; a void and a training record are not counted.
    let app = spawn_app().await;
    let field = app.field("live").await;
    let other = enrolled(&app, &field.coordinator, &field.count_id, "Inloop Maastricht").await;
    let mut first: Vec<Value> = (0..6).map(|_| made(None)).collect();
    first.extend((0..2).map(|_| made(Some("desk"))));
    let mut practice = made(Some("desk"));
    practice["training"] = json!(true);
    first.push(practice);
    let second: Vec<Value> = (0..7).map(|_| made(Some("sheet"))).chain([made(Some("desk"))]).collect();
    app.sync(&field.device.token, &first).await;
    app.sync(&other, &second).await;
    app.post(&format!("/api/v1/records/{}/void", id_of(&second[0])))
        .bearer_auth(&field.coordinator)
        .json(&json!({ "reason": "dubbel" }))
        .reply()
        .await
        .assert_status(200);

    // Act
    let report = |disclosure: &'static str| {
        let path = format!("/api/v1/counts/{}/report?disclosure={disclosure}", field.count_id);
        let app = &app;
        let token = field.coordinator.clone();
        async move { app.get(&path).bearer_auth(&token).reply().await.assert_status(200) }
    };
    let internal = report("internal").await;
    let public = report("public").await;

    // Assert
    let lines = |report: &Value| -> Vec<(String, String, Value, Value)> {
        let lines = report["quality"]["records_per_organisation_entry"].as_array().cloned().expect("lines");
        lines
            .iter()
            .map(|l| {
                let text = |k: &str| l[k].as_str().unwrap_or_default().to_string();
                (text("organisation"), text("entry"), l["records"].clone(), l["suppressed"].clone())
            })
            .collect()
    };
    let org = ethos_tests::ORGANISATION.to_string();
    let inloop = "Inloop Maastricht".to_string();
    let line = |o: &String, e: &str, n: Value, s: Value| (o.clone(), e.to_string(), n, s);
    let mut got = lines(&internal);
    got.sort();
    let mut want = vec![
        line(&org, "field", json!(6), Value::Null),
        line(&org, "desk", json!(2), Value::Null),
        line(&org, "sheet", json!(0), Value::Null),
        line(&inloop, "field", json!(0), Value::Null),
        line(&inloop, "desk", json!(1), Value::Null),
        line(&inloop, "sheet", json!(6), Value::Null),
    ];
    want.sort();
    assert_eq!(got, want);
    // Public: 1–4 hidden, and the other non-zero entry of the organisation with it.
    let mut got = lines(&public);
    got.sort();
    let mut want = vec![
        line(&org, "field", Value::Null, json!("secondary")),
        line(&org, "desk", Value::Null, json!("primary")),
        line(&org, "sheet", json!(0), Value::Null),
        line(&inloop, "field", json!(0), Value::Null),
        line(&inloop, "desk", Value::Null, json!("primary")),
        line(&inloop, "sheet", Value::Null, json!("secondary")),
    ];
    want.sort();
    assert_eq!(got, want);
}
