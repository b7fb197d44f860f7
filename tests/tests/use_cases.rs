//! The use cases behind the routes: a count that does not exist is one 404 on every route of a
//! count, the dashboard counts records per organisation and entry, and the command line's report
//! gives a typed error for a missing count.

#![allow(clippy::unwrap_used)] // a test: a failed step should stop it loudly

use ethos_tests::{id_of, record, spawn_app, SendExt};
use serde_json::json;

#[tokio::test]
async fn a_missing_or_malformed_count_is_404_not_found_on_every_route_of_a_count() {
    let app = spawn_app().await;
    let coordinator = app.coordinator().await;
    let missing = uuid::Uuid::now_v7();
    for id in [missing.to_string(), "not-a-uuid".to_string()] {
        for route in [
            "",
            "/report",
            "/report.csv?table=by_count_group",
            "/estimate",
            "/comparison?with=x",
            "/dashboard",
            "/devices",
            "/audit",
            "/population",
            "/invites",
            "/duplicates",
        ] {
            let path = format!("/api/v1/counts/{id}{route}");
            app.get(&path).bearer_auth(&coordinator).reply().await.assert_error(404, "not_found");
        }
        let status = format!("/api/v1/counts/{id}/status");
        let body = json!({ "status": "live" });
        app.post(&status).bearer_auth(&coordinator).json(&body).reply().await.assert_error(404, "not_found");
        let invites = format!("/api/v1/counts/{id}/invites");
        let body = json!({ "organisation": "Straatteam" });
        app.post(&invites).bearer_auth(&coordinator).json(&body).reply().await.assert_error(404, "not_found");
        let bulk = format!("/api/v1/counts/{id}/duplicates/resolve-consistent");
        app.post(&bulk).bearer_auth(&coordinator).reply().await.assert_error(404, "not_found");
    }
    // Who may ask is checked before what is asked for.
    let path = format!("/api/v1/counts/{missing}/dashboard");
    app.get(&path).reply().await.assert_error(401, "unauthorized");
    let analyst = app.analyst().await;
    app.get(&format!("/api/v1/counts/{missing}/devices"))
        .bearer_auth(&analyst)
        .reply()
        .await
        .assert_error(403, "forbidden");
}

#[tokio::test]
async fn the_dashboard_counts_records_per_organisation_and_entry() {
    let app = spawn_app().await;
    let field = app.field("live").await;
    let invite = app.create_invite(&field.coordinator, &field.count_id, "Bureau Zuid").await;
    let desk = app.enroll(invite["code"].as_str().unwrap()).await;
    let made = |entry: &str| {
        let mut r = record();
        if entry != "field" {
            r["entry"] = json!(entry);
        }
        r
    };
    let void = made("desk");
    app.sync(&field.device.token, &[made("field"), made("field"), made("desk"), void.clone()]).await;
    app.sync(&desk.token, &[made("sheet"), made("sheet"), made("desk")]).await;
    let void_path = format!("/api/v1/records/{}/void", id_of(&void));
    app.post(&void_path)
        .bearer_auth(&field.coordinator)
        .json(&json!({ "reason": "test" }))
        .reply()
        .await
        .assert_status(200);

    let body = app
        .get(&format!("/api/v1/counts/{}/dashboard", field.count_id))
        .bearer_auth(&field.coordinator)
        .reply()
        .await
        .assert_status(200);
    let orgs = body["by_organisation"].as_array().unwrap();
    let line =
        |org: &str| orgs.iter().find(|o| o["organisation"] == org).unwrap_or_else(|| panic!("{org}: {body}"));
    let entries = |org: &str| -> Vec<(String, u64)> {
        line(org)["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["entry"].as_str().unwrap().to_string(), e["records"].as_u64().unwrap()))
            .collect()
    };
    let street = field.device.organisation.as_str();
    assert_eq!(line(street)["records"], 3, "the void record is not counted: {body}");
    assert_eq!(entries(street), vec![("field".to_string(), 2), ("desk".to_string(), 1)]);
    assert_eq!(line("Bureau Zuid")["records"], 3);
    assert_eq!(entries("Bureau Zuid"), vec![("desk".to_string(), 1), ("sheet".to_string(), 2)]);
}

#[tokio::test]
async fn the_command_line_report_of_a_missing_count_is_a_typed_not_found() {
    use ethos_server::cli::{report_output, ReportError, ReportFormat};
    use ethos_server::usecase::Error;
    let dir = tempfile::tempdir().unwrap();
    let storage = ethos_server::storage::Storage::open(&dir.path().join("cli.db")).await.unwrap();
    for format in [ReportFormat::Json, ReportFormat::Csv] {
        let missing = uuid::Uuid::now_v7();
        let err = report_output(&storage, missing, format, "public", Some("by_count_group"), false)
            .await
            .expect_err("no such count");
        assert!(matches!(err, ReportError::UseCase(Error::NotFound("count"))), "{err:?}");
    }
    let err = report_output(&storage, uuid::Uuid::now_v7(), ReportFormat::Json, "everything", None, false)
        .await
        .expect_err("no such disclosure");
    assert!(matches!(err, ReportError::Disclosure(ref d) if d == "everything"), "{err:?}");
    storage.close().await;
}
