//! What the report reads: every record of a count in its slim form ([`ReportRecord`]), read
//! by [`report_scan`](super::report_scan) on connections of its own.

use super::{Storage, StoreResult};
use ethos_shared::count::OrganisationType;
use ethos_shared::counting::{KeyDecision, KeyDecisions};
use ethos_shared::report::ReportRecord;
use uuid::Uuid;

/// The records of a count as the report needs them, and the organisations they came through.
pub struct ReportData {
    pub records: Vec<ReportRecord>,
    pub organisations: Vec<(String, OrganisationType)>,
    pub decisions: KeyDecisions,
}

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
        let (mut records, organisations) = self.scans.scan(count_id).await?;
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

    /// Many records through the sync write path, read back as the report reads
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
        for n in 0..20_010u128 {
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
            let items: Vec<crate::storage::SyncItem> = batch.iter().cloned().map(Ok).collect();
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

        // With every other scan permit taken, the report reads all on one connection: the
        // same records.
        let mut held = Vec::new();
        for _ in 0..3 {
            held.push(storage.scans.permits.clone().acquire_owned().await.expect("a scan permit"));
        }
        let mut alone = storage.report_data(count_id).await.expect("report data").records;
        alone.sort_by_key(|r| r.id);
        assert_eq!(alone, got);
        drop(held);
    }
}
