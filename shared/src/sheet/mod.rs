//! Spreadsheet entry at a desk: an organisation lists the people it knows in a spreadsheet
//! (the template's columns, [`columns::COLUMNS`]), and the browser turns every row into a record
//! with the same rules as the server. First name, family name and birth date become the age
//! band and the duplicate key (domain.md §4) and the row's stable id ([`row_id`]), and are then
//! dropped: they never leave the browser. `observed_at` is the count's reference night, its
//! `starts_at` (domain.md §3).
//!
//! Problems are collected for every row and column at once, in Dutch and English
//! ("rij 14, kolom Leeftijd: …"), so a desk fixes them all in one go.

pub mod cell;
pub mod columns;
pub mod row;
pub mod row_id;
pub mod template;
pub mod text;

#[cfg(test)]
mod tests;

use crate::count::{timing_problem, TimingProblem};
use crate::record::Record;
use crate::Lang;
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use columns::{column, column_of_header, ColumnKey, COLUMNS};
use std::collections::HashMap;
use uuid::Uuid;

/// What reading a sheet needs to know, all of it kept in the browser.
#[derive(Debug, Clone, Copy)]
pub struct SheetContext<'a> {
    /// The desk's own secret for row ids (never sent to the server).
    pub desk_secret: &'a str,
    /// The count's secret for the duplicate key (given at enrolment).
    pub dedup_secret: &'a str,
    pub starts_at: DateTime<FixedOffset>,
    pub ends_at: DateTime<FixedOffset>,
    /// The count's reference date: ages are taken on it.
    pub reference_date: NaiveDate,
    /// Whether the count is in training (its records are then training records).
    pub training: bool,
    pub now: DateTime<Utc>,
}

/// One problem, in the spreadsheet's own row numbers (the header is row 1); row 0 is the file
/// as a whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub row: usize,
    pub column: Option<ColumnKey>,
    pub nl: String,
    pub en: String,
}

impl Problem {
    pub fn cell(row: usize, key: ColumnKey, nl: &str, en: &str) -> Self {
        Problem { row, column: Some(key), nl: nl.into(), en: en.into() }
    }

    fn file(nl: String, en: String) -> Self {
        Problem { row: 0, column: None, nl, en }
    }

    /// "rij 14, kolom Leeftijd: …" (Dutch) or "row 14, column Age: …" (English).
    pub fn text(&self, lang: Lang) -> String {
        let (row, col, msg) = match lang {
            Lang::Nl => ("rij", "kolom", &self.nl),
            Lang::En => ("row", "column", &self.en),
        };
        match (self.row, self.column) {
            (0, _) => msg.clone(),
            (r, Some(k)) => format!("{row} {r}, {col} {}: {msg}", column(k).header(lang)),
            (r, None) => format!("{row} {r}: {msg}"),
        }
    }
}

/// A row that became a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetRecord {
    pub row: usize,
    pub record: Record,
}

/// What a sheet gave: the records of the good rows and every problem.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    pub records: Vec<SheetRecord>,
    pub problems: Vec<Problem>,
    /// Rows with data (empty rows are skipped).
    pub rows: usize,
}

/// Where each column of the file is, by its header (the first row).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Layout {
    pub index: HashMap<ColumnKey, usize>,
}

impl Layout {
    /// Reads the header row; a missing required column or a column named twice is a problem.
    pub fn of_header(header: &[String], problems: &mut Vec<Problem>) -> Layout {
        let mut index = HashMap::new();
        for (i, h) in header.iter().enumerate() {
            if let Some(key) = column_of_header(h) {
                if index.insert(key, i).is_some() {
                    problems.push(Problem::cell(
                        1,
                        key,
                        "deze kolom staat twee keer in het bestand",
                        "this column appears twice in the file",
                    ));
                }
            }
        }
        for c in COLUMNS.iter().filter(|c| c.required && !index.contains_key(&c.key)) {
            problems.push(Problem::file(
                format!("de kolom \"{}\" ontbreekt; gebruik het sjabloon", c.nl),
                format!("the column \"{}\" is missing; use the template", c.en),
            ));
        }
        Layout { index }
    }

    pub fn cell<'a>(&self, row: &'a [String], key: ColumnKey) -> &'a str {
        self.index.get(&key).and_then(|&i| row.get(i)).map_or("", |s| s.as_str())
    }
}

/// Reads a whole sheet: `table[0]` is the header, every further non-empty row a person.
pub fn read_sheet(table: &[Vec<String>], ctx: &SheetContext<'_>) -> Outcome {
    let mut out = Outcome::default();
    let Some((header, rows)) = table.split_first() else {
        out.problems.push(Problem::file("het bestand is leeg".into(), "the file is empty".into()));
        return out;
    };
    let layout = Layout::of_header(header, &mut out.problems);
    if !out.problems.is_empty() && out.problems.iter().any(|p| p.row == 0) {
        return out;
    }
    if let Some(problem) = timing_problem(ctx.starts_at, ctx.training, ctx.starts_at, ctx.ends_at, ctx.now) {
        let (nl, en) = match problem {
            TimingProblem::InFuture => (
                "de telling is nog niet begonnen: personen kunnen vanaf de telnacht worden ingevoerd",
                "the count has not started yet: people can be entered from the count night on",
            ),
            TimingProblem::OutsideWindow => {
                ("tijdstip valt buiten de teltijd", "time lies outside the count window")
            }
        };
        out.problems.push(Problem::file(nl.into(), en.into()));
        return out;
    }
    let mut seen: HashMap<Uuid, usize> = HashMap::new();
    for (i, cells) in rows.iter().enumerate() {
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let row = i + 2;
        out.rows += 1;
        let get = |key: ColumnKey| layout.cell(cells, key);
        let Some(record) = row::read_row(&row::Cells { row, get: &get }, ctx, &mut out.problems) else {
            continue;
        };
        if let Some(first) = seen.insert(record.id, row) {
            out.problems.push(Problem::cell(
                row,
                ColumnKey::FirstName,
                &format!(
                    "dezelfde persoon als rij {first} (of een gelijke rij: geef elke rij een eigen Nr.)"
                ),
                &format!("the same person as row {first} (or an equal row: give each row its own No.)"),
            ));
            continue;
        }
        out.records.push(SheetRecord { row, record });
    }
    out
}
