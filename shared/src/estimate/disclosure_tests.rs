//! Public disclosure of the estimate: nothing hidden is recovered by subtraction.

use super::tests::{captures, three_sources};
use super::*;
use crate::api::Decision;
use crate::disclosure::Suppression;
use crate::report::Disclosure;
use std::collections::{BTreeMap, BTreeSet};

/// The public shaping of the body (rounding and the cell rule with its secondary suppression),
/// also for tables that public disclosure withholds as a whole: the shaping is the second line
/// of defence and must hold on its own.
fn public_of(cap: &Captures) -> Estimate {
    body(cap, &fit(cap).expect("an estimate"), SourceBy::OrganisationType, Disclosure::Public)
}

#[test]
fn public_hides_observed_when_unlinkable_is_small_as_persons_total_would_give_it_back() {
    // persons_total (published by the report) = observed + unlinkable: one of the two hidden
    // alone would be the total minus the other.
    let cap = captures(
        &[
            (&["care"], 70),
            (&["shelter"], 60),
            (&["care", "shelter"], 25),
            (&["care", "police"], 8),
            (&["police"], 9),
        ],
        3,
    );
    let e = public_of(&cap);
    assert_eq!((e.observed, e.unlinkable), (None, None), "3 keyless persons: observed goes too");
    assert_eq!(e.observed_suppressed, Some(Suppression::Secondary));
    assert_eq!(e.unlinkable_suppressed, Some(Suppression::Primary));
    // And the other way round: 0 keyless persons stay 0 and give nothing away.
    let e = public_of(&captures(&[(&["care"], 70), (&["shelter"], 60), (&["care", "shelter"], 25)], 0));
    assert_eq!((e.observed, e.unlinkable), (Some(155), Some(0)));
    assert_eq!((e.observed_suppressed, e.unlinkable_suppressed), (None, None));
}

#[test]
fn public_two_sources_with_a_small_history_hide_the_persons_per_source() {
    // k = 2: n1 + n2 − M is the overlap, and M − n2, M − n1 the persons of one source only.
    // Here only-police is 3: it must not follow from the persons per source and observed.
    let cap = captures(&[(&["care"], 40), (&["police"], 3), (&["care", "police"], 12)], 0);
    let e = public_of(&cap);
    for s in &e.sources {
        assert_eq!(s.persons, None, "{}: hidden so that no history follows", s.id);
        assert_eq!(s.suppressed, Some(Suppression::Secondary));
    }
    assert_eq!(e.observed, Some(55), "observed alone gives no history away");
    // Without a small history nothing is hidden.
    let cap = captures(&[(&["care"], 40), (&["police"], 7), (&["care", "police"], 12)], 0);
    let e = public_of(&cap);
    assert_eq!(e.sources.iter().map(|s| s.persons).collect::<Vec<_>>(), vec![Some(52), Some(19)]);
}

#[test]
fn public_three_sources_of_which_two_saw_everyone_hide_the_persons_per_source() {
    // care and shelter saw every linkable person: the histories are {care, shelter} and
    // {care, police, shelter}, = M − n(police) = 2 and n(police).
    let cap = captures(&[(&["care", "shelter"], 2), (&["care", "police", "shelter"], 30)], 0);
    assert!(cap.histories_follow_from_the_margins());
    let e = public_of(&cap);
    assert!(e.sources.iter().all(|s| s.persons.is_none()), "{:?}", e.sources);
    // Three sources without such a source: more histories than equations, nothing hidden.
    let e = public_of(&three_sources());
    assert!(e.sources.iter().all(|s| s.persons.is_some()), "{:?}", e.sources);
}

/// A counted record of `person` (its duplicate key) by organisation `org`.
fn record_of(id: u128, person: u32, org: u32) -> ReportRecord {
    let record = crate::counting::CountedRecord {
        id: uuid::Uuid::from_u128(id),
        observed_at: chrono::DateTime::parse_from_rfc3339("2026-10-15T22:00:00+02:00").expect("a time"),
        dedup_key: Some(
            crate::dedup_key::key_of_normalised_text("test-secret", &format!("p{person}")).expect("a key"),
        ),
        training: false,
        void: false,
        municipality: "GM0935".to_string().try_into().expect("Maastricht"),
        living_situation: crate::ethos::LivingSituation::PublicSpace,
        origin: crate::record::Origin::Unknown,
        profile: crate::profile::Profile::unknown(),
        organisation: org,
    };
    ReportRecord::from_counted(&record).expect("a report record")
}

#[test]
fn public_hides_a_second_organisation_of_a_type_when_one_is_small() {
    // Shelters a1 (0) and a2 (1), street team b1 (2). By organisation: {a2} 10, {b1} 10,
    // {a1, b1} 4, {a2, b1} 10. By type the shelters saw 24: with a2's 20 shown, a1 ≥ 24 − 20
    // and a1 < 5 would give a1 = 4.
    let organisations = vec![
        ("a1".to_string(), OrganisationType::Shelter),
        ("a2".to_string(), OrganisationType::Shelter),
        ("b1".to_string(), OrganisationType::Outreach),
    ];
    let groups: [(&[u32], u32); 4] = [(&[1], 10), (&[2], 10), (&[0, 2], 4), (&[1, 2], 10)];
    let (mut records, mut person, mut id) = (Vec::new(), 0, 0);
    for (orgs, n) in groups {
        for _ in 0..n {
            person += 1;
            for &org in orgs {
                id += 1;
                records.push(record_of(id, person, org));
            }
        }
    }
    let decisions = KeyDecisions::default();
    let by_org = Captures::of_records(&records, &decisions, &organisations, SourceBy::Organisation);
    let by_type = Captures::of_records(&records, &decisions, &organisations, SourceBy::OrganisationType);
    assert_eq!(by_type.persons_per_source(), [24, 24], "{:?}", by_type.sources);

    let fitted = fit(&by_org).expect("an estimate");
    let public = body(&by_org, &fitted, SourceBy::Organisation, Disclosure::Public);
    let shown: Vec<(&str, Option<u64>, Option<Suppression>)> =
        public.sources.iter().map(|s| (s.id.as_str(), s.persons, s.suppressed)).collect();
    assert_eq!(
        shown,
        [
            ("a1", None, Some(Suppression::Primary)),
            ("a2", None, Some(Suppression::Secondary)),
            ("b1", Some(24), None)
        ],
        "the type's other organisation goes too"
    );
    let internal = estimate(&by_org, SourceBy::Organisation, Disclosure::Internal).expect("an estimate");
    assert!(internal.sources.iter().all(|s| s.persons.is_some()), "internal shows every source");
}

#[test]
fn public_estimates_give_no_aic() {
    let cap = captures(
        &[
            (&["care"], 60),
            (&["police"], 45),
            (&["shelter"], 70),
            (&["care", "police"], 12),
            (&["care", "shelter"], 15),
            (&["police", "shelter"], 10),
            (&["care", "police", "shelter"], 6),
        ],
        0,
    );
    let internal = estimate(&cap, SourceBy::OrganisationType, Disclosure::Internal).expect("an estimate");
    let public = estimate(&cap, SourceBy::OrganisationType, Disclosure::Public).expect("an estimate");
    assert!(internal.model.as_ref().and_then(|m| m.aic).is_some(), "internal: the AIC of the chosen model");
    let model = public.model.expect("the chosen model is named");
    assert_eq!(model.aic, None, "unrounded, the AIC is a function of the histories");
    assert_eq!(model.interactions, internal.model.expect("a model").interactions);
}

/// The histories of `of_records` are those of the persons [`crate::counting::persons`] lists,
/// whatever the sources, keys, void and training records and the coordinator's decisions.
#[test]
fn the_histories_are_those_of_the_listed_persons() {
    let organisations: Vec<(String, OrganisationType)> = [
        ("a1", OrganisationType::Shelter),
        ("a2", OrganisationType::Shelter),
        ("b1", OrganisationType::Outreach),
        ("c1", OrganisationType::Care),
    ]
    .iter()
    .map(|(name, kind)| (name.to_string(), *kind))
    .collect();
    let mut records = Vec::new();
    for id in 0..400u128 {
        let mut r = record_of(id, (id * 7 % 97) as u32, (id * 5 % 4) as u32);
        match id % 11 {
            0 => r.dedup_key = None,
            1 => r.void = true,
            2 => r.training = true,
            _ => {}
        }
        records.push(r);
    }
    let key = |person: u32| crate::dedup_key::key_of_normalised_text("test-secret", &format!("p{person}"));
    let mut decisions = KeyDecisions::default();
    for (person, decision) in [(3, Decision::DifferentPeople), (4, Decision::SamePerson)] {
        let decided = crate::counting::KeyDecision { decision, primary_record_id: None };
        decisions.insert(key(person).expect("a key"), decided);
    }
    let people = crate::counting::persons(&records, &decisions);
    for by in [SourceBy::Organisation, SourceBy::OrganisationType] {
        let got = Captures::of_records(&records, &decisions, &organisations, by);
        // The rules written out: a person with a key is its set of sources, one without is
        // unlinkable.
        let source = |i: usize| {
            let (name, kind) = &organisations[records[i].organisation as usize];
            if by == SourceBy::Organisation {
                name.as_str()
            } else {
                kind.code()
            }
        };
        let mut want: BTreeMap<BTreeSet<&str>, u64> = BTreeMap::new();
        let mut unlinkable = 0;
        for p in &people {
            if p.records.iter().any(|&i| records[i].dedup_key.is_some()) {
                *want.entry(p.records.iter().map(|&i| source(i)).collect()).or_default() += 1;
            } else {
                unlinkable += 1;
            }
        }
        let got_histories: BTreeMap<BTreeSet<&str>, u64> = got
            .histories
            .iter()
            .map(|(h, n)| (h.iter().map(|&s| got.sources[s].as_str()).collect(), *n))
            .collect();
        assert_eq!(got_histories, want, "{by:?}");
        assert_eq!(got.unlinkable, unlinkable);
        assert!(want.keys().any(|h| h.len() > 1), "persons seen by several sources");
        assert!(got.sources.is_sorted());
    }
}
