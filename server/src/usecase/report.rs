//! The baseline report of a count: built from what is stored now, with the estimate of the
//! hidden population, a count in training rehearsed on its training records; one table as CSV.

use super::estimate_memo::estimate_memo;
use super::{blocking, Result};
use crate::storage::{Actor, ReportData, Storage};
use ethos_shared::api::Count;
use ethos_shared::codes::AuditAction;
use ethos_shared::count::CountStatus;
use ethos_shared::estimate::{Captures, NoEstimate, ReportEstimate, ReportWithEstimate, SourceBy};
use ethos_shared::record::{FieldError, FieldErrorCode};
use ethos_shared::report::{build, table_csv, Disclosure, Report, ReportInput};
use ethos_shared::review::Rehearsal;
use uuid::Uuid;

/// The report of a count from what is stored now: its counted records, so nothing of a count
/// in training.
pub async fn report_of(storage: &Storage, count_id: Uuid, disclosure: Disclosure) -> Result<Report> {
    let stored = Stored::load(storage, count_id, false).await?;
    blocking(move || stored.report(disclosure)).await
}

/// As [`report_of`], but for a count in training its rehearsal: the report of its training
/// records, marked `"training": true` ("oefendata").
pub async fn rehearsed_report_of(
    storage: &Storage,
    count_id: Uuid,
    disclosure: Disclosure,
) -> Result<Rehearsal<Report>> {
    let stored = Stored::load(storage, count_id, true).await?;
    let training = stored.training;
    let report = blocking(move || stored.report(disclosure)).await?;
    Ok(Rehearsal { inner: report, training })
}

/// The report with its `estimate` member (by organisation type, under the report's disclosure,
/// from the same snapshot of the records), as `GET /api/v1/counts/{id}/report` answers it.
pub async fn report_with_estimate_of(
    storage: &Storage,
    count_id: Uuid,
    disclosure: Disclosure,
) -> Result<ReportWithEstimate> {
    Ok(with_estimate(Stored::load(storage, count_id, false).await?, disclosure).await?.inner)
}

/// As [`report_with_estimate_of`], rehearsed for a count in training (see [`rehearsed_report_of`]).
pub async fn rehearsed_report_with_estimate_of(
    storage: &Storage,
    count_id: Uuid,
    disclosure: Disclosure,
) -> Result<Rehearsal<ReportWithEstimate>> {
    with_estimate(Stored::load(storage, count_id, true).await?, disclosure).await
}

async fn with_estimate(stored: Stored, disclosure: Disclosure) -> Result<Rehearsal<ReportWithEstimate>> {
    let training = stored.training;
    let answer = blocking(move || {
        let by = SourceBy::OrganisationType;
        let data = &stored.data;
        // Sources are the organisation types of the count's devices: with fewer than two, no
        // estimate is possible, so the captures' own pass over the persons is not paid for.
        let types: std::collections::HashSet<_> = data.organisations.iter().map(|(_, t)| t).collect();
        let (report, estimate) = if types.len() < 2 {
            let estimate = ReportEstimate::NotPossible { by, not_possible: NoEstimate::TooFewSources };
            (stored.report(disclosure), estimate)
        } else {
            // The estimate and the tables read the same records: both at once.
            ethos_shared::parallel::join(
                || stored.report(disclosure),
                || {
                    let captures =
                        Captures::of_records(&data.records, &data.decisions, &data.organisations, by);
                    ReportEstimate::of(estimate_memo(captures, by, disclosure), by)
                },
            )
        };
        ReportWithEstimate { estimate, report }
    })
    .await?;
    Ok(Rehearsal { inner: answer, training })
}

/// One table of a count's (rehearsed) report as a CSV download, audited as an export.
pub struct TableCsv {
    /// Made of the table id, the disclosure and `oefendata-` for training data: no user text.
    pub filename: String,
    pub body: String,
}

/// The first line of a CSV made of training records (after the byte-order mark of the `;`
/// variant), so that it shows whenever the file is opened.
pub const TRAINING_CSV_LINE: &str = "OEFENDATA - oefentelling, geen echte cijfers (training data)";

/// `table` of the report of `count_id` as CSV (`;` and a byte-order mark with `semicolon`),
/// cells that could be formulas guarded; `Invalid` for a table the report does not have.
pub async fn table_csv_export(
    storage: &Storage,
    actor: &Actor,
    count_id: Uuid,
    disclosure: Disclosure,
    table_id: &str,
    semicolon: bool,
) -> Result<TableCsv> {
    let Rehearsal { inner: report, training } = rehearsed_report_of(storage, count_id, disclosure).await?;
    let table =
        report.table(table_id).ok_or_else(|| FieldError::new("table", FieldErrorCode::InvalidValue))?;
    // Row labels can be typed text (organisation names): never a formula.
    let body =
        ethos_shared::csv_cell::guard_csv(&table_csv(table, semicolon), if semicolon { b';' } else { b',' });
    let (body, prefix) = if training { (training_mark(&body), "oefendata-") } else { (body, "") };
    storage
        .audit_alone(
            actor,
            AuditAction::ReportExport,
            Some(count_id),
            serde_json::json!({ "table": table_id, "disclosure": disclosure.code(), "format": "csv" }),
        )
        .await?;
    Ok(TableCsv { filename: format!("{prefix}{table_id}-{}.csv", disclosure.code()), body })
}

fn training_mark(body: &str) -> String {
    let end = if body.contains("\r\n") { "\r\n" } else { "\n" };
    match body.strip_prefix('\u{feff}') {
        Some(rest) => format!("\u{feff}{TRAINING_CSV_LINE}{end}{rest}"),
        None => format!("{TRAINING_CSV_LINE}{end}{body}"),
    }
}

/// What a report is made from, read in one go.
struct Stored {
    count: Count,
    data: ReportData,
    population: Vec<(String, u64)>,
    /// Made of the training records of a count in training.
    training: bool,
}

impl Stored {
    /// With `rehearse`, a count in training gives its training records.
    async fn load(storage: &Storage, count_id: Uuid, rehearse: bool) -> Result<Stored> {
        let count = super::count(storage, count_id).await?;
        let training = rehearse && count.status == CountStatus::Training;
        let data = storage.review_data(count_id, training).await?;
        let population = storage.population(count_id).await?;
        Ok(Stored { count, data, population, training })
    }

    fn report(&self, disclosure: Disclosure) -> Report {
        build(ReportInput {
            count: self.count.clone(),
            records: &self.data.records,
            decisions: &self.data.decisions,
            organisations: &self.data.organisations,
            disclosure,
            generated_at: chrono::Utc::now(),
            population: &self.population,
        })
    }
}
