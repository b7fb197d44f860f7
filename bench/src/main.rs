//! `cargo run --release -p ethos-bench -- sync [--records N]` ingests N generated records through `POST /api/v1/sync` (batches of 500, one device, a
//! real server on loopback) and, in the same run, inserts the same rows straight into SQLite
//! with the same schema and durability settings (one transaction per 500 rows). Prints both
//! rates and their ratio.
//!
//! `cargo run --release -p ethos-bench -- report --records 1000000` times the full report over
//! N records against plain SQL GROUP BY queries over the same database.

use anyhow::{ensure, Context};
use ethos_server::{Application, Config};
use ethos_shared::api::{EnrollResponse, Invite, LoginResponse, MAX_SYNC_RECORDS};
use ethos_shared::counting::Moment;
use ethos_shared::profile::Children;
use ethos_shared::record::{Origin, Record};
use ethos_shared::report::{Attributes, Disclosure};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection};
use std::time::Instant;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n = args
        .iter()
        .position(|a| a == "--records")
        .and_then(|i| args.get(i + 1))
        .map(|v| v.parse())
        .transpose()?
        .unwrap_or(100_000usize);
    match args.first().map(String::as_str) {
        Some("sync") => sync(n).await,
        Some("report") => report(n).await,
        Some("estimate") => estimate(),
        _ => {
            eprintln!("usage: ethos-bench sync|report|estimate [--records N]");
            std::process::exit(2);
        }
    }
}

async fn sync(n: usize) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let starts_at = (chrono::Utc::now() - chrono::Duration::hours(30)).fixed_offset();
    let records = ethos_bench::records(n, 42, starts_at);
    println!("sync benchmark: {n} generated records, batches of {MAX_SYNC_RECORDS}");

    let http_secs = http_ingest(dir.path(), &records, starts_at).await?;
    let (_, raw_secs) = raw_insert(&dir.path().join("raw.db"), &records, true).await?;
    let http_rate = n as f64 / http_secs;
    let raw_rate = n as f64 / raw_secs;
    println!("HTTP  POST /api/v1/sync : {http_secs:8.2} s  {http_rate:10.0} records/s");
    println!("raw   SQLite INSERT     : {raw_secs:8.2} s  {raw_rate:10.0} records/s");
    println!("ratio HTTP / raw        : {:8.2}", http_rate / raw_rate);
    Ok(())
}

async fn http_ingest(
    dir: &std::path::Path,
    records: &[Record],
    starts_at: chrono::DateTime<chrono::FixedOffset>,
) -> anyhow::Result<f64> {
    let db = dir.join("http.db");
    ethos_server::cli::add_user(&db, "bench", ethos_shared::api::Role::Coordinator, "bench-password").await?;
    let app =
        Application::build(Config { db_path: db, bind: "127.0.0.1:0".parse()?, web_dir: dir.join("none") })
            .await?;
    let base = format!("http://{}/api/v1", app.local_addr());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async {
        let _ = stopped.await;
    }));

    let http = reqwest::Client::new();
    let login: LoginResponse = http
        .post(format!("{base}/login"))
        .json(&serde_json::json!({"username":"bench","password":"bench-password"}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let count: serde_json::Value = http.post(format!("{base}/counts")).bearer_auth(&login.token)
        .json(&serde_json::json!({"name":"Bench","reference_date": starts_at.date_naive(),"starts_at": starts_at,"ends_at": starts_at + chrono::Duration::hours(24)}))
        .send().await?.error_for_status()?.json().await?;
    let count_id = count["id"].as_str().context("count id")?.to_string();
    http.post(format!("{base}/counts/{count_id}/status"))
        .bearer_auth(&login.token)
        .json(&serde_json::json!({"status":"live"}))
        .send()
        .await?
        .error_for_status()?;
    let invite: Invite = http
        .post(format!("{base}/counts/{count_id}/invites"))
        .bearer_auth(&login.token)
        .json(&serde_json::json!({"organisation":"Bench"}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let device: EnrollResponse = http
        .post(format!("{base}/enroll"))
        .json(&serde_json::json!({"code": invite.code}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;

    // The phone serialises its batches; that is not the server's work, so it is done first.
    let bodies: Vec<Vec<u8>> = records
        .chunks(MAX_SYNC_RECORDS)
        .map(|c| serde_json::to_vec(&serde_json::json!({ "records": c })))
        .collect::<Result<_, _>>()?;
    let started = Instant::now();
    for body in bodies {
        let answer: serde_json::Value = http
            .post(format!("{base}/sync"))
            .bearer_auth(&device.device_token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        let results = answer["results"].as_array().context("results")?;
        ensure!(results.iter().all(|r| r["status"] == "stored"), "not all stored: {answer}");
    }
    let secs = started.elapsed().as_secs_f64();
    let _ = stop.send(());
    server.await??;
    Ok(secs)
}

/// Inserts the records straight into a fresh database with the server's schema, one
/// transaction per 500 rows, filling every column the sync fills. Returns the count id and the
/// seconds the inserts took.
async fn raw_insert(
    db: &std::path::Path,
    records: &[Record],
    durable: bool,
) -> anyhow::Result<(uuid::Uuid, f64)> {
    ethos_server::storage::Storage::open(db).await?.close().await; // the same schema
    let sync = if durable { SqliteSynchronous::Full } else { SqliteSynchronous::Off };
    let mut conn = SqliteConnectOptions::new()
        .filename(db)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(sync)
        .foreign_keys(true)
        .connect()
        .await?;
    let count_id = uuid::Uuid::now_v7();
    let start =
        records.iter().map(|r| r.observed_at).min().unwrap_or_else(|| chrono::Utc::now().fixed_offset());
    sqlx::query("INSERT INTO users VALUES ('u', 'u', 'x', 'coordinator', '2026-01-01T00:00:00Z')")
        .execute(&mut conn)
        .await?;
    sqlx::query("INSERT INTO counts VALUES (?, 'Bench', ?, ?, ?, 'live', 's', '2026-01-01T00:00:00Z', 'u')")
        .bind(count_id.to_string())
        .bind(start.date_naive().to_string())
        .bind(start.to_rfc3339())
        .bind((start + chrono::Duration::hours(24)).to_rfc3339())
        .execute(&mut conn)
        .await?;
    sqlx::query("INSERT INTO invites (id, count_id, code, organisation, organisation_type, created_at, created_by) VALUES ('i', ?, 'X', 'Bench', 'other', '2026-01-01T00:00:00Z', 'u')")
        .bind(count_id.to_string()).execute(&mut conn).await?;
    sqlx::query("INSERT INTO devices (id, invite_id, count_id, token_hash, enrolled_at) VALUES ('d', 'i', ?, 'h', '2026-01-01T00:00:00Z')")
        .bind(count_id.to_string()).execute(&mut conn).await?;
    let started = Instant::now();
    for recs in records.chunks(MAX_SYNC_RECORDS) {
        let mut tx = conn.begin().await?;
        for r in recs {
            let p = &r.profile;
            let attributes = Attributes::of(r).context("report attributes")?.pack();
            sqlx::query("INSERT INTO records (id, count_id, device_id, revision, sent_training, observed_at, municipality, living_situation, dedup_key, origin, age_band, gender, household, children, duration, residence_status, income, care_needs, previous_facility, housing_need, observed_at_ns, report_attributes, stored_in_training, training, received_at) VALUES (?, ?, 'd', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, '2026-10-16T00:00:00Z')")
                .bind(r.id.to_string()).bind(count_id.to_string()).bind(r.revision).bind(r.training).bind(r.observed_at.to_rfc3339()).bind(r.municipality.as_str())
                .bind(r.living_situation.code()).bind(r.dedup_key.as_ref().map(|k| k.as_str()))
                .bind(match &r.origin { Origin::Municipality { code } => code.as_str(), Origin::Abroad => "abroad", Origin::Unknown => "unknown" })
                .bind(p.age_band.code()).bind(p.gender.code()).bind(p.household.code())
                .bind(match p.children { Children::Count(n) => n.to_string(), Children::Unknown => "unknown".into() })
                .bind(p.duration.code()).bind(p.residence_status.code()).bind(p.income.code()).bind(p.care_needs.codes().join("|"))
                .bind(p.previous_facility.code()).bind(p.housing_need.code())
                .bind(Moment::from(r.observed_at).as_nanos()).bind(attributes)
                .execute(&mut *tx).await?;
        }
        tx.commit().await?;
    }
    Ok((count_id, started.elapsed().as_secs_f64()))
}

/// `report`: the full report over N records against plain SQL GROUP BY queries, one per
/// dimension, over the same database in the same run.
async fn report(n: usize) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("report.db");
    let starts_at = (chrono::Utc::now() - chrono::Duration::hours(30)).fixed_offset();
    println!("report benchmark: generating {n} records ...");
    let records = ethos_bench::records(n, 7, starts_at);
    let (count_id, _) = raw_insert(&db, &records, false).await?;
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
    // What `GET …/report` adds to `report_of`: the estimate by organisation type (its own pass
    // over the persons, then the fit), on the same records.
    let started = Instant::now();
    let by = ethos_shared::estimate::SourceBy::OrganisationType;
    let captures =
        ethos_shared::estimate::Captures::of_records(&data.records, &data.decisions, &data.organisations, by);
    let member = ethos_shared::estimate::ReportEstimate::new(&captures, by, Disclosure::Public);
    let outcome = match &member {
        ethos_shared::estimate::ReportEstimate::Estimate(e) => {
            format!("{} sources, N {}", e.sources.len(), e.estimate)
        }
        ethos_shared::estimate::ReportEstimate::NotPossible { not_possible, .. } => {
            format!("not possible: {}", not_possible.code())
        }
    };
    println!("  plus the report's estimate member ({outcome}): {:.2} s", started.elapsed().as_secs_f64());
    drop(data);
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
