//! `ethos-bench report --records N [--db PATH]`: the full report over N records against plain
//! SQL GROUP BY queries over the same database, in the same run, and where its time goes.
//!
//! With `--db`, the database is kept at PATH and a later run over the same PATH reads it again
//! instead of generating and storing N records anew (minutes on a busy machine).

use anyhow::ensure;
use ethos_shared::counting::{person_heads, totals};
use ethos_shared::estimate::{Captures, ReportEstimate, SourceBy};
use ethos_shared::report::{build, Disclosure, ReportInput};
use sqlx::{sqlite::SqliteConnectOptions, ConnectOptions};
use std::path::PathBuf;
use std::time::Instant;
use uuid::Uuid;

/// `report`: the full report over N records against plain SQL GROUP BY queries, one per
/// dimension, over the same database in the same run.
pub async fn run(n: usize, keep: Option<PathBuf>, runs: usize) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let db = keep.unwrap_or_else(|| dir.path().join("report.db"));
    let count_id = match stored_count(&db).await? {
        Some((id, devices, kinds)) => {
            println!(
                "report benchmark: the records of {} ({devices} devices, {kinds} kinds of organisation)",
                db.display()
            );
            if kinds < 2 {
                println!(
                    "  (made by an earlier version: no estimate possible; remove the file to make it anew)"
                );
            }
            id
        }
        None => {
            let starts_at = (chrono::Utc::now() - chrono::Duration::hours(30)).fixed_offset();
            println!("report benchmark: generating {n} records ...");
            let records = ethos_bench::records(n, 7, starts_at);
            // Batches from 40 devices of 20 organisations of five kinds, as a real count has
            // them: the estimate is possible, and the scan meets a new device at every batch.
            crate::raw::insert(&db, &records, false, 40).await?.count_id
        }
    };
    let storage = ethos_server::storage::Storage::open(&db).await?;
    // Warm the page cache the same way for both sides.
    let _ = ethos_server::report_of(&storage, count_id, Disclosure::Public).await;
    // The machine's speed varies from minute to minute: with `--runs R`, R reports one after
    // the other, each timed, so that one figure does not stand for the rest.
    let mut times = Vec::with_capacity(runs.max(1));
    let mut report = None;
    let mut report_cpu = None;
    for _ in 0..runs.max(1) {
        let (started, cpu_started) = (Instant::now(), cpu_secs());
        let built = ethos_server::report_of(&storage, count_id, Disclosure::Public)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        times.push(started.elapsed().as_secs_f64());
        report_cpu = cpu_started.zip(cpu_secs()).map(|(from, to)| to - from);
        report = Some(built);
    }
    let report = report.ok_or_else(|| anyhow::anyhow!("no report"))?;
    let in_order = times.clone();
    let report_secs = median(&mut times);
    phases(&storage, count_id).await?;
    // What `GET …/report` answers: the report with its estimate member (by organisation type).
    // The first time the estimate is made; asked again over the same records, it is the one
    // the server kept (its input unchanged), and only the report is made anew.
    for asked in ["first", "again"] {
        let started = Instant::now();
        let answer = ethos_server::report_with_estimate_of(&storage, count_id, Disclosure::Public)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let answer_secs = started.elapsed().as_secs_f64();
        let outcome = match &answer.estimate {
            ReportEstimate::Estimate(e) => format!("{} sources, N {}", e.sources.len(), e.estimate),
            ReportEstimate::NotPossible { not_possible, .. } => {
                format!("not possible: {}", not_possible.code())
            }
        };
        println!(
            "report with its estimate member ({outcome}), as GET …/report answers, {asked}: {answer_secs:6.2} s"
        );
    }
    let records_total = report.records_total.unwrap_or(0);
    ensure!(n == 0 || records_total == n as u64, "report saw {records_total} records, not {n}");
    storage.close().await;

    let mut conn = SqliteConnectOptions::new().filename(&db).read_only(true).connect().await?;
    let columns = [
        "living_situation",
        "municipality",
        "origin",
        "age_band",
        "gender",
        "household",
        "children",
        "duration",
        "residence_status",
        "income",
        "care_needs",
        "previous_facility",
        "housing_need",
    ];
    let started = Instant::now();
    for column in columns {
        sqlx::query(&format!("SELECT {column}, COUNT(*) FROM records WHERE count_id = ? AND training = 0 AND void_reason IS NULL GROUP BY {column}"))
            .bind(count_id.to_string()).fetch_all(&mut conn).await?;
    }
    let sql_secs = started.elapsed().as_secs_f64();
    println!(
        "full report ({} tables, persons deduplicated, public disclosure): {report_secs:6.2} s{}",
        report.tables.len(),
        if times.len() > 1 { " (median)" } else { "" }
    );
    if times.len() > 1 {
        let listed: Vec<String> = in_order.iter().map(|t| format!("{t:.2}")).collect();
        let over = times.iter().filter(|t| **t > 0.8).count();
        println!(
            "  {} runs: fastest {:.2} s, slowest {:.2} s, {over} over 0.8 s; in the order run: {}",
            times.len(),
            times[0],
            times[times.len() - 1],
            listed.join(" ")
        );
    }
    if let Some(cpu) = report_cpu {
        // Beside other work on the machine the wall time varies; the CPU time much less.
        println!("  CPU time of the last full report, all threads of this process: {cpu:6.2} s");
    }
    println!(
        "plain SQL GROUP BY, {} queries (records, no dedup, no disclosure): {sql_secs:6.2} s",
        columns.len()
    );
    println!("ratio report / SQL: {:.2}", report_secs / sql_secs);
    let persons = report.persons_total.map_or_else(|| "hidden".to_string(), |p| p.to_string());
    println!("persons {persons} of {records_total} records");
    Ok(())
}

/// The median of `times`, which are left sorted.
fn median(times: &mut [f64]) -> f64 {
    times.sort_by(f64::total_cmp);
    times.get(times.len() / 2).copied().unwrap_or(0.0)
}

/// The CPU time this process has used so far (user and system, all threads), from
/// `/proc/self/stat`; `None` where there is no such file.
fn cpu_secs() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The fields after the command name, which is in parentheses and may hold spaces: the
    // state is the third field of the line, `utime` and `stime` the 14th and 15th, in ticks.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i)?.parse::<f64>().ok();
    // Clock ticks per second: 100 on Linux unless the kernel was built otherwise.
    Some((ticks(11)? + ticks(12)?) / 100.0)
}

/// The count stored at `db` by an earlier run, if there is one, with its number of devices
/// and of kinds of organisation.
async fn stored_count(db: &std::path::Path) -> anyhow::Result<Option<(Uuid, i64, i64)>> {
    if !db.exists() {
        return Ok(None);
    }
    let mut conn = SqliteConnectOptions::new().filename(db).read_only(true).connect().await?;
    let id: Option<String> =
        sqlx::query_scalar("SELECT id FROM counts LIMIT 1").fetch_optional(&mut conn).await?;
    let Some(id) = id else { return Ok(None) };
    let (devices, kinds): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM devices), (SELECT count(DISTINCT organisation_type) FROM invites)",
    )
    .fetch_one(&mut conn)
    .await?;
    Ok(Some((id.parse()?, devices, kinds)))
}

/// The report's phases one by one, each timed on its own: reading the records, grouping them
/// into persons (as the report does: [`person_heads`]), the headline totals, the tables without
/// and with disclosure control (each build groups the persons again), and the estimate's
/// captures, which the report skips where no estimate is possible.
async fn phases(storage: &ethos_server::storage::Storage, count_id: Uuid) -> anyhow::Result<()> {
    let started = Instant::now();
    let data = storage.report_data(count_id).await?;
    let read = started.elapsed().as_secs_f64();
    let count = storage.get_count(count_id).await?.ok_or_else(|| anyhow::anyhow!("no count"))?;
    let records = &data.records;
    let started = Instant::now();
    let people = person_heads(records, &data.decisions);
    let grouping = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let t = totals(records, &people);
    let totalling = started.elapsed().as_secs_f64();
    let mut built = [0.0; 2];
    for (secs, disclosure) in built.iter_mut().zip([Disclosure::Internal, Disclosure::Public]) {
        let started = Instant::now();
        let report = build(ReportInput {
            count: count.clone(),
            records,
            decisions: &data.decisions,
            organisations: &data.organisations,
            disclosure,
            generated_at: chrono::Utc::now(),
            population: &[],
        });
        *secs = started.elapsed().as_secs_f64();
        ensure!(report.tables.len() > 1, "a report without tables");
    }
    let started = Instant::now();
    let captures =
        Captures::of_records(records, &data.decisions, &data.organisations, SourceBy::OrganisationType);
    let capturing = started.elapsed().as_secs_f64();
    println!("  phases over {} records ({} persons):", records.len(), t.persons_total);
    println!("    reading (SQL, decode, organisations, decisions): {read:6.2} s");
    println!("    grouping persons by duplicate key:                {grouping:6.2} s");
    println!("    headline totals:                                  {totalling:6.2} s");
    println!("    report, internal (grouping + tables + figures):   {:6.2} s", built[0]);
    println!("    report, public (+ disclosure control):            {:6.2} s", built[1]);
    println!("    of which disclosure control (public − internal):  {:6.2} s", built[1] - built[0]);
    println!(
        "    estimate captures ({} sources; skipped where fewer than 2): {capturing:6.2} s",
        captures.sources.len()
    );
    Ok(())
}
