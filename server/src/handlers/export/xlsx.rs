//! The whole report as an Excel workbook: a sheet "Samenvatting" (the summary's sentences and
//! the headline figures), one sheet per table (Dutch labels, the codes in the column beside
//! them, persons as numbers or `<5`/`x`), "Per 1000 inwoners", "Toelichting" (disclosure and
//! method) and, with an earlier count, "Vergelijking".

use super::content::{self, Cell};
use super::Contents;
use ethos_shared::report::{dimension_label, method_text, value_label, Table};
use ethos_shared::Lang;
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};
use std::collections::HashSet;

/// The workbook's bytes.
pub fn workbook(c: &Contents) -> anyhow::Result<Vec<u8>> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    summary_sheet(wb.add_worksheet(), c, &bold)?;
    let mut names = HashSet::new();
    for table in &c.report.tables {
        let name = sheet_name(&table.id, &mut names);
        table_sheet(wb.add_worksheet(), &name, table, &bold)?;
    }
    rates_sheet(wb.add_worksheet(), c, &bold)?;
    if let Some(comparison) = &c.comparison {
        let ws = wb.add_worksheet();
        ws.set_name("Vergelijking")?;
        ws.write_string_with_format(0, 0, content::comparison_title(comparison), &bold)?;
        let mut r = 2;
        for h in &comparison.headline {
            ws.write_string(r, 0, "kerncijfers")?;
            ws.write_string(r, 1, content::headline_label(&h.figure))?;
            ws.write_string(r, 2, &h.figure)?;
            write_change(ws, r, 5, &h.persons)?;
            r += 1;
        }
        ws.write_string_with_format(r + 1, 0, "tabel", &bold)?;
        for (i, h) in ["categorie", "code", "tweede categorie", "code"].iter().enumerate() {
            ws.write_string_with_format(r + 1, 1 + i as u16, *h, &bold)?;
        }
        for (i, h) in content::CHANGE_HEADER.iter().enumerate() {
            ws.write_string_with_format(r + 1, 5 + i as u16, *h, &bold)?;
        }
        r += 2;
        for t in content::compared_tables(comparison) {
            for row in &t.rows {
                ws.write_string(r, 0, &t.id)?;
                for (k, (label, code)) in
                    content::labels_and_codes(&t.dimensions, &row.key).iter().enumerate()
                {
                    ws.write_string(r, 1 + 2 * k as u16, label)?;
                    ws.write_string(r, 2 + 2 * k as u16, code)?;
                }
                write_change(ws, r, 5, &row.persons)?;
                r += 1;
            }
            ws.write_string(r, 0, &t.id)?;
            ws.write_string(r, 1, "totaal")?;
            write_change(ws, r, 5, &t.total)?;
            r += 1;
        }
        ws.set_column_width(0, 34)?;
        ws.set_column_width(1, 40)?;
    }
    let ws = wb.add_worksheet();
    ws.set_name("Toelichting")?;
    ws.write_string_with_format(0, 0, content::title(&c.report), &bold)?;
    ws.write_string(1, 0, content::disclosure_statement(c.report.disclosure))?;
    ws.write_string(2, 0, content::dates(&c.report))?;
    ws.write_string_with_format(4, 0, "Werkwijze", &bold)?;
    for (i, p) in method_text(Lang::Nl).iter().enumerate() {
        ws.write_string(5 + i as u32, 0, *p)?;
    }
    ws.set_column_width(0, 120)?;
    Ok(wb.save_to_buffer()?)
}

fn summary_sheet(ws: &mut Worksheet, c: &Contents, bold: &Format) -> Result<(), XlsxError> {
    ws.set_name("Samenvatting")?;
    ws.write_string_with_format(0, 0, content::title(&c.report), bold)?;
    ws.write_string(1, 0, content::disclosure_statement(c.report.disclosure))?;
    ws.write_string(2, 0, content::dates(&c.report))?;
    let mut r = 4;
    ws.write_string_with_format(r, 0, "Samenvatting", bold)?;
    for s in &c.summary.sentences {
        r += 1;
        ws.write_string(r, 0, s)?;
    }
    r += 2;
    ws.write_string_with_format(r, 0, "Kerncijfers", bold)?;
    for (label, cell) in content::headline(&c.report) {
        r += 1;
        ws.write_string(r, 0, label)?;
        write_cell(ws, r, 1, cell)?;
    }
    ws.set_column_width(0, 60)?;
    Ok(())
}

fn table_sheet(ws: &mut Worksheet, name: &str, table: &Table, bold: &Format) -> Result<(), XlsxError> {
    ws.set_name(name)?;
    ws.write_string_with_format(0, 0, &table.title, bold)?;
    ws.write_string(1, 0, format!("tabel {}", table.id))?;
    // Per dimension: its Dutch name, then a column of codes; then the figures.
    let n = table.dimensions.len() as u16;
    for (k, d) in table.dimensions.iter().enumerate() {
        ws.write_string_with_format(3, 2 * k as u16, dimension_label(d, Lang::Nl), bold)?;
        ws.write_string_with_format(3, 2 * k as u16 + 1, format!("code {d}"), bold)?;
    }
    let header = content::header(table);
    for (i, h) in header.iter().skip(table.dimensions.len()).enumerate() {
        ws.write_string_with_format(3, 2 * n + i as u16, h, bold)?;
    }
    let mut r = 4;
    for row in &table.rows {
        for (k, (label, code)) in content::labels_and_codes(&table.dimensions, &row.key).iter().enumerate() {
            ws.write_string(r, 2 * k as u16, label)?;
            ws.write_string(r, 2 * k as u16 + 1, code)?;
        }
        for (i, cell) in content::figures(table, row).into_iter().enumerate() {
            write_cell(ws, r, 2 * n + i as u16, cell)?;
        }
        r += 1;
    }
    if let Some(total) = content::total(table) {
        ws.write_string_with_format(r, 0, "Totaal", bold)?;
        ws.write_string(r, 1, "total")?;
        write_cell(ws, r, 2 * n, total)?;
    } else {
        ws.write_string(
            r,
            0,
            "Meer antwoorden per persoon mogelijk: de rijen tellen niet op tot een totaal.",
        )?;
    }
    ws.set_column_width(0, 45)?;
    if n > 1 {
        ws.set_column_width(2, 45)?;
    }
    Ok(())
}

fn rates_sheet(ws: &mut Worksheet, c: &Contents, bold: &Format) -> Result<(), XlsxError> {
    ws.set_name("Per 1000 inwoners")?;
    ws.write_string_with_format(0, 0, "Personen per 1.000 inwoners", bold)?;
    for (i, h) in ["Gemeente", "code", "Personen", "Inwoners", "Per 1.000 inwoners"].iter().enumerate() {
        ws.write_string_with_format(2, i as u16, *h, bold)?;
    }
    for (i, rate) in c.report.rates.iter().enumerate() {
        let r = 3 + i as u32;
        ws.write_string(r, 0, value_label("municipality", &rate.municipality, Lang::Nl))?;
        ws.write_string(r, 1, &rate.municipality)?;
        write_cell(ws, r, 2, Cell::of(rate.persons, rate.suppressed))?;
        ws.write_number(r, 3, rate.population as f64)?;
        match rate.per_1000 {
            Some(x) => ws.write_number(r, 4, (x * 100.0).round() / 100.0)?,
            None => ws.write_string(r, 4, "x")?,
        };
    }
    ws.set_column_width(0, 30)?;
    Ok(())
}

fn write_change(
    ws: &mut Worksheet,
    r: u32,
    col: u16,
    change: &ethos_shared::comparison::Change,
) -> Result<(), XlsxError> {
    write_cell(ws, r, col, Cell::of(change.earlier, change.earlier_suppressed))?;
    write_cell(ws, r, col + 1, Cell::of(change.now, change.now_suppressed))?;
    if let Some(d) = change.change {
        ws.write_number(r, col + 2, d as f64)?;
    }
    if let Some(rel) = change.relative {
        ws.write_number(r, col + 3, (rel * 1000.0).round() / 10.0)?;
    }
    Ok(())
}

/// A number as a number (so Excel sums it), a hidden figure as its text.
fn write_cell(ws: &mut Worksheet, r: u32, col: u16, cell: Cell) -> Result<(), XlsxError> {
    match cell {
        Cell::Number(n) => ws.write_number(r, col, n as f64).map(|_| ()),
        Cell::Hidden(s) => ws.write_string(r, col, s).map(|_| ()),
    }
}

/// A sheet name from a table id: without `by_`, at most 31 characters, unique.
fn sheet_name(id: &str, taken: &mut HashSet<String>) -> String {
    let base: String = id.strip_prefix("by_").unwrap_or(id).chars().take(31).collect();
    let mut name = base.clone();
    let mut n = 2;
    while !taken.insert(name.clone()) {
        let suffix = format!("~{n}");
        name = format!("{}{suffix}", base.chars().take(31 - suffix.len()).collect::<String>());
        n += 1;
    }
    name
}
