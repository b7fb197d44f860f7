//! A sync from a field device: its batch of records, each judged on its own.

use super::{Error, Result};
use crate::storage::{Device, Storage, StoreError};
use chrono::{DateTime, Utc};
use ethos_shared::api::{SyncResponse, MAX_SYNC_RECORDS};
use ethos_shared::sync::{decodes_as_text, read_sync_body, split_sync_body, BodyError, SyncBody};

/// Applies a sync body (`{"records": […], "unsynced": n}`, its bytes) of `device`, answered once
/// it is durable. `NotJson` or `Invalid` for a body that is no sync body; `TooManyRecords` over
/// the limit; `DeviceRevoked` when the device's count is gone.
///
/// The records are parsed as the storage takes them, a piece at a time, while it writes the
/// pieces before; the pass that checks that the whole body decodes runs after the last piece,
/// while the writer stores it. The rare body that fails that pass is stored by none of its
/// pieces and read again the slow way, which gives the answer it always gave.
pub async fn sync(
    storage: &Storage,
    device: &Device,
    bytes: &[u8],
    now: DateTime<Utc>,
) -> Result<SyncResponse> {
    let body = match split_sync_body(bytes).map_err(body_error)? {
        body @ SyncBody::Text(_) if body.len() <= MAX_SYNC_RECORDS => {
            let sound = || decodes_as_text(bytes);
            match storage.sync_batch_if(device, body.parsed(), sound, body.unsynced(), now).await {
                Ok(Some(results)) => return Ok(SyncResponse { results, server_time: now }),
                // Where the body does not decode, its answer is the value way's, whatever
                // else went wrong.
                Err(e) if decodes_as_text(bytes) => return Err(store_error(e)),
                Ok(None) | Err(_) => read_sync_body(bytes).map_err(body_error)?,
            }
        }
        SyncBody::Text(_) => read_sync_body(bytes).map_err(body_error)?,
        by_value => by_value,
    };
    store(storage, device, &body, now).await
}

/// The body as read to the end, stored.
async fn store(
    storage: &Storage,
    device: &Device,
    body: &SyncBody<'_>,
    now: DateTime<Utc>,
) -> Result<SyncResponse> {
    if body.len() > MAX_SYNC_RECORDS {
        return Err(Error::TooManyRecords(MAX_SYNC_RECORDS));
    }
    let results =
        storage.sync_batch(device, body.parsed(), body.unsynced(), now).await.map_err(store_error)?;
    Ok(SyncResponse { results, server_time: now })
}

fn store_error(e: StoreError) -> Error {
    match e {
        StoreError::NotFound => Error::DeviceRevoked,
        e => e.into(),
    }
}

fn body_error(e: BodyError) -> Error {
    match e {
        BodyError::NotJson(message) => Error::NotJson(message),
        BodyError::Shape(field) => field.into(),
    }
}
