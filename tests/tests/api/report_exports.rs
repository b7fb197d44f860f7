//! What the policy writer takes away: the summary (`GET …/summary`), the whole report as Word
//! (`…/report.docx`) and Excel (`…/report.xlsx`), the comparison in both, and the Dutch names
//! beside the codes in the CSVs. The files are read back (the workbook with calamine, the Word
//! file unzipped) and every figure in them is held against the report JSON of the same
//! disclosure; LibreOffice converting both to PDF checks that they open.

use chrono::Duration;
use ethos_tests::{hours_from_now, id_of, record_at, spawn_app, SendExt, TestApp};
use serde_json::{json, Value};

mod demo;
mod downloads;
mod more;
mod read;

/// A live count whose window lies `days_ago` days back, with a device; (count id, token).
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

/// `n` persons alike: counted in `municipality`, living situation `situation`, from `origin`
/// (a CBS code or `abroad`), of `gender`, with `children` children.
fn persons(
    n: usize,
    municipality: &str,
    situation: &str,
    origin: &str,
    gender: &str,
    children: u32,
    days_ago: i64,
) -> Vec<Value> {
    (0..n)
        .map(|_| {
            let mut r = record_at(hours_from_now(-1) - Duration::days(days_ago));
            r["municipality"] = json!(municipality);
            r["living_situation"] = json!(situation);
            r["origin"] = match origin {
                "abroad" => json!({"kind": "abroad"}),
                code => json!({"kind": "municipality", "code": code}),
            };
            r["profile"]["gender"] = json!(gender);
            r["profile"]["children"] = json!(children);
            r
        })
        .collect()
}

struct Counts {
    app: TestApp,
    coordinator: String,
    analyst: String,
    now: String,
    earlier: String,
}

/// Now: 53 persons with small cells (Meerssen 3, from Sittard-Geleen 3); a year before: 26.
async fn counts() -> Counts {
    let app = spawn_app().await;
    let coordinator = app.coordinator().await;
    let analyst = app.analyst().await;
    let (earlier, earlier_device) = live_count(&app, &coordinator, "Telling 2025", 365).await;
    let (now, device) = live_count(&app, &coordinator, "Telling 2026", 0).await;
    let mut records = persons(30, "GM0935", "1.1", "GM0935", "man", 0, 0);
    records.extend(persons(12, "GM0935", "8.1", "GM0917", "woman", 1, 0));
    records.extend(persons(8, "GM0981", "2.1", "abroad", "man", 0, 0));
    records.extend(persons(3, "GM0938", "1.1", "GM1883", "woman", 2, 0));
    app.sync(&device, &records).await;
    let mut before = persons(20, "GM0935", "1.1", "GM0935", "man", 0, 365);
    before.extend(persons(6, "GM0935", "1.1", "GM0917", "woman", 0, 365));
    app.sync(&earlier_device, &before).await;
    Counts { app, coordinator, analyst, now, earlier }
}

async fn bytes(app: &TestApp, token: &str, path: &str) -> (u16, String, Vec<u8>) {
    let reply = app.get(path).bearer_auth(token).send().await.expect("an answer");
    let status = reply.status().as_u16();
    let kind =
        reply.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    (status, kind, reply.bytes().await.expect("a body").to_vec())
}

async fn report(c: &Counts, disclosure: &str) -> Value {
    let path = format!("/api/v1/counts/{}/report?disclosure={disclosure}", c.now);
    c.app.get(&path).bearer_auth(&c.analyst).reply().await.assert_status(200)
}

/// A figure of the report JSON as the downloads write it.
fn cell_text(persons: &Value, suppressed: &Value) -> String {
    match (persons.as_u64(), suppressed.as_str()) {
        (Some(n), _) => n.to_string(),
        (None, Some("primary")) => "<5".into(),
        (None, _) => "x".into(),
    }
}

fn tables(report: &Value) -> &[Value] {
    report["tables"].as_array().map(Vec::as_slice).unwrap_or_default()
}

fn dims(table: &Value) -> Vec<String> {
    table["dimensions"]
        .as_array()
        .map(|d| d.iter().filter_map(|v| v.as_str().map(String::from)).collect())
        .unwrap_or_default()
}

// --- the summary ---------------------------------------------------------------------------

/// Every whole number in `text`.
fn numbers(text: &str) -> Vec<u64> {
    text.split(|c: char| !c.is_ascii_digit())
        .filter(|w| !w.is_empty())
        .filter_map(|w| w.parse().ok())
        .collect()
}

/// Every number the report JSON shows (headline, youth, table cells and totals).
fn shown_numbers(report: &Value) -> Vec<u64> {
    let mut shown: Vec<u64> =
        ["persons_total", "accompanying_children", "persons_including_children", "youth_18_26"]
            .iter()
            .filter_map(|f| report[*f].as_u64())
            .collect();
    for t in tables(report) {
        shown.extend(t["total"].as_u64());
        shown.extend(t["rows"].as_array().into_iter().flatten().filter_map(|r| r["persons"].as_u64()));
    }
    shown
}

#[tokio::test]
async fn the_summary_says_only_numbers_the_report_of_its_disclosure_shows() {
    let c = counts().await;
    for disclosure in ["internal", "public"] {
        let report = report(&c, disclosure).await;
        let path = format!("/api/v1/counts/{}/summary?disclosure={disclosure}", c.now);
        let s = c.app.get(&path).bearer_auth(&c.coordinator).reply().await.assert_status(200);
        assert_eq!(s["disclosure"], disclosure);
        let f = &s["figures"];
        for figure in ["persons_total", "accompanying_children", "persons_including_children"] {
            assert_eq!(f[figure], report[figure], "{disclosure} {figure}");
        }
        let municipality =
            tables(&report).iter().find(|t| t["id"] == "by_municipality").expect("by_municipality");
        let maastricht = municipality["rows"]
            .as_array()
            .and_then(|r| r.iter().find(|r| r["key"]["municipality"] == "GM0935"))
            .expect("Maastricht");
        assert_eq!(f["largest_municipality"]["persons"], maastricht["persons"], "{disclosure}");
        let shown = shown_numbers(&report);
        let sentences: Vec<String> = s["sentences"]
            .as_array()
            .expect("sentences")
            .iter()
            .filter_map(|v| v.as_str().map(String::from))
            .collect();
        assert!(sentences.len() >= 3, "{sentences:?}");
        assert!(
            sentences[0]
                .contains(&format!("{} mensen dak- of thuisloos", report["persons_including_children"])),
            "{sentences:?}"
        );
        for sentence in &sentences {
            for n in numbers(sentence) {
                let other = sentence.contains(&format!("{n} procent"))
                    || sentence.contains(&format!("telgroep {n} ("))
                    || sentence.contains("van 18 tot en met 26 jaar") && [18, 26].contains(&n)
                    || sentence.contains("peildatum (")
                        && report["count"]["reference_date"]
                            .as_str()
                            .is_some_and(|d| numbers(d).contains(&n) || n <= 31)
                    || sentence.contains("95 %-marge")
                    || sentence.contains("geschat");
                assert!(
                    shown.contains(&n) || other,
                    "{disclosure}: {n} in {sentence:?} is not a shown figure"
                );
            }
        }
        if disclosure == "public" {
            // Meerssen (3) and the persons from Sittard-Geleen (3) are hidden: never said.
            assert!(
                sentences.iter().all(|s| !s.contains("Meerssen") && !s.contains("Sittard")),
                "{sentences:?}"
            );
        }
    }
    let en = format!("/api/v1/counts/{}/summary?disclosure=internal&lang=en", c.now);
    let en = c.app.get(&en).bearer_auth(&c.analyst).reply().await.assert_status(200);
    assert!(en["sentences"][0].as_str().is_some_and(|s| s.starts_with("On the reference date")), "{en}");
    let bad = format!("/api/v1/counts/{}/summary?lang=fr", c.now);
    c.app.get(&bad).bearer_auth(&c.analyst).reply().await.assert_validation(&[("lang", "invalid_value")]);
}
