//! Counting persons (domain.md §5) and the headline figures of the report (api.md "Report").
//!
//! The rules, each with its test below:
//!
//! - Only *counted* records make persons: not training and not void.
//! - Counted records with the same duplicate key are one person, unless the coordinator resolved
//!   that key as `different_people`: then each of them is a person of its own. Records without
//!   a key are one person each.
//! - A person's attributes come from one record, its *primary* record: the coordinator's chosen
//!   `primary_record_id` when that record is among the person's counted records, otherwise the
//!   record with the latest `observed_at` (compared as instants, whatever the UTC offset), ties
//!   going to the smallest id (the `Uuid` order, i.e. byte order).
//! - A person's records *disagree on the category* when its counted records do not all have the
//!   same ETHOS conceptual category (a data-quality figure; void and training records are not
//!   looked at).
//!
//! The functions take the records as a slice of anything [`Countable`]: the report's packed
//! [`crate::report::ReportRecord`], the owned [`CountedRecord`] (handy in tests and small
//! callers) and the wire type [`StoredRecord`] all work. [`persons`] returns each person as
//! indices into that slice, so nothing is cloned; [`totals`] turns records and persons into the
//! headline figures. The rules compare keys as [`KeyBytes`] and times as [`Moment`]s: fixed-size
//! values that order exactly like the hex text and the `DateTime`, so a million records are
//! grouped without a string compare.
//!
//! The output is deterministic: the same records in any order give the same persons (compare by
//! id; indices follow the slice), listed in the order of their primary record's id. Record ids
//! are assumed unique, as they are in the store.

use crate::api::{Decision, Resolution, StoredRecord};
use crate::ethos::{ConceptualCategory, LivingSituation};
use crate::profile::{Children, Profile};
use crate::record::{DedupKey, Origin, Record, RegionCode};
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use std::cmp::Reverse;
use std::collections::HashMap;
use uuid::Uuid;

/// A duplicate key as its 32 bytes (the HMAC): fixed-size and `Copy`, ordered like its hex text
/// (lowercase hex keeps the byte order), equal exactly when the texts are equal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KeyBytes(pub [u8; 32]);

impl KeyBytes {
    /// The bytes of a key's text: exactly 64 lowercase hex characters, as [`DedupKey`] requires;
    /// `None` for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        let hex = text.as_bytes();
        if hex.len() != 64 {
            return None;
        }
        let mut bytes = [0u8; 32];
        for (byte, pair) in bytes.iter_mut().zip(hex.chunks_exact(2)) {
            *byte = (nibble(pair[0])? << 4) | nibble(pair[1])?;
        }
        Some(KeyBytes(bytes))
    }
}

fn nibble(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    }
}

impl From<&DedupKey> for KeyBytes {
    fn from(key: &DedupKey) -> Self {
        // A `DedupKey` is 64 lowercase hex characters, so this always parses.
        KeyBytes::parse(key.as_str()).unwrap_or(KeyBytes([0; 32]))
    }
}

/// When a record was observed, as the counting rules compare it: the instant (seconds since 1970
/// UTC and the nanoseconds into that second), whatever UTC offset the time was written with.
/// Ordered exactly like `DateTime` (a leap second sorts before the next second).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Moment {
    secs: i64,
    /// Up to 1,999,999,999 during a leap second, as in `chrono`.
    nanos: u32,
}

const NANOS_PER_SEC: i64 = 1_000_000_000;

impl Moment {
    /// Nanoseconds since 1970 UTC: the integer the store keeps to read the moment back without
    /// parsing text. `None` where that is not exact: before 1677 or after 2262 (beyond an
    /// `i64`) and during a leap second.
    pub fn as_nanos(self) -> Option<i64> {
        if i64::from(self.nanos) >= NANOS_PER_SEC {
            return None;
        }
        (i128::from(self.secs) * i128::from(NANOS_PER_SEC) + i128::from(self.nanos)).try_into().ok()
    }

    /// The moment of [`Moment::as_nanos`].
    pub fn from_nanos(nanos: i64) -> Self {
        Moment { secs: nanos.div_euclid(NANOS_PER_SEC), nanos: nanos.rem_euclid(NANOS_PER_SEC) as u32 }
    }
}

impl From<DateTime<FixedOffset>> for Moment {
    fn from(t: DateTime<FixedOffset>) -> Self {
        Moment { secs: t.timestamp(), nanos: t.timestamp_subsec_nanos() }
    }
}

/// What the counting rules need to know of a record.
pub trait Countable {
    fn id(&self) -> Uuid;
    fn observed_at(&self) -> Moment;
    fn dedup_key(&self) -> Option<KeyBytes>;
    fn is_training(&self) -> bool;
    fn is_void(&self) -> bool;
    fn living_situation(&self) -> LivingSituation;
    fn children(&self) -> Children;

    /// Counted: neither training nor void.
    fn is_counted(&self) -> bool {
        !self.is_training() && !self.is_void()
    }

    fn conceptual_category(&self) -> ConceptualCategory {
        self.living_situation().conceptual_category()
    }
}

/// A record as the counting rules and the report tables see it, in owned wire types: convenient
/// to write by hand (tests, small callers). The report itself reads the packed
/// [`crate::report::ReportRecord`], which [`crate::report::ReportRecord::from_counted`] makes
/// from this.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountedRecord {
    pub id: Uuid,
    pub observed_at: DateTime<FixedOffset>,
    pub dedup_key: Option<DedupKey>,
    pub training: bool,
    pub void: bool,
    pub municipality: RegionCode,
    pub living_situation: LivingSituation,
    pub origin: Origin,
    pub profile: Profile,
    /// Index of the organisation (team code) the record came in through, in a list the caller
    /// keeps: the report's data-quality table counts records per organisation.
    pub organisation: u32,
}

impl CountedRecord {
    /// The counting view of a wire record; `void` is not part of the wire record.
    pub fn from_record(record: &Record, void: bool, organisation: u32) -> Self {
        CountedRecord {
            id: record.id,
            observed_at: record.observed_at,
            dedup_key: record.dedup_key.clone(),
            training: record.training,
            void,
            municipality: record.municipality.clone(),
            living_situation: record.living_situation,
            origin: record.origin.clone(),
            profile: record.profile.clone(),
            organisation,
        }
    }
}

impl From<&StoredRecord> for CountedRecord {
    fn from(stored: &StoredRecord) -> Self {
        CountedRecord::from_record(&stored.record, stored.void.is_some(), 0)
    }
}

impl Countable for CountedRecord {
    fn id(&self) -> Uuid {
        self.id
    }
    fn observed_at(&self) -> Moment {
        self.observed_at.into()
    }
    fn dedup_key(&self) -> Option<KeyBytes> {
        self.dedup_key.as_ref().map(KeyBytes::from)
    }
    fn is_training(&self) -> bool {
        self.training
    }
    fn is_void(&self) -> bool {
        self.void
    }
    fn living_situation(&self) -> LivingSituation {
        self.living_situation
    }
    fn children(&self) -> Children {
        self.profile.children
    }
}

impl Countable for StoredRecord {
    fn id(&self) -> Uuid {
        self.record.id
    }
    fn observed_at(&self) -> Moment {
        self.record.observed_at.into()
    }
    fn dedup_key(&self) -> Option<KeyBytes> {
        self.record.dedup_key.as_ref().map(KeyBytes::from)
    }
    fn is_training(&self) -> bool {
        self.record.training
    }
    fn is_void(&self) -> bool {
        self.void.is_some()
    }
    fn living_situation(&self) -> LivingSituation {
        self.record.living_situation
    }
    fn children(&self) -> Children {
        self.record.profile.children
    }
}

/// The coordinator's decision on one duplicate key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyDecision {
    pub decision: Decision,
    pub primary_record_id: Option<Uuid>,
}

impl From<&Resolution> for KeyDecision {
    fn from(r: &Resolution) -> Self {
        KeyDecision { decision: r.decision, primary_record_id: r.primary_record_id }
    }
}

/// The coordinator's decisions, by key. Keys without a decision are simply absent.
pub type KeyDecisions = HashMap<DedupKey, KeyDecision>;

/// One counted person: indices into the records slice given to [`persons`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// The record whose attributes the person has.
    pub primary: usize,
    /// Every counted record of the person (the primary included), in the order of their ids.
    pub records: Vec<usize>,
    /// The counted records do not all have the same conceptual category.
    pub categories_disagree: bool,
}

impl Person {
    /// The record whose attributes the person has. Panics if `records` is not the slice the
    /// person was made from.
    pub fn primary_record<'a, R>(&self, records: &'a [R]) -> &'a R {
        &records[self.primary]
    }

    /// The ids of the person's records, in order.
    pub fn record_ids<R: Countable>(&self, records: &[R]) -> Vec<Uuid> {
        self.records.iter().map(|&i| records[i].id()).collect()
    }

    /// Whether several records were merged into this person.
    pub fn is_merged(&self) -> bool {
        self.records.len() > 1
    }
}

/// The persons of the records under the rules of the module docs, ordered by the id of their
/// primary record.
pub fn persons<R: Countable>(records: &[R], decisions: &KeyDecisions) -> Vec<Person> {
    let decisions: HashMap<KeyBytes, KeyDecision> =
        decisions.iter().map(|(key, d)| (KeyBytes::from(key), *d)).collect();
    // (key, id, index) of every counted record whose key groups; (id, person) for the others.
    let mut keyed: Vec<(KeyBytes, Uuid, usize)> = Vec::with_capacity(records.len());
    let mut people: Vec<(Uuid, Person)> = Vec::with_capacity(records.len());
    for (i, record) in records.iter().enumerate() {
        if !record.is_counted() {
            continue;
        }
        match record.dedup_key() {
            Some(key) if !is_split(decisions.get(&key)) => keyed.push((key, record.id(), i)),
            _ => people
                .push((record.id(), Person { primary: i, records: vec![i], categories_disagree: false })),
        }
    }
    // Group by key; within a key by id, so each group's records come out in id order.
    keyed.sort_unstable();
    for group in keyed.chunk_by(|a, b| a.0 == b.0) {
        let members: Vec<usize> = group.iter().map(|&(_, _, i)| i).collect();
        let chosen = decisions.get(&group[0].0).and_then(|d| d.primary_record_id);
        let primary = chosen
            .and_then(|id| group.iter().find(|&&(_, member, _)| member == id))
            .or_else(|| latest(records, group))
            .unwrap_or(&group[0]);
        let first = records[members[0]].conceptual_category();
        let categories_disagree = members.iter().any(|&i| records[i].conceptual_category() != first);
        people.push((primary.1, Person { primary: primary.2, records: members, categories_disagree }));
    }
    people.sort_unstable_by_key(|(id, _)| *id);
    people.into_iter().map(|(_, person)| person).collect()
}

/// Whether the coordinator said the records of the key are different people.
fn is_split(decision: Option<&KeyDecision>) -> bool {
    matches!(decision, Some(KeyDecision { decision: Decision::DifferentPeople, .. }))
}

/// The member with the latest `observed_at`, ties to the smallest id.
fn latest<'a, R: Countable>(
    records: &[R],
    group: &'a [(KeyBytes, Uuid, usize)],
) -> Option<&'a (KeyBytes, Uuid, usize)> {
    group.iter().max_by_key(|&&(_, id, i)| (records[i].observed_at(), Reverse(id)))
}

/// The headline figures of the report (api.md "Report").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// Every stored record, training and void included.
    pub records_total: u64,
    pub records_training: u64,
    /// Void and not training.
    pub records_void: u64,
    /// `records_total − records_training − records_void`.
    pub records_counted: u64,
    /// Counted records without a duplicate key (each one person).
    pub records_without_key: u64,
    /// Unique recorded persons (adults and unaccompanied minors).
    pub persons_total: u64,
    /// `records_counted − persons_total`: records that add no person.
    pub duplicate_records_merged: u64,
    /// Minor children staying with the persons (from each person's primary record; unknown
    /// counts 0).
    pub accompanying_children: u64,
    /// Persons whose children are unknown.
    pub children_unknown: u64,
    /// `persons_total + accompanying_children`.
    pub persons_including_children: u64,
    /// Persons whose records disagree on the conceptual category.
    pub persons_with_disagreeing_category: u64,
}

/// The headline figures of `records`, whose persons are `persons` (made by [`persons`] from the
/// same slice; panics on an index outside `records`).
pub fn totals<R: Countable>(records: &[R], persons: &[Person]) -> Totals {
    let mut t = Totals::default();
    for r in records {
        t.records_total += 1;
        if r.is_training() {
            t.records_training += 1;
        } else if r.is_void() {
            t.records_void += 1;
        } else {
            t.records_counted += 1;
            if r.dedup_key().is_none() {
                t.records_without_key += 1;
            }
        }
    }
    for p in persons {
        t.persons_total += 1;
        match p.primary_record(records).children() {
            Children::Unknown => t.children_unknown += 1,
            children => t.accompanying_children += u64::from(children.counted()),
        }
        if p.categories_disagree {
            t.persons_with_disagreeing_category += 1;
        }
    }
    t.duplicate_records_merged = t.records_counted.saturating_sub(t.persons_total);
    t.persons_including_children = t.persons_total + t.accompanying_children;
    t
}

/// [`persons`] and [`totals`] in one go.
pub fn count<R: Countable>(records: &[R], decisions: &KeyDecisions) -> (Vec<Person>, Totals) {
    let people = persons(records, decisions);
    let totals = totals(records, &people);
    (people, totals)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dedup_key::key_of_normalised_text;

    fn key(name: &str) -> DedupKey {
        key_of_normalised_text("test-secret", name).expect("a key")
    }

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).expect("an RFC 3339 time")
    }

    /// A counted record observed at 22:00 in public space, with a key when `k` is given.
    fn rec(n: u128, k: Option<&str>) -> CountedRecord {
        CountedRecord {
            id: id(n),
            observed_at: at("2026-10-15T22:00:00+02:00"),
            dedup_key: k.map(key),
            training: false,
            void: false,
            municipality: RegionCode::try_from("GM0935".to_string()).expect("Maastricht"),
            living_situation: LivingSituation::PublicSpace,
            origin: Origin::Unknown,
            profile: Profile { children: Children::Count(0), ..Profile::unknown() },
            organisation: 0,
        }
    }

    fn no_decisions() -> KeyDecisions {
        KeyDecisions::new()
    }

    fn decide(k: &str, decision: Decision, primary: Option<u128>) -> KeyDecisions {
        KeyDecisions::from([(key(k), KeyDecision { decision, primary_record_id: primary.map(id) })])
    }

    /// Each person as (primary id, record ids, disagree): independent of slice order.
    fn by_id(records: &[CountedRecord], people: &[Person]) -> Vec<(Uuid, Vec<Uuid>, bool)> {
        people
            .iter()
            .map(|p| (p.primary_record(records).id, p.record_ids(records), p.categories_disagree))
            .collect()
    }

    #[test]
    fn records_with_the_same_key_are_one_person() {
        let records = [rec(1, Some("a")), rec(2, Some("a")), rec(3, Some("b"))];
        let people = persons(&records, &no_decisions());
        assert_eq!(people.len(), 2);
        assert_eq!(people[0].records, vec![0, 1]);
        assert!(people[0].is_merged());
        assert_eq!(people[1].records, vec![2]);
    }

    #[test]
    fn records_without_a_key_are_one_person_each() {
        let records = [rec(1, None), rec(2, None), rec(3, Some("a"))];
        let people = persons(&records, &no_decisions());
        assert_eq!(people.len(), 3);
        assert_eq!(totals(&records, &people).records_without_key, 2);
    }

    #[test]
    fn a_different_people_decision_splits_a_key() {
        let records = [rec(1, Some("a")), rec(2, Some("a")), rec(3, Some("b")), rec(4, Some("b"))];
        let people = persons(&records, &decide("a", Decision::DifferentPeople, None));
        let groups: Vec<Vec<usize>> = people.iter().map(|p| p.records.clone()).collect();
        assert_eq!(groups, vec![vec![0], vec![1], vec![2, 3]]);
    }

    #[test]
    fn a_same_person_decision_keeps_the_key_together() {
        let records = [rec(1, Some("a")), rec(2, Some("a"))];
        let people = persons(&records, &decide("a", Decision::SamePerson, None));
        assert_eq!(people.len(), 1);
    }

    #[test]
    fn training_records_are_never_counted() {
        let mut training = rec(1, Some("a"));
        training.training = true;
        let mut void_training = rec(2, None);
        void_training.training = true;
        void_training.void = true;
        let records = [training, void_training, rec(3, None)];
        let (people, t) = count(&records, &no_decisions());
        assert_eq!(by_id(&records, &people), vec![(id(3), vec![id(3)], false)]);
        assert_eq!((t.records_total, t.records_training, t.records_void, t.records_counted), (3, 2, 0, 1));
    }

    #[test]
    fn void_records_are_not_counted() {
        let mut void = rec(1, Some("a"));
        void.void = true;
        let records = [void, rec(2, Some("a"))];
        let (people, t) = count(&records, &no_decisions());
        assert_eq!(by_id(&records, &people), vec![(id(2), vec![id(2)], false)]);
        assert_eq!((t.records_void, t.records_counted, t.duplicate_records_merged), (1, 1, 0));
    }

    #[test]
    fn the_chosen_primary_record_gives_the_attributes() {
        let mut early = rec(1, Some("a"));
        early.observed_at = at("2026-10-15T20:00:00+02:00");
        let records = [early, rec(2, Some("a"))];
        let people = persons(&records, &decide("a", Decision::SamePerson, Some(1)));
        assert_eq!(people[0].primary_record(&records).id, id(1));
    }

    #[test]
    fn without_a_choice_the_latest_observed_record_gives_the_attributes() {
        let mut late = rec(1, Some("a"));
        late.observed_at = at("2026-10-16T01:00:00+02:00");
        let records = [rec(2, Some("a")), late, rec(3, Some("a"))];
        let people = persons(&records, &no_decisions());
        assert_eq!(people[0].primary, 1);
    }

    #[test]
    fn observed_times_are_compared_as_instants_whatever_their_offset() {
        let mut a = rec(1, Some("a"));
        a.observed_at = at("2026-10-15T21:30:00+00:00"); // 23:30 in Maastricht
        let mut b = rec(2, Some("a"));
        b.observed_at = at("2026-10-15T23:00:00+02:00");
        let records = [a, b];
        assert_eq!(persons(&records, &no_decisions())[0].primary, 0);
    }

    #[test]
    fn ties_on_observed_at_go_to_the_smallest_id() {
        let mut same_instant = rec(5, Some("a"));
        same_instant.observed_at = at("2026-10-15T20:00:00Z"); // = 22:00+02:00
        let records = [rec(9, Some("a")), same_instant, rec(7, Some("a"))];
        let people = persons(&records, &no_decisions());
        assert_eq!(people[0].primary_record(&records).id, id(5));
    }

    #[test]
    fn a_chosen_primary_that_is_void_falls_back_to_the_latest() {
        let mut chosen = rec(1, Some("a"));
        chosen.void = true;
        chosen.observed_at = at("2026-10-16T03:00:00+02:00");
        let mut latest = rec(3, Some("a"));
        latest.observed_at = at("2026-10-16T01:00:00+02:00");
        let records = [chosen, rec(2, Some("a")), latest];
        let people = persons(&records, &decide("a", Decision::SamePerson, Some(1)));
        assert_eq!(by_id(&records, &people), vec![(id(3), vec![id(2), id(3)], false)]);
    }

    #[test]
    fn a_chosen_primary_of_another_key_is_ignored() {
        let mut latest = rec(2, Some("a"));
        latest.observed_at = at("2026-10-16T01:00:00+02:00");
        let records = [rec(1, Some("a")), latest, rec(3, Some("b"))];
        let people = persons(&records, &decide("a", Decision::SamePerson, Some(3)));
        assert_eq!(by_id(&records, &people)[0].0, id(2));
    }

    #[test]
    fn records_that_disagree_on_the_conceptual_category_are_flagged() {
        let mut houseless = rec(2, Some("a"));
        houseless.living_situation = LivingSituation::HomelessHostel;
        let mut same_category = rec(4, Some("b"));
        same_category.living_situation = LivingSituation::NightShelter; // roofless too
        let records = [rec(1, Some("a")), houseless, rec(3, Some("b")), same_category, rec(5, None)];
        let (people, t) = count(&records, &no_decisions());
        let flags: Vec<bool> = people.iter().map(|p| p.categories_disagree).collect();
        assert_eq!(flags, vec![true, false, false]);
        assert_eq!(t.persons_with_disagreeing_category, 1);
    }

    #[test]
    fn a_void_record_in_a_group_does_not_make_the_group_disagree() {
        let mut void = rec(2, Some("a"));
        void.void = true;
        void.living_situation = LivingSituation::FamilyOrFriends;
        let mut training = rec(3, Some("a"));
        training.training = true;
        training.living_situation = LivingSituation::ExtremeOvercrowding;
        let records = [rec(1, Some("a")), void, training, rec(4, Some("a"))];
        let people = persons(&records, &no_decisions());
        assert_eq!(people.len(), 1);
        assert!(!people[0].categories_disagree);
    }

    #[test]
    fn split_records_never_disagree_with_each_other() {
        let mut houseless = rec(2, Some("a"));
        houseless.living_situation = LivingSituation::HomelessHostel;
        let records = [rec(1, Some("a")), houseless];
        let (_, t) = count(&records, &decide("a", Decision::DifferentPeople, None));
        assert_eq!((t.persons_total, t.persons_with_disagreeing_category), (2, 0));
    }

    #[test]
    fn the_same_records_in_another_order_give_the_same_persons() {
        let mut records = Vec::new();
        for n in 0..40u128 {
            let mut r = rec(n * 7919 % 101, [Some("a"), Some("b"), None, Some("c")][(n % 4) as usize]);
            r.observed_at = at(&format!("2026-10-15T2{}:00:00+02:00", n % 3));
            if n % 5 == 0 {
                r.living_situation = LivingSituation::FamilyOrFriends;
            }
            r.void = n % 11 == 0;
            records.push(r);
        }
        let decisions = decide("c", Decision::DifferentPeople, None);
        let (people, t) = count(&records, &decisions);
        let mut reversed = records.clone();
        reversed.reverse();
        let mut rotated = records.clone();
        rotated.rotate_left(17);
        for other in [reversed, rotated] {
            let (other_people, other_t) = count(&other, &decisions);
            assert_eq!(by_id(&other, &other_people), by_id(&records, &people));
            assert_eq!(other_t, t);
        }
    }

    #[test]
    fn persons_are_listed_in_the_order_of_their_primary_record_id() {
        let records = [rec(9, None), rec(3, Some("a")), rec(5, None), rec(1, Some("a"))];
        let people = persons(&records, &no_decisions());
        let ids: Vec<Uuid> = people.iter().map(|p| p.primary_record(&records).id).collect();
        assert_eq!(ids, vec![id(1), id(5), id(9)]);
        assert_eq!(people[0].record_ids(&records), vec![id(1), id(3)], "records in id order");
    }

    #[test]
    fn totals_follow_the_definitions_of_the_report() {
        let mut training = rec(1, None);
        training.training = true;
        let mut void = rec(2, Some("a"));
        void.void = true;
        let mut two_children = rec(3, Some("a"));
        two_children.profile.children = Children::Count(2);
        let mut older_unknown = rec(4, Some("a"));
        older_unknown.observed_at = at("2026-10-15T21:00:00+02:00");
        older_unknown.profile.children = Children::Unknown;
        let mut unknown = rec(5, None);
        unknown.profile.children = Children::Unknown;
        let mut three_children = rec(6, Some("b"));
        three_children.profile.children = Children::Count(3);
        let records = [training, void, two_children, older_unknown, unknown, three_children, rec(7, None)];
        let (_, t) = count(&records, &no_decisions());
        assert_eq!(
            t,
            Totals {
                records_total: 7,
                records_training: 1,
                records_void: 1,
                records_counted: 5,
                records_without_key: 2,
                persons_total: 4,
                duplicate_records_merged: 1,
                accompanying_children: 5,
                children_unknown: 1,
                persons_including_children: 9,
                persons_with_disagreeing_category: 0,
            }
        );
    }

    #[test]
    fn children_come_from_the_primary_record_only() {
        let mut a = rec(1, Some("a"));
        a.profile.children = Children::Count(4);
        let mut b = rec(2, Some("a"));
        b.profile.children = Children::Count(1);
        b.observed_at = at("2026-10-16T01:00:00+02:00");
        let records = [a, b];
        let (_, t) = count(&records, &no_decisions());
        assert_eq!((t.accompanying_children, t.persons_including_children), (1, 2));
        let (_, chosen) = count(&records, &decide("a", Decision::SamePerson, Some(1)));
        assert_eq!(chosen.accompanying_children, 4);
    }

    #[test]
    fn no_records_give_zero_everywhere() {
        let records: [CountedRecord; 0] = [];
        let (people, t) = count(&records, &no_decisions());
        assert!(people.is_empty());
        assert_eq!(t, Totals::default());
    }

    #[test]
    fn key_bytes_order_and_compare_like_the_key_text() {
        let keys: Vec<DedupKey> = ["a", "b", "c", "d", "e", "f", "g"].iter().map(|n| key(n)).collect();
        for a in &keys {
            assert_eq!(KeyBytes::parse(a.as_str()), Some(KeyBytes::from(a)));
            for b in &keys {
                assert_eq!(KeyBytes::from(a).cmp(&KeyBytes::from(b)), a.cmp(b), "{a:?} {b:?}");
            }
        }
        let mut bytes = [0u8; 32];
        bytes[0] = 0xf8;
        bytes[31] = 0x0a;
        let text = format!("f8{}0a", "0".repeat(60));
        assert_eq!(KeyBytes::parse(&text), Some(KeyBytes(bytes)));
    }

    #[test]
    fn key_bytes_accept_only_what_a_key_accepts() {
        let good = "f8108182fceecee89eba6a4c24ef082b45665411e020779334f04f10cc5c167a";
        assert!(KeyBytes::parse(good).is_some());
        for bad in [&good.to_uppercase(), &good[1..], &format!("{good}0"), &good.replace('f', "g"), ""] {
            assert_eq!(KeyBytes::parse(bad), None, "{bad}");
            assert!(DedupKey::try_from(bad.to_string()).is_err(), "{bad}");
        }
    }

    #[test]
    fn moments_order_exactly_like_the_times_they_come_from() {
        let times: Vec<DateTime<FixedOffset>> = [
            "2026-10-15T22:00:00+02:00",
            "2026-10-15T20:00:00Z",
            "2026-10-15T20:00:00.000000001Z",
            "2026-10-15T19:59:59.999999999Z",
            "2026-10-15T23:59:60.5+02:00", // a leap second
            "2026-10-15T21:59:59.7Z",
            "2026-10-15T22:00:00.2Z",
            "1969-12-31T23:59:59.5Z",
            "1970-01-01T00:00:00Z",
            "1600-01-01T00:00:00Z",
            "0001-01-01T00:00:00.000000001-03:00",
            "9999-12-31T23:59:59.999999999+14:00",
        ]
        .iter()
        .map(|t| at(t))
        .collect();
        for a in &times {
            for b in &times {
                assert_eq!(Moment::from(*a).cmp(&Moment::from(*b)), a.cmp(b), "{a} {b}");
            }
        }
    }

    #[test]
    fn moments_go_through_nanoseconds_where_that_is_exact() {
        let exact = ["2026-10-15T22:00:00.123456789+02:00", "1969-12-31T23:59:59.5Z", "1970-01-01T00:00:00Z"];
        for t in exact {
            let m = Moment::from(at(t));
            let nanos = m.as_nanos().expect("fits");
            assert_eq!(Moment::from_nanos(nanos), m, "{t}");
        }
        assert_eq!(Moment::from(at("1970-01-01T00:00:01.5Z")).as_nanos(), Some(1_500_000_000));
        assert_eq!(Moment::from(at("1969-12-31T23:59:59.5Z")).as_nanos(), Some(-500_000_000));
        for t in ["1600-01-01T00:00:00Z", "2300-01-01T00:00:00Z", "2026-10-15T23:59:60.5+02:00"] {
            assert_eq!(Moment::from(at(t)).as_nanos(), None, "{t}");
        }
        assert_eq!(Moment::from_nanos(i64::MIN).as_nanos(), Some(i64::MIN));
        assert_eq!(Moment::from_nanos(i64::MAX).as_nanos(), Some(i64::MAX));
    }

    #[test]
    fn a_leap_second_is_earlier_than_the_next_second() {
        let mut leap = rec(1, Some("a"));
        leap.observed_at = at("2026-10-15T23:59:60.9+02:00");
        let mut next = rec(2, Some("a"));
        next.observed_at = at("2026-10-16T00:00:00.1+02:00");
        let records = [leap, next];
        assert_eq!(persons(&records, &no_decisions())[0].primary, 1);
    }

    #[test]
    fn stored_records_can_be_counted_directly() {
        let json = serde_json::json!({"id":"0192f0c4-1111-7000-8000-000000000001","revision":1,
            "observed_at":"2026-10-15T22:40:00+02:00","municipality":"GM0935","living_situation":"1.1",
            "origin":{"kind":"abroad"},"dedup_key":null,
            "profile":{"age_band":"23-26","gender":"man","household":"alone","children":2,
                "duration":"1-3m","residence_status":"dutch","income":"benefit",
                "care_needs":["addiction"],"previous_facility":"none","housing_need":"housing_first"},
            "training":false,"device_id":"0192f0c4-1111-7000-8000-0000000000aa","organisation":"Team",
            "received_at":"2026-10-15T20:41:00Z","void":null});
        let stored: StoredRecord = serde_json::from_value(json).expect("a stored record");
        let (people, t) = count(std::slice::from_ref(&stored), &no_decisions());
        assert_eq!(people.len(), 1);
        assert_eq!(t.accompanying_children, 2);
        let slim = CountedRecord::from(&stored);
        assert_eq!(
            (slim.id, slim.profile.children, slim.void),
            (stored.record.id, Children::Count(2), false)
        );
    }
}
