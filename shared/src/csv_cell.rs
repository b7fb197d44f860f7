//! CSV cells that a spreadsheet would run as a formula. Excel, LibreOffice and Google Sheets
//! treat a cell that starts with `=`, `+`, `-` or `@` (and, after a tab or carriage return,
//! whatever follows) as a formula, so an organisation name or void reason such as
//! `=HYPERLINK(…)` would act when the export is opened. Such a text cell gets a leading `'`,
//! which spreadsheets show as plain text (OWASP's advice). Numbers are never touched: a
//! negative count or change (`-3`, `-12.5`, `-12,5`) stays a number.
//!
//! Every CSV the server writes goes through this rule, and the console uses it too.

use std::borrow::Cow;

/// The first characters that make a spreadsheet read a cell as a formula.
const TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A plain number as the exports write them: an optional sign, digits, and an optional
/// decimal part with `.` or `,` (the semicolon exports use a decimal comma).
pub fn is_number(cell: &str) -> bool {
    let digits = cell.strip_prefix(['-', '+']).unwrap_or(cell);
    let (whole, fraction) = match digits.split_once(['.', ',']) {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (digits, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match fraction {
        None => all_digits(whole),
        Some(fraction) => (whole.is_empty() || all_digits(whole)) && all_digits(fraction),
    }
}

/// Whether a spreadsheet would read this cell as a formula: it starts with a trigger and is
/// not a plain number.
pub fn needs_guard(cell: &str) -> bool {
    cell.starts_with(TRIGGERS) && !is_number(cell)
}

/// The cell as it may be written to a CSV: with a leading `'` when it would be a formula.
pub fn guard(cell: &str) -> Cow<'_, str> {
    if needs_guard(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// A whole CSV document (separated by `delimiter`, with or without a byte-order mark) with
/// every cell guarded. A document that needs no change is returned as it is.
pub fn guard_csv(csv: &str, delimiter: u8) -> String {
    const BOM: &str = "\u{feff}";
    let (bom, text) = match csv.strip_prefix(BOM) {
        Some(rest) => (BOM, rest),
        None => ("", csv),
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut changed = false;
    for row in reader.records() {
        let Ok(row) = row else {
            // Not CSV after all (never the case for our own exports): guard nothing rather than
            // garble it.
            return csv.to_string();
        };
        let cells: Vec<String> = row.iter().map(|cell| guard(cell).into_owned()).collect();
        changed |= cells.iter().zip(row.iter()).any(|(new, old)| new != old);
        rows.push(cells);
    }
    if !changed {
        return csv.to_string();
    }
    let mut writer = csv::WriterBuilder::new().delimiter(delimiter).from_writer(Vec::new());
    for row in &rows {
        // Writing to a Vec cannot fail.
        let _ = writer.write_record(row);
    }
    let body = writer.into_inner().map(String::from_utf8).ok().and_then(Result::ok).unwrap_or_default();
    format!("{bom}{body}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_that_a_spreadsheet_would_run_gets_a_leading_quote() {
        for cell in ["=1+1", "+31 6", "-cmd", "@SUM(A1)", "\t=1", "\r=1", "=HYPERLINK(\"x\")", "-", "+"] {
            assert_eq!(guard(cell), format!("'{cell}"), "{cell:?}");
        }
        for cell in ["Straatteam", "", "1.1", "GM0935", "a=b", "'already", " =spaced"] {
            assert_eq!(guard(cell), cell, "{cell:?}");
        }
    }

    #[test]
    fn numbers_stay_numbers_also_negative_and_with_a_decimal_comma() {
        for cell in ["-3", "+3", "0", "-12.5", "-12,5", "12.0", "-.5"] {
            assert!(is_number(cell), "{cell:?}");
            assert_eq!(guard(cell), cell);
        }
        for cell in ["-", "-1-1", "-1e5", "1.", "-1.2.3", "--1", "-1;2"] {
            assert!(!is_number(cell), "{cell:?}");
        }
    }

    #[test]
    fn a_document_is_guarded_cell_by_cell_and_keeps_its_bom_and_separator() {
        let plain = "organisation,persons,change\r\nStraatteam,5,-2\r\n";
        assert_eq!(guard_csv(plain, b','), plain, "nothing to guard: unchanged");
        let crafted = "\u{feff}organisation;persons;change\n=cmd|' /C calc'!A0;5;-2,5\n\"@x;y\";x;<5\n";
        let guarded = guard_csv(crafted, b';');
        assert!(guarded.starts_with('\u{feff}'), "{guarded:?}");
        let cells: Vec<Vec<String>> = csv::ReaderBuilder::new()
            .has_headers(false)
            .delimiter(b';')
            .from_reader(guarded.trim_start_matches('\u{feff}').as_bytes())
            .records()
            .map(|r| r.map(|r| r.iter().map(String::from).collect()).unwrap_or_default())
            .collect();
        assert_eq!(cells[1], ["'=cmd|' /C calc'!A0", "5", "-2,5"]);
        assert_eq!(cells[2], ["'@x;y", "x", "<5"]);
    }
}
