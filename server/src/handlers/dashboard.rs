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
use ethos_shared::count::CountStatus;
use ethos_shared::counting::persons;
use serde::Serialize;

#[derive(Serialize)]
pub struct Dashboard {
    #[serde(flatten)]
    progress: Progress,
    /// Unique persons under the counting rules (internal: the dashboard is not published).
    persons_total: Option<u64>,
    generated_at: DateTime<Utc>,
    /// The count is in training: the figures are its training records ("oefendata").
    training: bool,
}

/// `GET /api/v1/counts/{id}/dashboard` (coordinator, analyst): progress so far.
pub async fn dashboard(
    State(state): State<AppState>,
    _user: AnyUser,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<Dashboard>> {
    let count_id = path_id(&id, "count")?;
    let now = Utc::now();
    let count = state.storage.get_count(count_id).await?.ok_or(ApiError::NotFound("count"))?;
    let training = count.status == CountStatus::Training;
    // Only the persons, not the whole report: the dashboard asks every 15 seconds.
    let data = state.storage.review_data(count_id, training).await?;
    let persons_total = tokio::task::spawn_blocking(move || persons(&data.records, &data.decisions).len())
        .await
        .map_err(anyhow::Error::from)?;
    let mut progress = state.storage.progress(count_id, now).await?;
    if training {
        // The rehearsal: the training records stand in for the counted ones.
        let practice = state.storage.rehearsal_progress(count_id).await?;
        progress.records_counted = practice.by_municipality.iter().map(|m| m.records).sum();
        progress.by_organisation = practice.by_organisation;
        progress.by_municipality = practice.by_municipality;
        progress.by_hour = practice.by_hour;
    }
    Ok(Json(Dashboard { progress, persons_total: Some(persons_total as u64), generated_at: now, training }))
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
