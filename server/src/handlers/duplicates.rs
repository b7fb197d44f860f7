//! The duplicate review: groups of records sharing a key, page by page with the differing
//! answers named, the coordinator's decision per group, and one decision for every group whose
//! records agree. A count in training reviews its training records (kept apart, api.md).

use super::path_id;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Coordinator};
use crate::storage::Storage;
use crate::AppState;
use axum::extract::State;
use axum::Json;
use ethos_shared::api::{Decision, ResolveRequest};
use ethos_shared::count::CountStatus;
use ethos_shared::record::DedupKey;
use ethos_shared::review::{BulkResolved, DuplicatePage, ReviewFilter, ReviewGroup, ReviewTally};
use serde::Deserialize;
use uuid::Uuid;

/// At most this many groups on one page.
pub const MAX_PAGE: usize = 500;

#[derive(Deserialize)]
pub struct PageQuery {
    filter: Option<String>,
    offset: Option<String>,
    limit: Option<String>,
}

/// Whether the count reviews its training records: it exists, and is in training or not.
async fn in_training(storage: &Storage, count_id: Uuid) -> ApiResult<bool> {
    let count = storage.get_count(count_id).await?.ok_or(ApiError::NotFound("count"))?;
    Ok(count.status == CountStatus::Training)
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
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<DuplicatePage>> {
    let count_id = path_id(&id, "count")?;
    let filter = match q.filter.as_deref() {
        None => ReviewFilter::All,
        Some(f) => ReviewFilter::from_code(f).ok_or_else(|| ApiError::invalid("filter"))?,
    };
    let offset = number(q.offset.as_deref(), "offset", 0..=usize::MAX)?.unwrap_or(0);
    let limit = number(q.limit.as_deref(), "limit", 1..=MAX_PAGE)?;
    let training = in_training(&state.storage, count_id).await?;
    let groups = state.storage.review_groups(count_id, training).await?;
    let mut tally = ReviewTally::default();
    for g in &groups {
        match g.kind() {
            ReviewFilter::Conflicts => tally.conflicts += 1,
            ReviewFilter::Consistent => tally.consistent += 1,
            _ => tally.decided += 1,
        }
    }
    let matching: Vec<ReviewGroup> =
        groups.into_iter().filter(|g| filter == ReviewFilter::All || g.kind() == filter).collect();
    let end = limit.map_or(matching.len(), |l| offset.saturating_add(l).min(matching.len()));
    let next_offset = (end < matching.len()).then_some(end as u64);
    let items = matching.into_iter().skip(offset).take(end.saturating_sub(offset)).collect();
    Ok(Json(DuplicatePage { items, tally, filter, offset: offset as u64, next_offset, training }))
}

/// `POST /api/v1/counts/{id}/duplicates/{key}/resolve`: the decision for one group.
pub async fn resolve(
    State(state): State<AppState>,
    Coordinator(user): Coordinator,
    ApiPath((id, key)): ApiPath<(String, String)>,
    ApiJson(req): ApiJson<ResolveRequest>,
) -> ApiResult<Json<ReviewGroup>> {
    let count_id = path_id(&id, "count")?;
    let key = DedupKey::try_from(key).map_err(|_| ApiError::NotFound("duplicate group"))?;
    let training = in_training(&state.storage, count_id).await?;
    let find = |groups: Vec<ReviewGroup>| groups.into_iter().find(|g| g.group.dedup_key == key);
    let group = find(state.storage.review_groups(count_id, training).await?)
        .ok_or(ApiError::NotFound("duplicate group"))?;
    let primary = match req.decision {
        Decision::SamePerson => req.primary_record_id,
        Decision::DifferentPeople => None,
    };
    if let Some(p) = primary {
        if !group.group.records.iter().any(|r| r.stored.record.id == p) {
            return Err(ApiError::invalid("primary_record_id"));
        }
    }
    let decision = [(key.clone(), req.decision, primary)];
    state.storage.decide_duplicates(count_id, training, &decision, &user, false).await?;
    let group = find(state.storage.review_groups(count_id, training).await?)
        .ok_or(ApiError::NotFound("duplicate group"))?;
    Ok(Json(group))
}

/// `POST /api/v1/counts/{id}/duplicates/resolve-consistent`: "same person" for every undecided
/// group whose records agree, in one transaction with one audit entry per group.
pub async fn resolve_consistent(
    State(state): State<AppState>,
    Coordinator(user): Coordinator,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<BulkResolved>> {
    let count_id = path_id(&id, "count")?;
    let training = in_training(&state.storage, count_id).await?;
    let groups = state.storage.review_groups(count_id, training).await?;
    let keys: Vec<DedupKey> = groups
        .into_iter()
        .filter(|g| g.kind() == ReviewFilter::Consistent)
        .map(|g| g.group.dedup_key)
        .collect();
    let decisions: Vec<_> = keys.iter().map(|k| (k.clone(), Decision::SamePerson, None)).collect();
    if !decisions.is_empty() {
        state.storage.decide_duplicates(count_id, training, &decisions, &user, true).await?;
    }
    Ok(Json(BulkResolved { resolved: keys.len() as u64, keys, training }))
}
