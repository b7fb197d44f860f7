//! The estimate of the hidden population (api.md "Estimate", domain.md §8): capture–recapture
//! over the organisation types (or organisations) through which the counted persons came in.

use super::{disclosure_param, path_id};
use crate::error::{ApiError, ApiResult};
use crate::extract::{AnyUser, ApiPath, ApiQuery};
use crate::storage::Storage;
use crate::AppState;
use axum::extract::State;
use axum::Json;
use ethos_shared::estimate::{estimate, Captures, Estimate, SourceBy};
use ethos_shared::report::Disclosure;
use serde::Deserialize;
use uuid::Uuid;

#[derive(Deserialize)]
pub struct EstimateQuery {
    by: Option<String>,
    disclosure: Option<String>,
}

/// The estimate of a count from what is stored now; `EstimateNotPossible` with the reason when
/// there is none.
pub async fn estimate_of(
    storage: &Storage,
    count_id: Uuid,
    by: SourceBy,
    disclosure: Disclosure,
) -> ApiResult<Estimate> {
    storage.get_count(count_id).await?.ok_or(ApiError::NotFound("count"))?;
    let data = storage.report_data(count_id).await?;
    let answer = tokio::task::spawn_blocking(move || {
        let captures = Captures::of_records(&data.records, &data.decisions, &data.organisations, by);
        estimate(&captures, by, disclosure)
    })
    .await
    .map_err(anyhow::Error::from)?;
    answer.map_err(ApiError::EstimateNotPossible)
}

pub async fn json(
    State(state): State<AppState>,
    _user: AnyUser,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<EstimateQuery>,
) -> ApiResult<Json<Estimate>> {
    let count_id = path_id(&id, "count")?;
    let by = match q.by.as_deref() {
        None => SourceBy::OrganisationType,
        Some(b) => SourceBy::from_code(b).ok_or_else(|| ApiError::invalid("by"))?,
    };
    let disclosure = disclosure_param(q.disclosure.as_deref())?;
    Ok(Json(estimate_of(&state.storage, count_id, by, disclosure).await?))
}
