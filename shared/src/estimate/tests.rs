use super::*;
use crate::report::Disclosure;

/// Captures from `(history, persons)` pairs, e.g. `(&["care", "shelter"], 12)`.
pub(super) fn captures(histories: &[(&[&str], u64)], unlinkable: u64) -> Captures {
    let linkable = histories.iter().flat_map(|&(h, n)| (0..n).map(move |_| (true, h.iter().copied())));
    let keyless = (0..unlinkable).map(|_| (false, ["outreach"].iter().copied()));
    Captures::from_people(linkable.chain(keyless))
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

// --- Chapman and Chao -------------------------------------------------------------------------

#[test]
fn chapman_and_chao_interval_match_hand_computed_values() {
    // n1 = 5, n2 = 4, m = 1 (M = 8):
    //   N   = 6·5/2 − 1 = 14,  f0 = N − M = 6
    //   var = 6·5·4·3 / (2²·3) = 30
    //   C   = exp(1.96·√ln(1 + 30/36)) = exp(1.96·√0.6061358…) = exp(1.5259520…) = 4.5995229…
    //   interval = [8 + 6/C, 8 + 6·C] = [9.3044831…, 35.5971376…]
    let c = chapman::chapman(5, 4, 1);
    assert_eq!(c.observed, 8.0);
    assert_eq!(c.estimate, 14.0);
    assert_eq!(c.variance, 30.0);
    assert!(close(c.lower, 9.304_483_113_254_761, 1e-9), "{}", c.lower);
    assert!(close(c.upper, 35.597_137_620_415_72, 1e-9), "{}", c.upper);

    // n1 = 60, n2 = 40, m = 12 (M = 88), in exact fractions:
    //   N = 61·41/13 − 1 = 2488/13,  var = 61·41·48·28/(13²·14) = 240096/169,  f0 = 1344/13
    //   C = exp(1.96·√ln(1 + var/f0²)) = 1.9985113…
    let c = chapman::chapman(60, 40, 12);
    assert!(close(c.estimate, 2488.0 / 13.0, 1e-12));
    assert!(close(c.variance, 240_096.0 / 169.0, 1e-9));
    assert!(close(c.lower, 139.730_812_405_552_43, 1e-9), "{}", c.lower);
    assert!(close(c.upper, 294.615_326_556_859_5, 1e-9), "{}", c.upper);
}

#[test]
fn two_sources_estimate_with_chapman() {
    let cap = captures(&[(&["shelter"], 48), (&["care"], 28), (&["care", "shelter"], 12)], 0);
    let f = fit(&cap).expect("an estimate");
    assert_eq!(f.method, Method::Chapman);
    assert_eq!(f.observed, 88);
    assert!(close(f.estimate, 2488.0 / 13.0, 1e-9));
    assert!(close(f.unseen, 2488.0 / 13.0 - 88.0, 1e-9));
    assert_eq!(f.aic, None);
    assert_eq!(f.warnings, vec![Warning::SmallOverlap], "12 persons in the overlap");
}

#[test]
fn estimate_when_one_source_saw_everyone_seen_by_two() {
    // Source "care" saw every linkable person: nobody can have been missed by both.
    let cap = captures(&[(&["care"], 30), (&["care", "police"], 25)], 0);
    let f = fit(&cap).expect("an estimate");
    assert_eq!((f.estimate, f.unseen, f.lower, f.upper), (55.0, 0.0, Some(55.0), Some(55.0)));

    // Three sources, "care" saw everyone: the log-linear fit runs to its boundary f0 → 0.
    let cap = captures(
        &[
            (&["care"], 40),
            (&["care", "police"], 25),
            (&["care", "shelter"], 22),
            (&["care", "police", "shelter"], 9),
        ],
        0,
    );
    let f = fit(&cap).expect("an estimate");
    assert_eq!(f.method, Method::Loglinear);
    assert!(close(f.estimate, 96.0, 1e-6), "{}", f.estimate);
    assert!(close(f.lower.expect("bounded"), 96.0, 1e-6));
    assert!(close(f.upper.expect("bounded"), 96.0, 1e-6));
}

// --- no estimate ------------------------------------------------------------------------------

#[test]
fn estimate_needs_two_sources() {
    assert_eq!(fit(&captures(&[(&["care"], 30)], 5)), Err(NoEstimate::TooFewSources));
    assert_eq!(fit(&captures(&[], 5)), Err(NoEstimate::TooFewSources), "only keyless persons");
}

#[test]
fn estimate_needs_an_overlap() {
    assert_eq!(fit(&captures(&[(&["care"], 30), (&["police"], 20)], 0)), Err(NoEstimate::NoOverlap));
    assert_eq!(
        fit(&captures(&[(&["care"], 30), (&["police"], 20), (&["shelter"], 7)], 0)),
        Err(NoEstimate::NoOverlap)
    );
}

#[test]
fn estimate_takes_at_most_six_sources() {
    let names = ["a", "b", "c", "d", "e", "f", "g"];
    let mut histories: Vec<(&[&str], u64)> = names.iter().map(|n| (std::slice::from_ref(n), 10)).collect();
    let chain: [&[&str]; 5] = [&["a", "b"], &["b", "c"], &["c", "d"], &["d", "e"], &["e", "f"]];
    histories.extend(chain.iter().map(|&h| (h, 30)));
    assert_eq!(fit(&captures(&histories, 0)), Err(NoEstimate::TooManySources));
    histories.remove(6);
    let six = fit(&captures(&histories, 0)).expect("six sources are fine");
    assert_eq!(six.method, Method::Loglinear);
    assert!(six.estimate.is_finite() && six.lower.is_some(), "{six:?}");
}

#[test]
fn estimate_reason_codes_are_the_wire_codes() {
    let codes: Vec<&str> = NoEstimate::ALL.iter().map(|r| r.code()).collect();
    assert_eq!(
        codes,
        [
            "too_few_sources",
            "no_overlap",
            "too_many_sources",
            "withheld_small_histories",
            "withheld_small_count",
            "withheld_per_organisation"
        ]
    );
}

// --- histories --------------------------------------------------------------------------------

#[test]
fn estimate_histories_sort_sources_and_count_each_source_once() {
    let cap = Captures::from_people([
        (true, vec!["shelter", "care", "shelter"]),
        (true, vec!["care", "shelter"]),
        (true, vec!["police"]),
        (false, vec!["municipality"]),
    ]);
    assert_eq!(cap.sources, ["care", "police", "shelter"], "a source of keyless persons only is no source");
    assert_eq!(cap.histories, vec![(vec![1], 1), (vec![0, 2], 2)]);
    assert_eq!(cap.unlinkable, 1);
    assert_eq!(cap.persons_per_source(), vec![2, 1, 2]);
    assert_eq!((cap.observed(), cap.overlap()), (3, 2));
}

#[test]
fn estimate_from_persons_uses_record_sources_and_keys() {
    // Records 0..6; persons as counting::persons gives them (indices into the records). Two
    // records of one key split by `different_people` are two persons with their own history.
    let source = ["care", "shelter", "care", "police", "shelter", "police", "care"];
    let keyed = [true, true, true, true, true, false, false];
    let persons: Vec<Vec<usize>> = vec![vec![0, 1], vec![2], vec![3], vec![4], vec![5], vec![6]];
    let cap = Captures::from_persons(persons.iter().map(Vec::as_slice), |i| source[i], |i| keyed[i]);
    assert_eq!(cap.sources, ["care", "police", "shelter"]);
    assert_eq!(cap.histories, vec![(vec![0], 1), (vec![1], 1), (vec![2], 1), (vec![0, 2], 1)]);
    assert_eq!(cap.unlinkable, 2);
}

#[test]
fn estimate_with_an_empty_history_cell() {
    // Nobody was seen by all three: the cell is 0 and stays in the model, not in `histories`.
    let cap = captures(
        &[
            (&["care"], 60),
            (&["police"], 45),
            (&["shelter"], 70),
            (&["care", "police"], 12),
            (&["care", "shelter"], 15),
            (&["police", "shelter"], 10),
        ],
        0,
    );
    assert_eq!(cap.cells()[7], 0);
    let f = fit(&cap).expect("an estimate");
    assert!(f.estimate.is_finite() && f.estimate > 212.0, "{}", f.estimate);
    let body = estimate(&cap, SourceBy::OrganisationType, Disclosure::Internal).expect("an estimate");
    assert_eq!(body.histories.len(), 6);
    assert!(body.histories.iter().all(|h| h.persons > 0));
}

#[test]
fn estimate_keyless_persons_are_added_to_the_total() {
    let cap = captures(&[(&["shelter"], 48), (&["care"], 28), (&["care", "shelter"], 12)], 17);
    let body = estimate(&cap, SourceBy::OrganisationType, Disclosure::Internal).expect("an estimate");
    assert_eq!(body.unlinkable, Some(17));
    assert_eq!(body.observed, Some(88));
    assert!(close(body.total_estimate, 2488.0 / 13.0 + 17.0, 1e-9));
}

// --- log-linear, bootstrap, warnings ------------------------------------------------------------

pub(super) fn three_sources() -> Captures {
    captures(
        &[
            (&["care"], 80),
            (&["police"], 55),
            (&["shelter"], 95),
            (&["care", "police"], 18),
            (&["care", "shelter"], 30),
            (&["police", "shelter"], 14),
            (&["care", "police", "shelter"], 6),
        ],
        9,
    )
}

#[test]
fn estimate_is_the_same_for_the_same_data_in_any_order() {
    let a = fit(&three_sources()).expect("an estimate");
    let b = fit(&three_sources()).expect("an estimate");
    assert_eq!(a, b);
    let mut people: Vec<(bool, Vec<&str>)> = Vec::new();
    for (h, n) in &three_sources().histories {
        let names: Vec<&str> = h.iter().rev().map(|&i| ["care", "police", "shelter"][i]).collect();
        people.extend((0..*n).map(|_| (true, names.clone())));
    }
    people.reverse();
    let c = fit(&Captures::from_people(people)).expect("an estimate");
    assert_eq!(a.estimate, c.estimate);
    assert_eq!((a.lower, a.upper), (c.lower, c.upper));
    assert_eq!(a.method, Method::Loglinear);
    let (lower, upper) = (a.lower.expect("bounded"), a.upper.expect("bounded"));
    assert!(298.0 <= lower && lower < a.estimate && a.estimate < upper, "{lower} {} {upper}", a.estimate);
}

#[test]
fn estimate_interval_unstable_when_samples_lose_the_overlap() {
    // One person in the only overlap: many bootstrap samples have no overlap at all, and in
    // them no model converges. They are left out and counted; more than 5 % is unstable.
    let cap =
        captures(&[(&["care"], 50), (&["police"], 50), (&["shelter"], 50), (&["care", "police"], 1)], 0);
    let f = fit(&cap).expect("an estimate");
    assert!(f.left_out > 50, "left out: {}", f.left_out);
    assert!(f.warnings.contains(&Warning::IntervalUnstable));
    assert!(f.warnings.contains(&Warning::SmallOverlap));
    let json =
        serde_json::to_value(body(&cap, &f, SourceBy::OrganisationType, Disclosure::Internal)).expect("JSON");
    assert_eq!(json["warnings"][0], "small_overlap");
    assert!(json["warnings"].as_array().expect("warnings").contains(&serde_json::json!("interval_unstable")));
    // A well-filled table leaves nothing out.
    let f = fit(&three_sources()).expect("an estimate");
    assert_eq!(f.left_out, 0);
    assert!(!f.warnings.contains(&Warning::IntervalUnstable));
}

// --- the answer body ----------------------------------------------------------------------------

#[test]
fn estimate_body_has_the_fields_of_the_api() {
    let cap = three_sources();
    let json =
        serde_json::to_value(estimate(&cap, SourceBy::Organisation, Disclosure::Internal).expect("ok"))
            .expect("JSON");
    let mut keys: Vec<&str> = json.as_object().expect("an object").keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "by",
            "estimate",
            "histories",
            "interval",
            "method",
            "model",
            "observed",
            "sources",
            "total_estimate",
            "total_interval",
            "unlinkable",
            "unseen",
            "warnings"
        ]
    );
    assert_eq!(json["by"], "organisation");
    assert_eq!(json["method"], "loglinear");
    assert_eq!(json["observed"], 298);
    assert_eq!(json["unlinkable"], 9);
    assert_eq!(json["sources"][0], serde_json::json!({"id": "care", "persons": 134}));
    assert_eq!(
        json["histories"][6],
        serde_json::json!({"sources": ["care", "police", "shelter"], "persons": 6})
    );
    assert_eq!(json["interval"]["level"], 0.95);
    assert!(json["model"]["aic"].is_f64());
    assert!(json["model"]["interactions"].is_array());
    let round_trip: Estimate = serde_json::from_value(json).expect("reads back");
    assert_eq!(round_trip.observed, Some(298));
}

#[test]
fn estimate_public_rounds_to_tens_from_the_unrounded_figures() {
    // 64 keyless persons, rounded apart from N, would shift the total's interval.
    let cap = captures(
        &[
            (&["care"], 133),
            (&["police"], 55),
            (&["shelter"], 95),
            (&["care", "police"], 18),
            (&["care", "shelter"], 30),
            (&["police", "shelter"], 14),
            (&["care", "police", "shelter"], 6),
        ],
        64,
    );
    let internal = estimate(&cap, SourceBy::OrganisationType, Disclosure::Internal).expect("internal");
    let public = estimate(&cap, SourceBy::OrganisationType, Disclosure::Public).expect("public");
    assert!(public.histories.is_empty());
    assert_eq!(public.estimate, round_to_tens(internal.estimate));
    assert_eq!(public.unseen, round_to_tens(internal.unseen));
    assert_eq!(public.total_estimate, round_to_tens(internal.estimate + 64.0));
    let (lower, upper) = (internal.interval.lower.expect("lower"), internal.interval.upper.expect("upper"));
    assert_eq!(internal.total_interval.lower, Some(lower + 64.0));
    assert_eq!(internal.total_interval.upper, Some(upper + 64.0));
    assert_eq!(public.interval.lower, Some(round_to_tens(lower)));
    assert_eq!(public.total_interval.lower, Some(round_to_tens(lower + 64.0)), "from the unrounded sum");
    assert_eq!(public.total_interval.upper, Some(round_to_tens(upper + 64.0)));
    for x in [public.estimate, public.unseen, public.total_estimate] {
        assert_eq!(x % 10.0, 0.0);
    }
    let json = serde_json::to_string(&public).expect("JSON");
    assert!(json.contains(&format!("\"estimate\":{}", public.estimate as i64)), "{json}");
    assert!(json.contains("\"total_interval\":{\"level\":0.95,"), "{json}");
}

#[test]
fn public_gives_no_estimate_for_small_counts_small_histories_or_per_organisation() {
    let small_history =
        captures(&[(&["shelter"], 148), (&["care"], 128), (&["care", "shelter"], 12), (&["police"], 3)], 0);
    let public = |cap: &Captures, by| estimate(cap, by, Disclosure::Public).map(|_| ());
    assert_eq!(
        public(&small_history, SourceBy::OrganisationType),
        Err(NoEstimate::WithheldSmallHistories),
        "police alone: 3 persons"
    );
    assert!(estimate(&small_history, SourceBy::OrganisationType, Disclosure::Internal).is_ok());
    let small_count = captures(&[(&["care"], 40), (&["police"], 30), (&["care", "police"], 12)], 200);
    assert_eq!(small_count.observed(), 82);
    assert_eq!(public(&small_count, SourceBy::OrganisationType), Err(NoEstimate::WithheldSmallCount));
    assert_eq!(public(&three_sources(), SourceBy::Organisation), Err(NoEstimate::WithheldPerOrganisation));
    assert!(public(&three_sources(), SourceBy::OrganisationType).is_ok());
    // Where no estimate is possible at all, that reason comes first.
    let one = captures(&[(&["care"], 3)], 0);
    assert_eq!(public(&one, SourceBy::OrganisationType), Err(NoEstimate::TooFewSources));
    // The report's member carries the reason.
    let member = ReportEstimate::new(&small_count, SourceBy::OrganisationType, Disclosure::Public);
    assert_eq!(
        serde_json::to_value(&member).expect("JSON"),
        serde_json::json!({"by": "organisation_type", "not_possible": "withheld_small_count"})
    );
}

#[test]
fn estimate_rounding_to_tens() {
    assert_eq!(round_to_tens(0.0), 0.0);
    assert_eq!(round_to_tens(4.9), 0.0);
    assert_eq!(round_to_tens(5.0), 10.0);
    assert_eq!(round_to_tens(414.99), 410.0);
    assert_eq!(round_to_tens(415.0), 420.0);
}

// --- the report's member --------------------------------------------------------------------------

#[test]
fn report_estimate_is_the_estimate_body_or_the_reason() {
    let cap = three_sources();
    let member = ReportEstimate::new(&cap, SourceBy::OrganisationType, Disclosure::Public);
    let expected = estimate(&cap, SourceBy::OrganisationType, Disclosure::Public).expect("an estimate");
    assert_eq!(
        serde_json::to_value(&member).expect("JSON"),
        serde_json::to_value(&expected).expect("JSON"),
        "the member is the body of GET …/estimate, nothing more"
    );
    let back: ReportEstimate =
        serde_json::from_value(serde_json::to_value(&member).expect("JSON")).expect("reads back");
    assert!(matches!(back, ReportEstimate::Estimate(ref e) if e.estimate == expected.estimate));

    let one = captures(&[(&["care"], 12)], 3);
    let member = ReportEstimate::new(&one, SourceBy::OrganisationType, Disclosure::Public);
    let json = serde_json::to_value(&member).expect("JSON");
    assert_eq!(json, serde_json::json!({"by": "organisation_type", "not_possible": "too_few_sources"}));
    assert_eq!(serde_json::from_value::<ReportEstimate>(json).expect("reads back"), member);
}
