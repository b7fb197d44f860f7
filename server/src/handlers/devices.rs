//! Field devices: enrolment with a team code, and the device's own count.

use super::accounts::client_addr;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, FieldDevice};
use crate::secrets::{new_token, normalise_team_code, token_hash};
use crate::AppState;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use chrono::Utc;
use ethos_shared::api::{Count, EnrollRequest, EnrollResponse};
use ethos_shared::input;
use std::net::SocketAddr;

/// Wrong team codes per client address within the login window before 429. Generous, because
/// a shelter's Wi-Fi or a carrier's NAT puts many phones behind one address on count night;
/// guessing is still hopeless (a code has about 38 bits: 30 tries per 15 minutes).
const MAX_FAILURES: i64 = 30;

pub async fn enroll(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<EnrollRequest>,
) -> ApiResult<(StatusCode, Json<EnrollResponse>)> {
    let now = Utc::now();
    let window = state.tuning.login_window;
    let client = client_addr(addr, &headers, state.tuning.trust_forwarded_for).to_string();
    let (failures, oldest) = state.storage.enrol_failures_since(&client, now - window).await?;
    if failures >= MAX_FAILURES {
        let free_at = oldest.unwrap_or(now) + window;
        return Err(ApiError::too_many_until(free_at, now));
    }
    // A label longer than 100 characters is shortened; control characters (NUL, BEL, bidi
    // overrides that would turn the console's text around) are refused, as in other text.
    let label =
        input::device_label(req.device_label.as_deref()).map_err(|e| ApiError::ValidationFailed(vec![e]))?;
    let code = normalise_team_code(&req.code);
    let token = new_token();
    let enrolled = state.storage.enroll(&code, &token_hash(&token), label.as_deref(), now).await?;
    let Some((device_id, count, organisation, dedup_secret)) = enrolled else {
        state.storage.add_enrol_failure(&client, now).await?;
        tracing::warn!(client = %client, "enrolment with an invalid team code");
        return Err(ApiError::InviteInvalid);
    };
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
    Ok(Json(crate::usecase::count(&state.storage, device.count_id).await?))
}
