//! Public disclosure of the estimate (domain.md §6 and §8, docs/estimate.md "Public
//! disclosure"): for random small capture-history tables, no history of 1–4 persons can be
//! computed from what the public version shows — the persons per source, `observed`,
//! `unlinkable` and the report's `persons_total` (= observed + unlinkable; known here whenever
//! the public report shows it, i.e. unless it is 1–4).

use ethos_shared::estimate::{estimate, Captures, SourceBy};
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

/// What the public knows.
struct Known {
    k: usize,
    persons: Vec<Option<u64>>,
    observed: Option<u64>,
    /// The report's `persons_total`, or 4 where the report hides it (then it is 1–4).
    total: u64,
}

/// Every table of histories (by mask, index 0 unused) that agrees with `known`.
fn solutions(known: &Known) -> Vec<Vec<u64>> {
    let k = known.k;
    let mut order: Vec<usize> = (1..1usize << k).collect();
    order.sort_by_key(|m| std::cmp::Reverse(m.count_ones()));
    let mut out = Vec::new();
    let mut cells = vec![0u64; 1 << k];
    let rem: Vec<Option<u64>> = known.persons.clone();
    fn go(
        known: &Known,
        order: &[usize],
        j: usize,
        cells: &mut Vec<u64>,
        rem: &mut Vec<Option<u64>>,
        used: u64,
        out: &mut Vec<Vec<u64>>,
    ) {
        let budget = known.observed.unwrap_or(known.total).saturating_sub(used);
        if j == order.len() {
            let seen_by =
                |i: usize| (1..cells.len()).filter(|m| m >> i & 1 == 1).map(|m| cells[m]).sum::<u64>();
            if rem.iter().all(|r| r.is_none_or(|r| r == 0))
                && known.observed.is_none_or(|m| m == used)
                && (0..known.k).all(|i| seen_by(i) >= 1)
            {
                out.push(cells.clone());
            }
            return;
        }
        let mask = order[j];
        let sources: Vec<usize> = (0..known.k).filter(|i| mask >> i & 1 == 1).collect();
        let bound = sources.iter().filter_map(|&i| rem[i]).min().unwrap_or(budget).min(budget);
        // A single-source history of a shown source is what is left of it.
        let range = match (sources.as_slice(), rem.get(sources[0]).copied().flatten()) {
            ([_], Some(r)) => r..=r,
            _ => 0..=bound,
        };
        for v in range {
            if v > budget {
                break;
            }
            cells[mask] = v;
            for &i in &sources {
                if let Some(r) = rem[i].as_mut() {
                    *r -= v;
                }
            }
            go(known, order, j + 1, cells, rem, used + v, out);
            for &i in &sources {
                if let Some(r) = rem[i].as_mut() {
                    *r += v;
                }
            }
        }
        cells[mask] = 0;
    }
    let mut rem = rem;
    go(known, &order, 0, &mut cells, &mut rem, 0, &mut out);
    out
}

fn check(k: usize, cells: &[u64], unlinkable: u64) -> Result<(), TestCaseError> {
    let captures = captures_of_cells(k, cells, unlinkable);
    // Only tables with an estimate: k sources, each with a linkable person, and an overlap.
    let Ok(public) = estimate(&captures, SourceBy::OrganisationType, Disclosure::Public) else {
        return Ok(());
    };
    if captures.k() != k {
        return Ok(());
    }
    // The cell rule itself: nothing public is 1–4.
    let figures = public.sources.iter().map(|s| s.persons).chain([public.observed, public.unlinkable]);
    for figure in figures {
        prop_assert!(!figure.is_some_and(|n| (1..=4).contains(&n)), "a public figure of 1–4: {figure:?}");
    }
    let total = captures.observed() + unlinkable;
    // The public report shows persons_total unless it is 1–4 (the cell rule).
    let total_shown = (!(1..=4).contains(&total)).then_some(total);
    let observed = public.observed.or(public.unlinkable.zip(total_shown).map(|(u, t)| t - u));
    let persons: Vec<Option<u64>> = public.sources.iter().map(|s| s.persons).collect();
    if persons.iter().all(Option::is_none) && observed.is_some_and(|m| m >= 2) {
        // Only the sum of the histories is known (with every source non-empty): a person
        // moves freely between histories, none is pinned.
        return Ok(());
    }
    let known = Known { k, persons, observed, total: total_shown.unwrap_or(4) };
    let all = solutions(&known);
    prop_assert!(
        all.iter().any(|s| s[1..] == cells[1..]),
        "the true table must be among {} solutions",
        all.len()
    );
    for mask in 1..1usize << k {
        if (1..=4).contains(&cells[mask]) {
            let pinned = all.iter().all(|s| s[mask] == cells[mask]);
            prop_assert!(
                !pinned,
                "history {mask:b} = {} follows from {:?} / observed {:?} / total {total_shown:?}",
                cells[mask],
                known.persons,
                observed
            );
        }
    }
    Ok(())
}

fn small() -> impl Strategy<Value = u64> {
    prop_oneof![0u64..=5, 0u64..=12]
}

proptest! {
    #[test]
    fn two_sources_public_gives_no_small_history_away(
        c1 in small(), c2 in small(), c12 in 0u64..=12, keyless in 0u64..=7,
    ) {
        check(2, &[0, c1, c2, c12], keyless)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]
    #[test]
    fn three_sources_public_gives_no_small_history_away(
        cells in proptest::collection::vec(prop_oneof![0u64..=4, 0u64..=8], 7), keyless in 0u64..=6,
        // Often make two sources see everyone (only histories holding both are non-empty).
        two_full in any::<bool>(),
    ) {
        let mut table = vec![0];
        table.extend(cells);
        if two_full {
            for (mask, n) in table.iter_mut().enumerate() {
                if mask & 0b011 != 0b011 { *n = 0; }
            }
        }
        check(3, &table, keyless)?;
    }
}
