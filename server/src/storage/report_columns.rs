//! Reading back the text columns of one chunk of a count's records (see `report.rs`): each
//! column of up to a chunk of records is one text made by SQLite's `group_concat`, and this
//! turns them into [`ReportRecord`]s without a string per record.

use anyhow::{anyhow, bail, Context};
use ethos_shared::counting::{KeyBytes, Moment};
use ethos_shared::report::{Attributes, ReportRecord};
use sqlx::sqlite::SqliteRow;
use sqlx::Row;
use std::collections::HashMap;
use uuid::Uuid;

/// A record whose attributes were packed with another version than `PACKING_VERSION`: all
/// but its attributes.
pub(super) struct Stale {
    pub(super) id: Uuid,
    observed_at: Moment,
    dedup_key: Option<KeyBytes>,
    training: bool,
    void: bool,
    organisation: u32,
}

impl Stale {
    pub(super) fn with(self, attributes: Attributes) -> ReportRecord {
        let Stale { id, observed_at, dedup_key, training, void, organisation } = self;
        ReportRecord { id, observed_at, dedup_key, training, void, attributes, organisation }
    }
}

/// The records of one row of the report's chunk query, and those packed with another version.
pub(super) fn parse_chunk(
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
/// - `flags`: one digit each, training + 2 × void + 4 × packed with `PACKING_VERSION`;
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
        let mut last_device: Option<(&str, u32)> = None;
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
            // A batch of records comes from one device and is stored in one piece.
            let organisation = match last_device {
                Some((last, organisation)) if last == device => organisation,
                _ => {
                    let organisation = device_org.get(device).copied().unwrap_or(0);
                    last_device = Some((device, organisation));
                    organisation
                }
            };
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
