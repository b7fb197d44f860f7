//! Comparison with an earlier count of the region (domain.md §6.6): both reports built with the
//! same disclosure, side by side with the change per figure.

use super::report::report_of;
use super::{disclosure_param, path_id};
use crate::error::{ApiError, ApiResult};
use crate::extract::{AnyUser, ApiPath, ApiQuery};
use crate::AppState;
use axum::extract::State;
use axum::Json;
use ethos_shared::comparison::{compare, is_earlier, Comparison};
use ethos_shared::record::{FieldError, FieldErrorCode};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct ComparisonQuery {
    with: Option<String>,
    disclosure: Option<String>,
}

pub async fn json(
    State(state): State<AppState>,
    _user: AnyUser,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<ComparisonQuery>,
) -> ApiResult<Json<Comparison>> {
    let invalid = |code| ApiError::ValidationFailed(vec![FieldError::new("with", code)]);
    let count_id = path_id(&id, "count")?;
    let disclosure = disclosure_param(q.disclosure.as_deref())?;
    let earlier_id = q.with.ok_or(invalid(FieldErrorCode::Missing))?;
    let earlier_id = earlier_id.parse().map_err(|_| invalid(FieldErrorCode::InvalidValue))?;
    let count = state.storage.get_count(count_id).await?.ok_or(ApiError::NotFound("count"))?;
    let earlier = state.storage.get_count(earlier_id).await?.ok_or(ApiError::NotFound("count"))?;
    if !is_earlier(&count, &earlier) {
        return Err(invalid(FieldErrorCode::InvalidValue));
    }
    let now = report_of(&state.storage, count_id, disclosure).await?;
    let before = report_of(&state.storage, earlier_id, disclosure).await?;
    Ok(Json(compare(&now, &before)))
}
