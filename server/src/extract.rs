//! Request extractors: JSON bodies that fail in our own error shape, and who is asking.

use crate::error::ApiError;
use crate::secrets::token_hash;
use crate::storage::{Device, User};
use crate::usecase;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use ethos_shared::api::{Count, Role};
use ethos_shared::record::{FieldError, FieldErrorCode};
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use uuid::Uuid;

/// The body of a JSON request, unread: checks the content type (415) and the size (413). Sync
/// reads its records from the text itself (`ethos_shared::sync::read_sync_body`).
pub struct JsonBytes(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for JsonBytes {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        if !is_json(req.headers()) {
            return Err(ApiError::UnsupportedMediaType);
        }
        Bytes::from_request(req, state).await.map(JsonBytes).map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge("the body is larger than 1 MiB".into())
            } else {
                ApiError::InvalidJson(rejection.body_text())
            }
        })
    }
}

/// The body as a JSON value: [`JsonBytes`], then the syntax (400).
pub struct JsonValue(pub serde_json::Value);

impl<S: Send + Sync> FromRequest<S> for JsonValue {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let JsonBytes(bytes) = JsonBytes::from_request(req, state).await?;
        serde_json::from_slice(&bytes).map(JsonValue).map_err(|e| ApiError::InvalidJson(e.to_string()))
    }
}

/// A typed JSON body. A value of the wrong shape is a 422 naming the field.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let JsonValue(value) = JsonValue::from_request(req, state).await?;
        serde_path_to_error::deserialize(value).map(ApiJson).map_err(|e| {
            let path = e.path().to_string();
            let message = e.inner().to_string();
            let (field, code) = match message.strip_prefix("missing field `") {
                Some(rest) => {
                    let name = rest.split('`').next().unwrap_or_default();
                    let field = if path == "." { name.to_string() } else { format!("{path}.{name}") };
                    (field, FieldErrorCode::Missing)
                }
                None => (if path == "." { "body".into() } else { path }, FieldErrorCode::InvalidValue),
            };
            ApiError::ValidationFailed(vec![FieldError::new(field, code)])
        })
    }
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|mime| {
            let mime = mime.trim().to_ascii_lowercase();
            mime == "application/json" || mime.ends_with("+json")
        })
        .unwrap_or(false)
}

/// The bearer token of the request, if any.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim()).filter(|t| !t.is_empty())
}

/// Who sent the request.
pub enum Principal {
    User(User),
    Device(Device),
}

async fn principal(parts: &Parts, state: &AppState) -> Result<Principal, ApiError> {
    let token = bearer(&parts.headers).ok_or(ApiError::Unauthorized("log in first"))?;
    let hash = token_hash(token);
    if let Some(user) = state.storage.user_by_token(&hash, chrono::Utc::now()).await? {
        return Ok(Principal::User(user));
    }
    match state.storage.device_by_token(&hash).await? {
        Some(device) if device.revoked => Err(ApiError::DeviceRevoked),
        Some(device) => Ok(Principal::Device(device)),
        None => Err(ApiError::Unauthorized("unknown or expired token")),
    }
}

/// A logged-in coordinator or analyst.
pub struct AnyUser(pub User);

impl FromRequestParts<AppState> for AnyUser {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match principal(parts, state).await? {
            Principal::User(user) => Ok(AnyUser(user)),
            Principal::Device(_) => Err(ApiError::Forbidden),
        }
    }
}

/// A logged-in coordinator.
pub struct Coordinator(pub User);

impl FromRequestParts<AppState> for Coordinator {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let AnyUser(user) = AnyUser::from_request_parts(parts, state).await?;
        if user.role == Role::Coordinator {
            Ok(Coordinator(user))
        } else {
            Err(ApiError::Forbidden)
        }
    }
}

/// An enrolled device whose team code has not been revoked.
pub struct FieldDevice(pub Device);

impl FromRequestParts<AppState> for FieldDevice {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match principal(parts, state).await? {
            Principal::Device(device) => Ok(FieldDevice(device)),
            Principal::User(_) => Err(ApiError::Forbidden),
        }
    }
}

/// A path parameter; a malformed one (e.g. not UTF-8) names nothing, so it is a 404 in our shape.
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| ApiPath(p.0))
            .map_err(|_| ApiError::NotFound("route"))
    }
}

/// Query parameters; a malformed query string (e.g. a repeated key) is a 422 in our shape.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Query::<T>::from_request_parts(parts, state).await.map(|q| ApiQuery(q.0)).map_err(
            |_| ApiError::ValidationFailed(vec![FieldError::new("query", FieldErrorCode::InvalidValue)]),
        )
    }
}

/// The existing count named by the path's `{id}`: a malformed id or a count that does not exist
/// is a 404 `not_found`. Put it after the access extractor, so that who may ask is checked
/// first (401/403 before 404).
pub struct CountPath(pub Count);

impl FromRequestParts<AppState> for CountPath {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let ApiPath(params) = ApiPath::<HashMap<String, String>>::from_request_parts(parts, state).await?;
        let id =
            params.get("id").and_then(|id| id.parse::<Uuid>().ok()).ok_or(ApiError::NotFound("count"))?;
        Ok(CountPath(usecase::count(&state.storage, id).await?))
    }
}
