//! The baseline report ("nulmeting dakloosheid", domain.md §6 and api.md "Report"): tables of
//! unique persons by ETHOS category, municipality and profile, with data-quality figures and
//! disclosure control. Pure: the server hands in the count's records and decisions.

mod attributes;
mod csv_table;
mod entries;
mod labels;
mod method;
mod origin;

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
use crate::counting::{persons, totals, KeyBytes, KeyDecision, KeyDecisions, Person};
use crate::disclosure::{is_small, suppress, Line, Suppression};
use crate::ethos::{ConceptualCategory, CountGroup, LivingSituation};
use crate::municipality;
use crate::profile::*;
use crate::Lang;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

value_set!(
    /// `internal` shows every number; `public` hides small cells (domain.md §6).
    Disclosure {
        Internal = "internal", "intern", "internal";
        Public = "public", "openbaar", "public";
    }
);

/// One row of a table: a combination of dimension values and its persons.
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrganisationRecords {
    pub organisation: String,
    pub organisation_type: OrganisationType,
    pub records: Option<u64>,
    /// Why `records` is hidden: `primary` (1–4, `<5`) or `secondary` (`x`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<Suppression>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TypeRecords {
    pub organisation_type: OrganisationType,
    pub records: Option<u64>,
    /// Why `records` is hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<Suppression>,
}

/// Data quality (domain.md §6.5). Counts of records, not persons, unless the name says so.
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

/// A dimension: its field name, its values (wire codes) and labels, and a person's value.
struct Dim {
    name: &'static str,
    codes: Vec<String>,
    labels: Vec<(String, String)>,
    of: fn(&Attributes) -> usize,
}

fn dim<T: Copy + 'static>(
    name: &'static str,
    all: &'static [T],
    code: fn(T) -> &'static str,
    label: fn(T, Lang) -> &'static str,
    of: fn(&Attributes) -> usize,
) -> Dim {
    Dim {
        name,
        codes: all.iter().map(|v| code(*v).to_string()).collect(),
        labels: all
            .iter()
            .map(|v| (label(*v, Lang::Nl).to_string(), label(*v, Lang::En).to_string()))
            .collect(),
        of,
    }
}

fn region_codes() -> &'static [&'static str] {
    static CODES: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    CODES.get_or_init(|| municipality::region().map(|g| g.code.as_str()).collect())
}

fn region_places() -> &'static [Option<Place>] {
    static PLACES: std::sync::OnceLock<Vec<Option<Place>>> = std::sync::OnceLock::new();
    PLACES.get_or_init(|| region_codes().iter().map(|c| Place::of(c)).collect())
}

fn region_index(place: Place) -> usize {
    region_places().iter().position(|p| *p == Some(place)).unwrap_or(0)
}

/// Origin groups: the six region municipalities, `elsewhere_nl`, `abroad`, `unknown`.
fn origin_index(r: &Attributes) -> usize {
    match r.origin {
        OriginPlace::Municipality(place) if place.in_region() => region_index(place),
        OriginPlace::Municipality(_) => 6,
        OriginPlace::Abroad => 7,
        OriginPlace::Unknown => 8,
    }
}

fn children_index(r: &Attributes) -> usize {
    match r.children {
        Children::Count(n) => usize::from(n.min(3)),
        Children::Unknown => 4,
    }
}

fn dims() -> Vec<Dim> {
    let region = region_codes();
    let mut origin_codes: Vec<String> = region.iter().map(|c| c.to_string()).collect();
    origin_codes.extend(["elsewhere_nl", "abroad", "unknown"].map(String::from));
    let mut origin_labels: Vec<(String, String)> =
        municipality::region().map(|g| (g.name.clone(), g.name.clone())).collect();
    origin_labels.extend([
        ("elders in Nederland".into(), "elsewhere in the Netherlands".into()),
        ("buitenland".into(), "abroad".into()),
        ("onbekend".into(), "unknown".into()),
    ]);
    vec![
        dim("count_group", CountGroup::ALL, CountGroup::code, CountGroup::label, |r| {
            r.living_situation.count_group() as usize
        }),
        Dim {
            name: "visibility",
            codes: ["visible", "hidden", "other"].map(String::from).to_vec(),
            labels: vec![
                (
                    "zichtbare dak- en thuisloosheid (groep 1-4)".into(),
                    "visible homelessness (groups 1-4)".into(),
                ),
                (
                    "verborgen dak- en thuisloosheid (groep 5-7)".into(),
                    "hidden homelessness (groups 5-7)".into(),
                ),
                ("overige ETHOS".into(), "other ETHOS".into()),
            ],
            of: |r| match r.living_situation.count_group().is_hidden() {
                Some(false) => 0,
                Some(true) => 1,
                None => 2,
            },
        },
        dim(
            "conceptual_category",
            ConceptualCategory::ALL,
            ConceptualCategory::code,
            ConceptualCategory::label,
            |r| r.living_situation.conceptual_category() as usize,
        ),
        dim("living_situation", LivingSituation::ALL, LivingSituation::code, LivingSituation::label, |r| {
            r.living_situation as usize
        }),
        Dim {
            name: "municipality",
            codes: region.iter().map(|c| c.to_string()).collect(),
            labels: municipality::region().map(|g| (g.name.clone(), g.name.clone())).collect(),
            of: |r| region_index(r.municipality),
        },
        Dim { name: "origin", codes: origin_codes, labels: origin_labels, of: origin_index },
        dim("age_band", AgeBand::ALL, AgeBand::code, AgeBand::label, |r| r.age_band as usize),
        dim("gender", Gender::ALL, Gender::code, Gender::label, |r| r.gender as usize),
        dim("household", Household::ALL, Household::code, Household::label, |r| r.household as usize),
        Dim {
            name: "children",
            codes: ["0", "1", "2", "3+", "unknown"].map(String::from).to_vec(),
            labels: [("0", "0"), ("1", "1"), ("2", "2"), ("3 of meer", "3 or more"), ("onbekend", "unknown")]
                .map(|(nl, en)| (nl.to_string(), en.to_string()))
                .to_vec(),
            of: children_index,
        },
        dim("duration", Duration::ALL, Duration::code, Duration::label, |r| r.duration as usize),
        dim("residence_status", ResidenceStatus::ALL, ResidenceStatus::code, ResidenceStatus::label, |r| {
            r.residence_status as usize
        }),
        dim("income", Income::ALL, Income::code, Income::label, |r| r.income as usize),
        dim(
            "previous_facility",
            PreviousFacility::ALL,
            PreviousFacility::code,
            PreviousFacility::label,
            |r| r.previous_facility as usize,
        ),
        dim("housing_need", HousingNeed::ALL, HousingNeed::code, HousingNeed::label, |r| {
            r.housing_need as usize
        }),
    ]
}

/// Care needs: several per person. Values: the four needs, `none`, `unknown`.
fn care_need_indices(r: &Attributes) -> impl Iterator<Item = usize> {
    let (needs, other) = match r.care_needs {
        CareNeedSet::Needs(bits) => (bits, None),
        CareNeedSet::None => (0, Some(4)),
        CareNeedSet::Unknown => (0, Some(5)),
    };
    (0..CareNeed::ALL.len()).filter(move |i| needs & 1 << i != 0).chain(other)
}

fn care_need_dim() -> Dim {
    let mut d = dim("care_needs", CareNeed::ALL, CareNeed::code, CareNeed::label, |_| 0);
    d.codes.extend(["none", "unknown"].map(String::from));
    d.labels.extend([("geen".into(), "none".into()), ("onbekend".into(), "unknown".into())]);
    d
}

fn title(dims: &[&Dim]) -> (String, String) {
    let nl = |n: &str| {
        match n {
            "count_group" => "telgroep",
            "visibility" => "zichtbaar en verborgen",
            "conceptual_category" => "ETHOS-categorie",
            "living_situation" => "woonsituatie (ETHOS)",
            "municipality" => "gemeente waar geteld",
            "origin" => "herkomstgemeente",
            "origin_province" => "herkomst elders in Nederland, per provincie",
            "origin_municipality" => "herkomst elders in Nederland, per gemeente",
            "age_band" => "leeftijd",
            "gender" => "gender",
            "household" => "huishouden",
            "children" => "minderjarige kinderen bij de persoon",
            "duration" => "duur dakloosheid",
            "residence_status" => "verblijfsstatus",
            "income" => "inkomen",
            "care_needs" => "zorgbehoefte",
            "previous_facility" => "voorafgaande voorziening",
            "housing_need" => "toekomstperspectief wonen",
            other => other,
        }
        .to_string()
    };
    let en = |n: &str| n.replace('_', " ");
    let join =
        |f: &dyn Fn(&str) -> String, sep: &str| dims.iter().map(|d| f(d.name)).collect::<Vec<_>>().join(sep);
    (format!("Personen naar {}", join(&nl, " × ")), format!("Persons by {}", join(&en, " × ")))
}

/// Builds the tables, their lines and values, then applies disclosure.
struct Builder {
    values: Vec<u64>,
    lines: Vec<Line>,
    tables: Vec<(Table, Vec<usize>, usize)>, // table, cell index per row, total cell
}

impl Builder {
    fn cell(&mut self, v: u64) -> usize {
        self.values.push(v);
        self.values.len() - 1
    }

    /// A one-dimensional table; returns its cell indices.
    fn one(
        &mut self,
        d: &Dim,
        counts: &[u64],
        total: usize,
        id: Option<String>,
        multiple: bool,
    ) -> Vec<usize> {
        let cells: Vec<usize> = counts.iter().map(|&c| self.cell(c)).collect();
        if !multiple {
            self.lines.push(Line { cells: cells.clone(), total });
        }
        let (title, title_en) = title(&[d]);
        let rows = d
            .codes
            .iter()
            .map(|c| Row {
                key: BTreeMap::from([(d.name.to_string(), c.clone())]),
                persons: None,
                suppressed: None,
                children: None,
                children_suppressed: None,
            })
            .collect();
        let table = Table {
            id: id.unwrap_or_else(|| format!("by_{}", d.name)),
            title,
            title_en,
            dimensions: vec![d.name.to_string()],
            total: None,
            rows,
            multiple_answers: multiple,
        };
        self.tables.push((table, cells.clone(), total));
        cells
    }

    /// A two-dimensional table `a × b` whose margins are the cells of `a`'s and `b`'s tables.
    #[allow(clippy::too_many_arguments)]
    fn two(
        &mut self,
        id: String,
        a: &Dim,
        b: &Dim,
        counts: &[Vec<u64>],
        margin_a: &[usize],
        margin_b: &[usize],
        total: usize,
        b_multiple: bool,
    ) {
        let mut cells = Vec::new();
        let mut rows = Vec::new();
        for (i, ca) in a.codes.iter().enumerate() {
            let row_cells: Vec<usize> = counts[i].iter().map(|&c| self.cell(c)).collect();
            if !b_multiple {
                self.lines.push(Line { cells: row_cells.clone(), total: margin_a[i] });
            }
            for cb in &b.codes {
                rows.push(Row {
                    key: BTreeMap::from([(a.name.to_string(), ca.clone()), (b.name.to_string(), cb.clone())]),
                    persons: None,
                    suppressed: None,
                    children: None,
                    children_suppressed: None,
                });
            }
            cells.extend(row_cells);
        }
        let nb = b.codes.len();
        for (j, &m) in margin_b.iter().enumerate() {
            self.lines
                .push(Line { cells: (0..a.codes.len()).map(|i| cells[i * nb + j]).collect(), total: m });
        }
        let (title, title_en) = title(&[a, b]);
        let table = Table {
            id,
            title,
            title_en,
            dimensions: vec![a.name.to_string(), b.name.to_string()],
            total: None,
            rows,
            multiple_answers: b_multiple,
        };
        self.tables.push((table, cells, total));
    }
}

/// The report of a count under the counting rules of domain.md §5.
pub fn build(input: ReportInput<'_>) -> Report {
    let records = input.records;
    let people: Vec<Person> = persons(records, input.decisions);
    let t = totals(records, &people);
    let dims = dims();
    let by_name = |n: &str| dims.iter().position(|d| d.name == n).unwrap_or(0);
    let category = by_name("conceptual_category");
    let care = care_need_dim();

    // One pass over the persons fills every count.
    let mut one: Vec<Vec<u64>> = dims.iter().map(|d| vec![0; d.codes.len()]).collect();
    let mut cross: Vec<Vec<Vec<u64>>> = dims.iter().map(|d| vec![vec![0; d.codes.len()]; 4]).collect();
    let mut care_one = vec![0u64; care.codes.len()];
    let mut care_cross = vec![vec![0u64; care.codes.len()]; 4];
    let region_n = region_codes().len();
    let mut muni_origin = vec![vec![0u64; 9]; region_n];
    let origin_counts = origin::OriginCounts::of(records, &people);
    let mut group_children = vec![0u64; CountGroup::ALL.len()];
    // Persons with `unknown` per profile field, in `PROFILE_FIELDS` order.
    let mut unknown = [0u64; crate::record::PROFILE_FIELDS.len()];
    for p in &people {
        let r = &records[p.primary].attributes;
        let cat = r.living_situation.conceptual_category() as usize;
        for (k, d) in dims.iter().enumerate() {
            let v = (d.of)(r);
            one[k][v] += 1;
            cross[k][cat][v] += 1;
        }
        for v in care_need_indices(r) {
            care_one[v] += 1;
            care_cross[cat][v] += 1;
        }
        muni_origin[region_index(r.municipality)][origin_index(r)] += 1;
        group_children[r.living_situation.count_group() as usize] += u64::from(r.children.counted());
        // Typed by the list's length: a field added to one and not the other does not compile.
        let flags: [bool; crate::record::PROFILE_FIELDS.len()] = [
            r.age_band == AgeBand::Unknown,
            r.gender == Gender::Unknown,
            r.household == Household::Unknown,
            r.children == Children::Unknown,
            r.duration == Duration::Unknown,
            r.residence_status == ResidenceStatus::Unknown,
            r.income == Income::Unknown,
            r.care_needs == CareNeedSet::Unknown,
            r.previous_facility == PreviousFacility::Unknown,
            r.housing_need == HousingNeed::Unknown,
        ];
        for (u, f) in unknown.iter_mut().zip(flags) {
            *u += u64::from(f);
        }
    }
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
    let headline = headline_sums(&t, shown(total).is_none(), shown(child_total).is_none(), public);
    let mut per_org = vec![0u64; input.organisations.len()];
    for r in records.iter().filter(|r| !r.training && !r.void) {
        if let Some(n) = per_org.get_mut(r.organisation as usize) {
            *n += 1;
        }
    }
    let mut per_type: BTreeMap<OrganisationType, u64> = BTreeMap::new();
    for ((_, ty), n) in input.organisations.iter().zip(&per_org) {
        *per_type.entry(*ty).or_default() += n;
    }
    let (unresolved, resolved) = duplicate_groups(records, &people, input.decisions);
    let (records_per_organisation, records_per_organisation_type) =
        records_per_organisation(input.organisations, &per_org, per_type, public);
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
    let unknown_share = crate::record::PROFILE_FIELDS
        .iter()
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
    let rates = rates(&tables, input.population);
    let youth_18_26 = youth(&tables);
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
        headline_suppressed: headline_suppressed(&t, &figures),
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

/// The persons of the youth age bands (18–26), from the age table as published: the sum of its
/// youth rows, or `None` if any of them is hidden.
fn youth(tables: &[Table]) -> Option<u64> {
    let ages = tables.iter().find(|t| t.id == "by_age_band")?;
    AgeBand::ALL.iter().filter(|b| b.is_youth()).try_fold(0, |sum, band| {
        let row = ages.rows.iter().find(|r| r.key.get("age_band").is_some_and(|c| c == band.code()));
        // A band without a row had nobody.
        Some(sum + row.map_or(Some(0), |r| r.persons)?)
    })
}

/// Records per organisation and per organisation type (domain.md §6.5). Public: the cell rule
/// of §6 with secondary suppression over two kinds of line — each type's organisations with the
/// type's records as total, and the types with all counted records (shown in the headline) as
/// total — so that no hidden organisation is the type minus the others, and no hidden type the
/// total minus the others. A hidden value is `None` with its reason (`<5` or `x`).
fn records_per_organisation(
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
fn duplicate_groups(records: &[ReportRecord], people: &[Person], decisions: &KeyDecisions) -> (u64, u64) {
    let decided: HashMap<KeyBytes, &KeyDecision> =
        decisions.iter().map(|(k, d)| (KeyBytes::from(k), d)).collect();
    let mut unresolved = 0;
    let mut resolved = 0;
    for p in people.iter().filter(|p| p.is_merged()) {
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

/// The headline figures that are sums of others (api.md): with one part hidden, the sum or
/// another part must go too, or the hidden one is recovered by subtraction.
struct HeadlineSums {
    including: Option<u64>,
    merged: Option<u64>,
    counted: Option<u64>,
    records_total: Option<u64>,
    training: Option<u64>,
    void: Option<u64>,
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
fn headline_sums(
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
fn headline_suppressed(
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
fn rates(tables: &[Table], population: &[(String, u64)]) -> Vec<Rate> {
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

#[cfg(test)]
mod tests;
