//! Origin elsewhere in the Netherlands: persons whose municipality of origin lies outside the
//! region, by province (`by_origin_province`) and by municipality (`by_origin_municipality`).
//!
//! Both tables break down the `elsewhere_nl` cell of `by_origin`, which is their total. The
//! lines for disclosure control (domain.md §6) follow the hierarchy: the provinces add up to
//! `elsewhere_nl`, each province's municipalities add up to the province, and all the
//! municipalities add up to `elsewhere_nl` too. So a hidden municipality cannot be had as its
//! province minus the others, a hidden province not as `elsewhere_nl` minus the others, and
//! when `elsewhere_nl` is hidden, so are both tables' totals (they are that very cell).

use super::{Builder, Dim, OriginPlace, Place, ReportRecord};
use crate::counting::PersonHead;
use crate::disclosure::Line;
use crate::municipality::{self, Gemeente};
use std::collections::BTreeMap;

/// The dimension of `by_origin_municipality`: CBS codes of municipalities outside the region.
pub(super) const MUNICIPALITY: &str = "origin_municipality";
/// The dimension of `by_origin_province`: province names as in `gemeenten.csv`.
pub(super) const PROVINCE: &str = "origin_province";

/// Every province of the list, sorted.
pub(super) fn provinces() -> Vec<&'static str> {
    let mut p: Vec<&str> = municipality::all().iter().map(|g| g.province.as_str()).collect();
    p.sort_unstable();
    p.dedup();
    p
}

/// Persons by municipality of origin outside the region, counted over the report's persons.
pub(super) struct OriginCounts {
    provinces: Vec<&'static str>,
    per_province: Vec<u64>,
    /// Municipalities with at least one person, by province then name, with their persons.
    places: Vec<(&'static Gemeente, u64)>,
}

impl OriginCounts {
    pub(super) fn of(records: &[ReportRecord], people: &[PersonHead]) -> OriginCounts {
        // Persons per CBS number first (an array, not a map keyed by names: one person is one
        // increment), then the places with persons in the tables' order.
        let mut per_number = vec![0u64; usize::from(u16::MAX) + 1];
        let mut seen: Vec<Place> = Vec::new();
        for p in people {
            if let OriginPlace::Municipality(place) = records[p.primary].attributes.origin {
                let n = &mut per_number[usize::from(place.number())];
                if *n == 0 {
                    seen.push(place);
                }
                *n += 1;
            }
        }
        let mut per_place: BTreeMap<(&str, &str, &str), (&'static Gemeente, u64)> = BTreeMap::new();
        for place in seen {
            let n = per_number[usize::from(place.number())];
            if let Some(g) = place.gemeente().filter(|g| !g.in_region) {
                let key = (g.province.as_str(), g.name.as_str(), g.code.as_str());
                per_place.entry(key).or_insert((g, 0)).1 += n;
            }
        }
        let provinces = provinces();
        let mut per_province = vec![0; provinces.len()];
        for (g, n) in per_place.values() {
            if let Some(i) = provinces.iter().position(|p| *p == g.province) {
                per_province[i] += n;
            }
        }
        OriginCounts { provinces, per_province, places: per_place.into_values().collect() }
    }

    /// Adds both tables to the builder, with `elsewhere` (the `elsewhere_nl` cell) as total.
    pub(super) fn add_tables(&self, b: &mut Builder, elsewhere: usize) {
        let province_dim = Dim {
            name: PROVINCE,
            codes: self.provinces.iter().map(|p| p.to_string()).collect(),
            labels: self.provinces.iter().map(|p| (p.to_string(), p.to_string())).collect(),
            of: |_| 0,
        };
        let province_cells = b.one(&province_dim, &self.per_province, elsewhere, None, false);
        let place_dim = Dim {
            name: MUNICIPALITY,
            codes: self.places.iter().map(|(g, _)| g.code.clone()).collect(),
            labels: self.places.iter().map(|(g, _)| (g.name.clone(), g.name.clone())).collect(),
            of: |_| 0,
        };
        let counts: Vec<u64> = self.places.iter().map(|(_, n)| *n).collect();
        // The flat line: all the municipalities with `elsewhere_nl` as total.
        let place_cells = b.one(&place_dim, &counts, elsewhere, None, false);
        // Per province: its municipalities with the province's cell as total.
        for (i, province) in self.provinces.iter().enumerate() {
            let cells: Vec<usize> = self
                .places
                .iter()
                .zip(&place_cells)
                .filter(|((g, _), _)| g.province == *province)
                .map(|(_, &c)| c)
                .collect();
            if !cells.is_empty() {
                b.lines.push(Line { cells, total: province_cells[i] });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::determined;
    use super::super::*;
    use super::{MUNICIPALITY, PROVINCE};
    use crate::count::CountStatus;
    use crate::counting::CountedRecord;
    use crate::dedup_key::key_of_normalised_text;
    use crate::municipality;
    use crate::profile::Profile;
    use crate::record::{MunicipalityCode, Origin};
    use proptest::prelude::*;
    use uuid::Uuid;

    /// Origins drawn from: Maastricht (in the region), Heerlen, Sittard-Geleen and Venlo
    /// (Limburg), Eindhoven and Tilburg (Noord-Brabant), Amsterdam (Noord-Holland), abroad,
    /// unknown.
    const ORIGINS: [&str; 9] =
        ["GM0935", "GM0917", "GM1883", "GM0983", "GM0772", "GM0855", "GM0363", "abroad", "unknown"];

    fn report_of(per_origin: &[u64], disclosure: Disclosure) -> Report {
        let mut records = Vec::new();
        for (o, &n) in ORIGINS.iter().zip(per_origin) {
            for _ in 0..n {
                let id = records.len() as u128 + 1;
                let origin = match *o {
                    "abroad" => Origin::Abroad,
                    "unknown" => Origin::Unknown,
                    code => Origin::Municipality {
                        code: MunicipalityCode::try_from(code.to_string()).expect("a code"),
                    },
                };
                let r = CountedRecord {
                    id: Uuid::from_u128(id),
                    observed_at: chrono::DateTime::parse_from_rfc3339("2026-10-15T22:00:00+02:00")
                        .expect("a time"),
                    dedup_key: key_of_normalised_text("secret", &format!("p{id}")),
                    training: false,
                    void: false,
                    municipality: "GM0935".to_string().try_into().expect("Maastricht"),
                    living_situation: crate::ethos::LivingSituation::PublicSpace,
                    origin,
                    profile: Profile::unknown(),
                    organisation: 0,
                };
                records.push(ReportRecord::from_counted(&r).expect("a report record"));
            }
        }
        let at = chrono::DateTime::parse_from_rfc3339("2026-10-15T20:00:00+02:00").expect("a time");
        build(ReportInput {
            count: Count {
                id: Uuid::from_u128(1),
                name: "test".into(),
                reference_date: at.date_naive(),
                starts_at: at,
                ends_at: at,
                status: CountStatus::Locked,
            },
            records: &records,
            decisions: &KeyDecisions::new(),
            organisations: &[("Straatteam".into(), OrganisationType::Outreach)],
            disclosure,
            generated_at: chrono::Utc::now(),
            population: &[],
        })
    }

    fn persons(table: &Table, dimension: &str, code: &str) -> Option<u64> {
        table.rows.iter().find(|r| r.key[dimension] == code).and_then(|r| r.persons)
    }

    #[test]
    fn origin_elsewhere_is_broken_down_by_municipality_and_province() {
        let report = report_of(&[10, 12, 3, 0, 6, 0, 1, 7, 2], Disclosure::Internal);
        let by_place = report.table("by_origin_municipality").expect("the table");
        let codes: Vec<&str> = by_place.rows.iter().map(|r| r.key[MUNICIPALITY].as_str()).collect();
        // Municipalities with persons only, by province then name.
        assert_eq!(codes, ["GM0917", "GM1883", "GM0772", "GM0363"]);
        assert_eq!(by_place.total, Some(22));
        assert_eq!(by_place.dimensions, [MUNICIPALITY]);
        let by_province = report.table("by_origin_province").expect("the table");
        assert_eq!(persons(by_province, PROVINCE, "Limburg"), Some(15));
        assert_eq!(persons(by_province, PROVINCE, "Noord-Brabant"), Some(6));
        assert_eq!(persons(by_province, PROVINCE, "Noord-Holland"), Some(1));
        assert_eq!(persons(by_province, PROVINCE, "Zeeland"), Some(0));
        let origin = report.table("by_origin").expect("by_origin");
        assert_eq!(persons(origin, "origin", "elsewhere_nl"), Some(22));
    }

    /// Values of the origin tables as one system: the `by_origin` cells and total, the
    /// provinces, the municipalities; with the lines of §6 as rows of coefficients.
    fn system(report: &Report, internal_report: &Report) -> (Vec<u64>, Vec<bool>, Vec<Vec<f64>>) {
        let mut values = Vec::new();
        let mut hidden = Vec::new();
        let mut push = |n: Option<u64>, internal: u64| {
            values.push(internal);
            hidden.push(n.is_none());
            values.len() - 1
        };
        let internal =
            |t: &str, d: &str, c: &str| internal_report.table(t).and_then(|t| persons(t, d, c)).unwrap_or(0);
        let origin = report.table("by_origin").expect("by_origin");
        let mut origin_cells = Vec::new();
        for r in &origin.rows {
            let code = &r.key["origin"];
            origin_cells.push(push(r.persons, internal("by_origin", "origin", code)));
        }
        let total = push(origin.total, internal_report.persons_total.unwrap_or(0));
        let elsewhere = origin_cells[6];
        let provinces = report.table("by_origin_province").expect("provinces");
        let mut province_cells = Vec::new();
        for r in &provinces.rows {
            let code = &r.key[PROVINCE];
            province_cells
                .push((code.clone(), push(r.persons, internal("by_origin_province", PROVINCE, code))));
        }
        let places = report.table("by_origin_municipality").expect("municipalities");
        let mut place_cells = Vec::new();
        for r in &places.rows {
            let code = &r.key[MUNICIPALITY];
            let province = municipality::by_code(code).expect("a municipality").province.clone();
            let cell = push(r.persons, internal("by_origin_municipality", MUNICIPALITY, code));
            place_cells.push((province, cell));
        }
        let n = values.len();
        let line = |cells: &[usize], total: usize| {
            let mut row = vec![0.0; n];
            cells.iter().for_each(|&c| row[c] = 1.0);
            row[total] = -1.0;
            row
        };
        let mut rows = vec![line(&origin_cells, total)];
        let province_ids: Vec<usize> = province_cells.iter().map(|(_, c)| *c).collect();
        rows.push(line(&province_ids, elsewhere));
        let place_ids: Vec<usize> = place_cells.iter().map(|(_, c)| *c).collect();
        rows.push(line(&place_ids, elsewhere));
        for (name, cell) in &province_cells {
            let members: Vec<usize> =
                place_cells.iter().filter(|(p, _)| p == name).map(|(_, c)| *c).collect();
            rows.push(line(&members, *cell));
        }
        (values, hidden, rows)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn no_hidden_origin_figure_is_small_when_shown_or_follows_from_the_shown_ones(
            per_origin in proptest::collection::vec(prop_oneof![0u64..=6, 0u64..=25], ORIGINS.len())
        ) {
            let internal = report_of(&per_origin, Disclosure::Internal);
            let public = report_of(&per_origin, Disclosure::Public);
            let (values, hidden, rows) = system(&public, &internal);
            let hidden_ids: Vec<usize> = (0..values.len()).filter(|&i| hidden[i]).collect();
            for (i, v) in values.iter().enumerate() {
                prop_assert!(hidden[i] || !crate::disclosure::is_small(*v), "{v} shown: {per_origin:?}");
                if hidden[i] && *v > 0 {
                    prop_assert!(!determined(&rows, &hidden_ids, i), "value {i} = {v} follows: {per_origin:?}");
                }
            }
            // The tables' totals are the `elsewhere_nl` cell: hidden together.
            let origin = public.table("by_origin").expect("by_origin");
            let elsewhere = persons(origin, "origin", "elsewhere_nl");
            prop_assert_eq!(public.table("by_origin_province").and_then(|t| t.total), elsewhere);
            prop_assert_eq!(public.table("by_origin_municipality").and_then(|t| t.total), elsewhere);
        }
    }
}
