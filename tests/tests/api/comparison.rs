//! Comparison with an earlier count (`GET /api/v1/counts/{id}/comparison?with=…`, domain.md
//! §6.6): two live counts a year apart, filled through sync; the expected changes are counted
//! in this file from the records the test sent.

use chrono::Duration;
use ethos_tests::{hours_from_now, id_of, record_at, spawn_app, SendExt, TestApp};
use serde_json::{json, Value};

/// A live count whose window lies `days_ago` days back, with one team code and device; returns
/// the count id and the device token.
async fn live_count(app: &TestApp, coordinator: &str, name: &str, days_ago: i64) -> (String, String) {
    let starts_at = hours_from_now(-12) - Duration::days(days_ago);
    let body = json!({
        "name": name,
        "reference_date": starts_at.date_naive().to_string(),
        "starts_at": starts_at.to_rfc3339(),
        "ends_at": (starts_at + Duration::hours(24)).to_rfc3339(),
    });
    let count =
        app.post("/api/v1/counts").bearer_auth(coordinator).json(&body).reply().await.assert_status(201);
    let count_id = id_of(&count);
    let invite = app.create_invite(coordinator, &count_id, "Straatteam").await;
    let device = app.enroll(invite["code"].as_str().unwrap_or_default()).await;
    app.set_status(coordinator, &count_id, "live").await;
    (count_id, device.token)
}

/// `genders` persons, one record each, observed inside the window of a count `days_ago` back.
fn people(genders: &[(&str, usize)], days_ago: i64) -> Vec<Value> {
    let mut records = Vec::new();
    for (gender, n) in genders {
        for _ in 0..*n {
            let mut r = record_at(hours_from_now(-1) - Duration::days(days_ago));
            r["profile"]["gender"] = json!(gender);
            records.push(r);
        }
    }
    records
}

fn row<'a>(table: &'a Value, gender: &str) -> &'a Value {
    table["rows"]
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["key"]["gender"] == gender))
        .unwrap_or_else(|| panic!("no row {gender} in {table}"))
}

fn table<'a>(comparison: &'a Value, id: &str) -> &'a Value {
    comparison["tables"]
        .as_array()
        .and_then(|t| t.iter().find(|t| t["id"] == id))
        .unwrap_or_else(|| panic!("no table {id}"))
}

struct TwoCounts {
    app: TestApp,
    coordinator: String,
    now: String,
    earlier: String,
}

/// Earlier: 6 men, 8 women, 2 "other". Now: 9 men, 3 women, no "other".
async fn two_counts() -> TwoCounts {
    let app = spawn_app().await;
    let coordinator = app.coordinator().await;
    let (earlier, earlier_device) = live_count(&app, &coordinator, "Telling 2025", 365).await;
    let (now, now_device) = live_count(&app, &coordinator, "Telling 2026", 0).await;
    app.sync(&earlier_device, &people(&[("man", 6), ("woman", 8), ("other", 2)], 365)).await;
    app.sync(&now_device, &people(&[("man", 9), ("woman", 3)], 0)).await;
    TwoCounts { app, coordinator, now, earlier }
}

#[tokio::test]
async fn internal_comparison_gives_every_change_including_rows_only_one_count_has() {
    let t = two_counts().await;
    let path = format!("/api/v1/counts/{}/comparison?with={}&disclosure=internal", t.now, t.earlier);
    let c = t.app.get(&path).bearer_auth(&t.coordinator).reply().await.assert_status(200);
    assert_eq!(c["count"]["id"], t.now.as_str());
    assert_eq!(c["earlier"]["id"], t.earlier.as_str());
    let headline = &c["headline"][0];
    assert_eq!(headline["figure"], "persons_total");
    assert_eq!((headline["now"].as_u64(), headline["earlier"].as_u64()), (Some(12), Some(16)));
    assert_eq!(headline["change"], -4);
    assert_eq!(headline["relative"], -0.25);

    let gender = table(&c, "by_gender");
    assert_eq!(
        (row(gender, "man")["now"].as_u64(), row(gender, "man")["earlier"].as_u64()),
        (Some(9), Some(6))
    );
    assert_eq!(row(gender, "man")["change"], 3);
    assert_eq!(row(gender, "woman")["change"], -5);
    assert_eq!(row(gender, "other")["now"], 0, "a row only the earlier count has is 0 now");
    assert_eq!(row(gender, "other")["change"], -2);
    assert_eq!(gender["total"]["change"], -4);
    let ids: Vec<&str> = c["tables"].as_array().unwrap().iter().filter_map(|t| t["id"].as_str()).collect();
    assert!(ids.contains(&"by_category_and_municipality"), "every table of the report: {ids:?}");
}

#[tokio::test]
async fn public_comparison_hides_the_change_of_a_small_cell() {
    let t = two_counts().await;
    let path = format!("/api/v1/counts/{}/comparison?with={}", t.now, t.earlier);
    let c = t.app.get(&path).bearer_auth(&t.app.analyst().await).reply().await.assert_status(200);
    assert_eq!(c["disclosure"], "public");
    let gender = table(&c, "by_gender");
    // Now: 9 men, 3 women (3 is hidden, so 9 is hidden too: one line, secondary suppression).
    assert_eq!(row(gender, "woman")["now"], Value::Null);
    assert_eq!(row(gender, "woman")["change"], Value::Null);
    assert_eq!(row(gender, "woman")["earlier"], 8);
    assert_eq!(row(gender, "man")["change"], Value::Null);
    assert_eq!(gender["total"]["change"], -4, "totals of 5 and more stay");
}

#[tokio::test]
async fn the_other_count_must_exist_and_be_earlier() {
    let t = two_counts().await;
    let get = |query: String| {
        t.app.get(&format!("/api/v1/counts/{}/comparison{query}", t.now)).bearer_auth(&t.coordinator).reply()
    };
    get(String::new()).await.assert_validation(&[("with", "missing")]);
    get("?with=nonsense".into()).await.assert_validation(&[("with", "invalid_value")]);
    get(format!("?with={}", t.now)).await.assert_validation(&[("with", "invalid_value")]);
    get(format!("?with={}", uuid::Uuid::now_v7())).await.assert_error(404, "not_found");
    get(format!("?with={}&disclosure=secret", t.earlier))
        .await
        .assert_validation(&[("disclosure", "invalid_value")]);
    // A count still in training counted nobody: no base to compare with.
    let starts_at = hours_from_now(-12) - Duration::days(30);
    let training = json!({
        "name": "Oefentelling",
        "reference_date": starts_at.date_naive().to_string(),
        "starts_at": starts_at.to_rfc3339(),
        "ends_at": (starts_at + Duration::hours(24)).to_rfc3339(),
    });
    let training = t.app.post("/api/v1/counts").bearer_auth(&t.coordinator).json(&training).reply().await;
    get(format!("?with={}", id_of(&training.assert_status(201))))
        .await
        .assert_validation(&[("with", "invalid_value")]);
    // The earlier count compared with a later one is refused: the comparison reads backwards.
    let backwards = format!("/api/v1/counts/{}/comparison?with={}", t.earlier, t.now);
    t.app
        .get(&backwards)
        .bearer_auth(&t.coordinator)
        .reply()
        .await
        .assert_validation(&[("with", "invalid_value")]);
}

#[tokio::test]
async fn devices_and_strangers_get_no_comparison() {
    let t = two_counts().await;
    let path = format!("/api/v1/counts/{}/comparison?with={}", t.now, t.earlier);
    t.app.get(&path).reply().await.assert_error(401, "unauthorized");
    let invite = t.app.create_invite(&t.coordinator, &t.now, "Inloop").await;
    let device = t.app.enroll(invite["code"].as_str().unwrap_or_default()).await;
    t.app.get(&path).bearer_auth(&device.token).reply().await.assert_error(403, "forbidden");
}

#[tokio::test]
async fn a_compared_table_downloads_as_csv_and_the_export_is_audited() {
    let t = two_counts().await;
    let base = format!("/api/v1/counts/{}/comparison.csv?with={}&table=by_gender", t.now, t.earlier);
    let reply = t.app.get(&format!("{base}&disclosure=internal")).bearer_auth(&t.coordinator).reply().await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert!(reply.headers["content-type"].to_str().unwrap().starts_with("text/csv"));
    let lines: Vec<&str> = reply.text.lines().collect();
    assert_eq!(lines[0], "gender,gender_naam,earlier,now,change,change_percent");
    assert!(lines.contains(&"man,man,6,9,3,50.0"), "{lines:?}");
    assert!(lines.contains(&"woman,vrouw,8,3,-5,-62.5"), "{lines:?}");
    assert!(lines.contains(&"other,anders,2,0,-2,-100.0"), "{lines:?}");
    assert_eq!(lines.last(), Some(&"total,totaal,16,12,-4,-25.0"));

    let public = t.app.get(&format!("{base}&sep=semicolon")).bearer_auth(&t.coordinator).reply().await;
    let header = "\u{feff}gender;gender_naam;earlier;now;change;change_percent";
    assert!(public.text.starts_with(header), "{}", public.text);
    assert!(
        public.text.contains("\nwoman;vrouw;8;<5;;\n"),
        "hidden now (primary), no change: {}",
        public.text
    );

    let bad = format!("/api/v1/counts/{}/comparison.csv?with={}&table=nonsense", t.now, t.earlier);
    t.app
        .get(&bad)
        .bearer_auth(&t.coordinator)
        .reply()
        .await
        .assert_validation(&[("table", "invalid_value")]);
    let actions = t.app.audit_actions(&t.coordinator, &t.now).await;
    assert_eq!(actions.iter().filter(|a| *a == "report.export").count(), 2, "{actions:?}");
}
