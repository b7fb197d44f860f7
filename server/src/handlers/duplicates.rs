//! The duplicate review over HTTP (the use cases are in `usecase::review`).

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Coordinator, CountPath};
use crate::usecase::review::{self, PageRequest, MAX_PAGE};
use crate::AppState;
use axum::extract::State;
use axum::Json;
use ethos_shared::api::ResolveRequest;
use ethos_shared::record::DedupKey;
use ethos_shared::review::{BulkResolved, DuplicatePage, ReviewFilter, ReviewGroup};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct PageQuery {
    filter: Option<String>,
    offset: Option<String>,
    limit: Option<String>,
}

fn number(
    raw: Option<&str>,
    field: &str,
    range: std::ops::RangeInclusive<usize>,
) -> ApiResult<Option<usize>> {
    raw.map(|s| s.parse::<usize>().ok().filter(|n| range.contains(n)).ok_or_else(|| ApiError::invalid(field)))
        .transpose()
}

/// `GET /api/v1/counts/{id}/duplicates?filter=all|conflicts|consistent|decided&offset=&limit=`:
/// without `limit` every group of the filter.
pub async fn list(
    State(state): State<AppState>,
    _user: Coordinator,
    CountPath(count): CountPath,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<DuplicatePage>> {
    let filter = match q.filter.as_deref() {
        None => ReviewFilter::All,
        Some(f) => ReviewFilter::from_code(f).ok_or_else(|| ApiError::invalid("filter"))?,
    };
    let offset = number(q.offset.as_deref(), "offset", 0..=usize::MAX)?.unwrap_or(0);
    let limit = number(q.limit.as_deref(), "limit", 1..=MAX_PAGE)?;
    Ok(Json(review::page(&state.storage, &count, PageRequest { filter, offset, limit }).await?))
}

/// `POST /api/v1/counts/{id}/duplicates/{key}/resolve`: the decision for one group.
pub async fn resolve(
    State(state): State<AppState>,
    Coordinator(user): Coordinator,
    CountPath(count): CountPath,
    ApiPath((_, key)): ApiPath<(String, String)>,
    ApiJson(req): ApiJson<ResolveRequest>,
) -> ApiResult<Json<ReviewGroup>> {
    let key = DedupKey::try_from(key).map_err(|_| ApiError::NotFound("duplicate group"))?;
    let group =
        review::resolve(&state.storage, &count, &key, req.decision, req.primary_record_id, &user).await?;
    Ok(Json(group))
}

/// `POST /api/v1/counts/{id}/duplicates/resolve-consistent`: "same person" for every undecided
/// group whose records agree, in one transaction with one audit entry per group.
pub async fn resolve_consistent(
    State(state): State<AppState>,
    Coordinator(user): Coordinator,
    CountPath(count): CountPath,
) -> ApiResult<Json<BulkResolved>> {
    Ok(Json(review::resolve_consistent(&state.storage, &count, &user).await?))
}
