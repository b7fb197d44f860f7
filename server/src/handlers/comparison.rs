//! `GET /api/v1/counts/{id}/comparison` and `comparison.csv` (the use case is
//! `usecase::comparison`).

use super::{csv_attachment, disclosure_param, semicolon_param, table_param};
use crate::error::ApiResult;
use crate::extract::{AnyUser, ApiQuery, CountPath};
use crate::storage::Actor;
use crate::usecase::comparison::{comparison_of, earlier, table_csv_export};
use crate::AppState;
use axum::extract::State;
use axum::response::IntoResponse;
use axum::Json;
use ethos_shared::comparison::Comparison;
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
    CountPath(count): CountPath,
    ApiQuery(q): ApiQuery<ComparisonQuery>,
) -> ApiResult<Json<Comparison>> {
    let disclosure = disclosure_param(q.disclosure.as_deref())?;
    Ok(Json(comparison_of(&state.storage, count.id, q.with.as_deref(), disclosure).await?))
}

/// `GET /api/v1/counts/{id}/comparison.csv?with=…&table=…&disclosure=…[&sep=semicolon]`: one
/// table of the comparison, audited as an export.
pub async fn csv(
    State(state): State<AppState>,
    AnyUser(user): AnyUser,
    CountPath(count): CountPath,
    ApiQuery(q): ApiQuery<ComparisonQuery>,
) -> ApiResult<impl IntoResponse> {
    let semicolon = semicolon_param(q.sep.as_deref())?;
    let table_id = table_param(q.table)?;
    let disclosure = disclosure_param(q.disclosure.as_deref())?;
    let comparison = comparison_of(&state.storage, count.id, q.with.as_deref(), disclosure).await?;
    let actor = Actor::User(user.username);
    let (filename, body) =
        table_csv_export(&state.storage, &actor, &comparison, &table_id, semicolon).await?;
    Ok(csv_attachment(filename, body))
}

/// The `with` parameter of the exports (see `usecase::comparison::earlier`).
pub(crate) async fn earlier_param(state: &AppState, count_id: Uuid, with: Option<&str>) -> ApiResult<Uuid> {
    Ok(earlier(&state.storage, count_id, with).await?)
}
