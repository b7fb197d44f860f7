//! Counts and what hangs off them: creating one, its lifecycle, its population figures, its
//! team codes and its audit log. Input is checked by the rules of `ethos_shared::input`.

use super::{Error, Result};
use crate::secrets::{new_dedup_secret, new_team_code, normalise_team_code};
use crate::storage::{AuditEntry, Storage, StoreError, User};
use chrono::{DateTime, Utc};
use ethos_shared::api::{Count, Invite, NewCount, NewInvite, Population};
use ethos_shared::count::CountStatus;
use ethos_shared::input;
use uuid::Uuid;

/// The audit log shows at most this many entries, the newest.
pub const AUDIT_LOG_ENTRIES: i64 = 1000;

/// A new count in training, with its own duplicate-key secret.
pub async fn create(storage: &Storage, new: NewCount, by: &User) -> Result<Count> {
    let new = input::new_count(new)?;
    Ok(storage.create_count(&new, &new_dedup_secret(), by).await?)
}

/// Moves a count along its lifecycle (`InvalidTransition` when the lifecycle does not allow it,
/// checked inside the write transaction).
pub async fn set_status(storage: &Storage, id: Uuid, to: CountStatus, by: &User) -> Result<Count> {
    storage.set_count_status(id, to, by).await.map_err(not_found("count"))
}

/// The figures as stored, in the wire shape.
pub async fn population(storage: &Storage, count_id: Uuid) -> Result<Vec<Population>> {
    let figures = storage.population(count_id).await?;
    Ok(figures
        .into_iter()
        .map(|(municipality, population)| Population { municipality, population })
        .collect())
}

/// Replaces the population figures of a count; each municipality of the region at most once,
/// each figure above 0.
pub async fn set_population(
    storage: &Storage,
    count_id: Uuid,
    items: &[Population],
    by: &User,
) -> Result<Vec<Population>> {
    let figures = input::population(items)?;
    storage.set_population(count_id, &figures, by).await?;
    population(storage, count_id).await
}

/// The newest entries of the count's audit log.
pub async fn audit_log(storage: &Storage, count_id: Uuid) -> Result<Vec<AuditEntry>> {
    Ok(storage.audit_log(Some(count_id), AUDIT_LOG_ENTRIES).await?)
}

/// A new team code for a count that is not locked (`CountLocked` otherwise).
pub async fn create_invite(
    storage: &Storage,
    count_id: Uuid,
    new: NewInvite,
    by: &User,
    now: DateTime<Utc>,
) -> Result<Invite> {
    let new = input::new_invite(new, now)?;
    let code = normalise_team_code(&new_team_code());
    storage.create_invite(count_id, &new, &code, by).await.map_err(not_found("count"))
}

/// Revokes a team code and with it its phones.
pub async fn revoke_invite(storage: &Storage, invite_id: Uuid, by: &User) -> Result<()> {
    if storage.revoke_invite(invite_id, by).await? {
        Ok(())
    } else {
        Err(Error::NotFound("invite"))
    }
}

/// A storage `NotFound` named for the caller.
fn not_found(what: &'static str) -> impl Fn(StoreError) -> Error {
    move |e| match e {
        StoreError::NotFound => Error::NotFound(what),
        e => Error::Store(e),
    }
}
