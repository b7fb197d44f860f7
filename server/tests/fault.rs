//! Faults during the count: the real `ethos` process killed with SIGKILL in the middle of a
//! sync storm, and an answer lost after the server committed. Every record a phone saw
//! acknowledged must be stored, and every record exactly once, once the phones have retried.
//!
//! Lives in the server package to run the real binary (`CARGO_BIN_EXE_ethos`). The short form
//! runs in CI; `ETHOS_FAULT_LONG=1` runs more devices, records and kills.

#![allow(clippy::unwrap_used)] // a test: a failed step should stop it loudly

use serde_json::{json, Value};
use std::collections::HashSet;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

mod common;

use common::{live_count, LiveCount, Server};

fn record(window_start: chrono::DateTime<chrono::FixedOffset>, n: u32) -> Value {
    json!({"id": uuid::Uuid::now_v7(), "revision": 1,
        "observed_at": window_start + chrono::Duration::minutes(i64::from(n % 60)),
        "municipality": "GM0935", "living_situation": "1.1", "origin": {"kind": "unknown"},
        "dedup_key": null,
        "profile": {"age_band": "unknown", "gender": "unknown", "household": "unknown", "children": "unknown",
            "duration": "unknown", "residence_status": "unknown", "income": "unknown",
            "care_needs": ["unknown"], "previous_facility": "unknown", "housing_need": "unknown"}})
}

/// A phone: sends its queue in batches until every record is acknowledged, retrying through
/// connection errors; returns the ids it saw acknowledged and how many sends failed.
async fn phone(base: String, token: String, records: Vec<Value>, batch: usize) -> (HashSet<String>, usize) {
    let http = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().expect("a client");
    let mut queue = records;
    let mut acknowledged = HashSet::new();
    let mut failures = 0;
    let deadline = Instant::now() + Duration::from_secs(120);
    while !queue.is_empty() {
        assert!(Instant::now() < deadline, "the phone could not empty its queue");
        let chunk: Vec<Value> = queue.iter().take(batch).cloned().collect();
        let sent = http
            .post(format!("{base}/api/v1/sync"))
            .bearer_auth(&token)
            .json(&json!({"records": chunk}))
            .send()
            .await;
        let Ok(answer) = sent else {
            failures += 1;
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        if !answer.status().is_success() {
            failures += 1;
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        }
        let Ok(body) = answer.json::<Value>().await else {
            failures += 1;
            continue;
        };
        for result in body["results"].as_array().expect("results") {
            let status = result["status"].as_str().unwrap_or_default();
            assert!(matches!(status, "stored" | "unchanged"), "unexpected result {result}");
            acknowledged.insert(result["id"].as_str().unwrap_or_default().to_string());
        }
        queue.retain(|r| !acknowledged.contains(r["id"].as_str().unwrap_or_default()));
    }
    (acknowledged, failures)
}

async fn stored_ids(base: &str, token: &str, count_id: &str) -> Vec<String> {
    let http = reqwest::Client::new();
    let mut ids = Vec::new();
    let mut after = String::new();
    loop {
        let page: Value = http
            .get(format!("{base}/api/v1/counts/{count_id}/records?limit=1000&after={after}"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for item in page["items"].as_array().expect("items") {
            ids.push(item["id"].as_str().unwrap_or_default().to_string());
        }
        match page["next_after"].as_str() {
            Some(next) => after = next.to_string(),
            None => return ids,
        }
    }
}

#[tokio::test]
async fn sigkill_in_a_sync_storm_loses_no_acknowledged_record_and_stores_each_once() {
    let long = std::env::var("ETHOS_FAULT_LONG").is_ok();
    let (devices, per_device, kills) = if long { (20, 1000, 5) } else { (5, 400, 2) };
    let mut server = Server::start().await;
    let base = server.root.clone();
    let http = reqwest::Client::new();
    let LiveCount { token, count_id, devices: device_tokens, window_start: window } =
        live_count(&http, &base, devices).await;

    let mut all_ids = HashSet::new();
    let phones: Vec<_> = device_tokens
        .into_iter()
        .enumerate()
        .map(|(d, t)| {
            let records: Vec<Value> =
                (0..per_device).map(|n| record(window, (d * per_device + n) as u32)).collect();
            all_ids.extend(records.iter().map(|r| r["id"].as_str().unwrap_or_default().to_string()));
            tokio::spawn(phone(base.clone(), t, records, 10))
        })
        .collect();
    // Kill when the storm is well under way: after a share of the records is stored.
    let total = all_ids.len();
    for k in 0..kills {
        let threshold = total * (k + 1) / (kills + 1);
        let give_up = Instant::now() + Duration::from_secs(60);
        loop {
            assert!(Instant::now() < give_up, "the storm stalled before {threshold} records were stored");
            let stored = http
                .get(format!("{base}/api/v1/counts/{count_id}/dashboard"))
                .bearer_auth(&token)
                .send()
                .await
                .ok()
                .filter(|r| r.status().is_success());
            let n = match stored {
                Some(r) => {
                    r.json::<Value>().await.map(|d| d["records_total"].as_u64().unwrap_or(0)).unwrap_or(0)
                }
                None => 0,
            };
            if n as usize >= threshold {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        server.kill_and_restart().await;
    }
    let mut acknowledged = HashSet::new();
    let mut failures = 0;
    for p in phones {
        let (ids, failed) = p.await.expect("the phone finished");
        acknowledged.extend(ids);
        failures += failed;
    }
    assert!(failures > 0, "the kills must have hit syncs in flight, or this test proves nothing");

    let ids = stored_ids(&base, &token, &count_id).await;
    let unique: HashSet<String> = ids.iter().cloned().collect();
    assert_eq!(ids.len(), unique.len(), "a record is stored twice");
    assert_eq!(acknowledged, all_ids, "every record was acknowledged in the end");
    assert_eq!(unique, all_ids, "every acknowledged record is stored, and nothing else");
}

/// Forwards one connection to the server and drops the server's answer: the request is
/// handled and committed, the phone sees a broken connection.
async fn answer_dropping_proxy(server: SocketAddr) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut phone, _) = listener.accept().await.unwrap();
        let mut upstream = tokio::net::TcpStream::connect(server).await.unwrap();
        let mut request = vec![0u8; 1 << 20];
        let n = phone.read(&mut request).await.unwrap();
        upstream.write_all(&request[..n]).await.unwrap();
        // Wait for the server's answer (so the commit happened), then drop both sides.
        let mut answer = vec![0u8; 1 << 16];
        let _ = upstream.read(&mut answer).await;
        drop(phone);
    });
    addr
}

#[tokio::test]
async fn an_answer_lost_after_the_commit_is_unchanged_on_resend_and_stored_once() {
    let server = Server::start().await;
    let (base, port) = (server.root.clone(), server.port);
    let LiveCount { token, count_id, devices, window_start: window } =
        live_count(&reqwest::Client::new(), &base, 1).await;
    let rec = record(window, 1);

    let proxy = answer_dropping_proxy(([127, 0, 0, 1], port).into()).await;
    let lost = reqwest::Client::new()
        .post(format!("http://{proxy}/api/v1/sync"))
        .bearer_auth(&devices[0])
        .json(&json!({"records": [rec.clone()]}))
        .send()
        .await;
    assert!(lost.is_err(), "the proxy must drop the answer");

    let resend: Value = reqwest::Client::new()
        .post(format!("{base}/api/v1/sync"))
        .bearer_auth(&devices[0])
        .json(&json!({"records": [rec.clone()]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(resend["results"][0]["status"], "unchanged", "{resend}");
    assert_eq!(stored_ids(&base, &token, &count_id).await, vec![rec["id"].as_str().unwrap().to_string()]);
    drop(server);
}
