//! Login and logout of coordinators and analysts.

use crate::error::{ApiError, ApiResult};
use crate::extract::{bearer, AnyUser, ApiJson};
use crate::secrets::{new_token, token_hash, verify_password};
use crate::AppState;
use axum::extract::{ConnectInfo, State};
use axum::http::HeaderMap;
use axum::http::StatusCode;
use axum::Json;
use chrono::{Duration, Utc};
use ethos_shared::api::{LoginRequest, LoginResponse};
use std::net::SocketAddr;
use std::sync::OnceLock;

/// How long a session lives.
pub fn session_lifetime() -> Duration {
    Duration::hours(12)
}
/// Failed logins per username or client address within `FAILURE_WINDOW` before 429.
const MAX_FAILURES: i64 = 5;
fn failure_window() -> Duration {
    Duration::minutes(15)
}

/// A hash to verify against when the username does not exist, so that a wrong username
/// takes as long as a wrong password and does not reveal which accounts exist.
fn dummy_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| crate::secrets::hash_password("not a real password").unwrap_or_default())
}

pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult<Json<LoginResponse>> {
    let now = Utc::now();
    let client = addr.ip().to_string();
    let (failures, oldest) =
        state.storage.login_failures_since(&req.username, &client, now - failure_window()).await?;
    if failures >= MAX_FAILURES {
        let free_at = oldest.unwrap_or(now) + failure_window();
        return Err(ApiError::TooManyRequests {
            retry_after_secs: (free_at - now).num_seconds().max(1) as u64,
        });
    }
    let found = state.storage.user_for_login(&req.username).await?;
    let hash = found.as_ref().map(|(_, h)| h.clone()).unwrap_or_else(|| dummy_hash().to_string());
    let password = req.password;
    let ok = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .map_err(anyhow::Error::from)?;
    match found {
        Some((user, _)) if ok => {
            let token = new_token();
            let expires_at = now + session_lifetime();
            state.storage.create_session(&token_hash(&token), &user, expires_at).await?;
            tracing::info!(user = %user.username, "login");
            Ok(Json(LoginResponse { token, role: user.role, expires_at }))
        }
        _ => {
            state.storage.add_login_failure(&req.username, &client, now).await?;
            tracing::warn!(client = %client, "failed login");
            Err(ApiError::Unauthorized("wrong username or password"))
        }
    }
}

pub async fn logout(
    State(state): State<AppState>,
    AnyUser(user): AnyUser,
    headers: HeaderMap,
) -> ApiResult<StatusCode> {
    let token = bearer(&headers).ok_or(ApiError::Unauthorized("log in first"))?;
    state.storage.delete_session(&token_hash(token), &user).await?;
    Ok(StatusCode::NO_CONTENT)
}
