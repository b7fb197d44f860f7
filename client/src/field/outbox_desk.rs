//! The outbox at a desk (an organisation's laptop): the device kind that keeps confirmed
//! records until the count is locked, and records stored again (a form saved twice, a
//! spreadsheet uploaded again).

use super::{EditError, Outbox};
use chrono::{DateTime, Utc};
use ethos_shared::record::Record;
use uuid::Uuid;

/// What kind of device holds the outbox; it decides how long confirmed records stay.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DeviceKind {
    /// A counter's phone: a confirmed record stays 24 h, or until the count is locked.
    #[default]
    Phone,
    /// An organisation's desk (a laptop entering the people it knows, over days): a confirmed
    /// record stays until the count is locked, so nobody is entered twice (domain.md §7).
    Desk,
}

/// What storing a record at a desk did (see [`Outbox::upsert`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upsert {
    /// Not held before: queued as revision 1.
    New,
    /// Held with other content: queued again as the next revision.
    Changed,
    /// Held with the same content: nothing changes.
    Unchanged,
}

impl Outbox {
    /// Stores a record made elsewhere than the guided flow (a desk form, a spreadsheet row):
    /// new → queued; held with the same content (whatever its revision) → unchanged; held
    /// with other content → a correction, queued as the next revision.
    pub fn upsert(&mut self, mut record: Record, device: Uuid, now: DateTime<Utc>) -> Upsert {
        match self.entries.get(&record.id) {
            None => {
                record.revision = 1;
                self.add(record, device, now);
                Upsert::New
            }
            Some(held) => {
                record.revision = held.record.revision;
                if held.record == record {
                    Upsert::Unchanged
                } else {
                    match self.correct(record) {
                        Ok(_) => Upsert::Changed,
                        Err(EditError::NotFound) => Upsert::Unchanged,
                    }
                }
            }
        }
    }
}
