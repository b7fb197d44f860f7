//! `cargo run --release -p ethos-bench -- sync [--records N]`
//!
//! Ingests N generated records through `POST /api/v1/sync` (batches of 500, one device, a
//! real server on loopback) and, in the same run, inserts the same rows straight into SQLite
//! with the same schema and durability settings (one transaction per 500 rows). Prints both
//! rates and their ratio.

use anyhow::{ensure, Context};
use ethos_server::{Application, Config};
use ethos_shared::api::{EnrollResponse, Invite, LoginResponse, MAX_SYNC_RECORDS};
use ethos_shared::record::Record;
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
        _ => {
            eprintln!("usage: ethos-bench sync [--records N]");
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
    let raw_secs = raw_insert(dir.path(), &records).await?;
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

async fn raw_insert(dir: &std::path::Path, records: &[Record]) -> anyhow::Result<f64> {
    let db = dir.join("raw.db");
    ethos_server::storage::Storage::open(&db).await?.close().await; // the same schema
    let mut conn = SqliteConnectOptions::new()
        .filename(&db)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .connect()
        .await?;
    for sql in [
        "INSERT INTO users VALUES ('u', 'u', 'x', 'coordinator', '2026-01-01T00:00:00Z')",
        "INSERT INTO counts VALUES ('c', 'Bench', '2026-10-15', '2026-10-15T20:00:00+02:00', '2026-10-16T20:00:00+02:00', 'live', 's', '2026-01-01T00:00:00Z', 'u')",
        "INSERT INTO invites (id, count_id, code, organisation, organisation_type, created_at, created_by) VALUES ('i', 'c', 'X', 'Bench', 'other', '2026-01-01T00:00:00Z', 'u')",
        "INSERT INTO devices (id, invite_id, count_id, token_hash, enrolled_at) VALUES ('d', 'i', 'c', 'h', '2026-01-01T00:00:00Z')",
    ] {
        sqlx::query(sql).execute(&mut conn).await?;
    }
    let rows: Vec<(String, String)> =
        records.iter().map(|r| (r.id.to_string(), r.canonical_json())).collect();
    let started = Instant::now();
    for (chunk, recs) in rows.chunks(MAX_SYNC_RECORDS).zip(records.chunks(MAX_SYNC_RECORDS)) {
        let mut tx = conn.begin().await?;
        for ((id, content), r) in chunk.iter().zip(recs) {
            sqlx::query("INSERT INTO records (id, count_id, device_id, revision, content, observed_at, municipality, living_situation, dedup_key, stored_in_training, training, received_at) VALUES (?, 'c', 'd', ?, ?, ?, ?, ?, ?, 0, 0, '2026-10-16T00:00:00Z')")
                .bind(id).bind(r.revision).bind(content).bind(r.observed_at.to_rfc3339()).bind(r.municipality.as_str())
                .bind(r.living_situation.code()).bind(r.dedup_key.as_ref().map(|k| k.as_str()))
                .execute(&mut *tx).await?;
        }
        tx.commit().await?;
    }
    Ok(started.elapsed().as_secs_f64())
}
