//! Counts: create, list, read, lifecycle; and the audit log of a count (the use cases are in
//! `usecase::counts`).

use crate::error::ApiResult;
use crate::extract::{AnyUser, ApiJson, Coordinator, CountPath};
use crate::storage::AuditEntry;
use crate::usecase::counts;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use ethos_shared::api::{Count, Items, NewCount, Population, StatusChange};

pub async fn create(
    State(state): State<AppState>,
    Coordinator(user): Coordinator,
    ApiJson(new): ApiJson<NewCount>,
) -> ApiResult<(StatusCode, Json<Count>)> {
    Ok((StatusCode::CREATED, Json(counts::create(&state.storage, new, &user).await?)))
}

pub async fn list(State(state): State<AppState>, _user: AnyUser) -> ApiResult<Json<Items<Count>>> {
    Ok(Json(Items { items: state.storage.list_counts().await? }))
}

pub async fn get(_user: AnyUser, CountPath(count): CountPath) -> Json<Count> {
    Json(count)
}

pub async fn set_status(
    State(state): State<AppState>,
    Coordinator(user): Coordinator,
    CountPath(count): CountPath,
    ApiJson(change): ApiJson<StatusChange>,
) -> ApiResult<Json<Count>> {
    Ok(Json(counts::set_status(&state.storage, count.id, change.status, &user).await?))
}

/// `GET /api/v1/counts/{id}/audit` (coordinator): the newest 1,000 entries of the count.
pub async fn audit_log(
    State(state): State<AppState>,
    _user: Coordinator,
    CountPath(count): CountPath,
) -> ApiResult<Json<Items<AuditEntry>>> {
    Ok(Json(Items { items: counts::audit_log(&state.storage, count.id).await? }))
}

/// `GET /api/v1/counts/{id}/population` (coordinator, analyst).
pub async fn population(
    State(state): State<AppState>,
    _user: AnyUser,
    CountPath(count): CountPath,
) -> ApiResult<Json<Items<Population>>> {
    Ok(Json(Items { items: counts::population(&state.storage, count.id).await? }))
}

/// `PUT /api/v1/counts/{id}/population` (coordinator) `{"items":[{"municipality","population"}]}`:
/// replaces the figures.
pub async fn set_population(
    State(state): State<AppState>,
    Coordinator(user): Coordinator,
    CountPath(count): CountPath,
    ApiJson(body): ApiJson<Items<Population>>,
) -> ApiResult<Json<Items<Population>>> {
    Ok(Json(Items { items: counts::set_population(&state.storage, count.id, &body.items, &user).await? }))
}
