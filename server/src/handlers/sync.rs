//! `POST /api/v1/sync`: a batch of records from a field device.

use crate::error::{ApiError, ApiResult};
use crate::extract::{FieldDevice, JsonValue};
use crate::storage::SyncError;
use crate::AppState;
use axum::extract::State;
use axum::Json;
use chrono::Utc;
use ethos_shared::api::{SyncResponse, MAX_SYNC_RECORDS};
use ethos_shared::record::{FieldError, FieldErrorCode};
use ethos_shared::sync::parse_batch;

pub async fn sync(
    State(state): State<AppState>,
    FieldDevice(device): FieldDevice,
    JsonValue(body): JsonValue,
) -> ApiResult<Json<SyncResponse>> {
    let Some(records) = body.get("records").and_then(|r| r.as_array()) else {
        let code = if body.get("records").is_some() {
            FieldErrorCode::InvalidValue
        } else {
            FieldErrorCode::Missing
        };
        return Err(ApiError::ValidationFailed(vec![FieldError::new("records", code)]));
    };
    if records.len() > MAX_SYNC_RECORDS {
        return Err(ApiError::PayloadTooLarge(format!("at most {MAX_SYNC_RECORDS} records per sync")));
    }
    let items = parse_batch(records);
    let now = Utc::now();
    // Extension of the contract: the phone may say how many records it still holds unconfirmed.
    let unsynced = body.get("unsynced").and_then(|u| u.as_u64()).map(|u| u.min(u64::from(u32::MAX)) as u32);
    match state.storage.sync_batch(&device, items, unsynced, now).await {
        Ok(results) => Ok(Json(SyncResponse { results, server_time: now })),
        Err(SyncError::CountGone) => Err(ApiError::DeviceRevoked),
        Err(SyncError::Other(e)) => Err(e.into()),
    }
}
