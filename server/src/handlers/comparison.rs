//! Comparison with an earlier count of the region (domain.md §6.6): both reports built with the
//! same disclosure, side by side with the change per figure.

use super::report::report_of;
use super::{csv_attachment, disclosure_param, path_id, semicolon_param, table_param};
use crate::error::{ApiError, ApiResult};
use crate::extract::{AnyUser, ApiPath, ApiQuery};
use crate::storage::Actor;
use crate::AppState;
use axum::extract::State;
use axum::response::IntoResponse;
use axum::Json;
use ethos_shared::comparison::{compare, is_earlier, table_change_csv, Comparison};
use ethos_shared::record::{FieldError, FieldErrorCode};
use serde::Deserialize;
use uuid::Uuid;

#[derive(Deserialize)]
pub struct ComparisonQuery {
    with: Option<String>,
    disclosure: Option<String>,
    table: Option<String>,
    sep: Option<String>,
}

/// `GET /api/v1/counts/{id}/comparison?with={earlier}&disclosure=…` (coordinator, analyst).
pub async fn json(
    State(state): State<AppState>,
    _user: AnyUser,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<ComparisonQuery>,
) -> ApiResult<Json<Comparison>> {
    Ok(Json(comparison_of(&state, &id, &q).await?))
}

/// `GET /api/v1/counts/{id}/comparison.csv?with=…&table=…&disclosure=…[&sep=semicolon]`: one
/// table of the comparison, audited as an export.
pub async fn csv(
    State(state): State<AppState>,
    AnyUser(user): AnyUser,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<ComparisonQuery>,
) -> ApiResult<impl IntoResponse> {
    let semicolon = semicolon_param(q.sep.as_deref())?;
    let table_id = table_param(q.table.clone())?;
    let comparison = comparison_of(&state, &id, &q).await?;
    let table =
        comparison.tables.iter().find(|t| t.id == table_id).ok_or_else(|| ApiError::invalid("table"))?;
    let body = ethos_shared::csv_cell::guard_csv(
        &table_change_csv(table, semicolon),
        if semicolon { b';' } else { b',' },
    );
    let disclosure = comparison.disclosure.code();
    state
        .storage
        .audit_alone(
            &Actor::User(user.username),
            "report.export",
            Some(comparison.count.id),
            serde_json::json!({
                "table": table_id, "disclosure": disclosure, "format": "csv",
                "comparison_with": comparison.earlier.id,
            }),
        )
        .await?;
    Ok(csv_attachment(format!("{table_id}-comparison-{disclosure}.csv"), body))
}

async fn comparison_of(state: &AppState, id: &str, q: &ComparisonQuery) -> ApiResult<Comparison> {
    let count_id = path_id(id, "count")?;
    let disclosure = disclosure_param(q.disclosure.as_deref())?;
    let earlier_id = earlier_param(state, count_id, q.with.as_deref()).await?;
    let now = report_of(&state.storage, count_id, disclosure).await?;
    let before = report_of(&state.storage, earlier_id, disclosure).await?;
    Ok(compare(&now, &before))
}

/// The `with` parameter: the id of an earlier count of `count_id` (400 `with` missing or
/// invalid; 404 for a count that does not exist).
pub(crate) async fn earlier_param(state: &AppState, count_id: Uuid, with: Option<&str>) -> ApiResult<Uuid> {
    let invalid = |code| ApiError::ValidationFailed(vec![FieldError::new("with", code)]);
    let earlier_id = with.ok_or(invalid(FieldErrorCode::Missing))?;
    let earlier_id: Uuid = earlier_id.parse().map_err(|_| invalid(FieldErrorCode::InvalidValue))?;
    let count = state.storage.get_count(count_id).await?.ok_or(ApiError::NotFound("count"))?;
    let earlier = state.storage.get_count(earlier_id).await?.ok_or(ApiError::NotFound("count"))?;
    if !is_earlier(&count, &earlier) {
        return Err(invalid(FieldErrorCode::InvalidValue));
    }
    Ok(earlier_id)
}
