use super::*;
use crate::record::{MunicipalityCode, Origin};

fn record(municipality: &str, origin: Origin, profile: Profile) -> Record {
    Record {
        id: Uuid::from_u128(1),
        revision: 1,
        observed_at: chrono::DateTime::parse_from_rfc3339("2026-10-15T22:00:00+02:00").expect("a time"),
        municipality: municipality.to_string().try_into().expect("a region code"),
        living_situation: LivingSituation::PublicSpace,
        origin,
        dedup_key: None,
        profile,
        training: false,
        entry: crate::record::Entry::Field,
    }
}

fn from_code(code: &str) -> Origin {
    Origin::Municipality { code: MunicipalityCode::try_from(code.to_string()).expect("a code") }
}

/// Round trip, and the attributes say what the record says.
fn check(r: &Record) {
    let a = Attributes::of(r).expect("attributes");
    assert_eq!(Attributes::unpack(a.pack()), Some(a), "{r:?}");
    assert!(a.pack() >= 0);
    let g = a.municipality.gemeente().expect("a municipality");
    assert_eq!(g.code, r.municipality.as_str());
    let origin = match a.origin {
        OriginPlace::Municipality(p) => from_code(&p.gemeente().expect("a municipality").code),
        OriginPlace::Abroad => Origin::Abroad,
        OriginPlace::Unknown => Origin::Unknown,
    };
    assert_eq!(origin, r.origin);
    // Member by member: a profile field the attributes do not carry keeps the record's value.
    let mut p = r.profile.clone();
    p.age_band = a.age_band;
    p.gender = a.gender;
    p.household = a.household;
    p.children = a.children;
    p.duration = a.duration;
    p.residence_status = a.residence_status;
    p.income = a.income;
    p.care_needs = a.care_needs.to_care_needs();
    p.previous_facility = a.previous_facility;
    p.housing_need = a.housing_need;
    assert_eq!(p, r.profile);
    assert_eq!(a.living_situation, r.living_situation);
}

fn all_care_needs() -> Vec<CareNeeds> {
    let mut all = vec![CareNeeds::None, CareNeeds::Unknown];
    for bits in 1u8..16 {
        let codes: Vec<&str> = CareNeed::ALL
            .iter()
            .enumerate()
            .filter(|(i, _)| bits & 1 << i != 0)
            .map(|(_, n)| n.code())
            .collect();
        all.push(CareNeeds::from_codes(&codes).expect("needs"));
    }
    all
}

#[test]
fn every_value_of_every_field_round_trips() {
    let base = record("GM0935", Origin::Unknown, Profile::unknown());
    for s in LivingSituation::ALL {
        check(&Record { living_situation: *s, ..base.clone() });
    }
    for g in municipality::region() {
        check(&record(&g.code, Origin::Abroad, Profile::unknown()));
    }
    for g in municipality::all() {
        check(&record("GM0994", from_code(&g.code), Profile::unknown()));
    }
    let with = |f: &dyn Fn(&mut Profile)| {
        let mut p = Profile::unknown();
        f(&mut p);
        check(&record("GM1903", Origin::Abroad, p));
    };
    for v in AgeBand::ALL {
        with(&|p| p.age_band = *v);
    }
    for v in Gender::ALL {
        with(&|p| p.gender = *v);
    }
    for v in Household::ALL {
        with(&|p| p.household = *v);
    }
    for n in 0..=Children::MAX {
        with(&|p| p.children = Children::Count(n));
    }
    for v in Duration::ALL {
        with(&|p| p.duration = *v);
    }
    for v in ResidenceStatus::ALL {
        with(&|p| p.residence_status = *v);
    }
    for v in Income::ALL {
        with(&|p| p.income = *v);
    }
    for v in all_care_needs() {
        with(&|p| p.care_needs = v.clone());
    }
    for v in PreviousFacility::ALL {
        with(&|p| p.previous_facility = *v);
    }
    for v in HousingNeed::ALL {
        with(&|p| p.housing_need = *v);
    }
}

#[test]
fn the_largest_values_of_every_field_round_trip() {
    let last = |all: &[LivingSituation]| all[all.len() - 1];
    // `unknown` is the last value of every field.
    let p = Profile::unknown();
    let r = Record {
        living_situation: last(LivingSituation::ALL),
        entry: Entry::Sheet,
        ..record("GM1903", Origin::Unknown, p)
    };
    check(&r);
    let a = Attributes::of(&r).expect("attributes");
    assert!(a.pack() < VALUES as i64);
    assert_eq!(Attributes::unpack(VALUES as i64 - 1), None, "GM9999 is not a place");
}

#[test]
fn the_encoding_is_pinned() {
    // Stored values must keep their meaning: a change here needs the stored values rewritten.
    let mut p = Profile::unknown();
    p.age_band = AgeBand::From23To26;
    p.gender = Gender::Woman;
    p.household = Household::WithChildren;
    p.children = Children::Count(2);
    p.duration = Duration::OneToTwoYears;
    p.residence_status = ResidenceStatus::Eu;
    p.income = Income::Benefit;
    p.care_needs = CareNeeds::from_codes(&["addiction", "physical"]).expect("needs");
    p.previous_facility = PreviousFacility::Detention;
    p.housing_need = HousingNeed::HousingFirst;
    let r = Record {
        living_situation: LivingSituation::FamilyOrFriends,
        ..record("GM0935", from_code("GM0363"), p)
    };
    let a = Attributes::of(&r).expect("attributes");
    let digits = [13, 2, 935, 363, 2, 1, 2, 4, 1, 2, 0b1010, 3, 2, 0];
    let expected = digits.iter().zip(RADICES).rev().fold(0u64, |acc, (d, r)| acc * r + d);
    assert_eq!(a.pack(), expected as i64);
    assert_eq!(RADICES, [24, 22, 10_000, 10_002, 9, 4, 5, 8, 5, 5, 17, 10, 6, 3]);
    assert_eq!(PACKING_VERSION, 2);
    // Version 2 added `entry` on top: a field record packs as in version 1.
    assert_eq!(a.pack(), 763_252_172_227_213_741);
    let desk = Attributes::of(&Record { entry: Entry::Desk, ..r }).expect("attributes");
    let below_entry: u64 = RADICES[..13].iter().product();
    assert_eq!(desk.pack(), 763_252_172_227_213_741 + below_entry as i64);
    assert_eq!(Attributes::unpack(desk.pack()).map(|a| a.entry), Some(Entry::Desk));
}

#[test]
fn values_that_pack_does_not_make_are_refused() {
    let r = record("GM0935", Origin::Abroad, Profile::unknown());
    let good = Attributes::of(&r).expect("attributes").pack();
    assert!(Attributes::unpack(good).is_some());
    assert_eq!(Attributes::unpack(-1), None);
    assert_eq!(Attributes::unpack(VALUES as i64), None);
    assert_eq!(Attributes::unpack(i64::MAX), None);
    // Counted in Groningen (GM0014): in the list, not in the region.
    let groningen = good - 24 * 22 * (935 - 14);
    assert_eq!(Attributes::unpack(groningen), None);
    // Counted in GM0001, which is no municipality.
    assert_eq!(Attributes::unpack(good - 24 * 22 * 934), None);
    // Origin GM0001.
    assert_eq!(Attributes::unpack(good - 24 * 22 * 10_000 * (10_000 - 1)), None);
}

#[test]
fn places_are_the_codes_of_the_list() {
    assert_eq!(Place::of("GM0935").map(Place::number), Some(935));
    assert!(Place::of("GM0935").is_some_and(Place::in_region));
    assert!(Place::of("GM0014").is_some_and(|p| !p.in_region()));
    for bad in ["GM9999", "GM935", "gm0935", "GM09351", "0935", "", "GM+935"] {
        assert_eq!(Place::of(bad), None, "{bad}");
    }
    for g in municipality::all() {
        let place = Place::of(&g.code).expect("every code of the list is GM and four digits");
        assert_eq!(place.gemeente(), Some(g));
    }
}

#[test]
fn a_report_record_counts_like_the_record_it_comes_from() {
    let owned = CountedRecord {
        id: Uuid::from_u128(7),
        observed_at: chrono::DateTime::parse_from_rfc3339("2026-10-15T22:00:00.5+02:00").expect("a time"),
        dedup_key: Some(
            crate::record::DedupKey::try_from(
                "f8108182fceecee89eba6a4c24ef082b45665411e020779334f04f10cc5c167a".to_string(),
            )
            .expect("a key"),
        ),
        training: true,
        void: true,
        municipality: "GM0938".to_string().try_into().expect("a region code"),
        living_situation: LivingSituation::NightShelter,
        origin: Origin::Abroad,
        profile: Profile { children: Children::Count(3), ..Profile::unknown() },
        organisation: 4,
    };
    let slim = ReportRecord::from_counted(&owned).expect("a report record");
    assert_eq!(slim.id(), owned.id());
    assert_eq!(slim.observed_at(), owned.observed_at());
    assert_eq!(slim.dedup_key(), owned.dedup_key());
    assert_eq!((slim.is_training(), slim.is_void()), (true, true));
    assert_eq!(slim.living_situation(), LivingSituation::NightShelter);
    assert_eq!(slim.children(), Children::Count(3));
    assert_eq!(slim.organisation, 4);
}

#[test]
fn the_digits_of_the_field_table_pack_a_record_as_its_attributes_do() {
    let mut p = Profile::unknown();
    p.age_band = AgeBand::From50To64;
    p.children = Children::Count(Children::MAX);
    p.care_needs = CareNeeds::from_codes(&["physical"]).expect("needs");
    p.housing_need = HousingNeed::Independent;
    let records = [
        record("GM0935", Origin::Unknown, Profile::unknown()),
        record("GM1903", from_code("GM0363"), p.clone()),
        Record { entry: Entry::Sheet, ..record("GM0994", Origin::Abroad, p) },
    ];
    for r in &records {
        let a = Attributes::of(r).expect("attributes");
        assert_eq!(pack_record(r), Some(a.pack()), "{r:?}");
    }
    let too_many = Profile { children: Children::Count(Children::MAX + 1), ..Profile::unknown() };
    assert_eq!(pack_record(&record("GM0935", Origin::Unknown, too_many)), None);
    let places: Vec<usize> = DIGITS.iter().map(|d| d.place).collect();
    assert_eq!(places, (0..DIGIT_COUNT).collect::<Vec<_>>());
}

#[test]
fn the_unknown_flags_follow_the_profile_fields_of_the_packing() {
    // The profile fields with a digit, in the order of the table; a profile field the packing
    // does not carry has no unknown share in the report.
    let names: Vec<&str> = unknown_fields().collect();
    let packed: Vec<&str> = FIELDS
        .iter()
        .filter(|f| matches!(f.report, ReportEncoding::Digit(_)))
        .filter_map(|f| f.profile_name())
        .collect();
    assert_eq!(names, packed);
    assert_eq!(names.len(), UNKNOWN_FIELD_COUNT);
    for name in ["age_band", "children", "care_needs", "housing_need"] {
        assert!(names.contains(&name), "{name}");
    }
    let all_unknown =
        Attributes::of(&record("GM0935", Origin::Unknown, Profile::unknown())).expect("attributes");
    assert_eq!(all_unknown.unknowns(), [true; UNKNOWN_FIELD_COUNT]);
    let mut p = Profile::unknown();
    p.gender = Gender::Woman;
    p.care_needs = CareNeeds::None;
    p.children = Children::Count(0);
    let a = Attributes::of(&record("GM0935", Origin::Unknown, p)).expect("attributes");
    let known: Vec<&str> = names.iter().zip(a.unknowns()).filter(|(_, u)| !u).map(|(n, _)| *n).collect();
    assert_eq!(known, ["gender", "children", "care_needs"]);
}
