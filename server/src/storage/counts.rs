//! Counts, their team codes (invites) and the devices enrolled with them.

use super::{audit, parse_ts, ts, Actor, Conflict, Storage, StoreError, StoreResult};
use chrono::{DateTime, FixedOffset, Utc};
use ethos_shared::api::{Count, Invite, NewCount, NewInvite};
use ethos_shared::codes::AuditAction;
use ethos_shared::count::{team_code_usable, CountStatus, OrganisationType};
use ethos_shared::input::display_team_code;
use sqlx::sqlite::SqliteRow;
use sqlx::Row;
use uuid::Uuid;

const COUNT_COLUMNS: &str = "id, name, reference_date, starts_at, ends_at, status";

fn count_from_row(row: &SqliteRow) -> anyhow::Result<Count> {
    let status: String = row.try_get("status")?;
    Ok(Count {
        id: row.try_get::<String, _>("id")?.parse()?,
        name: row.try_get("name")?,
        reference_date: row.try_get::<String, _>("reference_date")?.parse()?,
        starts_at: DateTime::parse_from_rfc3339(&row.try_get::<String, _>("starts_at")?)?,
        ends_at: DateTime::parse_from_rfc3339(&row.try_get::<String, _>("ends_at")?)?,
        status: CountStatus::from_code(&status).ok_or_else(|| anyhow::anyhow!("bad status {status}"))?,
    })
}

const INVITE_COLUMNS: &str = "id, code, organisation, organisation_type, expires_at, revoked_at";

fn invite_from_row(row: &SqliteRow) -> anyhow::Result<Invite> {
    let org_type: String = row.try_get("organisation_type")?;
    let code: String = row.try_get("code")?;
    Ok(Invite {
        id: row.try_get::<String, _>("id")?.parse()?,
        code: display_team_code(&code),
        organisation: row.try_get("organisation")?,
        organisation_type: OrganisationType::from_code(&org_type).unwrap_or_default(),
        expires_at: row.try_get::<Option<String>, _>("expires_at")?.map(|t| parse_ts(&t)).transpose()?,
        revoked_at: row.try_get::<Option<String>, _>("revoked_at")?.map(|t| parse_ts(&t)).transpose()?,
    })
}

fn rfc3339(t: DateTime<FixedOffset>) -> String {
    t.to_rfc3339()
}

/// An enrolled device, as known after authentication.
#[derive(Debug, Clone)]
pub struct Device {
    pub id: Uuid,
    pub count_id: Uuid,
    pub organisation: String,
    pub revoked: bool,
}

impl Storage {
    pub async fn create_count(
        &self,
        new: &NewCount,
        dedup_secret: &str,
        by: &super::User,
    ) -> StoreResult<Count> {
        let count = Count {
            id: Uuid::now_v7(),
            name: new.name.clone(),
            reference_date: new.reference_date,
            starts_at: new.starts_at,
            ends_at: new.ends_at,
            status: CountStatus::Training,
        };
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO counts (id, name, reference_date, starts_at, ends_at, status, dedup_secret, created_at, created_by)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(count.id.to_string())
        .bind(&count.name)
        .bind(count.reference_date.to_string())
        .bind(rfc3339(count.starts_at))
        .bind(rfc3339(count.ends_at))
        .bind(count.status.code())
        .bind(dedup_secret)
        .bind(ts(Utc::now()))
        .bind(by.id.to_string())
        .execute(&mut *tx)
        .await?;
        audit(
            &mut tx,
            &Actor::User(by.username.clone()),
            AuditAction::CountCreate,
            Some(count.id),
            None,
            serde_json::to_value(&count)?,
        )
        .await?;
        tx.commit().await?;
        Ok(count)
    }

    pub async fn list_counts(&self) -> StoreResult<Vec<Count>> {
        let rows =
            sqlx::query(&format!("SELECT {COUNT_COLUMNS} FROM counts ORDER BY reference_date DESC, id"))
                .fetch_all(&self.read)
                .await?;
        Ok(rows.iter().map(count_from_row).collect::<anyhow::Result<_>>()?)
    }

    pub async fn get_count(&self, id: Uuid) -> StoreResult<Option<Count>> {
        let row = sqlx::query(&format!("SELECT {COUNT_COLUMNS} FROM counts WHERE id = ?"))
            .bind(id.to_string())
            .fetch_optional(&self.read)
            .await?;
        Ok(row.as_ref().map(count_from_row).transpose()?)
    }

    /// Moves a count along its lifecycle, checked inside the write transaction so two
    /// coordinators cannot race past the rule.
    pub async fn set_count_status(&self, id: Uuid, to: CountStatus, by: &super::User) -> StoreResult<Count> {
        let mut tx = self.write_tx().await?;
        let row = sqlx::query(&format!("SELECT {COUNT_COLUMNS} FROM counts WHERE id = ?"))
            .bind(id.to_string())
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        let mut count = count_from_row(&row)?;
        if !count.status.can_become(to) {
            return Err(Conflict::Transition { from: count.status, to }.into());
        }
        sqlx::query("UPDATE counts SET status = ? WHERE id = ?")
            .bind(to.code())
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        audit(
            &mut tx,
            &Actor::User(by.username.clone()),
            AuditAction::CountStatus,
            Some(id),
            None,
            serde_json::json!({ "from": count.status.code(), "to": to.code() }),
        )
        .await?;
        tx.commit().await?;
        count.status = to;
        Ok(count)
    }

    pub async fn create_invite(
        &self,
        count_id: Uuid,
        new: &NewInvite,
        code: &str,
        by: &super::User,
    ) -> StoreResult<Invite> {
        let mut tx = self.write_tx().await?;
        let status: Option<String> = sqlx::query_scalar("SELECT status FROM counts WHERE id = ?")
            .bind(count_id.to_string())
            .fetch_optional(&mut *tx)
            .await?;
        match status.as_deref() {
            None => return Err(StoreError::NotFound),
            Some(status) if CountStatus::from_code(status) == Some(CountStatus::Locked) => {
                return Err(Conflict::Locked.into())
            }
            Some(_) => {}
        }
        let invite = Invite {
            id: Uuid::now_v7(),
            code: display_team_code(code),
            organisation: new.organisation.clone(),
            organisation_type: new.organisation_type,
            expires_at: new.expires_at,
            revoked_at: None,
        };
        sqlx::query(
            "INSERT INTO invites (id, count_id, code, organisation, organisation_type, expires_at, created_at, created_by)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(invite.id.to_string())
        .bind(count_id.to_string())
        .bind(code)
        .bind(&invite.organisation)
        .bind(invite.organisation_type.code())
        .bind(invite.expires_at.map(ts))
        .bind(ts(Utc::now()))
        .bind(by.id.to_string())
        .execute(&mut *tx)
        .await?;
        audit(&mut tx, &Actor::User(by.username.clone()), AuditAction::InviteCreate, Some(count_id), Some(invite.id.to_string()),
            serde_json::json!({ "organisation": invite.organisation, "organisation_type": invite.organisation_type.code() })).await?;
        tx.commit().await?;
        Ok(invite)
    }

    pub async fn list_invites(&self, count_id: Uuid) -> StoreResult<Vec<Invite>> {
        let rows = sqlx::query(&format!(
            "SELECT {INVITE_COLUMNS} FROM invites WHERE count_id = ? ORDER BY created_at, id"
        ))
        .bind(count_id.to_string())
        .fetch_all(&self.read)
        .await?;
        Ok(rows.iter().map(invite_from_row).collect::<anyhow::Result<_>>()?)
    }

    /// The count an invite belongs to, for access checks.
    pub async fn invite_count(&self, invite_id: Uuid) -> StoreResult<Option<Uuid>> {
        let id: Option<String> = sqlx::query_scalar("SELECT count_id FROM invites WHERE id = ?")
            .bind(invite_id.to_string())
            .fetch_optional(&self.read)
            .await?;
        Ok(id.map(|i| i.parse()).transpose()?)
    }

    /// Revokes a code; its devices are revoked with it (they are checked through the invite).
    /// Revoking twice keeps the first time.
    pub async fn revoke_invite(&self, invite_id: Uuid, by: &super::User) -> StoreResult<bool> {
        let mut tx = self.write_tx().await?;
        let count_id: Option<String> = sqlx::query_scalar("SELECT count_id FROM invites WHERE id = ?")
            .bind(invite_id.to_string())
            .fetch_optional(&mut *tx)
            .await?;
        let Some(count_id) = count_id else { return Ok(false) };
        sqlx::query("UPDATE invites SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?")
            .bind(ts(Utc::now()))
            .bind(invite_id.to_string())
            .execute(&mut *tx)
            .await?;
        audit(
            &mut tx,
            &Actor::User(by.username.clone()),
            AuditAction::InviteRevoke,
            Some(count_id.parse()?),
            Some(invite_id.to_string()),
            serde_json::Value::Null,
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Enrolls a device with a (normalised) team code. `None` when the code is unknown,
    /// expired, revoked or its count locked. Returns the count, organisation and secret.
    pub async fn enroll(
        &self,
        code: &str,
        token_hash: &str,
        label: Option<&str>,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<(Uuid, Count, String, String)>> {
        let mut tx = self.write_tx().await?;
        let row = sqlx::query(&format!(
            "SELECT i.id AS invite_id, i.organisation, i.expires_at, i.revoked_at, c.dedup_secret,
                    {}
             FROM invites i JOIN counts c ON c.id = i.count_id WHERE i.code = ?",
            COUNT_COLUMNS.split(", ").map(|c| format!("c.{c}")).collect::<Vec<_>>().join(", ")
        ))
        .bind(code)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let count = count_from_row(&row)?;
        let expires_at = row.try_get::<Option<String>, _>("expires_at")?.map(|t| parse_ts(&t)).transpose()?;
        let revoked = row.try_get::<Option<String>, _>("revoked_at")?.is_some();
        if !team_code_usable(expires_at, revoked, count.status, now) {
            return Ok(None);
        }
        let device_id = Uuid::now_v7();
        let invite_id: String = row.try_get("invite_id")?;
        sqlx::query("INSERT INTO devices (id, invite_id, count_id, token_hash, label, enrolled_at) VALUES (?, ?, ?, ?, ?, ?)")
            .bind(device_id.to_string())
            .bind(&invite_id)
            .bind(count.id.to_string())
            .bind(token_hash)
            .bind(label)
            .bind(ts(now))
            .execute(&mut *tx)
            .await?;
        audit(
            &mut tx,
            &Actor::Device(device_id),
            AuditAction::DeviceEnroll,
            Some(count.id),
            Some(invite_id),
            serde_json::json!({ "label": label }),
        )
        .await?;
        tx.commit().await?;
        Ok(Some((device_id, count, row.try_get("organisation")?, row.try_get("dedup_secret")?)))
    }

    /// The device holding this token.
    pub async fn device_by_token(&self, token_hash: &str) -> StoreResult<Option<Device>> {
        self.device_where("d.token_hash = ?", token_hash).await
    }

    /// A device by its id, revoked or not (for `ethos import`, run by the coordinator).
    pub async fn device_by_id(&self, id: Uuid) -> StoreResult<Option<Device>> {
        self.device_where("d.id = ?", &id.to_string()).await
    }

    async fn device_where(&self, condition: &str, value: &str) -> StoreResult<Option<Device>> {
        let row = sqlx::query(&format!(
            "SELECT d.id, d.count_id, i.organisation, i.revoked_at FROM devices d
             JOIN invites i ON i.id = d.invite_id WHERE {condition}"
        ))
        .bind(value)
        .fetch_optional(&self.read)
        .await?;
        row.map(|r| -> StoreResult<Device> {
            Ok(Device {
                id: r.try_get::<String, _>("id")?.parse()?,
                count_id: r.try_get::<String, _>("count_id")?.parse()?,
                organisation: r.try_get("organisation")?,
                revoked: r.try_get::<Option<String>, _>("revoked_at")?.is_some(),
            })
        })
        .transpose()
    }
}

impl Storage {
    /// Inhabitants per region municipality, as the coordinator entered them.
    pub async fn population(&self, count_id: Uuid) -> StoreResult<Vec<(String, u64)>> {
        let rows = sqlx::query(
            "SELECT municipality, population FROM count_population WHERE count_id = ? ORDER BY municipality",
        )
        .bind(count_id.to_string())
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("municipality")?, r.try_get::<i64, _>("population")? as u64)))
            .collect()
    }

    /// Replaces the population figures of a count.
    pub async fn set_population(
        &self,
        count_id: Uuid,
        figures: &[(String, u64)],
        by: &super::User,
    ) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        sqlx::query("DELETE FROM count_population WHERE count_id = ?")
            .bind(count_id.to_string())
            .execute(&mut *tx)
            .await?;
        for (municipality, population) in figures {
            sqlx::query("INSERT INTO count_population (count_id, municipality, population) VALUES (?, ?, ?)")
                .bind(count_id.to_string())
                .bind(municipality)
                .bind(*population as i64)
                .execute(&mut *tx)
                .await?;
        }
        audit(
            &mut tx,
            &Actor::User(by.username.clone()),
            AuditAction::CountPopulation,
            Some(count_id),
            None,
            serde_json::json!(figures),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
