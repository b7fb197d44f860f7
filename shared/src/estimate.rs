//! Estimate of the hidden population by capture–recapture (multiple-systems estimation,
//! domain.md §8 and api.md "Estimate"): how many people did no organisation see?
//!
//! 1. [`Captures`]: the capture history of every counted person — the set of *sources* (the
//!    organisation type of the team code, or each organisation) whose counted records belong to
//!    the person. Only persons with a duplicate key can be linked across sources; keyless
//!    persons are counted apart as *unlinkable*.
//! 2. [`fit`]: `k` = sources with at least one linkable person. `k < 2`, `k > 6` or no person
//!    seen by two sources: no estimate, with the reason ([`NoEstimate`]). `k = 2`: Chapman with
//!    Chao's log-normal interval ([`chapman`]). `3 ≤ k ≤ 6`: log-linear Poisson models by IRLS
//!    ([`loglinear`]), the one with the smallest AIC among every set of pairwise interactions
//!    (`k ≤ 4`) or found by a stepwise search (`k = 5, 6`) ([`models`]), and a seeded parametric
//!    bootstrap interval that chooses the model again in every sample ([`bootstrap`]).
//! 3. [`Estimate`]: the answer body ([`answer`]). Public disclosure gives an estimate only by
//!    organisation type, for `M ≥ 100` and no history of 1–4 persons (else a `withheld_…`
//!    reason); then estimate, unseen, the intervals and the total are rounded to tens from the
//!    unrounded figures; observed, unlinkable and persons per source 1–4 suppressed; no
//!    histories. Secondary suppression (docs/estimate.md "Public disclosure"): observed and
//!    unlinkable are a line whose total is the report's `persons_total`, and where the
//!    histories follow from the persons per source and observed ([`Captures::histories_follow_from_the_margins`])
//!    with one of 1–4, every source's persons are hidden.
//!
//! Everything here is pure and deterministic (the bootstrap has a fixed seed), so the server
//! and the browser compute the same numbers.

pub mod answer;
pub mod bootstrap;
pub mod chapman;
pub mod loglinear;
pub mod models;

pub use answer::*;

use crate::count::OrganisationType;
use crate::counting::{for_each_person, KeyDecisions};
use crate::disclosure::is_small;
use crate::report::ReportRecord;
use std::collections::HashMap;

value_set!(
    /// What a source is: the organisation type of the team code a record came in through, or
    /// each organisation.
    SourceBy {
        OrganisationType = "organisation_type", "per type organisatie", "by organisation type";
        Organisation = "organisation", "per organisatie", "by organisation";
    }
);

value_set!(
    /// Why there is no estimate (`details.reason` of the 422 `estimate_not_possible`).
    NoEstimate {
        TooFewSources = "too_few_sources", "minder dan twee bronnen", "fewer than two sources";
        NoOverlap = "no_overlap", "geen overlap tussen de bronnen", "no overlap between the sources";
        TooManySources = "too_many_sources", "meer dan zes bronnen", "more than six sources";
        WithheldSmallHistories = "withheld_small_histories",
            "openbaar niet gegeven: een combinatie van bronnen telt 1 tot 4 personen",
            "not given in public: a combination of sources holds 1 to 4 persons";
        WithheldSmallCount = "withheld_small_count",
            "openbaar niet gegeven: minder dan 100 personen met sleutel",
            "not given in public: fewer than 100 persons with a key";
        WithheldPerOrganisation = "withheld_per_organisation",
            "per organisatie alleen in de interne versie",
            "by organisation in the internal version only";
    }
);

impl std::error::Error for NoEstimate {}

value_set!(
    /// A warning that goes with an estimate.
    Warning {
        SmallOverlap = "small_overlap",
            "minder dan 20 personen in de overlap: de schatting is onzeker",
            "fewer than 20 persons in the overlaps: the estimate is unstable";
        IntervalUnbounded = "interval_unbounded",
            "de bovengrens van het interval is onbepaald",
            "the upper bound of the interval is unbounded";
        IntervalUnstable = "interval_unstable",
            "in meer dan 5 % van de bootstrapsteekproeven paste geen model: het interval is onzeker",
            "no model fitted in more than 5 % of the bootstrap samples: the interval is unstable";
    }
);

value_set!(
    /// How the estimate was made.
    Method {
        Chapman = "chapman", "Chapman (twee bronnen)", "Chapman (two sources)";
        Loglinear = "loglinear", "log-lineair model", "log-linear model";
    }
);

/// The most sources an estimate is made for.
pub const MAX_SOURCES: usize = 6;
/// Fewer persons than this in the overlaps give the warning `small_overlap`.
pub const SMALL_OVERLAP: u64 = 20;
/// The level of the interval.
pub const LEVEL: f64 = 0.95;
/// Public disclosure gives an estimate only from this many linkable persons on.
pub const PUBLIC_MIN_OBSERVED: u64 = 100;

/// The capture histories of the counted persons.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Captures {
    /// The ids of the sources with at least one linkable person, sorted.
    pub sources: Vec<String>,
    /// The non-empty histories: indices into `sources` (ascending) and the persons with exactly
    /// that history. Ordered by the number of sources, then by the indices.
    pub histories: Vec<(Vec<usize>, u64)>,
    /// Persons without a duplicate key: they cannot be linked and are added as observed.
    pub unlinkable: u64,
    /// Public disclosure hides every source's persons even if these histories do not ask for
    /// it: set by [`Captures::of_records`] when the histories of the same persons by the other
    /// source definition give a small history away (an organisation alone in its type has the
    /// type's persons, so the two estimates must hide alike).
    pub hide_sources: bool,
    /// Organisations whose persons public disclosure hides secondarily (`x`): each type with
    /// its organisations is a line — the type's persons bound the sum of its organisations', so
    /// with one organisation hidden, the type minus the others would bound it (set by
    /// [`Captures::of_records`], by organisation only).
    pub secondary_sources: Vec<String>,
}

impl Captures {
    /// Builds the histories from persons given as `(linkable, the source ids of its counted
    /// records)`; repeated source ids of one person count once.
    pub fn from_people<'a, P, S>(people: P) -> Captures
    where
        P: IntoIterator<Item = (bool, S)>,
        S: IntoIterator<Item = &'a str>,
    {
        let mut index: HashMap<&'a str, usize> = HashMap::new();
        let mut names: Vec<&'a str> = Vec::new();
        // The source looked up last: a person's records mostly come from one source, and the
        // ids are mostly the same text (not only equal text), so most lookups hash nothing.
        let mut last: Option<(&'a str, usize)> = None;
        let mut source_index = |s: &'a str| match last {
            Some((text, i)) if std::ptr::eq(text, s) => i,
            _ => {
                let i = *index.entry(s).or_insert_with(|| {
                    names.push(s);
                    names.len() - 1
                });
                last = Some((s, i));
                i
            }
        };
        // Persons seen by one source, per source; the others by their history.
        let mut single: Vec<u64> = Vec::new();
        let mut counts: HashMap<Vec<usize>, u64> = HashMap::new();
        let mut unlinkable = 0;
        let mut history = Vec::new();
        for (linkable, sources) in people {
            if !linkable {
                unlinkable += 1;
                continue;
            }
            history.clear();
            history.extend(sources.into_iter().map(&mut source_index));
            history.sort_unstable();
            history.dedup();
            match history.as_slice() {
                [] => {}
                &[i] => {
                    if single.len() <= i {
                        single.resize(i + 1, 0);
                    }
                    single[i] += 1;
                }
                _ => match counts.get_mut(&history) {
                    Some(n) => *n += 1,
                    None => {
                        counts.insert(history.clone(), 1);
                    }
                },
            }
        }
        counts.extend(single.into_iter().enumerate().filter(|&(_, n)| n > 0).map(|(i, n)| (vec![i], n)));
        // Renumber the sources in the order of their ids.
        let mut order: Vec<usize> = (0..names.len()).collect();
        order.sort_unstable_by_key(|&i| names[i]);
        let mut rank = vec![0; names.len()];
        for (r, &i) in order.iter().enumerate() {
            rank[i] = r;
        }
        let mut histories: Vec<(Vec<usize>, u64)> = counts
            .into_iter()
            .map(|(mut h, n)| {
                h.iter_mut().for_each(|i| *i = rank[*i]);
                h.sort_unstable();
                (h, n)
            })
            .collect();
        histories.sort_unstable_by(|a, b| a.0.len().cmp(&b.0.len()).then_with(|| a.0.cmp(&b.0)));
        Captures {
            sources: order.iter().map(|&i| names[i].to_string()).collect(),
            histories,
            unlinkable,
            hide_sources: false,
            secondary_sources: Vec::new(),
        }
    }

    /// The histories of counted persons, each given by the indices of its counted records (e.g.
    /// `persons.iter().map(|p| p.records.as_slice())` from [`crate::counting::persons`]).
    /// `source_of(i)` is the source id of record `i`; `keyed(i)` whether it has a duplicate key
    /// (a person is linkable when its records have one).
    pub fn from_persons<'a, 'r, P>(
        persons: P,
        source_of: impl Fn(usize) -> &'a str,
        keyed: impl Fn(usize) -> bool,
    ) -> Captures
    where
        P: IntoIterator<Item = &'r [usize]>,
    {
        let source_of = &source_of;
        let keyed = &keyed;
        Captures::from_people(
            persons
                .into_iter()
                .map(|records| (records.iter().any(|&i| keyed(i)), records.iter().map(|&i| source_of(i)))),
        )
    }

    /// The histories of a count's counted persons (domain.md §5) from the records the report
    /// reads: the source of a record is its organisation's type or the organisation itself.
    pub fn of_records(
        records: &[ReportRecord],
        decisions: &KeyDecisions,
        organisations: &[(String, OrganisationType)],
        by: SourceBy,
    ) -> Captures {
        // What the histories read of a record: its organisation, and whether it has a key (the
        // bit `KEYED`). Made in one pass in storage order, so that grouping reads one small
        // code per record where it would read the 96-byte record itself at random.
        const KEYED: usize = 1 << 31;
        let codes: Vec<usize> = records
            .iter()
            .map(|r| (r.organisation as usize & !KEYED) | if r.dedup_key.is_some() { KEYED } else { 0 })
            .collect();
        // Each person's records' codes one after the other, and where each person's end: two
        // lists, not one per person.
        let mut members: Vec<usize> = Vec::with_capacity(records.len());
        let mut ends: Vec<usize> = Vec::new();
        for_each_person(records, decisions, |person| {
            members.extend(person.iter().map(|&i| codes[i]));
            ends.push(members.len());
        });
        let people = || {
            let starts = std::iter::once(0).chain(ends.iter().copied());
            starts.zip(&ends).map(|(start, &end)| &members[start..end])
        };
        let by_source = |by: SourceBy| {
            let source_ids: Vec<&str> = organisations
                .iter()
                .map(|(name, kind)| match by {
                    SourceBy::OrganisationType => kind.code(),
                    SourceBy::Organisation => name.as_str(),
                })
                .collect();
            Captures::from_persons(
                people(),
                |code| source_ids.get(code & !KEYED).copied().unwrap_or("other"),
                |code| code & KEYED != 0,
            )
        };
        let mut captures = by_source(by);
        let other = match by {
            SourceBy::OrganisationType => SourceBy::Organisation,
            SourceBy::Organisation => SourceBy::OrganisationType,
        };
        let other_captures = by_source(other);
        captures.hide_sources = other_captures.gives_a_history_away();
        if by == SourceBy::Organisation {
            captures.secondary_sources =
                answer::organisations_to_hide(&captures, &other_captures, organisations);
        }
        captures
    }

    /// Whether every history count follows from the persons per source and `M` (public when
    /// 5 or more): `k = 2` (`m = n1 + n2 − M`, then `n1 − m`, `n2 − m`), or all sources but at
    /// most one saw every linkable person (`n_i = M`: then only the histories holding those
    /// sources are non-empty, and they are `n_a` and `M − n_a`). Otherwise there are more
    /// histories than equations; a history then follows only where the non-negative solutions
    /// pin it, which for the equations `n_i`, `M` happens only through sources with `n_i = M`
    /// (docs/estimate.md "Public disclosure").
    pub fn histories_follow_from_the_margins(&self) -> bool {
        let k = self.k();
        let m = self.observed();
        k == 2 || (k > 2 && self.persons_per_source().iter().filter(|&&n| n != m).count() <= 1)
    }

    /// Whether the histories follow from the margins and one of them holds 1–4 persons.
    pub fn gives_a_history_away(&self) -> bool {
        self.histories_follow_from_the_margins() && self.histories.iter().any(|&(_, n)| is_small(n))
    }

    /// `k`, the sources with at least one linkable person.
    pub fn k(&self) -> usize {
        self.sources.len()
    }

    /// `M`, the linkable persons.
    pub fn observed(&self) -> u64 {
        self.histories.iter().map(|(_, n)| n).sum()
    }

    /// Persons seen by two or more sources.
    pub fn overlap(&self) -> u64 {
        self.histories.iter().filter(|(h, _)| h.len() >= 2).map(|(_, n)| n).sum()
    }

    /// Persons seen by each source, in the order of `sources`.
    pub fn persons_per_source(&self) -> Vec<u64> {
        let mut per = vec![0; self.sources.len()];
        for (h, n) in &self.histories {
            for &i in h {
                per[i] += n;
            }
        }
        per
    }

    /// The counts of all `2^k` histories by bit mask (bit `i`: source `i`); index 0, the unseen,
    /// is 0. Only for `k ≤ 6`.
    pub fn cells(&self) -> Vec<u64> {
        let k = self.k();
        assert!(k <= MAX_SOURCES, "cells are for at most {MAX_SOURCES} sources");
        let mut cells = vec![0; 1 << k];
        for (h, n) in &self.histories {
            cells[h.iter().map(|&i| 1usize << i).sum::<usize>()] += n;
        }
        cells
    }
}

/// The estimate in full precision.
#[derive(Debug, Clone, PartialEq)]
pub struct Fitted {
    pub method: Method,
    /// Interaction pairs of the chosen log-linear model (indices into the sources).
    pub interactions: Vec<(usize, usize)>,
    /// AIC of the chosen log-linear model.
    pub aic: Option<f64>,
    /// `M`.
    pub observed: u64,
    /// `N = M + f0`.
    pub estimate: f64,
    /// `f0`.
    pub unseen: f64,
    /// Interval bounds, never below `M`; `None`: unbounded.
    pub lower: Option<f64>,
    pub upper: Option<f64>,
    /// Bootstrap samples left out because no model converged in them.
    pub left_out: usize,
    pub warnings: Vec<Warning>,
}

/// Why there is no estimate at all: `k < 2`, `k > 6` or no person seen by two sources.
pub fn structural_reason(captures: &Captures) -> Option<NoEstimate> {
    let k = captures.k();
    if k < 2 {
        Some(NoEstimate::TooFewSources)
    } else if k > MAX_SOURCES {
        Some(NoEstimate::TooManySources)
    } else if captures.overlap() == 0 {
        Some(NoEstimate::NoOverlap)
    } else {
        None
    }
}

/// Why public disclosure gives no estimate (domain.md §8): by organisation it is internal only;
/// otherwise the estimate is a function of the histories, so it is given only when `M ≥ 100`
/// and no history holds 1–4 persons.
pub fn withheld_in_public(captures: &Captures, by: SourceBy) -> Option<NoEstimate> {
    if by == SourceBy::Organisation {
        Some(NoEstimate::WithheldPerOrganisation)
    } else if captures.observed() < PUBLIC_MIN_OBSERVED {
        Some(NoEstimate::WithheldSmallCount)
    } else if captures.histories.iter().any(|&(_, n)| is_small(n)) {
        Some(NoEstimate::WithheldSmallHistories)
    } else {
        None
    }
}

/// The estimate for the linkable persons of `captures` (domain.md §8).
pub fn fit(captures: &Captures) -> Result<Fitted, NoEstimate> {
    if let Some(reason) = structural_reason(captures) {
        return Err(reason);
    }
    let k = captures.k();
    let cells = captures.cells();
    let observed = captures.observed();
    let m = observed as f64;
    let mut warnings = Vec::new();
    if captures.overlap() < SMALL_OVERLAP {
        warnings.push(Warning::SmallOverlap);
    }
    if k == 2 {
        let (n1, n2, both) = (cells[1] + cells[3], cells[2] + cells[3], cells[3]);
        let c = chapman::chapman(n1, n2, both);
        return Ok(Fitted {
            method: Method::Chapman,
            interactions: Vec::new(),
            aic: None,
            observed,
            estimate: c.estimate,
            unseen: c.estimate - c.observed,
            lower: Some(c.lower.max(m)),
            upper: Some(c.upper.max(m)),
            left_out: 0,
            warnings,
        });
    }
    let y: Vec<f64> = cells[1..].iter().map(|&c| c as f64).collect();
    let mut selector = models::Selector::new(k);
    let (choice, chosen) = selector.learn(&y).ok_or(NoEstimate::NoOverlap)?;
    let interval = bootstrap::interval(&mut selector, &chosen);
    let bound = |b: Option<f64>| b.map(|b| b.max(m));
    let (lower, upper) = (bound(interval.lower), bound(interval.upper));
    if upper.is_none() {
        warnings.push(Warning::IntervalUnbounded);
    }
    if interval.left_out as f64 > bootstrap::UNSTABLE_SHARE * bootstrap::SAMPLES as f64 {
        warnings.push(Warning::IntervalUnstable);
    }
    Ok(Fitted {
        method: Method::Loglinear,
        interactions: models::interactions(k, choice.set),
        aic: Some(chosen.aic),
        observed,
        estimate: m + chosen.unseen,
        unseen: chosen.unseen,
        lower,
        upper,
        left_out: interval.left_out,
        warnings,
    })
}

#[cfg(test)]
mod disclosure_tests;
#[cfg(test)]
mod tests;
