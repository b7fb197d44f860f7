//! An uploaded file into a table of cells: `.xlsx` read with calamine (its first sheet, or the
//! template's "Personen"), anything else as CSV (`ethos_shared::sheet::text`). Plain Rust, tested
//! on the host. Cells are kept only in memory, never stored or logged.

use calamine::{Data, Reader, Xlsx};
use chrono::{Duration, NaiveDate};
use std::io::Cursor;

/// Why a file could not be read, in Dutch and English.
pub type FileError = (String, String);

/// The table of a file by its name's extension.
pub fn read_file(name: &str, bytes: &[u8]) -> Result<Vec<Vec<String>>, FileError> {
    if name.to_lowercase().ends_with(".xlsx") || bytes.starts_with(b"PK\x03\x04") {
        read_xlsx(bytes)
    } else {
        ethos_shared::sheet::text::read_csv(bytes).map_err(|e| {
            (format!("het CSV-bestand is niet te lezen ({e})"), format!("the CSV file cannot be read ({e})"))
        })
    }
}

/// The cells of the sheet "Personen" (else the first sheet), from A1, as text.
pub fn read_xlsx(bytes: &[u8]) -> Result<Vec<Vec<String>>, FileError> {
    let unreadable = |e: String| {
        (format!("het Excel-bestand is niet te lezen ({e})"), format!("the Excel file cannot be read ({e})"))
    };
    let mut book = Xlsx::new(Cursor::new(bytes.to_vec())).map_err(|e| unreadable(e.to_string()))?;
    let names = book.sheet_names();
    let name = names.iter().find(|n| n.as_str() == "Personen").or(names.first()).cloned();
    let Some(name) = name else {
        return Err(unreadable("no sheet".into()));
    };
    let range = book.worksheet_range(&name).map_err(|e| unreadable(e.to_string()))?;
    let (top, left) = range.start().unwrap_or((0, 0));
    let mut table: Vec<Vec<String>> = vec![Vec::new(); top as usize];
    for row in range.rows() {
        let mut cells = vec![String::new(); left as usize];
        cells.extend(row.iter().map(cell_text));
        table.push(cells);
    }
    Ok(table)
}

/// A cell as the text a person would read in it: dates as `YYYY-MM-DD`, whole numbers
/// without a decimal point.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => excel_date(d.as_f64()).map_or_else(|| d.as_f64().to_string(), |d| d.to_string()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
    }
}

/// The date of an Excel serial day number (1900 system: day 1 is 1900-01-01, counted from
/// 1899-12-30 for dates after Excel's phantom 1900-02-29).
fn excel_date(serial: f64) -> Option<NaiveDate> {
    let base = NaiveDate::from_ymd_opt(1899, 12, 30)?;
    base.checked_add_signed(Duration::days(serial.floor() as i64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excel_serial_days_are_dates() {
        assert_eq!(excel_date(29358.0), NaiveDate::from_ymd_opt(1980, 5, 17));
        assert_eq!(excel_date(36525.5), NaiveDate::from_ymd_opt(1999, 12, 31));
    }

    #[test]
    fn a_csv_file_is_read_by_its_name() {
        let table = read_file("lijst.csv", "a;b\r\n1;2\r\n".as_bytes()).expect("csv");
        assert_eq!(table, vec![vec!["a", "b"], vec!["1", "2"]]);
    }

    #[test]
    fn a_broken_xlsx_is_a_problem_not_a_panic() {
        assert!(read_file("lijst.xlsx", b"PK\x03\x04 not really").is_err());
    }
}
