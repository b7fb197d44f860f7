//! The raw SQLite baseline: the same rows the sync stores, inserted by one prepared multi-row
//! INSERT per batch of 500 in one transaction per batch, on one connection, with the server's
//! schema and pragmas (WAL, `synchronous=FULL`, the writer's page cache and checkpoint interval) and no application logic. The row values are
//! made before each batch's clock starts: what is timed is SQLite alone.

use anyhow::Context;
use ethos_shared::api::MAX_SYNC_RECORDS;
use ethos_shared::count::OrganisationType;
use ethos_shared::counting::Moment;
use ethos_shared::record::fields::{self, SqlValue, FIELDS};
use ethos_shared::record::Record;
use ethos_shared::report::{Attributes, PACKING_VERSION};
use ethos_shared::sync::content_hash;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection, SqliteConnection};
use std::path::Path;
use std::time::Instant;

/// The columns written besides the record's fields (`ethos_shared::record::fields`), bound in
/// this order after them.
const OTHER_COLUMNS: [&str; 8] = [
    "count_id",
    "device_id",
    "observed_at_ns",
    "report_attributes",
    "report_attributes_version",
    "stored_in_training",
    "training",
    "received_at",
];

/// Every value of one row: the record's fields in the order of `FIELDS`, then the others.
struct Row {
    fields: Vec<SqlValue<'static>>,
    observed_at_ns: Option<i64>,
    report_attributes: i64,
    hash: Vec<u8>,
}

impl Row {
    fn of(r: &Record) -> anyhow::Result<Row> {
        Ok(Row {
            fields: fields::sql_values(r),
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

/// Creates a database with the server's schema at `db`, a live count with `devices` devices
/// (at least one; ids as the server makes them), and inserts the records into it in batches,
/// each batch from the next device in turn; `durable` false turns `synchronous` off (to load a
/// database for the report benchmark quickly).
pub async fn insert(db: &Path, records: &[Record], durable: bool, devices: usize) -> anyhow::Result<Timings> {
    ethos_server::storage::Storage::open(db).await?.close().await; // the same schema
    let mut conn = SqliteConnectOptions::new()
        .filename(db)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(if durable { SqliteSynchronous::Full } else { SqliteSynchronous::Off })
        .foreign_keys(true)
        // As the server's write connection (`ethos_server::storage::writer_options`).
        .pragma("cache_size", format!("-{}", ethos_server::storage::WRITER_CACHE_KIB))
        .pragma("wal_autocheckpoint", ethos_server::storage::WRITER_AUTOCHECKPOINT_PAGES.to_string())
        .connect()
        .await?;
    let count_id = uuid::Uuid::now_v7();
    let devices = set_up(&mut conn, count_id, records, devices.max(1)).await?;
    let count = count_id.to_string();
    let mut batch_secs = Vec::new();
    for (batch, device) in records.chunks(MAX_SYNC_RECORDS).zip(devices.iter().cycle()) {
        let rows = batch.iter().map(Row::of).collect::<anyhow::Result<Vec<_>>>()?;
        let columns: Vec<&str> =
            FIELDS.iter().map(|f| f.sql).chain(OTHER_COLUMNS).chain(["content_hash"]).collect();
        let sql = format!(
            "INSERT INTO records ({}) VALUES {}",
            columns.join(", "),
            vec![format!("({})", vec!["?"; columns.len()].join(", ")); rows.len()].join(", ")
        );
        let started = Instant::now();
        let mut tx = conn.begin().await?;
        let mut q = sqlx::query(&sql);
        for r in &rows {
            for value in &r.fields {
                q = match value {
                    SqlValue::Text(text) => q.bind(text.as_ref()),
                    SqlValue::Int(n) => q.bind(*n),
                    SqlValue::Null => q.bind(None::<&str>),
                };
            }
            q = q
                .bind(count.as_str())
                .bind(device.as_str())
                .bind(r.observed_at_ns)
                .bind(r.report_attributes)
                .bind(PACKING_VERSION)
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

/// The kinds of organisation the devices of [`set_up`] belong to, in turn: five sources for
/// the estimate.
const ORGANISATION_TYPES: [OrganisationType; 5] = [
    OrganisationType::Shelter,
    OrganisationType::Outreach,
    OrganisationType::Care,
    OrganisationType::Municipality,
    OrganisationType::Housing,
];

/// The user, the count and `devices` devices, two to a team code of its own organisation (one
/// where there is one device); the ids of the devices.
async fn set_up(
    conn: &mut SqliteConnection,
    count_id: uuid::Uuid,
    records: &[Record],
    devices: usize,
) -> anyhow::Result<Vec<String>> {
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
    let mut ids = Vec::with_capacity(devices);
    for d in 0..devices {
        let invite = d / 2;
        if d % 2 == 0 {
            let kind = ORGANISATION_TYPES[invite % ORGANISATION_TYPES.len()];
            sqlx::query(
                "INSERT INTO invites (id, count_id, code, organisation, organisation_type, created_at, created_by)
                 VALUES (?, ?, ?, ?, ?, '2026-01-01T00:00:00Z', 'u')",
            )
            .bind(format!("i{invite}"))
            .bind(count_id.to_string())
            .bind(format!("X{invite}"))
            .bind(format!("Bench {invite}"))
            .bind(kind.code())
            .execute(&mut *conn)
            .await?;
        }
        let id = uuid::Uuid::from_u128(0x0192_0000_0000_7000_8000_0000_0000_0000 + d as u128).to_string();
        sqlx::query(
            "INSERT INTO devices (id, invite_id, count_id, token_hash, enrolled_at)
             VALUES (?, ?, ?, ?, '2026-01-01T00:00:00Z')",
        )
        .bind(&id)
        .bind(format!("i{invite}"))
        .bind(count_id.to_string())
        .bind(format!("h{d}"))
        .execute(&mut *conn)
        .await?;
        ids.push(id);
    }
    Ok(ids)
}
