//! Comparison with an earlier count of the region (domain.md §6.6): every headline figure and
//! every table cell of this count's report next to the earlier report's, with the change.
//!
//! Both reports are built with the same disclosure, so a public comparison only subtracts
//! figures that are published anyway: where either side is hidden (`null`), so is the change.

use crate::api::Count;
use crate::count::CountStatus;
use crate::disclosure::Suppression;
use crate::report::{Disclosure, Report, Table};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One figure now and in the earlier count.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub now: Option<u64>,
    pub earlier: Option<u64>,
    /// Why a hidden figure is hidden (`<5` or `x`), as in the report (`headline_suppressed`
    /// for headline figures); `null` for shown figures and for hidden table totals.
    #[serde(default)]
    pub now_suppressed: Option<Suppression>,
    #[serde(default)]
    pub earlier_suppressed: Option<Suppression>,
    /// `now − earlier`; `null` when either side is hidden.
    pub change: Option<i64>,
    /// The change as a share of the earlier figure (0.25 = +25 %); `null` when hidden or when
    /// the earlier figure is 0.
    pub relative: Option<f64>,
}

impl Change {
    pub fn of(now: Option<u64>, earlier: Option<u64>) -> Change {
        let change = match (now, earlier) {
            (Some(n), Some(e)) => i64::try_from(n).ok().zip(i64::try_from(e).ok()).map(|(n, e)| n - e),
            _ => None,
        };
        let relative = match (change, earlier) {
            (Some(c), Some(e)) if e > 0 => Some(c as f64 / e as f64),
            _ => None,
        };
        Change { now, earlier, now_suppressed: None, earlier_suppressed: None, change, relative }
    }

    /// A table cell now and earlier, with why each is hidden.
    fn cells(now: (Option<u64>, Option<Suppression>), earlier: (Option<u64>, Option<Suppression>)) -> Change {
        Change { now_suppressed: now.1, earlier_suppressed: earlier.1, ..Change::of(now.0, earlier.0) }
    }
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RowChange {
    pub key: BTreeMap<String, String>,
    #[serde(flatten)]
    pub persons: Change,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableChange {
    pub id: String,
    pub title: String,
    pub title_en: String,
    pub dimensions: Vec<String>,
    pub total: Change,
    pub rows: Vec<RowChange>,
}

/// The headline figures compared, by the report's field names.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeadlineChange {
    pub figure: String,
    #[serde(flatten)]
    pub persons: Change,
}

/// `GET /api/v1/counts/{id}/comparison?with={earlier}` answers this.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub count: Count,
    pub earlier: Count,
    pub disclosure: Disclosure,
    pub headline: Vec<HeadlineChange>,
    pub tables: Vec<TableChange>,
}

/// Whether `earlier` may serve as the earlier count of `count`: another count with an earlier
/// reference date that really counted (a count still in training has no counted records).
pub fn is_earlier(count: &Count, earlier: &Count) -> bool {
    count.id != earlier.id
        && earlier.reference_date < count.reference_date
        && earlier.status != CountStatus::Training
}

/// Compares two reports built with the same disclosure. A row missing from one side had no
/// persons there (reports may leave out empty rows). Both reports come from the same code, so
/// each has every table; should the earlier one lack a table, its figures read as unknown
/// (`null`) rather than the comparison failing.
pub fn compare(now: &Report, earlier: &Report) -> Comparison {
    let headline = [
        ("persons_total", now.persons_total, earlier.persons_total),
        ("accompanying_children", now.accompanying_children, earlier.accompanying_children),
        ("persons_including_children", now.persons_including_children, earlier.persons_including_children),
        ("records_counted", now.records_counted, earlier.records_counted),
        ("records_without_key", now.records_without_key, earlier.records_without_key),
        ("duplicate_records_merged", now.duplicate_records_merged, earlier.duplicate_records_merged),
    ]
    .into_iter()
    .map(|(figure, n, e)| {
        let why = |r: &Report| r.headline_suppressed.get(figure).copied();
        HeadlineChange { figure: figure.into(), persons: Change::cells((n, why(now)), (e, why(earlier))) }
    })
    .collect();
    let tables = now.tables.iter().map(|t| compare_table(t, earlier.table(&t.id))).collect();
    Comparison {
        count: now.count.clone(),
        earlier: earlier.count.clone(),
        disclosure: now.disclosure,
        headline,
        tables,
    }
}

fn compare_table(now: &Table, earlier: Option<&Table>) -> TableChange {
    let cell_in = |table: Option<&Table>, key: &BTreeMap<String, String>| match table {
        None => (None, None),
        Some(t) => {
            t.rows.iter().find(|r| &r.key == key).map_or((Some(0), None), |r| (r.persons, r.suppressed))
        }
    };
    let mut keys: Vec<&BTreeMap<String, String>> = now.rows.iter().map(|r| &r.key).collect();
    for row in earlier.map(|t| t.rows.as_slice()).unwrap_or_default() {
        if !keys.contains(&&row.key) {
            keys.push(&row.key);
        }
    }
    let rows = keys
        .into_iter()
        .map(|key| RowChange {
            key: key.clone(),
            persons: Change::cells(cell_in(Some(now), key), cell_in(earlier, key)),
        })
        .collect();
    TableChange {
        id: now.id.clone(),
        title: now.title.clone(),
        title_en: now.title_en.clone(),
        dimensions: now.dimensions.clone(),
        total: Change::of(now.total, earlier.and_then(|t| t.total)),
        rows,
    }
}

/// One table of a comparison as CSV (the same dialects as the report's CSV): the dimensions
/// (codes, and beside each its Dutch name in `<dimension>_naam`), then `earlier`, `now`, `change` and `change_percent` (one decimal); a hidden figure reads `<5`
/// (primary) or `x` (secondary, or a hidden total), and a change that cannot be given is empty.
pub fn table_change_csv(t: &TableChange, semicolon: bool) -> String {
    let shown = |n: Option<u64>, why: Option<Suppression>| match (n, why) {
        (Some(n), _) => n.to_string(),
        (None, Some(Suppression::Primary)) => "<5".to_string(),
        (None, _) => "x".to_string(),
    };
    let percent = |r: Option<f64>| {
        let text = r.map(|r| format!("{:.1}", r * 100.0)).unwrap_or_default();
        if semicolon {
            text.replace('.', ",")
        } else {
            text
        }
    };
    let figures = |c: &Change| {
        [
            shown(c.earlier, c.earlier_suppressed),
            shown(c.now, c.now_suppressed),
            c.change.map(|d| d.to_string()).unwrap_or_default(),
            percent(c.relative),
        ]
    };
    let mut header: Vec<String> = crate::report::dimension_columns(&t.dimensions);
    header.extend(["earlier", "now", "change", "change_percent"].map(String::from));
    let mut lines = vec![header];
    for row in &t.rows {
        let mut line: Vec<String> = crate::report::key_columns(&t.dimensions, &row.key);
        line.extend(figures(&row.persons));
        lines.push(line);
    }
    let mut total = vec![String::new(); 2 * t.dimensions.len()];
    if let Some(first) = total.first_mut() {
        *first = "total".into();
    }
    if let Some(name) = total.get_mut(1) {
        *name = "totaal".into();
    }
    total.extend(figures(&t.total));
    lines.push(total);
    crate::report::csv_text(lines, semicolon)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::disclosure::Suppression;
    use crate::report::Row;

    fn row(code: &str, persons: Option<u64>) -> Row {
        Row {
            key: BTreeMap::from([("gender".to_string(), code.to_string())]),
            persons,
            suppressed: persons.is_none().then_some(Suppression::Primary),
            children: None,
            children_suppressed: None,
        }
    }

    fn table(rows: Vec<Row>, total: Option<u64>) -> Table {
        Table {
            id: "by_gender".into(),
            title: "Geslacht".into(),
            title_en: "Gender".into(),
            dimensions: vec!["gender".into()],
            total,
            rows,
            multiple_answers: false,
        }
    }

    #[test]
    fn change_is_hidden_when_either_side_is() {
        assert_eq!(Change::of(Some(12), Some(8)).change, Some(4));
        assert_eq!(Change::of(Some(12), Some(8)).relative, Some(0.5));
        assert_eq!(Change::of(Some(3), Some(8)).change, Some(-5));
        assert_eq!(Change::of(None, Some(8)).change, None);
        assert_eq!(Change::of(Some(8), None).change, None);
        assert_eq!(Change::of(Some(5), Some(0)).relative, None, "no share of zero");
    }

    #[test]
    fn rows_of_both_sides_appear_and_a_missing_row_is_zero() {
        let now = table(vec![row("man", Some(20)), row("woman", None)], Some(23));
        let earlier = table(vec![row("man", Some(15)), row("non_binary", Some(6))], Some(21));
        let t = compare_table(&now, Some(&earlier));
        let by = |code: &str| t.rows.iter().find(|r| r.key["gender"] == code).map(|r| r.persons.clone());
        assert_eq!(by("man"), Some(Change::of(Some(20), Some(15))));
        let woman = by("woman").unwrap();
        assert_eq!(
            (woman.now, woman.earlier, woman.change),
            (None, Some(0), None),
            "earlier had no row: zero"
        );
        assert_eq!(woman.now_suppressed, Some(Suppression::Primary), "why it is hidden travels along");
        assert_eq!(by("non_binary"), Some(Change::of(Some(0), Some(6))), "now has no row: zero");
        assert_eq!(t.total.change, Some(2));
        assert_eq!(t.rows.len(), 3);
    }

    #[test]
    fn a_table_as_csv_gives_then_now_change_and_percent_in_both_dialects() {
        let now = table(vec![row("man", Some(20)), row("woman", None)], Some(23));
        let earlier = table(vec![row("man", Some(16)), row("woman", Some(6))], Some(22));
        let t = compare_table(&now, Some(&earlier));
        assert_eq!(
            table_change_csv(&t, false),
            "gender,gender_naam,earlier,now,change,change_percent\nman,man,16,20,4,25.0\nwoman,vrouw,6,<5,,\n\
             total,totaal,22,23,1,4.5\n"
        );
        assert_eq!(
            table_change_csv(&t, true),
            "\u{feff}gender;gender_naam;earlier;now;change;change_percent\nman;man;16;20;4;25,0\nwoman;vrouw;6;<5;;\n\
             total;totaal;22;23;1;4,5\n"
        );
    }

    #[test]
    fn a_table_the_earlier_report_lacks_compares_against_hidden_figures() {
        let now = table(vec![row("man", Some(20))], Some(20));
        let t = compare_table(&now, None);
        assert_eq!(t.rows[0].persons, Change::of(Some(20), None));
        assert_eq!(t.total.earlier, None);
    }

    #[test]
    fn hidden_headline_figures_carry_why_they_are_hidden() {
        let report = |persons: Option<u64>, merged: Option<u64>, why: serde_json::Value| -> Report {
            serde_json::from_value(serde_json::json!({
                "count": {"id": uuid::Uuid::nil(), "name": "Telling", "reference_date": "2026-10-15",
                    "starts_at": "2026-10-15T20:00:00+02:00", "ends_at": "2026-10-16T20:00:00+02:00",
                    "status": "locked"},
                "generated_at": "2026-10-17T10:00:00Z", "disclosure": "public",
                "persons_total": persons, "duplicate_records_merged": merged, "headline_suppressed": why,
                "tables": [], "quality": {"unresolved_duplicate_groups": 0, "resolved_duplicate_groups": 0,
                    "persons_with_disagreeing_category": null, "persons_children_unknown": null,
                    "unknown_share": {}, "records_per_organisation": [], "records_per_organisation_type": []}
            }))
            .expect("a report")
        };
        let now = report(Some(30), None, serde_json::json!({"duplicate_records_merged": "primary"}));
        let earlier = report(None, Some(9), serde_json::json!({"persons_total": "secondary"}));
        let c = compare(&now, &earlier);
        let figure = |name: &str| c.headline.iter().find(|h| h.figure == name).expect(name).persons.clone();
        let merged = figure("duplicate_records_merged");
        assert_eq!(
            (merged.now_suppressed, merged.earlier_suppressed, merged.change),
            (Some(Suppression::Primary), None, None)
        );
        let persons = figure("persons_total");
        assert_eq!(
            (persons.now_suppressed, persons.earlier_suppressed),
            (None, Some(Suppression::Secondary))
        );
    }
}
