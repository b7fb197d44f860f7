//! Public disclosure of the estimate (domain.md §8, docs/estimate.md "Public disclosure"): the
//! estimate is a function of the capture histories, so public gives it only by organisation
//! type, when `M ≥ 100` and no history holds 1–4 persons — otherwise 422 with the reason
//! `withheld_small_count`, `withheld_small_histories` or `withheld_per_organisation`. Where it is
//! given, its figures are rounded to tens from the unrounded ones (the total's interval from
//! `N + K`, not from rounded parts), no public figure is 1–4, and there are no histories and no
//! AIC.

use ethos_shared::estimate::{estimate, round_to_tens, Captures, NoEstimate, SourceBy};
use ethos_shared::report::Disclosure;
use proptest::prelude::*;

const NAMES: [&str; 3] = ["a", "b", "c"];

fn captures_of_cells(k: usize, cells: &[u64], unlinkable: u64) -> Captures {
    let linkable = (1..1usize << k).flat_map(|mask| {
        let names: Vec<&str> = (0..k).filter(|i| mask >> i & 1 == 1).map(|i| NAMES[i]).collect();
        (0..cells[mask]).map(move |_| (true, names.clone()))
    });
    let keyless = (0..unlinkable).map(|_| (false, vec!["a"]));
    Captures::from_people(linkable.chain(keyless))
}

/// The public answer domain.md §8 asks for, worked out from the cells alone: `None` where an
/// estimate is to be given.
fn expected_reason(k: usize, cells: &[u64]) -> Option<NoEstimate> {
    let sources = (0..k).filter(|&i| (1..1usize << k).any(|m| m >> i & 1 == 1 && cells[m] > 0)).count();
    let overlap: u64 = (1..1usize << k).filter(|m| m.count_ones() >= 2).map(|m| cells[m]).sum();
    let observed: u64 = cells[1..].iter().sum();
    if sources < 2 {
        Some(NoEstimate::TooFewSources)
    } else if overlap == 0 {
        Some(NoEstimate::NoOverlap)
    } else if observed < 100 {
        Some(NoEstimate::WithheldSmallCount)
    } else if cells[1..].iter().any(|&n| (1..=4).contains(&n)) {
        Some(NoEstimate::WithheldSmallHistories)
    } else {
        None
    }
}

fn check(k: usize, cells: &[u64], unlinkable: u64) -> Result<(), TestCaseError> {
    let captures = captures_of_cells(k, cells, unlinkable);
    let by_organisation = estimate(&captures, SourceBy::Organisation, Disclosure::Public);
    let expected = expected_reason(k, cells);
    let public = estimate(&captures, SourceBy::OrganisationType, Disclosure::Public);
    match expected {
        Some(reason) => {
            prop_assert_eq!(public.as_ref().err(), Some(&reason));
            let structural = matches!(reason, NoEstimate::TooFewSources | NoEstimate::NoOverlap);
            let org_reason = if structural { reason } else { NoEstimate::WithheldPerOrganisation };
            prop_assert_eq!(by_organisation.err(), Some(org_reason), "by organisation: internal only");
        }
        None => {
            prop_assert_eq!(by_organisation.err(), Some(NoEstimate::WithheldPerOrganisation));
            let public = public.map_err(|e| TestCaseError::fail(format!("withheld: {e:?}")))?;
            let internal = estimate(&captures, SourceBy::OrganisationType, Disclosure::Internal)
                .map_err(|e| TestCaseError::fail(format!("internal: {e:?}")))?;
            prop_assert!(public.histories.is_empty());
            prop_assert_eq!(public.model.as_ref().and_then(|m| m.aic), None);
            let figures =
                public.sources.iter().map(|s| s.persons).chain([public.observed, public.unlinkable]);
            for figure in figures {
                prop_assert!(
                    !figure.is_some_and(|n| (1..=4).contains(&n)),
                    "a public figure of 1–4: {figure:?}"
                );
            }
            let keyless = unlinkable as f64;
            prop_assert_eq!(public.estimate, round_to_tens(internal.estimate));
            prop_assert_eq!(public.unseen, round_to_tens(internal.unseen));
            prop_assert_eq!(public.total_estimate, round_to_tens(internal.estimate + keyless));
            for (shown, unrounded) in [
                (public.interval.lower, internal.interval.lower),
                (public.interval.upper, internal.interval.upper),
            ] {
                prop_assert_eq!(shown, unrounded.map(round_to_tens));
            }
            for (shown, unrounded) in [
                (public.total_interval.lower, internal.interval.lower),
                (public.total_interval.upper, internal.interval.upper),
            ] {
                prop_assert_eq!(shown, unrounded.map(|b| round_to_tens(b + keyless)), "from N + K unrounded");
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn two_sources_public_estimate_only_for_large_counts_without_small_histories(
        c1 in prop_oneof![0u64..=6, 40u64..=90], c2 in prop_oneof![0u64..=6, 30u64..=80],
        c12 in prop_oneof![0u64..=6, 5u64..=40], keyless in 0u64..=70,
    ) {
        check(2, &[0, c1, c2, c12], keyless)?;
    }
}

proptest! {
    // A three-source estimate fits 8 models in each of 999 bootstrap samples: few cases, most
    // of them withheld (which costs no fit).
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn three_sources_public_estimate_only_for_large_counts_without_small_histories(
        cells in proptest::collection::vec(prop_oneof![3 => 0u64..=6, 1 => 5u64..=40], 7),
        large in any::<bool>(),
        keyless in 0u64..=70,
    ) {
        let mut table = vec![0];
        table.extend(cells);
        if large {
            // Fill the single-source histories so that M ≥ 100 is common.
            for mask in [1, 2, 4] {
                table[mask] += 40;
            }
        }
        check(3, &table, keyless)?;
    }
}
