//! Grouping counted records into persons: sorting them by a prefix of their duplicate key,
//! then applying the coordinator's decisions and choosing each person's primary record (the
//! rules are in the docs of [`super`]).

use super::{Countable, KeyBytes, KeyDecision, KeyDecisions, Person, PersonHead};
use crate::api::Decision;
use std::cmp::Reverse;
use std::collections::HashMap;
use uuid::Uuid;

/// The persons of the records under the rules of the module docs, ordered by the id of their
/// primary record.
pub fn persons<R: Countable>(records: &[R], decisions: &KeyDecisions) -> Vec<Person> {
    let mut members: Vec<Vec<usize>> = Vec::new();
    let heads = group(records, decisions, |record, person| match members.get_mut(person) {
        Some(list) => list.push(record),
        None => members.push(vec![record]),
    });
    let mut people: Vec<(Uuid, Person)> = heads
        .into_iter()
        .zip(members)
        .map(|(head, mut list)| {
            if list.len() > 1 {
                list.sort_unstable_by_key(|&i| records[i].id());
            }
            let person = Person {
                primary: head.primary,
                records: list,
                categories_disagree: head.categories_disagree,
            };
            (records[head.primary].id(), person)
        })
        .collect();
    people.sort_unstable_by_key(|(id, _)| *id);
    people.into_iter().map(|(_, person)| person).collect()
}

/// The rules by sorting the counted records with a key on the first 8 bytes of the key (small
/// pairs: a million sort in a few hundredths of a second, where a hash map of the keys cost a
/// cache miss per record), so the result does not depend on the order of the slice.
/// `member(record, person)` is told every counted record and the index of its person in the
/// returned list, a new person's first record first.
fn group<R: Countable>(
    records: &[R],
    decisions: &KeyDecisions,
    mut member: impl FnMut(usize, usize),
) -> Vec<PersonHead> {
    let decided = decided(decisions);
    let mut heads: Vec<PersonHead> = Vec::new();
    let mut keyed: Vec<(u64, usize)> = Vec::new();
    for (i, record) in records.iter().enumerate() {
        if !record.is_counted() {
            continue;
        }
        match record.dedup_key() {
            Some(key) => keyed.push((key.prefix(), i)),
            None => member(i, own(&mut heads, i)),
        }
    }
    keyed.sort_unstable();
    group_keyed(records, &decided, &keyed, &mut heads, member);
    heads
}

/// A person of one record.
fn own(heads: &mut Vec<PersonHead>, i: usize) -> usize {
    heads.push(PersonHead { primary: i, records: 1, categories_disagree: false });
    heads.len() - 1
}

/// The coordinator's decisions by key.
fn decided(decisions: &KeyDecisions) -> HashMap<KeyBytes, KeyDecision> {
    decisions.iter().map(|(key, d)| (KeyBytes::from(key), *d)).collect()
}

/// The persons of the counted records with a key, `keyed` (key prefix and record index)
/// sorted, appended to `heads`; `member` as for [`group`].
fn group_keyed<R: Countable>(
    records: &[R],
    decided: &HashMap<KeyBytes, KeyDecision>,
    keyed: &[(u64, usize)],
    heads: &mut Vec<PersonHead>,
    mut member: impl FnMut(usize, usize),
) {
    // A key of one counted record is a person of its own, decided or not.
    let mut same: Vec<(KeyBytes, usize)> = Vec::new();
    for run in keyed.chunk_by(|a, b| a.0 == b.0) {
        if let [(_, i)] = run {
            member(*i, own(heads, *i));
            continue;
        }
        // Keys that begin alike but differ further on are told apart here.
        same.clear();
        same.extend(run.iter().filter_map(|&(_, i)| Some((records[i].dedup_key()?, i))));
        same.sort_unstable();
        for group in same.chunk_by(|a, b| a.0 == b.0) {
            let decision = decided.get(&group[0].0);
            if group.len() == 1 || is_split(decision) {
                for &(_, i) in group {
                    member(i, own(heads, i));
                }
                continue;
            }
            let chosen = decision.and_then(|d| d.primary_record_id);
            let primary = chosen
                .and_then(|id| group.iter().find(|&&(_, i)| records[i].id() == id))
                .or_else(|| {
                    group.iter().reduce(|a, b| if later(&records[b.1], &records[a.1]) { b } else { a })
                })
                .map_or(group[0].1, |&(_, i)| i);
            let first = records[group[0].1].conceptual_category();
            let categories_disagree = group.iter().any(|&(_, i)| records[i].conceptual_category() != first);
            let records = u32::try_from(group.len()).unwrap_or(u32::MAX);
            heads.push(PersonHead { primary, records, categories_disagree });
            let head = heads.len() - 1;
            for &(_, i) in group {
                member(i, head);
            }
        }
    }
}

/// The persons of the records under the rules of the module docs as [`PersonHead`]s, in the
/// order of their primary record in the slice: what the report counts, without listing
/// anything per person, and reading the primary records in storage order.
pub fn person_heads<R: Countable + Sync>(records: &[R], decisions: &KeyDecisions) -> Vec<PersonHead> {
    let decided = decided(decisions);
    // Per record, the person whose primary record it is, as `Packed`: the persons are read
    // off in the records' order at the end, instead of sorting them.
    let mut at_record = vec![Packed::NONE; records.len()];
    // The keys whose first bit is 0 and those whose first bit is 1: no person has records in
    // both, so the two are sorted and grouped at the same time.
    let (mut low, mut high) = (Vec::<(u64, usize)>::new(), Vec::<(u64, usize)>::new());
    for (i, record) in records.iter().enumerate() {
        if !record.is_counted() {
            continue;
        }
        match record.dedup_key().map(|key| key.prefix()) {
            Some(prefix) if prefix >> 63 == 0 => low.push((prefix, i)),
            Some(prefix) => high.push((prefix, i)),
            None => at_record[i] = Packed::of(1, false),
        }
    }
    let of = |mut keyed: Vec<(u64, usize)>| {
        keyed.sort_unstable();
        let mut heads = Vec::new();
        group_keyed(records, &decided, &keyed, &mut heads, |_, _| {});
        heads
    };
    let of = &of;
    let (low, high) = crate::parallel::join(move || of(low), move || of(high));
    for head in low.iter().chain(&high) {
        at_record[head.primary] = Packed::of(head.records, head.categories_disagree);
    }
    at_record.iter().enumerate().filter_map(|(i, packed)| packed.head(i)).collect()
}

/// A person as 4 bytes, without its primary record's index (the place it is kept at): its
/// number of records, and the top bit for disagreeing categories; 0 for none.
#[derive(Clone, Copy)]
struct Packed(u32);

impl Packed {
    const NONE: Packed = Packed(0);
    const DISAGREE: u32 = 1 << 31;

    fn of(records: u32, categories_disagree: bool) -> Packed {
        let disagree = if categories_disagree { Self::DISAGREE } else { 0 };
        Packed(records.min(Self::DISAGREE - 1) | disagree)
    }

    fn head(self, primary: usize) -> Option<PersonHead> {
        (self.0 != 0).then_some(PersonHead {
            primary,
            records: self.0 & !Self::DISAGREE,
            categories_disagree: self.0 & Self::DISAGREE != 0,
        })
    }
}

/// Whether the coordinator said the records of the key are different people.
fn is_split(decision: Option<&KeyDecision>) -> bool {
    matches!(decision, Some(KeyDecision { decision: Decision::DifferentPeople, .. }))
}

/// Whether `a` is observed later than `b`, or at the same moment and has the smaller id.
fn later<R: Countable>(a: &R, b: &R) -> bool {
    (a.observed_at(), Reverse(a.id())) > (b.observed_at(), Reverse(b.id()))
}

/// Every person's counted records (indices into `records`), one person at a time and in no
/// particular order, under the same rules as [`persons`] but without a list per person: what
/// the estimate's capture histories read.
pub fn for_each_person<R: Countable>(
    records: &[R],
    decisions: &KeyDecisions,
    mut person: impl FnMut(&[usize]),
) {
    // `group` tells a person's records one after the other, a new person's first.
    let mut members: Vec<usize> = Vec::new();
    let mut current = None;
    group(records, decisions, |i, head| {
        if current != Some(head) {
            if !members.is_empty() {
                person(&members);
                members.clear();
            }
            current = Some(head);
        }
        members.push(i);
    });
    if !members.is_empty() {
        person(&members);
    }
}
