//! The live dashboard and the devices of a count.

use super::path_id;
use crate::error::{ApiError, ApiResult};
use crate::extract::{AnyUser, ApiPath, Coordinator};
use crate::storage::{DeviceInfo, Progress};
use crate::AppState;
use axum::extract::State;
use axum::Json;
use chrono::{DateTime, Utc};
use ethos_shared::api::Items;
use serde::Serialize;

#[derive(Serialize)]
pub struct Dashboard {
    #[serde(flatten)]
    progress: Progress,
    /// Unique persons under the counting rules (internal: the dashboard is not published).
    persons_total: Option<u64>,
    generated_at: DateTime<Utc>,
}

/// `GET /api/v1/counts/{id}/dashboard` (coordinator, analyst): progress so far.
pub async fn dashboard(
    State(state): State<AppState>,
    _user: AnyUser,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<Dashboard>> {
    let count_id = path_id(&id, "count")?;
    let now = Utc::now();
    state.storage.get_count(count_id).await?.ok_or(ApiError::NotFound("count"))?;
    // One aggregate query, not the records: the dashboard asks every 15 seconds.
    let persons_total = state.storage.persons_total(count_id).await?;
    let progress = state.storage.progress(count_id, now).await?;
    Ok(Json(Dashboard { progress, persons_total: Some(persons_total), generated_at: now }))
}

/// `GET /api/v1/counts/{id}/devices` (coordinator): every enrolled phone, least recently seen
/// first, with what it reported still holding.
pub async fn devices(
    State(state): State<AppState>,
    _user: Coordinator,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<Items<DeviceInfo>>> {
    let count_id = path_id(&id, "count")?;
    state.storage.get_count(count_id).await?.ok_or(ApiError::NotFound("count"))?;
    Ok(Json(Items { items: state.storage.count_devices(count_id).await? }))
}
