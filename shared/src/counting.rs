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
//! indices into that slice, so nothing is cloned; [`person_heads`] gives the same persons
//! without their lists of records (what the report counts); [`totals`] turns records and
//! persons into the headline figures. The rules compare keys as [`KeyBytes`] and times as
//! [`Moment`]s: fixed-size values that order exactly like the hex text and the `DateTime`, so a
//! million records are grouped without a string compare.
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
use std::collections::HashMap;
use uuid::Uuid;

mod grouping;
pub use grouping::{for_each_person, person_heads, persons};

/// A duplicate key as its 32 bytes (the HMAC): fixed-size and `Copy`, ordered like its hex text
/// (lowercase hex keeps the byte order), equal exactly when the texts are equal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KeyBytes(pub [u8; 32]);

impl KeyBytes {
    /// The bytes of a key's text: exactly 64 lowercase hex characters, as [`DedupKey`] requires;
    /// `None` for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        Self::parse_ascii(text.as_bytes())
    }

    /// [`KeyBytes::parse`] of text as stored, without first checking that it is UTF-8: any
    /// byte that is not a lowercase hex digit makes it `None` anyway.
    pub fn parse_ascii(hex: &[u8]) -> Option<Self> {
        if hex.len() != 64 {
            return None;
        }
        // By table and without a branch per character: the report decodes a million keys, and
        // a branch on digit or letter is mispredicted for every third character of a random
        // key.
        let mut bytes = [0u8; 32];
        let mut invalid = 0u8;
        for (byte, pair) in bytes.iter_mut().zip(hex.chunks_exact(2)) {
            let (high, low) = (NIBBLES[usize::from(pair[0])], NIBBLES[usize::from(pair[1])]);
            invalid |= high | low;
            *byte = (high << 4) | (low & 0x0f);
        }
        (invalid & INVALID == 0).then_some(KeyBytes(bytes))
    }

    /// The first 8 bytes, as a number that orders like them.
    fn prefix(&self) -> u64 {
        let [a, b, c, d, e, f, g, h, ..] = self.0;
        u64::from_be_bytes([a, b, c, d, e, f, g, h])
    }
}

/// Marks a character that is not a lowercase hex digit in [`NIBBLES`].
const INVALID: u8 = 0x10;

/// The value of each lowercase hex digit, [`INVALID`] for every other character.
const NIBBLES: [u8; 256] = {
    let mut table = [INVALID; 256];
    let mut c = 0;
    while c < 16 {
        table[b"0123456789abcdef"[c] as usize] = c as u8;
        c += 1;
    }
    table
};

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

/// A counted person as the report's figures see it: a [`Person`] without the list of its
/// records, so that a million persons are a million fixed-size values and no allocation each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PersonHead {
    /// The record whose attributes the person has (an index into the records slice).
    pub primary: usize,
    /// How many counted records the person has.
    pub records: u32,
    /// The counted records do not all have the same conceptual category.
    pub categories_disagree: bool,
}

/// What [`totals`] reads of a person: [`Person`] and [`PersonHead`] both tell it.
pub trait PersonView {
    /// The index of the person's primary record.
    fn primary(&self) -> usize;
    fn categories_disagree(&self) -> bool;
}

macro_rules! person_view {
    ($($person:ty),+) => {$(
        impl PersonView for $person {
            fn primary(&self) -> usize { self.primary }
            fn categories_disagree(&self) -> bool { self.categories_disagree }
        }
    )+};
}
person_view!(Person, PersonHead);

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

/// The headline figures of `records`, whose persons are `persons` (made by [`persons`] or
/// [`person_heads`] from the same slice; panics on an index outside `records`).
pub fn totals<R: Countable, P: PersonView>(records: &[R], persons: &[P]) -> Totals {
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
        match records[p.primary()].children() {
            Children::Unknown => t.children_unknown += 1,
            children => t.accompanying_children += u64::from(children.counted()),
        }
        if p.categories_disagree() {
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
#[path = "counting_tests.rs"]
mod tests;
