//! Team codes: create, list, revoke.

use super::{path_id, required_text};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, Coordinator};
use crate::secrets::{new_team_code, normalise_team_code};
use crate::storage::NewInviteError;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::Utc;
use ethos_shared::api::{Invite, Items, NewInvite};

pub async fn create(
    State(state): State<AppState>,
    Coordinator(user): Coordinator,
    ApiPath(id): ApiPath<String>,
    ApiJson(mut new): ApiJson<NewInvite>,
) -> ApiResult<(StatusCode, Json<Invite>)> {
    let count_id = path_id(&id, "count")?;
    new.organisation = required_text(&new.organisation, "organisation", 200)?;
    if new.expires_at.is_some_and(|t| t <= Utc::now()) {
        return Err(ApiError::invalid("expires_at"));
    }
    let code = normalise_team_code(&new_team_code());
    match state.storage.create_invite(count_id, &new, &code, &user).await {
        Ok(invite) => Ok((StatusCode::CREATED, Json(invite))),
        Err(NewInviteError::NotFound) => Err(ApiError::NotFound("count")),
        Err(NewInviteError::Locked) => Err(ApiError::CountLocked),
        Err(NewInviteError::Other(e)) => Err(e.into()),
    }
}

pub async fn list(
    State(state): State<AppState>,
    _user: Coordinator,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<Items<Invite>>> {
    let count_id = path_id(&id, "count")?;
    state.storage.get_count(count_id).await?.ok_or(ApiError::NotFound("count"))?;
    Ok(Json(Items { items: state.storage.list_invites(count_id).await? }))
}

pub async fn revoke(
    State(state): State<AppState>,
    Coordinator(user): Coordinator,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<StatusCode> {
    let invite_id = path_id(&id, "invite")?;
    if state.storage.revoke_invite(invite_id, &user).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound("invite"))
    }
}
