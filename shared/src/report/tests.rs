//! Public disclosure of the data-quality figures: no hidden number comes back by subtraction
//! or by a share of `persons_total`.

use super::figures::{headline_sums, youth};
use super::*;
use crate::count::CountStatus;
use crate::counting::CountedRecord;
use crate::dedup_key::key_of_normalised_text;
use crate::ethos::LivingSituation;
use crate::profile::{AgeBand, Gender, Household, Profile};
use crate::record::Origin;
use uuid::Uuid;

/// Person `n` (its own key, or none), counted by organisation `org`.
fn person(n: u128, keyed: bool, org: u32, profile: Profile) -> ReportRecord {
    let record = CountedRecord {
        id: Uuid::from_u128(n),
        observed_at: chrono::DateTime::parse_from_rfc3339("2026-10-15T22:00:00+02:00").expect("a time"),
        dedup_key: keyed.then(|| key_of_normalised_text("test-secret", &format!("p{n}")).expect("a key")),
        training: false,
        void: false,
        municipality: "GM0935".to_string().try_into().expect("Maastricht"),
        living_situation: LivingSituation::PublicSpace,
        origin: Origin::Unknown,
        profile,
        organisation: org,
    };
    ReportRecord::from_counted(&record).expect("a report record")
}

fn report(
    records: &[ReportRecord],
    organisations: &[(String, OrganisationType)],
    disclosure: Disclosure,
) -> Report {
    let at = chrono::DateTime::parse_from_rfc3339("2026-10-15T20:00:00+02:00").expect("a time");
    build(ReportInput {
        count: Count {
            id: Uuid::from_u128(1),
            name: "test".into(),
            reference_date: at.date_naive(),
            starts_at: at,
            ends_at: at,
            status: CountStatus::Locked,
        },
        records,
        decisions: &KeyDecisions::new(),
        organisations,
        disclosure,
        generated_at: chrono::Utc::now(),
        population: &[],
    })
}

fn one_organisation() -> Vec<(String, OrganisationType)> {
    vec![("Straatteam".into(), OrganisationType::Outreach)]
}

#[test]
fn youth_adds_up_the_18_to_26_bands_and_hides_when_one_of_them_is_hidden() {
    let ages = |rows: &[(&str, Option<u64>)]| Table {
        id: "by_age_band".into(),
        title: String::new(),
        title_en: String::new(),
        dimensions: vec!["age_band".into()],
        total: None,
        rows: rows
            .iter()
            .map(|(code, n)| Row {
                key: BTreeMap::from([("age_band".to_string(), code.to_string())]),
                persons: *n,
                suppressed: n.is_none().then_some(Suppression::Primary),
                children: None,
                children_suppressed: None,
            })
            .collect(),
        multiple_answers: false,
    };
    let t = ages(&[("0-17", Some(3)), ("18-22", Some(7)), ("23-26", Some(9)), ("27-29", Some(12))]);
    assert_eq!(youth(&[t]), Some(16));
    let t = ages(&[("18-22", Some(7)), ("30-39", Some(12))]);
    assert_eq!(youth(&[t]), Some(7), "a band without a row had nobody");
    let t = ages(&[("18-22", None), ("23-26", Some(9))]);
    assert_eq!(youth(&[t]), None, "18–22 hidden: the sum would give it back");
}

#[test]
fn public_unknown_share_is_null_where_the_unknown_row_is_hidden() {
    // 40 persons: gender unknown for 3 (primary); age unknown for 6 with 2 of 18-22, so the
    // unknown row goes as the smallest other cell (secondary); household known for all.
    let known = Profile {
        age_band: AgeBand::From27To29,
        gender: Gender::Man,
        household: Household::Alone,
        ..Profile::unknown()
    };
    let records: Vec<ReportRecord> = (0..40u128)
        .map(|n| {
            let mut p = known.clone();
            if n < 3 {
                p.gender = Gender::Unknown;
            }
            if (10..16).contains(&n) {
                p.age_band = AgeBand::Unknown;
            }
            if (20..22).contains(&n) {
                p.age_band = AgeBand::From18To22;
            }
            person(n, true, 0, p)
        })
        .collect();
    let internal = report(&records, &one_organisation(), Disclosure::Internal);
    assert_eq!(internal.quality.unknown_share["gender"], Some(3.0 / 40.0));
    assert_eq!(internal.quality.unknown_share["age_band"], Some(6.0 / 40.0));
    let public = report(&records, &one_organisation(), Disclosure::Public);
    let unknown_row = |table: &str, field: &str| {
        public
            .table(table)
            .expect("table")
            .rows
            .iter()
            .find(|r| r.key[field] == "unknown")
            .expect("row")
            .suppressed
    };
    assert_eq!(unknown_row("by_gender", "gender"), Some(Suppression::Primary));
    assert_eq!(unknown_row("by_age_band", "age_band"), Some(Suppression::Secondary));
    assert_eq!(public.quality.unknown_share["gender"], None, "3 of 40 would give the 3 back");
    assert_eq!(public.quality.unknown_share["age_band"], None, "the hidden 6 of 40");
    assert_eq!(public.quality.unknown_share["household"], Some(0.0));
    assert_eq!(public.quality.unknown_share["income"], Some(1.0), "unknown for all: the row shows 40");
    let json = serde_json::to_value(&public.quality).expect("JSON");
    assert_eq!(json["unknown_share"]["gender"], serde_json::Value::Null);
}

#[test]
fn public_records_per_organisation_hide_a_second_organisation_of_the_type() {
    // Care: A 3 records, B 20; police: C 30. A alone hidden would be care (23) − B.
    let organisations: Vec<(String, OrganisationType)> = vec![
        ("A".into(), OrganisationType::Care),
        ("B".into(), OrganisationType::Care),
        ("C".into(), OrganisationType::Police),
    ];
    let records: Vec<ReportRecord> = (0..53u128)
        .map(|n| {
            person(
                n,
                true,
                if n < 3 {
                    0
                } else if n < 23 {
                    1
                } else {
                    2
                },
                Profile::unknown(),
            )
        })
        .collect();
    let public = report(&records, &organisations, Disclosure::Public);
    let q = &public.quality;
    let orgs: Vec<(Option<u64>, Option<Suppression>)> =
        q.records_per_organisation.iter().map(|o| (o.records, o.suppressed)).collect();
    assert_eq!(
        orgs,
        vec![(None, Some(Suppression::Primary)), (None, Some(Suppression::Secondary)), (Some(30), None)]
    );
    let types: Vec<(OrganisationType, Option<u64>)> =
        q.records_per_organisation_type.iter().map(|t| (t.organisation_type, t.records)).collect();
    assert!(
        types.contains(&(OrganisationType::Care, Some(23)))
            && types.contains(&(OrganisationType::Police, Some(30)))
    );
    // A type of 1–4 records among others: another type goes with it.
    let records: Vec<ReportRecord> =
        (0..33u128).map(|n| person(n, true, u32::from(n >= 3), Profile::unknown())).collect();
    let organisations: Vec<(String, OrganisationType)> =
        vec![("A".into(), OrganisationType::Care), ("C".into(), OrganisationType::Police)];
    let public = report(&records, &organisations, Disclosure::Public);
    assert!(
        public.quality.records_per_organisation_type.iter().all(|t| t.records.is_none()),
        "{:?}",
        public.quality
    );
    assert_eq!(public.records_counted, Some(33), "the total stays");
}

#[test]
fn public_records_without_key_go_when_the_linkable_persons_are_one_to_four() {
    // 2 keyed persons and 28 keyless: persons_total − records_without_key would be the 2.
    let records: Vec<ReportRecord> = (0..30u128).map(|n| person(n, n < 2, 0, Profile::unknown())).collect();
    let internal = report(&records, &one_organisation(), Disclosure::Internal);
    assert_eq!((internal.persons_total, internal.records_without_key), (Some(30), Some(28)));
    let public = report(&records, &one_organisation(), Disclosure::Public);
    assert_eq!((public.persons_total, public.records_without_key), (Some(30), None));
}

#[test]
fn public_training_and_void_records_of_1_to_4_are_hidden_and_so_is_one_more_figure_of_their_line() {
    // api.md: every headline figure follows the cell rule; counted + training + void = total.
    let training = |n: u128| {
        let mut r = person(n, true, 0, Profile::unknown());
        r.training = true;
        r
    };
    // 30 counted persons and 2 training records: total − counted would give the 2 back.
    let mut records: Vec<ReportRecord> =
        (0..30u128).map(|n| person(n, true, 0, Profile::unknown())).collect();
    records.extend([training(100), training(101)]);
    let internal = report(&records, &one_organisation(), Disclosure::Internal);
    let figures = |r: &Report| (r.records_counted, r.records_training, r.records_void, r.records_total);
    assert_eq!(figures(&internal), (Some(30), Some(2), Some(0), Some(32)));
    let public = report(&records, &one_organisation(), Disclosure::Public);
    assert_eq!(figures(&public), (Some(30), None, Some(0), None));

    // A count with one training record only: nothing of it shows, and nothing is implied.
    let public = report(&[training(1)], &one_organisation(), Disclosure::Public);
    assert_eq!(figures(&public), (Some(0), None, Some(0), None));
}

/// Whether hidden figure `i` follows from the shown ones by the lines `rows` (each a row of
/// coefficients summing to zero): whether e_i lies in the row space of the hidden columns.
pub(super) fn determined<R: AsRef<[f64]>>(rows: &[R], hidden: &[usize], i: usize) -> bool {
    let rank = |mut m: Vec<Vec<f64>>| {
        let mut rank = 0;
        for col in 0..m.first().map_or(0, Vec::len) {
            let Some(pivot) = (rank..m.len()).find(|&r| m[r][col].abs() > 1e-9) else { continue };
            m.swap(rank, pivot);
            for r in 0..m.len() {
                if r != rank {
                    let f = m[r][col] / m[rank][col];
                    let pivot_row = m[rank].clone();
                    m[r].iter_mut().zip(&pivot_row).for_each(|(x, p)| *x -= f * p);
                }
            }
            rank += 1;
        }
        rank
    };
    let restricted: Vec<Vec<f64>> =
        rows.iter().map(|r| hidden.iter().map(|&h| r.as_ref()[h]).collect()).collect();
    let mut with_unit = restricted.clone();
    with_unit.push(hidden.iter().map(|&h| if h == i { 1.0 } else { 0.0 }).collect());
    rank(restricted) == rank(with_unit)
}

#[test]
fn no_public_headline_figure_is_1_to_4_or_follows_from_the_shown_ones_by_the_three_sums() {
    // Figures: persons, children, persons incl. children, merged, counted, training, void, all.
    let rows = [
        [1.0, 1.0, -1.0, 0.0, 0.0, 0.0, 0.0, 0.0], // persons + children = including
        [1.0, 0.0, 0.0, 1.0, -1.0, 0.0, 0.0, 0.0], // persons + merged = counted
        [0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, -1.0], // counted + training + void = all
    ];
    let mut checked = 0;
    for persons in 0..=9u64 {
        for children in 0..=6u64 {
            for merged in 0..=6u64 {
                for training in 0..=6u64 {
                    for void in 0..=6u64 {
                        let counted = persons + merged;
                        let t = crate::counting::Totals {
                            persons_total: persons,
                            accompanying_children: children,
                            persons_including_children: persons + children,
                            duplicate_records_merged: merged,
                            records_counted: counted,
                            records_training: training,
                            records_void: void,
                            records_total: counted + training + void,
                            ..Default::default()
                        };
                        let h = headline_sums(&t, is_small(persons), is_small(children), true);
                        let persons_shown = (!is_small(persons)).then_some(persons);
                        let children_shown = (!is_small(children)).then_some(children);
                        let shown = [
                            persons_shown,
                            children_shown,
                            h.including,
                            h.merged,
                            h.counted,
                            h.training,
                            h.void,
                            h.records_total,
                        ];
                        let values = [
                            persons,
                            children,
                            persons + children,
                            merged,
                            counted,
                            training,
                            void,
                            t.records_total,
                        ];
                        for (i, s) in shown.iter().enumerate() {
                            assert!(
                                s.is_none_or(|n| !is_small(n)),
                                "figure {i} shows 1–4: {values:?} → {shown:?}"
                            );
                            assert!(s.is_none_or(|n| n == values[i]), "figure {i} shown wrong: {values:?}");
                        }
                        let hidden: Vec<usize> = (0..8).filter(|&i| shown[i].is_none()).collect();
                        for &i in &hidden {
                            // A hidden zero may follow (nothing to protect); a hidden count may not.
                            if values[i] > 0 {
                                assert!(
                                    !determined(&rows, &hidden, i),
                                    "hidden figure {i} = {} follows from the shown ones: {values:?} → {shown:?}",
                                    values[i]
                                );
                            }
                        }
                        checked += 1;
                    }
                }
            }
        }
    }
    assert_eq!(checked, 10 * 7 * 7 * 7 * 7);
}

#[test]
fn public_merged_duplicates_of_1_to_4_are_hidden_with_the_counted_records_when_persons_show() {
    // 30 persons, 2 of them recorded twice: counted − persons would give the 2 back.
    let mut records: Vec<ReportRecord> =
        (0..30u128).map(|n| person(n, true, 0, Profile::unknown())).collect();
    records.extend([0u128, 1].map(|n| {
        let mut again = person(n, true, 0, Profile::unknown());
        again.id = Uuid::from_u128(1000 + n);
        again
    }));
    let internal = report(&records, &one_organisation(), Disclosure::Internal);
    assert_eq!(
        (internal.persons_total, internal.duplicate_records_merged, internal.records_counted),
        (Some(30), Some(2), Some(32))
    );
    assert!(internal.headline_suppressed.is_empty());
    let public = report(&records, &one_organisation(), Disclosure::Public);
    assert_eq!(
        (public.persons_total, public.duplicate_records_merged, public.records_counted),
        (Some(30), None, None)
    );
    // Counted records are part of the records line too: one more figure of it goes.
    assert_eq!(
        (public.records_training, public.records_void, public.records_total),
        (Some(0), Some(0), None)
    );
    let why = |name: &str| public.headline_suppressed.get(name).copied();
    assert_eq!(why("duplicate_records_merged"), Some(Suppression::Primary));
    assert_eq!(why("records_counted"), Some(Suppression::Secondary));
    assert_eq!(why("records_total"), Some(Suppression::Secondary));
}
