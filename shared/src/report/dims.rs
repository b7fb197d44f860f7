//! The dimensions of the report tables: each one's values (wire codes), labels and a
//! person's value, and the tables' titles.

use super::{Attributes, CareNeedSet, OriginPlace, Place};
use crate::ethos::{ConceptualCategory, CountGroup, LivingSituation};
use crate::municipality;
use crate::profile::*;
use crate::Lang;

/// A dimension: its field name, its values (wire codes) and labels, and a person's value.
pub(super) struct Dim {
    pub(super) name: &'static str,
    pub(super) codes: Vec<String>,
    pub(super) labels: Vec<(String, String)>,
    pub(super) of: fn(&Attributes) -> usize,
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

pub(super) fn region_codes() -> &'static [&'static str] {
    static CODES: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    CODES.get_or_init(|| municipality::region().map(|g| g.code.as_str()).collect())
}

/// Per CBS number, its index among the region's municipalities plus one, 0 outside the
/// region: one look-up per person instead of a search.
fn region_slots() -> &'static [u8] {
    static SLOTS: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    SLOTS.get_or_init(|| {
        let mut slots = vec![0u8; Place::NUMBERS as usize];
        for (i, place) in region_codes().iter().enumerate() {
            if let Some(slot) = Place::of(place).and_then(|p| slots.get_mut(usize::from(p.number()))) {
                *slot = u8::try_from(i + 1).unwrap_or(0);
            }
        }
        slots
    })
}

/// The place's index among the region's municipalities, `None` outside the region.
fn region_slot(place: Place) -> Option<usize> {
    match region_slots().get(usize::from(place.number())) {
        Some(&slot) if slot > 0 => Some(usize::from(slot) - 1),
        _ => None,
    }
}

pub(super) fn region_index(place: Place) -> usize {
    region_slot(place).unwrap_or(0)
}

/// Origin groups: the six region municipalities, `elsewhere_nl`, `abroad`, `unknown`.
pub(super) fn origin_index(r: &Attributes) -> usize {
    match r.origin {
        OriginPlace::Municipality(place) => region_slot(place).unwrap_or(6),
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

pub(super) fn dims() -> Vec<Dim> {
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
pub(super) fn care_need_indices(r: &Attributes) -> impl Iterator<Item = usize> {
    let (needs, other) = match r.care_needs {
        CareNeedSet::Needs(bits) => (bits, None),
        CareNeedSet::None => (0, Some(4)),
        CareNeedSet::Unknown => (0, Some(5)),
    };
    (0..CareNeed::ALL.len()).filter(move |i| needs & 1 << i != 0).chain(other)
}

pub(super) fn care_need_dim() -> Dim {
    let mut d = dim("care_needs", CareNeed::ALL, CareNeed::code, CareNeed::label, |_| 0);
    d.codes.extend(["none", "unknown"].map(String::from));
    d.labels.extend([("geen".into(), "none".into()), ("onbekend".into(), "unknown".into())]);
    d
}

pub(super) fn title(dims: &[&Dim]) -> (String, String) {
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
