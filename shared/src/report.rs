//! The baseline report ("nulmeting dakloosheid", domain.md §6 and api.md "Report"): tables of
//! unique persons by ETHOS category, municipality and profile, with data-quality figures and
//! disclosure control. Pure: the server hands in the count's records and decisions.

mod attributes;
mod builder;
mod csv_table;
mod dims;
mod entries;
mod figures;
mod labels;
mod method;
mod origin;
mod tally;

pub use attributes::{
    Attributes, CareNeedSet, OriginPlace, Place, ReportRecord, PACKED_COLUMN, PACKING_VERSION,
};
pub use csv_table::table_csv;
pub(crate) use csv_table::{csv_text, dimension_columns, key_columns};
pub use entries::OrganisationEntryRecords;
pub use labels::{dimension_label, value_label};
pub use method::method_text;

use crate::api::Count;
use crate::count::OrganisationType;
use crate::counting::{person_heads, totals, KeyDecisions, PersonHead};
use crate::disclosure::{is_small, suppress, Line, Suppression};
use crate::ethos::ConceptualCategory;
use builder::Builder;
use chrono::{DateTime, Utc};
use dims::{care_need_dim, dims, Dim};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use tally::Tally;

value_set!(
    /// `internal` shows every number; `public` hides small cells (domain.md §6).
    Disclosure {
        Internal = "internal", "intern", "internal";
        Public = "public", "openbaar", "public";
    }
);

/// One row of a table: a combination of dimension values and its persons.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    pub key: BTreeMap<String, String>,
    pub persons: Option<u64>,
    pub suppressed: Option<Suppression>,
    /// Accompanying children of these persons (the count-group table only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub children: Option<Option<u64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub children_suppressed: Option<Suppression>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Table {
    pub id: String,
    pub title: String,
    pub title_en: String,
    pub dimensions: Vec<String>,
    pub total: Option<u64>,
    pub rows: Vec<Row>,
    /// Set for tables whose rows do not add up to the total (a person may have several care
    /// needs): no line, primary suppression only.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub multiple_answers: bool,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrganisationRecords {
    pub organisation: String,
    pub organisation_type: OrganisationType,
    pub records: Option<u64>,
    /// Why `records` is hidden: `primary` (1–4, `<5`) or `secondary` (`x`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<Suppression>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TypeRecords {
    pub organisation_type: OrganisationType,
    pub records: Option<u64>,
    /// Why `records` is hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<Suppression>,
}

/// Data quality (domain.md §6.5). Counts of records, not persons, unless the name says so.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quality {
    pub unresolved_duplicate_groups: u64,
    pub resolved_duplicate_groups: u64,
    pub persons_with_disagreeing_category: Option<u64>,
    pub persons_children_unknown: Option<u64>,
    /// Per profile field, the share (0–1) of persons whose answer is `unknown`. Public: `None`
    /// where the field's table hides its `unknown` row (`<5` or `x`), since the share times
    /// `persons_total` gives the number back.
    pub unknown_share: BTreeMap<String, Option<f64>>,
    pub records_per_organisation: Vec<OrganisationRecords>,
    pub records_per_organisation_type: Vec<TypeRecords>,
    /// Records per organisation and `entry` (how they were made), hidden as the organisations.
    #[serde(default)]
    pub records_per_organisation_entry: Vec<OrganisationEntryRecords>,
}

/// The report as `GET /api/v1/counts/{id}/report` answers it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub count: Count,
    pub generated_at: DateTime<Utc>,
    pub disclosure: Disclosure,
    pub persons_total: Option<u64>,
    pub accompanying_children: Option<u64>,
    pub persons_including_children: Option<u64>,
    pub records_total: Option<u64>,
    pub records_counted: Option<u64>,
    pub records_void: Option<u64>,
    pub records_training: Option<u64>,
    pub records_without_key: Option<u64>,
    pub duplicate_records_merged: Option<u64>,
    /// Public: why each `null` headline figure is hidden (`primary`: 1–4; `secondary`: so that a
    /// sum does not give a hidden one back). An addition to api.md; empty (left out) internally.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headline_suppressed: BTreeMap<String, Suppression>,
    pub tables: Vec<Table>,
    pub quality: Quality,
    /// Persons per 1,000 inhabitants, for the municipalities whose population was entered.
    #[serde(default)]
    pub rates: Vec<Rate>,
    /// Young persons, 18 to 26 (domain.md §6.3): the age-band rows 18–22 and 23–26 added up;
    /// `null` where either is hidden, so it tells nothing the age table hides.
    #[serde(default)]
    pub youth_18_26: Option<u64>,
}

/// Persons counted in a municipality per 1,000 of its inhabitants (domain.md §6.4). The persons
/// follow the municipality table's disclosure: where they are hidden, so is the rate.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rate {
    pub municipality: String,
    pub persons: Option<u64>,
    /// Why `persons` is hidden, as in the municipality table (`<5` or `x`).
    #[serde(default)]
    pub suppressed: Option<Suppression>,
    pub population: u64,
    pub per_1000: Option<f64>,
}

impl Report {
    pub fn table(&self, id: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.id == id)
    }
}

/// What the report is made of.
pub struct ReportInput<'a> {
    pub count: Count,
    pub records: &'a [ReportRecord],
    pub decisions: &'a KeyDecisions,
    /// Organisation name and type per `ReportRecord::organisation` index.
    pub organisations: &'a [(String, OrganisationType)],
    pub disclosure: Disclosure,
    pub generated_at: DateTime<Utc>,
    /// Inhabitants per region municipality (CBS code), as the coordinator entered them.
    pub population: &'a [(String, u64)],
}

/// The report of a count under the counting rules of domain.md §5.
pub fn build(input: ReportInput<'_>) -> Report {
    let records = input.records;
    let people: Vec<PersonHead> = person_heads(records, input.decisions);
    let dims = dims();
    let by_name = |n: &str| dims.iter().position(|d| d.name == n).unwrap_or(0);
    let category = by_name("conceptual_category");
    let care = care_need_dim();

    let categories = ConceptualCategory::ALL.len();
    let offsets = tally::offsets(&dims);
    // The passes over the records and persons, in two groups of about the same work at once.
    let ((t, tally), (origin_counts, per_org, (unresolved, resolved))) = crate::parallel::join(
        || (totals(records, &people), Tally::of(records, &people, &dims, &offsets, &care)),
        || {
            (
                origin::OriginCounts::of(records, &people),
                counted_per_organisation(records, input.organisations.len()),
                figures::duplicate_groups(records, &people, input.decisions),
            )
        },
    );
    let Tally { by_category, care_one, care_cross, muni_origin, group_children, unknown } = tally;
    let cross: Vec<Vec<Vec<u64>>> = dims
        .iter()
        .zip(&offsets)
        .map(|(d, &offset)| {
            let n = d.codes.len();
            (0..categories).map(|c| by_category[offset + c * n..offset + (c + 1) * n].to_vec()).collect()
        })
        .collect();
    let one: Vec<Vec<u64>> = cross
        .iter()
        .map(|rows| (0..rows[0].len()).map(|v| rows.iter().map(|row| row[v]).sum()).collect())
        .collect();
    let unknown_origin = one[by_name("origin")][8];

    let mut b = Builder { values: Vec::new(), lines: Vec::new(), tables: Vec::new() };
    let total = b.cell(t.persons_total);
    let mut margins: Vec<Vec<usize>> = Vec::new();
    for (k, d) in dims.iter().enumerate() {
        margins.push(b.one(d, &one[k], total, None, false));
    }
    let care_margin = b.one(&care, &care_one, total, None, true);
    // Origin elsewhere in the Netherlands by province and by municipality: their total is the
    // `elsewhere_nl` cell.
    origin_counts.add_tables(&mut b, margins[by_name("origin")][6]);
    for (k, d) in dims.iter().enumerate() {
        if ["count_group", "visibility", "conceptual_category", "living_situation", "origin"]
            .contains(&d.name)
        {
            continue;
        }
        let id = format!("by_category_and_{}", d.name);
        let margin_cat = margins[category].clone();
        b.two(id, &dims[category], d, &cross[k], &margin_cat, &margins[k].clone(), total, false);
    }
    let margin_cat = margins[category].clone();
    b.two(
        "by_category_and_care_needs".into(),
        &dims[category],
        &care,
        &care_cross,
        &margin_cat,
        &care_margin,
        total,
        true,
    );
    let (m, o) = (by_name("municipality"), by_name("origin"));
    let (mm, om) = (margins[m].clone(), margins[o].clone());
    b.two("by_municipality_and_origin".into(), &dims[m], &dims[o], &muni_origin, &mm, &om, total, false);
    // Accompanying children per count group: a line of its own.
    let child_total = b.cell(t.accompanying_children);
    let child_cells: Vec<usize> = group_children.iter().map(|&c| b.cell(c)).collect();
    b.lines.push(Line { cells: child_cells.clone(), total: child_total });

    let state = match input.disclosure {
        Disclosure::Internal => vec![None; b.values.len()],
        Disclosure::Public => suppress(&b.values, &b.lines),
    };
    let shown = |i: usize| if state[i].is_some() { None } else { Some(b.values[i]) };
    let mut tables = Vec::new();
    for (mut table, cells, total_cell) in std::mem::take(&mut b.tables) {
        table.total = shown(total_cell);
        for (row, &c) in table.rows.iter_mut().zip(&cells) {
            row.persons = shown(c);
            row.suppressed = state[c];
        }
        if table.id == "by_count_group" {
            for (row, &c) in table.rows.iter_mut().zip(&child_cells) {
                row.children = Some(shown(c));
                row.children_suppressed = state[c];
            }
        }
        tables.push(table);
    }

    let public = input.disclosure == Disclosure::Public;
    let figure = |n: u64| if public && is_small(n) { None } else { Some(n) };
    let headline = figures::headline_sums(&t, shown(total).is_none(), shown(child_total).is_none(), public);
    let mut per_type: BTreeMap<OrganisationType, u64> = BTreeMap::new();
    for ((_, ty), n) in input.organisations.iter().zip(&per_org) {
        *per_type.entry(*ty).or_default() += n;
    }
    let (records_per_organisation, records_per_organisation_type) =
        figures::records_per_organisation(input.organisations, &per_org, per_type, public);
    let records_per_organisation_entry = entries::records_per_organisation_entry(
        records,
        input.organisations,
        &records_per_organisation,
        public,
    );
    // Public: a figure that is a row of a table follows the row's suppression (`<5` or `x`):
    // the `unknown` row of a field's one-dimensional table.
    let unknown_hidden = |field: &str| {
        public
            && tables
                .iter()
                .find(|t| t.id == format!("by_{field}"))
                .and_then(|t| t.rows.iter().find(|r| r.key.get(field).map(String::as_str) == Some("unknown")))
                .is_none_or(|r| r.suppressed.is_some())
    };
    let persons = t.persons_total.max(1) as f64;
    let share = |field: &str, n: u64| (!unknown_hidden(field)).then_some(n as f64 / persons);
    let unknown_share = attributes::unknown_fields()
        .zip(&unknown)
        .map(|(f, n)| (f.to_string(), share(f, *n)))
        .chain(std::iter::once(("origin".to_string(), share("origin", unknown_origin))))
        .collect();
    // `records_without_key` is the keyless persons, and persons_total minus it the linkable
    // ones: a line, as the estimate's `unlinkable` and `observed` (one rule for both).
    // Persons whose children are unknown: the `unknown` row of the children table.
    let persons_children_unknown = (!unknown_hidden("children")).then_some(t.children_unknown);
    let (_, without_key_hidden) = crate::estimate::observed_and_unlinkable(
        t.persons_total - t.records_without_key,
        t.records_without_key,
        public,
    );
    let rates = figures::rates(&tables, input.population);
    let youth_18_26 = figures::youth(&tables);
    let figures = [
        ("persons_total", shown(total)),
        ("accompanying_children", shown(child_total)),
        ("persons_including_children", headline.including),
        ("records_total", headline.records_total),
        ("records_counted", headline.counted),
        ("records_void", headline.void),
        ("records_training", headline.training),
        ("records_without_key", without_key_hidden.is_none().then_some(t.records_without_key)),
        ("duplicate_records_merged", headline.merged),
    ];
    let [persons_total, accompanying_children, persons_including_children, records_total, records_counted, records_void, records_training, records_without_key, duplicate_records_merged] =
        figures.map(|(_, value)| value);
    Report {
        count: input.count,
        generated_at: input.generated_at,
        disclosure: input.disclosure,
        persons_total,
        accompanying_children,
        persons_including_children,
        records_total,
        records_counted,
        records_void,
        records_training,
        records_without_key,
        duplicate_records_merged,
        headline_suppressed: figures::headline_suppressed(&t, &figures),
        tables,
        rates,
        youth_18_26,
        quality: Quality {
            unresolved_duplicate_groups: unresolved,
            resolved_duplicate_groups: resolved,
            persons_with_disagreeing_category: figure(t.persons_with_disagreeing_category),
            persons_children_unknown,
            unknown_share,
            records_per_organisation,
            records_per_organisation_type,
            records_per_organisation_entry,
        },
    }
}

/// The counted records (neither training nor void) per organisation index.
fn counted_per_organisation(records: &[ReportRecord], organisations: usize) -> Vec<u64> {
    let mut per_org = vec![0u64; organisations];
    for r in records.iter().filter(|r| !r.training && !r.void) {
        if let Some(n) = per_org.get_mut(r.organisation as usize) {
            *n += 1;
        }
    }
    per_org
}

#[cfg(test)]
mod tests;
