//! The duplicate review: groups of records sharing a key and the coordinator's decisions. A
//! count in training reviews its training records, and decisions made then are kept in a table
//! of their own, dropped when the count leaves training (migration `training_decisions`).

use super::records::{stored_from_row, STORED_COLUMNS, STORED_FROM};
use super::{audit, parse_ts, ts, Actor, Storage, StoreResult, User};
use chrono::Utc;
use ethos_shared::api::{Decision, DuplicateGroup, DuplicateRecord, Resolution};
use ethos_shared::codes::AuditAction;
use ethos_shared::record::DedupKey;
use ethos_shared::review::ReviewGroup;
use sqlx::Row;
use uuid::Uuid;

/// Where the decisions of live or of training records are kept.
fn decisions_table(training: bool) -> &'static str {
    if training {
        "training_duplicate_resolutions"
    } else {
        "duplicate_resolutions"
    }
}

fn decision_code(decision: Decision) -> &'static str {
    match decision {
        Decision::SamePerson => "same_person",
        Decision::DifferentPeople => "different_people",
    }
}

/// One decision to record: the key, what was decided, and the record that stands for the person.
pub type KeyDecisionRequest = (DedupKey, Decision, Option<Uuid>);

impl Storage {
    /// Every key shared by two or more records of the count that are not void — the counted
    /// records, or with `training` the training records — undecided groups with differences
    /// first, then undecided ones without, then decided ones; by key within each.
    pub async fn review_groups(&self, count_id: Uuid, training: bool) -> StoreResult<Vec<ReviewGroup>> {
        let rows = sqlx::query(&format!(
            "SELECT {STORED_COLUMNS}, r.dedup_key FROM {STORED_FROM}
             WHERE r.count_id = ?1 AND r.training = ?2 AND r.void_reason IS NULL AND r.dedup_key IN (
                SELECT dedup_key FROM records WHERE count_id = ?1 AND training = ?2 AND void_reason IS NULL
                AND dedup_key IS NOT NULL GROUP BY dedup_key HAVING COUNT(*) > 1)
             ORDER BY r.dedup_key, r.observed_at, r.id"
        ))
        .bind(count_id.to_string())
        .bind(training)
        .fetch_all(&self.read)
        .await?;
        let resolutions: std::collections::HashMap<DedupKey, Resolution> =
            self.review_decisions(count_id, training).await?.into_iter().collect();
        let mut groups: Vec<DuplicateGroup> = Vec::new();
        for row in &rows {
            let key =
                DedupKey::try_from(row.try_get::<String, _>("dedup_key")?).map_err(anyhow::Error::msg)?;
            let stored = stored_from_row(row)?;
            let resolution = resolutions.get(&key).cloned();
            let since_decision = resolution.as_ref().is_some_and(|r| stored.received_at > r.decided_at);
            let rec = DuplicateRecord { stored, since_decision };
            match groups.last_mut() {
                Some(g) if g.dedup_key == key => g.records.push(rec),
                _ => groups.push(DuplicateGroup { dedup_key: key, records: vec![rec], resolution }),
            }
        }
        let mut review: Vec<ReviewGroup> = groups.into_iter().map(ReviewGroup::new).collect();
        // Stable: the key order of the query stays within each kind.
        review.sort_by_key(|g| g.kind());
        Ok(review)
    }

    /// The decisions on live records, or with `training` those made on training records.
    pub async fn review_decisions(
        &self,
        count_id: Uuid,
        training: bool,
    ) -> StoreResult<Vec<(DedupKey, Resolution)>> {
        let rows = sqlx::query(&format!(
            "SELECT dedup_key, decision, primary_record_id, decided_at, decided_by FROM {} WHERE count_id = ?",
            decisions_table(training)
        ))
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

    /// Records (or replaces) decisions in one transaction, one audit entry per key: all or none.
    pub async fn decide_duplicates(
        &self,
        count_id: Uuid,
        training: bool,
        decisions: &[KeyDecisionRequest],
        by: &User,
        bulk: bool,
    ) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        let sql = format!(
            "INSERT INTO {} (count_id, dedup_key, decision, primary_record_id, decided_at, decided_by)
             VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (count_id, dedup_key) DO UPDATE SET decision = excluded.decision,
                primary_record_id = excluded.primary_record_id, decided_at = excluded.decided_at,
                decided_by = excluded.decided_by",
            decisions_table(training)
        );
        let now = ts(Utc::now());
        for (key, decision, primary) in decisions {
            let code = decision_code(*decision);
            sqlx::query(&sql)
                .bind(count_id.to_string())
                .bind(key.as_str())
                .bind(code)
                .bind(primary.map(|p| p.to_string()))
                .bind(&now)
                .bind(&by.username)
                .execute(&mut *tx)
                .await?;
            let mut details = serde_json::json!({ "decision": code, "primary_record_id": primary });
            if bulk {
                details["bulk"] = serde_json::Value::Bool(true);
            }
            if training {
                details["training"] = serde_json::Value::Bool(true);
            }
            audit(
                &mut tx,
                &Actor::User(by.username.clone()),
                AuditAction::DuplicateResolve,
                Some(count_id),
                Some(key.as_str().to_string()),
                details,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// The dashboard's breakdowns of a count in training: its training records that are not void,
/// per organisation, municipality and hour of observation (UTC).
pub struct RehearsalProgress {
    pub by_organisation: Vec<super::OrganisationProgress>,
    pub by_municipality: Vec<super::MunicipalityProgress>,
    pub by_hour: Vec<super::HourProgress>,
}

impl Storage {
    pub async fn rehearsal_progress(&self, count_id: Uuid) -> StoreResult<RehearsalProgress> {
        let id = count_id.to_string();
        const PRACTICE: &str = "r.count_id = ? AND r.training = 1 AND r.void_reason IS NULL";
        let n = |r: &sqlx::sqlite::SqliteRow| -> anyhow::Result<u64> {
            Ok(r.try_get::<i64, _>("n")?.max(0) as u64)
        };
        let by_organisation = self.by_organisation_and_entry(PRACTICE, &id).await?;
        let by_municipality = sqlx::query(&format!(
            "SELECT r.municipality, COUNT(*) AS n FROM records r WHERE {PRACTICE}
             GROUP BY r.municipality ORDER BY n DESC"
        ))
        .bind(&id)
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(|r| Ok(super::MunicipalityProgress { municipality: r.try_get("municipality")?, records: n(r)? }))
        .collect::<anyhow::Result<_>>()?;
        let by_hour = sqlx::query(&format!(
            "SELECT strftime('%Y-%m-%dT%H:00:00Z', r.observed_at) AS hour, COUNT(*) AS n FROM records r
             WHERE {PRACTICE} GROUP BY hour ORDER BY hour"
        ))
        .bind(&id)
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(|r| Ok(super::HourProgress { hour: r.try_get("hour")?, records: n(r)? }))
        .collect::<anyhow::Result<_>>()?;
        Ok(RehearsalProgress { by_organisation, by_municipality, by_hour })
    }
}
