//! Estimate of the hidden population by capture–recapture (multiple-systems estimation,
//! domain.md §8 and api.md "Estimate"): how many people did no organisation see?
//!
//! 1. [`Captures`]: the capture history of every counted person — the set of *sources* (the
//!    organisation type of the team code, or each organisation) whose counted records belong to
//!    the person. Only persons with a duplicate key can be linked across sources; keyless
//!    persons are counted apart as *unlinkable*.
//! 2. [`fit`]: `k` = sources with at least one linkable person. `k < 2`, `k > 6` or no person
//!    seen by two sources: no estimate, with the reason ([`NoEstimate`]). `k = 2`: Chapman with
//!    Chao's log-normal interval ([`chapman`]). `3 ≤ k ≤ 6`: log-linear Poisson models by IRLS,
//!    the one with the smallest AIC among independence, each single pair and all pairs
//!    ([`loglinear`]), and a seeded parametric bootstrap interval ([`bootstrap`]).
//! 3. [`Estimate`]: the answer body, with public disclosure applied: estimate, unseen, interval
//!    and total rounded to tens; observed, unlinkable and persons per source 1–4 suppressed; no
//!    histories. Secondary suppression (docs/estimate.md "Public disclosure"): observed and
//!    unlinkable are a line whose total is the report's `persons_total`, and where the
//!    histories follow from the persons per source and observed ([`Captures::histories_follow_from_the_margins`])
//!    with one of 1–4, every source's persons are hidden.
//!
//! Everything here is pure and deterministic (the bootstrap has a fixed seed), so the server
//! and the browser compute the same numbers.

pub mod bootstrap;
pub mod chapman;
pub mod loglinear;

use crate::count::OrganisationType;
use crate::counting::{persons, Countable, KeyDecisions};
use crate::disclosure::{is_small, suppress, Line, Suppression};
use crate::report::{Disclosure, Report, ReportRecord};
use serde::{Deserialize, Serialize, Serializer};
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
        let mut counts: HashMap<Vec<usize>, u64> = HashMap::new();
        let mut unlinkable = 0;
        let mut history = Vec::new();
        for (linkable, sources) in people {
            if !linkable {
                unlinkable += 1;
                continue;
            }
            history.clear();
            for s in sources {
                let i = *index.entry(s).or_insert_with(|| {
                    names.push(s);
                    names.len() - 1
                });
                history.push(i);
            }
            history.sort_unstable();
            history.dedup();
            if history.is_empty() {
                continue;
            }
            match counts.get_mut(&history) {
                Some(n) => *n += 1,
                None => {
                    counts.insert(history.clone(), 1);
                }
            }
        }
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
        let people = persons(records, decisions);
        let by_source = |by: SourceBy| {
            let source_ids: Vec<&str> = organisations
                .iter()
                .map(|(name, kind)| match by {
                    SourceBy::OrganisationType => kind.code(),
                    SourceBy::Organisation => name.as_str(),
                })
                .collect();
            Captures::from_persons(
                people.iter().map(|p| p.records.as_slice()),
                |i| source_ids.get(records[i].organisation as usize).copied().unwrap_or("other"),
                |i| records[i].dedup_key().is_some(),
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
            captures.secondary_sources = organisations_to_hide(&captures, &other_captures, organisations);
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
    pub warnings: Vec<Warning>,
}

/// The estimate for the linkable persons of `captures` (domain.md §8).
pub fn fit(captures: &Captures) -> Result<Fitted, NoEstimate> {
    let k = captures.k();
    if k < 2 {
        return Err(NoEstimate::TooFewSources);
    }
    if k > MAX_SOURCES {
        return Err(NoEstimate::TooManySources);
    }
    let overlap = captures.overlap();
    if overlap == 0 {
        return Err(NoEstimate::NoOverlap);
    }
    let cells = captures.cells();
    let observed = captures.observed();
    let m = observed as f64;
    let mut warnings = Vec::new();
    if overlap < SMALL_OVERLAP {
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
            warnings,
        });
    }
    let y: Vec<f64> = cells[1..].iter().map(|&c| c as f64).collect();
    let candidates = loglinear::fit_candidates(k, &y);
    let chosen = loglinear::choose(&candidates).ok_or(NoEstimate::NoOverlap)?;
    let loglinear::Candidate { design, fit } = &candidates[chosen];
    let fit = fit.as_ref().ok_or(NoEstimate::NoOverlap)?;
    let (lower, upper) = bootstrap::interval(design, fit);
    let bound = |b: f64| b.is_finite().then_some(b.max(m));
    let (lower, upper) = (bound(lower), bound(upper));
    if upper.is_none() {
        warnings.push(Warning::IntervalUnbounded);
    }
    Ok(Fitted {
        method: Method::Loglinear,
        interactions: design.interactions().to_vec(),
        aic: Some(fit.aic),
        observed,
        estimate: m + fit.unseen,
        unseen: fit.unseen,
        lower,
        upper,
        warnings,
    })
}

/// The answer of `GET /api/v1/counts/{id}/estimate` (api.md "Estimate").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    pub by: SourceBy,
    pub sources: Vec<SourcePersons>,
    /// Empty in public disclosure.
    pub histories: Vec<History>,
    /// `M`; `None` when suppressed (public: 1–4, or `unlinkable` is 1–4).
    pub observed: Option<u64>,
    /// Why `observed` is hidden: `primary` (1–4, `<5`) or `secondary` (`x`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_suppressed: Option<Suppression>,
    /// Keyless persons; `None` when suppressed (public: 1–4, or `observed` is 1–4).
    pub unlinkable: Option<u64>,
    /// Why `unlinkable` is hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unlinkable_suppressed: Option<Suppression>,
    pub method: Method,
    /// The chosen log-linear model; `None` for Chapman.
    pub model: Option<Model>,
    /// `N` (public: rounded to tens).
    #[serde(serialize_with = "number")]
    pub estimate: f64,
    /// `N − M` (public: rounded to tens).
    #[serde(serialize_with = "number")]
    pub unseen: f64,
    pub interval: Interval,
    /// `N + unlinkable` (public: rounded to tens).
    #[serde(serialize_with = "number")]
    pub total_estimate: f64,
    pub warnings: Vec<Warning>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourcePersons {
    pub id: String,
    /// Linkable persons seen by the source; `None` when suppressed.
    pub persons: Option<u64>,
    /// Why `persons` is hidden: `primary` (1–4), or `secondary` where the histories would
    /// follow from the persons per source ([`Captures::histories_follow_from_the_margins`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<Suppression>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct History {
    /// Source ids, sorted.
    pub sources: Vec<String>,
    pub persons: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Model {
    /// Pairs of source ids with an interaction term.
    pub interactions: Vec<[String; 2]>,
    /// `null` in public disclosure.
    pub aic: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    pub level: f64,
    /// `None`: unbounded.
    #[serde(serialize_with = "optional_number")]
    pub lower: Option<f64>,
    /// `None`: unbounded (warning `interval_unbounded`).
    #[serde(serialize_with = "optional_number")]
    pub upper: Option<f64>,
}

/// The estimate body for `captures` under `disclosure`.
pub fn estimate(captures: &Captures, by: SourceBy, disclosure: Disclosure) -> Result<Estimate, NoEstimate> {
    let fitted = fit(captures)?;
    Ok(body(captures, &fitted, by, disclosure))
}

/// Shapes a fit as the answer body, applying `disclosure`.
pub fn body(captures: &Captures, fitted: &Fitted, by: SourceBy, disclosure: Disclosure) -> Estimate {
    let public = disclosure == Disclosure::Public;
    let figure = |x: f64| if public { round_to_tens(x) } else { x };
    let primary = |n: u64| (public && is_small(n)).then_some(Suppression::Primary);
    let shown = |n: u64, s: Option<Suppression>| s.is_none().then_some(n);
    let (observed_s, unlinkable_s) = observed_and_unlinkable(fitted.observed, captures.unlinkable, public);
    // Where the histories follow from the margins (k = 2; or all sources but one saw everyone)
    // and one of them is 1–4, hide every source's persons: observed alone gives no history
    // away. (Hiding `observed` instead would not do: it is `persons_total − records_without_key`
    // in the report, and `persons_total` itself when nobody is keyless.)
    let sources_hidden = public && (captures.hide_sources || captures.gives_a_history_away());
    let id = |i: usize| captures.sources[i].clone();
    let histories = if public {
        Vec::new()
    } else {
        captures
            .histories
            .iter()
            .map(|(h, n)| History { sources: h.iter().map(|&i| id(i)).collect(), persons: *n })
            .collect()
    };
    Estimate {
        by,
        sources: captures
            .persons_per_source()
            .into_iter()
            .enumerate()
            .map(|(i, n)| {
                // A source that saw every linkable person shows `observed` itself.
                let gives_observed = observed_s.is_some() && n == fitted.observed;
                let in_a_line = public && captures.secondary_sources.contains(&captures.sources[i]);
                let s = primary(n)
                    .or((sources_hidden || gives_observed || in_a_line).then_some(Suppression::Secondary));
                SourcePersons { id: id(i), persons: shown(n, s), suppressed: s }
            })
            .collect(),
        histories,
        observed: shown(fitted.observed, observed_s),
        observed_suppressed: observed_s,
        unlinkable: shown(captures.unlinkable, unlinkable_s),
        unlinkable_suppressed: unlinkable_s,
        method: fitted.method,
        model: fitted.aic.map(|aic| Model {
            interactions: fitted.interactions.iter().map(|&(i, j)| [id(i), id(j)]).collect(),
            // Public: no AIC — unrounded, it is a function of the histories that, with the
            // margins, can single out a small one.
            aic: (!public).then_some(aic),
        }),
        estimate: figure(fitted.estimate),
        unseen: figure(fitted.unseen),
        interval: Interval { level: LEVEL, lower: fitted.lower.map(figure), upper: fitted.upper.map(figure) },
        total_estimate: figure(fitted.estimate + captures.unlinkable as f64),
        warnings: fitted.warnings.clone(),
    }
}

/// The organisations to hide secondarily in public: per type, its organisations' persons with
/// the type's persons as the line's total (an upper bound of their sum, so a single hidden
/// organisation would be bounded by the type minus the others).
fn organisations_to_hide(
    by_organisation: &Captures,
    by_type: &Captures,
    organisations: &[(String, OrganisationType)],
) -> Vec<String> {
    let org_persons = by_organisation.persons_per_source();
    let type_persons = by_type.persons_per_source();
    let mut hide = Vec::new();
    for (t, type_id) in by_type.sources.iter().enumerate() {
        let members: Vec<usize> = (0..by_organisation.sources.len())
            .filter(|&i| {
                organisations
                    .iter()
                    .any(|(name, kind)| name == &by_organisation.sources[i] && kind.code() == type_id)
            })
            .collect();
        let mut values: Vec<u64> = members.iter().map(|&i| org_persons[i]).collect();
        values.push(type_persons[t]);
        let line = Line { cells: (0..members.len()).collect(), total: members.len() };
        for (j, why) in suppress(&values, &[line]).into_iter().enumerate().take(members.len()) {
            if why == Some(Suppression::Secondary) {
                hide.push(by_organisation.sources[members[j]].clone());
            }
        }
    }
    hide
}

/// Public disclosure of `observed` and `unlinkable` (domain.md §6 and §8): the two sum to the
/// report's `persons_total`, so they are a line — when one is 1–4, the other goes too (the
/// total stays unless 1–4 itself). The report's `records_without_key` is the same number as
/// `unlinkable` (every keyless record is a person of its own) and follows the same rule.
pub fn observed_and_unlinkable(
    observed: u64,
    unlinkable: u64,
    public: bool,
) -> (Option<Suppression>, Option<Suppression>) {
    if !public {
        return (None, None);
    }
    let state =
        suppress(&[observed, unlinkable, observed + unlinkable], &[Line { cells: vec![0, 1], total: 2 }]);
    (state[0], state[1])
}

/// The `estimate` member of the report (api.md "Report"): the estimate by organisation type
/// under the report's disclosure, exactly the body of `GET …/estimate?disclosure=<the same>`,
/// or — when there is none — `{"by": …, "not_possible": <reason>}` with the reason code of the
/// 422 `estimate_not_possible`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ReportEstimate {
    NotPossible { by: SourceBy, not_possible: NoEstimate },
    Estimate(Box<Estimate>),
}

impl ReportEstimate {
    pub fn new(captures: &Captures, by: SourceBy, disclosure: Disclosure) -> ReportEstimate {
        match estimate(captures, by, disclosure) {
            Ok(e) => ReportEstimate::Estimate(Box::new(e)),
            Err(reason) => ReportEstimate::NotPossible { by, not_possible: reason },
        }
    }
}

/// The answer of `GET /api/v1/counts/{id}/report`: the report with its `estimate` member.
/// (A wrapper rather than a field of [`Report`], so the report stays buildable without the
/// estimate — the dashboard and the CSV export do not pay for the bootstrap.)
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportWithEstimate {
    #[serde(flatten)]
    pub report: Report,
    pub estimate: ReportEstimate,
}

/// Rounds to the nearest ten (halves up): the public figures of an estimate.
pub fn round_to_tens(x: f64) -> f64 {
    (x / 10.0).round() * 10.0
}

/// Whole numbers (the public, rounded figures) as JSON integers, others as they are.
fn number<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
    if x.fract() == 0.0 && x.abs() < 9.0e15 {
        s.serialize_i64(*x as i64)
    } else {
        s.serialize_f64(*x)
    }
}

fn optional_number<S: Serializer>(x: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match x {
        Some(x) => number(x, s),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests;
