//! One spreadsheet row into a record: every cell read, every problem collected, the person
//! fields turned into the age band, the duplicate key and the row id, and then dropped.

use super::cell::{self, Msg};
use super::columns::{ColumnKey, COLUMNS};
use super::row_id::{content_row_id, name_letters, person_row_id};
use super::{Problem, SheetContext};
use crate::dedup_key::dedup_key;
use crate::profile::{AgeBand, CareNeeds, Children, Profile};
use crate::record::questions::question;
use crate::record::{parse_record, Entry, Origin, Record};
use crate::Lang;
use uuid::Uuid;

/// The cells of one row by column; a column the file does not have reads as empty.
pub struct Cells<'a> {
    pub row: usize,
    pub get: &'a dyn Fn(ColumnKey) -> &'a str,
}

struct Collect<'p> {
    row: usize,
    problems: &'p mut Vec<Problem>,
}

impl Collect<'_> {
    fn add(&mut self, key: ColumnKey, (nl, en): Msg) {
        self.problems.push(Problem::cell(self.row, key, nl, en));
    }

    fn take<T>(&mut self, key: ColumnKey, r: Result<T, Msg>) -> Option<T> {
        r.map_err(|m| self.add(key, m)).ok()
    }
}

/// Sets the profile answer of field `name` from its cell: empty or "onbekend" is `unknown`,
/// else its code or label.
fn answer(profile: &mut Profile, name: &'static str, cell: &str) -> Result<(), Msg> {
    let code = if cell::is_unknown(cell) {
        "unknown"
    } else {
        super::columns::lookup(ColumnKey::Answer(name), cell).ok_or(cell::NOT_IN_LIST)?
    };
    match question(name) {
        Some(q) if (q.set)(profile, code) => Ok(()),
        _ => Err(cell::NOT_IN_LIST),
    }
}

/// Reads one row; `None` (with its problems added) when it cannot be a record.
pub fn read_row(cells: &Cells<'_>, ctx: &SheetContext<'_>, problems: &mut Vec<Problem>) -> Option<Record> {
    let get = cells.get;
    let before = problems.len();
    let mut p = Collect { row: cells.row, problems };
    let reference = ctx.reference_date;

    let first_raw = get(ColumnKey::FirstName);
    let family = get(ColumnKey::FamilyName);
    let first = p.take(ColumnKey::FirstName, cell::first_name(first_raw));
    let birth_cell = get(ColumnKey::BirthDate);
    let birth = if birth_cell.trim().is_empty() {
        None
    } else {
        p.take(ColumnKey::BirthDate, cell::birth_date(birth_cell, reference))
    };
    let gender = p.take(ColumnKey::Gender, cell::gender(get(ColumnKey::Gender)));
    let age_cell = get(ColumnKey::Age);
    let stated_age =
        if cell::is_unknown(age_cell) { None } else { p.take(ColumnKey::Age, cell::age_band(age_cell)) };
    let age_band = match (birth, stated_age) {
        (Some(b), stated) => {
            let band = AgeBand::on_date(b, reference);
            if stated.is_some_and(|s| s != band && s != AgeBand::Unknown) {
                p.add(
                    ColumnKey::Age,
                    (
                        "past niet bij de geboortedatum (laat leeg als de geboortedatum bekend is)",
                        "does not match the birth date (leave empty when the birth date is known)",
                    ),
                );
            }
            band
        }
        (None, Some(s)) => s,
        (None, None) => AgeBand::Unknown,
    };

    let municipality_cell = get(ColumnKey::Municipality);
    let municipality = if municipality_cell.trim().is_empty() {
        p.add(ColumnKey::Municipality, cell::REQUIRED);
        None
    } else {
        p.take(ColumnKey::Municipality, cell::region(municipality_cell))
    };
    let living_cell = get(ColumnKey::LivingSituation);
    let living_situation = if living_cell.trim().is_empty() {
        p.add(ColumnKey::LivingSituation, cell::REQUIRED);
        None
    } else {
        p.take(ColumnKey::LivingSituation, cell::living_situation(living_cell))
    };
    let origin = p.take(ColumnKey::Origin, cell::origin(get(ColumnKey::Origin)));
    let children = p.take(ColumnKey::Children, cell::children(get(ColumnKey::Children)));
    let care_needs = p.take(ColumnKey::CareNeeds, cell::care_needs(get(ColumnKey::CareNeeds)));
    let mut profile = Profile::unknown();
    profile.age_band = age_band;
    profile.children = children.unwrap_or(Children::Unknown);
    profile.care_needs = care_needs.unwrap_or(CareNeeds::Unknown);
    // Every other profile answer is one pick from its field's value set.
    for c in COLUMNS.iter() {
        if let ColumnKey::Answer(name) = c.key {
            if let Err(m) = answer(&mut profile, name, get(c.key)) {
                p.add(c.key, m);
            }
        }
    }
    if p.problems.len() > before {
        return None;
    }
    profile.gender = gender?;
    let first = first.unwrap_or_default();
    let has_person = !name_letters(first).is_empty() && !name_letters(family).is_empty();
    let dedup =
        if has_person { dedup_key(ctx.dedup_secret, first, family, birth, profile.gender) } else { None };
    let mut record = Record {
        id: Uuid::nil(),
        revision: 1,
        observed_at: ctx.starts_at,
        municipality: municipality?,
        living_situation: living_situation?,
        origin: origin.unwrap_or(Origin::Unknown),
        dedup_key: dedup,
        profile,
        training: ctx.training,
        entry: Entry::Sheet,
    };
    record.id = match (has_person, birth) {
        (true, Some(b)) => person_row_id(ctx.desk_secret, first, family, b),
        _ => {
            let partial = format!("{}|{}", name_letters(first), name_letters(family));
            let content = format!("{partial}|{}", record.canonical_json());
            content_row_id(ctx.desk_secret, get(ColumnKey::Nr), &content)
        }
    };
    // The server's own validation, so that a row accepted here is accepted there.
    let json = serde_json::to_value(&record).ok()?;
    match parse_record(&json) {
        Ok(_) => Some(record),
        Err(errors) => {
            for e in errors {
                let key = COLUMNS
                    .iter()
                    .find(|c| c.field == Some(e.field.as_str()))
                    .map_or(ColumnKey::Nr, |c| c.key);
                p.add(key, (e.code.message(Lang::Nl), e.code.message(Lang::En)));
            }
            None
        }
    }
}
