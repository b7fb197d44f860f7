//! A sync from a field device: its batch of records, each judged on its own.

use super::{Error, Result};
use crate::storage::{Device, Storage, StoreError};
use chrono::{DateTime, Utc};
use ethos_shared::api::{SyncResponse, MAX_SYNC_RECORDS};
use ethos_shared::sync::{parse_batch, sync_request};

/// Applies a sync body (`{"records": […], "unsynced": n}`) of `device`, answered once it is
/// durable. `TooManyRecords` over the limit; `DeviceRevoked` when the device's count is gone.
pub async fn sync(
    storage: &Storage,
    device: &Device,
    body: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<SyncResponse> {
    let body = sync_request(body)?;
    if body.records.len() > MAX_SYNC_RECORDS {
        return Err(Error::TooManyRecords(MAX_SYNC_RECORDS));
    }
    let items = parse_batch(&body.records);
    match storage.sync_batch(device, items, body.unsynced, now).await {
        Ok(results) => Ok(SyncResponse { results, server_time: now }),
        Err(StoreError::NotFound) => Err(Error::DeviceRevoked),
        Err(e) => Err(e.into()),
    }
}
