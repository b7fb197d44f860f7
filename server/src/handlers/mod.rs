//! HTTP handlers, one module per resource, named by verb. They extract the request and check
//! access (`extract.rs`), call a use case (`usecase/`) and shape the answer; they hold no SQL
//! and no domain rules.

pub mod accounts;
pub mod comparison;
pub mod counts;
pub mod dashboard;
pub mod desk_template;
pub mod devices;
pub mod duplicates;
pub mod estimate;
pub mod export;
pub mod health;
pub mod invites;
pub mod records;
pub mod report;
pub mod sync;
pub mod web;

use crate::error::ApiError;
use axum::http::header;
use axum::response::IntoResponse;
use ethos_shared::record::{FieldError, FieldErrorCode};
use ethos_shared::report::Disclosure;
use uuid::Uuid;

/// Parses an id from the path; a malformed id names nothing, so it is a 404.
pub(crate) fn path_id(raw: &str, what: &'static str) -> Result<Uuid, ApiError> {
    raw.parse().map_err(|_| ApiError::NotFound(what))
}

/// The `disclosure` query parameter: `public` unless `internal` is asked for.
pub(crate) fn disclosure_param(raw: Option<&str>) -> Result<Disclosure, ApiError> {
    match raw {
        None => Ok(Disclosure::Public),
        Some(d) => Disclosure::from_code(d).ok_or_else(|| ApiError::invalid("disclosure")),
    }
}

/// The `sep` query parameter of the CSV exports: `comma` (default) or `semicolon`.
pub(crate) fn semicolon_param(raw: Option<&str>) -> Result<bool, ApiError> {
    match raw {
        None | Some("comma") => Ok(false),
        Some("semicolon") => Ok(true),
        Some(_) => Err(ApiError::invalid("sep")),
    }
}

/// The `table` query parameter, required.
pub(crate) fn table_param(raw: Option<String>) -> Result<String, ApiError> {
    raw.ok_or(ApiError::ValidationFailed(vec![FieldError::new("table", FieldErrorCode::Missing)]))
}

/// A CSV download; `filename` must be made of known parts (table ids, uuids), not user text.
pub(crate) fn csv_attachment(filename: String, body: impl IntoResponse) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")),
        ],
        body,
    )
}
