//! `cargo run --release -p ethos-bench -- sync [--records N] [--random-ids]`: N generated records through
//! `POST /api/v1/sync` (batches of 500; one device, then 4 devices at once; a real server on
//! loopback) beside a raw SQLite baseline inserting the same rows (see `sync.rs`, `raw.rs`).
//!
//! `cargo run --release -p ethos-bench -- phones [--phones N] [--secs S]`: N phones syncing a few
//! records every ~2 s (see `phones.rs`).
//!
//! `cargo run --release -p ethos-bench -- report --records 1000000 [--db PATH] [--runs R]` times the full
//! report (R times, with the fastest, median and slowest) over N records against plain SQL GROUP BY queries over the same database (see `report.rs`).

mod phones;
mod raw;
mod report;
mod server;
mod sync;

use ethos_shared::report::Disclosure;
use std::time::Instant;

/// The value after `--name`, parsed, or `default`.
fn arg<T: std::str::FromStr>(args: &[String], name: &str, default: T) -> anyhow::Result<T>
where
    T::Err: std::fmt::Display,
{
    match args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)) {
        Some(v) => v.parse().map_err(|e| anyhow::anyhow!("{name} {v}: {e}")),
        None => Ok(default),
    }
}

/// One thread: the phones benchmark measures its client's CPU on it (the server runs on
/// threads of its own).
#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n = arg(&args, "--records", 100_000usize)?;
    match args.first().map(String::as_str) {
        Some("sync") => sync::run(n, args.iter().any(|a| a == "--random-ids")).await,
        Some("phones") => {
            phones::run(arg(&args, "--phones", 3_000usize)?, arg(&args, "--secs", 30u64)?).await
        }
        Some("report") => {
            let db = args.iter().position(|a| a == "--db").and_then(|i| args.get(i + 1)).map(Into::into);
            report::run(n, db, arg(&args, "--runs", 1usize)?).await
        }
        Some("estimate") => estimate(),
        _ => {
            eprintln!(
                "usage: ethos-bench sync [--random-ids]|report [--db PATH] [--runs R]|estimate [--records N] | phones [--phones N] [--secs S]"
            );
            std::process::exit(2);
        }
    }
}

/// `estimate`: the whole estimate — model choice by AIC and the 999-sample bootstrap that
/// chooses the model again in every sample — for a region (500 persons, 4 independent sources:
/// all 64 models per sample) and a national round (40,000 persons, 5 sources: stepwise search).
fn estimate() -> anyhow::Result<()> {
    use ethos_shared::estimate::{estimate, Captures, SourceBy};
    use rand::{Rng, SeedableRng};
    let sources = ["care", "community", "municipality", "outreach", "shelter"];
    let probabilities = [0.35, 0.2, 0.3, 0.25, 0.4];
    for (k, truth) in [(4, 500), (5, 40_000)] {
        let mut rng = rand::rngs::StdRng::seed_from_u64(5);
        let mut people: Vec<Vec<&str>> = Vec::new();
        for _ in 0..truth {
            let seen: Vec<&str> = sources[..k]
                .iter()
                .zip(probabilities)
                .filter(|(_, p)| rng.gen_bool(*p))
                .map(|(s, _)| *s)
                .collect();
            if !seen.is_empty() {
                people.push(seen);
            }
        }
        let captures = Captures::from_people(people.iter().map(|s| (true, s.iter().copied())));
        let started = Instant::now();
        let result = estimate(&captures, SourceBy::OrganisationType, Disclosure::Internal);
        let secs = started.elapsed().as_secs_f64();
        let result = result.map_err(|e| anyhow::anyhow!("no estimate: {e:?}"))?;
        println!(
            "estimate: {} persons observed over {k} sources, 999-sample bootstrap: {secs:.3} s (truth {truth}, estimate {:.0})",
            people.len(),
            result.estimate
        );
    }
    Ok(())
}
