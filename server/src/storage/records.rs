//! Records: the idempotent sync write path, the coordinator's list, void, and duplicates.

use super::{audit, parse_ts, ts, Actor, Device, Storage};
use chrono::{DateTime, Utc};
use ethos_shared::api::{
    Decision, DuplicateGroup, DuplicateRecord, Resolution, StoredRecord, SyncResult, SyncStatus, VoidInfo,
};
use ethos_shared::count::CountStatus;
use ethos_shared::counting::Moment;
use ethos_shared::ethos::LivingSituation;
use ethos_shared::profile::{
    AgeBand, CareNeeds, Children, Duration, Gender, Household, HousingNeed, Income, PreviousFacility,
    Profile, ResidenceStatus,
};
use ethos_shared::record::{DedupKey, MunicipalityCode, Origin, Record, RegionCode};
use ethos_shared::report::Attributes;
use ethos_shared::sync::{decide, CountState, Held, Outcome};
use sqlx::sqlite::SqliteRow;
use sqlx::Row;
use uuid::Uuid;

/// One element of a sync body: a valid record, or the id (if readable) and field errors.
pub type SyncItem = ethos_shared::sync::Parsed;

/// Why a sync batch could not be handled at all.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("the device's count is gone")]
    CountGone,
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl From<sqlx::Error> for SyncError {
    fn from(e: sqlx::Error) -> Self {
        SyncError::Other(e.into())
    }
}

type Query<'q> = sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>>;

/// Binds the columns that a sync insert and update share, in the order both statements list them:
/// the record's fields, then what the report reads instead of them (`observed_at_ns`,
/// `report_attributes`), then the flags.
fn bind_columns<'q>(
    q: Query<'q>,
    r: &Record,
    training: bool,
    received_at: &'q str,
) -> anyhow::Result<Query<'q>> {
    let p = &r.profile;
    let attributes =
        Attributes::of(r).ok_or_else(|| anyhow::anyhow!("record {} has no report attributes", r.id))?.pack();
    let origin = match &r.origin {
        Origin::Municipality { code } => code.as_str().to_string(),
        Origin::Abroad => "abroad".into(),
        Origin::Unknown => "unknown".into(),
    };
    let children = match p.children {
        Children::Count(n) => n.to_string(),
        Children::Unknown => "unknown".into(),
    };
    Ok(q.bind(r.revision)
        .bind(r.training)
        .bind(r.observed_at.to_rfc3339())
        .bind(r.municipality.as_str().to_string())
        .bind(r.living_situation.code())
        .bind(r.dedup_key.as_ref().map(|k| k.as_str().to_string()))
        .bind(origin)
        .bind(p.age_band.code())
        .bind(p.gender.code())
        .bind(p.household.code())
        .bind(children)
        .bind(p.duration.code())
        .bind(p.residence_status.code())
        .bind(p.income.code())
        .bind(p.care_needs.codes().join("|"))
        .bind(p.previous_facility.code())
        .bind(p.housing_need.code())
        .bind(Moment::from(r.observed_at).as_nanos())
        .bind(attributes)
        .bind(training)
        .bind(received_at))
}

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
    /// Applies one sync batch of a device in a single write transaction and answers one
    /// result per item, in order. Nothing is answered before the commit, so every `stored`
    /// or `updated` a phone sees is durable. `unsynced` is what the phone reported still holding
    /// unconfirmed (kept with its last contact, for the coordinator's lock warning).
    pub async fn sync_batch(
        &self,
        device: &Device,
        items: Vec<SyncItem>,
        unsynced: Option<u32>,
        now: DateTime<Utc>,
    ) -> Result<Vec<SyncResult>, SyncError> {
        let mut tx = self.write_tx().await?;
        let row = sqlx::query("SELECT status, starts_at, ends_at FROM counts WHERE id = ?")
            .bind(device.count_id.to_string())
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(SyncError::CountGone)?;
        let status: String = row.try_get("status")?;
        let count = CountState {
            status: CountStatus::from_code(&status).ok_or_else(|| anyhow::anyhow!("bad status {status}"))?,
            starts_at: chrono::DateTime::parse_from_rfc3339(&row.try_get::<String, _>("starts_at")?)
                .map_err(anyhow::Error::from)?,
            ends_at: chrono::DateTime::parse_from_rfc3339(&row.try_get::<String, _>("ends_at")?)
                .map_err(anyhow::Error::from)?,
        };
        let received_at = ts(now);
        let device_id = device.id.to_string();
        let count_id = device.count_id.to_string();
        let mut results = Vec::with_capacity(items.len());
        let mut tally = [0usize; 5];
        let mut updated_ids = Vec::new();
        for item in items {
            let record = match item {
                Ok(record) => record,
                Err((id, errors)) => {
                    tally[4] += 1;
                    results.push(SyncResult {
                        id,
                        status: SyncStatus::Rejected,
                        revision: None,
                        errors: Some(errors),
                    });
                    continue;
                }
            };
            let id = record.id.to_string();
            let held = sqlx::query(&format!(
                "SELECT {RECORD_COLUMNS}, device_id, stored_in_training FROM records WHERE id = ?"
            ))
            .bind(&id)
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| -> anyhow::Result<Held> {
                Ok(Held {
                    device_id: r.try_get::<String, _>("device_id")?.parse()?,
                    revision: r.try_get("revision")?,
                    content: record_from_row(&r)?.canonical_json(),
                    stored_in_training: r.try_get("stored_in_training")?,
                })
            })
            .transpose()?;
            let outcome = decide(&record, device.id, held.as_ref(), count, now);
            match &outcome {
                Outcome::Store { training, stored_in_training } => {
                    bind_columns(
                        sqlx::query(
                            "INSERT INTO records (revision, sent_training, observed_at, municipality, living_situation,
                                dedup_key, origin, age_band, gender, household, children, duration, residence_status,
                                income, care_needs, previous_facility, housing_need, observed_at_ns, report_attributes,
                                training, received_at, id, count_id, device_id, stored_in_training)
                             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        ),
                        &record,
                        *training,
                        &received_at,
                    )?
                    .bind(&id)
                    .bind(&count_id)
                    .bind(&device_id)
                    .bind(stored_in_training)
                    .execute(&mut *tx)
                    .await?;
                    tally[0] += 1;
                }
                Outcome::Replace { training } => {
                    bind_columns(
                        sqlx::query(
                            "UPDATE records SET revision = ?, sent_training = ?, observed_at = ?, municipality = ?,
                                living_situation = ?, dedup_key = ?, origin = ?, age_band = ?, gender = ?,
                                household = ?, children = ?, duration = ?, residence_status = ?, income = ?,
                                care_needs = ?, previous_facility = ?, housing_need = ?, observed_at_ns = ?,
                                report_attributes = ?, training = ?, received_at = ?
                             WHERE id = ?",
                        ),
                        &record,
                        *training,
                        &received_at,
                    )?
                    .bind(&id)
                    .execute(&mut *tx)
                    .await?;
                    tally[2] += 1;
                    updated_ids.push((id.clone(), held.as_ref().map(|h| h.revision), record.revision));
                }
                Outcome::Keep { status: SyncStatus::Unchanged, .. } => tally[1] += 1,
                Outcome::Keep { .. } => tally[3] += 1,
                Outcome::Reject { .. } => tally[4] += 1,
            }
            results.push(match outcome {
                Outcome::Store { .. } | Outcome::Replace { .. } => SyncResult {
                    id: Some(record.id),
                    status: outcome.status(),
                    revision: Some(record.revision),
                    errors: None,
                },
                Outcome::Keep { status, errors } => SyncResult {
                    id: Some(record.id),
                    status,
                    revision: held.map(|h| h.revision),
                    errors: (!errors.is_empty()).then_some(errors),
                },
                Outcome::Reject { errors } => {
                    // A rejected revision of a held record still tells which revision is held.
                    SyncResult {
                        id: Some(record.id),
                        status: SyncStatus::Rejected,
                        revision: held.map(|h| h.revision),
                        errors: Some(errors),
                    }
                }
            });
        }
        sqlx::query(
            "UPDATE devices SET last_seen_at = ?, unsynced_reported = COALESCE(?, unsynced_reported) WHERE id = ?",
        )
        .bind(&received_at)
        .bind(unsynced)
        .bind(&device_id)
            .execute(&mut *tx)
            .await?;
        let actor = Actor::Device(device.id);
        for (id, from, to) in &updated_ids {
            audit(
                &mut tx,
                &actor,
                "record.update",
                Some(device.count_id),
                Some(id.clone()),
                serde_json::json!({ "from_revision": from, "to_revision": to }),
            )
            .await?;
        }
        audit(&mut tx, &actor, "sync", Some(device.count_id), None, serde_json::json!({
            "stored": tally[0], "unchanged": tally[1], "updated": tally[2], "conflict": tally[3], "rejected": tally[4],
        })).await?;
        tx.commit().await?;
        Ok(results)
    }

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

    /// Every key shared by two or more counted records of the count, with its decision.
    pub async fn duplicate_groups(&self, count_id: Uuid) -> anyhow::Result<Vec<DuplicateGroup>> {
        let rows = sqlx::query(&format!(
            "SELECT {STORED_COLUMNS}, r.dedup_key FROM {STORED_FROM}
             WHERE r.count_id = ?1 AND r.training = 0 AND r.void_reason IS NULL AND r.dedup_key IN (
                SELECT dedup_key FROM records WHERE count_id = ?1 AND training = 0 AND void_reason IS NULL
                AND dedup_key IS NOT NULL GROUP BY dedup_key HAVING COUNT(*) > 1)
             ORDER BY r.dedup_key, r.observed_at, r.id"
        ))
        .bind(count_id.to_string())
        .fetch_all(&self.read)
        .await?;
        let resolutions = self.resolutions(count_id).await?;
        let mut groups: Vec<DuplicateGroup> = Vec::new();
        for row in &rows {
            let key =
                DedupKey::try_from(row.try_get::<String, _>("dedup_key")?).map_err(anyhow::Error::msg)?;
            let stored = stored_from_row(row)?;
            let resolution = resolutions.iter().find(|(k, _)| *k == key).map(|(_, r)| r.clone());
            let since_decision = resolution.as_ref().is_some_and(|r| stored.received_at > r.decided_at);
            let rec = DuplicateRecord { stored, since_decision };
            match groups.last_mut() {
                Some(g) if g.dedup_key == key => g.records.push(rec),
                _ => groups.push(DuplicateGroup { dedup_key: key, records: vec![rec], resolution }),
            }
        }
        Ok(groups)
    }

    /// The coordinator's decisions of a count.
    pub async fn resolutions(&self, count_id: Uuid) -> anyhow::Result<Vec<(DedupKey, Resolution)>> {
        let rows = sqlx::query(
            "SELECT dedup_key, decision, primary_record_id, decided_at, decided_by FROM duplicate_resolutions WHERE count_id = ?",
        )
        .bind(count_id.to_string())
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                let decision = match r.try_get::<String, _>("decision")?.as_str() {
                    "same_person" => Decision::SamePerson,
                    _ => Decision::DifferentPeople,
                };
                Ok((
                    DedupKey::try_from(r.try_get::<String, _>("dedup_key")?).map_err(anyhow::Error::msg)?,
                    Resolution {
                        decision,
                        primary_record_id: r
                            .try_get::<Option<String>, _>("primary_record_id")?
                            .map(|p| p.parse())
                            .transpose()?,
                        decided_at: parse_ts(&r.try_get::<String, _>("decided_at")?)?,
                        decided_by: r.try_get("decided_by")?,
                    },
                ))
            })
            .collect()
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
