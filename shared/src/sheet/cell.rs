//! Reading one cell into an answer. Every reader returns the answer, or the problem in Dutch and
//! English (without repeating the cell's text: the page shows the cell beside the problem).

use super::columns::{fold, lookup, municipality_by_folded, ColumnKey};
use crate::ethos::LivingSituation;
use crate::municipality;
use crate::profile::{AgeBand, CareNeed, CareNeeds, Children, Gender};
use crate::record::{MunicipalityCode, Origin, RegionCode};
use chrono::NaiveDate;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// A problem with a cell: Dutch and English.
pub type Msg = (&'static str, &'static str);

pub const NOT_IN_LIST: Msg = ("geen antwoord uit de lijst", "not an answer from the list");
pub const REQUIRED: Msg = ("ontbreekt; dit antwoord is verplicht", "missing; this answer is required");

/// Whether a cell says "unknown": empty, "onbekend", "unknown" or "?".
pub fn is_unknown(cell: &str) -> bool {
    matches!(fold(cell).as_str(), "" | "onbekend" | "unknown" | "?")
}

/// A birth date as Dutch Excel writes it (`17-05-1980`, `17/5/1980`, `17.05.1980`) or ISO
/// (`1980-05-17`, also with a time after it, as a spreadsheet's date cell is read).
pub fn birth_date(cell: &str, reference: NaiveDate) -> Result<NaiveDate, Msg> {
    let t = cell.trim();
    let iso_prefix = t.get(..10).filter(|p| p.as_bytes().get(4) == Some(&b'-'));
    let parsed = ["%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y-%m-%d"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(t, f).ok())
        .or_else(|| iso_prefix.and_then(|p| NaiveDate::parse_from_str(p, "%Y-%m-%d").ok()));
    let Some(date) = parsed else {
        return Err(("geen datum; schrijf dd-mm-jjjj", "not a date; write dd-mm-yyyy"));
    };
    if date > reference {
        return Err(("ligt na de telnacht", "lies after the count night"));
    }
    if date < NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(date) {
        return Err(("ligt vóór 1900", "lies before 1900"));
    }
    Ok(date)
}

/// A first name the person uses: initials ("J.", "J.P.") are not enough (domain.md §4).
pub fn first_name(cell: &str) -> Result<&str, Msg> {
    let t = cell.trim();
    let parts: Vec<&str> = t.split(['.', ' ']).filter(|p| !p.is_empty()).collect();
    let initials =
        t.contains('.') && parts.iter().all(|p| p.chars().filter(|c| c.is_alphabetic()).count() <= 1);
    if initials {
        return Err((
            "initialen zijn niet genoeg: vul de roepnaam in (of de eerste twee letters)",
            "initials are not enough: enter the first name as used (or its first two letters)",
        ));
    }
    Ok(t)
}

/// The age band: a band ("23-26 jaar", "23-26", "65+") or an age in whole years.
pub fn age_band(cell: &str) -> Result<AgeBand, Msg> {
    if let Ok(years) = cell.trim().parse::<u32>() {
        return if years <= 120 {
            Ok(AgeBand::from_age(years))
        } else {
            Err(("geen leeftijd", "not an age"))
        };
    }
    lookup(ColumnKey::Age, cell).and_then(AgeBand::from_code).ok_or(NOT_IN_LIST)
}

/// The municipality counted: one of the region's six, by name or CBS code.
pub fn region(cell: &str) -> Result<RegionCode, Msg> {
    let c = fold(cell);
    municipality_by_folded(&c)
        .filter(|g| g.in_region)
        .and_then(|g| RegionCode::try_from(g.code.clone()).ok())
        .ok_or((
            "geen gemeente van de regio; kies uit de lijst",
            "not a municipality of the region; choose from the list",
        ))
}

/// The living situation: its code ("1.1"), its label, or both as in the drop-down list.
pub fn living_situation(cell: &str) -> Result<LivingSituation, Msg> {
    let c = fold(cell);
    lookup(ColumnKey::LivingSituation, &c)
        .and_then(LivingSituation::from_code)
        .or_else(|| {
            LivingSituation::ALL
                .iter()
                .copied()
                .find(|v| c.strip_prefix(v.code()).is_some_and(|rest| rest.starts_with(' ')))
        })
        .ok_or(NOT_IN_LIST)
}

/// The municipality of origin: a Dutch municipality (name or CBS code), a place in it
/// ("Hoensbroek"), "buitenland" or "onbekend".
pub fn origin(cell: &str) -> Result<Origin, Msg> {
    let c = fold(cell);
    if is_unknown(cell) {
        return Ok(Origin::Unknown);
    }
    if matches!(c.as_str(), "buitenland" | "abroad") {
        return Ok(Origin::Abroad);
    }
    let by_name = municipality_by_folded(&c);
    let by_place = || place(cell.trim(), &c);
    by_name
        .or_else(by_place)
        .and_then(|g| MunicipalityCode::try_from(g.code.clone()).ok())
        .map(|code| Origin::Municipality { code })
        .ok_or((
            "onbekende gemeente; kies uit de lijst, of buitenland of onbekend",
            "unknown municipality; choose from the list, or abroad or unknown",
        ))
}

/// The municipality of a place name ("Hoensbroek" → Heerlen), remembered per text: a sheet names
/// the same few places over and over, and the search forgives typos, so it takes time.
fn place(text: &str, folded: &str) -> Option<&'static municipality::Gemeente> {
    type Seen = HashMap<String, Option<&'static municipality::Gemeente>>;
    static SEEN: OnceLock<Mutex<Seen>> = OnceLock::new();
    let seen = SEEN.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(hit) = seen.lock().ok().and_then(|m| m.get(folded).copied()) {
        return hit;
    }
    let hit = municipality::search_origin(text, 3)
        .into_iter()
        .find(|h| h.place.is_some_and(|p| fold(p) == folded) || fold(&h.gemeente.name) == folded)
        .map(|h| h.gemeente);
    if let Ok(mut m) = seen.lock() {
        if m.len() < 10_000 {
            m.insert(folded.to_string(), hit);
        }
    }
    hit
}

/// Minor children staying with the person: 0–20, or unknown.
pub fn children(cell: &str) -> Result<Children, Msg> {
    if is_unknown(cell) {
        return Ok(Children::Unknown);
    }
    match cell.trim().parse::<u8>() {
        Ok(n) if n <= Children::MAX => Ok(Children::Count(n)),
        _ => Err(("een getal van 0 tot en met 20, of onbekend", "a number from 0 to 20, or unknown")),
    }
}

/// Care needs: several, separated by `,` `;` `/` or `+`; or "geen" or "onbekend" alone.
pub fn care_needs(cell: &str) -> Result<CareNeeds, Msg> {
    if is_unknown(cell) {
        return Ok(CareNeeds::Unknown);
    }
    let parts: Vec<String> = cell.split([',', ';', '/', '+']).map(fold).filter(|p| !p.is_empty()).collect();
    let mut codes = Vec::new();
    for p in &parts {
        let code = match p.as_str() {
            "geen" | "none" => "none",
            "onbekend" | "unknown" => "unknown",
            _ => match lookup(ColumnKey::CareNeeds, p).and_then(CareNeed::from_code) {
                Some(need) => need.code(),
                None => return Err(NOT_IN_LIST),
            },
        };
        codes.push(code);
    }
    CareNeeds::from_codes(&codes).ok_or((
        "geen en onbekend staan alleen, niet naast een zorgbehoefte",
        "none and unknown stand alone, not beside a care need",
    ))
}

/// Gender: its Dutch or English label or code, or the letter of the duplicate key (M, V, X).
pub fn gender(cell: &str) -> Result<Gender, Msg> {
    if is_unknown(cell) {
        return Ok(Gender::Unknown);
    }
    match fold(cell).as_str() {
        "m" => Ok(Gender::Man),
        "v" | "f" => Ok(Gender::Woman),
        "x" => Ok(Gender::Other),
        _ => lookup(ColumnKey::Gender, cell).and_then(Gender::from_code).ok_or(NOT_IN_LIST),
    }
}
