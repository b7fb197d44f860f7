//! Tests of the desk's one-page form.

#![allow(clippy::unwrap_used)]
use super::*;
use chrono::DateTime;
use ethos_shared::dedup_key::dedup_key;
use ethos_shared::ethos::LivingSituation;
use ethos_shared::profile::{AgeBand, CareNeeds, Gender, Household};

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn count(status: CountStatus) -> Count {
    Count {
        id: Uuid::from_u128(1),
        name: "Telling".into(),
        reference_date: date("2026-10-15"),
        starts_at: DateTime::parse_from_rfc3339("2026-10-15T20:00:00+02:00").unwrap(),
        ends_at: DateTime::parse_from_rfc3339("2026-10-16T08:00:00+02:00").unwrap(),
        status,
    }
}

fn region(code: &str) -> RegionCode {
    code.to_string().try_into().unwrap()
}

#[test]
fn a_desk_link_carries_the_team_code_in_the_fragment() {
    assert_eq!(desk_code_from("#code=k7pq-2qxm"), Some("K7PQ-2QXM".to_string()));
    assert_eq!(desk_code_from(""), None);
}

#[test]
fn birth_dates_are_read_as_dutch_desks_type_them() {
    let today = date("2026-12-06");
    for typed in ["17-05-1980", "17/5/1980", "17.05.1980", "17051980", "1980-05-17", " 17-5-1980 "] {
        assert_eq!(parse_typed_date(typed, today), Some(date("1980-05-17")), "{typed}");
    }
    for bad in ["17-05-80", "31-02-1980", "1-1-1899", "01-01-2027", "", "abc", "17-05-19x0"] {
        assert_eq!(parse_typed_date(bad, today), None, "{bad}");
    }
}

#[test]
fn a_known_person_becomes_a_record_of_the_reference_night_with_band_and_key() {
    let mut a = Answers::new(Some(region("GM0935")));
    a.living_situation = Some(LivingSituation::HomelessHostel);
    a.origin = Origin::Municipality { code: "GM0917".to_string().try_into().unwrap() };
    a.profile.gender = Gender::Man;
    a.profile.household = Household::Alone;
    let who = Identity {
        first_name: "Jan".into(),
        family_name: "van der Berg".into(),
        birth_date: Some(date("1980-05-17")),
    };
    let r = a.to_record(&who, &count(CountStatus::Live), "test-secret", Uuid::from_u128(9)).unwrap();

    assert_eq!(r.observed_at, count(CountStatus::Live).starts_at, "the reference night");
    assert_eq!(r.entry, Entry::Desk);
    assert_eq!(r.profile.age_band, AgeBand::From40To49, "46 on 2026-10-15");
    assert_eq!(r.profile.children, Children::Count(0), "alone: no children staying");
    assert_eq!(
        r.dedup_key.as_ref().map(|k| k.as_str()),
        Some("f8108182fceecee89eba6a4c24ef082b45665411e020779334f04f10cc5c167a"),
        "domain.md's vector"
    );
    assert_eq!(
        r.dedup_key,
        dedup_key("test-secret", "Jan", "van der Berg", Some(date("1980-05-17")), Gender::Man)
    );
    assert!(!r.training);
    let json = r.canonical_json();
    for secret in ["Jan", "Berg", "1980"] {
        assert!(!json.contains(secret), "{secret} in {json}");
    }
}

#[test]
fn without_a_birth_date_the_estimate_stands_and_there_is_no_key() {
    let mut a = Answers::new(Some(region("GM0935")));
    a.living_situation = Some(LivingSituation::PublicSpace);
    a.profile.age_band = AgeBand::From23To26;
    let who = Identity { first_name: "Jan".into(), family_name: "Berg".into(), birth_date: None };
    let r = a.to_record(&who, &count(CountStatus::Training), "s", Uuid::from_u128(9)).unwrap();
    assert_eq!(r.profile.age_band, AgeBand::From23To26);
    assert_eq!(r.dedup_key, None);
    assert!(r.training, "a count in training makes training records");
}

#[test]
fn the_required_questions_are_named_when_missing() {
    let a = Answers::new(None);
    let errors =
        a.to_record(&Identity::default(), &count(CountStatus::Live), "s", Uuid::from_u128(9)).unwrap_err();
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["living_situation", "municipality"]);
}

#[test]
fn rest_unknown_clears_the_questions_from_the_given_one_on() {
    let mut a = Answers::new(None);
    a.profile.gender = Gender::Woman;
    a.profile.household = Household::Alone;
    a.profile.care_needs = CareNeeds::None;
    a.rest_unknown("household");
    assert_eq!(a.profile.gender, Gender::Woman, "before it: kept");
    assert_eq!(a.profile.household, Household::Unknown);
    assert_eq!(a.profile.care_needs, CareNeeds::Unknown);
}

#[test]
fn answers_are_numbered_for_one_key_with_unknown_as_zero() {
    let options = numbered(
        &[("alone", "alleen"), ("with_partner", "met partner"), ("unknown", "onbekend")],
        "onbekend",
    );
    assert_eq!(
        options,
        vec![
            ("unknown", "0 onbekend".to_string()),
            ("alone", "1 alleen".into()),
            ("with_partner", "2 met partner".into())
        ]
    );
}

#[test]
fn the_origin_field_finds_places_abroad_and_unknown() {
    let hits = origin_options("hoensbroek", Lang::Nl, 5);
    assert_eq!(hits[0].origin, Origin::Municipality { code: "GM0917".to_string().try_into().unwrap() });
    assert!(hits[0].label.starts_with("Hoensbroek → Heerlen"), "{}", hits[0].label);
    assert_eq!(origin_options("buit", Lang::Nl, 5)[0].origin, Origin::Abroad);
    assert_eq!(origin_options("onb", Lang::Nl, 5)[0].origin, Origin::Unknown);
    assert!(origin_options("  ", Lang::Nl, 5).is_empty());
}

#[test]
fn every_option_of_every_select_sets_its_answer_and_reads_back() {
    for q in profile_order().into_iter().filter(|q| *q != "care_needs") {
        for lang in [Lang::Nl, Lang::En] {
            let options = profile_options(q, lang);
            assert!(options.len() > 2, "{q:?}");
            assert_eq!(options[0].0, "unknown", "{q:?}: unknown first, the default");
            for (value, _) in &options {
                let mut a = Answers::new(None);
                assert!(a.set_code(q, value), "{q:?} {value}");
                assert_eq!(&a.code_of(q), value);
            }
        }
    }
    let mut a = Answers::new(None);
    assert!(a.set_code("care_needs", "psychiatric,addiction"));
    assert_eq!(a.code_of("care_needs"), "psychiatric,addiction");
    assert!(!a.set_code("children", "21"));
    assert!(!a.set_code("gender", "m"));
}

/// A man entered at the desk in a live count: who he is, the count, his record.
fn entered_man() -> (Identity, Count, Record) {
    let mut a = Answers::new(Some(region("GM0935")));
    a.living_situation = Some(LivingSituation::HomelessHostel);
    a.profile.gender = Gender::Man;
    let who = Identity {
        first_name: "Jan".into(),
        family_name: "van der Berg".into(),
        birth_date: Some(date("1980-05-17")),
    };
    let live = count(CountStatus::Live);
    let record = a.to_record(&who, &live, "test-secret", Uuid::from_u128(9)).unwrap();
    (who, live, record)
}

#[test]
fn a_correction_keeps_the_id_key_and_age_band_unless_the_names_are_typed_again() {
    let (_, live, original) = entered_man();

    // The form filled from the record, one answer changed, no names typed.
    let mut fix = Answers::of_record(&original);
    assert_eq!(fix.living_situation, Some(LivingSituation::HomelessHostel));
    fix.living_situation = Some(LivingSituation::PublicSpace);
    let nobody = Identity { first_name: String::new(), family_name: String::new(), birth_date: None };
    let corrected = fix.correction_of(&original, &nobody, &live, "test-secret").unwrap();
    assert_eq!(corrected.id, original.id, "the same record");
    assert_eq!(corrected.living_situation, LivingSituation::PublicSpace);
    assert_eq!(corrected.dedup_key, original.dedup_key, "the key stays without names");
    assert_eq!(corrected.profile.age_band, AgeBand::From40To49, "the band stays without a birth date");
    assert_eq!(corrected.observed_at, original.observed_at);

    // Names and birth date typed again (another person after all): the key and band follow.
    let other = Identity {
        first_name: "Piet".into(),
        family_name: "Jansen".into(),
        birth_date: Some(date("1999-12-31")),
    };
    let renamed = fix.correction_of(&original, &other, &live, "test-secret").unwrap();
    assert_eq!(
        renamed.dedup_key,
        dedup_key("test-secret", "Piet", "Jansen", Some(date("1999-12-31")), Gender::Man)
    );
    assert_ne!(renamed.profile.age_band, AgeBand::From40To49);
}

#[test]
fn a_changed_gender_needs_the_names_and_birth_date_again_for_a_new_key() {
    let (who, live, original) = entered_man();
    let mut fix = Answers::of_record(&original);
    fix.profile.gender = Gender::Woman;

    let nobody = Identity { first_name: String::new(), family_name: String::new(), birth_date: None };
    let fields: Vec<(String, FieldErrorCode)> = fix
        .correction_of(&original, &nobody, &live, "test-secret")
        .unwrap_err()
        .into_iter()
        .map(|e| (e.field, e.code))
        .collect();
    let missing = |f: &str| (f.to_string(), FieldErrorCode::Missing);
    assert_eq!(fields, vec![missing("first_name"), missing("family_name"), missing("birth_date")]);

    let corrected = fix.correction_of(&original, &who, &live, "test-secret").unwrap();
    assert_eq!(
        corrected.dedup_key,
        dedup_key("test-secret", "Jan", "van der Berg", Some(date("1980-05-17")), Gender::Woman)
    );
    assert_ne!(corrected.dedup_key, original.dedup_key);

    // Corrected to unknown: no key can be made with it, so there is none (names or not).
    fix.profile.gender = Gender::Unknown;
    let unknown = fix.correction_of(&original, &nobody, &live, "test-secret").unwrap();
    assert_eq!(unknown.dedup_key, None);
    assert_eq!(fix.correction_of(&original, &who, &live, "test-secret").unwrap().dedup_key, None);
}
