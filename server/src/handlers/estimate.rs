//! `GET /api/v1/counts/{id}/estimate` (the use case is `usecase::estimate`).

use super::disclosure_param;
use crate::error::{ApiError, ApiResult};
use crate::extract::{AnyUser, ApiQuery, CountPath};
use crate::usecase::estimate::estimate_of;
use crate::AppState;
use axum::extract::State;
use axum::Json;
use ethos_shared::estimate::{Estimate, SourceBy};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct EstimateQuery {
    by: Option<String>,
    disclosure: Option<String>,
}

pub async fn json(
    State(state): State<AppState>,
    _user: AnyUser,
    CountPath(count): CountPath,
    ApiQuery(q): ApiQuery<EstimateQuery>,
) -> ApiResult<Json<Estimate>> {
    let by = match q.by.as_deref() {
        None => SourceBy::OrganisationType,
        Some(b) => SourceBy::from_code(b).ok_or_else(|| ApiError::invalid("by"))?,
    };
    let disclosure = disclosure_param(q.disclosure.as_deref())?;
    Ok(Json(estimate_of(&state.storage, count.id, by, disclosure).await?))
}
