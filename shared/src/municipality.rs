//! Dutch municipalities (CBS codes) and the six of the Maastricht-Heuvelland region.
//!
//! The list is `../shared/data/gemeenten.csv`, compiled in: replacing that file (after a
//! municipal merger) and rebuilding is the only step needed.

use crate::name_match::{Name, Query, Rank};
use crate::places;
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
    LIST.get_or_init(|| parse_gemeenten(GEMEENTEN_CSV))
}

/// The rows of `code,name,province,in_region` after the header line; a row that does not
/// have these four fields is left out. Read by hand rather than with a CSV library, which
/// would add some 20 KB to the field app's download for these 343 lines.
fn parse_gemeenten(text: &str) -> Vec<Gemeente> {
    text.lines()
        .skip(1)
        .filter_map(|line| match csv_fields(line).as_slice() {
            [code, name, province, in_region] => Some(Gemeente {
                code: code.clone(),
                name: name.clone(),
                province: province.clone(),
                in_region: in_region.parse().ok()?,
            }),
            _ => None,
        })
        .collect()
}

/// The fields of one CSV line: comma-separated, a field in double quotes may hold commas, and
/// `""` inside it is one quote.
fn csv_fields(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        let Some(field) = fields.last_mut() else { break };
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(String::new()),
            _ => field.push(c),
        }
    }
    fields
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
    /// The municipality's position in [`all`].
    index: usize,
    place: Option<&'static str>,
}

fn entries() -> &'static [Entry] {
    static ENTRIES: OnceLock<Vec<Entry>> = OnceLock::new();
    ENTRIES.get_or_init(|| {
        let position = |code: &str| all().iter().position(|g| g.code == code);
        let own =
            all().iter().enumerate().map(|(index, g)| Entry { name: Name::new(&g.name), index, place: None });
        let aliases = ALIASES.iter().filter_map(|(alias, code)| {
            position(code).map(|index| Entry { name: Name::new(alias), index, place: None })
        });
        let places = places::all().iter().filter_map(|p| {
            position(&p.code).map(|index| Entry { name: Name::new(p.name), index, place: Some(p.name) })
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

/// Orders the hits: rank; a municipality's own name wins an exact tie (so every name finds
/// itself first); the region first; own name before a place; shorter first; by name.
type Order = (Rank, bool, bool, bool, usize, &'static str);

/// The origin type-ahead: municipalities whose name, common alias or place (woonplaats,
/// village, district) matches `query`, at most one hit per municipality, at most `limit`.
/// Ranked exact > prefix > word prefix > contains > one typo > two typos; within a rank the
/// region's municipalities first, a municipality's own name before a place, shorter first.
pub fn search_origin(query: &str, limit: usize) -> Vec<OriginHit> {
    let Some(query) = Query::new(query) else {
        return Vec::new();
    };
    // The best hit of each municipality, by its position in `all()`: no sorting needed.
    let mut best: Vec<Option<(Order, &'static Entry)>> = vec![None; all().len()];
    let mut unmatched = Vec::new();
    let mut exact = false;
    for e in entries() {
        match query.rank_literal(&e.name) {
            Some(rank) => {
                exact |= rank == Rank::Exact;
                offer(&mut best, rank, e);
            }
            None => unmatched.push(e),
        }
    }
    // Typos are looked for only when nothing matched exactly and the literal matches do not
    // fill the list.
    if !exact && best.iter().flatten().count() < limit {
        for e in unmatched {
            if let Some(rank) = query.rank_fuzzy(&e.name) {
                offer(&mut best, rank, e);
            }
        }
    }
    let mut hits = Vec::with_capacity(limit.min(best.len()));
    while hits.len() < limit {
        let next = best.iter_mut().filter(|slot| slot.is_some()).min_by(|a, b| order_of(a).cmp(&order_of(b)));
        let Some((_, e)) = next.and_then(Option::take) else { break };
        if let Some(gemeente) = all().get(e.index) {
            hits.push(OriginHit { gemeente, place: e.place });
        }
    }
    hits
}

/// Keeps `e` as its municipality's hit if it ranks better than the one kept so far.
fn offer(best: &mut [Option<(Order, &'static Entry)>], rank: Rank, e: &'static Entry) {
    let (Some(g), Some(slot)) = (all().get(e.index), best.get_mut(e.index)) else { return };
    let is_place = e.place.is_some();
    let order =
        (rank, rank == Rank::Exact && is_place, !g.in_region, is_place, e.name.key().len(), g.name.as_str());
    if slot.as_ref().is_none_or(|(current, _)| order < *current) {
        *slot = Some((order, e));
    }
}

fn order_of(slot: &Option<(Order, &'static Entry)>) -> Option<Order> {
    slot.as_ref().map(|(order, _)| *order)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_lines_are_read_with_quoted_names_and_bad_rows_left_out() {
        let text = "code,name,province,in_region\n\
                    GM0820,\"Nuenen, Gerwen en Nederwetten\",Noord-Brabant,false\n\
                    GM0935,Maastricht,Limburg,true\n\
                    GM9999,\"Say \"\"hi\"\"\",X,true\n\
                    GM0001,too,few\n\
                    GM0002,Bad,Flag,maybe\n";
        let list = parse_gemeenten(text);
        let names: Vec<(&str, &str, bool)> =
            list.iter().map(|g| (g.code.as_str(), g.name.as_str(), g.in_region)).collect();
        assert_eq!(
            names,
            [
                ("GM0820", "Nuenen, Gerwen en Nederwetten", false),
                ("GM0935", "Maastricht", true),
                ("GM9999", "Say \"hi\"", true)
            ]
        );
        assert_eq!(list[1].province, "Limburg");
        assert_eq!(by_code("GM0820").map(|g| g.name.as_str()), Some("Nuenen, Gerwen en Nederwetten"));
    }

    #[test]
    fn the_shipped_file_reads_as_a_csv_library_reads_it() {
        let by_library: Vec<Gemeente> = csv::Reader::from_reader(GEMEENTEN_CSV.as_bytes())
            .deserialize()
            .map(|row| row.unwrap())
            .collect();
        assert_eq!(all(), by_library.as_slice());
    }

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
