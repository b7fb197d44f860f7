//! Numbers, shares and report cells as they read in each language, and the labels of report
//! dimensions and values.

use crate::i18n::tr;
use ethos_shared::disclosure::Suppression;
use ethos_shared::ethos::{ConceptualCategory, CountGroup, LivingSituation};
use ethos_shared::municipality;
use ethos_shared::profile::{
    AgeBand, CareNeed, Duration as Dur, Gender, Household, HousingNeed, Income, PreviousFacility,
    ResidenceStatus,
};
use ethos_shared::report::Table;
use ethos_shared::Lang;

// ---------------------------------------------------------------- numbers

/// A whole number with the thousands separator of the language: `1.234` / `1,234`.
pub fn num(n: u64, lang: Lang) -> String {
    let digits = n.to_string();
    let sep = if lang == Lang::Nl { '.' } else { ',' };
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(ch);
    }
    out
}

/// A share (0–1) as a percentage with one decimal: `12,5%` / `12.5%`. Integer arithmetic
/// only, so no float formatting code ends up in the app.
pub fn percent(share: f64, lang: Lang) -> String {
    let permille = (share.clamp(0.0, 1.0) * 1000.0 + 0.5) as u64;
    let sep = if lang == Lang::Nl { ',' } else { '.' };
    format!("{}{sep}{}%", permille / 10, permille % 10)
}

/// A whole number as a person types it: digits, optionally grouped by thousands with the
/// language's separator (`122.000` in Dutch, `122,000` in English, as `num` writes them) or a
/// space. A decimal comma or point, or a misplaced separator, is no whole number.
pub fn parse_whole_number(typed: &str, lang: Lang) -> Option<u64> {
    let thousands = if lang == Lang::Nl { '.' } else { ',' };
    let typed = typed.trim();
    let groups: Vec<&str> = typed.split([thousands, ' ']).collect();
    let grouped = groups.len() > 1;
    let well_formed = groups.iter().enumerate().all(|(i, g)| {
        let digits = !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit());
        let width_ok = !grouped || if i == 0 { g.len() <= 3 } else { g.len() == 3 };
        digits && width_ok
    });
    if !well_formed {
        return None;
    }
    groups.concat().parse().ok()
}

/// A non-negative figure with two decimals: `1.234,57` / `1,234.57` (integer arithmetic, as
/// `percent`).
pub fn two_decimals(x: f64, lang: Lang) -> String {
    let hundredths = (x.max(0.0) * 100.0 + 0.5) as u64;
    let sep = if lang == Lang::Nl { ',' } else { '.' };
    format!("{}{sep}{:02}", num(hundredths / 100, lang), hundredths % 100)
}

/// A report cell: the number, `<5` (primary suppression), `x` (secondary), or `–` (none).
pub fn cell(persons: Option<u64>, suppressed: Option<Suppression>, lang: Lang) -> String {
    match (persons, suppressed) {
        (Some(n), _) => num(n, lang),
        (None, Some(Suppression::Secondary)) => "x".into(),
        (None, Some(Suppression::Primary)) => "<5".into(),
        (None, None) => "–".into(),
    }
}

/// A headline figure: hidden (1–4 in public disclosure) reads `<5`.
pub fn figure(n: Option<u64>, lang: Lang) -> String {
    n.map_or_else(|| "<5".into(), |n| num(n, lang))
}

/// The length of a bar of `value` when `max` fills `full`.
pub fn bar_len(value: u64, max: u64, full: u32) -> u32 {
    if max == 0 {
        return 0;
    }
    ((value.min(max) as f64 / max as f64) * f64::from(full)).round() as u32
}

// ---------------------------------------------------------------- report labels

/// The name of a report dimension, as a column heading: the one of the downloads.
pub fn dim_label(dim: &str, lang: Lang) -> String {
    ethos_shared::report::dimension_label(dim, lang)
}

fn label_of<T: Copy>(
    code: &str,
    from: fn(&str) -> Option<T>,
    label: fn(T, Lang) -> &'static str,
    lang: Lang,
) -> Option<String> {
    from(code).map(|v| label(v, lang).to_string())
}

/// The label of a dimension value (a wire code) in the report's tables.
pub fn value_label(dim: &str, code: &str, lang: Lang) -> String {
    let common = match code {
        "unknown" => Some(tr(lang, "onbekend", "unknown")),
        "elsewhere_nl" => Some(tr(lang, "elders in Nederland", "elsewhere in the Netherlands")),
        "abroad" => Some(tr(lang, "buitenland", "abroad")),
        _ => None,
    };
    let found = match dim {
        "count_group" => CountGroup::from_code(code).map(|g| {
            if g == CountGroup::Other {
                g.label(lang).to_string()
            } else {
                format!("{code}. {}", g.label(lang))
            }
        }),
        "visibility" => match code {
            "visible" => Some(tr(lang, "zichtbaar (groep 1–4)", "visible (groups 1–4)").into()),
            "hidden" => Some(tr(lang, "verborgen (groep 5–7)", "hidden (groups 5–7)").into()),
            "other" => Some(tr(lang, "overige ETHOS", "other ETHOS").into()),
            _ => None,
        },
        "conceptual_category" => {
            label_of(code, ConceptualCategory::from_code, ConceptualCategory::label, lang)
        }
        "living_situation" => LivingSituation::from_code(code).map(|s| format!("{code} {}", s.label(lang))),
        "municipality" | "origin" => municipality::by_code(code).map(|g| g.name.clone()),
        "age_band" => label_of(code, AgeBand::from_code, AgeBand::label, lang),
        "gender" => label_of(code, Gender::from_code, Gender::label, lang),
        "household" => label_of(code, Household::from_code, Household::label, lang),
        "children" if code == "3+" => Some(tr(lang, "3 of meer", "3 or more").into()),
        "duration" => label_of(code, Dur::from_code, Dur::label, lang),
        "residence_status" => label_of(code, ResidenceStatus::from_code, ResidenceStatus::label, lang),
        "income" => label_of(code, Income::from_code, Income::label, lang),
        "care_needs" if code == "none" => Some(tr(lang, "geen", "none").into()),
        "care_needs" => label_of(code, CareNeed::from_code, CareNeed::label, lang),
        "previous_facility" => label_of(code, PreviousFacility::from_code, PreviousFacility::label, lang),
        "housing_need" => label_of(code, HousingNeed::from_code, HousingNeed::label, lang),
        // "Heerlen" for `GM0917` in the origin table by municipality, as in the downloads.
        _ => Some(ethos_shared::report::value_label(dim, code, lang)).filter(|l| l != code),
    };
    found.or_else(|| common.map(String::from)).unwrap_or_else(|| code.to_string())
}

/// One row of a one-dimensional table: label, persons, suppression.
pub type Cell = (Option<u64>, Option<Suppression>);

/// A two-dimensional table laid out as rows × columns (the dimension with fewer values runs
/// across), in the order the report lists them.
#[derive(Debug, Clone, PartialEq)]
pub struct Crosstab {
    pub row_dim: String,
    pub col_dim: String,
    pub rows: Vec<String>,
    pub cols: Vec<String>,
    /// `cells[row][col]`.
    pub cells: Vec<Vec<Cell>>,
}

pub fn crosstab(table: &Table) -> Option<Crosstab> {
    let [a, b] = table.dimensions.as_slice() else {
        return None;
    };
    let values = |dim: &String| {
        let mut v: Vec<String> = Vec::new();
        for row in &table.rows {
            if let Some(code) = row.key.get(dim) {
                if !v.contains(code) {
                    v.push(code.clone());
                }
            }
        }
        v
    };
    let (va, vb) = (values(a), values(b));
    let (row_dim, col_dim, rows, cols) = if vb.len() <= va.len() { (a, b, va, vb) } else { (b, a, vb, va) };
    let mut cells = vec![vec![(None, None); cols.len()]; rows.len()];
    for row in &table.rows {
        let (Some(r), Some(c)) = (row.key.get(row_dim), row.key.get(col_dim)) else { continue };
        let (Some(i), Some(j)) = (rows.iter().position(|x| x == r), cols.iter().position(|x| x == c)) else {
            continue;
        };
        cells[i][j] = (row.persons, row.suppressed);
    }
    Some(Crosstab { row_dim: row_dim.clone(), col_dim: col_dim.clone(), rows, cols, cells })
}

/// The rows of a one-dimensional table as (code, cell).
pub fn one_dim(table: &Table) -> Vec<(String, Cell)> {
    let Some(dim) = table.dimensions.first() else { return Vec::new() };
    table
        .rows
        .iter()
        .map(|r| (r.key.get(dim).cloned().unwrap_or_default(), (r.persons, r.suppressed)))
        .collect()
}

/// A table of the report: its title in the language.
pub fn table_title(table: &Table, lang: Lang) -> &str {
    match lang {
        Lang::Nl => &table.title,
        Lang::En => &table.title_en,
    }
}
