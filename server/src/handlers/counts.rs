//! Counts: create, list, read, lifecycle; and the audit log of a count.

use super::{path_id, required_text};
use crate::error::{ApiError, ApiResult};
use crate::extract::{AnyUser, ApiJson, ApiPath, Coordinator};
use crate::secrets::new_dedup_secret;
use crate::storage::{AuditEntry, StatusChangeError};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use ethos_shared::api::{Count, Items, NewCount, Population, StatusChange};

pub async fn create(
    State(state): State<AppState>,
    Coordinator(user): Coordinator,
    ApiJson(mut new): ApiJson<NewCount>,
) -> ApiResult<(StatusCode, Json<Count>)> {
    new.name = required_text(&new.name, "name", 200)?;
    if new.ends_at <= new.starts_at {
        return Err(ApiError::invalid("ends_at"));
    }
    let count = state.storage.create_count(&new, &new_dedup_secret(), &user).await?;
    Ok((StatusCode::CREATED, Json(count)))
}

pub async fn list(State(state): State<AppState>, _user: AnyUser) -> ApiResult<Json<Items<Count>>> {
    Ok(Json(Items { items: state.storage.list_counts().await? }))
}

pub async fn get(
    State(state): State<AppState>,
    _user: AnyUser,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<Count>> {
    let id = path_id(&id, "count")?;
    state.storage.get_count(id).await?.map(Json).ok_or(ApiError::NotFound("count"))
}

pub async fn set_status(
    State(state): State<AppState>,
    Coordinator(user): Coordinator,
    ApiPath(id): ApiPath<String>,
    ApiJson(change): ApiJson<StatusChange>,
) -> ApiResult<Json<Count>> {
    let id = path_id(&id, "count")?;
    match state.storage.set_count_status(id, change.status, &user).await {
        Ok(count) => Ok(Json(count)),
        Err(StatusChangeError::NotFound) => Err(ApiError::NotFound("count")),
        Err(StatusChangeError::NotAllowed { from, to }) => {
            Err(ApiError::InvalidTransition { from: from.code().into(), to: to.code().into() })
        }
        Err(StatusChangeError::Other(e)) => Err(e.into()),
    }
}

/// `GET /api/v1/counts/{id}/audit` (coordinator): the newest 1,000 entries of the count.
pub async fn audit_log(
    State(state): State<AppState>,
    _user: Coordinator,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<Items<AuditEntry>>> {
    let id = path_id(&id, "count")?;
    state.storage.get_count(id).await?.ok_or(ApiError::NotFound("count"))?;
    Ok(Json(Items { items: state.storage.audit_log(Some(id), 1000).await? }))
}

/// `GET /api/v1/counts/{id}/population` (coordinator, analyst).
pub async fn population(
    State(state): State<AppState>,
    _user: AnyUser,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<Items<Population>>> {
    let id = path_id(&id, "count")?;
    state.storage.get_count(id).await?.ok_or(ApiError::NotFound("count"))?;
    let items = state.storage.population(id).await?;
    Ok(Json(Items {
        items: items
            .into_iter()
            .map(|(municipality, population)| Population { municipality, population })
            .collect(),
    }))
}

/// `PUT /api/v1/counts/{id}/population` (coordinator) `{"items":[{"municipality","population"}]}`:
/// replaces the figures; each municipality of the region at most once, population above 0.
pub async fn set_population(
    State(state): State<AppState>,
    Coordinator(user): Coordinator,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<Items<Population>>,
) -> ApiResult<Json<Items<Population>>> {
    let id = path_id(&id, "count")?;
    state.storage.get_count(id).await?.ok_or(ApiError::NotFound("count"))?;
    let mut seen = std::collections::HashSet::new();
    for (i, p) in body.items.iter().enumerate() {
        let in_region = ethos_shared::municipality::by_code(&p.municipality).is_some_and(|g| g.in_region);
        if !in_region || !seen.insert(p.municipality.as_str()) {
            return Err(ApiError::invalid(&format!("items[{i}].municipality")));
        }
        if p.population == 0 || p.population > 10_000_000 {
            return Err(ApiError::invalid(&format!("items[{i}].population")));
        }
    }
    let figures: Vec<(String, u64)> =
        body.items.into_iter().map(|p| (p.municipality, p.population)).collect();
    state.storage.set_population(id, &figures, &user).await?;
    population(State(state), AnyUser(user), ApiPath(id.to_string())).await
}
