//! The columns of the spreadsheet a desk fills in: Dutch headers, and for every answer column
//! the accepted answers (the value sets of domain.md §3, by Dutch label, English label or
//! code). The template, the reading of a row and the page all take their columns from here.
//! The profile's columns come from the record's field table (`record::questions`): a new
//! profile field is a new column without a line here.

use crate::ethos::LivingSituation;
use crate::municipality;
use crate::profile::{AgeBand, CareNeed, Gender};
use crate::record::fields::FIELDS;
use crate::record::questions::{question, Question};
use crate::Lang;
use std::collections::HashMap;
use std::sync::{LazyLock, OnceLock};

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ColumnKey {
    /// The desk's own row number (optional): tells apart rows without name and birth date.
    Nr,
    FirstName,
    FamilyName,
    BirthDate,
    Gender,
    /// The age band, for rows without a birth date.
    Age,
    Municipality,
    LivingSituation,
    Origin,
    Children,
    CareNeeds,
    /// A profile field answered by one pick from its value set, by its name (`household`).
    Answer(&'static str),
}

/// One column: its headers and, for an answer column, the answers offered in the template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub key: ColumnKey,
    /// The header of the template, e.g. "Voornaam (roepnaam)".
    pub nl: &'static str,
    pub en: &'static str,
    /// The record field the column fills, e.g. `profile.gender`; `None` for the person fields
    /// that are turned into the age band and the duplicate key and then dropped.
    pub field: Option<&'static str>,
    /// Whether a row without it cannot be a record.
    pub required: bool,
}

impl Column {
    pub fn header(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Nl => self.nl,
            Lang::En => self.en,
        }
    }
}

const fn col(key: ColumnKey, nl: &'static str, en: &'static str, field: Option<&'static str>) -> Column {
    Column { key, nl, en, field, required: false }
}

/// Every column, in the order of the template: the desk's number, the person, where and how,
/// then the profile fields in the order of the field table.
pub static COLUMNS: LazyLock<Vec<Column>> = LazyLock::new(|| {
    let mut columns = vec![
        col(ColumnKey::Nr, "Nr.", "No.", None),
        col(ColumnKey::FirstName, "Voornaam (roepnaam)", "First name (as used)", None),
        col(ColumnKey::FamilyName, "Achternaam", "Family name", None),
        col(ColumnKey::BirthDate, "Geboortedatum", "Birth date", None),
        col(ColumnKey::Gender, "Geslacht", "Gender", Some("profile.gender")),
        col(ColumnKey::Age, "Leeftijd", "Age", Some("profile.age_band")),
        Column {
            key: ColumnKey::Municipality,
            nl: "Gemeente geteld",
            en: "Municipality counted",
            field: Some("municipality"),
            required: true,
        },
        Column {
            key: ColumnKey::LivingSituation,
            nl: "Woonsituatie (ETHOS)",
            en: "Living situation (ETHOS)",
            field: Some("living_situation"),
            required: true,
        },
        col(ColumnKey::Origin, "Herkomstgemeente", "Municipality of origin", Some("origin")),
    ];
    for f in FIELDS {
        let (Some(name), Some(q)) = (f.profile_name(), f.question.as_ref()) else { continue };
        let key = match name {
            // The person's columns above.
            "gender" | "age_band" => continue,
            "children" => ColumnKey::Children,
            "care_needs" => ColumnKey::CareNeeds,
            _ => ColumnKey::Answer(name),
        };
        columns.push(col(key, q.header.0, q.header.1, Some(f.key)));
    }
    columns
});

/// The column of a key.
pub fn column(key: ColumnKey) -> &'static Column {
    // Every key has exactly one column; the fallback is never taken.
    COLUMNS.iter().find(|c| c.key == key).unwrap_or(&COLUMNS[0])
}

/// Text compared without regard to case, diacritics, surrounding space or repeated spaces.
pub fn fold(text: &str) -> String {
    let t = text.trim();
    // Most cells are already plain: lower-case ASCII with single spaces.
    if t.bytes().all(|b| b.is_ascii() && !b.is_ascii_uppercase() && (b == b' ' || !b.is_ascii_whitespace()))
        && !t.contains("  ")
    {
        return t.to_string();
    }
    let plain = crate::fold::without_diacritics(text.trim()).to_lowercase();
    plain.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The column a header names: its Dutch or English header, or its record field, compared
/// without regard to case; a header may leave out the part in brackets ("Voornaam").
pub fn column_of_header(header: &str) -> Option<ColumnKey> {
    let h = fold(header);
    if h.is_empty() {
        return None;
    }
    let short = |s: &str| fold(s.split('(').next().unwrap_or(s));
    COLUMNS
        .iter()
        .find(|c| {
            [c.nl, c.en].iter().any(|s| fold(s) == h || short(s) == h)
                || c.field.is_some_and(|f| fold(f.trim_start_matches("profile.")) == h)
        })
        .map(|c| c.key)
}

/// The answers a column offers in the template's drop-down list, in Dutch. Empty for the free
/// columns (Nr., names, birth date, children).
pub fn answers(key: ColumnKey) -> Vec<String> {
    fn labels<T: Copy>(all: &[T], label: impl Fn(T) -> &'static str) -> Vec<String> {
        all.iter().map(|v| label(*v).to_string()).collect()
    }
    let nl = Lang::Nl;
    match key {
        ColumnKey::Nr | ColumnKey::FirstName | ColumnKey::FamilyName | ColumnKey::BirthDate => Vec::new(),
        ColumnKey::Children => {
            let mut list: Vec<String> = (0..=crate::profile::Children::MAX).map(|n| n.to_string()).collect();
            list.push("onbekend".into());
            list
        }
        ColumnKey::Gender => labels(Gender::ALL, |v| v.label(nl)),
        ColumnKey::Age => labels(AgeBand::ALL, |v| v.label(nl)),
        ColumnKey::Municipality => municipality::region().map(|g| g.name.clone()).collect(),
        ColumnKey::LivingSituation => {
            LivingSituation::ALL.iter().map(|v| format!("{} {}", v.code(), v.label(nl))).collect()
        }
        ColumnKey::Origin => {
            let mut list = vec!["buitenland".to_string(), "onbekend".to_string()];
            let mut names: Vec<String> = municipality::all().iter().map(|g| g.name.clone()).collect();
            names.sort_by_key(|n| fold(n));
            list.extend(names);
            list
        }
        ColumnKey::Answer(name) => question(name)
            .map_or_else(Vec::new, |q| (q.choices)(nl).into_iter().map(|(_, l)| l.into()).collect()),
        ColumnKey::CareNeeds => {
            let mut list = vec!["geen".to_string()];
            list.extend(labels(CareNeed::ALL, |v| v.label(nl)));
            list.push("onbekend".into());
            list
        }
    }
}

/// The wire code of the answer `cell` names in an answer column: its code, Dutch label or English
/// label, folded (a lookup in an index made once; a sheet of 5,000 rows asks it 50,000 times).
pub fn lookup(key: ColumnKey, cell: &str) -> Option<&'static str> {
    type Index = HashMap<(ColumnKey, String), &'static str>;
    fn add<T: Copy>(
        m: &mut Index,
        key: ColumnKey,
        all: &[T],
        code: impl Fn(T) -> &'static str,
        label: impl Fn(T, Lang) -> &'static str,
    ) {
        for v in all {
            for text in [code(*v), label(*v, Lang::Nl), label(*v, Lang::En)] {
                m.entry((key, fold(text))).or_insert(code(*v));
            }
        }
    }
    fn add_answers(m: &mut Index, key: ColumnKey, q: &Question) {
        let both = (q.choices)(Lang::Nl).into_iter().zip((q.choices)(Lang::En));
        for ((code, nl), (_, en)) in both {
            for text in [code, nl, en] {
                m.entry((key, fold(text))).or_insert(code);
            }
        }
    }
    static INDEX: OnceLock<Index> = OnceLock::new();
    let index = INDEX.get_or_init(|| {
        let mut m = Index::new();
        add(&mut m, ColumnKey::Gender, Gender::ALL, Gender::code, Gender::label);
        add(&mut m, ColumnKey::Age, AgeBand::ALL, AgeBand::code, AgeBand::label);
        add(
            &mut m,
            ColumnKey::LivingSituation,
            LivingSituation::ALL,
            LivingSituation::code,
            LivingSituation::label,
        );
        add(&mut m, ColumnKey::CareNeeds, CareNeed::ALL, CareNeed::code, CareNeed::label);
        for (name, q) in crate::record::questions::questions() {
            add_answers(&mut m, ColumnKey::Answer(name), q);
        }
        m
    });
    index.get(&(key, fold(cell))).copied()
}

/// The municipality whose CBS code or name is `folded` (already [`fold`]ed), by an index made once.
pub fn municipality_by_folded(folded: &str) -> Option<&'static municipality::Gemeente> {
    static INDEX: OnceLock<HashMap<String, &'static municipality::Gemeente>> = OnceLock::new();
    let index = INDEX.get_or_init(|| {
        let mut m = HashMap::new();
        for g in municipality::all() {
            m.insert(fold(&g.code), g);
        }
        for g in municipality::all() {
            m.entry(fold(&g.name)).or_insert(g);
        }
        m
    });
    index.get(folded).copied()
}
