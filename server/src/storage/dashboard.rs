//! What the coordinator watches during the count: progress figures and the devices.

use super::{parse_ts, ts, Storage, StoreResult};
use chrono::{DateTime, Utc};
use ethos_shared::count::OrganisationType;
use serde::Serialize;
use sqlx::Row;
use uuid::Uuid;

use ethos_shared::progress::by_organisation_and_entry;
pub use ethos_shared::progress::{
    Device as DeviceInfo, HourProgress, MunicipalityProgress, OrganisationProgress,
};
use ethos_shared::record::Entry;

/// Record figures of the dashboard: counted records (not training, not void) unless named.
#[derive(Debug, Clone, Serialize)]
pub struct Progress {
    pub records_total: u64,
    pub records_counted: u64,
    pub records_training: u64,
    pub records_void: u64,
    pub by_organisation: Vec<OrganisationProgress>,
    pub by_municipality: Vec<MunicipalityProgress>,
    pub by_hour: Vec<HourProgress>,
    pub devices_enrolled: u64,
    pub devices_seen_last_hour: u64,
}

impl Storage {
    /// The records matching `condition` (on `records r`, with one `?` for the count id) per
    /// organisation and `entry`, in one aggregate query; organisations with the most first.
    pub(super) async fn by_organisation_and_entry(
        &self,
        condition: &str,
        count_id: &str,
    ) -> StoreResult<Vec<OrganisationProgress>> {
        let rows = sqlx::query(&format!(
            "SELECT i.organisation, i.organisation_type, r.entry, COUNT(*) AS n,
                    SUM(COUNT(*)) OVER (PARTITION BY i.organisation, i.organisation_type) AS total
             FROM records r JOIN devices d ON d.id = r.device_id JOIN invites i ON i.id = d.invite_id
             WHERE {condition} GROUP BY i.organisation, i.organisation_type, r.entry
             ORDER BY total DESC, i.organisation, i.organisation_type"
        ))
        .bind(count_id)
        .fetch_all(&self.read)
        .await?;
        let rows = rows
            .iter()
            .map(|r| {
                let entry: &str = r.try_get("entry")?;
                Ok((
                    r.try_get("organisation")?,
                    OrganisationType::from_code(r.try_get("organisation_type")?).unwrap_or_default(),
                    Entry::from_code(entry).ok_or_else(|| anyhow::anyhow!("stored entry {entry:?}"))?,
                    r.try_get::<i64, _>("n")?.max(0) as u64,
                ))
            })
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(by_organisation_and_entry(rows))
    }

    pub async fn count_devices(&self, count_id: Uuid) -> StoreResult<Vec<DeviceInfo>> {
        let rows = sqlx::query(
            "SELECT d.id, d.label, i.organisation, i.organisation_type, d.enrolled_at, d.last_seen_at,
                    d.unsynced_reported, i.revoked_at IS NOT NULL AS revoked
             FROM devices d JOIN invites i ON i.id = d.invite_id WHERE d.count_id = ?
             ORDER BY d.last_seen_at IS NULL, d.last_seen_at, d.enrolled_at",
        )
        .bind(count_id.to_string())
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(DeviceInfo {
                    id: r.try_get::<String, _>("id")?.parse()?,
                    label: r.try_get("label")?,
                    organisation: r.try_get("organisation")?,
                    organisation_type: OrganisationType::from_code(r.try_get("organisation_type")?)
                        .unwrap_or_default(),
                    enrolled_at: parse_ts(r.try_get("enrolled_at")?)?,
                    last_seen_at: r.try_get::<Option<&str>, _>("last_seen_at")?.map(parse_ts).transpose()?,
                    unsynced: r
                        .try_get::<Option<i64>, _>("unsynced_reported")?
                        .map(|n| n.clamp(0, u32::MAX as i64) as u32),
                    revoked: r.try_get("revoked")?,
                })
            })
            .collect()
    }

    /// Unique persons under the counting rules (`ethos_shared::counting::persons`) as one
    /// aggregate query, without reading the records out: every counted record without a
    /// duplicate key, or whose key the coordinator split ("different people"), is a person of its
    /// own; the counted records of any other key are one person together.
    pub async fn persons_total(&self, count_id: Uuid) -> StoreResult<u64> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COALESCE(SUM(r.dedup_key IS NULL OR d.decision IS 'different_people'), 0)
                  + COUNT(DISTINCT CASE WHEN d.decision IS NOT 'different_people' THEN r.dedup_key END)
             FROM records r LEFT JOIN duplicate_resolutions d
                 ON d.count_id = r.count_id AND d.dedup_key = r.dedup_key
             WHERE r.count_id = ? AND r.training = 0 AND r.void_reason IS NULL",
        )
        .bind(count_id.to_string())
        .fetch_one(&self.read)
        .await?;
        Ok(n.max(0) as u64)
    }

    pub async fn progress(&self, count_id: Uuid, now: DateTime<Utc>) -> StoreResult<Progress> {
        let id = count_id.to_string();
        let totals = sqlx::query(
            "SELECT COUNT(*) AS total,
                    COALESCE(SUM(training = 0 AND void_reason IS NULL), 0) AS counted,
                    COALESCE(SUM(training = 1), 0) AS training,
                    COALESCE(SUM(training = 0 AND void_reason IS NOT NULL), 0) AS void
             FROM records WHERE count_id = ?",
        )
        .bind(&id)
        .fetch_one(&self.read)
        .await?;
        const COUNTED: &str = "r.count_id = ? AND r.training = 0 AND r.void_reason IS NULL";
        let by_organisation = self.by_organisation_and_entry(COUNTED, &id).await?;
        let by_municipality = sqlx::query(&format!(
            "SELECT r.municipality, COUNT(*) AS n FROM records r WHERE {COUNTED} GROUP BY r.municipality ORDER BY n DESC"
        ))
        .bind(&id)
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(|r| Ok(MunicipalityProgress { municipality: r.try_get("municipality")?, records: r.try_get::<i64, _>("n")? as u64 }))
        .collect::<anyhow::Result<_>>()?;
        // SQLite's time functions read the phone's offset and give UTC.
        let by_hour = sqlx::query(&format!(
            "SELECT strftime('%Y-%m-%dT%H:00:00Z', r.observed_at) AS hour, COUNT(*) AS n FROM records r
             WHERE {COUNTED} GROUP BY hour ORDER BY hour"
        ))
        .bind(&id)
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(|r| Ok(HourProgress { hour: r.try_get("hour")?, records: r.try_get::<i64, _>("n")? as u64 }))
        .collect::<anyhow::Result<_>>()?;
        let devices = sqlx::query(
            "SELECT COUNT(*) AS enrolled, COALESCE(SUM(last_seen_at > ?), 0) AS recent FROM devices WHERE count_id = ?",
        )
        .bind(ts(now - chrono::Duration::hours(1)))
        .bind(&id)
        .fetch_one(&self.read)
        .await?;
        Ok(Progress {
            records_total: totals.try_get::<i64, _>("total")? as u64,
            records_counted: totals.try_get::<i64, _>("counted")? as u64,
            records_training: totals.try_get::<i64, _>("training")? as u64,
            records_void: totals.try_get::<i64, _>("void")? as u64,
            by_organisation,
            by_municipality,
            by_hour,
            devices_enrolled: devices.try_get::<i64, _>("enrolled")? as u64,
            devices_seen_last_hour: devices.try_get::<i64, _>("recent")? as u64,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::{Device, User};
    use ethos_shared::api::{Decision, Role};
    use ethos_shared::counting::persons;
    use ethos_shared::record::{DedupKey, Record};

    fn record(n: u128, key: Option<char>, training: bool) -> Record {
        let json = serde_json::json!({"id": Uuid::from_u128(0x0192f0c4_1111_7000_8000_000000000000 + n),
            "revision": 1, "observed_at": "2026-10-15T22:40:00+02:00", "municipality": "GM0935",
            "living_situation": "1.1", "origin": {"kind": "unknown"},
            "dedup_key": key.map(|k| k.to_string().repeat(64)),
            "profile": {"age_band": "unknown", "gender": "unknown", "household": "unknown",
                "children": "unknown", "duration": "unknown", "residence_status": "unknown",
                "income": "unknown", "care_needs": ["unknown"], "previous_facility": "unknown",
                "housing_need": "unknown"},
            "training": training});
        serde_json::from_value(json).expect("a record")
    }

    /// The dashboard's aggregate query gives the persons of the counting rules: keys merged
    /// unless split, records without a key each a person, training and void records left out.
    #[tokio::test]
    async fn the_persons_query_counts_as_the_counting_rules_do() {
        let dir = tempfile::tempdir().expect("a directory");
        // A live count `…c0` with one device `…d1`.
        let storage = crate::storage::records::tests::storage(&dir.path().join("t.db")).await;
        let count_id = Uuid::from_u128(0xc0);
        let keys = [None, Some('a'), Some('b'), Some('c'), Some('d'), Some('e')];
        let records: Vec<Record> =
            (0..120u128).map(|n| record(n, keys[n as usize % keys.len()], n % 11 == 0)).collect();
        let device =
            Device { id: Uuid::from_u128(0xd1), count_id, organisation: String::new(), revoked: false };
        let now = DateTime::parse_from_rfc3339("2026-10-17T00:00:00Z").expect("a time").into();
        storage.sync_batch(&device, records.iter().cloned().map(Ok), None, now).await.expect("stored");
        let user = User { id: Uuid::from_u128(1), username: "c".into(), role: Role::Coordinator };
        for n in [1, 5, 6] {
            storage.set_void(records[n].id, Some("test"), &user).await.expect("void");
        }
        let key = |k: char| DedupKey::try_from(k.to_string().repeat(64)).expect("a key");
        storage
            .resolve_duplicate(count_id, &key('a'), Decision::DifferentPeople, None, &user)
            .await
            .expect("split");
        storage
            .resolve_duplicate(count_id, &key('b'), Decision::SamePerson, None, &user)
            .await
            .expect("merged");

        let data = storage.report_data(count_id).await.expect("report data");
        let want = persons(&data.records, &data.decisions).len() as u64;
        assert_eq!(storage.persons_total(count_id).await.expect("persons"), want);
        // Key 'a' split: its counted records are persons each, so more than one person per key.
        assert!(want > 4 + 20, "{want}");
    }
}
