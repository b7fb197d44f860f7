//! Field devices: enrolment with a team code, and the device's own count.

use super::accounts::client_addr;
use crate::error::ApiResult;
use crate::extract::{ApiJson, FieldDevice};
use crate::usecase;
use crate::AppState;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use chrono::Utc;
use ethos_shared::api::{Count, EnrollRequest, EnrollResponse};
use std::net::SocketAddr;

pub async fn enroll(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<EnrollRequest>,
) -> ApiResult<(StatusCode, Json<EnrollResponse>)> {
    let client = client_addr(addr, &headers, state.tuning.trust_forwarded_for).to_string();
    let label = req.device_label.as_deref();
    let window = state.tuning.login_window;
    let enrolled =
        usecase::enrol::enrol(&state.storage, &client, &req.code, label, window, Utc::now()).await?;
    Ok((StatusCode::CREATED, Json(enrolled)))
}

pub async fn own_count(
    State(state): State<AppState>,
    FieldDevice(device): FieldDevice,
) -> ApiResult<Json<Count>> {
    Ok(Json(crate::usecase::count(&state.storage, device.count_id).await?))
}
