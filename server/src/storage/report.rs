//! What the report reads: every record of a count in its slim form, in one pass.

use super::records::{record_from_row, RECORD_COLUMNS};
use super::Storage;
use ethos_shared::count::OrganisationType;
use ethos_shared::counting::{CountedRecord, KeyDecision, KeyDecisions};
use futures_util::TryStreamExt;
use sqlx::Row;
use std::collections::HashMap;
use uuid::Uuid;

/// The records of a count as the report needs them, and the organisations they came through.
pub struct ReportData {
    pub records: Vec<CountedRecord>,
    pub organisations: Vec<(String, OrganisationType)>,
    pub decisions: KeyDecisions,
}

impl Storage {
    pub async fn report_data(&self, count_id: Uuid) -> anyhow::Result<ReportData> {
        let mut organisations: Vec<(String, OrganisationType)> = Vec::new();
        let mut device_org: HashMap<String, u32> = HashMap::new();
        let devices = sqlx::query(
            "SELECT d.id, i.organisation, i.organisation_type FROM devices d JOIN invites i ON i.id = d.invite_id
             WHERE d.count_id = ? ORDER BY i.organisation, i.organisation_type",
        )
        .bind(count_id.to_string())
        .fetch_all(&self.read)
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

        let mut records = Vec::new();
        let sql = format!(
            "SELECT {RECORD_COLUMNS}, training AS counted_training, void_reason IS NOT NULL AS void, device_id
             FROM records WHERE count_id = ?"
        );
        let mut rows = sqlx::query(&sql).bind(count_id.to_string()).fetch(&self.read);
        while let Some(row) = rows.try_next().await? {
            let mut record = CountedRecord::from_record(
                &record_from_row(&row)?,
                row.try_get(19)?,
                device_org.get(row.try_get::<&str, _>(20)?).copied().unwrap_or(0),
            );
            // The effective flag: also training when the count was in training at first storage.
            record.training = row.try_get(18)?;
            records.push(record);
        }
        drop(rows);
        let decisions = self
            .resolutions(count_id)
            .await?
            .into_iter()
            .map(|(key, r)| (key, KeyDecision::from(&r)))
            .collect();
        Ok(ReportData { records, organisations, decisions })
    }
}
