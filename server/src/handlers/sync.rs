//! `POST /api/v1/sync`: a batch of records from a field device.

use crate::error::{ApiError, ApiResult};
use crate::extract::{FieldDevice, JsonValue};
use crate::storage::SyncError;
use crate::AppState;
use axum::extract::State;
use axum::Json;
use chrono::Utc;
use ethos_shared::api::{SyncResponse, MAX_SYNC_RECORDS};
use ethos_shared::sync::{parse_batch, sync_request};

pub async fn sync(
    State(state): State<AppState>,
    FieldDevice(device): FieldDevice,
    JsonValue(body): JsonValue,
) -> ApiResult<Json<SyncResponse>> {
    let body = sync_request(body).map_err(|e| ApiError::ValidationFailed(vec![e]))?;
    if body.records.len() > MAX_SYNC_RECORDS {
        return Err(ApiError::PayloadTooLarge(format!("at most {MAX_SYNC_RECORDS} records per sync")));
    }
    let items = parse_batch(&body.records);
    let now = Utc::now();
    match state.storage.sync_batch(&device, items, body.unsynced, now).await {
        Ok(results) => Ok(Json(SyncResponse { results, server_time: now })),
        Err(SyncError::CountGone) => Err(ApiError::DeviceRevoked),
        Err(SyncError::Busy) => Err(ApiError::StorageBusy),
        Err(SyncError::Full) => Err(ApiError::StorageFull),
        Err(SyncError::ReadOnly) => Err(ApiError::StorageReadOnly),
        Err(SyncError::Other(e)) => Err(e.into()),
    }
}
