//! The coordinator's dashboard and device list, and the command line's `import`.

#![allow(clippy::unwrap_used)] // a test: a failed step should stop it loudly

use ethos_tests::{record, record_with_key, spawn_app, SendExt};
use serde_json::json;

#[tokio::test]
async fn the_dashboard_counts_records_per_organisation_municipality_and_hour_and_persons() {
    let app = spawn_app().await;
    let field = app.field("live").await;
    let mut training = record();
    training["training"] = json!(true);
    let (a, b) = (record_with_key(&ethos_tests::key(1)), record_with_key(&ethos_tests::key(1)));
    app.sync(&field.device.token, &[a, b, record(), training]).await;

    let body = app
        .get(&format!("/api/v1/counts/{}/dashboard", field.count_id))
        .bearer_auth(&field.coordinator)
        .reply()
        .await
        .assert_status(200);

    assert_eq!(body["records_total"], 4);
    assert_eq!(body["records_counted"], 3);
    assert_eq!(body["records_training"], 1);
    assert_eq!(body["persons_total"], 2, "two records share a key: {body}");
    assert_eq!(body["by_organisation"][0]["records"], 3);
    assert_eq!(body["by_municipality"][0]["municipality"], "GM0935");
    let per_hour: u64 =
        body["by_hour"].as_array().unwrap().iter().map(|h| h["records"].as_u64().unwrap()).sum();
    assert_eq!(per_hour, 3);
    assert_eq!(body["devices_enrolled"], 1);
    assert_eq!(body["devices_seen_last_hour"], 1);
}

#[tokio::test]
async fn an_analyst_sees_the_dashboard_but_a_device_does_not() {
    let app = spawn_app().await;
    let field = app.field("live").await;
    let analyst = app.analyst().await;
    let path = format!("/api/v1/counts/{}/dashboard", field.count_id);
    app.get(&path).bearer_auth(&analyst).reply().await.assert_status(200);
    app.get(&path).bearer_auth(&field.device.token).reply().await.assert_error(403, "forbidden");
    app.get(&path).reply().await.assert_error(401, "unauthorized");
}

#[tokio::test]
async fn the_device_list_shows_last_contact_and_what_the_phone_still_holds() {
    let app = spawn_app().await;
    let field = app.field("live").await;
    let path = format!("/api/v1/counts/{}/devices", field.count_id);
    let before = app.get(&path).bearer_auth(&field.coordinator).reply().await.assert_status(200);
    assert_eq!(before["items"][0]["last_seen_at"], serde_json::Value::Null);
    assert_eq!(before["items"][0]["unsynced"], serde_json::Value::Null);

    app.post("/api/v1/sync")
        .bearer_auth(&field.device.token)
        .json(&json!({ "records": [record()], "unsynced": 7 }))
        .reply()
        .await
        .assert_status(200);

    let after = app.get(&path).bearer_auth(&field.coordinator).reply().await.assert_status(200);
    let device = &after["items"][0];
    assert_eq!(device["id"], field.device.id.as_str());
    assert_eq!(device["unsynced"], 7);
    assert_eq!(device["revoked"], false);
    assert!(device["last_seen_at"].is_string());
    let analyst = app.analyst().await;
    app.get(&path).bearer_auth(&analyst).reply().await.assert_error(403, "forbidden");
}

#[tokio::test]
async fn an_exported_queue_is_imported_once_and_a_second_import_changes_nothing() {
    let app = spawn_app().await;
    let field = app.field("live").await;
    let sent = record();
    app.sync(&field.device.token, std::slice::from_ref(&sent)).await;
    let export = json!({ "device_id": field.device.id, "records": [sent, record(), record()] });
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), export.to_string()).unwrap();
    let import = || {
        ethos_server::cli::run(<ethos_server::cli::Cli as clap::Parser>::parse_from([
            "ethos",
            "import",
            "--db",
            app.db_path().to_str().unwrap(),
            file.path().to_str().unwrap(),
        ]))
    };

    import().await.unwrap();
    import().await.unwrap();

    let records = app.records(&field.coordinator, &field.count_id).await;
    assert_eq!(records.len(), 3, "the record synced before is not doubled");
    assert!(records.iter().all(|r| r["device_id"] == field.device.id.as_str()));
    assert!(app
        .audit_actions(&field.coordinator, &field.count_id)
        .await
        .contains(&"records.import".to_string()));
}

/// The file as the phone writes it (`QueueExport` of typed records), with one damaged record in
/// it: the good ones are stored, the damaged one alone is rejected, as in a sync.
#[tokio::test]
async fn a_typed_queue_export_is_imported_and_a_damaged_record_in_it_is_rejected_alone() {
    use ethos_shared::api::QueueExport;
    use ethos_shared::record::{parse_record, Record};
    let app = spawn_app().await;
    let field = app.field("live").await;
    let typed: Vec<Record> = (0..3).map(|_| parse_record(&record()).unwrap()).collect();
    let export = QueueExport { device_id: field.device.id.parse().unwrap(), records: typed.clone() };
    let mut file_body = serde_json::to_value(&export).unwrap();
    let mut damaged = record();
    damaged["municipality"] = json!("GM9999");
    file_body["records"].as_array_mut().unwrap().insert(1, damaged.clone());
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), file_body.to_string()).unwrap();

    ethos_server::cli::run(<ethos_server::cli::Cli as clap::Parser>::parse_from([
        "ethos",
        "import",
        "--db",
        app.db_path().to_str().unwrap(),
        file.path().to_str().unwrap(),
    ]))
    .await
    .unwrap();

    let records = app.records(&field.coordinator, &field.count_id).await;
    let mut stored: Vec<String> = records.iter().map(|r| r["id"].as_str().unwrap().to_string()).collect();
    let mut want: Vec<String> = typed.iter().map(|r| r.id.to_string()).collect();
    stored.sort();
    want.sort();
    assert_eq!(stored, want, "the three good records, not the damaged one");
    // The resend from the phone of a typed record is then unchanged.
    let results = app.sync(&field.device.token, &[serde_json::to_value(&typed[0]).unwrap()]).await;
    assert_eq!(results[0]["status"], "unchanged");
}

#[tokio::test]
async fn an_import_without_a_device_id_fails_clearly_and_stores_nothing() {
    let app = spawn_app().await;
    let field = app.field("live").await;
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), json!({ "records": [record()] }).to_string()).unwrap();
    let result = ethos_server::cli::run(<ethos_server::cli::Cli as clap::Parser>::parse_from([
        "ethos",
        "import",
        "--db",
        app.db_path().to_str().unwrap(),
        file.path().to_str().unwrap(),
    ]))
    .await;
    let message = format!("{:#}", result.unwrap_err());
    assert!(message.contains("device_id"), "{message}");
    assert!(app.records(&field.coordinator, &field.count_id).await.is_empty());
}

#[tokio::test]
async fn the_coordinator_enters_population_figures_and_bad_ones_are_refused_whole() {
    let app = spawn_app().await;
    let field = app.field("live").await;
    let path = format!("/api/v1/counts/{}/population", field.count_id);
    let good = json!({ "items": [
        { "municipality": "GM0935", "population": 121_000 },
        { "municipality": "GM0981", "population": 10_000 },
    ]});
    let body = app.put(&path).bearer_auth(&field.coordinator).json(&good).reply().await.assert_status(200);
    assert_eq!(body["items"].as_array().unwrap().len(), 2);

    for (bad, field_name) in [
        (json!({ "items": [{ "municipality": "GM0014", "population": 5 }] }), "items[0].municipality"),
        (json!({ "items": [{ "municipality": "GM0935", "population": 0 }] }), "items[0].population"),
        (
            json!({ "items": [{ "municipality": "GM0935", "population": 1 }, { "municipality": "GM0935", "population": 2 }] }),
            "items[1].municipality",
        ),
    ] {
        app.put(&path)
            .bearer_auth(&field.coordinator)
            .json(&bad)
            .reply()
            .await
            .assert_validation(&[(field_name, "invalid_value")]);
    }
    let analyst = app.analyst().await;
    let kept = app.get(&path).bearer_auth(&analyst).reply().await.assert_status(200);
    assert_eq!(kept, body, "a refused update changes nothing");
    app.put(&path).bearer_auth(&analyst).json(&good).reply().await.assert_error(403, "forbidden");
}

#[tokio::test]
async fn the_report_gives_persons_per_thousand_inhabitants_where_the_population_is_known() {
    let app = spawn_app().await;
    let field = app.field("live").await;
    let records: Vec<serde_json::Value> = (0..6).map(|_| record()).collect();
    app.sync(&field.device.token, &records).await;
    // Entered out of the region's order: Vaals, Eijsden-Margraten, Maastricht.
    let population = json!({ "items": [
        { "municipality": "GM0981", "population": 10_000 },
        { "municipality": "GM1903", "population": 25_000 },
        { "municipality": "GM0935", "population": 120_000 },
    ]});
    let path = format!("/api/v1/counts/{}/population", field.count_id);
    app.put(&path).bearer_auth(&field.coordinator).json(&population).reply().await.assert_status(200);

    let report = app
        .get(&format!("/api/v1/counts/{}/report?disclosure=internal", field.count_id))
        .bearer_auth(&field.coordinator)
        .reply()
        .await
        .assert_status(200);

    let rates = report["rates"].as_array().unwrap();
    let maastricht = rates.iter().find(|r| r["municipality"] == "GM0935").unwrap();
    assert_eq!(maastricht["persons"], 6);
    assert!((maastricht["per_1000"].as_f64().unwrap() - 0.05).abs() < 1e-12, "{maastricht}");
    let vaals = rates.iter().find(|r| r["municipality"] == "GM0981").unwrap();
    assert_eq!((vaals["persons"].as_u64(), vaals["per_1000"].as_f64()), (Some(0), Some(0.0)));
    let order: Vec<&str> = rates.iter().filter_map(|r| r["municipality"].as_str()).collect();
    assert_eq!(order, ["GM0935", "GM1903", "GM0981"], "the region's order, as the municipality table");
}

/// Runs `ethos demo` on the test server's database, as `cargo xtask demo` does before serving.
async fn run_demo(app: &ethos_tests::TestApp) {
    ethos_server::cli::run(<ethos_server::cli::Cli as clap::Parser>::parse_from([
        "ethos",
        "demo",
        "--db",
        app.db_path().to_str().unwrap(),
        "--bind",
        "127.0.0.1:8080",
    ]))
    .await
    .unwrap();
}

#[tokio::test]
async fn the_demo_adds_two_locked_example_counts_with_report_estimate_and_comparison_once() {
    let app = spawn_app().await;
    run_demo(&app).await;
    let coordinator = app.logged_in("beheerder", ethos_tests::Role::Coordinator).await;
    let analyst = app.analyst().await;
    let counts = app.get("/api/v1/counts").bearer_auth(&coordinator).reply().await.assert_status(200);
    let counts = counts["items"].as_array().unwrap().clone();
    let training = counts.iter().find(|c| c["name"] == "Demo-telling Maastricht-Heuvelland").unwrap();
    assert_eq!(training["status"], "training", "the count to try the field app with stays as it was");
    let examples: Vec<&serde_json::Value> = counts
        .iter()
        .filter(|c| c["name"].as_str().unwrap().starts_with("Voorbeeld: ETHOS-telling "))
        .collect();
    assert_eq!(examples.len(), 2, "{counts:?}");
    assert!(examples.iter().all(|c| c["name"].as_str().unwrap().ends_with("(verzonnen gegevens)")));
    assert!(examples.iter().all(|c| c["status"] == "locked"), "{examples:?}");
    // Listed newest first: last year's count, then the one before.
    let (newer, older) = (ethos_tests::id_of(examples[0]), ethos_tests::id_of(examples[1]));
    let last_year = chrono::Local::now().date_naive() - chrono::Months::new(12);
    assert_eq!(examples[0]["reference_date"], last_year.to_string());

    let report = app
        .get(&format!("/api/v1/counts/{newer}/report?disclosure=internal"))
        .bearer_auth(&analyst)
        .reply()
        .await
        .assert_status(200);
    let persons = report["persons_total"].as_u64().unwrap();
    let counted = report["records_counted"].as_u64().unwrap();
    assert!(persons >= 100 && persons < counted, "duplicates merged: {persons} of {counted} records");
    assert!(report["duplicate_records_merged"].as_u64().unwrap() >= 20);
    assert!(report["records_without_key"].as_u64().unwrap() > 0);
    assert!(report["records_void"].as_u64().unwrap() > 0);
    assert_eq!(report["quality"]["resolved_duplicate_groups"], 2);
    assert_eq!(report["rates"].as_array().unwrap().len(), 6, "population of the six municipalities");

    // In public the demo's estimate is withheld: a capture history holds 1-4 persons.
    app.get(&format!("/api/v1/counts/{newer}/estimate"))
        .bearer_auth(&analyst)
        .reply()
        .await
        .assert_error(422, "estimate_not_possible");
    let estimate = app
        .get(&format!("/api/v1/counts/{newer}/estimate?disclosure=internal"))
        .bearer_auth(&analyst)
        .reply()
        .await
        .assert_status(200);
    assert!(estimate["estimate"].as_f64().unwrap() > 0.0, "{estimate}");
    let warnings: Vec<&str> =
        estimate["warnings"].as_array().unwrap().iter().map(|w| w.as_str().unwrap()).collect();
    assert!(!warnings.contains(&"small_overlap"), "{warnings:?}");

    let comparison = app
        .get(&format!("/api/v1/counts/{newer}/comparison?with={older}"))
        .bearer_auth(&analyst)
        .reply()
        .await
        .assert_status(200);
    let headline = comparison["headline"].as_array().unwrap();
    let total = headline.iter().find(|h| h["figure"] == "persons_total").unwrap();
    assert!(total["earlier"].as_u64().unwrap() > 0 && total["now"] != total["earlier"], "{total}");

    let records_of = |id: String| {
        let (app, coordinator) = (&app, &coordinator);
        async move { app.records(coordinator, &id).await.len() }
    };
    let before = (records_of(newer.clone()).await, records_of(older.clone()).await);
    assert!(before.0 >= 300 && before.1 >= 300, "{before:?}");
    let training_invites = format!("/api/v1/counts/{}/invites", ethos_tests::id_of(training));
    let invites = app.get(&training_invites).bearer_auth(&coordinator).reply().await.assert_status(200);

    run_demo(&app).await;

    let again = app.get("/api/v1/counts").bearer_auth(&coordinator).reply().await.assert_status(200);
    assert_eq!(again["items"].as_array().unwrap().len(), counts.len(), "no count twice");
    assert_eq!((records_of(newer.clone()).await, records_of(older.clone()).await), before);
    let invites_again = app.get(&training_invites).bearer_auth(&coordinator).reply().await.assert_status(200);
    assert_eq!(invites_again, invites, "the team code of the quick start stays");
}

/// The shared code sets (`ethos_shared::codes`) hold every code the server writes: the audit
/// actions of the demo's counts, the tables of their reports (exactly), and the error codes of
/// answers to bad requests.
#[tokio::test]
async fn every_code_the_server_writes_is_in_the_shared_sets() {
    use ethos_shared::codes::{AuditAction, ErrorCode, TableId};
    let app = spawn_app().await;
    run_demo(&app).await;
    let coordinator = app.logged_in("beheerder", ethos_tests::Role::Coordinator).await;
    let counts = app.get("/api/v1/counts").bearer_auth(&coordinator).reply().await.assert_status(200);
    let mut actions = std::collections::BTreeSet::new();
    for count in counts["items"].as_array().unwrap() {
        let id = ethos_tests::id_of(count);
        let log = app.get(&format!("/api/v1/counts/{id}/audit")).bearer_auth(&coordinator).reply().await;
        for entry in log.assert_status(200)["items"].as_array().unwrap() {
            let action = entry["action"].as_str().unwrap();
            actions.insert(action.parse::<AuditAction>().unwrap_or_else(|e| panic!("{e}")));
        }
        for disclosure in ["internal", "public"] {
            let path = format!("/api/v1/counts/{id}/report?disclosure={disclosure}");
            let report = app.get(&path).bearer_auth(&coordinator).reply().await.assert_status(200);
            let tables: Vec<TableId> = report["tables"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["id"].as_str().unwrap().parse().unwrap_or_else(|e| panic!("{e}")))
                .collect();
            let mut all = TableId::ALL.to_vec();
            let mut got = tables.clone();
            all.sort();
            got.sort();
            assert_eq!(got, all, "the report has exactly the shared tables");
        }
    }
    assert!(actions.contains(&AuditAction::DuplicateResolve) && actions.len() >= 8, "{actions:?}");

    let count = app.create_count(&coordinator).await;
    let id = ethos_tests::id_of(&count);
    let errors = [
        app.post("/api/v1/counts")
            .bearer_auth(&coordinator)
            .header("content-type", "application/json")
            .body("{")
            .reply()
            .await,
        app.post("/api/v1/counts").bearer_auth(&coordinator).body("{}").reply().await,
        app.post("/api/v1/counts").bearer_auth(&coordinator).json(&json!({})).reply().await,
        app.get("/api/v1/counts").reply().await,
        app.get(&format!("/api/v1/counts/{}", uuid::Uuid::now_v7())).bearer_auth(&coordinator).reply().await,
        app.delete("/api/v1/counts").bearer_auth(&coordinator).reply().await,
        app.post(&format!("/api/v1/counts/{id}/status"))
            .bearer_auth(&coordinator)
            .json(&json!({"status": "training"}))
            .reply()
            .await,
        app.post("/api/v1/enroll").json(&json!({"code": "XXXX-XXXX"})).reply().await,
    ];
    for reply in errors {
        let code = reply.json()["code"].as_str().unwrap().to_string();
        assert!(code.parse::<ErrorCode>().is_ok(), "{code} is not in ErrorCode");
    }
}
