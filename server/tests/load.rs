//! Load: many phones syncing at once against the real `ethos` binary over loopback. Bounded in
//! time and stops by itself. Short form in CI (300 devices, 5 s); `ETHOS_LOAD_SECS=60` for the
//! long form. Prints p50/p99 latency; fails on any error or non-200 answer.

#![allow(clippy::unwrap_used)] // a test: a failed step should stop it loudly

use serde_json::{json, Value};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const PASSWORD: &str = "load-test-password";

fn record(start: chrono::DateTime<chrono::FixedOffset>, n: u64) -> Value {
    json!({"id": uuid::Uuid::now_v7(), "revision": 1,
        "observed_at": start + chrono::Duration::seconds((n % 3600) as i64),
        "municipality": "GM0935", "living_situation": "2.1", "origin": {"kind": "abroad"},
        "dedup_key": null,
        "profile": {"age_band": "30-39", "gender": "man", "household": "alone", "children": 0,
            "duration": "1-3m", "residence_status": "eu", "income": "none",
            "care_needs": ["addiction"], "previous_facility": "none", "housing_need": "housing_first"}})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_hundred_phones_sync_at_once_without_a_single_error() {
    let secs: u64 = std::env::var("ETHOS_LOAD_SECS").ok().and_then(|s| s.parse().ok()).unwrap_or(5);
    let devices = 300;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ethos.db");
    ethos_server::cli::add_user(&db, "coordinator", ethos_shared::api::Role::Coordinator, PASSWORD)
        .await
        .unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut server = Command::new(env!("CARGO_BIN_EXE_ethos"))
        .args(["serve", "--db", db.to_str().unwrap(), "--bind", &format!("127.0.0.1:{port}")])
        .env("ETHOS_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}/api/v1");
    let http = reqwest::Client::builder().pool_max_idle_per_host(devices).build().unwrap();
    let mut up = false;
    for _ in 0..200 {
        if http.get(format!("http://127.0.0.1:{port}/healthz")).send().await.is_ok() {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(up, "the server came up");

    let login: Value = http
        .post(format!("{base}/login"))
        .json(&json!({"username": "coordinator", "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["token"].as_str().unwrap().to_string();
    let start = (chrono::Utc::now() - chrono::Duration::hours(2)).fixed_offset();
    let count: Value = http.post(format!("{base}/counts")).bearer_auth(&token)
        .json(&json!({"name": "Load", "reference_date": start.date_naive(), "starts_at": start, "ends_at": start + chrono::Duration::hours(24)}))
        .send().await.unwrap().json().await.unwrap();
    let count_id = count["id"].as_str().unwrap().to_string();
    http.post(format!("{base}/counts/{count_id}/status"))
        .bearer_auth(&token)
        .json(&json!({"status": "live"}))
        .send()
        .await
        .unwrap();
    let invite: Value = http
        .post(format!("{base}/counts/{count_id}/invites"))
        .bearer_auth(&token)
        .json(&json!({"organisation": "Load"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut tokens = Vec::new();
    for _ in 0..devices {
        let device: Value = http
            .post(format!("{base}/enroll"))
            .json(&json!({"code": invite["code"]}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        tokens.push(device["device_token"].as_str().unwrap().to_string());
    }

    let deadline = Instant::now() + Duration::from_secs(secs);
    let phones: Vec<_> = tokens
        .into_iter()
        .map(|t| {
            let (http, base) = (http.clone(), base.clone());
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut n = 0u64;
                while Instant::now() < deadline {
                    let batch: Vec<Value> = (0..10).map(|i| record(start, n + i)).collect();
                    n += 10;
                    let sent = Instant::now();
                    let answer = http
                        .post(format!("{base}/sync"))
                        .bearer_auth(&t)
                        .json(&json!({"records": batch}))
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(answer.status(), 200, "{:?}", answer.text().await);
                    let body: Value = answer.json().await.unwrap();
                    latencies.push(sent.elapsed());
                    assert!(
                        body["results"].as_array().unwrap().iter().all(|r| r["status"] == "stored"),
                        "{body}"
                    );
                }
                (latencies, n)
            })
        })
        .collect();
    let mut latencies = Vec::new();
    let mut sent = 0;
    for p in phones {
        let (l, n) = p.await.unwrap();
        latencies.extend(l);
        sent += n;
    }
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 - 1.0) * p) as usize];
    println!(
        "load: {devices} devices, {secs} s: {} syncs, {sent} records stored, p50 {:?}, p99 {:?}, max {:?}",
        latencies.len(),
        pct(0.5),
        pct(0.99),
        latencies.last().unwrap()
    );

    let dashboard: Value = http
        .get(format!("{base}/counts/{count_id}/dashboard"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(dashboard["records_total"], sent, "every acknowledged record is stored");
    server.kill().ok();
    server.wait().ok();
}
