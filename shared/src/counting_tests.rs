//! Tests of the counting rules (`counting.rs`), one or more per rule of its module docs.

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

/// The report's heads are the persons without their lists: the same primary records, sizes and
/// disagreements, whatever the decisions and the order of the records, in the order of their
/// primary records; with keys on both sides of their split by first bit.
#[test]
fn the_heads_are_the_persons_without_their_records() {
    const KEYS: [Option<&str>; 7] = [Some("a"), Some("b"), None, Some("c"), Some("d"), Some("1"), Some("7")];
    let first_bits: std::collections::BTreeSet<u64> =
        KEYS.iter().flatten().map(|k| KeyBytes::from(&key(k)).prefix() >> 63).collect();
    assert_eq!(first_bits.len(), 2, "keys whose first bit is 0 and keys whose first bit is 1");
    let mut records = Vec::new();
    for n in 0..84u128 {
        let mut r = rec(n * 7919 % 101, KEYS[(n % 7) as usize]);
        r.observed_at = at(&format!("2026-10-15T2{}:00:00+02:00", n % 3));
        if n % 7 == 0 {
            r.living_situation = LivingSituation::FamilyOrFriends;
        }
        r.void = n % 11 == 0;
        r.training = n % 13 == 0;
        records.push(r);
    }
    let mut decisions = decide("c", Decision::DifferentPeople, None);
    // Record 41 (n = 1) has key "b"; record 0 (n = 0) is void, so "a" falls back to the latest.
    decisions.extend(decide("b", Decision::SamePerson, Some(41)));
    decisions.extend(decide("a", Decision::SamePerson, Some(0)));
    let mut reversed = records.clone();
    reversed.reverse();
    for records in [records.clone(), reversed] {
        let people = persons(&records, &decisions);
        let mut want: Vec<(usize, u32, bool)> =
            people.iter().map(|p| (p.primary, p.records.len() as u32, p.categories_disagree)).collect();
        let mut got: Vec<(usize, u32, bool)> = person_heads(&records, &decisions)
            .iter()
            .map(|h| (h.primary, h.records, h.categories_disagree))
            .collect();
        assert!(got.is_sorted(), "in the order of the primary records");
        assert!(got.iter().any(|h| h.1 > 1 && records[h.0].dedup_key == Some(key("1"))));
        want.sort_unstable();
        got.sort_unstable();
        assert_eq!(got, want);
        assert_eq!(totals(&records, &person_heads(&records, &decisions)), totals(&records, &people));
        let chosen = people.iter().find(|p| p.primary_record(&records).id == id(41));
        assert!(chosen.is_some_and(|p| p.is_merged()), "the chosen primary of a merged key");
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
    assert_eq!((slim.id, slim.profile.children, slim.void), (stored.record.id, Children::Count(2), false));
}
