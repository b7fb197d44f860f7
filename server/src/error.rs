//! The one error type of the HTTP boundary. Every variant has a stable `code` (api.md
//! "Errors"); internal errors are logged with their cause and answered without it.

use crate::storage::{Conflict, StoreError};
use crate::usecase;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use ethos_shared::api::ErrorBody;
use ethos_shared::codes::ErrorCode;
use ethos_shared::record::FieldError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the body is not JSON.
    #[error("the body is not valid JSON: {0}")]
    InvalidJson(String),
    /// 415: the body is not sent as `application/json`.
    #[error("send the body as application/json")]
    UnsupportedMediaType,
    /// 413: over 1 MiB, or more than 500 records in one sync.
    #[error("{0}")]
    PayloadTooLarge(String),
    /// 422: fields with invalid values; `details.errors` lists them.
    #[error("the request has invalid fields")]
    ValidationFailed(Vec<FieldError>),
    /// 401: no, unknown or expired token, or wrong password.
    #[error("{0}")]
    Unauthorized(&'static str),
    /// 403: a valid token with the wrong role, or for another count.
    #[error("this account or device may not do this")]
    Forbidden,
    /// 404
    #[error("{0} not found")]
    NotFound(&'static str),
    /// 405: the path exists, the method does not.
    #[error("this method is not allowed here")]
    MethodNotAllowed,
    /// 409: a count status change the lifecycle does not allow.
    #[error("a count cannot go from {from} to {to}")]
    InvalidTransition { from: String, to: String },
    /// 409
    #[error("{0} already exists")]
    AlreadyExists(&'static str),
    /// 409: the count is locked and no longer allows this.
    #[error("the count is locked")]
    CountLocked,
    /// 403: unknown, expired or revoked team code, or its count is locked.
    #[error("this team code is not valid (unknown, expired, revoked, or the count is closed)")]
    InviteInvalid,
    /// 401: the device's team code was revoked.
    #[error("this device was revoked by the coordinator")]
    DeviceRevoked,
    /// 422: no estimate of the hidden population; `details.reason` says why.
    #[error("no estimate is possible: {0}")]
    EstimateNotPossible(ethos_shared::estimate::NoEstimate),
    /// 429
    #[error("too many failed attempts; try again in {retry_after_secs} seconds")]
    TooManyRequests { retry_after_secs: u64 },
    /// 503: another process held the database's write lock longer than the busy timeout.
    /// Nothing of the request was stored; send it again (`Retry-After`).
    #[error("the database is busy; nothing was stored, try again in {} seconds", Self::BUSY_RETRY_SECS)]
    StorageBusy,
    /// 503: the database or its disk is full. Nothing of the request was stored; the device keeps
    /// its records and its automatic retries wait `details.retry_after_secs` (as `Retry-After`)
    /// until an operator has made room.
    #[error("the server's storage is full; nothing was stored, try again later")]
    StorageFull,
    /// 503: the database cannot be written — its file belongs to another user (a restore as
    /// root) or its file system is read-only (a remount after disk errors). Nothing of the
    /// request was stored; reads still work. The device keeps its records and tries again
    /// after `details.retry_after_secs` (as `Retry-After`).
    #[error("the database cannot be written; nothing was stored, try again later")]
    StorageReadOnly,
    /// 408: the request's body did not arrive within the body timeout.
    #[error("the request body did not arrive in time")]
    RequestTimeout,
    /// 500: logged with its cause, answered without it.
    #[error("internal error")]
    Internal(anyhow::Error),
}

impl ApiError {
    /// 429 until `free_at`; the seconds are rounded up, so a client that waits exactly this
    /// long is let through.
    pub fn too_many_until(
        free_at: chrono::DateTime<chrono::Utc>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Self {
        let millis = (free_at - now).num_milliseconds();
        ApiError::TooManyRequests { retry_after_secs: (millis + 999).div_euclid(1000).max(1) as u64 }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::InvalidJson(_) => StatusCode::BAD_REQUEST,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::ValidationFailed(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::EstimateNotPossible(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unauthorized(_) | ApiError::DeviceRevoked => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden | ApiError::InviteInvalid => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::InvalidTransition { .. } | ApiError::AlreadyExists(_) | ApiError::CountLocked => {
                StatusCode::CONFLICT
            }
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::StorageBusy | ApiError::StorageFull | ApiError::StorageReadOnly => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            ApiError::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            ApiError::InvalidJson(_) => ErrorCode::InvalidJson,
            ApiError::UnsupportedMediaType => ErrorCode::UnsupportedMediaType,
            ApiError::PayloadTooLarge(_) => ErrorCode::PayloadTooLarge,
            ApiError::ValidationFailed(_) => ErrorCode::ValidationFailed,
            ApiError::Unauthorized(_) => ErrorCode::Unauthorized,
            ApiError::Forbidden => ErrorCode::Forbidden,
            ApiError::NotFound(_) => ErrorCode::NotFound,
            ApiError::MethodNotAllowed => ErrorCode::MethodNotAllowed,
            ApiError::InvalidTransition { .. } => ErrorCode::InvalidTransition,
            ApiError::AlreadyExists(_) => ErrorCode::AlreadyExists,
            ApiError::CountLocked => ErrorCode::CountLocked,
            ApiError::InviteInvalid => ErrorCode::InviteInvalid,
            ApiError::DeviceRevoked => ErrorCode::DeviceRevoked,
            ApiError::EstimateNotPossible(_) => ErrorCode::EstimateNotPossible,
            ApiError::TooManyRequests { .. } => ErrorCode::TooManyRequests,
            ApiError::StorageBusy => ErrorCode::StorageBusy,
            ApiError::StorageFull => ErrorCode::StorageFull,
            ApiError::StorageReadOnly => ErrorCode::StorageReadOnly,
            ApiError::RequestTimeout => ErrorCode::RequestTimeout,
            ApiError::Internal(_) => ErrorCode::Internal,
        }
    }

    const BUSY_RETRY_SECS: u64 = 5;
    const FULL_RETRY_SECS: u64 = 300;
    const READ_ONLY_RETRY_SECS: u64 = 60;

    /// The `Retry-After` of the answer, in seconds.
    fn retry_after(&self) -> Option<u64> {
        match self {
            ApiError::TooManyRequests { retry_after_secs } => Some(*retry_after_secs),
            ApiError::StorageBusy => Some(Self::BUSY_RETRY_SECS),
            ApiError::StorageFull => Some(Self::FULL_RETRY_SECS),
            ApiError::StorageReadOnly => Some(Self::READ_ONLY_RETRY_SECS),
            _ => None,
        }
    }

    /// A single invalid field, as a 422.
    pub fn invalid(field: &str) -> Self {
        ApiError::ValidationFailed(vec![FieldError::new(
            field,
            ethos_shared::record::FieldErrorCode::InvalidValue,
        )])
    }

    fn details(&self) -> Option<serde_json::Value> {
        match self {
            ApiError::ValidationFailed(errors) => Some(serde_json::json!({ "errors": errors })),
            ApiError::InvalidTransition { from, to } => Some(serde_json::json!({ "from": from, "to": to })),
            ApiError::TooManyRequests { .. }
            | ApiError::StorageBusy
            | ApiError::StorageFull
            | ApiError::StorageReadOnly => {
                Some(serde_json::json!({ "retry_after_secs": self.retry_after() }))
            }
            ApiError::EstimateNotPossible(reason) => Some(serde_json::json!({ "reason": reason.code() })),
            _ => None,
        }
    }
}

/// The storage's own conditions keep their answers: busy, full and read-only are 503 with
/// `Retry-After`; what is not there is a 404.
impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ApiError::NotFound("count"),
            StoreError::Busy => ApiError::StorageBusy,
            StoreError::Full => ApiError::StorageFull,
            StoreError::ReadOnly => ApiError::StorageReadOnly,
            StoreError::Conflict(Conflict::Transition { from, to }) => {
                ApiError::InvalidTransition { from: from.code().into(), to: to.code().into() }
            }
            StoreError::Conflict(Conflict::Locked) => ApiError::CountLocked,
            StoreError::Conflict(Conflict::Exists) => ApiError::AlreadyExists("it"),
            // A constraint the code did not expect to meet is a bug, not a request to change.
            StoreError::Conflict(c @ Conflict::Constraint) => ApiError::Internal(c.into()),
            StoreError::Other(e) => ApiError::Internal(e),
        }
    }
}

impl From<usecase::Error> for ApiError {
    fn from(e: usecase::Error) -> Self {
        match e {
            usecase::Error::NotFound(what) => ApiError::NotFound(what),
            usecase::Error::Invalid(errors) => ApiError::ValidationFailed(errors),
            usecase::Error::NotJson(message) => ApiError::InvalidJson(message),
            usecase::Error::TooManyRecords(max) => {
                ApiError::PayloadTooLarge(format!("at most {max} records per sync"))
            }
            usecase::Error::EstimateNotPossible(reason) => ApiError::EstimateNotPossible(reason),
            usecase::Error::TooManyAttempts { free_at } => {
                ApiError::too_many_until(free_at, chrono::Utc::now())
            }
            usecase::Error::InviteInvalid => ApiError::InviteInvalid,
            usecase::Error::DeviceRevoked => ApiError::DeviceRevoked,
            usecase::Error::Store(e) => e.into(),
        }
    }
}

/// Only for causes that are bugs (a task that panicked, a document that could not be built).
impl From<anyhow::Error> for ApiError {
    fn from(e: anyhow::Error) -> Self {
        ApiError::Internal(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match &self {
            ApiError::Internal(cause) => tracing::error!(error = %format!("{cause:#}"), "internal error"),
            ApiError::StorageBusy | ApiError::StorageFull | ApiError::StorageReadOnly => {
                tracing::warn!(code = self.code().as_str(), "storage unavailable")
            }
            _ => {}
        }
        let body = ErrorBody {
            code: self.code().as_str().to_string(),
            message: self.to_string(),
            details: self.details(),
        };
        let mut response = (self.status(), axum::Json(body)).into_response();
        if let Some(secs) = self.retry_after() {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, secs.into());
        }
        response
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
