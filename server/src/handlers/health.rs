use crate::error::ApiError;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use ethos_shared::api::Health;
use serde_json::json;

/// `GET /healthz`: 200 when the database answers and can be written; 503 otherwise, in the
/// error shape of api.md: `storage_read_only` (with `Retry-After`) when it can be read but not
/// written, `unavailable` when it does not answer at all.
pub async fn healthz(State(state): State<AppState>) -> Response {
    if !state.storage.ping().await {
        let body = json!({ "code": "unavailable", "message": "database does not answer" });
        return (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response();
    }
    if !state.storage.writable() {
        return ApiError::StorageReadOnly.into_response();
    }
    (StatusCode::OK, Json(Health { status: "ok".into() })).into_response()
}
