//! What a policy writer takes away: the summary (`GET …/summary`), and the whole report as a
//! Word file (`…/report.docx`) and an Excel workbook (`…/report.xlsx`), each under the chosen
//! disclosure and, with `with={earlier}`, with the comparison with an earlier count. The files
//! are audited as exports, as the CSV tables are.

mod chart;
mod content;
mod docx;
mod xlsx;

use super::comparison::earlier_param;
use super::disclosure_param;
use super::report::{report_of, report_with_estimate_of};
use crate::error::{ApiError, ApiResult};
use crate::extract::{AnyUser, ApiQuery, CountPath};
use crate::storage::Actor;
use crate::AppState;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::Json;
use ethos_shared::codes::AuditAction;
use ethos_shared::comparison::{compare, Comparison};
use ethos_shared::report::{Disclosure, Report};
use ethos_shared::summary::{summary, EstimateMember, Summary};
use ethos_shared::Lang;
use serde::Deserialize;
use uuid::Uuid;

#[derive(Deserialize)]
pub struct ExportQuery {
    disclosure: Option<String>,
    lang: Option<String>,
    with: Option<String>,
}

/// The `lang` parameter: `nl` (default) or `en`.
fn lang_param(raw: Option<&str>) -> ApiResult<Lang> {
    match raw {
        None | Some("nl") => Ok(Lang::Nl),
        Some("en") => Ok(Lang::En),
        Some(_) => Err(ApiError::invalid("lang")),
    }
}

/// Everything a download holds: the report, its summary and, if asked, the comparison.
pub(crate) struct Contents {
    pub report: Report,
    pub summary: Summary,
    pub comparison: Option<Comparison>,
}

async fn contents(state: &AppState, count_id: Uuid, q: &ExportQuery, lang: Lang) -> ApiResult<Contents> {
    let disclosure = disclosure_param(q.disclosure.as_deref())?;
    let earlier = match q.with.as_deref() {
        Some(with) => Some(earlier_param(state, count_id, Some(with)).await?),
        None => None,
    };
    let answer = report_with_estimate_of(&state.storage, count_id, disclosure).await?;
    let estimate = serde_json::to_value(&answer.estimate).map_err(anyhow::Error::from)?;
    let summary = summary(&answer.report, &EstimateMember::of_json(Some(&estimate)), lang);
    let comparison = match earlier {
        Some(earlier) => {
            Some(compare(&answer.report, &report_of(&state.storage, earlier, disclosure).await?))
        }
        None => None,
    };
    Ok(Contents { report: answer.report, summary, comparison })
}

/// `GET /api/v1/counts/{id}/summary?disclosure=…&lang=nl|en` (coordinator, analyst).
pub async fn summary_json(
    State(state): State<AppState>,
    _user: AnyUser,
    CountPath(count): CountPath,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> ApiResult<Json<Summary>> {
    let count_id = count.id;
    let lang = lang_param(q.lang.as_deref())?;
    let q = ExportQuery { with: None, ..q };
    Ok(Json(contents(&state, count_id, &q, lang).await?.summary))
}

/// The two file formats of the whole report.
#[derive(Clone, Copy)]
enum Format {
    Docx,
    Xlsx,
}

impl Format {
    fn extension(self) -> &'static str {
        match self {
            Format::Docx => "docx",
            Format::Xlsx => "xlsx",
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            Format::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

/// `GET /api/v1/counts/{id}/report.docx?disclosure=…[&with=…][&lang=…]`.
pub async fn report_docx(
    state: State<AppState>,
    user: AnyUser,
    count: CountPath,
    q: ApiQuery<ExportQuery>,
) -> ApiResult<impl IntoResponse> {
    download(state, user, count, q, Format::Docx).await
}

/// `GET /api/v1/counts/{id}/report.xlsx?disclosure=…[&with=…][&lang=…]`.
pub async fn report_xlsx(
    state: State<AppState>,
    user: AnyUser,
    count: CountPath,
    q: ApiQuery<ExportQuery>,
) -> ApiResult<impl IntoResponse> {
    download(state, user, count, q, Format::Xlsx).await
}

async fn download(
    State(state): State<AppState>,
    AnyUser(user): AnyUser,
    CountPath(count): CountPath,
    ApiQuery(q): ApiQuery<ExportQuery>,
    format: Format,
) -> ApiResult<impl IntoResponse> {
    let count_id = count.id;
    let lang = lang_param(q.lang.as_deref())?;
    let contents = contents(&state, count_id, &q, lang).await?;
    let disclosure: Disclosure = contents.report.disclosure;
    let earlier = contents.comparison.as_ref().map(|c| c.earlier.id);
    let body = tokio::task::spawn_blocking(move || match format {
        Format::Docx => docx::document(&contents),
        Format::Xlsx => xlsx::workbook(&contents),
    })
    .await
    .map_err(anyhow::Error::from)??;
    let mut details = serde_json::json!({ "disclosure": disclosure.code(), "format": format.extension() });
    if let Some(earlier) = earlier {
        details["comparison_with"] = serde_json::json!(earlier);
    }
    state
        .storage
        .audit_alone(&Actor::User(user.username), AuditAction::ReportExport, Some(count_id), details)
        .await?;
    let filename = format!("rapport-{count_id}-{}.{}", disclosure.code(), format.extension());
    Ok((
        [
            (header::CONTENT_TYPE, format.content_type().to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")),
        ],
        body,
    ))
}
