//! HTTP handlers, one module per resource, named by verb. They check input and access, call
//! the storage layer and shape the answer; they hold no SQL and no domain rules.

pub mod accounts;
pub mod comparison;
pub mod counts;
pub mod dashboard;
pub mod devices;
pub mod duplicates;
pub mod estimate;
pub mod health;
pub mod invites;
pub mod records;
pub mod report;
pub mod sync;
pub mod web;

use crate::error::ApiError;
use ethos_shared::report::Disclosure;
use uuid::Uuid;

/// Parses an id from the path; a malformed id names nothing, so it is a 404.
pub(crate) fn path_id(raw: &str, what: &'static str) -> Result<Uuid, ApiError> {
    raw.parse().map_err(|_| ApiError::NotFound(what))
}

/// Trims a required text field and checks its length.
pub(crate) fn required_text(value: &str, field: &str, max_chars: usize) -> Result<String, ApiError> {
    let trimmed = value.trim();
    if trimmed.is_empty() || trimmed.chars().count() > max_chars || trimmed.chars().any(char::is_control) {
        return Err(ApiError::invalid(field));
    }
    Ok(trimmed.to_string())
}

/// The `disclosure` query parameter: `public` unless `internal` is asked for.
pub(crate) fn disclosure_param(raw: Option<&str>) -> Result<Disclosure, ApiError> {
    match raw {
        None => Ok(Disclosure::Public),
        Some(d) => Disclosure::from_code(d).ok_or_else(|| ApiError::invalid("disclosure")),
    }
}
