//! Login and logout of coordinators and analysts.

use crate::error::{ApiError, ApiResult};
use crate::extract::{bearer, AnyUser, ApiJson};
use crate::secrets::{new_token, token_hash, verify_password};
use crate::storage::LoginAttempt;
use crate::AppState;
use axum::extract::{ConnectInfo, State};
use axum::http::HeaderMap;
use axum::http::StatusCode;
use axum::Json;
use chrono::Utc;
use ethos_shared::api::{LoginRequest, LoginResponse};
use std::net::{IpAddr, SocketAddr};
use std::sync::OnceLock;

/// Failed logins per username or client address within the window (`Tuning::login_window`)
/// before 429. The session lifetime is `Tuning::session_lifetime`.
const MAX_FAILURES: i64 = 5;

/// The longest username a login may carry, in bytes (UTF-8). Longer ones are refused with 422
/// before anything is stored: no account has such a name.
pub const MAX_USERNAME_BYTES: usize = 256;

/// The address the rate limit counts: the connecting one, or, when the operator trusts the
/// reverse proxy, the last `X-Forwarded-For` entry (the one the proxy appended; entries before
/// it are whatever the client sent). Falls back to the connecting address if that is no address.
pub(crate) fn client_addr(peer: SocketAddr, headers: &HeaderMap, trust_forwarded_for: bool) -> IpAddr {
    let forwarded = || {
        let last_header = headers.get_all("x-forwarded-for").iter().next_back()?;
        last_header.to_str().ok()?.rsplit(',').next()?.trim().parse::<IpAddr>().ok()
    };
    trust_forwarded_for.then(forwarded).flatten().unwrap_or(peer.ip())
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
    headers: HeaderMap,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult<Json<LoginResponse>> {
    if req.username.len() > MAX_USERNAME_BYTES {
        // Refused before anything is stored or checked.
        return Err(ApiError::invalid("username"));
    }
    let now = Utc::now();
    let window = state.tuning.login_window;
    let client = client_addr(addr, &headers, state.tuning.trust_forwarded_for).to_string();
    // Counted as a failure while the password is checked: parallel attempts cannot all get
    // past the limit while the (slow) checks run.
    let reservation =
        match state.storage.reserve_login_attempt(&req.username, &client, now, window, MAX_FAILURES).await? {
            LoginAttempt::Reserved(reservation) => reservation,
            LoginAttempt::Refused { free_at } => return Err(ApiError::too_many_until(free_at, now)),
        };
    let found = state.storage.user_for_login(&req.username).await?;
    let hash = found.as_ref().map(|(_, h)| h.clone()).unwrap_or_else(|| dummy_hash().to_string());
    let password = req.password;
    let ok = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .map_err(anyhow::Error::from)?;
    match found {
        Some((user, _)) if ok => {
            let token = new_token();
            // From now, after the (slow) check: the session lives its whole lifetime.
            let expires_at = Utc::now() + state.tuning.session_lifetime;
            state.storage.create_session(&token_hash(&token), &user, expires_at).await?;
            drop(reservation);
            tracing::info!(user = %user.username, "login");
            Ok(Json(LoginResponse { token, role: user.role, expires_at }))
        }
        found => {
            let account = found.as_ref().map(|(user, _)| user.username.as_str());
            state.storage.confirm_login_failure(reservation, account, &client, now).await?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_forwarded_address_counts_only_when_trusted_and_only_the_last_entry() {
        let peer = SocketAddr::from(([10, 0, 0, 1], 40000));
        let mut headers = HeaderMap::new();
        headers.append("x-forwarded-for", "6.6.6.6, 203.0.113.7".parse().expect("a header value"));
        assert_eq!(client_addr(peer, &headers, false), peer.ip());
        assert_eq!(client_addr(peer, &headers, true), "203.0.113.7".parse::<IpAddr>().expect("an address"));
        headers.append("x-forwarded-for", " 2001:db8::1 ".parse().expect("a header value"));
        assert_eq!(client_addr(peer, &headers, true), "2001:db8::1".parse::<IpAddr>().expect("an address"));
        let mut bad = HeaderMap::new();
        bad.insert("x-forwarded-for", "not an address".parse().expect("a header value"));
        assert_eq!(client_addr(peer, &bad, true), peer.ip(), "garbage falls back to the peer");
        assert_eq!(client_addr(peer, &HeaderMap::new(), true), peer.ip());
    }
}
