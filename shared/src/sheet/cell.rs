//! Reading one cell into an answer. Every reader returns the answer, or the problem in Dutch and
//! English (without repeating the cell's text: the page shows the cell beside the problem).

use super::columns::{fold, match_value};
use crate::ethos::LivingSituation;
use crate::municipality;
use crate::profile::{AgeBand, CareNeed, CareNeeds, Children, Gender};
use crate::record::{MunicipalityCode, Origin, RegionCode};
use chrono::NaiveDate;

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
    match_value(cell, AgeBand::ALL, AgeBand::code, AgeBand::label).ok_or(NOT_IN_LIST)
}

/// The municipality counted: one of the region's six, by name or CBS code.
pub fn region(cell: &str) -> Result<RegionCode, Msg> {
    let c = fold(cell);
    municipality::region()
        .find(|g| fold(&g.name) == c || fold(&g.code) == c)
        .and_then(|g| RegionCode::try_from(g.code.clone()).ok())
        .ok_or((
            "geen gemeente van de regio; kies uit de lijst",
            "not a municipality of the region; choose from the list",
        ))
}

/// The living situation: its code ("1.1"), its label, or both as in the drop-down list.
pub fn living_situation(cell: &str) -> Result<LivingSituation, Msg> {
    let c = fold(cell);
    LivingSituation::ALL
        .iter()
        .copied()
        .find(|v| {
            let code = v.code();
            c == code
                || c == fold(v.label(crate::Lang::Nl))
                || c == fold(v.label(crate::Lang::En))
                || c.strip_prefix(code).is_some_and(|rest| rest.starts_with(' '))
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
    let by_name = municipality::all().iter().find(|g| fold(&g.name) == c || fold(&g.code) == c);
    let by_place = || {
        municipality::search_origin(cell.trim(), 3)
            .into_iter()
            .find(|h| h.place.is_some_and(|p| fold(p) == c) || fold(&h.gemeente.name) == c)
            .map(|h| h.gemeente)
    };
    by_name
        .or_else(by_place)
        .and_then(|g| MunicipalityCode::try_from(g.code.clone()).ok())
        .map(|code| Origin::Municipality { code })
        .ok_or((
            "onbekende gemeente; kies uit de lijst, of buitenland of onbekend",
            "unknown municipality; choose from the list, or abroad or unknown",
        ))
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
            _ => match match_value(p, CareNeed::ALL, CareNeed::code, CareNeed::label) {
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
        _ => match_value(cell, Gender::ALL, Gender::code, Gender::label).ok_or(NOT_IN_LIST),
    }
}
