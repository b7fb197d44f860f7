//! The report's scan of every record of a count, as plain SQLite calls (rusqlite, on the same
//! SQLite library as sqlx) on connections of its own.
//!
//! Why not sqlx: it hands over each result row as a separate allocation, copied value by value
//! and passed through a channel from its worker thread, close to a microsecond per row. Here a
//! row's values are read where SQLite keeps them (borrowed, not copied) on the thread that
//! steps the statement, and turned straight into a [`ReportRecord`].
//!
//! SQLite runs a statement on one core, and the scan is most of the report's time, so the
//! count's range of storage positions (`seq`) is cut in two and each half is read on a
//! connection of its own at the same time. Both read transactions must see the same snapshot
//! (a sync committed between their starts would be half in the report): see [`begin_snapshot`].

use super::direct::{column, column_names, pragma};
use super::records::{record_from_columns, RECORD_COLUMNS};
use super::MMAP_BYTES;
use anyhow::{anyhow, Context};
use ethos_shared::count::OrganisationType;
use ethos_shared::counting::{KeyBytes, Moment};
use ethos_shared::report::{Attributes, ReportRecord, PACKING_VERSION};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags, Row};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::Semaphore;
use uuid::Uuid;

/// The organisations of a count's devices: name and type.
type Organisations = Vec<(String, OrganisationType)>;

/// The records of a count and the organisations of its devices, each record holding its
/// organisation's index in that list.
pub(super) type Scanned = (Vec<ReportRecord>, Organisations);

/// The report's query of a range of a count's positions, with `$count_and_range` (`?1` the
/// count, `?2 < seq <= ?3`). The columns the report reads of a record come in the order
/// [`read_row`] takes them; they lead every row of the table, after `count_id` (migration
/// 20261207000000): SQLite walks a row's header only as far as the last column read.
/// `ifnull(observed_at_ns, observed_at)`: the integer where there is one (see the first
/// migration), else the time as sent (further along the row). The flags are one value
/// (training + 2 × void + 4 × packed with `?4`, 8 for a `training` that is neither 0 nor 1):
/// a value fewer to hand over.
macro_rules! scan_sql {
    ($count_and_range:literal) => {
        concat!(
            "SELECT id, dedup_key, ifnull(observed_at_ns, observed_at), report_attributes,
                CASE training WHEN 0 THEN 0 WHEN 1 THEN 1 ELSE 8 END + 2 * (void_reason IS NOT NULL)
                    + 4 * (report_attributes_version = ?4),
                device_id
            FROM records WHERE ",
            $count_and_range
        )
    };
}

/// The rows read along the table itself, in storage order, and those of other counts in
/// between passed over (`+count_id`: not through the index). Through the index SQLite looks
/// every row up in the table again from its index entry: some 8 % more time over a million
/// records of one count.
const ALONG_TABLE_SQL: &str = scan_sql!("+count_id = ?1 AND seq > ?2 AND seq <= ?3");

/// The rows found through the index on `count_id` (which holds them in storage order): for a
/// range where other counts' rows are many, which reading along the table would all pass over.
const BY_INDEX_SQL: &str = scan_sql!("count_id = ?1 AND seq > ?2 AND seq <= ?3");

/// The rows of other counts between the count's first and last position, counted in the
/// index on `count_id` (time after how many there are, not after the table).
const OTHERS_SQL: &str = "SELECT count(*) FROM records
    WHERE count_id IN (SELECT id FROM counts WHERE id <> ?1) AND seq > ?2 AND seq <= ?3";

/// How a count's range of positions is read (see [`ALONG_TABLE_SQL`] and [`BY_INDEX_SQL`]).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Way {
    AlongTable,
    ByIndex,
}

impl Way {
    /// Along the table unless other counts' rows are over a quarter of the range: a count's
    /// late records (a phone synced days later, an import) can stretch its range over much
    /// of the table, and passing over a row costs about three times what reading a row
    /// through the index costs more.
    fn of(conn: &Connection, count: &str, after: i64, last: i64) -> rusqlite::Result<Way> {
        let others: i64 =
            conn.query_row(OTHERS_SQL, rusqlite::params![count, after, last], |row| row.get(0))?;
        Ok(if others.saturating_mul(4) <= last - after { Way::AlongTable } else { Way::ByIndex })
    }

    fn sql(self) -> &'static str {
        match self {
            Way::AlongTable => ALONG_TABLE_SQL,
            Way::ByIndex => BY_INDEX_SQL,
        }
    }
}

/// The first and the last storage position of a count's records (both through the index on
/// `count_id`, which holds the rowid in order).
const BOUNDS_SQL: &str = "SELECT (SELECT seq FROM records WHERE count_id = ?1 ORDER BY seq LIMIT 1),
        (SELECT seq FROM records WHERE count_id = ?1 ORDER BY seq DESC LIMIT 1)";

/// How often two read transactions are begun again when a commit came between their starts.
const SNAPSHOT_ATTEMPTS: usize = 3;

/// How long a report waits for a second connection before it scans on one: when other
/// reports are scanning, no report waits for another's connection.
const SECOND_CONNECTION_WAIT: Duration = Duration::from_millis(50);

/// The scan's connections: at most `permits` at work at once, each on a thread of its own,
/// and the idle ones kept open, so that the next report finds its memory map and its parsed
/// schema ready.
pub(super) struct ScanConnections {
    pub(super) permits: Arc<Semaphore>,
    idle: Mutex<Vec<Connection>>,
    path: PathBuf,
    busy_timeout: Duration,
}

impl ScanConnections {
    pub(super) fn new(connections: usize, path: &Path, busy_timeout: Duration) -> ScanConnections {
        ScanConnections {
            permits: Arc::new(Semaphore::new(connections)),
            idle: Mutex::default(),
            path: path.to_path_buf(),
            busy_timeout,
        }
    }

    /// The records of `count`, on two connections where a second one is free soon, else on one.
    pub(super) async fn scan(self: &Arc<Self>, count: Uuid) -> anyhow::Result<Scanned> {
        let first = self.permits.clone().acquire_owned().await?;
        let second = tokio::time::timeout(SECOND_CONNECTION_WAIT, self.permits.clone().acquire_owned())
            .await
            .ok()
            .transpose()?;
        let this = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let _permits = (first, &second);
            let mut a = this.take()?;
            let mut b = second.as_ref().map(|_| this.take()).transpose()?;
            let scanned = scan(&mut a, b.as_mut(), &count.to_string());
            // After an error the connections are closed, whatever state they were left in.
            if scanned.is_ok() {
                this.put_back(a);
                b.into_iter().for_each(|b| this.put_back(b));
            }
            scanned
        })
        .await
        .map_err(|e| anyhow!("the report's scan ended: {e}"))?
    }

    /// Closes the idle connections; a later scan opens new ones.
    pub(super) fn close(&self) {
        self.idle.lock().unwrap_or_else(PoisonError::into_inner).clear();
    }

    fn take(&self) -> anyhow::Result<Connection> {
        match self.idle.lock().unwrap_or_else(PoisonError::into_inner).pop() {
            Some(conn) => Ok(conn),
            None => Ok(open(&self.path, self.busy_timeout)?),
        }
    }

    fn put_back(&self, conn: Connection) {
        self.idle.lock().unwrap_or_else(PoisonError::into_inner).push(conn);
    }
}

/// A read-only connection for the scan, reading through a memory map (`MMAP_BYTES`).
fn open(path: &Path, busy_timeout: Duration) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI,
    )?;
    conn.busy_timeout(busy_timeout)?;
    pragma(&conn, &format!("PRAGMA mmap_size = {MMAP_BYTES}"))?;
    Ok(conn)
}

/// The records of `count` (its id as text) read on `a`, and the second half of them on `b` at
/// the same time where there is a `b`, both in one snapshot.
fn scan(a: &mut Connection, b: Option<&mut Connection>, count: &str) -> anyhow::Result<Scanned> {
    let (a, mut b) = begin_snapshot(a, b)?;
    let read = read_snapshot(a, b.as_deref_mut(), count);
    // Read-only: ending the transactions only lets the WAL be checkpointed past them. An error
    // of the read is told before one of ending them (the connections are closed after either).
    let ended = a.execute_batch("COMMIT").and_then(|()| b.map_or(Ok(()), |b| b.execute_batch("COMMIT")));
    let read = read?;
    ended?;
    Ok(read)
}

/// Begins a read transaction on `a`, and on `b` one that sees the same snapshot, or leaves
/// `b` out when that did not work out.
///
/// `PRAGMA data_version` changes on a connection when another one committed between two of
/// its reads, and reading it begins the read transaction. So `b` takes it, `a` begins its
/// snapshot, then `b` begins its own and takes it again: unchanged, no commit came in
/// between, and both snapshots are the state at the first reading. Changed, both are begun
/// again (a few times, then the scan reads on `a` alone).
fn begin_snapshot<'a, 'b>(
    a: &'a mut Connection,
    b: Option<&'b mut Connection>,
) -> rusqlite::Result<(&'a mut Connection, Option<&'b mut Connection>)> {
    if let Some(b) = b {
        for _ in 0..SNAPSHOT_ATTEMPTS {
            let before = data_version(b)?;
            a.execute_batch("BEGIN")?;
            data_version(a)?;
            b.execute_batch("BEGIN")?;
            if data_version(b)? == before {
                return Ok((a, Some(b)));
            }
            a.execute_batch("COMMIT")?;
            b.execute_batch("COMMIT")?;
        }
    }
    a.execute_batch("BEGIN")?;
    data_version(a)?;
    Ok((a, None))
}

fn data_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA data_version", [], |row| row.get(0))
}

/// `b`, where there is one, is moved to the thread that reads the second half (a connection
/// may be used on another thread, not by two at once).
fn read_snapshot(a: &mut Connection, b: Option<&mut Connection>, count: &str) -> anyhow::Result<Scanned> {
    let (organisations, device_org) = organisations(a, count)?;
    let (first, last): (Option<i64>, Option<i64>) =
        a.query_row(BOUNDS_SQL, [count], |row| Ok((row.get(0)?, row.get(1)?)))?;
    let (Some(first), Some(last)) = (first, last) else {
        return Ok((Vec::new(), organisations));
    };
    let device_org = &device_org;
    let way = Way::of(a, count, first - 1, last)?;
    let (mut front, back) = match b {
        Some(b) => {
            let middle = first - 1 + (last - first + 1) / 2;
            let (front, back) = ethos_shared::parallel::join(
                // Room for the back half too: it is appended without moving the front.
                || read_range(&*a, way, count, first - 1, middle, device_org, room(last - first + 1)),
                move || read_range(b, way, count, middle, last, device_org, room(last - middle)),
            );
            (front?, Some(back?))
        }
        None => (read_range(a, way, count, first - 1, last, device_org, room(last - first + 1))?, None),
    };
    if let Some(back) = back {
        front.records.extend_from_slice(&back.records);
        front.stale.extend(back.stale);
    }
    let Range { mut records, stale } = front;
    if !stale.is_empty() {
        // Packed with another version: the attributes from the record's own columns, in the
        // same snapshot, until the writer has re-packed them.
        let attributes = stale_attributes(a, &stale)?;
        for s in stale {
            let a = attributes.get(&s.id).copied().ok_or_else(|| anyhow!("record {} is gone", s.id))?;
            records.push(s.with(a));
        }
        records.sort_by_key(|r| r.id);
    }
    Ok((records, organisations))
}

/// The organisations of the count's devices, by name and type, and each device's index in
/// that list.
fn organisations(conn: &Connection, count: &str) -> anyhow::Result<(Organisations, HashMap<String, u32>)> {
    let mut organisations: Organisations = Vec::new();
    let mut device_org: HashMap<String, u32> = HashMap::new();
    let mut statement = conn.prepare(
        "SELECT d.id, i.organisation, i.organisation_type FROM devices d JOIN invites i ON i.id = d.invite_id
         WHERE d.count_id = ? ORDER BY i.organisation, i.organisation_type",
    )?;
    let mut rows = statement.query([count])?;
    while let Some(row) = rows.next()? {
        let org = (
            row.get::<_, String>(1)?,
            OrganisationType::from_code(row.get_ref(2)?.as_str()?).unwrap_or_default(),
        );
        let index = match organisations.iter().position(|o| *o == org) {
            Some(i) => i,
            None => {
                organisations.push(org);
                organisations.len() - 1
            }
        };
        device_org.insert(row.get(0)?, u32::try_from(index)?);
    }
    Ok((organisations, device_org))
}

/// The records of one range of storage positions: those packed with `PACKING_VERSION`, and the
/// others without their attributes.
struct Range {
    records: Vec<ReportRecord>,
    stale: Vec<Stale>,
}

/// Records a list is first made with room for, for a range of `positions` storage positions:
/// the whole range up to a cap. Other counts' records can lie in between, so a small count
/// spread over a long range would otherwise ask for room it never uses; a list that needs
/// more grows.
fn room(positions: i64) -> i64 {
    positions.min(1 << 21)
}

/// The records at positions `after < seq <= last`, read the `way` given, in a list with room for
/// `room` of them.
fn read_range(
    conn: &Connection,
    way: Way,
    count: &str,
    after: i64,
    last: i64,
    device_org: &HashMap<String, u32>,
    room: i64,
) -> anyhow::Result<Range> {
    let mut statement = conn.prepare(way.sql())?;
    let mut rows = statement.query(rusqlite::params![count, after, last, PACKING_VERSION])?;
    let capacity = usize::try_from(room).unwrap_or(0);
    let mut range = Range { records: Vec::with_capacity(capacity), stale: Vec::new() };
    // A batch of records comes from one device and is stored in one piece: the device of the
    // row before is looked up again only when it changes.
    let mut last_device: Option<(String, u32)> = None;
    while let Some(row) = rows.next()? {
        read_row(row, device_org, &mut last_device, &mut range)?;
    }
    Ok(range)
}

/// One row of [`SCAN_SQL`] into `range`; an error for a value that a stored record cannot have.
fn read_row(
    row: &Row<'_>,
    device_org: &HashMap<String, u32>,
    last_device: &mut Option<(String, u32)>,
    range: &mut Range,
) -> anyhow::Result<()> {
    let id = Uuid::try_parse_ascii(text(row.get_ref(0)?)?).context("a stored record's id")?;
    let fail = || format!("stored record {id}");
    let dedup_key = match row.get_ref(1)? {
        ValueRef::Null => None,
        key => Some(
            KeyBytes::parse_ascii(text(key)?)
                .ok_or_else(|| anyhow!("invalid dedup_key"))
                .with_context(fail)?,
        ),
    };
    let observed_at = match row.get_ref(2)? {
        ValueRef::Integer(nanos) => Moment::from_nanos(nanos),
        text => Moment::from(chrono::DateTime::parse_from_rfc3339(text.as_str()?).with_context(fail)?),
    };
    let packed = row.get_ref(3)?.as_i64()?;
    let flags = row.get_ref(4)?.as_i64()?;
    if flags > 7 {
        return Err(anyhow!("invalid training")).with_context(fail);
    }
    let (training, void, current) = (flags & 1 != 0, flags & 2 != 0, flags & 4 != 0);
    // Compared as bytes: checked as text only when the device changes.
    let device = text(row.get_ref(5)?)?;
    let organisation = match last_device {
        Some((last, organisation)) if last.as_bytes() == device => *organisation,
        _ => {
            let device = std::str::from_utf8(device).context("a stored record's device")?;
            let organisation = device_org.get(device).copied().unwrap_or(0);
            *last_device = Some((device.to_string(), organisation));
            organisation
        }
    };
    let record = Stale { id, observed_at, dedup_key, training, void, organisation };
    if current {
        let attributes = Attributes::unpack(packed)
            .ok_or_else(|| anyhow!("invalid report_attributes"))
            .with_context(fail)?;
        range.records.push(record.with(attributes));
    } else {
        range.stale.push(record);
    }
    Ok(())
}

/// The bytes of a text value, not yet checked to be UTF-8 (their parsers accept only ASCII);
/// an error for any other type, as a stored record has none.
fn text(value: ValueRef<'_>) -> anyhow::Result<&[u8]> {
    match value {
        ValueRef::Text(bytes) => Ok(bytes),
        other => Err(anyhow!("a {} where text is stored", other.data_type())),
    }
}

/// A record whose attributes were packed with another version than `PACKING_VERSION`: all
/// but its attributes.
struct Stale {
    id: Uuid,
    observed_at: Moment,
    dedup_key: Option<KeyBytes>,
    training: bool,
    void: bool,
    organisation: u32,
}

impl Stale {
    fn with(self, attributes: Attributes) -> ReportRecord {
        let Stale { id, observed_at, dedup_key, training, void, organisation } = self;
        ReportRecord { id, observed_at, dedup_key, training, void, attributes, organisation }
    }
}

/// The attributes of the `stale` records made from their own columns (read by name, as every
/// stored record is: see `records::record_from_row`).
fn stale_attributes(conn: &Connection, stale: &[Stale]) -> anyhow::Result<HashMap<Uuid, Attributes>> {
    let ids: Vec<String> = stale.iter().map(|s| s.id.to_string()).collect();
    let mut statement = conn.prepare(&format!(
        "SELECT {RECORD_COLUMNS} FROM records WHERE id IN (SELECT value FROM json_each(?))"
    ))?;
    let names = column_names(&statement);
    let mut rows = statement.query([serde_json::to_string(&ids)?])?;
    let mut attributes = HashMap::with_capacity(stale.len());
    while let Some(row) = rows.next()? {
        let record = record_from_columns(|f| column(row, &names, f))?;
        let a = Attributes::of(&record).ok_or_else(|| anyhow!("record {} has no attributes", record.id))?;
        attributes.insert(record.id, a);
    }
    Ok(attributes)
}

#[cfg(test)]
#[path = "report_scan_tests.rs"]
mod tests;
