//! The figures beside the tables (domain.md §6): the headline figures that are sums of others
//! and why each hidden one is hidden, youth 18–26, records per organisation and per type,
//! duplicate groups, and rates per 1,000 inhabitants.

use super::{OrganisationRecords, Rate, ReportRecord, Table, TypeRecords};
use crate::count::OrganisationType;
use crate::counting::{KeyBytes, KeyDecision, KeyDecisions, PersonHead};
use crate::disclosure::{is_small, suppress, Line, Suppression};
use crate::municipality;
use crate::profile::AgeBand;
use std::collections::{BTreeMap, HashMap};

/// The persons of the youth age bands (18–26), from the age table as published: the sum of its
/// youth rows, or `None` if any of them is hidden.
pub(super) fn youth(tables: &[Table]) -> Option<u64> {
    let ages = tables.iter().find(|t| t.id == "by_age_band")?;
    AgeBand::ALL.iter().filter(|b| b.is_youth()).try_fold(0, |sum, band| {
        let row = ages.rows.iter().find(|r| r.key.get("age_band").is_some_and(|c| c == band.code()));
        // A band without a row had nobody.
        Some(sum + row.map_or(Some(0), |r| r.persons)?)
    })
}

/// The headline figures that are sums of others (api.md): with one part hidden, the sum or
/// another part must go too, or the hidden one is recovered by subtraction.
pub(super) struct HeadlineSums {
    pub(super) including: Option<u64>,
    pub(super) merged: Option<u64>,
    pub(super) counted: Option<u64>,
    pub(super) records_total: Option<u64>,
    pub(super) training: Option<u64>,
    pub(super) void: Option<u64>,
}

/// - persons + accompanying children = persons including children: the sum goes when exactly
///   one part is hidden;
/// - persons + merged duplicates = counted records: merged duplicates go when persons are
///   hidden and counted records are not; counted records go when merged duplicates are 1–4
///   and persons are shown;
/// - counted + training + void = all records: each 1–4 goes (api.md: every headline figure
///   follows the cell rule), and while exactly one of the four is hidden the smallest other
///   non-zero one of training, void and all records goes too (never counted records, so the
///   line above stays as decided: hiding flows one way and stops).
pub(super) fn headline_sums(
    t: &crate::counting::Totals,
    persons_hidden: bool,
    children_hidden: bool,
    public: bool,
) -> HeadlineSums {
    if !public {
        return HeadlineSums {
            including: Some(t.persons_including_children),
            merged: Some(t.duplicate_records_merged),
            counted: Some(t.records_counted),
            records_total: Some(t.records_total),
            training: Some(t.records_training),
            void: Some(t.records_void),
        };
    }
    let keep = |hide: bool, n: u64| (!hide && !is_small(n)).then_some(n);
    let counted_hidden =
        is_small(t.records_counted) || (is_small(t.duplicate_records_merged) && !persons_hidden);
    let merged_hidden = is_small(t.duplicate_records_merged) || (persons_hidden && !counted_hidden);
    // The records line: counted, training, void, all.
    let values = [t.records_counted, t.records_training, t.records_void, t.records_total];
    let mut hidden =
        [counted_hidden, is_small(t.records_training), is_small(t.records_void), is_small(t.records_total)];
    while hidden.iter().filter(|h| **h).count() == 1 {
        let smallest = (1..4).filter(|&i| !hidden[i] && values[i] > 0).min_by_key(|&i| values[i]);
        match smallest {
            Some(i) => hidden[i] = true,
            None => break, // all others are zero: the hidden one is zero too, nothing to recover
        }
    }
    let records = |i: usize| (!hidden[i]).then_some(values[i]);
    HeadlineSums {
        // Both parts hidden: the sum gives neither away.
        including: keep(persons_hidden != children_hidden, t.persons_including_children),
        merged: (!merged_hidden).then_some(t.duplicate_records_merged),
        counted: records(0),
        records_total: records(3),
        training: records(1),
        void: records(2),
    }
}

/// Why each hidden headline figure is hidden: `primary` where it is 1–4 itself, `secondary`
/// where it went so that a sum does not give a hidden one back (shown `<5` and `x`, as cells).
pub(super) fn headline_suppressed(
    t: &crate::counting::Totals,
    shown: &[(&str, Option<u64>)],
) -> BTreeMap<String, Suppression> {
    let internal = |name: &str| match name {
        "persons_total" => t.persons_total,
        "accompanying_children" => t.accompanying_children,
        "persons_including_children" => t.persons_including_children,
        "records_total" => t.records_total,
        "records_counted" => t.records_counted,
        "records_void" => t.records_void,
        "records_training" => t.records_training,
        "records_without_key" => t.records_without_key,
        _ => t.duplicate_records_merged,
    };
    shown
        .iter()
        .filter(|(_, value)| value.is_none())
        .map(|(name, _)| {
            let why = if is_small(internal(name)) { Suppression::Primary } else { Suppression::Secondary };
            (name.to_string(), why)
        })
        .collect()
}

/// Rates per 1,000 inhabitants from the (already disclosed) municipality table.
pub(super) fn rates(tables: &[Table], population: &[(String, u64)]) -> Vec<Rate> {
    let rows = tables.iter().find(|t| t.id == "by_municipality").map(|t| t.rows.as_slice()).unwrap_or(&[]);
    // In the region's order (domain.md §1), as the municipality table.
    let place = |code: &str| municipality::region().position(|g| g.code == code).unwrap_or(usize::MAX);
    let mut population: Vec<&(String, u64)> = population.iter().collect();
    population.sort_by_key(|(code, _)| place(code));
    population
        .into_iter()
        .filter(|(_, inhabitants)| *inhabitants > 0)
        .map(|(code, inhabitants)| {
            let (persons, suppressed) = rows
                .iter()
                .find(|r| r.key.get("municipality") == Some(code))
                .map(|r| (r.persons, r.suppressed))
                .unwrap_or((Some(0), None));
            Rate {
                municipality: code.clone(),
                persons,
                suppressed,
                population: *inhabitants,
                per_1000: persons.map(|p| p as f64 * 1000.0 / *inhabitants as f64),
            }
        })
        .collect()
}

/// Records per organisation and per organisation type (domain.md §6.5). Public: the cell rule
/// of §6 with secondary suppression over two kinds of line — each type's organisations with the
/// type's records as total, and the types with all counted records (shown in the headline) as
/// total — so that no hidden organisation is the type minus the others, and no hidden type the
/// total minus the others. A hidden value is `None` with its reason (`<5` or `x`).
pub(super) fn records_per_organisation(
    organisations: &[(String, OrganisationType)],
    per_org: &[u64],
    per_type: BTreeMap<OrganisationType, u64>,
    public: bool,
) -> (Vec<OrganisationRecords>, Vec<TypeRecords>) {
    let types: Vec<(OrganisationType, u64)> = per_type.into_iter().collect();
    // Values: the organisations, the types, the total.
    let mut values: Vec<u64> = per_org.to_vec();
    let type0 = values.len();
    values.extend(types.iter().map(|(_, n)| n));
    let total = values.len();
    values.push(types.iter().map(|(_, n)| n).sum());
    let mut lines: Vec<Line> = types
        .iter()
        .enumerate()
        .map(|(j, (ty, _))| Line {
            cells: organisations.iter().enumerate().filter(|(_, (_, t))| t == ty).map(|(i, _)| i).collect(),
            total: type0 + j,
        })
        .collect();
    lines.push(Line { cells: (type0..total).collect(), total });
    let state = if public { suppress(&values, &lines) } else { vec![None; values.len()] };
    let shown = |i: usize| state[i].is_none().then_some(values[i]);
    let orgs = organisations
        .iter()
        .enumerate()
        .map(|(i, (name, ty))| OrganisationRecords {
            organisation: name.clone(),
            organisation_type: *ty,
            records: shown(i),
            suppressed: state[i],
        })
        .collect();
    let types = types
        .iter()
        .enumerate()
        .map(|(j, (ty, _))| TypeRecords {
            organisation_type: *ty,
            records: shown(type0 + j),
            suppressed: state[type0 + j],
        })
        .collect();
    (orgs, types)
}

/// Keys shared by two or more counted records: (without a decision, with one). Such a key is
/// either one merged person of `people` (its records were grouped), or resolved as different
/// people (each record a person of its own).
pub(super) fn duplicate_groups(
    records: &[ReportRecord],
    people: &[PersonHead],
    decisions: &KeyDecisions,
) -> (u64, u64) {
    let decided: HashMap<KeyBytes, &KeyDecision> =
        decisions.iter().map(|(k, d)| (KeyBytes::from(k), d)).collect();
    let mut unresolved = 0;
    let mut resolved = 0;
    for p in people.iter().filter(|p| p.records > 1) {
        match records[p.primary].dedup_key {
            Some(key) if decided.contains_key(&key) => resolved += 1,
            _ => unresolved += 1,
        }
    }
    let mut split: HashMap<KeyBytes, u32> = decided
        .iter()
        .filter(|(_, d)| d.decision == crate::api::Decision::DifferentPeople)
        .map(|(k, _)| (*k, 0))
        .collect();
    if !split.is_empty() {
        for r in records.iter().filter(|r| !r.training && !r.void) {
            if let Some(n) = r.dedup_key.and_then(|k| split.get_mut(&k)) {
                *n += 1;
            }
        }
    }
    resolved += split.values().filter(|n| **n >= 2).count() as u64;
    (unresolved, resolved)
}
