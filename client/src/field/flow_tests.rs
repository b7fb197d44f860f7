//! Tests of `flow`.

#![allow(clippy::unwrap_used)]
use super::*;
use ethos_shared::profile::{CareNeed, CareNeeds};

fn now() -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2026-10-15T22:40:00+02:00").unwrap()
}

#[test]
fn every_living_situation_is_reached_by_exactly_one_answer() {
    for s in LivingSituation::ALL {
        let n = SLEPT_WHERE.iter().filter(|b| b.situations.contains(s)).count();
        assert_eq!(n, 1, "{}", s.code());
    }
}

#[test]
fn a_draft_with_only_the_required_answers_is_a_valid_record_with_unknowns() {
    let mut d = Draft::new(Some(RegionCode::try_from("GM0935".to_string()).unwrap()), false);
    d.living_situation = Some(L::PublicSpace);
    let id = Uuid::from_u128(7);

    let r = d.to_record(id, now()).unwrap();

    assert_eq!((r.id, r.revision, r.origin.clone()), (id, 1, Origin::Unknown));
    assert_eq!(r.profile, Profile::unknown());
    assert_eq!(r.observed_at, now());
}

#[test]
fn a_draft_without_living_situation_or_municipality_says_what_is_missing() {
    let d = Draft::new(None, false);
    let errs = d.to_record(Uuid::from_u128(1), now()).unwrap_err();
    let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, vec!["living_situation", "municipality"]);
}

#[test]
fn the_identity_gives_the_age_band_on_the_reference_date_and_the_shared_key() {
    let id = Identity {
        first_name: "Jan".into(),
        family_name: "van der Berg".into(),
        birth_date: NaiveDate::from_ymd_opt(1980, 5, 17),
    };
    let d = id.derive(Gender::Man, NaiveDate::from_ymd_opt(2026, 10, 15).unwrap(), "test-secret");
    assert_eq!(d.age_band, Some(AgeBand::From40To49));
    assert_eq!(
        d.dedup_key.unwrap().as_str(),
        "f8108182fceecee89eba6a4c24ef082b45665411e020779334f04f10cc5c167a"
    );
}

#[test]
fn without_birth_date_or_gender_there_is_no_key() {
    let mut id = Identity { first_name: "Jan".into(), family_name: "Berg".into(), birth_date: None };
    let on = NaiveDate::from_ymd_opt(2026, 10, 15).unwrap();
    assert_eq!(id.derive(Gender::Man, on, "s"), Derived { age_band: None, dedup_key: None });
    id.birth_date = NaiveDate::from_ymd_opt(1990, 1, 1);
    assert_eq!(id.derive(Gender::Unknown, on, "s").dedup_key, None);
}

#[test]
fn an_enrol_link_carries_the_code_in_its_fragment() {
    assert_eq!(enrol_code_from("/enroll", "#code=k7pq-2qxm"), Some("K7PQ-2QXM".into()));
    assert_eq!(enrol_code_from("/enroll", "#x=1&code=AB12"), Some("AB12".into()));
    assert_eq!(enrol_code_from("/enroll", ""), None);
    assert_eq!(enrol_code_from("/enroll", "#code="), None);
    assert_eq!(enrol_code_from("/", "#code=AB12"), None);
}

#[test]
fn birth_dates_in_the_future_or_before_1900_are_refused() {
    let today = NaiveDate::from_ymd_opt(2026, 10, 15).unwrap();
    assert!(parse_birth_date("1980-05-17", today).is_some());
    assert!(parse_birth_date("2027-01-01", today).is_none());
    assert!(parse_birth_date("1899-12-31", today).is_none());
    assert!(parse_birth_date("17-05-1980", today).is_none());
}

#[test]
fn living_alone_implies_no_children_and_skips_that_question() {
    let mut d = Draft::new(None, false);
    assert!(set_answer(&mut d, Step::Household, "alone"));
    assert_eq!(d.profile.children, Children::Count(0));
    assert_eq!(Step::Household.next(&d), Step::Duration);
    assert_eq!(Step::Duration.prev(&d), Some(Step::Household));
    assert!(set_answer(&mut d, Step::Household, "with_children"));
    assert_eq!(d.profile.children, Children::Unknown);
    assert_eq!(Step::Household.next(&d), Step::Children);
}

#[test]
fn every_choice_question_offers_unknown_and_accepts_its_codes() {
    for step in [
        Step::Household,
        Step::Duration,
        Step::ResidenceStatus,
        Step::Income,
        Step::PreviousFacility,
        Step::HousingNeed,
    ] {
        let codes = choices(step, Lang::Nl);
        assert_eq!(codes.last().unwrap().0, "unknown", "{step:?}");
        for (code, _) in codes {
            let mut d = Draft::new(None, false);
            assert!(set_answer(&mut d, step, code), "{step:?} {code}");
            assert_eq!(current_code(&d, step), Some(code));
        }
    }
    let mut d = Draft::new(None, false);
    assert!(set_answer(&mut d, Step::CareNeeds, "addiction"));
    assert_eq!(d.profile.care_needs, CareNeeds::Needs(vec![CareNeed::Addiction]));
    assert!(!set_answer(&mut d, Step::Income, "lottery"));
}

#[test]
fn a_corrected_record_keeps_its_id_and_time() {
    let mut d = Draft::new(Some(RegionCode::try_from("GM0981".to_string()).unwrap()), true);
    d.living_situation = Some(L::NightShelter);
    let first = d.to_record(Uuid::from_u128(1), now()).unwrap();
    let again =
        Draft::from_record(&first).to_record(Uuid::from_u128(2), now() + chrono::Duration::hours(1)).unwrap();
    assert_eq!(again, first);
    assert!(again.training);
}

#[test]
fn rest_unknown_answers_the_remaining_profile_questions_unknown_and_keeps_earlier_ones() {
    let mut d = Draft::new(Some(RegionCode::try_from("GM0935".to_string()).unwrap()), false);
    d.living_situation = Some(L::NightShelter);
    assert!(set_answer(&mut d, Step::Household, "alone"));
    assert!(set_answer(&mut d, Step::Duration, "1-2y"));
    assert!(set_answer(&mut d, Step::Income, "benefit"));
    d.rest_unknown(Step::Income);
    assert_eq!(current_code(&d, Step::Household), Some("alone"), "answered before: kept");
    assert_eq!(current_code(&d, Step::Duration), Some("1-2y"));
    for step in [Step::Income, Step::PreviousFacility, Step::HousingNeed] {
        assert_eq!(current_code(&d, step), Some("unknown"), "{step:?}");
    }
    assert_eq!(d.profile.care_needs, CareNeeds::Unknown);
    assert!(d.to_record(Uuid::from_u128(1), now()).is_ok(), "the review can save it at once");
}

#[test]
fn a_draft_counts_as_started_once_answered_and_survives_storage_as_json() {
    let fresh = Draft::new(Some(RegionCode::try_from("GM0935".to_string()).unwrap()), false);
    assert!(!fresh.is_started(), "the remembered municipality alone is no answer");
    let mut d = fresh.clone();
    d.living_situation = Some(L::PublicSpace);
    assert!(d.is_started());
    let saved = SavedDraft { draft: d, step: Step::Origin };
    let text = serde_json::to_string(&saved).unwrap();
    assert_eq!(serde_json::from_str::<SavedDraft>(&text).unwrap(), saved);
}
