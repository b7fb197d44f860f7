//! What the coordinator watches during the count: progress figures and the devices.

use super::{parse_ts, ts, Storage};
use chrono::{DateTime, Utc};
use ethos_shared::count::OrganisationType;
use serde::Serialize;
use sqlx::Row;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize)]
pub struct DeviceInfo {
    pub id: Uuid,
    pub label: Option<String>,
    pub organisation: String,
    pub organisation_type: OrganisationType,
    pub enrolled_at: DateTime<Utc>,
    pub last_seen_at: Option<DateTime<Utc>>,
    /// Records the phone said it still held unconfirmed at its last sync.
    pub unsynced: Option<u32>,
    pub revoked: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct OrganisationProgress {
    pub organisation: String,
    pub organisation_type: OrganisationType,
    pub records: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct MunicipalityProgress {
    pub municipality: String,
    pub records: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct HourProgress {
    /// The hour of observation, UTC.
    pub hour: String,
    pub records: u64,
}

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
    pub async fn count_devices(&self, count_id: Uuid) -> anyhow::Result<Vec<DeviceInfo>> {
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
    pub async fn persons_total(&self, count_id: Uuid) -> anyhow::Result<u64> {
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

    pub async fn progress(&self, count_id: Uuid, now: DateTime<Utc>) -> anyhow::Result<Progress> {
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
        let by_organisation = sqlx::query(&format!(
            "SELECT i.organisation, i.organisation_type, COUNT(*) AS n FROM records r
             JOIN devices d ON d.id = r.device_id JOIN invites i ON i.id = d.invite_id
             WHERE {COUNTED} GROUP BY i.organisation, i.organisation_type ORDER BY n DESC, i.organisation"
        ))
        .bind(&id)
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(|r| {
            Ok(OrganisationProgress {
                organisation: r.try_get("organisation")?,
                organisation_type: OrganisationType::from_code(r.try_get("organisation_type")?)
                    .unwrap_or_default(),
                records: r.try_get::<i64, _>("n")? as u64,
            })
        })
        .collect::<anyhow::Result<_>>()?;
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
