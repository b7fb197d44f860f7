//! `POST /api/v1/sync`: a batch of records from a field device (the use case is `usecase::sync`).

use crate::error::ApiResult;
use crate::extract::{FieldDevice, JsonBytes};
use crate::usecase;
use crate::AppState;
use axum::extract::State;
use axum::Json;
use chrono::Utc;
use ethos_shared::api::SyncResponse;

pub async fn sync(
    State(state): State<AppState>,
    FieldDevice(device): FieldDevice,
    JsonBytes(body): JsonBytes,
) -> ApiResult<Json<SyncResponse>> {
    Ok(Json(usecase::sync::sync(&state.storage, &device, &body, Utc::now()).await?))
}
