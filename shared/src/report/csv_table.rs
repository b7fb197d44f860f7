//! A report table as CSV: code and Dutch name columns per dimension, suppressed cells as `<5`
//! and `x`, and the `;` variant with a byte-order mark for Dutch Excel.

use super::*;
use crate::Lang;

/// One table as CSV: per dimension a column of codes and beside it `<dimension>_naam` with the
/// Dutch name of each code, then `persons` (and `children` for the count groups). Suppressed
/// cells read `<5` (primary) or `x` (secondary). `semicolon` gives the variant Dutch Excel opens
/// directly: `;`-separated with a UTF-8 byte-order mark.
pub fn table_csv(table: &Table, semicolon: bool) -> String {
    let has_children = table.rows.iter().any(|r| r.children.is_some());
    let mut header: Vec<String> = dimension_columns(&table.dimensions);
    header.push("persons".into());
    if has_children {
        header.push("children".into());
    }
    let shown = |n: Option<u64>, s: Option<Suppression>| match (n, s) {
        (Some(n), _) => n.to_string(),
        (None, Some(Suppression::Secondary)) => "x".to_string(),
        (None, _) => "<5".to_string(),
    };
    let mut lines: Vec<Vec<String>> = vec![header];
    for row in &table.rows {
        let mut line: Vec<String> = key_columns(&table.dimensions, &row.key);
        line.push(shown(row.persons, row.suppressed));
        if has_children {
            line.push(shown(row.children.flatten(), row.children_suppressed));
        }
        lines.push(line);
    }
    let mut total: Vec<String> = vec![String::new(); 2 * table.dimensions.len()];
    if let Some(first) = total.first_mut() {
        *first = "total".into();
    }
    if let Some(name) = total.get_mut(1) {
        *name = "totaal".into();
    }
    total.push(shown(table.total, None));
    if has_children {
        total.push(String::new());
    }
    if !table.multiple_answers {
        lines.push(total);
    }
    csv_text(lines, semicolon)
}

/// The CSV header of the dimensions: each dimension's code column, then its `_naam` column.
pub(crate) fn dimension_columns(dimensions: &[String]) -> Vec<String> {
    dimensions.iter().flat_map(|d| [d.clone(), format!("{d}_naam")]).collect()
}

/// A row's key as CSV cells: each dimension's code, then its Dutch name.
pub(crate) fn key_columns(dimensions: &[String], key: &BTreeMap<String, String>) -> Vec<String> {
    dimensions
        .iter()
        .flat_map(|d| {
            let code = key.get(d).cloned().unwrap_or_default();
            let name = value_label(d, &code, Lang::Nl);
            [code, name]
        })
        .collect()
}

/// Lines as CSV: comma-separated, or `;`-separated with a byte-order mark so that Dutch Excel
/// opens it right.
pub(crate) fn csv_text(lines: Vec<Vec<String>>, semicolon: bool) -> String {
    let mut writer =
        csv::WriterBuilder::new().delimiter(if semicolon { b';' } else { b',' }).from_writer(Vec::new());
    for line in lines {
        // Writing to a Vec cannot fail.
        let _ = writer.write_record(&line);
    }
    let body = String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default();
    if semicolon {
        format!("\u{feff}{body}")
    } else {
        body
    }
}
