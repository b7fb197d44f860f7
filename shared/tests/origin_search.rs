//! The origin type-ahead as a counter meets it: typos, missing hyphens, everyday names and
//! village names all lead to the right municipality, and every municipality finds itself.

use ethos_shared::municipality::{self, search, search_origin, OriginHit};
use ethos_shared::places;
use std::time::{Duration, Instant};

fn first(query: &str) -> Option<OriginHit> {
    search_origin(query, 8).into_iter().next()
}

fn first_code(query: &str) -> Option<&'static str> {
    first(query).map(|hit| hit.gemeente.code.as_str())
}

#[test]
fn a_typo_still_finds_maastricht_first() {
    assert_eq!(first_code("Mastricht"), Some("GM0935"));
    assert_eq!(first_code("maastrcht"), Some("GM0935"));
    assert_eq!(first_code("Maastrihct"), Some("GM0935"), "two letters swapped");
    // While typing: a typo in the first letters already points at Maastricht.
    assert_eq!(first_code("Mastr"), Some("GM0935"));
    assert_eq!(search("Mastricht", 8).first().map(|g| g.name.as_str()), Some("Maastricht"));
}

#[test]
fn hyphens_spaces_and_apostrophes_do_not_count() {
    assert_eq!(first_code("Sittard Geleen"), Some("GM1883"));
    assert_eq!(first_code("sittardgeleen"), Some("GM1883"));
    assert_eq!(first_code("s-Hertogenbosch"), Some("GM0796"));
    assert_eq!(first_code("s hertogenbosch"), Some("GM0796"));
    assert_eq!(first_code("den bosch"), Some("GM0796"));
    assert_eq!(first_code("Den Haag"), Some("GM0518"));
    assert_eq!(first_code("Eijsden Margraten"), Some("GM1903"));
    assert_eq!(first_code("Sudwest Fryslan"), Some("GM1900"));
    assert_eq!(first_code("Tietjerksteradeel"), Some("GM0737"));
    assert_eq!(first_code("Bergen Limburg"), Some("GM0893"));
}

#[test]
fn a_place_name_finds_its_municipality_and_says_which_place_matched() {
    let hoensbroek = first("Hoensbroek").expect("Hoensbroek is found");
    assert_eq!((hoensbroek.gemeente.code.as_str(), hoensbroek.place), ("GM0917", Some("Hoensbroek")));
    assert_eq!(hoensbroek.label(), "Hoensbroek → Heerlen");
    for (query, code, place) in [
        ("Gronsveld", "GM1903", "Gronsveld"),
        ("Cadier en Keer", "GM1903", "Cadier en Keer"),
        ("cadier", "GM1903", "Cadier en Keer"),
        ("Hoensbroeck", "GM0917", "Hoensbroek"),
        ("Geleen", "GM1883", "Geleen"),
    ] {
        let hit = first(query).unwrap_or_else(|| panic!("{query} finds nothing"));
        assert_eq!((hit.gemeente.code.as_str(), hit.place), (code, Some(place)), "{query}");
    }
    // A municipality's own name is shown as itself.
    assert_eq!(first("Heerlen").map(|h| (h.place, h.label())), Some((None, "Heerlen".to_string())));
}

#[test]
fn every_municipality_finds_itself_first_in_its_common_forms() {
    for g in municipality::all() {
        let without_diacritics = ethos_shared::fold::without_diacritics(&g.name);
        let forms = [
            g.name.clone(),
            g.name.to_lowercase(),
            g.name.to_uppercase(),
            without_diacritics.clone(),
            without_diacritics.replace('-', " "),
            without_diacritics.replace('-', ""),
            without_diacritics.replace(['\'', '(', ')', '.', ','], ""),
        ];
        for form in forms {
            assert_eq!(first_code(&form), Some(g.code.as_str()), "{form:?} should find {} first", g.name);
            assert_eq!(search(&form, 1).first().map(|f| f.code.as_str()), Some(g.code.as_str()), "{form:?}");
        }
    }
}

#[test]
fn the_region_comes_first_within_a_rank_and_exact_before_prefix() {
    // "Maas…" starts Maastricht, Maasdriel, Maasgouw and places; the region's comes first.
    assert_eq!(first_code("maas"), Some("GM0935"));
    // "Beek" is a municipality (GM0888) and a place elsewhere: the exact municipality wins.
    assert_eq!(first_code("Beek"), Some("GM0888"));
    let valkenburg = search_origin("Valkenburg", 8);
    assert_eq!(valkenburg.first().map(|h| h.gemeente.code.as_str()), Some("GM0994"));
    // One hit per municipality, however many of its places match.
    let codes: Vec<&str> = valkenburg.iter().map(|h| h.gemeente.code.as_str()).collect();
    let mut unique = codes.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(codes.len(), unique.len(), "{codes:?}");
}

#[test]
fn nonsense_and_empty_queries_find_nothing_and_limits_hold() {
    assert!(search_origin("   ", 8).is_empty());
    assert!(search_origin("-'.", 8).is_empty());
    assert!(search_origin("qqqqxxxx", 8).is_empty());
    assert!(search_origin("a", 0).is_empty());
    assert_eq!(search_origin("a", 5).len(), 5);
    assert!(search("zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz", 8).is_empty());
    // Pasted text far longer than any name finds nothing, at once.
    let started = Instant::now();
    assert!(search_origin(&"Maastricht".repeat(100_000), 8).is_empty());
    assert!(started.elapsed() < Duration::from_millis(100));
}

#[test]
fn every_shipped_place_maps_to_a_known_municipality() {
    let all = places::all();
    assert!(all.len() > 1400, "{}", all.len());
    for place in all {
        assert!(
            municipality::by_code(&place.code).is_some(),
            "{} has unknown code {}",
            place.name,
            place.code
        );
    }
    let code_of = |name: &str| all.iter().find(|p| p.name == name).map(|p| p.code.as_str());
    assert_eq!(code_of("Hoensbroek"), Some("GM0917"));
    assert_eq!(code_of("Gronsveld"), Some("GM1903"));
    assert_eq!(code_of("Cadier en Keer"), Some("GM1903"));
    assert_eq!(code_of("Geleen"), Some("GM1883"));
    assert_eq!(code_of("Weesp"), Some("GM0363"), "merged into Amsterdam");
    // Every place shows up in a search for its own name.
    for place in all {
        let hits = search_origin(place.name, 50);
        assert!(hits.iter().any(|h| h.gemeente.code == place.code), "{} ({})", place.name, place.code);
    }
}

#[test]
fn a_search_over_all_names_and_places_takes_milliseconds() {
    let queries =
        ["Mastricht", "Sittard Geleen", "Hoensbroek", "cadier en keer", "a", "qqqqxxxx", "den bosch"];
    // Warm the index first: it is built once, on the first search.
    let _ = search_origin("warm", 8);
    let started = Instant::now();
    let rounds = 20u32;
    for _ in 0..rounds {
        for q in queries {
            let _ = search_origin(q, 8);
        }
    }
    let per_query = started.elapsed() / (rounds * queries.len() as u32);
    // Generous bounds for a machine shared with other builds: an optimised build takes well
    // under a millisecond, an unoptimised test build about ten times as long.
    let bound = Duration::from_millis(if cfg!(debug_assertions) { 50 } else { 5 });
    assert!(per_query < bound, "{per_query:?} per query");
    eprintln!("origin search: {per_query:?} per query");
}
