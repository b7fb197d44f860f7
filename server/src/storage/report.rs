//! What the report reads: every record of a count in its slim form ([`ReportRecord`]).
//!
//! The report needs five small columns per record: the id, the duplicate key, `observed_at_ns`,
//! `report_attributes` (every attribute of the tables packed into one integer at sync time) and
//! the flags, plus the device. sqlx hands over each result row as a separate allocation, copied
//! value by value and passed through a channel from its worker thread: close to a microsecond
//! per row, about a second for a million rows even for a single INTEGER column. So SQLite
//! concatenates the columns of the records of a range of [`CHUNK`] storage positions (`seq`)
//! into one text per query (`group_concat`), and `report_columns` reads that back on a
//! blocking thread while the next chunk is being read.
//!
//! SQLite runs a query on one core, and that scan is most of the report's time. So the count's
//! range of `seq` is cut in two and each half is read on a connection of its own at the same
//! time: two cores, about half the time. Both read transactions must see the same snapshot of
//! the count (a sync committed between their starts would be half in the report); see
//! [`Storage::read_report_data`] for how that is made sure of.

use super::records::{record_from_row, RECORD_COLUMNS};
use super::report_columns::{parse_chunk, Stale};
use super::{Storage, StoreResult};
use anyhow::anyhow;
use ethos_shared::count::OrganisationType;
use ethos_shared::counting::{KeyDecision, KeyDecisions};
use ethos_shared::report::{Attributes, ReportRecord, PACKING_VERSION};
use sqlx::sqlite::SqliteConnection;
use sqlx::{Connection, Row};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;
use uuid::Uuid;

/// The records of a count as the report needs them, and the organisations they came through.
pub struct ReportData {
    pub records: Vec<ReportRecord>,
    pub organisations: Vec<(String, OrganisationType)>,
    pub decisions: KeyDecisions,
}

/// Storage positions (`seq`) per chunk: at most that many records, about 9 MB of text.
const CHUNK: i64 = 65_536;

/// The records of a count stored at positions `?2 < seq <= ?3`, a column at a time (see
/// `report_columns::Columns`), and how many. A range of the rowid, not a page of `LIMIT` rows:
/// a subquery with `ORDER BY … LIMIT` made SQLite copy every value once more on its way to
/// the aggregate, a third more time. One `group_concat` per column appends each value to its
/// text as it is read: gluing a line per record first (`a || ',' || b …`) made SQLite build
/// and copy a new string for every `||`. None of the values can hold a `,` (ids, hex,
/// integers, RFC 3339 times).
const CHUNK_SQL: &str =
    "SELECT group_concat(id, '') AS ids, group_concat(ifnull(dedup_key, '-'), '') AS keys,
        group_concat(ifnull(observed_at_ns, 't' || observed_at)) AS observed,
        group_concat(report_attributes) AS attributes,
        group_concat(CASE training WHEN 0 THEN 0 WHEN 1 THEN 1 ELSE 8 END + 2 * (void_reason IS NOT NULL)
            + 4 * (report_attributes_version = ?4), '') AS flags,
        group_concat(device_id) AS devices, count(*) AS n
    FROM records WHERE count_id = ?1 AND seq > ?2 AND seq <= ?3";

/// The first and the last storage position of a count's records (both through the index on
/// `count_id`, which holds the rowid in order).
const BOUNDS_SQL: &str = "SELECT (SELECT seq FROM records WHERE count_id = ?1 ORDER BY seq LIMIT 1) AS first,
        (SELECT seq FROM records WHERE count_id = ?1 ORDER BY seq DESC LIMIT 1) AS last";

/// How long the report waits for a second read connection before it reads on one: when the
/// pool is busy with other reads, no report waits for another's connection.
const SECOND_CONNECTION_WAIT: Duration = Duration::from_millis(50);

/// How often two read transactions are begun again when a commit came between their starts.
const SNAPSHOT_ATTEMPTS: usize = 3;

/// The parsed chunks of one half, in storage order.
type Chunks = Vec<JoinHandle<anyhow::Result<(Vec<ReportRecord>, Vec<Stale>)>>>;

impl Storage {
    pub async fn report_data(&self, count_id: Uuid) -> StoreResult<ReportData> {
        self.review_data(count_id, false).await
    }

    /// As [`Storage::report_data`]; with `training` (the rehearsal of a count in training) its
    /// training records are the ones counted, with the decisions made on them, and the live
    /// records and decisions are left out.
    pub async fn review_data(&self, count_id: Uuid, training: bool) -> StoreResult<ReportData> {
        Ok(self.read_report_data(count_id, training).await?)
    }

    /// The records on two connections at once where a second one is free, else on one.
    ///
    /// `PRAGMA data_version` changes on a connection when another one committed between two of
    /// its reads. So the second connection takes it, the first begins its snapshot, then the
    /// second begins its own and takes it again: unchanged, no commit came in between, and
    /// both snapshots are the state at the first reading. Changed, both are begun again (a
    /// few times, then the report reads on one connection).
    async fn read_report_data(&self, count_id: Uuid, training: bool) -> anyhow::Result<ReportData> {
        let count = count_id.to_string();
        let mut first = self.read.acquire().await?;
        let mut second =
            tokio::time::timeout(SECOND_CONNECTION_WAIT, self.read.acquire()).await.ok().transpose()?;
        let mut read = None;
        for _ in 0..SNAPSHOT_ATTEMPTS {
            let Some(second) = second.as_mut() else { break };
            let before = data_version(second).await?;
            let mut a = first.begin().await?;
            data_version(&mut a).await?;
            let mut b = second.begin().await?;
            if data_version(&mut b).await? == before {
                read = Some(read_records(&mut a, Some(&mut b), &count).await?);
                b.commit().await?;
                a.commit().await?;
                break;
            }
        }
        let (mut records, organisations) = match read {
            Some(read) => read,
            None => {
                drop(second);
                let mut a = first.begin().await?;
                let read = read_records(&mut a, None, &count).await?;
                a.commit().await?;
                read
            }
        };
        drop(first);
        if training {
            records.retain(|r| r.training);
            for r in &mut records {
                r.training = false;
            }
        }
        let decisions = self
            .review_decisions(count_id, training)
            .await?
            .into_iter()
            .map(|(key, r)| (key, KeyDecision::from(&r)))
            .collect();
        Ok(ReportData { records, organisations, decisions })
    }
}

async fn data_version(conn: &mut SqliteConnection) -> sqlx::Result<i64> {
    sqlx::query_scalar("PRAGMA data_version").fetch_one(conn).await
}

/// The records of `count` and its organisations in the snapshot of `a`, the second half of
/// the records read on `b` (the same snapshot) at the same time where there is one.
async fn read_records(
    a: &mut SqliteConnection,
    b: Option<&mut SqliteConnection>,
    count: &str,
) -> anyhow::Result<(Vec<ReportRecord>, Vec<(String, OrganisationType)>)> {
    let (organisations, device_org) = organisations(a, count).await?;
    let bounds = sqlx::query(BOUNDS_SQL).bind(count).fetch_one(&mut *a).await?;
    let (Some(first), Some(last)) = (bounds.try_get::<Option<i64>, _>("first")?, bounds.try_get("last")?)
    else {
        return Ok((Vec::new(), organisations));
    };
    let device_org = Arc::new(device_org);
    let chunks = match b {
        Some(b) => {
            let middle = first - 1 + (last - first + 1) / 2;
            let (front, back) = tokio::join!(
                read_half(a, count, first - 1, middle, &device_org),
                read_half(b, count, middle, last, &device_org)
            );
            let mut chunks = front?;
            chunks.extend(back?);
            chunks
        }
        None => read_half(a, count, first - 1, last, &device_org).await?,
    };
    let mut parsed = Vec::with_capacity(chunks.len());
    for chunk in chunks {
        parsed.push(chunk.await??);
    }
    let mut records = Vec::with_capacity(parsed.iter().map(|(r, s)| r.len() + s.len()).sum());
    let mut stale = Vec::new();
    for (chunk, chunk_stale) in parsed {
        records.extend_from_slice(&chunk);
        stale.extend(chunk_stale);
    }
    if !stale.is_empty() {
        // Packed with another version: the attributes from the record's own columns, in the
        // same snapshot, until the writer has re-packed them.
        let ids: Vec<String> = stale.iter().map(|s| s.id.to_string()).collect();
        let rows = sqlx::query(&format!(
            "SELECT {RECORD_COLUMNS} FROM records WHERE id IN (SELECT value FROM json_each(?))"
        ))
        .bind(serde_json::to_string(&ids)?)
        .fetch_all(&mut *a)
        .await?;
        let mut attributes = HashMap::with_capacity(rows.len());
        for row in &rows {
            let record = record_from_row(row)?;
            let a =
                Attributes::of(&record).ok_or_else(|| anyhow!("record {} has no attributes", record.id))?;
            attributes.insert(record.id, a);
        }
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
async fn organisations(
    conn: &mut SqliteConnection,
    count: &str,
) -> anyhow::Result<(Vec<(String, OrganisationType)>, HashMap<String, u32>)> {
    let mut organisations: Vec<(String, OrganisationType)> = Vec::new();
    let mut device_org: HashMap<String, u32> = HashMap::new();
    let devices = sqlx::query(
        "SELECT d.id, i.organisation, i.organisation_type FROM devices d JOIN invites i ON i.id = d.invite_id
         WHERE d.count_id = ? ORDER BY i.organisation, i.organisation_type",
    )
    .bind(count)
    .fetch_all(&mut *conn)
    .await?;
    for row in devices {
        let org = (
            row.try_get::<String, _>("organisation")?,
            OrganisationType::from_code(row.try_get("organisation_type")?).unwrap_or_default(),
        );
        let index = match organisations.iter().position(|o| *o == org) {
            Some(i) => i,
            None => {
                organisations.push(org);
                organisations.len() - 1
            }
        };
        device_org.insert(row.try_get("id")?, index as u32);
    }
    Ok((organisations, device_org))
}

/// The chunks of the records at positions `after < seq <= last`, each parsed on a blocking
/// thread while the next one is read.
async fn read_half(
    conn: &mut SqliteConnection,
    count: &str,
    after: i64,
    last: i64,
    device_org: &Arc<HashMap<String, u32>>,
) -> anyhow::Result<Chunks> {
    let mut chunks = Vec::new();
    let mut from = after;
    while from < last {
        let to = last.min(from.saturating_add(CHUNK));
        let row = sqlx::query(CHUNK_SQL)
            .bind(count)
            .bind(from)
            .bind(to)
            .bind(PACKING_VERSION)
            .fetch_one(&mut *conn)
            .await?;
        from = to;
        if row.try_get::<i64, _>("n")? == 0 {
            continue;
        }
        let device_org = Arc::clone(device_org);
        chunks.push(tokio::task::spawn_blocking(move || parse_chunk(&row, &device_org)));
    }
    Ok(chunks)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::{Device, User};
    use ethos_shared::api::{Decision, Role};
    use ethos_shared::counting::CountedRecord;
    use ethos_shared::record::Record;

    fn record(n: u128, key: Option<&str>, observed_at: &str, training: bool) -> Record {
        let origin = match n % 3 {
            0 => serde_json::json!({"kind": "municipality", "code": "GM0363"}),
            1 => serde_json::json!({"kind": "municipality", "code": "GM0935"}),
            _ => serde_json::json!({"kind": "abroad"}),
        };
        let json = serde_json::json!({"id": Uuid::from_u128(0x0192f0c4_1111_7000_8000_000000000000 + n),
            "revision":1, "observed_at": observed_at, "municipality":"GM0938",
            "living_situation": if n.is_multiple_of(2) { "8.1" } else { "3.1" },
            "origin": origin, "dedup_key": key.map(|k| k.repeat(64)),
            "profile":{"age_band":"23-26","gender":"woman","household":"alone","children": n % 4,
                "duration":"1-3m","residence_status":"dutch","income":"benefit",
                "care_needs":["addiction","physical"],"previous_facility":"none","housing_need":"housing_first"},
            "training": training});
        serde_json::from_value(json).expect("a record")
    }

    /// More than a chunk of records through the sync write path, read back as the report reads
    /// them: the same as building them from the records themselves.
    #[tokio::test]
    async fn the_report_reads_back_what_the_sync_stored() {
        let dir = tempfile::tempdir().expect("a directory");
        let storage = Storage::open(&dir.path().join("t.db")).await.expect("a database");
        let count_id = Uuid::from_u128(0xc0);
        for sql in [
            "INSERT INTO users VALUES ('u', 'c', 'x', 'coordinator', '2026-01-01T00:00:00Z')",
            "INSERT INTO counts VALUES ('00000000-0000-0000-0000-0000000000c0', 'T', '2026-10-15',
                '2026-10-15T20:00:00+02:00', '2026-10-16T20:00:00+02:00', 'live', 's', '2026-01-01T00:00:00Z', 'u')",
            "INSERT INTO invites (id, count_id, code, organisation, organisation_type, created_at, created_by)
                VALUES ('i1', '00000000-0000-0000-0000-0000000000c0', 'A', 'Zorg', 'care', '2026-01-01T00:00:00Z', 'u'),
                       ('i2', '00000000-0000-0000-0000-0000000000c0', 'B', 'Opvang', 'shelter', '2026-01-01T00:00:00Z', 'u')",
            "INSERT INTO devices (id, invite_id, count_id, token_hash, enrolled_at) VALUES
                ('00000000-0000-0000-0000-0000000000d1', 'i1', '00000000-0000-0000-0000-0000000000c0', 'h1', '2026-01-01T00:00:00Z'),
                ('00000000-0000-0000-0000-0000000000d2', 'i2', '00000000-0000-0000-0000-0000000000c0', 'h2', '2026-01-01T00:00:00Z')",
        ] {
            sqlx::query(sql).execute(&storage.write).await.expect("set up");
        }
        let now = chrono::DateTime::parse_from_rfc3339("2026-10-17T00:00:00Z").expect("a time").into();
        let mut records = Vec::new();
        for n in 0..(CHUNK as u128 + 10) {
            let key = ["a", "b", "c"].get(n as usize % 5).copied();
            let at = format!("2026-10-15T22:{:02}:{:02}.{n:09}+02:00", n % 60, n / 60 % 60);
            records.push(record(n, key, &at, n % 7 == 0));
        }
        records.push(record(1_000_000, Some("d"), "2026-10-15T23:59:60.5+02:00", false));
        records.push(record(1_000_001, None, "1600-01-01T00:00:00Z", true));
        for (i, batch) in records.chunks(500).enumerate() {
            let device = Device {
                id: Uuid::from_u128(0xd1 + (i % 2) as u128),
                count_id,
                organisation: String::new(),
                revoked: false,
            };
            let items = batch.iter().cloned().map(Ok).collect();
            storage.sync_batch(&device, items, None, now).await.expect("stored");
        }
        let user = User { id: Uuid::from_u128(1), username: "c".into(), role: Role::Coordinator };
        storage.set_void(records[3].id, Some("test"), &user).await.expect("void");
        let key = records[1].dedup_key.clone().expect("a key");
        storage
            .resolve_duplicate(count_id, &key, Decision::DifferentPeople, None, &user)
            .await
            .expect("decided");

        let data = storage.report_data(count_id).await.expect("report data");
        assert_eq!(
            data.organisations,
            vec![
                ("Opvang".to_string(), OrganisationType::Shelter),
                ("Zorg".to_string(), OrganisationType::Care)
            ]
        );
        assert_eq!(data.decisions.len(), 1);
        let mut got = data.records;
        got.sort_by_key(|r| r.id);
        let want: Vec<ReportRecord> = records
            .iter()
            .enumerate()
            .map(|(i, r)| {
                // Even batches came through d1 (Zorg, second by name), odd ones through d2 (Opvang).
                let organisation = if (i / 500) % 2 == 0 { 1 } else { 0 };
                let counted = CountedRecord::from_record(r, i == 3, organisation);
                ReportRecord::from_counted(&counted).expect("a report record")
            })
            .collect();
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(&want) {
            assert_eq!(g, w);
        }

        // With every other read connection taken, the report reads all on one connection: the
        // same records.
        let mut held = Vec::new();
        for _ in 0..3 {
            held.push(storage.read.acquire().await.expect("a read connection"));
        }
        let mut alone = storage.report_data(count_id).await.expect("report data").records;
        alone.sort_by_key(|r| r.id);
        assert_eq!(alone, got);
        drop(held);
    }
}
