//! The statements of the sync write path ([`super::sync_write`]): few per group, whatever its
//! size, prepared once and kept (rusqlite's statement cache), their values bound where they
//! are (borrowed, not copied). Lists of ids go in as one JSON text (`json_each`).

use super::direct::{column, column_names};
use super::records::{record_from_columns, RECORD_COLUMNS};
use super::sync_job::Incoming;
use super::sync_write::count_state;
use super::{ts, Actor};
use chrono::Utc;
use ethos_shared::codes::AuditAction;
use ethos_shared::counting::Moment;
use ethos_shared::record::fields::{self, SqlValue, FIELDS};
use ethos_shared::record::Record;
use ethos_shared::report::{Attributes, PACKING_VERSION};
use ethos_shared::sync::{content_hash, ContentHash, CountState, Held};
use rusqlite::types::{ToSql, ToSqlOutput, ValueRef};
use rusqlite::{Connection, Statement, TransactionBehavior};
use std::collections::HashMap;
use uuid::Uuid;

/// The values of a record's columns, made by the request (not the writer).
pub(crate) struct Columns {
    /// The record's fields, in the order of [`FIELDS`].
    values: Vec<SqlValue<'static>>,
    observed_at_ns: Option<i64>,
    report_attributes: i64,
}

impl Columns {
    pub(crate) fn of(r: &Record) -> anyhow::Result<Self> {
        let report_attributes = Attributes::of(r)
            .ok_or_else(|| anyhow::anyhow!("record {} has no report attributes", r.id))?
            .pack();
        Ok(Columns {
            values: fields::sql_values(r),
            observed_at_ns: Moment::from(r.observed_at).as_nanos(),
            report_attributes,
        })
    }
}

/// The column of the record id (a field, written by an insert only).
const ID: &str = "id";
/// The columns a sync writes besides the record's fields, bound in this order after them; an
/// update rewrites these and the fields but the id.
const DERIVED_COLUMNS: [&str; 6] = [
    "observed_at_ns",
    "report_attributes",
    "report_attributes_version",
    "training",
    "received_at",
    "content_hash",
];
/// The columns only an insert writes, bound last.
const INSERT_ONLY_COLUMNS: [&str; 3] = ["stored_in_training", "count_id", "device_id"];
/// Rows per multi-row INSERT: 100 × 28 variables, well under SQLite's limit of 32,766.
pub(super) const INSERT_ROWS: usize = 100;

/// Every column an insert writes, in bind order.
fn insert_columns() -> Vec<&'static str> {
    FIELDS.iter().map(|f| f.sql).chain(DERIVED_COLUMNS).chain(INSERT_ONLY_COLUMNS).collect()
}

/// The columns an update writes, in bind order.
fn update_columns() -> Vec<&'static str> {
    FIELDS.iter().map(|f| f.sql).filter(|c| *c != ID).chain(DERIVED_COLUMNS).collect()
}

/// One record row to write at the end of a piece of a job.
pub(super) struct Write<'a> {
    pub kind: WriteKind,
    pub incoming: &'a Incoming,
    pub training: bool,
    pub stored_in_training: bool,
    pub received_at: String,
}

pub(super) enum WriteKind {
    Insert { count: Uuid, device: Uuid },
    Update,
}

/// Binds values to a statement's parameters in order.
struct Binder<'s, 'c> {
    statement: &'s mut Statement<'c>,
    next: usize,
}

impl<'s, 'c> Binder<'s, 'c> {
    fn new(statement: &'s mut Statement<'c>) -> Self {
        Binder { statement, next: 1 }
    }

    fn bind(&mut self, value: impl ToSql) -> rusqlite::Result<&mut Self> {
        self.statement.raw_bind_parameter(self.next, value)?;
        self.next += 1;
        Ok(self)
    }

    /// Runs the statement once every parameter is bound: a value missing is an error, never a
    /// column shifted or left NULL (one too many fails as it is bound).
    fn execute(self) -> rusqlite::Result<usize> {
        let (bound, expected) = (self.next - 1, self.statement.parameter_count());
        if bound != expected {
            return Err(rusqlite::Error::InvalidParameterCount(bound, expected));
        }
        self.statement.raw_execute()
    }

    /// A row's fields (with or without the id), then [`DERIVED_COLUMNS`].
    fn content(&mut self, w: &Write<'_>, with_id: bool) -> rusqlite::Result<&mut Self> {
        let c = &w.incoming.columns;
        for (field, value) in FIELDS.iter().zip(&c.values) {
            if with_id || field.sql != ID {
                self.bind(ToSqlOutput::Borrowed(match value {
                    SqlValue::Text(text) => ValueRef::Text(text.as_bytes()),
                    SqlValue::Int(n) => ValueRef::Integer(*n),
                    SqlValue::Null => ValueRef::Null,
                }))?;
            }
        }
        self.bind(c.observed_at_ns)?
            .bind(c.report_attributes)?
            .bind(PACKING_VERSION)?
            .bind(w.training)?
            .bind(w.received_at.as_str())?
            .bind(&w.incoming.hash[..])
    }
}

/// The new rows with multi-row INSERTs, then the replaced ones one by one (rare).
pub(super) fn write_records(conn: &Connection, writes: &[Write<'_>]) -> rusqlite::Result<()> {
    let inserts: Vec<(&Write, Uuid, Uuid)> = writes
        .iter()
        .filter_map(|w| match w.kind {
            WriteKind::Insert { count, device } => Some((w, count, device)),
            WriteKind::Update => None,
        })
        .collect();
    let ids: Vec<(String, String)> =
        inserts.iter().map(|(_, count, device)| (count.to_string(), device.to_string())).collect();
    let columns = insert_columns();
    let row = format!("({})", vec!["?"; columns.len()].join(", "));
    for (chunk, chunk_ids) in inserts.chunks(INSERT_ROWS).zip(ids.chunks(INSERT_ROWS)) {
        let sql = format!(
            "INSERT INTO records ({}) VALUES {}",
            columns.join(", "),
            vec![row.as_str(); chunk.len()].join(", ")
        );
        let mut insert = conn.prepare_cached(&sql)?;
        let mut values = Binder::new(&mut insert);
        for ((w, _, _), (count, device)) in chunk.iter().zip(chunk_ids) {
            values
                .content(w, true)?
                .bind(w.stored_in_training)?
                .bind(count.as_str())?
                .bind(device.as_str())?;
        }
        values.execute()?;
    }
    let set: Vec<String> = update_columns().iter().map(|c| format!("{c} = ?")).collect();
    let mut update = conn.prepare_cached(&format!("UPDATE records SET {} WHERE id = ?", set.join(", ")))?;
    for w in writes.iter().filter(|w| matches!(w.kind, WriteKind::Update)) {
        let id = w.incoming.record.id.to_string();
        let mut values = Binder::new(&mut update);
        values.content(w, false)?.bind(id.as_str())?;
        values.execute()?;
    }
    Ok(())
}

fn json_list<T: ToString>(items: impl Iterator<Item = T>) -> String {
    serde_json::Value::Array(items.map(|i| serde_json::Value::String(i.to_string())).collect()).to_string()
}

/// The state of each count that exists, by id, in one statement.
pub(super) fn count_states(
    conn: &Connection,
    ids: impl Iterator<Item = Uuid>,
) -> anyhow::Result<HashMap<Uuid, CountState>> {
    let mut select = conn.prepare_cached(
        "SELECT id, status, starts_at, ends_at FROM counts WHERE id IN (SELECT value FROM json_each(?))",
    )?;
    let mut rows = select.query([json_list(ids)])?;
    let mut states = HashMap::new();
    while let Some(r) = rows.next()? {
        let state = count_state(r.get_ref(1)?.as_str()?, r.get_ref(2)?.as_str()?, r.get_ref(3)?.as_str()?)?;
        states.insert(r.get_ref(0)?.as_str()?.parse()?, state);
    }
    Ok(states)
}

/// What is held under these ids, in one statement (and a second one, rebuilding the records,
/// for rows whose content hash is not filled in yet).
pub(super) fn held(
    conn: &Connection,
    ids: impl Iterator<Item = Uuid>,
) -> anyhow::Result<HashMap<Uuid, Held>> {
    let mut select = conn.prepare_cached(
        "SELECT id, device_id, revision, content_hash, stored_in_training FROM records
         WHERE id IN (SELECT value FROM json_each(?))",
    )?;
    let mut rows = select.query([json_list(ids)])?;
    let mut held = HashMap::new();
    let mut unhashed = Vec::new();
    while let Some(r) = rows.next()? {
        let id: Uuid = r.get_ref(0)?.as_str()?.parse()?;
        let content = match r.get_ref(3)?.as_blob_or_null()? {
            Some(hash) => ContentHash::try_from(hash).map_err(|_| {
                anyhow::anyhow!("stored record {id} has a content hash of {} bytes", hash.len())
            })?,
            None => {
                unhashed.push(id);
                [0; 32]
            }
        };
        held.insert(
            id,
            Held {
                device_id: r.get_ref(1)?.as_str()?.parse()?,
                revision: r.get(2)?,
                content,
                stored_in_training: r.get(4)?,
            },
        );
    }
    if !unhashed.is_empty() {
        for record in
            records_where(conn, "id IN (SELECT value FROM json_each(?))", json_list(unhashed.iter()))?
        {
            if let Some(h) = held.get_mut(&record.id) {
                h.content = content_hash(&record);
            }
        }
    }
    Ok(held)
}

/// The records of the rows that match `condition` (one parameter, `value`), each rebuilt from
/// its columns read by name.
fn records_where(conn: &Connection, condition: &str, value: impl ToSql) -> anyhow::Result<Vec<Record>> {
    let mut select =
        conn.prepare_cached(&format!("SELECT {RECORD_COLUMNS} FROM records WHERE {condition}"))?;
    let names = column_names(&select);
    let mut rows = select.query([value])?;
    let mut records = Vec::new();
    while let Some(row) = rows.next()? {
        records.push(record_from_columns(|f| column(row, &names, f))?);
    }
    Ok(records)
}

/// A device's last contact over the jobs of a group.
#[derive(Default)]
pub(super) struct DeviceContact {
    pub last_seen_at: String,
    pub unsynced: Option<u32>,
}

/// Each device's last contact (and what it still holds, where it said so), in one statement.
pub(super) fn touch_devices(
    conn: &Connection,
    contacts: &HashMap<Uuid, DeviceContact>,
) -> anyhow::Result<()> {
    if contacts.is_empty() {
        return Ok(());
    }
    let list: Vec<serde_json::Value> = contacts
        .iter()
        .map(|(id, c)| serde_json::json!({ "d": id.to_string(), "at": c.last_seen_at, "u": c.unsynced }))
        .collect();
    conn.prepare_cached(
        "UPDATE devices SET last_seen_at = j.value ->> '$.at',
            unsynced_reported = COALESCE(j.value ->> '$.u', unsynced_reported)
         FROM json_each(?) AS j WHERE devices.id = j.value ->> '$.d'",
    )?
    .execute([serde_json::Value::Array(list).to_string()])?;
    Ok(())
}

/// An audit entry of a device's sync.
pub(super) struct AuditRow {
    actor: String,
    action: AuditAction,
    count_id: String,
    entity_id: Option<String>,
    details: String,
}

impl AuditRow {
    pub fn device(
        device: Uuid,
        action: AuditAction,
        count: Uuid,
        entity_id: Option<String>,
        details: serde_json::Value,
    ) -> Self {
        AuditRow {
            actor: Actor::Device(device).to_string(),
            action,
            count_id: count.to_string(),
            entity_id,
            details: details.to_string(),
        }
    }
}

/// The audit entries in their order, with multi-row INSERTs.
pub(super) fn insert_audit(conn: &Connection, rows: &[AuditRow]) -> rusqlite::Result<()> {
    let at = ts(Utc::now());
    for chunk in rows.chunks(INSERT_ROWS) {
        let mut insert = conn.prepare_cached(&format!(
            "INSERT INTO audit_log (at, actor, action, count_id, entity_id, details) VALUES {}",
            vec!["(?, ?, ?, ?, ?, ?)"; chunk.len()].join(", ")
        ))?;
        let mut values = Binder::new(&mut insert);
        for row in chunk {
            values
                .bind(at.as_str())?
                .bind(row.actor.as_str())?
                .bind(row.action.as_str())?
                .bind(row.count_id.as_str())?
                .bind(row.entity_id.as_deref())?
                .bind(row.details.as_str())?;
        }
        values.execute()?;
    }
    Ok(())
}

/// Rows filled in per transaction by [`backfill_hashes`].
const BACKFILL_ROWS: i64 = 2_000;

/// Fills in the content hash of up to [`BACKFILL_ROWS`] rows stored before that column existed,
/// in a transaction of its own; whether there may be more.
pub(super) fn backfill_hashes(conn: &mut Connection) -> anyhow::Result<bool> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let records = records_where(&tx, "content_hash IS NULL LIMIT ?", BACKFILL_ROWS)?;
    let hashes: Vec<serde_json::Value> = records
        .iter()
        .map(|record| {
            let hash: String = content_hash(record).iter().map(|b| format!("{b:02x}")).collect();
            serde_json::json!([record.id.to_string(), hash])
        })
        .collect();
    if !hashes.is_empty() {
        tx.execute(
            "UPDATE records SET content_hash = unhex(j.value ->> '$[1]')
             FROM json_each(?) AS j WHERE records.id = j.value ->> '$[0]'",
            [serde_json::Value::Array(hashes).to_string()],
        )?;
    }
    tx.commit()?;
    Ok(records.len() as i64 == BACKFILL_ROWS)
}

/// Where the re-pack of [`repack_attributes`] has got to: the last row done, in storage order.
#[derive(Default)]
pub(super) struct RepackCursor {
    seq: i64,
}

/// Rewrites the report attributes of up to [`BACKFILL_ROWS`] rows after `cursor` that were packed
/// with another version than [`PACKING_VERSION`], from their record columns, in a transaction of
/// its own; whether there may be more. One pass over the table in storage order.
pub(super) fn repack_attributes(conn: &mut Connection, cursor: &mut RepackCursor) -> anyhow::Result<bool> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut select = tx.prepare(&format!(
        "SELECT {RECORD_COLUMNS}, seq FROM records
         WHERE seq > ?2 AND report_attributes_version <> ?1 ORDER BY seq LIMIT ?3"
    ))?;
    let names = column_names(&select);
    let seq = names.iter().position(|n| n == "seq").ok_or_else(|| anyhow::anyhow!("no column seq"))?;
    let mut rows = select.query(rusqlite::params![PACKING_VERSION, cursor.seq, BACKFILL_ROWS])?;
    let mut packed = Vec::new();
    while let Some(row) = rows.next()? {
        let record = record_from_columns(|f| column(row, &names, f))?;
        let attributes = Attributes::of(&record)
            .ok_or_else(|| anyhow::anyhow!("record {} has no report attributes", record.id))?;
        packed.push(serde_json::json!([record.id.to_string(), attributes.pack()]));
        cursor.seq = row.get(seq)?;
    }
    drop(rows);
    drop(select);
    let done = packed.len() as i64;
    if done > 0 {
        tx.execute(
            "UPDATE records SET report_attributes = j.value ->> '$[1]', report_attributes_version = ?2
             FROM json_each(?1) AS j WHERE records.id = j.value ->> '$[0]'",
            rusqlite::params![serde_json::Value::Array(packed).to_string(), PACKING_VERSION],
        )?;
    }
    tx.commit()?;
    Ok(done == BACKFILL_ROWS)
}
