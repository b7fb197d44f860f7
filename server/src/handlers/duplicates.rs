//! Possible duplicates: records sharing a key, and the coordinator's decision.

use super::path_id;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, Coordinator};
use crate::AppState;
use axum::extract::State;
use axum::Json;
use ethos_shared::api::{Decision, DuplicateGroup, Items, ResolveRequest};
use ethos_shared::record::DedupKey;

pub async fn list(
    State(state): State<AppState>,
    _user: Coordinator,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<Items<DuplicateGroup>>> {
    let count_id = path_id(&id, "count")?;
    state.storage.get_count(count_id).await?.ok_or(ApiError::NotFound("count"))?;
    Ok(Json(Items { items: state.storage.duplicate_groups(count_id).await? }))
}

pub async fn resolve(
    State(state): State<AppState>,
    Coordinator(user): Coordinator,
    ApiPath((id, key)): ApiPath<(String, String)>,
    ApiJson(req): ApiJson<ResolveRequest>,
) -> ApiResult<Json<DuplicateGroup>> {
    let count_id = path_id(&id, "count")?;
    let key = DedupKey::try_from(key).map_err(|_| ApiError::NotFound("duplicate group"))?;
    let find = |groups: Vec<DuplicateGroup>| groups.into_iter().find(|g| g.dedup_key == key);
    let group =
        find(state.storage.duplicate_groups(count_id).await?).ok_or(ApiError::NotFound("duplicate group"))?;
    let primary = match req.decision {
        Decision::SamePerson => req.primary_record_id,
        Decision::DifferentPeople => None,
    };
    if let Some(p) = primary {
        if !group.records.iter().any(|r| r.stored.record.id == p) {
            return Err(ApiError::invalid("primary_record_id"));
        }
    }
    state.storage.resolve_duplicate(count_id, &key, req.decision, primary, &user).await?;
    let group =
        find(state.storage.duplicate_groups(count_id).await?).ok_or(ApiError::NotFound("duplicate group"))?;
    Ok(Json(group))
}
