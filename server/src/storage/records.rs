//! Records: the coordinator's list, void, and duplicates (the sync write path is `sync_write`).

use super::{audit, parse_ts, ts, Actor, Storage, StoreResult};
use chrono::Utc;
use ethos_shared::api::{Decision, StoredRecord, VoidInfo};
use ethos_shared::codes::AuditAction;
use ethos_shared::record::fields::{self, Field, SqlType, SqlValue};
use ethos_shared::record::{DedupKey, Record};
use sqlx::sqlite::SqliteRow;
use sqlx::Row;
use std::borrow::Cow;
use std::fmt;
use uuid::Uuid;

/// The columns of the record's fields (`ethos_shared::record::fields::FIELDS`), for a select
/// read by [`record_from_row`]: `{RECORD_COLUMNS}` in a query text.
pub(crate) struct RecordColumns;
pub(crate) const RECORD_COLUMNS: RecordColumns = RecordColumns;

impl fmt::Display for RecordColumns {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&fields::sql_columns(""))
    }
}

/// [`RECORD_COLUMNS`] of `records r`, and what [`stored_from_row`] reads besides.
pub(super) struct StoredColumns;
pub(super) const STORED_COLUMNS: StoredColumns = StoredColumns;

impl fmt::Display for StoredColumns {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}, r.device_id, r.training, r.received_at, r.void_reason, r.void_at, r.void_by, i.organisation",
            fields::sql_columns("r.")
        )
    }
}

/// The value of a field's column, read by its name.
fn column<'r>(row: &'r SqliteRow, field: &Field) -> Result<SqlValue<'r>, sqlx::Error> {
    Ok(match field.sql_type {
        SqlType::Text => SqlValue::Text(Cow::Borrowed(row.try_get::<&str, _>(field.sql)?)),
        SqlType::OptionalText => match row.try_get::<Option<&str>, _>(field.sql)? {
            Some(text) => SqlValue::Text(Cow::Borrowed(text)),
            None => SqlValue::Null,
        },
        SqlType::Int => SqlValue::Int(row.try_get::<i64, _>(field.sql)?),
    })
}

/// Rebuilds the wire record from its columns, each read by name (see [`RECORD_COLUMNS`]) and
/// validated as a record from a phone: a stored value that is not valid is an error, never a
/// record with another field's value.
pub(crate) fn record_from_row(row: &SqliteRow) -> anyhow::Result<Record> {
    record_from_columns(|f| column(row, f))
}

/// As [`record_from_row`], each field's value told by `column` (any SQLite driver's row).
pub(super) fn record_from_columns<'r, E>(
    column: impl FnMut(&Field) -> Result<SqlValue<'r>, E>,
) -> anyhow::Result<Record>
where
    anyhow::Error: From<E>,
{
    fields::record_from_sql(column)?.map_err(|errors| {
        let fields: Vec<String> = errors.iter().map(|e| format!("{} ({:?})", e.field, e.code)).collect();
        anyhow::anyhow!("stored record has invalid values: {}", fields.join(", "))
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
    /// A page of a count's records in the order they were stored (keyset paging: the records
    /// stored after the record `after`, none or empty for the first page; an `after` that is
    /// not a record of this count gives an empty page). Read along the count's index, whose entries are in storage order: a page
    /// costs its own rows, however many records other counts hold.
    pub async fn list_records(
        &self,
        count_id: Uuid,
        after: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<StoredRecord>> {
        let rows = sqlx::query(&format!(
            "SELECT {STORED_COLUMNS} FROM {STORED_FROM} WHERE r.count_id = ?1
             AND r.seq > CASE WHEN ?2 IS NULL THEN 0 ELSE ifnull(
                 (SELECT a.seq FROM records a WHERE a.id = ?2 AND a.count_id = ?1), {}) END
             ORDER BY r.seq LIMIT ?3",
            i64::MAX
        ))
        .bind(count_id.to_string())
        // `after=` (empty) is the first page, as it always was.
        .bind(after.filter(|a| !a.is_empty()))
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        Ok(rows.iter().map(stored_from_row).collect::<anyhow::Result<_>>()?)
    }

    /// A record and the count it belongs to.
    pub async fn get_record(&self, id: Uuid) -> StoreResult<Option<(Uuid, StoredRecord)>> {
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
    ) -> StoreResult<Option<StoredRecord>> {
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
            let action = if reason.is_some() { AuditAction::RecordVoid } else { AuditAction::RecordUnvoid };
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
    ) -> StoreResult<()> {
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
            AuditAction::DuplicateResolve,
            Some(count_id),
            Some(key.as_str().to_string()),
            serde_json::json!({ "decision": code, "primary_record_id": primary }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
#[path = "records_tests.rs"]
pub(super) mod tests;
