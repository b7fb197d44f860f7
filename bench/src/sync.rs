//! `ethos-bench sync [--records N] [--random-ids]`: N generated records through `POST /api/v1/sync` in batches
//! of 500, first from one device, then N other records from 4 devices at once, beside the raw
//! SQLite baseline of [`crate::raw`] over the same rows, in the same run.

use crate::server::{live_count, percentile, process_cpu_secs, BenchServer};
use anyhow::ensure;
use ethos_shared::api::{SyncRequest, SyncResponse, SyncStatus, MAX_SYNC_RECORDS};
use ethos_shared::record::Record;
use std::time::Instant;

/// Records/s over the whole run, the batches' latencies in ms (sorted), and the CPU time the
/// whole process (client and server, or the raw inserts) used per record, in µs: unlike the
/// rates, that does not depend on what else runs on the machine.
struct Run {
    rate: f64,
    batch_ms: Vec<f64>,
    cpu_us: f64,
}

impl Run {
    fn new(records: usize, secs: f64, mut batch_secs: Vec<f64>, cpu_secs: f64) -> Run {
        batch_secs.sort_by(f64::total_cmp);
        Run {
            rate: records as f64 / secs,
            batch_ms: batch_secs.iter().map(|s| s * 1000.0).collect(),
            cpu_us: cpu_secs / records as f64 * 1e6,
        }
    }

    fn print(&self, name: &str) {
        println!(
            "{name:<58} {:>9.0} {:>8.1} {:>8.1} {:>11.1}",
            self.rate,
            percentile(&self.batch_ms, 50.0),
            percentile(&self.batch_ms, 99.0),
            self.cpu_us
        );
    }
}

/// CPU seconds of the process since `since`.
fn cpu_since(since: Option<f64>) -> f64 {
    process_cpu_secs().zip(since).map_or(f64::NAN, |(now, then)| now - then)
}

pub async fn run(n: usize, random_ids: bool) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let starts_at = (chrono::Utc::now() - chrono::Duration::hours(30)).fixed_offset();
    let mut records = ethos_bench::records(n, 42, starts_at);
    let mut others = ethos_bench::records(n, 43, starts_at);
    // Sent after the first set: recorded later, so their ids come after it (as the raw
    // baseline's only ever do).
    ethos_bench::recorded_the_next_day(&mut others, starts_at, 43);
    if random_ids {
        ethos_bench::with_random_ids(&mut records, 42);
        ethos_bench::with_random_ids(&mut others, 43);
    }
    let ids = if random_ids { "random ids" } else { "v7 ids in recording order, as phones make them" };
    println!("sync benchmark: {n} generated records ({ids}), batches of {MAX_SYNC_RECORDS}, then {n} more from 4 devices at once");

    let cpu = process_cpu_secs();
    let raw = crate::raw::insert(&dir.path().join("raw.db"), &records, true, 1).await?;
    let raw = Run::new(n, raw.batch_secs.iter().sum(), raw.batch_secs, cpu_since(cpu));

    let server = BenchServer::start(&dir.path().join("http.db"), 2)?;
    let http = reqwest::Client::new();
    let tokens = live_count(&http, &server.base, starts_at, 5).await?;
    let url = format!("{}/sync", server.base);

    let one_bodies = bodies(&records)?;
    let (started, cpu) = (Instant::now(), process_cpu_secs());
    let latencies = send(&http, &url, &tokens[0], one_bodies).await?;
    let one = Run::new(n, started.elapsed().as_secs_f64(), latencies, cpu_since(cpu));

    let share = n.div_ceil(4).max(1);
    let four_bodies = others.chunks(share).map(bodies).collect::<anyhow::Result<Vec<_>>>()?;
    let (started, cpu) = (Instant::now(), process_cpu_secs());
    let phones =
        four_bodies.into_iter().zip(&tokens[1..]).map(|(part, token)| send(&http, &url, token, part));
    let mut latencies = Vec::new();
    for result in futures_util::future::join_all(phones).await {
        latencies.extend(result?);
    }
    let four = Run::new(n, started.elapsed().as_secs_f64(), latencies, cpu_since(cpu));
    server.stop()?;

    println!("{:<58} {:>9} {:>8} {:>8} {:>11}", "", "records/s", "p50 ms", "p99 ms", "CPU µs/rec");
    raw.print("raw SQLite: multi-row INSERT, 1 tx/batch, WAL, sync=FULL");
    one.print("ours: POST /api/v1/sync, 1 device");
    four.print("ours: POST /api/v1/sync, 4 devices at once");
    println!(
        "ratio ours / raw SQLite: 1 device {:.2}, 4 devices {:.2}",
        one.rate / raw.rate,
        four.rate / raw.rate
    );
    Ok(())
}

/// The sync bodies of the records in batches of 500, as a phone serialises them. That is the
/// phone's work, not the server's, so it is done before any clock starts.
fn bodies(records: &[Record]) -> anyhow::Result<Vec<Vec<u8>>> {
    records
        .chunks(MAX_SYNC_RECORDS)
        .map(|c| Ok(serde_json::to_vec(&SyncRequest { records: c.to_vec(), unsynced: Some(0) })?))
        .collect()
}

/// Sends the bodies one after the other, as one phone; the latency of each.
async fn send(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    bodies: Vec<Vec<u8>>,
) -> anyhow::Result<Vec<f64>> {
    let mut latencies = Vec::with_capacity(bodies.len());
    for body in bodies {
        let started = Instant::now();
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
        latencies.push(started.elapsed().as_secs_f64());
        ensure!(answer.results.iter().all(|r| r.status == SyncStatus::Stored), "not all stored");
    }
    Ok(latencies)
}
