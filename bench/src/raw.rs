//! The raw SQLite baseline: the same rows the sync stores, inserted by one prepared multi-row
//! INSERT per batch of 500 in one transaction per batch, on one connection, with the server's
//! schema and pragmas (WAL, `synchronous=FULL`, the writer's page cache and checkpoint
//! interval) and no application logic. SQLite is called directly (rusqlite: no async driver,
//! values bound without a copy), and the row values are made before each batch's clock starts:
//! what is timed is SQLite alone.

use anyhow::Context;
use ethos_shared::api::MAX_SYNC_RECORDS;
use ethos_shared::count::OrganisationType;
use ethos_shared::counting::Moment;
use ethos_shared::record::fields::{self, SqlValue, FIELDS};
use ethos_shared::record::Record;
use ethos_shared::report::{Attributes, PACKING_VERSION};
use ethos_shared::sync::content_hash;
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{params, Connection};
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

/// A value of a row as rusqlite binds it, without a copy.
fn sql<'a>(value: &'a SqlValue<'_>) -> ToSqlOutput<'a> {
    ToSqlOutput::Borrowed(match value {
        SqlValue::Text(text) => ValueRef::Text(text.as_bytes()),
        SqlValue::Int(n) => ValueRef::Integer(*n),
        SqlValue::Null => ValueRef::Null,
    })
}

/// Creates a database with the server's schema at `db`, a live count with `devices` devices
/// (at least one; ids as the server makes them), and inserts the records into it in batches,
/// each batch from the next device in turn; `durable` false turns `synchronous` off (to load a
/// database for the report benchmark quickly).
pub async fn insert(db: &Path, records: &[Record], durable: bool, devices: usize) -> anyhow::Result<Timings> {
    ethos_server::storage::Storage::open(db).await?.close().await; // the same schema
    let mut conn = Connection::open(db)?;
    conn.execute_batch(&format!(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = {}; PRAGMA foreign_keys = ON;
         PRAGMA cache_size = -{}; PRAGMA wal_autocheckpoint = {};",
        if durable { "FULL" } else { "OFF" },
        // As the server's write connection (`ethos_server::storage::writer_options`).
        ethos_server::storage::WRITER_CACHE_KIB,
        ethos_server::storage::WRITER_AUTOCHECKPOINT_PAGES,
    ))?;
    let count_id = uuid::Uuid::now_v7();
    let devices = set_up(&conn, count_id, records, devices.max(1))?;
    let count = count_id.to_string();
    let columns: Vec<&str> =
        FIELDS.iter().map(|f| f.sql).chain(OTHER_COLUMNS).chain(["content_hash"]).collect();
    let row = format!("({})", vec!["?"; columns.len()].join(", "));
    let mut batch_secs = Vec::new();
    for (batch, device) in records.chunks(MAX_SYNC_RECORDS).zip(devices.iter().cycle()) {
        let rows = batch.iter().map(Row::of).collect::<anyhow::Result<Vec<_>>>()?;
        let sql_text = format!(
            "INSERT INTO records ({}) VALUES {}",
            columns.join(", "),
            vec![row.as_str(); rows.len()].join(", ")
        );
        let started = Instant::now();
        let tx = conn.transaction()?;
        {
            let mut insert = tx.prepare_cached(&sql_text)?;
            let mut i = 0;
            let mut bind = |value: ToSqlOutput<'_>| {
                i += 1;
                insert.raw_bind_parameter(i, value)
            };
            for r in &rows {
                for value in &r.fields {
                    bind(sql(value))?;
                }
                bind(ToSqlOutput::Borrowed(ValueRef::Text(count.as_bytes())))?;
                bind(ToSqlOutput::Borrowed(ValueRef::Text(device.as_bytes())))?;
                bind(r.observed_at_ns.map_or(ToSqlOutput::Borrowed(ValueRef::Null), |n| {
                    ToSqlOutput::Borrowed(ValueRef::Integer(n))
                }))?;
                bind(ToSqlOutput::Borrowed(ValueRef::Integer(r.report_attributes)))?;
                bind(ToSqlOutput::Borrowed(ValueRef::Integer(PACKING_VERSION)))?;
                bind(ToSqlOutput::Borrowed(ValueRef::Integer(0)))?;
                bind(ToSqlOutput::Borrowed(ValueRef::Integer(0)))?;
                bind(ToSqlOutput::Borrowed(ValueRef::Text(b"2026-10-16T00:00:00Z")))?;
                bind(ToSqlOutput::Borrowed(ValueRef::Blob(&r.hash)))?;
            }
            insert.raw_execute()?;
        }
        tx.commit()?;
        batch_secs.push(started.elapsed().as_secs_f64());
    }
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
fn set_up(
    conn: &Connection,
    count_id: uuid::Uuid,
    records: &[Record],
    devices: usize,
) -> anyhow::Result<Vec<String>> {
    let start =
        records.iter().map(|r| r.observed_at).min().unwrap_or_else(|| chrono::Utc::now().fixed_offset());
    conn.execute("INSERT INTO users VALUES ('u', 'u', 'x', 'coordinator', '2026-01-01T00:00:00Z')", [])?;
    conn.execute(
        "INSERT INTO counts VALUES (?, 'Bench', ?, ?, ?, 'live', 's', '2026-01-01T00:00:00Z', 'u')",
        params![
            count_id.to_string(),
            start.date_naive().to_string(),
            start.to_rfc3339(),
            (start + chrono::Duration::hours(24)).to_rfc3339()
        ],
    )?;
    let mut ids = Vec::with_capacity(devices);
    for d in 0..devices {
        let invite = d / 2;
        if d % 2 == 0 {
            let kind = ORGANISATION_TYPES[invite % ORGANISATION_TYPES.len()];
            conn.execute(
                "INSERT INTO invites (id, count_id, code, organisation, organisation_type, created_at, created_by)
                 VALUES (?, ?, ?, ?, ?, '2026-01-01T00:00:00Z', 'u')",
                params![format!("i{invite}"), count_id.to_string(), format!("X{invite}"), format!("Bench {invite}"), kind.code()],
            )?;
        }
        let id = uuid::Uuid::from_u128(0x0192_0000_0000_7000_8000_0000_0000_0000 + d as u128).to_string();
        conn.execute(
            "INSERT INTO devices (id, invite_id, count_id, token_hash, enrolled_at)
             VALUES (?, ?, ?, ?, '2026-01-01T00:00:00Z')",
            params![id, format!("i{invite}"), count_id.to_string(), format!("h{d}")],
        )?;
        ids.push(id);
    }
    Ok(ids)
}
