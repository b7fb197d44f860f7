//! The coordinator's view of records: keyset pages, CSV export, void and undo.

use super::path_id;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Coordinator, CountPath};
use crate::storage::Actor;
use crate::AppState;
use axum::extract::State;
use axum::response::IntoResponse;
use axum::Json;
use ethos_shared::api::{RecordPage, StoredRecord, VoidRequest};
use ethos_shared::record::{FieldError, FieldErrorCode};
use ethos_shared::records_csv;
use serde::Deserialize;

const MAX_PAGE: u32 = 1000;

#[derive(Deserialize)]
pub struct PageQuery {
    limit: Option<String>,
    after: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    _user: Coordinator,
    CountPath(count): CountPath,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<RecordPage>> {
    let count_id = count.id;
    let limit = match q.limit.as_deref() {
        None => 100,
        Some(raw) => match raw.parse::<u32>() {
            Ok(n) if (1..=MAX_PAGE).contains(&n) => n,
            _ => {
                return Err(ApiError::ValidationFailed(vec![FieldError::new(
                    "limit",
                    FieldErrorCode::InvalidValue,
                )]))
            }
        },
    };
    let items = state.storage.list_records(count_id, q.after.as_deref(), limit).await?;
    let next_after =
        if items.len() == limit as usize { items.last().map(|r| r.record.id.to_string()) } else { None };
    Ok(Json(RecordPage { items, next_after }))
}

/// `GET …/records.csv`: every record of the count (training and void included, marked).
/// The export is audited: the records leave the system's protection.
pub async fn csv(
    State(state): State<AppState>,
    Coordinator(user): Coordinator,
    CountPath(count): CountPath,
) -> ApiResult<impl IntoResponse> {
    let count_id = count.id;
    let mut writer = records_csv::Writer::new().map_err(anyhow::Error::from)?;
    let mut after: Option<String> = None;
    loop {
        let page = state.storage.list_records(count_id, after.as_deref(), MAX_PAGE).await?;
        for record in &page {
            writer.push(record).map_err(anyhow::Error::from)?;
        }
        if page.len() < MAX_PAGE as usize {
            break;
        }
        after = page.last().map(|r| r.record.id.to_string());
    }
    let rows = writer.rows();
    let body = writer.finish().map_err(|e| anyhow::anyhow!("csv: {e}"))?;
    state
        .storage
        .audit_alone(
            &Actor::User(user.username),
            ethos_shared::codes::AuditAction::RecordsExport,
            Some(count_id),
            serde_json::json!({ "format": "csv", "rows": rows }),
        )
        .await?;
    Ok(super::csv_attachment(format!("records-{count_id}.csv"), body))
}

pub async fn void(
    State(state): State<AppState>,
    Coordinator(user): Coordinator,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<VoidRequest>,
) -> ApiResult<Json<StoredRecord>> {
    let id = path_id(&id, "record")?;
    let reason =
        ethos_shared::input::void_reason(&req.reason).map_err(|e| ApiError::ValidationFailed(vec![e]))?;
    state.storage.set_void(id, Some(&reason), &user).await?.map(Json).ok_or(ApiError::NotFound("record"))
}

pub async fn unvoid(
    State(state): State<AppState>,
    Coordinator(user): Coordinator,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<StoredRecord>> {
    let id = path_id(&id, "record")?;
    state.storage.set_void(id, None, &user).await?.map(Json).ok_or(ApiError::NotFound("record"))
}
