//! A sync from a field device: its batch of records, each judged on its own.

use super::{Error, Result};
use crate::storage::{Device, Storage, StoreError};
use chrono::{DateTime, Utc};
use ethos_shared::api::{SyncResponse, MAX_SYNC_RECORDS};
use ethos_shared::sync::{read_sync_body, BodyError};

/// Applies a sync body (`{"records": […], "unsynced": n}`, its bytes) of `device`, answered once
/// it is durable. `NotJson` or `Invalid` for a body that is no sync body; `TooManyRecords` over
/// the limit; `DeviceRevoked` when the device's count is gone. The records are parsed as the
/// storage takes them, a piece at a time, while it writes the pieces before.
pub async fn sync(
    storage: &Storage,
    device: &Device,
    body: &[u8],
    now: DateTime<Utc>,
) -> Result<SyncResponse> {
    let body = read_sync_body(body).map_err(|e| match e {
        BodyError::NotJson(message) => Error::NotJson(message),
        BodyError::Shape(field) => field.into(),
    })?;
    if body.len() > MAX_SYNC_RECORDS {
        return Err(Error::TooManyRecords(MAX_SYNC_RECORDS));
    }
    match storage.sync_batch(device, body.parsed(), body.unsynced(), now).await {
        Ok(results) => Ok(SyncResponse { results, server_time: now }),
        Err(StoreError::NotFound) => Err(Error::DeviceRevoked),
        Err(e) => Err(e.into()),
    }
}
