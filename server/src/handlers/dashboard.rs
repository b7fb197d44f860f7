//! The live dashboard and the devices of a count (the use cases are in `usecase::dashboard`).

use crate::error::ApiResult;
use crate::extract::{AnyUser, Coordinator, CountPath};
use crate::usecase::dashboard;
use crate::AppState;
use axum::extract::State;
use axum::Json;
use ethos_shared::api::{Dashboard, Device, Items};

/// `GET /api/v1/counts/{id}/dashboard` (coordinator, analyst): progress so far, made anew or,
/// when that is expensive, kept a while (`usecase::dashboard_cache`).
pub async fn dashboard(
    State(state): State<AppState>,
    _user: AnyUser,
    CountPath(count): CountPath,
) -> ApiResult<Json<Dashboard>> {
    Ok(Json(state.dashboards.dashboard(&state.storage, &count).await?))
}

/// `GET /api/v1/counts/{id}/devices` (coordinator): every enrolled phone.
pub async fn devices(
    State(state): State<AppState>,
    _user: Coordinator,
    CountPath(count): CountPath,
) -> ApiResult<Json<Items<Device>>> {
    Ok(Json(Items { items: dashboard::devices(&state.storage, count.id).await? }))
}
