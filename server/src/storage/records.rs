//! Records: the coordinator's list, void, and duplicates (the sync write path is `sync_write`).

use super::{audit, parse_ts, ts, Actor, Storage};
use chrono::Utc;
use ethos_shared::api::{Decision, StoredRecord, VoidInfo};
use ethos_shared::ethos::LivingSituation;
use ethos_shared::profile::{
    AgeBand, CareNeeds, Children, Duration, Gender, Household, HousingNeed, Income, PreviousFacility,
    Profile, ResidenceStatus,
};
use ethos_shared::record::{DedupKey, MunicipalityCode, Origin, Record, RegionCode};
use sqlx::sqlite::SqliteRow;
use sqlx::Row;
use uuid::Uuid;

/// The columns of the wire record, read by `record_from_row`.
pub(crate) const RECORD_COLUMNS: &str =
    "id, revision, sent_training, observed_at, municipality, living_situation,
    dedup_key, origin, age_band, gender, household, children, duration, residence_status, income, care_needs,
    previous_facility, housing_need";

pub(super) const STORED_COLUMNS: &str = "r.id, r.revision, r.sent_training, r.observed_at, r.municipality,
    r.living_situation, r.dedup_key, r.origin, r.age_band, r.gender, r.household, r.children, r.duration,
    r.residence_status, r.income, r.care_needs, r.previous_facility, r.housing_need, r.device_id, r.training,
    r.received_at, r.void_reason, r.void_at, r.void_by, i.organisation";

fn bad(column: &str, value: &str) -> anyhow::Error {
    anyhow::anyhow!("stored record has an invalid {column}: {value:?}")
}

fn code<T>(row: &SqliteRow, column: usize, parse: fn(&str) -> Option<T>) -> anyhow::Result<T> {
    let value: &str = row.try_get(column)?;
    parse(value).ok_or_else(|| bad(&column.to_string(), value))
}

/// Rebuilds the wire record from its columns: `RECORD_COLUMNS` must come first in the select, in
/// that order (read by position, which is much faster than by name over a million rows).
pub(crate) fn record_from_row(row: &SqliteRow) -> anyhow::Result<Record> {
    let text = |i: usize| row.try_get::<&str, _>(i);
    let origin = match text(7)? {
        "abroad" => Origin::Abroad,
        "unknown" => Origin::Unknown,
        c => Origin::Municipality {
            code: MunicipalityCode::try_from(c.to_string()).map_err(anyhow::Error::msg)?,
        },
    };
    let children = match text(11)? {
        "unknown" => Children::Unknown,
        n => Children::Count(n.parse().map_err(|_| bad("children", n))?),
    };
    let care: Vec<&str> = text(15)?.split('|').collect();
    Ok(Record {
        id: text(0)?.parse()?,
        revision: row.try_get(1)?,
        observed_at: chrono::DateTime::parse_from_rfc3339(text(3)?)?,
        municipality: RegionCode::try_from(text(4)?.to_string()).map_err(anyhow::Error::msg)?,
        living_situation: code(row, 5, LivingSituation::from_code)?,
        origin,
        dedup_key: row
            .try_get::<Option<&str>, _>(6)?
            .map(|k| DedupKey::try_from(k.to_string()).map_err(anyhow::Error::msg))
            .transpose()?,
        profile: Profile {
            age_band: code(row, 8, AgeBand::from_code)?,
            gender: code(row, 9, Gender::from_code)?,
            household: code(row, 10, Household::from_code)?,
            children,
            duration: code(row, 12, Duration::from_code)?,
            residence_status: code(row, 13, ResidenceStatus::from_code)?,
            income: code(row, 14, Income::from_code)?,
            care_needs: CareNeeds::from_codes(&care).ok_or_else(|| bad("care_needs", &care.join("|")))?,
            previous_facility: code(row, 16, PreviousFacility::from_code)?,
            housing_need: code(row, 17, HousingNeed::from_code)?,
        },
        training: row.try_get(2)?,
        entry: ethos_shared::record::Entry::Field,
    })
}

pub(super) const STORED_FROM: &str =
    "records r JOIN devices d ON d.id = r.device_id JOIN invites i ON i.id = d.invite_id";

pub(super) fn stored_from_row(row: &SqliteRow) -> anyhow::Result<StoredRecord> {
    let mut record = record_from_row(row)?;
    record.training = row.try_get::<bool, _>("training")?;
    let void = match row.try_get::<Option<String>, _>("void_reason")? {
        Some(reason) => Some(VoidInfo {
            reason,
            at: parse_ts(&row.try_get::<String, _>("void_at")?)?,
            by: row.try_get("void_by")?,
        }),
        None => None,
    };
    Ok(StoredRecord {
        record,
        device_id: row.try_get::<String, _>("device_id")?.parse()?,
        organisation: row.try_get("organisation")?,
        received_at: parse_ts(&row.try_get::<String, _>("received_at")?)?,
        void,
    })
}

impl Storage {
    /// A page of a count's records in id order (keyset paging: ids after `after`).
    pub async fn list_records(
        &self,
        count_id: Uuid,
        after: Option<&str>,
        limit: u32,
    ) -> anyhow::Result<Vec<StoredRecord>> {
        let rows = sqlx::query(&format!(
            "SELECT {STORED_COLUMNS} FROM {STORED_FROM} WHERE r.count_id = ? AND r.id > ? ORDER BY r.id LIMIT ?"
        ))
        .bind(count_id.to_string())
        .bind(after.unwrap_or(""))
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(stored_from_row).collect()
    }

    /// A record and the count it belongs to.
    pub async fn get_record(&self, id: Uuid) -> anyhow::Result<Option<(Uuid, StoredRecord)>> {
        let row =
            sqlx::query(&format!("SELECT {STORED_COLUMNS}, r.count_id FROM {STORED_FROM} WHERE r.id = ?"))
                .bind(id.to_string())
                .fetch_optional(&self.read)
                .await?;
        row.map(|r| Ok((r.try_get::<String, _>("count_id")?.parse()?, stored_from_row(&r)?))).transpose()
    }

    /// Voids a record (`Some(reason)`) or undoes it (`None`). Voiding a void record keeps the
    /// first reason: voiding twice is harmless.
    pub async fn set_void(
        &self,
        id: Uuid,
        reason: Option<&str>,
        by: &super::User,
    ) -> anyhow::Result<Option<StoredRecord>> {
        let mut tx = self.write_tx().await?;
        let count_id: Option<String> = sqlx::query_scalar("SELECT count_id FROM records WHERE id = ?")
            .bind(id.to_string())
            .fetch_optional(&mut *tx)
            .await?;
        let Some(count_id) = count_id else { return Ok(None) };
        let changed = match reason {
            Some(reason) => sqlx::query(
                "UPDATE records SET void_reason = ?, void_at = ?, void_by = ? WHERE id = ? AND void_reason IS NULL",
            )
            .bind(reason)
            .bind(ts(Utc::now()))
            .bind(&by.username)
            .bind(id.to_string()),
            None => sqlx::query(
                "UPDATE records SET void_reason = NULL, void_at = NULL, void_by = NULL WHERE id = ? AND void_reason IS NOT NULL",
            )
            .bind(id.to_string()),
        }
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed > 0 {
            let action = if reason.is_some() { "record.void" } else { "record.unvoid" };
            audit(
                &mut tx,
                &Actor::User(by.username.clone()),
                action,
                Some(count_id.parse()?),
                Some(id.to_string()),
                serde_json::json!({ "reason": reason }),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(self.get_record(id).await?.map(|(_, r)| r))
    }

    /// Records (or replaces) the decision for a key.
    pub async fn resolve_duplicate(
        &self,
        count_id: Uuid,
        key: &DedupKey,
        decision: Decision,
        primary: Option<Uuid>,
        by: &super::User,
    ) -> anyhow::Result<()> {
        let mut tx = self.write_tx().await?;
        let code = match decision {
            Decision::SamePerson => "same_person",
            Decision::DifferentPeople => "different_people",
        };
        sqlx::query(
            "INSERT INTO duplicate_resolutions (count_id, dedup_key, decision, primary_record_id, decided_at, decided_by)
             VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (count_id, dedup_key) DO UPDATE SET decision = excluded.decision,
                primary_record_id = excluded.primary_record_id, decided_at = excluded.decided_at,
                decided_by = excluded.decided_by",
        )
        .bind(count_id.to_string())
        .bind(key.as_str())
        .bind(code)
        .bind(primary.map(|p| p.to_string()))
        .bind(ts(Utc::now()))
        .bind(&by.username)
        .execute(&mut *tx)
        .await?;
        audit(
            &mut tx,
            &Actor::User(by.username.clone()),
            "duplicate.resolve",
            Some(count_id),
            Some(key.as_str().to_string()),
            serde_json::json!({ "decision": code, "primary_record_id": primary }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
