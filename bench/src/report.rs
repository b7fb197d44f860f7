//! `ethos-bench report --records N`: the full report over N records against plain SQL GROUP BY
//! queries over the same database, in the same run.

use anyhow::ensure;
use ethos_shared::report::Disclosure;
use sqlx::{sqlite::SqliteConnectOptions, ConnectOptions};
use std::time::Instant;

/// `report`: the full report over N records against plain SQL GROUP BY queries, one per
/// dimension, over the same database in the same run.
pub async fn run(n: usize) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("report.db");
    let starts_at = (chrono::Utc::now() - chrono::Duration::hours(30)).fixed_offset();
    println!("report benchmark: generating {n} records ...");
    let records = ethos_bench::records(n, 7, starts_at);
    let count_id = crate::raw::insert(&db, &records, false).await?.count_id;
    drop(records);
    let storage = ethos_server::storage::Storage::open(&db).await?;
    // Warm the page cache the same way for both sides.
    let _ = ethos_server::report_of(&storage, count_id, Disclosure::Public).await;
    let started = Instant::now();
    let report = ethos_server::report_of(&storage, count_id, Disclosure::Public)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let report_secs = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let data = storage.report_data(count_id).await?;
    println!("  of which reading {} records: {:.2} s", data.records.len(), started.elapsed().as_secs_f64());
    drop(data);
    // What `GET …/report` answers: the report with its estimate member (by organisation type).
    let started = Instant::now();
    let answer = ethos_server::report_with_estimate_of(&storage, count_id, Disclosure::Public)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let answer_secs = started.elapsed().as_secs_f64();
    let outcome = match &answer.estimate {
        ethos_shared::estimate::ReportEstimate::Estimate(e) => {
            format!("{} sources, N {}", e.sources.len(), e.estimate)
        }
        ethos_shared::estimate::ReportEstimate::NotPossible { not_possible, .. } => {
            format!("not possible: {}", not_possible.code())
        }
    };
    println!("report with its estimate member ({outcome}), as GET …/report answers: {answer_secs:6.2} s");
    ensure!(report.records_total == Some(n as u64), "report saw {:?} records", report.records_total);
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
        "full report ({} tables, persons deduplicated, public disclosure): {report_secs:6.2} s",
        report.tables.len()
    );
    println!(
        "plain SQL GROUP BY, {} queries (records, no dedup, no disclosure): {sql_secs:6.2} s",
        columns.len()
    );
    println!("ratio report / SQL: {:.2}", report_secs / sql_secs);
    let persons = report.persons_total.map_or_else(|| "hidden".to_string(), |p| p.to_string());
    println!("persons {persons} of {n} records");
    Ok(())
}
