//! A group's transaction as the sync writer (`sync_write`) fills it: each job's records judged
//! in order, a piece at a time, each seeing what the earlier ones stored, and what a job
//! changed undone when its request stops before its end mark.

use super::sync_job::{Incoming, Item};
use super::sync_sql::{self, AuditRow, DeviceContact, Write, WriteKind};
use super::StoreResult;
use chrono::{DateTime, Utc};
use ethos_shared::api::{SyncResult, SyncStatus};
use ethos_shared::codes::AuditAction;
use ethos_shared::sync::{decide, CountState, Held, Outcome};
use std::collections::HashMap;
use uuid::Uuid;

/// Counts of the statuses of one job, for its `sync` audit entry.
#[derive(Default)]
pub(super) struct Tally {
    pub(super) stored: usize,
    pub(super) unchanged: usize,
    pub(super) updated: usize,
    pub(super) conflict: usize,
    pub(super) rejected: usize,
}

impl Tally {
    fn add(&mut self, status: SyncStatus) {
        match status {
            SyncStatus::Stored => self.stored += 1,
            SyncStatus::Unchanged => self.unchanged += 1,
            SyncStatus::Updated => self.updated += 1,
            SyncStatus::Conflict => self.conflict += 1,
            SyncStatus::Rejected => self.rejected += 1,
        }
    }
}

/// One job's part of a group's transaction.
pub(super) struct JobSync {
    pub(super) device: Uuid,
    pub(super) count_id: Uuid,
    pub(super) count: CountState,
    pub(super) now: DateTime<Utc>,
    pub(super) received_at: String,
    pub(super) results: Vec<SyncResult>,
    pub(super) tally: Tally,
}

/// What a group's transaction knows and has gathered so far.
#[derive(Default)]
pub(super) struct Group {
    /// What is held under each id met in the group, as the group has left it.
    held: HashMap<Uuid, Held>,
    /// What each change of `held` by the current job replaced, to undo the job.
    replaced: Vec<(Uuid, Option<Held>)>,
    pub(super) audit: Vec<AuditRow>,
    pub(super) contacts: HashMap<Uuid, DeviceContact>,
}

/// Where a job began in a [`Group`].
pub(super) struct Mark {
    audit: usize,
}

impl Group {
    /// The start of a job, to [`Group::undo`] it.
    pub(super) fn mark(&mut self) -> Mark {
        self.replaced.clear();
        Mark { audit: self.audit.len() }
    }

    /// Forgets what the job since `mark` changed (its rows are rolled back).
    pub(super) fn undo(&mut self, mark: Mark) {
        self.audit.truncate(mark.audit);
        for (id, before) in self.replaced.drain(..).rev() {
            match before {
                Some(held) => self.held.insert(id, held),
                None => self.held.remove(&id),
            };
        }
    }

    /// Holds `incoming` as `device`'s for the rest of the group.
    fn hold(&mut self, device: Uuid, incoming: &Incoming, stored_in_training: bool) {
        let record = &incoming.record;
        let held =
            Held { device_id: device, revision: record.revision, content: incoming.hash, stored_in_training };
        let before = self.held.insert(record.id, held);
        self.replaced.push((record.id, before));
    }
}

impl Group {
    /// Judges a piece of a job's items in order, each seeing what the earlier ones stored,
    /// and writes its rows.
    pub(super) fn piece(
        &mut self,
        tx: &rusqlite::Connection,
        sync: &mut JobSync,
        items: &[Item],
    ) -> StoreResult<()> {
        let unknown = items
            .iter()
            .filter_map(|i| match i {
                Item::Valid(incoming) => Some(incoming.record.id),
                Item::Invalid(..) => None,
            })
            .filter(|id| !self.held.contains_key(id));
        let stored = sync_sql::held(tx, unknown)?;
        self.held.extend(stored);
        let mut writes: Vec<Write> = Vec::new();
        // Where a record of this piece is among `writes`: one written twice is written once,
        // as it ends up.
        let mut pending: HashMap<Uuid, usize> = HashMap::new();
        for item in items {
            let incoming = match item {
                Item::Valid(incoming) => incoming,
                Item::Invalid(id, errors) => {
                    sync.tally.add(SyncStatus::Rejected);
                    sync.results.push(SyncResult {
                        id: *id,
                        status: SyncStatus::Rejected,
                        revision: None,
                        errors: Some(errors.clone()),
                    });
                    continue;
                }
            };
            let record = &incoming.record;
            let before = self.held.get(&record.id).cloned();
            let outcome = decide(record, sync.device, before.as_ref(), sync.count, sync.now);
            let status = outcome.status();
            sync.tally.add(status);
            match &outcome {
                Outcome::Store { training, stored_in_training } => {
                    pending.insert(record.id, writes.len());
                    writes.push(Write {
                        kind: WriteKind::Insert { count: sync.count_id, device: sync.device },
                        incoming,
                        training: *training,
                        stored_in_training: *stored_in_training,
                        received_at: sync.received_at.clone(),
                    });
                    self.hold(sync.device, incoming, *stored_in_training);
                }
                Outcome::Replace { training } => {
                    let stored_in_training = before.as_ref().is_some_and(|h| h.stored_in_training);
                    match pending.get(&record.id).and_then(|&i| writes.get_mut(i)) {
                        Some(write) => {
                            write.incoming = incoming;
                            write.training = *training;
                            write.received_at = sync.received_at.clone();
                        }
                        None => {
                            pending.insert(record.id, writes.len());
                            writes.push(Write {
                                kind: WriteKind::Update,
                                incoming,
                                training: *training,
                                stored_in_training,
                                received_at: sync.received_at.clone(),
                            });
                        }
                    }
                    self.audit.push(AuditRow::device(
                        sync.device,
                        AuditAction::RecordUpdate,
                        sync.count_id,
                        Some(record.id.to_string()),
                        serde_json::json!({
                            "from_revision": before.as_ref().map(|h| h.revision),
                            "to_revision": record.revision,
                        }),
                    ));
                    self.hold(sync.device, incoming, stored_in_training);
                }
                Outcome::Keep { .. } | Outcome::Reject { .. } => {}
            }
            sync.results.push(match outcome {
                Outcome::Store { .. } | Outcome::Replace { .. } => {
                    SyncResult { id: Some(record.id), status, revision: Some(record.revision), errors: None }
                }
                // A conflict, an unchanged resend or a rejected revision of a held record
                // tells which revision is held.
                Outcome::Keep { errors, .. } | Outcome::Reject { errors } => SyncResult {
                    id: Some(record.id),
                    status,
                    revision: before.map(|h| h.revision),
                    errors: (!errors.is_empty()).then_some(errors),
                },
            });
        }
        sync_sql::write_records(tx, &writes)?;
        Ok(())
    }
}
