//! The estimate of the hidden population over HTTP (`GET /api/v1/counts/{id}/estimate`, api.md
//! "Estimate", domain.md §8), black box: a count built through sync from three organisation
//! types gives the estimate that statsmodels computed for the same capture histories
//! (shared/tests/fixtures/estimate/loglinear.json, made by make_fixtures.py beside it); keyless,
//! void and training records and a `different_people` decision are handled as §8 says;
//! coordinators and analysts get it, devices do not. The report carries the same estimate as
//! its `estimate` member, under the report's disclosure, or the reason there is none; public
//! disclosure withholds it by organisation, below 100 linkable persons and where a history holds
//! 1–4 persons, and rounds the total's interval from the unrounded total.

use ethos_tests::*;
use serde_json::{json, Value};

/// The 3-source table of the statsmodels fixture: its cells by history mask, the expected
/// estimate and AIC of the chosen model, and the chosen interactions.
fn statsmodels_three_sources() -> (Vec<u64>, f64, f64, Vec<(usize, usize)>) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/tests/fixtures/estimate/loglinear.json");
    let fixtures: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("JSON");
    let table = fixtures["tables"]
        .as_array()
        .expect("tables")
        .iter()
        .find(|t| t["name"] == "three_sources")
        .expect("the 3-source table")
        .clone();
    let mut cells = vec![0];
    cells.extend(table["cells"].as_array().expect("cells").iter().map(|c| c.as_u64().expect("n")));
    let model = &table["models"][table["chosen"].as_u64().expect("chosen") as usize];
    let pairs = model["interactions"]
        .as_array()
        .expect("pairs")
        .iter()
        .map(|p| (p[0].as_u64().expect("i") as usize, p[1].as_u64().expect("j") as usize))
        .collect();
    (cells, table["estimate"].as_f64().expect("N"), model["aic"].as_f64().expect("AIC"), pairs)
}

async fn invite(app: &TestApp, coordinator: &str, count_id: &str, organisation: &str, kind: &str) -> Device {
    let invite = app
        .post(&format!("/api/v1/counts/{count_id}/invites"))
        .bearer_auth(coordinator)
        .json(&json!({ "organisation": organisation, "organisation_type": kind }))
        .reply()
        .await
        .assert_status(201);
    app.enroll(invite["code"].as_str().expect("a code")).await
}

async fn sync_ok(app: &TestApp, device: &Device, records: &[Value]) {
    for chunk in records.chunks(500) {
        for result in app.sync(&device.token, chunk).await {
            assert_eq!(result["status"], "stored", "{result}");
        }
    }
}

#[tokio::test]
async fn estimate_over_http_matches_the_independent_computation() {
    let app = spawn_app().await;
    let coordinator = app.coordinator().await;
    let count = app.create_count(&coordinator).await;
    let count_id = id_of(&count);
    // Sources sorted by id: care (bit 0), outreach (bit 1), shelter (bit 2).
    let devices = [
        invite(&app, &coordinator, &count_id, "GGZ Zuid", "care").await,
        invite(&app, &coordinator, &count_id, "Straatteam", "outreach").await,
        invite(&app, &coordinator, &count_id, "Opvang Maastricht", "shelter").await,
    ];
    let police = invite(&app, &coordinator, &count_id, "Politie", "police").await;
    app.set_status(&coordinator, &count_id, "live").await;

    let (mut cells, expected_n, expected_aic, pairs) = statsmodels_three_sources();
    // One person of {care} and one of {outreach} come from one key that the coordinator splits
    // as `different_people`: merged, they would be one person of {care, outreach}.
    cells[0b001] -= 1;
    cells[0b010] -= 1;
    let mut per_device: Vec<Vec<Value>> = vec![Vec::new(); 3];
    let mut n = 0;
    for (mask, &persons) in cells.iter().enumerate().skip(1) {
        for _ in 0..persons {
            n += 1;
            for (source, records) in per_device.iter_mut().enumerate() {
                if mask >> source & 1 == 1 {
                    records.push(record_with_key(&key(n)));
                }
            }
        }
    }
    let split = key(100_000);
    per_device[0].push(record_with_key(&split));
    per_device[1].push(record_with_key(&split));
    // Five keyless persons: unlinkable, added to the total.
    per_device[2].extend((0..5).map(|_| record()));
    for (device, records) in devices.iter().zip(&per_device) {
        sync_ok(&app, device, records).await;
    }
    // The police saw two persons of the table, but one record is void and the other training:
    // counted, they would make a fourth source.
    let void = record_with_key(&key(1));
    let mut training = record_with_key(&key(2));
    training["training"] = json!(true);
    sync_ok(&app, &police, &[void.clone(), training]).await;
    app.post(&format!("/api/v1/records/{}/void", id_of(&void)))
        .bearer_auth(&coordinator)
        .json(&json!({ "reason": "test" }))
        .reply()
        .await
        .assert_status(200);
    app.post(&format!("/api/v1/counts/{count_id}/duplicates/{split}/resolve"))
        .bearer_auth(&coordinator)
        .json(&json!({ "decision": "different_people" }))
        .reply()
        .await
        .assert_status(200);

    // Internal, by organisation type.
    let path = format!("/api/v1/counts/{count_id}/estimate");
    let body = app
        .get(&format!("{path}?disclosure=internal"))
        .bearer_auth(&coordinator)
        .reply()
        .await
        .assert_status(200);
    let names = ["care", "outreach", "shelter"];
    assert_eq!(body["by"], "organisation_type");
    assert_eq!(body["method"], "loglinear");
    assert_eq!(body["observed"], 458, "{body}");
    assert_eq!(body["unlinkable"], 5);
    let ids: Vec<&str> =
        body["sources"].as_array().expect("sources").iter().map(|s| s["id"].as_str().expect("id")).collect();
    assert_eq!(ids, names);
    assert_eq!(body["sources"][0]["persons"], 78 + 62 + 50 + 35);
    assert_eq!(body["histories"].as_array().expect("histories").len(), 7);
    assert!(body["histories"]
        .as_array()
        .expect("histories")
        .contains(&json!({"sources": ["care", "outreach"], "persons": 62})));
    let n = body["estimate"].as_f64().expect("N");
    assert!((n - expected_n).abs() <= 1e-6, "N {n}, statsmodels {expected_n}");
    assert!((body["unseen"].as_f64().expect("f0") - (expected_n - 458.0)).abs() <= 1e-6);
    assert!((body["total_estimate"].as_f64().expect("total") - (expected_n + 5.0)).abs() <= 1e-6);
    assert!((body["model"]["aic"].as_f64().expect("AIC") - expected_aic).abs() <= 1e-6);
    let expected_pairs: Vec<Value> = pairs.iter().map(|&(i, j)| json!([names[i], names[j]])).collect();
    assert_eq!(body["model"]["interactions"], json!(expected_pairs));
    let (lower, upper) = (
        body["interval"]["lower"].as_f64().expect("lower"),
        body["interval"]["upper"].as_f64().expect("upper"),
    );
    assert!(458.0 <= lower && lower < n && n < upper, "{lower} {n} {upper}");
    assert_eq!(body["interval"]["level"], 0.95);
    assert_eq!(body["warnings"], json!([]));

    // The same data give the same interval.
    let again = app
        .get(&format!("{path}?disclosure=internal"))
        .bearer_auth(&coordinator)
        .reply()
        .await
        .assert_status(200);
    assert_eq!(again, body);

    // By organisation: here one organisation per type, so the same estimate under other names.
    let by_org = app
        .get(&format!("{path}?by=organisation&disclosure=internal"))
        .bearer_auth(&coordinator)
        .reply()
        .await
        .assert_status(200);
    assert_eq!(by_org["by"], "organisation");
    assert_eq!(by_org["sources"][0]["id"], "GGZ Zuid");
    assert!((by_org["estimate"].as_f64().expect("N") - expected_n).abs() <= 1e-6);

    // Public (the default), for an analyst: rounded to tens, no histories.
    let analyst = app.analyst().await;
    let public = app.get(&path).bearer_auth(&analyst).reply().await.assert_status(200);
    let tens = |x: f64| (x / 10.0).round() * 10.0;
    assert_eq!(public["estimate"], json!(tens(expected_n) as i64));
    assert_eq!(public["total_estimate"], json!(tens(expected_n + 5.0) as i64));
    assert_eq!(public["interval"]["lower"], json!(tens(lower) as i64));
    assert_eq!(public["histories"], json!([]));
    assert_eq!(public["observed"], 458);
    assert_eq!(public["unlinkable"], 5);
    // The total's interval: internal the bounds of N plus the 5 keyless persons, public rounded
    // from those unrounded sums.
    assert_eq!(body["total_interval"]["lower"].as_f64(), Some(lower + 5.0), "{body}");
    assert_eq!(body["total_interval"]["upper"].as_f64(), Some(upper + 5.0));
    assert_eq!(public["total_interval"]["lower"], json!(tens(lower + 5.0) as i64), "{public}");
    assert_eq!(public["total_interval"]["upper"], json!(tens(upper + 5.0) as i64));
    assert_eq!(public["model"]["interactions"], body["model"]["interactions"]);
    assert_eq!(public["model"]["aic"], Value::Null);
    // By organisation the estimate is internal only.
    let withheld = app
        .get(&format!("{path}?by=organisation"))
        .bearer_auth(&analyst)
        .reply()
        .await
        .assert_error(422, "estimate_not_possible");
    assert_eq!(withheld["details"]["reason"], "withheld_per_organisation");

    // Devices may not; bad parameters are 422.
    app.get(&path).bearer_auth(&devices[0].token).reply().await.assert_error(403, "forbidden");
    app.get(&path).reply().await.assert_error(401, "unauthorized");
    app.get(&format!("{path}?by=team"))
        .bearer_auth(&analyst)
        .reply()
        .await
        .assert_error(422, "validation_failed");
    app.get(&format!("{path}?disclosure=all"))
        .bearer_auth(&analyst)
        .reply()
        .await
        .assert_error(422, "validation_failed");
    app.get(&format!("/api/v1/counts/{}/estimate", uuid_like()))
        .bearer_auth(&analyst)
        .reply()
        .await
        .assert_error(404, "not_found");
}

fn uuid_like() -> String {
    "0190c6f4-0000-7000-8000-000000000000".to_string()
}

#[tokio::test]
async fn estimate_not_possible_gives_the_reason() {
    let app = spawn_app().await;
    let field = app.field("live").await;
    let path = format!("/api/v1/counts/{}/estimate", field.count_id);
    // Nothing counted yet: no source.
    let body = app
        .get(&path)
        .bearer_auth(&field.coordinator)
        .reply()
        .await
        .assert_error(422, "estimate_not_possible");
    assert_eq!(body["details"]["reason"], "too_few_sources");
    // One organisation type only.
    app.sync(&field.device.token, &[record_with_key(&key(1)), record_with_key(&key(2))]).await;
    let body = app
        .get(&path)
        .bearer_auth(&field.coordinator)
        .reply()
        .await
        .assert_error(422, "estimate_not_possible");
    assert_eq!(body["details"]["reason"], "too_few_sources");
    // A second type that overlaps nobody.
    let shelter = invite(&app, &field.coordinator, &field.count_id, "Opvang", "shelter").await;
    app.sync(&shelter.token, &[record_with_key(&key(3))]).await;
    let body = app
        .get(&path)
        .bearer_auth(&field.coordinator)
        .reply()
        .await
        .assert_error(422, "estimate_not_possible");
    assert_eq!(body["details"]["reason"], "no_overlap");
}

/// Persons by history over `care` (bit 0), `police` (bit 1) and `shelter` (bit 2), synced
/// through one device per organisation type; `keyless` keyless persons through the shelter.
async fn count_with_histories(
    app: &TestApp,
    coordinator: &str,
    cells: &[(usize, u32)],
    keyless: usize,
) -> String {
    let count = app.create_count(coordinator).await;
    let count_id = id_of(&count);
    let devices = [
        invite(app, coordinator, &count_id, "GGZ Zuid", "care").await,
        invite(app, coordinator, &count_id, "Politie", "police").await,
        invite(app, coordinator, &count_id, "Opvang", "shelter").await,
    ];
    app.set_status(coordinator, &count_id, "live").await;
    let mut per_device: Vec<Vec<Value>> = vec![Vec::new(); 3];
    let mut n = 0;
    for &(mask, persons) in cells {
        for _ in 0..persons {
            n += 1;
            for (source, records) in per_device.iter_mut().enumerate() {
                if mask >> source & 1 == 1 {
                    records.push(record_with_key(&key(n)));
                }
            }
        }
    }
    per_device[2].extend((0..keyless).map(|_| record()));
    for (device, records) in devices.iter().zip(&per_device) {
        sync_ok(app, device, records).await;
    }
    count_id
}

#[tokio::test]
async fn report_carries_the_estimate_with_the_report_disclosure() {
    let app = spawn_app().await;
    let coordinator = app.coordinator().await;
    // The police saw 4 persons: histories of 2, 1 and 1 persons. Internal shows the estimate;
    // public withholds it (domain.md §8: a history of 1–4 persons).
    let cells = [(0b001, 70), (0b100, 60), (0b101, 25), (0b011, 2), (0b111, 1), (0b010, 1)];
    let count_id = count_with_histories(&app, &coordinator, &cells, 3).await;
    let analyst = app.analyst().await;

    let report = app
        .get(&format!("/api/v1/counts/{count_id}/report?disclosure=internal"))
        .bearer_auth(&analyst)
        .reply()
        .await
        .assert_status(200);
    let internal = app
        .get(&format!("/api/v1/counts/{count_id}/estimate?disclosure=internal"))
        .bearer_auth(&analyst)
        .reply()
        .await
        .assert_status(200);
    assert_eq!(report["estimate"], internal, "the report's estimate is the /estimate answer");
    assert_eq!(report["disclosure"], "internal");
    assert_eq!(internal["by"], "organisation_type");
    assert_eq!(internal["observed"], 159, "{internal}");
    assert_eq!(internal["unlinkable"], 3);
    assert_eq!(internal["sources"][1], json!({"id": "police", "persons": 4}));
    assert_eq!(internal["histories"].as_array().expect("histories").len(), 6);
    let n = internal["estimate"].as_f64().expect("N");
    assert!(n > 159.0 && n.fract() != 0.0, "an unrounded estimate above M: {n}");
    assert!(internal["model"]["aic"].is_f64());

    // Public: the same reason in the report's member and in the 422 of GET …/estimate.
    let report = app
        .get(&format!("/api/v1/counts/{count_id}/report"))
        .bearer_auth(&coordinator)
        .reply()
        .await
        .assert_status(200);
    assert_eq!(
        report["estimate"],
        json!({"by": "organisation_type", "not_possible": "withheld_small_histories"}),
        "{}",
        report["estimate"]
    );
    assert_eq!(report["persons_total"], 162, "the report itself is there");
    let body = app
        .get(&format!("/api/v1/counts/{count_id}/estimate"))
        .bearer_auth(&analyst)
        .reply()
        .await
        .assert_error(422, "estimate_not_possible");
    assert_eq!(body["details"]["reason"], "withheld_small_histories");
}

#[tokio::test]
async fn report_says_why_there_is_no_estimate() {
    let app = spawn_app().await;
    let coordinator = app.coordinator().await;
    // Two sources that overlap nobody.
    let count_id = count_with_histories(&app, &coordinator, &[(0b001, 10), (0b100, 12)], 0).await;
    let report = app
        .get(&format!("/api/v1/counts/{count_id}/report"))
        .bearer_auth(&coordinator)
        .reply()
        .await
        .assert_status(200);
    assert_eq!(report["estimate"], json!({"by": "organisation_type", "not_possible": "no_overlap"}));
    assert_eq!(report["persons_total"], 22, "the report itself is there");
    let empty = app.create_count(&coordinator).await;
    let report = app
        .get(&format!("/api/v1/counts/{}/report?disclosure=internal", id_of(&empty)))
        .bearer_auth(&coordinator)
        .reply()
        .await
        .assert_status(200);
    assert_eq!(report["estimate"], json!({"by": "organisation_type", "not_possible": "too_few_sources"}));

    // Fewer than 100 linkable persons: internal only.
    let small = count_with_histories(&app, &coordinator, &[(0b001, 40), (0b100, 30), (0b101, 12)], 0).await;
    let report = app
        .get(&format!("/api/v1/counts/{small}/report"))
        .bearer_auth(&coordinator)
        .reply()
        .await
        .assert_status(200);
    assert_eq!(
        report["estimate"],
        json!({"by": "organisation_type", "not_possible": "withheld_small_count"})
    );
    let internal = app
        .get(&format!("/api/v1/counts/{small}/report?disclosure=internal"))
        .bearer_auth(&coordinator)
        .reply()
        .await
        .assert_status(200);
    assert_eq!(internal["estimate"]["method"], "chapman", "{}", internal["estimate"]);
}
