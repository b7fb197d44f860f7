//! The baseline report: JSON, and one table as CSV (the use cases are in `usecase::report`).

use super::{csv_attachment, disclosure_param, semicolon_param, table_param};
use crate::error::ApiResult;
use crate::extract::{AnyUser, ApiQuery, CountPath};
use crate::storage::Actor;
use crate::usecase::report::{rehearsed_report_with_estimate_of, table_csv_export};
use crate::AppState;
use axum::extract::State;
use axum::response::IntoResponse;
use axum::Json;
use ethos_shared::estimate::ReportWithEstimate;
use ethos_shared::review::Rehearsal;
use serde::Deserialize;

pub(crate) use crate::usecase::report::{report_of, report_with_estimate_of};

#[derive(Deserialize)]
pub struct ReportQuery {
    disclosure: Option<String>,
    table: Option<String>,
    sep: Option<String>,
}

pub async fn json(
    State(state): State<AppState>,
    _user: AnyUser,
    CountPath(count): CountPath,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> ApiResult<Json<Rehearsal<ReportWithEstimate>>> {
    let disclosure = disclosure_param(q.disclosure.as_deref())?;
    Ok(Json(rehearsed_report_with_estimate_of(&state.storage, count.id, disclosure).await?))
}

pub async fn csv(
    State(state): State<AppState>,
    AnyUser(user): AnyUser,
    CountPath(count): CountPath,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> ApiResult<impl IntoResponse> {
    let disclosure = disclosure_param(q.disclosure.as_deref())?;
    let semicolon = semicolon_param(q.sep.as_deref())?;
    let table_id = table_param(q.table)?;
    let actor = Actor::User(user.username);
    let csv = table_csv_export(&state.storage, &actor, count.id, disclosure, &table_id, semicolon).await?;
    Ok(csv_attachment(csv.filename, csv.body))
}
