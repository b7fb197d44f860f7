//! Load: many phones syncing at once against the real `ethos` binary over loopback. Bounded in
//! time and stops by itself. Short form in CI (300 devices, 5 s); `ETHOS_LOAD_SECS=60` for the
//! long form. Prints p50/p99 latency; fails on any error or non-200 answer.

#![allow(clippy::unwrap_used)] // a test: a failed step should stop it loudly

mod common;

use common::{live_count, LiveCount, Server};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

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
    let server = Server::start().await;
    let base = format!("{}/api/v1", server.root);
    let http = reqwest::Client::builder().pool_max_idle_per_host(devices).build().unwrap();
    let LiveCount { token, count_id, devices: tokens, window_start: start } =
        live_count(&http, &server.root, devices).await;

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
    drop(server);
}
