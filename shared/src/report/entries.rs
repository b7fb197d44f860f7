//! Records per organisation and `entry` (api.md "Sync": the data-quality section counts how the
//! records of each organisation were made: on a phone, at a desk, from a spreadsheet).

use super::{OrganisationRecords, ReportRecord};
use crate::count::OrganisationType;
use crate::disclosure::{is_small, suppress, Line, Suppression};
use crate::record::Entry;
use serde::{Deserialize, Serialize};

/// The counted records (not training, not void) of one organisation made one way.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrganisationEntryRecords {
    pub organisation: String,
    pub organisation_type: OrganisationType,
    pub entry: Entry,
    pub records: Option<u64>,
    /// Why `records` is hidden: `primary` (1–4, `<5`) or `secondary` (`x`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<Suppression>,
}

/// One line per organisation and value of [`Entry`], in the order of `organisations`. Public:
/// the cell rule, each organisation's entries a line whose total is its records; where
/// `per_organisation` hides an organisation's records, all of its entries are hidden too, so
/// that they do not add up to a hidden figure.
pub(super) fn records_per_organisation_entry(
    records: &[ReportRecord],
    organisations: &[(String, OrganisationType)],
    per_organisation: &[OrganisationRecords],
    public: bool,
) -> Vec<OrganisationEntryRecords> {
    let entries = Entry::ALL.len();
    // Values: organisation i, entry j at i * entries + j; then the organisations' totals.
    let mut values = vec![0u64; organisations.len() * entries + organisations.len()];
    for r in records.iter().filter(|r| !r.training && !r.void) {
        let (org, entry) = (r.organisation as usize, r.attributes.entry as usize);
        if org < organisations.len() {
            values[org * entries + entry] += 1;
        }
    }
    let totals = organisations.len() * entries;
    for org in 0..organisations.len() {
        values[totals + org] = values[org * entries..(org + 1) * entries].iter().sum();
    }
    let mut state = if public {
        let lines: Vec<Line> = (0..organisations.len())
            .map(|org| Line { cells: (org * entries..(org + 1) * entries).collect(), total: totals + org })
            .collect();
        suppress(&values, &lines)
    } else {
        vec![None; values.len()]
    };
    if public {
        for (org, published) in per_organisation.iter().enumerate().take(organisations.len()) {
            if published.records.is_none() {
                for cell in org * entries..(org + 1) * entries {
                    if state[cell].is_none() && values[cell] > 0 {
                        state[cell] = Some(if is_small(values[cell]) {
                            Suppression::Primary
                        } else {
                            Suppression::Secondary
                        });
                    }
                }
            }
        }
    }
    let mut lines = Vec::with_capacity(totals);
    for (org, (name, ty)) in organisations.iter().enumerate() {
        for (j, entry) in Entry::ALL.iter().enumerate() {
            let cell = org * entries + j;
            lines.push(OrganisationEntryRecords {
                organisation: name.clone(),
                organisation_type: *ty,
                entry: *entry,
                records: state[cell].is_none().then_some(values[cell]),
                suppressed: state[cell],
            });
        }
    }
    lines
}
