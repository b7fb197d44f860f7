//! Dutch municipalities (CBS codes) and the six of the Maastricht-Heuvelland region.
//!
//! The list is `../shared/data/gemeenten.csv`, compiled in: replacing that file (after a
//! municipal merger) and rebuilding is the only step needed.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
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
const ALIASES: &[(&str, &str)] = &[("den haag", "GM0518"), ("the hague", "GM0518"), ("den bosch", "GM0796")];

/// Municipalities whose name (or a common alias) contains `query`, case- and
/// diacritics-insensitively; names that start with the query come first, then the region's.
pub fn search(query: &str, limit: usize) -> Vec<&'static Gemeente> {
    let q = fold(query.trim());
    if q.is_empty() {
        return Vec::new();
    }
    let mut hits: Vec<(u8, &'static Gemeente)> = all()
        .iter()
        .filter_map(|g| {
            let name = fold(&g.name);
            let alias = ALIASES.iter().any(|(a, code)| *code == g.code && a.contains(&q));
            if name.starts_with(&q) {
                Some((0, g))
            } else if alias || name.contains(&q) {
                Some((1, g))
            } else {
                None
            }
        })
        .collect();
    // Region municipalities first within each rank: they are the likeliest origins.
    hits.sort_by(|a, b| (a.0, !a.1.in_region, &a.1.name).cmp(&(b.0, !b.1.in_region, &b.1.name)));
    hits.into_iter().take(limit).map(|(_, g)| g).collect()
}

fn fold(text: &str) -> String {
    crate::fold::without_diacritics(text).to_lowercase()
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
