//! The coordinator's view of records: keyset pages, CSV export, void and undo.

use super::path_id;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Coordinator};
use crate::storage::Actor;
use crate::AppState;
use axum::extract::State;
use axum::response::IntoResponse;
use axum::Json;
use ethos_shared::api::{RecordPage, StoredRecord, VoidRequest};
use ethos_shared::csv_cell;
use ethos_shared::record::{FieldError, FieldErrorCode, Origin};
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
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<RecordPage>> {
    let count_id = path_id(&id, "count")?;
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
    state.storage.get_count(count_id).await?.ok_or(ApiError::NotFound("count"))?;
    let items = state.storage.list_records(count_id, q.after.as_deref(), limit).await?;
    let next_after =
        if items.len() == limit as usize { items.last().map(|r| r.record.id.to_string()) } else { None };
    Ok(Json(RecordPage { items, next_after }))
}

/// The column names of the records CSV, in order.
const CSV_HEADER: [&str; 26] = [
    "id",
    "revision",
    "observed_at",
    "municipality",
    "living_situation",
    "conceptual_category",
    "origin_kind",
    "origin_code",
    "dedup_key",
    "age_band",
    "gender",
    "household",
    "children",
    "duration",
    "residence_status",
    "income",
    "care_needs",
    "previous_facility",
    "housing_need",
    "training",
    "device_id",
    "organisation",
    "received_at",
    "void_reason",
    "void_at",
    "void_by",
];

fn csv_row(s: &StoredRecord) -> Vec<String> {
    let r = &s.record;
    let p = &r.profile;
    let (origin_kind, origin_code) = match &r.origin {
        Origin::Municipality { code } => ("municipality", code.as_str().to_string()),
        Origin::Abroad => ("abroad", String::new()),
        Origin::Unknown => ("unknown", String::new()),
    };
    let children = match p.children {
        ethos_shared::profile::Children::Count(n) => n.to_string(),
        ethos_shared::profile::Children::Unknown => "unknown".into(),
    };
    vec![
        r.id.to_string(),
        r.revision.to_string(),
        r.observed_at.to_rfc3339(),
        r.municipality.as_str().into(),
        r.living_situation.code().into(),
        r.living_situation.conceptual_category().code().into(),
        origin_kind.into(),
        origin_code,
        r.dedup_key.as_ref().map(|k| k.as_str().to_string()).unwrap_or_default(),
        p.age_band.code().into(),
        p.gender.code().into(),
        p.household.code().into(),
        children,
        p.duration.code().into(),
        p.residence_status.code().into(),
        p.income.code().into(),
        p.care_needs.codes().join("|"),
        p.previous_facility.code().into(),
        p.housing_need.code().into(),
        r.training.to_string(),
        s.device_id.to_string(),
        s.organisation.clone(),
        s.received_at.to_rfc3339(),
        s.void.as_ref().map(|v| v.reason.clone()).unwrap_or_default(),
        s.void.as_ref().map(|v| v.at.to_rfc3339()).unwrap_or_default(),
        s.void.as_ref().map(|v| v.by.clone()).unwrap_or_default(),
    ]
}

/// `GET …/records.csv`: every record of the count (training and void included, marked).
/// The export is audited: the records leave the system's protection.
pub async fn csv(
    State(state): State<AppState>,
    Coordinator(user): Coordinator,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<impl IntoResponse> {
    let count_id = path_id(&id, "count")?;
    state.storage.get_count(count_id).await?.ok_or(ApiError::NotFound("count"))?;
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(CSV_HEADER).map_err(anyhow::Error::from)?;
    let mut after: Option<String> = None;
    let mut rows = 0usize;
    loop {
        let page = state.storage.list_records(count_id, after.as_deref(), MAX_PAGE).await?;
        for record in &page {
            // Organisation names and void reasons are typed text: never a formula.
            let row = csv_row(record);
            let cells: Vec<_> = row.iter().map(|cell| csv_cell::guard(cell)).collect();
            writer.write_record(cells.iter().map(|cell| cell.as_bytes())).map_err(anyhow::Error::from)?;
        }
        rows += page.len();
        if page.len() < MAX_PAGE as usize {
            break;
        }
        after = page.last().map(|r| r.record.id.to_string());
    }
    let body = writer.into_inner().map_err(|e| anyhow::anyhow!("csv: {e}"))?;
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
