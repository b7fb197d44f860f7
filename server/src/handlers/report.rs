//! The baseline report: JSON, and one table as CSV.

use super::{csv_attachment, disclosure_param, path_id, semicolon_param, table_param};
use crate::error::{ApiError, ApiResult};
use crate::extract::{AnyUser, ApiPath, ApiQuery};
use crate::storage::{Actor, ReportData, Storage};
use crate::AppState;
use axum::extract::State;
use axum::response::IntoResponse;
use axum::Json;
use ethos_shared::api::Count;
use ethos_shared::codes::AuditAction;
use ethos_shared::count::CountStatus;
use ethos_shared::estimate::{Captures, NoEstimate, ReportEstimate, ReportWithEstimate, SourceBy};
use ethos_shared::record::{FieldError, FieldErrorCode};
use ethos_shared::report::{build, table_csv, Disclosure, Report, ReportInput};
use ethos_shared::review::Rehearsal;
use serde::Deserialize;
use uuid::Uuid;

#[derive(Deserialize)]
pub struct ReportQuery {
    disclosure: Option<String>,
    table: Option<String>,
    sep: Option<String>,
}

/// Builds the report of a count from what is stored now (the CLI uses this too): its counted
/// records, so nothing of a count in training.
pub async fn report_of(storage: &Storage, count_id: Uuid, disclosure: Disclosure) -> ApiResult<Report> {
    let stored = Stored::load(storage, count_id, false).await?;
    let report =
        tokio::task::spawn_blocking(move || stored.report(disclosure)).await.map_err(anyhow::Error::from)?;
    Ok(report)
}

/// As [`report_of`], but for a count in training its rehearsal: the report of its training
/// records, marked `"training": true` ("oefendata").
pub async fn rehearsed_report_of(
    storage: &Storage,
    count_id: Uuid,
    disclosure: Disclosure,
) -> ApiResult<Rehearsal<Report>> {
    let stored = Stored::load(storage, count_id, true).await?;
    let training = stored.training;
    let report =
        tokio::task::spawn_blocking(move || stored.report(disclosure)).await.map_err(anyhow::Error::from)?;
    Ok(Rehearsal { inner: report, training })
}

/// The report with its `estimate` member (by organisation type, under the report's disclosure,
/// from the same snapshot of the records), as `GET /api/v1/counts/{id}/report` answers it.
pub async fn report_with_estimate_of(
    storage: &Storage,
    count_id: Uuid,
    disclosure: Disclosure,
) -> ApiResult<ReportWithEstimate> {
    Ok(with_estimate(Stored::load(storage, count_id, false).await?, disclosure).await?.inner)
}

/// As [`report_with_estimate_of`], rehearsed for a count in training (see [`rehearsed_report_of`]).
pub async fn rehearsed_report_with_estimate_of(
    storage: &Storage,
    count_id: Uuid,
    disclosure: Disclosure,
) -> ApiResult<Rehearsal<ReportWithEstimate>> {
    with_estimate(Stored::load(storage, count_id, true).await?, disclosure).await
}

async fn with_estimate(stored: Stored, disclosure: Disclosure) -> ApiResult<Rehearsal<ReportWithEstimate>> {
    let training = stored.training;
    let answer = tokio::task::spawn_blocking(move || {
        let by = SourceBy::OrganisationType;
        let data = &stored.data;
        // Sources are the organisation types of the count's devices: with fewer than two, no
        // estimate is possible, so the captures' own pass over the persons is not paid for.
        let types: std::collections::HashSet<_> = data.organisations.iter().map(|(_, t)| t).collect();
        let estimate = if types.len() < 2 {
            ReportEstimate::NotPossible { by, not_possible: NoEstimate::TooFewSources }
        } else {
            let captures = Captures::of_records(&data.records, &data.decisions, &data.organisations, by);
            ReportEstimate::new(&captures, by, disclosure)
        };
        ReportWithEstimate { estimate, report: stored.report(disclosure) }
    })
    .await
    .map_err(anyhow::Error::from)?;
    Ok(Rehearsal { inner: answer, training })
}

/// What a report is made from, read in one go.
struct Stored {
    count: Count,
    data: ReportData,
    population: Vec<(String, u64)>,
    /// Made of the training records of a count in training.
    training: bool,
}

impl Stored {
    /// With `rehearse`, a count in training gives its training records.
    async fn load(storage: &Storage, count_id: Uuid, rehearse: bool) -> ApiResult<Stored> {
        let count = storage.get_count(count_id).await?.ok_or(ApiError::NotFound("count"))?;
        let training = rehearse && count.status == CountStatus::Training;
        let data = storage.review_data(count_id, training).await?;
        let population = storage.population(count_id).await?;
        Ok(Stored { count, data, population, training })
    }

    fn report(&self, disclosure: Disclosure) -> Report {
        build(ReportInput {
            count: self.count.clone(),
            records: &self.data.records,
            decisions: &self.data.decisions,
            organisations: &self.data.organisations,
            disclosure,
            generated_at: chrono::Utc::now(),
            population: &self.population,
        })
    }
}

pub async fn json(
    State(state): State<AppState>,
    _user: AnyUser,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> ApiResult<Json<Rehearsal<ReportWithEstimate>>> {
    let count_id = path_id(&id, "count")?;
    Ok(Json(
        rehearsed_report_with_estimate_of(
            &state.storage,
            count_id,
            disclosure_param(q.disclosure.as_deref())?,
        )
        .await?,
    ))
}

pub async fn csv(
    State(state): State<AppState>,
    AnyUser(user): AnyUser,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> ApiResult<impl IntoResponse> {
    let count_id = path_id(&id, "count")?;
    let disclosure = disclosure_param(q.disclosure.as_deref())?;
    let semicolon = semicolon_param(q.sep.as_deref())?;
    let table_id = table_param(q.table)?;
    let Rehearsal { inner: report, training } =
        rehearsed_report_of(&state.storage, count_id, disclosure).await?;
    let table = report
        .table(&table_id)
        .ok_or(ApiError::ValidationFailed(vec![FieldError::new("table", FieldErrorCode::InvalidValue)]))?;
    // Row labels can be typed text (organisation names): never a formula.
    let body =
        ethos_shared::csv_cell::guard_csv(&table_csv(table, semicolon), if semicolon { b';' } else { b',' });
    let (body, prefix) = if training { (training_mark(&body), "oefendata-") } else { (body, "") };
    state
        .storage
        .audit_alone(
            &Actor::User(user.username),
            AuditAction::ReportExport.as_str(),
            Some(count_id),
            serde_json::json!({ "table": table_id, "disclosure": disclosure.code(), "format": "csv" }),
        )
        .await?;
    Ok(csv_attachment(format!("{prefix}{table_id}-{}.csv", disclosure.code()), body))
}

/// The first line of a CSV made of training records (after the byte-order mark of the `;`
/// variant), so that it shows whenever the file is opened.
pub const TRAINING_CSV_LINE: &str = "OEFENDATA - oefentelling, geen echte cijfers (training data)";

fn training_mark(body: &str) -> String {
    let end = if body.contains("\r\n") { "\r\n" } else { "\n" };
    match body.strip_prefix('\u{feff}') {
        Some(rest) => format!("\u{feff}{TRAINING_CSV_LINE}{end}{rest}"),
        None => format!("{TRAINING_CSV_LINE}{end}{body}"),
    }
}
