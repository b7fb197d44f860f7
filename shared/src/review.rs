//! The coordinator's duplicate review at the scale of a real count: which answers differ within
//! a group of records sharing a key, the filters and pages of the review, the bulk decision for
//! the groups without differences, and the "training" mark of answers made from practice data.

use crate::api::{DuplicateGroup, StoredRecord};
use crate::profile::{AgeBand, Gender};
use crate::record::DedupKey;
use serde::{Deserialize, Serialize};

value_set!(
    /// An answer that differs between the records of one duplicate group.
    DiffField {
        ConceptualCategory = "conceptual_category", "categorie", "category";
        LivingSituation = "living_situation", "woonsituatie", "living situation";
        Municipality = "municipality", "gemeente", "municipality";
        AgeBand = "age_band", "leeftijd", "age";
        Gender = "gender", "geslacht", "gender";
    }
);

value_set!(
    /// Which groups a page of the review shows. Undecided groups with differences come first.
    ReviewFilter {
        All = "all", "alle groepen", "all groups";
        Conflicts = "conflicts", "met verschillen", "with differences";
        Consistent = "consistent", "zonder verschillen", "without differences";
        Decided = "decided", "besloten", "decided";
    }
);

/// The answers that differ between the records of a group, in the order of [`DiffField::ALL`].
/// `unknown` differs from nothing: a record that does not know the age band does not contradict
/// one that does. Living situations that differ within one category count as
/// `living_situation`; across categories as both.
pub fn differences<'a>(records: impl IntoIterator<Item = &'a StoredRecord>) -> Vec<DiffField> {
    let records: Vec<&StoredRecord> = records.into_iter().collect();
    let differ = |f: &dyn Fn(&StoredRecord) -> Option<String>| {
        let mut values = records.iter().filter_map(|r| f(r));
        match values.next() {
            Some(first) => values.any(|v| v != first),
            None => false,
        }
    };
    let mut out = Vec::new();
    if differ(&|r| Some(r.record.living_situation.conceptual_category().code().to_string())) {
        out.push(DiffField::ConceptualCategory);
    }
    if differ(&|r| Some(r.record.living_situation.code().to_string())) {
        out.push(DiffField::LivingSituation);
    }
    if differ(&|r| Some(String::from(r.record.municipality.clone()))) {
        out.push(DiffField::Municipality);
    }
    if differ(&|r| {
        Some(r.record.profile.age_band).filter(|a| *a != AgeBand::Unknown).map(|a| a.code().into())
    }) {
        out.push(DiffField::AgeBand);
    }
    if differ(&|r| Some(r.record.profile.gender).filter(|g| *g != Gender::Unknown).map(|g| g.code().into())) {
        out.push(DiffField::Gender);
    }
    out
}

/// A duplicate group with what differs between its records.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewGroup {
    #[serde(flatten)]
    pub group: DuplicateGroup,
    pub differs: Vec<DiffField>,
}

impl ReviewGroup {
    pub fn new(group: DuplicateGroup) -> Self {
        let differs = differences(group.records.iter().map(|r| &r.stored));
        ReviewGroup { group, differs }
    }

    /// The filter this group belongs to (never `All`).
    pub fn kind(&self) -> ReviewFilter {
        if self.group.resolution.is_some() {
            ReviewFilter::Decided
        } else if self.differs.is_empty() {
            ReviewFilter::Consistent
        } else {
            ReviewFilter::Conflicts
        }
    }
}

/// How many groups each filter holds.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewTally {
    /// Undecided groups whose records differ.
    pub conflicts: u64,
    /// Undecided groups whose records agree.
    pub consistent: u64,
    pub decided: u64,
}

impl ReviewTally {
    pub fn of(&self, filter: ReviewFilter) -> u64 {
        match filter {
            ReviewFilter::All => self.conflicts + self.consistent + self.decided,
            ReviewFilter::Conflicts => self.conflicts,
            ReviewFilter::Consistent => self.consistent,
            ReviewFilter::Decided => self.decided,
        }
    }
}

/// `GET /api/v1/counts/{id}/duplicates?filter=&offset=&limit=`: one page of the review,
/// undecided groups with differences first, then those without, then the decided ones.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DuplicatePage {
    pub items: Vec<ReviewGroup>,
    pub tally: ReviewTally,
    pub filter: ReviewFilter,
    pub offset: u64,
    /// The offset of the next page; `null` on the last.
    pub next_offset: Option<u64>,
    /// The count is in training: these are practice records ("oefendata").
    #[serde(default)]
    pub training: bool,
}

/// The answer of `POST /api/v1/counts/{id}/duplicates/resolve-consistent`: every undecided
/// group whose records agree is now decided "same person", one audit entry per group.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BulkResolved {
    pub resolved: u64,
    pub keys: Vec<DedupKey>,
    #[serde(default)]
    pub training: bool,
}

/// An answer that may be made of practice records: `"training": true` for a count in
/// training, whose dashboard and report show its training records ("oefendata").
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rehearsal<T> {
    #[serde(flatten)]
    pub inner: T,
    #[serde(default)]
    pub training: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::DuplicateRecord;

    fn stored(situation: &str, municipality: &str, age: &str, gender: &str) -> StoredRecord {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        let id = uuid::Uuid::from_u128(u128::from(NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)));
        let json = serde_json::json!({
            "id": id, "revision": 1, "observed_at": "2026-10-15T22:40:00+02:00",
            "municipality": municipality, "living_situation": situation,
            "origin": {"kind": "unknown"}, "dedup_key": "ab".repeat(32),
            "profile": {"age_band": age, "gender": gender, "household": "alone", "children": 0,
                "duration": "1-3m", "residence_status": "dutch", "income": "benefit",
                "care_needs": ["none"], "previous_facility": "none", "housing_need": "unknown"},
            "training": false, "device_id": uuid::Uuid::nil(), "organisation": "Straatteam",
            "received_at": "2026-10-15T21:00:00Z", "void": null});
        serde_json::from_value(json).expect("a stored record")
    }

    #[test]
    fn agreeing_records_have_no_differences_and_unknown_contradicts_nothing() {
        let a = stored("1.1", "GM0935", "23-26", "man");
        let b = stored("1.1", "GM0935", "unknown", "unknown");
        assert_eq!(differences([&a, &b]), vec![]);
    }

    #[test]
    fn each_differing_answer_is_named() {
        let a = stored("1.1", "GM0935", "23-26", "man");
        let b = stored("3.1", "GM0938", "27-29", "woman");
        assert_eq!(
            differences([&a, &b]),
            vec![
                DiffField::ConceptualCategory,
                DiffField::LivingSituation,
                DiffField::Municipality,
                DiffField::AgeBand,
                DiffField::Gender
            ]
        );
        let (c, d) = (stored("3.1", "GM0935", "23-26", "man"), stored("3.2", "GM0935", "23-26", "man"));
        assert_eq!(differences([&c, &d]), vec![DiffField::LivingSituation]);
    }

    #[test]
    fn a_group_is_decided_before_it_is_a_conflict() {
        let a = stored("1.1", "GM0935", "23-26", "man");
        let b = stored("1.1", "GM0935", "27-29", "man");
        let key = a.record.dedup_key.clone().expect("a key");
        let records = vec![a, b].into_iter().map(|stored| DuplicateRecord { stored, since_decision: false });
        let mut g =
            ReviewGroup::new(DuplicateGroup { dedup_key: key, records: records.collect(), resolution: None });
        assert_eq!(g.kind(), ReviewFilter::Conflicts);
        g.differs.clear();
        assert_eq!(g.kind(), ReviewFilter::Consistent);
        let json = serde_json::to_value(&g).expect("json");
        assert!(json["dedup_key"].is_string() && json["differs"].is_array());
    }
}
