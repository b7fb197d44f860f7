//! The duplicate review: groups of records sharing a key, page by page with the differing
//! answers named, the coordinator's decision per group, and one decision for every group whose
//! records agree. A count in training reviews its training records (kept apart, api.md).

use super::{Error, Result};
use crate::storage::{Storage, User};
use ethos_shared::api::{Count, Decision};
use ethos_shared::count::CountStatus;
use ethos_shared::record::{DedupKey, FieldError, FieldErrorCode};
use ethos_shared::review::{BulkResolved, DuplicatePage, ReviewFilter, ReviewGroup, ReviewTally};
use uuid::Uuid;

/// At most this many groups on one page.
pub const MAX_PAGE: usize = 500;

/// Which groups, from where, how many (`None`: all of them).
pub struct PageRequest {
    pub filter: ReviewFilter,
    pub offset: usize,
    pub limit: Option<usize>,
}

/// A page of the groups of `count` that match the filter, with the tally of every kind.
pub async fn page(storage: &Storage, count: &Count, req: PageRequest) -> Result<DuplicatePage> {
    let training = count.status == CountStatus::Training;
    let groups = storage.review_groups(count.id, training).await?;
    let mut tally = ReviewTally::default();
    for g in &groups {
        match g.kind() {
            ReviewFilter::Conflicts => tally.conflicts += 1,
            ReviewFilter::Consistent => tally.consistent += 1,
            _ => tally.decided += 1,
        }
    }
    let PageRequest { filter, offset, limit } = req;
    let matching: Vec<ReviewGroup> =
        groups.into_iter().filter(|g| filter == ReviewFilter::All || g.kind() == filter).collect();
    let end = limit.map_or(matching.len(), |l| offset.saturating_add(l).min(matching.len()));
    let next_offset = (end < matching.len()).then_some(end as u64);
    let items = matching.into_iter().skip(offset).take(end.saturating_sub(offset)).collect();
    Ok(DuplicatePage { items, tally, filter, offset: offset as u64, next_offset, training })
}

/// The coordinator's decision on the group of `key`; "same person" may name the record that
/// stands for the person, one of the group's.
pub async fn resolve(
    storage: &Storage,
    count: &Count,
    key: &DedupKey,
    decision: Decision,
    primary: Option<Uuid>,
    by: &User,
) -> Result<ReviewGroup> {
    let training = count.status == CountStatus::Training;
    let group = find(storage, count.id, training, key).await?;
    let primary = match decision {
        Decision::SamePerson => primary,
        Decision::DifferentPeople => None,
    };
    if let Some(p) = primary {
        if !group.group.records.iter().any(|r| r.stored.record.id == p) {
            return Err(FieldError::new("primary_record_id", FieldErrorCode::InvalidValue).into());
        }
    }
    storage.decide_duplicates(count.id, training, &[(key.clone(), decision, primary)], by, false).await?;
    find(storage, count.id, training, key).await
}

async fn find(storage: &Storage, count_id: Uuid, training: bool, key: &DedupKey) -> Result<ReviewGroup> {
    let groups = storage.review_groups(count_id, training).await?;
    groups.into_iter().find(|g| &g.group.dedup_key == key).ok_or(Error::NotFound("duplicate group"))
}

/// "Same person" for every undecided group whose records agree, in one transaction with one
/// audit entry per group.
pub async fn resolve_consistent(storage: &Storage, count: &Count, by: &User) -> Result<BulkResolved> {
    let training = count.status == CountStatus::Training;
    let groups = storage.review_groups(count.id, training).await?;
    let keys: Vec<DedupKey> = groups
        .into_iter()
        .filter(|g| g.kind() == ReviewFilter::Consistent)
        .map(|g| g.group.dedup_key)
        .collect();
    let decisions: Vec<_> = keys.iter().map(|k| (k.clone(), Decision::SamePerson, None)).collect();
    if !decisions.is_empty() {
        storage.decide_duplicates(count.id, training, &decisions, by, true).await?;
    }
    Ok(BulkResolved { resolved: keys.len() as u64, keys, training })
}
