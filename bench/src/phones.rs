//! `ethos-bench phones [--phones N] [--secs S]`: N phones (default 3,000) each sending 1–5 new
//! records every ~2 s (1.8–2.2 s, a random start in the first 2 s) for S seconds (default 30),
//! over loopback, to a real server on threads of its own. The phones are tasks of ONE
//! single-threaded tokio runtime on the main thread with one shared HTTP client, and the
//! benchmark prints that thread's CPU share to show it is not the bottleneck. Every loop is
//! bounded by the deadline (and each request by a 30 s timeout), so it stops by itself.

use crate::server::{live_count, percentile, process_cpu_secs, thread_cpu_secs, BenchServer};
use ethos_shared::api::{SyncRequest, SyncResponse, SyncStatus};
use ethos_shared::record::Record;
use rand::{Rng, SeedableRng};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Default)]
struct Tally {
    sent: usize,
    served: usize,
    errors: usize,
    records: usize,
    latencies_ms: Vec<f64>,
    first_error: Option<String>,
}

pub async fn run(phones: usize, secs: u64) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let starts_at = (chrono::Utc::now() - chrono::Duration::hours(30)).fixed_offset();
    let syncs_per_phone = (secs as f64 / 1.8).ceil() as usize + 1;
    let records = Arc::new(ethos_bench::records(phones * syncs_per_phone * 5, 11, starts_at));
    let server = BenchServer::start(&dir.path().join("phones.db"), 2)?;
    let http =
        reqwest::Client::builder().timeout(Duration::from_secs(30)).pool_max_idle_per_host(1024).build()?;
    let enrolling = Instant::now();
    let tokens = live_count(&http, &server.base, starts_at, phones).await?;
    println!(
        "phones benchmark: {phones} phones enrolled in {:.1} s; each sends 1-5 records every ~2 s for {secs} s",
        enrolling.elapsed().as_secs_f64()
    );

    let url = Arc::new(format!("{}/sync", server.base));
    let next_record = Arc::new(AtomicUsize::new(0));
    let tally = Arc::new(Mutex::new(Tally::default()));
    let (client_cpu, process_cpu) = (thread_cpu_secs(), process_cpu_secs());
    let started = Instant::now();
    let deadline = started + Duration::from_secs(secs);
    let mut tasks = Vec::with_capacity(phones);
    for (i, token) in tokens.into_iter().enumerate() {
        let (http, url, records, next_record, tally) = (
            http.clone(),
            Arc::clone(&url),
            Arc::clone(&records),
            Arc::clone(&next_record),
            Arc::clone(&tally),
        );
        tasks.push(tokio::spawn(async move {
            let mut rng = rand::rngs::StdRng::seed_from_u64(i as u64);
            let mut next = started + Duration::from_millis(rng.gen_range(0..2000));
            while next < deadline {
                tokio::time::sleep_until(next.into()).await;
                let n = rng.gen_range(1..=5);
                let from = next_record.fetch_add(n, Ordering::Relaxed);
                let Some(batch) = records.get(from..from + n) else { break };
                let sent = Instant::now();
                let outcome = sync(&http, &url, &token, batch).await;
                let ms = sent.elapsed().as_secs_f64() * 1000.0;
                if let Ok(mut t) = tally.lock() {
                    t.sent += 1;
                    match outcome {
                        Ok(()) => {
                            t.served += 1;
                            t.records += n;
                            t.latencies_ms.push(ms);
                        }
                        Err(e) => {
                            t.errors += 1;
                            t.first_error.get_or_insert_with(|| format!("{e:#}"));
                        }
                    }
                }
                next += Duration::from_millis(rng.gen_range(1800..=2200));
                next = next.max(Instant::now());
            }
        }));
    }
    for task in tasks {
        task.await?;
    }
    let wall = started.elapsed().as_secs_f64();
    let client_cpu = thread_cpu_secs().zip(client_cpu).map(|(b, a)| b - a);
    let process_cpu = process_cpu_secs().zip(process_cpu).map(|(b, a)| b - a);
    server.stop()?;

    let mut t = tally.lock().map_err(|_| anyhow::anyhow!("a phone task panicked"))?;
    t.latencies_ms.sort_by(f64::total_cmp);
    let asked = phones as f64 / 2.0;
    println!(
        "syncs/s asked ~{asked:.0} (nominal), sent {:.0}, served {:.0}; {} syncs sent, {} served, {} records stored, {} errors",
        t.sent as f64 / wall,
        t.served as f64 / wall,
        t.sent,
        t.served,
        t.records,
        t.errors
    );
    println!(
        "latency per sync: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        percentile(&t.latencies_ms, 50.0),
        percentile(&t.latencies_ms, 99.0),
        t.latencies_ms.last().copied().unwrap_or(f64::NAN)
    );
    if let (Some(client), Some(process)) = (client_cpu, process_cpu) {
        println!(
            "CPU over {wall:.1} s: the phones' client thread {:.0} % of one core; the server {:.0} % (of 2 cores = 200 %)",
            client / wall * 100.0,
            (process - client) / wall * 100.0
        );
    }
    if let Some(e) = &t.first_error {
        println!("first error: {e}");
    }
    Ok(())
}

async fn sync(http: &reqwest::Client, url: &str, token: &str, records: &[Record]) -> anyhow::Result<()> {
    let body = serde_json::to_vec(&SyncRequest { records: records.to_vec(), unsynced: Some(0) })?;
    let answer: SyncResponse = http
        .post(url)
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    anyhow::ensure!(
        answer.results.len() == records.len()
            && answer.results.iter().all(|r| r.status == SyncStatus::Stored),
        "not every record stored"
    );
    Ok(())
}
