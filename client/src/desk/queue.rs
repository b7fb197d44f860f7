//! Putting records made at the desk (the form, a spreadsheet) into the outbox: stored in one
//! go, kept durably, then a sync starts. A record the desk already holds is not stored twice:
//! the same content is `unchanged`, changed content becomes the next revision.

use crate::field::outbox::{Trigger, Upsert};
use crate::field::state::Ctx;
use crate::field::sync::run_sync;
use crate::platform;
use chrono::Utc;
use ethos_shared::record::Record;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// How many of the queued records were new, changed (the next revision) or unchanged.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Queued {
    pub new: usize,
    pub changed: usize,
    pub unchanged: usize,
}

/// Stores every record in the outbox under the desk's current enrolment, persists them in one
/// write, and starts a sync. Fails with `not_enrolled`, `other_tab` (another tab holds the
/// outbox) or the storage's error; after a storage error the records are in this page's
/// outbox but not on disk (the page shows the error, like the field app).
pub async fn queue_records(c: Ctx, records: Vec<Record>) -> Result<Queued, String> {
    let Some(device) = c.enrolment.with_untracked(|e| e.as_ref().map(|e| e.device_id)) else {
        return Err("not_enrolled".into());
    };
    if c.passive.get_untracked() {
        return Err("other_tab".into());
    }
    let now = Utc::now();
    let mut queued = Queued::default();
    let mut ids = Vec::new();
    c.outbox.update(|o| {
        for record in records {
            let id = record.id;
            match o.upsert(record, device, now) {
                Upsert::New => {
                    queued.new += 1;
                    ids.push(id);
                }
                Upsert::Changed => {
                    queued.changed += 1;
                    ids.push(id);
                }
                Upsert::Unchanged => queued.unchanged += 1,
            }
        }
    });
    if ids.is_empty() {
        return Ok(queued);
    }
    let entries: Vec<_> =
        c.outbox.with_untracked(|o| ids.iter().filter_map(|id| o.get(*id).cloned()).collect());
    if let Err(e) = platform::save_entries(&entries).await {
        c.storage_error.set(Some(e.clone()));
        return Err(e);
    }
    c.storage_error.set(None);
    spawn_local(run_sync(c, Trigger::Saved));
    Ok(queued)
}
