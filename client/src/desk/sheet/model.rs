//! The sheet as the page holds it: the file's cells (in memory only, never stored or sent), what
//! reading them gave, and fixing one cell in the page. Plain Rust, tested on the host.

use ethos_shared::sheet::columns::{column, ColumnKey};
use ethos_shared::sheet::{read_sheet, Layout, Outcome, SheetContext};

/// A loaded file and what it gave.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sheet {
    pub table: Vec<Vec<String>>,
    pub outcome: Outcome,
}

impl Sheet {
    pub fn read(table: Vec<Vec<String>>, ctx: &SheetContext<'_>) -> Sheet {
        let outcome = read_sheet(&table, ctx);
        Sheet { table, outcome }
    }

    /// The text of a cell by the sheet's row number (the header is row 1) and column.
    pub fn cell(&self, row: usize, key: ColumnKey) -> String {
        let layout = self.layout();
        row.checked_sub(1)
            .and_then(|i| self.table.get(i))
            .map_or(String::new(), |r| layout.cell(r, key).to_string())
    }

    fn layout(&self) -> Layout {
        Layout::of_header(self.table.first().map_or(&[][..], |h| h.as_slice()), &mut Vec::new())
    }

    /// Sets a cell (adding the column, with its Dutch header, when the file lacks it) and reads
    /// the sheet again.
    pub fn fix(&mut self, row: usize, key: ColumnKey, value: &str, ctx: &SheetContext<'_>) {
        if row < 2 || row > self.table.len() {
            return;
        }
        let layout = self.layout();
        let col = match layout.index.get(&key) {
            Some(&i) => i,
            None => {
                let width = self.table.iter().map(Vec::len).max().unwrap_or(0);
                if let Some(header) = self.table.first_mut() {
                    header.resize(width, String::new());
                    header.push(column(key).nl.to_string());
                }
                width
            }
        };
        if let Some(cells) = self.table.get_mut(row - 1) {
            if cells.len() <= col {
                cells.resize(col + 1, String::new());
            }
            cells[col] = value.to_string();
        }
        self.outcome = read_sheet(&self.table, ctx);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};

    fn ctx() -> SheetContext<'static> {
        let t = |s| DateTime::parse_from_rfc3339(s).expect("time");
        SheetContext {
            desk_secret: "desk",
            dedup_secret: "test-secret",
            starts_at: t("2026-10-15T20:00:00+02:00"),
            ends_at: t("2026-10-16T20:00:00+02:00"),
            reference_date: chrono::NaiveDate::from_ymd_opt(2026, 10, 15).expect("a date"),
            training: false,
            now: t("2026-10-20T12:00:00Z").with_timezone(&Utc),
        }
    }

    fn table(rows: &[&[&str]]) -> Vec<Vec<String>> {
        rows.iter().map(|r| r.iter().map(|s| s.to_string()).collect()).collect()
    }

    #[test]
    fn fixing_a_cell_reads_the_sheet_again() {
        let t = table(&[&["Gemeente geteld", "Woonsituatie (ETHOS)"], &["Vaals", "9.9"], &["Vaals", "1.1"]]);
        let mut sheet = Sheet::read(t, &ctx());
        assert_eq!(sheet.outcome.problems.len(), 1);
        assert_eq!(sheet.cell(2, ColumnKey::LivingSituation), "9.9");
        sheet.fix(2, ColumnKey::LivingSituation, "2.1", &ctx());
        assert_eq!(sheet.outcome.problems, vec![]);
        assert_eq!(sheet.outcome.records.len(), 2);
    }

    #[test]
    fn fixing_a_column_the_file_lacks_adds_it() {
        let t = table(&[&["Gemeente geteld", "Woonsituatie (ETHOS)"], &["Vaals", "1.1"]]);
        let mut sheet = Sheet::read(t, &ctx());
        sheet.fix(2, ColumnKey::Children, "3", &ctx());
        assert_eq!(sheet.table[0][2], "Minderjarige kinderen");
        assert_eq!(sheet.cell(2, ColumnKey::Children), "3");
        assert_eq!(sheet.outcome.problems, vec![]);
    }
}
