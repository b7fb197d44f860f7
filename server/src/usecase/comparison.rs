//! Comparison with an earlier count of the region (domain.md §6.6): both reports built with the
//! same disclosure, side by side with the change per figure.

use super::report::report_of;
use super::{Error, Result};
use crate::storage::{Actor, Storage};
use ethos_shared::codes::AuditAction;
use ethos_shared::comparison::{compare, is_earlier, table_change_csv, Comparison};
use ethos_shared::record::{FieldError, FieldErrorCode};
use ethos_shared::report::Disclosure;
use uuid::Uuid;

/// The `with` of a comparison: the id of an earlier count of `count_id` (`Invalid` when it is
/// missing, malformed or not earlier; `NotFound` for a count that does not exist).
pub async fn earlier(storage: &Storage, count_id: Uuid, with: Option<&str>) -> Result<Uuid> {
    let invalid = |code| Error::Invalid(vec![FieldError::new("with", code)]);
    let earlier_id = with.ok_or(invalid(FieldErrorCode::Missing))?;
    let earlier_id: Uuid = earlier_id.parse().map_err(|_| invalid(FieldErrorCode::InvalidValue))?;
    let count = super::count(storage, count_id).await?;
    let earlier = super::count(storage, earlier_id).await?;
    if !is_earlier(&count, &earlier) {
        return Err(invalid(FieldErrorCode::InvalidValue));
    }
    Ok(earlier_id)
}

/// The count `count_id` beside the earlier count named by `with`.
pub async fn comparison_of(
    storage: &Storage,
    count_id: Uuid,
    with: Option<&str>,
    disclosure: Disclosure,
) -> Result<Comparison> {
    let earlier_id = earlier(storage, count_id, with).await?;
    let now = report_of(storage, count_id, disclosure).await?;
    let before = report_of(storage, earlier_id, disclosure).await?;
    Ok(compare(&now, &before))
}

/// One table of a comparison as CSV, audited as an export: the file name and the body.
pub async fn table_csv_export(
    storage: &Storage,
    actor: &Actor,
    comparison: &Comparison,
    table_id: &str,
    semicolon: bool,
) -> Result<(String, String)> {
    let table = comparison
        .tables
        .iter()
        .find(|t| t.id == table_id)
        .ok_or_else(|| FieldError::new("table", FieldErrorCode::InvalidValue))?;
    let body = ethos_shared::csv_cell::guard_csv(
        &table_change_csv(table, semicolon),
        if semicolon { b';' } else { b',' },
    );
    let disclosure = comparison.disclosure.code();
    storage
        .audit_alone(
            actor,
            AuditAction::ReportExport,
            Some(comparison.count.id),
            serde_json::json!({
                "table": table_id, "disclosure": disclosure, "format": "csv",
                "comparison_with": comparison.earlier.id,
            }),
        )
        .await?;
    Ok((format!("{table_id}-comparison-{disclosure}.csv"), body))
}
