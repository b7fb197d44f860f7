//! Slow and idle clients against the real `ethos` binary: 800 connections that send nothing,
//! send a request head a byte at a time (slowloris) or a body a byte at a time are all closed
//! within the timeouts, while a phone's sync keeps answering within a second — also when the
//! server may open only 256 files (run under `prlimit`), where the connection cap and the
//! closing of idle connections for new ones are what keep it serving.

#![allow(clippy::unwrap_used)] // a test: a failed step should stop it loudly

mod common;

use common::{live_count, LiveCount, PASSWORD};
use serde_json::{json, Value};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const HEADER_TIMEOUT: Duration = Duration::from_secs(2);
const BODY_TIMEOUT: Duration = Duration::from_secs(3);

struct Server {
    child: Child,
    root: String,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The server with 2 s for a head and 3 s for a body; with `open_files`, under that limit
/// (soft and hard, so it cannot raise it).
async fn start(open_files: Option<u32>) -> Option<Server> {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ethos.db");
    ethos_server::cli::add_user(&db, "coordinator", ethos_shared::api::Role::Coordinator, PASSWORD)
        .await
        .unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut command = match open_files {
        Some(n) => {
            if Command::new("prlimit").arg("--version").stdout(Stdio::null()).status().is_err() {
                eprintln!("skipped: prlimit (util-linux) is not installed");
                return None;
            }
            let mut c = Command::new("prlimit");
            c.arg(format!("--nofile={n}:{n}")).arg("--").arg(env!("CARGO_BIN_EXE_ethos"));
            c
        }
        None => Command::new(env!("CARGO_BIN_EXE_ethos")),
    };
    let child = command
        .args(["serve", "--db", db.to_str().unwrap(), "--bind", &format!("127.0.0.1:{port}")])
        .args(["--header-timeout-secs", "2", "--body-timeout-secs", "3"])
        .arg("--web-dir")
        .arg(dir.path().join("no-web"))
        .env("ETHOS_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let server = Server { child, root: format!("http://127.0.0.1:{port}"), port, _dir: dir };
    let client = reqwest::Client::new();
    for _ in 0..200 {
        if client.get(format!("{}/healthz", server.root)).send().await.is_ok_and(|r| r.status().is_success())
        {
            return Some(server);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the server did not come up");
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Idle,
    Slowloris,
    SlowBody,
}

/// One hostile connection; returns how long the server kept it open (None: it could not even
/// connect, which counts as closed at once).
async fn hostile(port: u16, kind: Kind) -> Option<Duration> {
    let opened = Instant::now();
    let mut stream = tokio::time::timeout(Duration::from_secs(10), TcpStream::connect(("127.0.0.1", port)))
        .await
        .ok()?
        .ok()?;
    let mut drip: Vec<u8> = match kind {
        Kind::Idle => Vec::new(),
        Kind::Slowloris => b"POST /api/v1/sync HTTP/1.1\r\nHost: x\r\nX-Slow: ".to_vec(),
        Kind::SlowBody => {
            let head = b"POST /api/v1/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n";
            stream.write_all(head).await.ok()?;
            b"{\"username\":\"".to_vec()
        }
    };
    drip.extend(std::iter::repeat_n(b'a', 100));
    let mut buf = [0u8; 1024];
    let mut next = 0;
    loop {
        // Until the server closes: read (0 bytes or an error is the close); meanwhile one byte
        // every 300 ms for the slow kinds.
        tokio::select! {
            read = stream.read(&mut buf) => match read {
                Ok(0) | Err(_) => return Some(opened.elapsed()),
                Ok(_) => {} // an answer (408) comes before the close
            },
            () = tokio::time::sleep(Duration::from_millis(300)) => {
                if let Some(byte) = drip.get(next) {
                    if stream.write_all(&[*byte]).await.is_err() {
                        return Some(opened.elapsed());
                    }
                    next += 1;
                }
            }
        }
        if opened.elapsed() > Duration::from_secs(60) {
            return Some(opened.elapsed());
        }
    }
}

fn record(start: chrono::DateTime<chrono::FixedOffset>) -> Value {
    json!({"id": uuid::Uuid::now_v7(), "revision": 1, "observed_at": start + chrono::Duration::minutes(30),
        "municipality": "GM0935", "living_situation": "2.1", "origin": {"kind": "abroad"}, "dedup_key": null,
        "profile": {"age_band": "30-39", "gender": "man", "household": "alone", "children": 0,
            "duration": "1-3m", "residence_status": "eu", "income": "none",
            "care_needs": ["addiction"], "previous_facility": "none", "housing_need": "housing_first"}})
}

async fn eight_hundred_slow_clients_are_dropped_while_a_phone_syncs_within_a_second(open_files: Option<u32>) {
    // Arrange: a live count with one phone.
    let Some(server) = start(open_files).await else { return };
    let setup = reqwest::Client::new();
    let LiveCount { devices, window_start, .. } = live_count(&setup, &server.root, 1).await;
    let phone = devices[0].clone();

    // Act: 400 idle connections, 300 slowloris heads and 100 slow bodies, then the phone syncs
    // five times on fresh connections while they hang on.
    let started = Instant::now();
    let attackers: Vec<_> = (0..800)
        .map(|i| {
            let kind = match i % 8 {
                0..=3 => Kind::Idle,
                4..=6 => Kind::Slowloris,
                _ => Kind::SlowBody,
            };
            (kind, tokio::spawn(hostile(server.port, kind)))
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut syncs = Vec::new();
    for _ in 0..5 {
        let fresh = reqwest::Client::builder().pool_max_idle_per_host(0).build().unwrap();
        let sent = Instant::now();
        let answer = fresh
            .post(format!("{}/api/v1/sync", server.root))
            .bearer_auth(&phone)
            .json(&json!({ "records": [record(window_start)] }))
            .timeout(Duration::from_secs(10))
            .send()
            .await;
        let took = sent.elapsed();
        let status = answer.map(|a| a.status().as_u16()).unwrap_or(0);
        syncs.push((status, took));
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let mut open_for = Vec::new();
    for (kind, task) in attackers {
        open_for.push((kind, task.await.unwrap()));
    }
    let health = reqwest::get(format!("{}/healthz", server.root)).await.unwrap().status();

    // Assert: every sync answered 200 within a second (see below); every hostile connection was closed
    // within its timeout (plus slack for a loaded machine); the server still healthy.
    eprintln!("open files {open_files:?}: syncs {syncs:?}, all done after {:?}", started.elapsed());
    // Each sync waits for an fsync; on a shared 2-core machine one fsync can stall, so one of
    // the five may take up to 2 s, the others must answer within 1 s.
    for (status, took) in &syncs {
        assert_eq!(*status, 200, "{syncs:?}");
        assert!(*took < Duration::from_secs(2), "a sync took {took:?}: {syncs:?}");
    }
    let slow = syncs.iter().filter(|(_, took)| *took >= Duration::from_secs(1)).count();
    assert!(slow <= 1, "{slow} of 5 syncs took a second or more: {syncs:?}");
    let slack = Duration::from_secs(3);
    for (kind, open) in &open_for {
        let limit = match kind {
            Kind::Idle | Kind::Slowloris => HEADER_TIMEOUT + slack,
            Kind::SlowBody => BODY_TIMEOUT + slack,
        };
        if let Some(open) = open {
            assert!(*open <= limit, "a {kind:?} connection stayed open {open:?}");
        }
    }
    let longest = |k: Kind| open_for.iter().filter(|(kind, _)| *kind == k).filter_map(|(_, o)| *o).max();
    eprintln!(
        "longest open: idle {:?}, slowloris {:?}, slow body {:?}",
        longest(Kind::Idle),
        longest(Kind::Slowloris),
        longest(Kind::SlowBody)
    );
    assert_eq!(health, 200);
}

/// One storm at a time: the two tests measure latency on a 2-core machine.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_and_idle_connections_are_closed_within_the_timeouts_while_sync_answers_within_a_second() {
    let _alone = ONE_AT_A_TIME.lock().await;
    eight_hundred_slow_clients_are_dropped_while_a_phone_syncs_within_a_second(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_only_256_open_files_the_server_still_answers_sync_within_a_second() {
    let _alone = ONE_AT_A_TIME.lock().await;
    eight_hundred_slow_clients_are_dropped_while_a_phone_syncs_within_a_second(Some(256)).await;
}
