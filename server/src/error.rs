//! The one error type of the HTTP boundary. Every variant has a stable `code` (api.md
//! "Errors"); internal errors are logged with their cause and answered without it.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use ethos_shared::api::ErrorBody;
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

    pub fn code(&self) -> &'static str {
        match self {
            ApiError::InvalidJson(_) => "invalid_json",
            ApiError::UnsupportedMediaType => "unsupported_media_type",
            ApiError::PayloadTooLarge(_) => "payload_too_large",
            ApiError::ValidationFailed(_) => "validation_failed",
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::Forbidden => "forbidden",
            ApiError::NotFound(_) => "not_found",
            ApiError::MethodNotAllowed => "method_not_allowed",
            ApiError::InvalidTransition { .. } => "invalid_transition",
            ApiError::AlreadyExists(_) => "already_exists",
            ApiError::CountLocked => "count_locked",
            ApiError::InviteInvalid => "invite_invalid",
            ApiError::DeviceRevoked => "device_revoked",
            ApiError::EstimateNotPossible(_) => "estimate_not_possible",
            ApiError::TooManyRequests { .. } => "too_many_requests",
            ApiError::StorageBusy => "storage_busy",
            ApiError::StorageFull => "storage_full",
            ApiError::StorageReadOnly => "storage_read_only",
            ApiError::RequestTimeout => "request_timeout",
            ApiError::Internal(_) => "internal",
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

    /// A database error that is a condition of the storage, not a bug: the write lock held too
    /// long elsewhere (`SQLITE_BUSY`, `SQLITE_LOCKED`, or our own write connection not free in
    /// time), no room left (`SQLITE_FULL`, which SQLite also gives for a full disk) or a
    /// database that cannot be written (`SQLITE_READONLY`).
    fn storage_condition(e: &sqlx::Error) -> Option<ApiError> {
        if matches!(e, sqlx::Error::PoolTimedOut) {
            return Some(ApiError::StorageBusy);
        }
        // sqlx gives SQLite's extended result code; its low byte is the primary code.
        let code: i32 = e.as_database_error()?.code()?.parse().ok()?;
        match code & 0xff {
            5 | 6 => Some(ApiError::StorageBusy),
            13 => Some(ApiError::StorageFull),
            // SQLITE_READONLY: the file or its file system cannot be written.
            8 => Some(ApiError::StorageReadOnly),
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

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        ApiError::storage_condition(&e).unwrap_or_else(|| ApiError::Internal(e.into()))
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(e: anyhow::Error) -> Self {
        let condition =
            e.chain().find_map(|cause| cause.downcast_ref().and_then(ApiError::storage_condition));
        condition.unwrap_or(ApiError::Internal(e))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match &self {
            ApiError::Internal(cause) => tracing::error!(error = %format!("{cause:#}"), "internal error"),
            ApiError::StorageBusy | ApiError::StorageFull | ApiError::StorageReadOnly => {
                tracing::warn!(code = self.code(), "storage unavailable")
            }
            _ => {}
        }
        let body =
            ErrorBody { code: self.code().to_string(), message: self.to_string(), details: self.details() };
        let mut response = (self.status(), axum::Json(body)).into_response();
        if let Some(secs) = self.retry_after() {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, secs.into());
        }
        response
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
