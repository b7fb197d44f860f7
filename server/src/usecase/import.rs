//! `ethos import`: the records of a phone's exported queue go through the same rules as a sync
//! from the device that exported them (a resend is `unchanged`, a locked count rejects new
//! records, one bad record is rejected alone).

use super::{Error, Result};
use crate::storage::{Actor, Storage, StoreError};
use ethos_shared::api::{QueueExport, SyncResult, SyncStatus, MAX_SYNC_RECORDS};
use ethos_shared::codes::AuditAction;
use std::collections::BTreeMap;
use uuid::Uuid;

/// What an import did.
#[derive(Debug)]
pub struct Imported {
    pub device_id: Uuid,
    /// The organisation of the device's team code.
    pub organisation: String,
    pub records: usize,
    /// Records per status (`stored`, `unchanged`, …).
    pub tally: BTreeMap<String, usize>,
    /// The records in conflict or rejected, with their errors.
    pub problems: Vec<SyncResult>,
}

/// Imports `export` (each record still raw JSON, parsed on its own as in a sync), audited with
/// `source` (the file's name). `NotFound("device")` for a device this database does not know.
pub async fn import(
    storage: &Storage,
    export: QueueExport<serde_json::Value>,
    source: &str,
) -> Result<Imported> {
    let QueueExport { device_id, records } = export;
    let device = storage.device_by_id(device_id).await?.ok_or(Error::NotFound("device"))?;
    let mut tally: BTreeMap<String, usize> = BTreeMap::new();
    let mut problems = Vec::new();
    for chunk in records.chunks(MAX_SYNC_RECORDS) {
        let items = ethos_shared::sync::parse_batch(chunk);
        let results = match storage.sync_batch(&device, items, None, chrono::Utc::now()).await {
            Err(StoreError::NotFound) => return Err(Error::NotFound("count")),
            other => other?,
        };
        for r in results {
            *tally.entry(status_code(r.status).to_string()).or_default() += 1;
            if matches!(r.status, SyncStatus::Conflict | SyncStatus::Rejected) {
                problems.push(r);
            }
        }
    }
    storage
        .audit_alone(
            &Actor::Cli,
            AuditAction::RecordsImport,
            Some(device.count_id),
            serde_json::json!({ "device_id": device_id, "file": source, "result": &tally }),
        )
        .await?;
    Ok(Imported { device_id, organisation: device.organisation, records: records.len(), tally, problems })
}

fn status_code(status: SyncStatus) -> &'static str {
    match status {
        SyncStatus::Stored => "stored",
        SyncStatus::Unchanged => "unchanged",
        SyncStatus::Updated => "updated",
        SyncStatus::Conflict => "conflict",
        SyncStatus::Rejected => "rejected",
    }
}
