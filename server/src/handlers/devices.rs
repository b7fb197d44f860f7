//! Field devices: enrolment with a team code, and the device's own count.

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, FieldDevice};
use crate::secrets::{new_token, normalise_team_code, token_hash};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::Utc;
use ethos_shared::api::{Count, EnrollRequest, EnrollResponse};

pub async fn enroll(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<EnrollRequest>,
) -> ApiResult<(StatusCode, Json<EnrollResponse>)> {
    let code = normalise_team_code(&req.code);
    let label = req
        .device_label
        .as_deref()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| l.chars().take(100).collect::<String>());
    let token = new_token();
    let enrolled = state.storage.enroll(&code, &token_hash(&token), label.as_deref(), Utc::now()).await?;
    let (device_id, count, organisation, dedup_secret) = enrolled.ok_or(ApiError::InviteInvalid)?;
    tracing::info!(%device_id, count = %count.id, "device enrolled");
    Ok((
        StatusCode::CREATED,
        Json(EnrollResponse { device_token: token, device_id, count, organisation, dedup_secret }),
    ))
}

pub async fn own_count(
    State(state): State<AppState>,
    FieldDevice(device): FieldDevice,
) -> ApiResult<Json<Count>> {
    state.storage.get_count(device.count_id).await?.map(Json).ok_or(ApiError::NotFound("count"))
}
