//! The raw SQLite baseline: the same rows the sync stores, inserted by one prepared multi-row
//! INSERT per batch of 500 in one transaction per batch, on one connection, with the server's
//! schema and pragmas (WAL, `synchronous=FULL`) and no application logic. The row values are
//! made before each batch's clock starts: what is timed is SQLite alone.

use anyhow::Context;
use ethos_shared::api::MAX_SYNC_RECORDS;
use ethos_shared::counting::Moment;
use ethos_shared::profile::Children;
use ethos_shared::record::{Origin, Record};
use ethos_shared::report::Attributes;
use ethos_shared::sync::content_hash;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection, SqliteConnection};
use std::path::Path;
use std::time::Instant;

const COLUMNS: &str = "id, count_id, device_id, revision, sent_training, observed_at, municipality,
    living_situation, dedup_key, origin, age_band, gender, household, children, duration, residence_status,
    income, care_needs, previous_facility, housing_need, observed_at_ns, report_attributes, stored_in_training,
    training, received_at, content_hash";
const COLUMN_COUNT: usize = 26;

/// Every value of one row, in the order of [`COLUMNS`] after the count and device.
struct Row {
    id: String,
    revision: u32,
    sent_training: bool,
    observed_at: String,
    municipality: String,
    living_situation: &'static str,
    dedup_key: Option<String>,
    origin: String,
    /// age_band, gender, household, duration, residence_status, income, previous_facility,
    /// housing_need
    codes: [&'static str; 8],
    children: String,
    care_needs: String,
    observed_at_ns: Option<i64>,
    report_attributes: i64,
    hash: Vec<u8>,
}

impl Row {
    fn of(r: &Record) -> anyhow::Result<Row> {
        let p = &r.profile;
        Ok(Row {
            id: r.id.to_string(),
            revision: r.revision,
            sent_training: r.training,
            observed_at: r.observed_at.to_rfc3339(),
            municipality: r.municipality.as_str().to_string(),
            living_situation: r.living_situation.code(),
            dedup_key: r.dedup_key.as_ref().map(|k| k.as_str().to_string()),
            origin: match &r.origin {
                Origin::Municipality { code } => code.as_str().to_string(),
                Origin::Abroad => "abroad".into(),
                Origin::Unknown => "unknown".into(),
            },
            codes: [
                p.age_band.code(),
                p.gender.code(),
                p.household.code(),
                p.duration.code(),
                p.residence_status.code(),
                p.income.code(),
                p.previous_facility.code(),
                p.housing_need.code(),
            ],
            children: match p.children {
                Children::Count(n) => n.to_string(),
                Children::Unknown => "unknown".into(),
            },
            care_needs: p.care_needs.codes().join("|"),
            observed_at_ns: Moment::from(r.observed_at).as_nanos(),
            report_attributes: Attributes::of(r).context("report attributes")?.pack(),
            hash: content_hash(r).to_vec(),
        })
    }
}

/// What [`insert`] measured: seconds per batch.
pub struct Timings {
    pub count_id: uuid::Uuid,
    pub batch_secs: Vec<f64>,
}

/// Creates a database with the server's schema at `db`, a live count with one device, and
/// inserts the records into it in batches; `durable` false turns `synchronous` off (to load a
/// database for the report benchmark quickly).
pub async fn insert(db: &Path, records: &[Record], durable: bool) -> anyhow::Result<Timings> {
    ethos_server::storage::Storage::open(db).await?.close().await; // the same schema
    let mut conn = SqliteConnectOptions::new()
        .filename(db)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(if durable { SqliteSynchronous::Full } else { SqliteSynchronous::Off })
        .foreign_keys(true)
        .connect()
        .await?;
    let count_id = uuid::Uuid::now_v7();
    set_up(&mut conn, count_id, records).await?;
    let count = count_id.to_string();
    let mut batch_secs = Vec::new();
    for batch in records.chunks(MAX_SYNC_RECORDS) {
        let rows = batch.iter().map(Row::of).collect::<anyhow::Result<Vec<_>>>()?;
        let sql = format!(
            "INSERT INTO records ({COLUMNS}) VALUES {}",
            vec![format!("({})", vec!["?"; COLUMN_COUNT].join(", ")); rows.len()].join(", ")
        );
        let started = Instant::now();
        let mut tx = conn.begin().await?;
        let mut q = sqlx::query(&sql);
        for r in &rows {
            q = q
                .bind(r.id.as_str())
                .bind(count.as_str())
                .bind("d")
                .bind(r.revision)
                .bind(r.sent_training)
                .bind(r.observed_at.as_str())
                .bind(r.municipality.as_str())
                .bind(r.living_situation)
                .bind(r.dedup_key.as_deref())
                .bind(r.origin.as_str())
                .bind(r.codes[0])
                .bind(r.codes[1])
                .bind(r.codes[2])
                .bind(r.children.as_str())
                .bind(r.codes[3])
                .bind(r.codes[4])
                .bind(r.codes[5])
                .bind(r.care_needs.as_str())
                .bind(r.codes[6])
                .bind(r.codes[7])
                .bind(r.observed_at_ns)
                .bind(r.report_attributes)
                .bind(false)
                .bind(false)
                .bind("2026-10-16T00:00:00Z")
                .bind(r.hash.as_slice());
        }
        q.execute(&mut *tx).await?;
        tx.commit().await?;
        batch_secs.push(started.elapsed().as_secs_f64());
    }
    conn.close().await?;
    Ok(Timings { count_id, batch_secs })
}

async fn set_up(conn: &mut SqliteConnection, count_id: uuid::Uuid, records: &[Record]) -> anyhow::Result<()> {
    let start =
        records.iter().map(|r| r.observed_at).min().unwrap_or_else(|| chrono::Utc::now().fixed_offset());
    sqlx::query("INSERT INTO users VALUES ('u', 'u', 'x', 'coordinator', '2026-01-01T00:00:00Z')")
        .execute(&mut *conn)
        .await?;
    sqlx::query("INSERT INTO counts VALUES (?, 'Bench', ?, ?, ?, 'live', 's', '2026-01-01T00:00:00Z', 'u')")
        .bind(count_id.to_string())
        .bind(start.date_naive().to_string())
        .bind(start.to_rfc3339())
        .bind((start + chrono::Duration::hours(24)).to_rfc3339())
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO invites (id, count_id, code, organisation, organisation_type, created_at, created_by)
         VALUES ('i', ?, 'X', 'Bench', 'other', '2026-01-01T00:00:00Z', 'u')",
    )
    .bind(count_id.to_string())
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO devices (id, invite_id, count_id, token_hash, enrolled_at)
         VALUES ('d', 'i', ?, 'h', '2026-01-01T00:00:00Z')",
    )
    .bind(count_id.to_string())
    .execute(&mut *conn)
    .await?;
    Ok(())
}
