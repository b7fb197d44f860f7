//! What the report reads: every record of a count in its slim form ([`ReportRecord`]).
//!
//! The report needs five small columns per record: the id, the duplicate key, `observed_at_ns`,
//! `report_attributes` (every attribute of the tables packed into one integer at sync time) and
//! the flags, plus the device. sqlx hands over each result row as a separate allocation, copied
//! value by value and passed through a channel from its worker thread: close to a microsecond
//! per row, about a second for a million rows even for a single INTEGER column. So SQLite
//! concatenates the columns of up to [`CHUNK`] records (`group_concat`, keyset paged on the
//! storage order `seq`) into one text per query, and [`parse_chunk`] reads that back on a
//! blocking thread while the next chunk is being read. All chunks come from one read
//! transaction, so the report sees one snapshot of the count.

use super::records::{record_from_row, RECORD_COLUMNS};
use super::{Storage, StoreResult};
use anyhow::{anyhow, bail, Context};
use ethos_shared::count::OrganisationType;
use ethos_shared::counting::{KeyBytes, KeyDecision, KeyDecisions, Moment};
use ethos_shared::report::{Attributes, ReportRecord, PACKING_VERSION};
use sqlx::sqlite::SqliteRow;
use sqlx::Row;
use std::collections::HashMap;
use std::sync::Arc;
use uuid::Uuid;

/// The records of a count as the report needs them, and the organisations they came through.
pub struct ReportData {
    pub records: Vec<ReportRecord>,
    pub organisations: Vec<(String, OrganisationType)>,
    pub decisions: KeyDecisions,
}

/// Records per chunk: about 9 MB of text.
const CHUNK: i64 = 65_536;

/// One chunk of a count's records stored after row `?2` (`seq`, the storage order), a column
/// at a time (see [`Columns`]); then the last `seq` of the chunk and its size. One
/// `group_concat` per column appends each value to its text as it is read: gluing a line per
/// record first (`a || ',' || b …`) made SQLite build and copy a new string for every `||`,
/// twice the time of the whole read. None of the values can hold a `,` (ids, hex, integers,
/// RFC 3339 times).
const CHUNK_SQL: &str =
    "SELECT group_concat(id, '') AS ids, group_concat(ifnull(dedup_key, '-'), '') AS keys,
        group_concat(ifnull(observed_at_ns, 't' || observed_at)) AS observed,
        group_concat(report_attributes) AS attributes,
        group_concat(CASE training WHEN 0 THEN 0 WHEN 1 THEN 1 ELSE 8 END + 2 * (void_reason IS NOT NULL)
            + 4 * (report_attributes_version = ?4), '') AS flags,
        group_concat(device_id) AS devices, max(seq) AS last_seq, count(*) AS n
    FROM (SELECT seq, id, dedup_key, observed_at_ns, observed_at, report_attributes, report_attributes_version,
            training, void_reason, device_id
          FROM records WHERE count_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3)";

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

    async fn read_report_data(&self, count_id: Uuid, training: bool) -> anyhow::Result<ReportData> {
        let count = count_id.to_string();
        let mut tx = self.read.begin().await?;
        let mut organisations: Vec<(String, OrganisationType)> = Vec::new();
        let mut device_org: HashMap<String, u32> = HashMap::new();
        let devices = sqlx::query(
            "SELECT d.id, i.organisation, i.organisation_type FROM devices d JOIN invites i ON i.id = d.invite_id
             WHERE d.count_id = ? ORDER BY i.organisation, i.organisation_type",
        )
        .bind(&count)
        .fetch_all(&mut *tx)
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

        let device_org = Arc::new(device_org);
        let mut chunks = Vec::new();
        let mut after = 0_i64;
        loop {
            let row = sqlx::query(CHUNK_SQL)
                .bind(&count)
                .bind(after)
                .bind(CHUNK)
                .bind(PACKING_VERSION)
                .fetch_one(&mut *tx)
                .await?;
            let n: i64 = row.try_get("n")?;
            if n == 0 {
                break;
            }
            after = row.try_get("last_seq")?;
            let device_org = Arc::clone(&device_org);
            chunks.push(tokio::task::spawn_blocking(move || parse_chunk(&row, &device_org)));
            if n < CHUNK {
                break;
            }
        }
        let mut records = Vec::new();
        let mut stale = Vec::new();
        for chunk in chunks {
            let (chunk, chunk_stale) = chunk.await??;
            if records.is_empty() {
                records = chunk;
            } else {
                records.extend_from_slice(&chunk);
            }
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
            .fetch_all(&mut *tx)
            .await?;
            let mut attributes = HashMap::with_capacity(rows.len());
            for row in &rows {
                let record = record_from_row(row)?;
                let a = Attributes::of(&record)
                    .ok_or_else(|| anyhow!("record {} has no attributes", record.id))?;
                attributes.insert(record.id, a);
            }
            for s in stale {
                let a = attributes.get(&s.id).copied().ok_or_else(|| anyhow!("record {} is gone", s.id))?;
                records.push(s.with(a));
            }
            records.sort_by_key(|r| r.id);
        }
        tx.commit().await?;

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

/// A record whose attributes were packed with another version than [`PACKING_VERSION`]: all
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

/// The records of one row of [`CHUNK_SQL`], and those packed with another version.
fn parse_chunk(
    row: &SqliteRow,
    device_org: &HashMap<String, u32>,
) -> anyhow::Result<(Vec<ReportRecord>, Vec<Stale>)> {
    let columns = Columns {
        ids: row.try_get("ids")?,
        keys: row.try_get("keys")?,
        observed: row.try_get("observed")?,
        attributes: row.try_get("attributes")?,
        flags: row.try_get("flags")?,
        devices: row.try_get("devices")?,
    };
    let n: i64 = row.try_get("n")?;
    columns.parse(usize::try_from(n)?, device_org)
}

/// The columns of `n` records, each one text:
/// - `ids`: the ids, 36 characters each, nothing between them;
/// - `keys`: each duplicate key's 64 hex characters, or `-` for none, nothing between them;
/// - `observed`: `observed_at_ns`, or `t` and the `observed_at` text where there is no such
///   integer, `,` between them;
/// - `attributes`: `report_attributes`, `,` between them;
/// - `flags`: one digit each, training + 2 × void + 4 × packed with [`PACKING_VERSION`];
/// - `devices`: the device ids, `,` between them.
struct Columns<'a> {
    ids: &'a str,
    keys: &'a str,
    observed: &'a str,
    attributes: &'a str,
    flags: &'a str,
    devices: &'a str,
}

/// The length of an id's text.
const ID_LEN: usize = 36;
/// The length of a duplicate key's text.
const KEY_LEN: usize = 64;

impl Columns<'_> {
    /// The records, and those packed with another version; an error for anything else than
    /// `n` well-formed values in each column.
    fn parse(
        &self,
        n: usize,
        device_org: &HashMap<String, u32>,
    ) -> anyhow::Result<(Vec<ReportRecord>, Vec<Stale>)> {
        let ids = self.ids.as_bytes();
        let flags = self.flags.as_bytes();
        if ids.len() != n * ID_LEN || flags.len() != n {
            bail!("{n} records but {} characters of ids and {} of flags", ids.len(), flags.len());
        }
        let mut keys = self.keys;
        let mut observed = self.observed.split(',');
        let mut attributes = self.attributes.split(',');
        let mut devices = self.devices.split(',');
        let mut records = Vec::with_capacity(n);
        let mut stale = Vec::new();
        for (i, (id, &flag)) in ids.chunks_exact(ID_LEN).zip(flags).enumerate() {
            let id = Uuid::try_parse_ascii(id).with_context(|| format!("id of record {i}"))?;
            let fail = || format!("stored record {id}");
            let dedup_key = match keys.strip_prefix('-') {
                Some(rest) => {
                    keys = rest;
                    None
                }
                None => {
                    let key = keys.get(..KEY_LEN).and_then(KeyBytes::parse);
                    keys = keys.get(KEY_LEN..).unwrap_or_default();
                    Some(key.ok_or_else(|| anyhow!("invalid dedup_key")).with_context(fail)?)
                }
            };
            let observed_at =
                match observed.next().ok_or_else(|| anyhow!("no observed_at")).with_context(fail)? {
                    text if text.starts_with('t') => {
                        Moment::from(chrono::DateTime::parse_from_rfc3339(&text[1..]).with_context(fail)?)
                    }
                    nanos => Moment::from_nanos(nanos.parse().with_context(fail)?),
                };
            let packed: i64 = attributes
                .next()
                .ok_or_else(|| anyhow!("no report_attributes"))
                .with_context(fail)?
                .parse()
                .with_context(fail)?;
            let flag = flag.wrapping_sub(b'0');
            if flag > 7 {
                return Err(anyhow!("invalid training")).with_context(fail);
            }
            let device = devices.next().ok_or_else(|| anyhow!("no device_id")).with_context(fail)?;
            let organisation = device_org.get(device).copied().unwrap_or(0);
            let record = Stale {
                id,
                observed_at,
                dedup_key,
                training: flag & 1 != 0,
                void: flag & 2 != 0,
                organisation,
            };
            if flag & 4 == 0 {
                stale.push(record);
            } else {
                let attributes = Attributes::unpack(packed)
                    .ok_or_else(|| anyhow!("invalid report_attributes"))
                    .with_context(fail)?;
                records.push(record.with(attributes));
            }
        }
        if !keys.is_empty()
            || observed.next().is_some()
            || attributes.next().is_some()
            || devices.next().is_some()
        {
            bail!("more values than the {n} records");
        }
        Ok((records, stale))
    }
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
    }

    fn attributes() -> i64 {
        let json = serde_json::json!({"id":"0192f0c4-1111-7000-8000-000000000001","revision":1,
            "observed_at":"2026-10-15T22:40:00+02:00","municipality":"GM0935","living_situation":"2.1",
            "origin":{"kind":"abroad"},"dedup_key":null,
            "profile":{"age_band":"23-26","gender":"man","household":"alone","children":2,
                "duration":"1-3m","residence_status":"dutch","income":"benefit",
                "care_needs":["addiction"],"previous_facility":"none","housing_need":"housing_first"}});
        let record: ethos_shared::record::Record = serde_json::from_value(json).expect("a record");
        Attributes::of(&record).expect("attributes").pack()
    }

    /// Records as one row of [`CHUNK_SQL`] gives them: each record's id, key (`-` for none),
    /// observed, packed attributes, flags digit and device.
    type Values<'a> = (&'a str, &'a str, &'a str, String, &'a str, &'a str);

    fn parse(
        lines: &[Values<'_>],
        devices: &HashMap<String, u32>,
    ) -> anyhow::Result<(Vec<ReportRecord>, Vec<Stale>)> {
        let column =
            |f: &dyn Fn(&Values<'_>) -> String, sep: &str| lines.iter().map(f).collect::<Vec<_>>().join(sep);
        let (i, k, o) =
            (column(&|l| l.0.into(), ""), column(&|l| l.1.into(), ""), column(&|l| l.2.into(), ","));
        let (a, f, d) =
            (column(&|l| l.3.clone(), ","), column(&|l| l.4.into(), ""), column(&|l| l.5.into(), ","));
        let columns = Columns { ids: &i, keys: &k, observed: &o, attributes: &a, flags: &f, devices: &d };
        columns.parse(lines.len(), devices)
    }

    const ID1: &str = "0192f0c4-1111-7000-8000-000000000001";
    const ID2: &str = "0192f0c4-1111-7000-8000-000000000002";

    #[test]
    fn the_columns_give_the_records_they_were_made_of() {
        let devices = HashMap::from([("dev-b".to_string(), 1), ("dev-a".to_string(), 0)]);
        let key = "f8108182fceecee89eba6a4c24ef082b45665411e020779334f04f10cc5c167a";
        let packed = attributes();
        let lines = [
            (ID1, key, "1760560800000000001", packed.to_string(), "6", "dev-b"),
            (ID2, "-", "t1600-01-01T00:00:00+01:00", packed.to_string(), "5", "gone"),
        ];
        let (records, stale) = parse(&lines, &devices).expect("records");
        assert!(stale.is_empty());
        let r = records[0];
        assert_eq!(r.id, ID1.parse::<Uuid>().expect("an id"));
        assert_eq!(r.dedup_key, KeyBytes::parse(key));
        assert_eq!(r.observed_at, Moment::from_nanos(1_760_560_800_000_000_001));
        assert_eq!(r.attributes, Attributes::unpack(packed).expect("attributes"));
        assert_eq!((r.training, r.void, r.organisation), (false, true, 1));

        let r = records[1];
        assert_eq!(r.id, ID2.parse::<Uuid>().expect("an id"));
        assert_eq!(r.dedup_key, None);
        let time = chrono::DateTime::parse_from_rfc3339("1600-01-01T00:00:00+01:00").expect("a time");
        assert_eq!(r.observed_at, Moment::from(time));
        assert_eq!((r.training, r.void, r.organisation), (true, false, 0));
    }

    #[test]
    fn damaged_columns_are_an_error() {
        let devices = HashMap::new();
        let packed = attributes().to_string();
        let good = (ID1, "-", "5", packed.clone(), "4", "d");
        assert!(parse(&[good.clone(), (ID2, "-", "5", packed.clone(), "4", "d")], &devices).is_ok());
        for bad in [
            ("0192f0c4-1111-7000-8000-00000000000x", "-", "5", packed.clone(), "4", "d"),
            (ID1, "ABC", "5", packed.clone(), "4", "d"),
            (ID1, "-", "x5", packed.clone(), "4", "d"),
            (ID1, "-", "5", "-1".to_string(), "4", "d"),
            (ID1, "-", "5", packed.clone(), "8", "d"),
            (ID1, "-", "5", packed.clone(), "12", "d"),
            (ID1, "-", "5", packed.clone(), "x", "d"),
            (ID1, "-", "5,6", packed.clone(), "4", "d"),
            (ID1, "-", "5", format!("{packed},{packed}"), "4", "d"),
            (ID1, "-", "5", packed.clone(), "4", "d,e"),
            (ID1, "--", "5", packed.clone(), "4", "d"),
        ] {
            assert!(parse(&[good.clone(), bad.clone()], &devices).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_record_packed_with_another_version_is_read_without_its_attributes() {
        let devices = HashMap::from([("d".to_string(), 0)]);
        // Whatever the old packing made, even a value the current one refuses.
        for packed in [attributes(), -1] {
            let (records, stale) =
                parse(&[(ID1, "-", "5", packed.to_string(), "1", "d")], &devices).expect("a record");
            assert!(records.is_empty());
            assert_eq!((stale[0].training, stale[0].void), (true, false));
        }
    }
}
