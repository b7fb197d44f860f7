//! Team codes: create, list, revoke (the use cases are in `usecase::counts`).

use super::path_id;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, Coordinator, CountPath};
use crate::usecase::counts;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::Utc;
use ethos_shared::api::{Invite, Items, NewInvite};

pub async fn create(
    State(state): State<AppState>,
    Coordinator(user): Coordinator,
    CountPath(count): CountPath,
    ApiJson(new): ApiJson<NewInvite>,
) -> ApiResult<(StatusCode, Json<Invite>)> {
    let invite = counts::create_invite(&state.storage, count.id, new, &user, Utc::now()).await?;
    Ok((StatusCode::CREATED, Json(invite)))
}

pub async fn list(
    State(state): State<AppState>,
    _user: Coordinator,
    CountPath(count): CountPath,
) -> ApiResult<Json<Items<Invite>>> {
    Ok(Json(Items { items: state.storage.list_invites(count.id).await? }))
}

pub async fn revoke(
    State(state): State<AppState>,
    Coordinator(user): Coordinator,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<StatusCode> {
    let invite_id = path_id(&id, "invite")?;
    counts::revoke_invite(&state.storage, invite_id, &user).await?;
    Ok(StatusCode::NO_CONTENT)
}
