//! HTTP handlers, one module per resource, named by verb. They check input and access, call
//! the storage layer and shape the answer; they hold no SQL and no domain rules.

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

/// Trims a required text field and checks its length.
pub(crate) fn required_text(value: &str, field: &str, max_chars: usize) -> Result<String, ApiError> {
    let trimmed = value.trim();
    if trimmed.is_empty() || trimmed.chars().count() > max_chars || trimmed.chars().any(is_control_or_bidi) {
        return Err(ApiError::invalid(field));
    }
    Ok(trimmed.to_string())
}

/// Control characters (C0, DEL, C1) and the invisible marks that reorder text (bidi embeddings,
/// overrides and isolates, e.g. U+202E): typed text may hold none of them.
fn is_control_or_bidi(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
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
