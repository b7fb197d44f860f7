//! Dutch municipalities (CBS codes) and the six of the Maastricht-Heuvelland region.
//!
//! The list is `../shared/data/gemeenten.csv`, compiled in: replacing that file (after a
//! municipal merger) and rebuilding is the only step needed.

use crate::name_match::{Name, Query, Rank};
use crate::places;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

const GEMEENTEN_CSV: &str =
    include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data/gemeenten.csv"));

/// One row of `gemeenten.csv`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gemeente {
    pub code: String,
    pub name: String,
    pub province: String,
    pub in_region: bool,
}

/// Every Dutch municipality, in file order.
pub fn all() -> &'static [Gemeente] {
    static LIST: OnceLock<Vec<Gemeente>> = OnceLock::new();
    LIST.get_or_init(|| {
        csv::Reader::from_reader(GEMEENTEN_CSV.as_bytes()).deserialize().filter_map(Result::ok).collect()
    })
}

/// The municipality with this CBS code (`GM` + 4 digits). An index lookup: the sync and the
/// report call it for every record.
pub fn by_code(code: &str) -> Option<&'static Gemeente> {
    static INDEX: OnceLock<HashMap<&'static str, &'static Gemeente>> = OnceLock::new();
    INDEX.get_or_init(|| all().iter().map(|g| (g.code.as_str(), g)).collect()).get(code).copied()
}

/// The region's CBS codes in the order of domain.md §1 (Maastricht first, then alphabetical).
const REGION_ORDER: [&str; 6] = ["GM0935", "GM1903", "GM1729", "GM0938", "GM0981", "GM0994"];

/// The municipalities the data file flags as the region, in the order of domain.md §1 (any
/// other flagged one, e.g. after a merger, after them).
pub fn region() -> impl Iterator<Item = &'static Gemeente> {
    static REGION: OnceLock<Vec<&'static Gemeente>> = OnceLock::new();
    let order = |g: &Gemeente| REGION_ORDER.iter().position(|c| *c == g.code).unwrap_or(REGION_ORDER.len());
    REGION
        .get_or_init(|| {
            let mut list: Vec<&Gemeente> = all().iter().filter(|g| g.in_region).collect();
            list.sort_by_key(|g| order(g));
            list
        })
        .iter()
        .copied()
}

/// Common everyday names that differ from the official CBS name, for the type-ahead.
const ALIASES: &[(&str, &str)] = &[
    ("Den Haag", "GM0518"),
    ("The Hague", "GM0518"),
    ("Den Bosch", "GM0796"),
    ("Bergen Limburg", "GM0893"),
    ("Bergen Noord-Holland", "GM0373"),
    // The Dutch forms of Frisian official names.
    ("Tietjerksteradeel", "GM0737"),
    ("Dantumadeel", "GM1891"),
    ("Zuidwest-Friesland", "GM1900"),
    ("Noordoost-Friesland", "GM1970"),
];

/// One answer of the origin search: the municipality, and the place (woonplaats, village or
/// district) whose name matched, when it was not the municipality's own name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OriginHit {
    pub gemeente: &'static Gemeente,
    pub place: Option<&'static str>,
}

impl OriginHit {
    /// "Hoensbroek → Heerlen" for a place, the municipality's name otherwise.
    pub fn label(&self) -> String {
        match self.place {
            Some(place) => format!("{place} → {}", self.gemeente.name),
            None => self.gemeente.name.clone(),
        }
    }
}

/// A name the origin search matches: a municipality's own name, an alias, or a place in it.
struct Entry {
    name: Name,
    gemeente: &'static Gemeente,
    place: Option<&'static str>,
}

fn entries() -> &'static [Entry] {
    static ENTRIES: OnceLock<Vec<Entry>> = OnceLock::new();
    ENTRIES.get_or_init(|| {
        let own = all().iter().map(|g| Entry { name: Name::new(&g.name), gemeente: g, place: None });
        let aliases = ALIASES.iter().filter_map(|(alias, code)| {
            by_code(code).map(|g| Entry { name: Name::new(alias), gemeente: g, place: None })
        });
        let places = places::all().iter().filter_map(|p| {
            by_code(&p.code).map(|g| Entry { name: Name::new(p.name), gemeente: g, place: Some(p.name) })
        });
        own.chain(aliases).chain(places).collect()
    })
}

/// Municipalities (by name, common alias, or the name of a place in them) matching `query`,
/// forgiving case, diacritics, separators and small typos; one per municipality, best first.
/// See [`search_origin`] for the order.
pub fn search(query: &str, limit: usize) -> Vec<&'static Gemeente> {
    search_origin(query, limit).into_iter().map(|hit| hit.gemeente).collect()
}

/// The origin type-ahead: municipalities whose name, common alias or place (woonplaats,
/// village, district) matches `query`, at most one hit per municipality, at most `limit`.
/// Ranked exact > prefix > word prefix > contains > one typo > two typos; within a rank the
/// region's municipalities first, a municipality's own name before a place, shorter first.
pub fn search_origin(query: &str, limit: usize) -> Vec<OriginHit> {
    let Some(query) = Query::new(query) else {
        return Vec::new();
    };
    let literal: Vec<Option<Rank>> = entries().iter().map(|e| query.rank_literal(&e.name)).collect();
    let mut hits: Vec<(Rank, &Entry)> =
        entries().iter().zip(&literal).filter_map(|(e, rank)| rank.map(|rank| (rank, e))).collect();
    // Typos are looked for only when nothing matched exactly and the literal matches do not
    // fill the list.
    let exact = hits.iter().any(|(rank, _)| *rank == Rank::Exact);
    if !exact && distinct_municipalities(&hits) < limit {
        let unmatched = entries().iter().zip(&literal).filter(|(_, rank)| rank.is_none());
        hits.extend(unmatched.filter_map(|(e, _)| query.rank_fuzzy(&e.name).map(|rank| (rank, e))));
    }
    hits.sort_by_cached_key(|(rank, e)| {
        // A municipality's own name wins an exact tie, so every name finds itself first.
        (
            *rank,
            *rank == Rank::Exact && e.place.is_some(),
            !e.gemeente.in_region,
            e.place.is_some(),
            e.name.key().len(),
            e.gemeente.name.as_str(),
        )
    });
    let mut seen = HashSet::new();
    hits.into_iter()
        .filter(|(_, e)| seen.insert(e.gemeente.code.as_str()))
        .take(limit)
        .map(|(_, e)| OriginHit { gemeente: e.gemeente, place: e.place })
        .collect()
}

fn distinct_municipalities(hits: &[(Rank, &Entry)]) -> usize {
    hits.iter().map(|(_, e)| e.gemeente.code.as_str()).collect::<HashSet<_>>().len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_has_342_municipalities_and_six_in_the_region() {
        assert_eq!(all().len(), 342);
        let codes: Vec<&str> = region().map(|g| g.code.as_str()).collect();
        // Maastricht, Eijsden-Margraten, Gulpen-Wittem, Meerssen, Vaals, Valkenburg aan de Geul.
        assert_eq!(codes, ["GM0935", "GM1903", "GM1729", "GM0938", "GM0981", "GM0994"]);
    }

    #[test]
    fn codes_are_found_and_unknown_codes_are_not() {
        assert_eq!(by_code("GM0935").map(|g| g.name.as_str()), Some("Maastricht"));
        assert!(by_code("GM9999").is_none());
        assert!(by_code("gm0935").is_none());
    }

    #[test]
    fn search_finds_by_prefix_first_and_by_common_alias() {
        let hits = search("maas", 5);
        assert_eq!(hits.first().map(|g| g.code.as_str()), Some("GM0935"));
        let hague = search("Den Haag", 5);
        assert!(hague.iter().any(|g| g.name == "'s-Gravenhage"), "{hague:?}");
        assert!(search("  ", 5).is_empty());
    }
}
