//! The answer body of the estimate (api.md "Estimate") and of the report's `estimate` member,
//! with public disclosure applied (domain.md §8, docs/estimate.md "Public disclosure").

use super::{fit, Captures, Fitted, Method, NoEstimate, SourceBy, Warning, LEVEL};
use crate::count::OrganisationType;
use crate::disclosure::{is_small, suppress, Line, Suppression};
use crate::report::{Disclosure, Report};
use serde::{Deserialize, Serialize, Serializer};

/// The answer of `GET /api/v1/counts/{id}/estimate` (api.md "Estimate").
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    /// The interval of `total_estimate`: the bounds of `interval` plus `unlinkable`, in public
    /// rounded to tens from the unrounded sums (not the rounded bounds shifted by a difference of
    /// rounded figures).
    pub total_interval: Interval,
    pub warnings: Vec<Warning>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct History {
    /// Source ids, sorted.
    pub sources: Vec<String>,
    pub persons: u64,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Model {
    /// Pairs of source ids with an interaction term.
    pub interactions: Vec<[String; 2]>,
    /// `null` in public disclosure.
    pub aic: Option<f64>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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

/// The estimate body for `captures` under `disclosure`; in public, a `withheld_…` reason where
/// domain.md §8 gives no public estimate ([`super::withheld_in_public`]).
pub fn estimate(captures: &Captures, by: SourceBy, disclosure: Disclosure) -> Result<Estimate, NoEstimate> {
    if let Some(reason) = super::structural_reason(captures) {
        return Err(reason);
    }
    if disclosure == Disclosure::Public {
        if let Some(reason) = super::withheld_in_public(captures, by) {
            return Err(reason);
        }
    }
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
    let keyless = captures.unlinkable as f64;
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
        total_estimate: figure(fitted.estimate + keyless),
        total_interval: Interval {
            level: LEVEL,
            lower: fitted.lower.map(|l| figure(l + keyless)),
            upper: fitted.upper.map(|u| figure(u + keyless)),
        },
        warnings: fitted.warnings.clone(),
    }
}

/// The organisations to hide secondarily in public: per type, its organisations' persons with
/// the type's persons as the line's total (an upper bound of their sum, so a single hidden
/// organisation would be bounded by the type minus the others).
pub(super) fn organisations_to_hide(
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ReportEstimate {
    NotPossible { by: SourceBy, not_possible: NoEstimate },
    Estimate(Box<Estimate>),
}

impl ReportEstimate {
    pub fn new(captures: &Captures, by: SourceBy, disclosure: Disclosure) -> ReportEstimate {
        ReportEstimate::of(estimate(captures, by, disclosure), by)
    }

    /// The member that tells the answer of [`estimate`] with sources by `by`.
    pub fn of(answer: Result<Estimate, NoEstimate>, by: SourceBy) -> ReportEstimate {
        match answer {
            Ok(e) => ReportEstimate::Estimate(Box::new(e)),
            Err(reason) => ReportEstimate::NotPossible { by, not_possible: reason },
        }
    }
}

/// The answer of `GET /api/v1/counts/{id}/report`: the report with its `estimate` member.
/// (A wrapper rather than a field of [`Report`], so the report stays buildable without the
/// estimate — the dashboard and the CSV export do not pay for the bootstrap.)
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
