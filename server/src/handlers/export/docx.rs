//! The whole report as a Word file: the title and the disclosure on the first page, the
//! summary, the headline figures, every table as a Word table with Dutch labels, bar charts
//! as images (count groups, ETHOS categories, municipalities), the rates,
//! the comparison with an earlier count when asked, and the method text.

use super::content::{self, Cell};
use super::Contents;
use docx_rs::{
    AlignmentType, BreakType, Docx, Paragraph, Run, Style, StyleType, Table, TableCell, TableRow, WidthType,
};
use ethos_shared::report::{method_text, value_label};
use ethos_shared::Lang;

/// The Word file's bytes.
pub fn document(c: &Contents) -> anyhow::Result<Vec<u8>> {
    let r = &c.report;
    let mut doc = Docx::new()
        .add_style(Style::new("Title", StyleType::Paragraph).name("Title").size(40).bold())
        .add_style(Style::new("Heading1", StyleType::Paragraph).name("Heading 1").size(32).bold())
        .add_style(Style::new("Heading2", StyleType::Paragraph).name("Heading 2").size(26).bold());
    doc = doc
        .add_paragraph(styled("Title", &content::title(r)))
        .add_paragraph(
            Paragraph::new().add_run(Run::new().add_text(content::disclosure_statement(r.disclosure)).bold()),
        )
        .add_paragraph(text(&content::dates(r)))
        .add_paragraph(styled("Heading1", "Samenvatting"));
    for s in &c.summary.sentences {
        doc = doc.add_paragraph(text(s));
    }
    doc = doc.add_paragraph(styled("Heading2", "Kerncijfers"));
    let headline: Vec<Vec<String>> =
        content::headline(r).into_iter().map(|(label, cell)| vec![label.to_string(), cell.text()]).collect();
    doc = doc.add_table(table(&["Kerncijfer".to_string(), "Aantal".to_string()], &headline, 1));
    doc = doc.add_paragraph(Paragraph::new().add_run(Run::new().add_break(BreakType::Page)));
    doc = doc.add_paragraph(styled("Heading1", "Tabellen"));
    for t in &r.tables {
        doc = doc.add_paragraph(styled("Heading2", &t.title));
        let mut rows: Vec<Vec<String>> = t
            .rows
            .iter()
            .map(|row| {
                let mut cells: Vec<String> =
                    content::labels_and_codes(&t.dimensions, &row.key).into_iter().map(|(l, _)| l).collect();
                cells.extend(content::figures(t, row).into_iter().map(Cell::text));
                cells
            })
            .collect();
        match content::total(t) {
            Some(total) => {
                let mut line = vec!["Totaal".to_string()];
                line.extend(std::iter::repeat_n(String::new(), t.dimensions.len().saturating_sub(1)));
                line.push(total.text());
                if content::has_children(t) {
                    line.push(String::new());
                }
                rows.push(line);
            }
            None => {
                doc =
                    doc.add_paragraph(text("Meer antwoorden per persoon mogelijk: de rijen tellen niet op."));
            }
        }
        doc = doc.add_table(table(&content::header(t), &rows, t.dimensions.len()));
    }
    doc = doc.add_paragraph(styled("Heading1", "Grafieken"));
    for id in super::chart::CHARTS {
        if let (Some(t), Some(bars)) = (r.table(id), super::chart::chart(r, id)) {
            doc = doc.add_paragraph(styled("Heading2", &t.title)).add_table(bars);
        }
    }
    doc = doc.add_paragraph(styled("Heading1", "Personen per 1.000 inwoners"));
    if r.rates.is_empty() {
        doc = doc.add_paragraph(text("Er zijn geen inwonertallen ingevoerd."));
    } else {
        let rows: Vec<Vec<String>> = r
            .rates
            .iter()
            .map(|rate| {
                vec![
                    value_label("municipality", &rate.municipality, Lang::Nl),
                    Cell::of(rate.persons, rate.suppressed).text(),
                    rate.population.to_string(),
                    rate.per_1000.map_or("x".to_string(), |x| format!("{x:.2}").replace('.', ",")),
                ]
            })
            .collect();
        let header = ["Gemeente", "Personen", "Inwoners", "Per 1.000 inwoners"].map(String::from);
        doc = doc.add_table(table(&header, &rows, 1));
    }
    if let Some(comparison) = &c.comparison {
        doc = doc.add_paragraph(styled("Heading1", &content::comparison_title(comparison)));
        let mut header = vec!["Kerncijfer".to_string()];
        header.extend(content::CHANGE_HEADER.map(String::from));
        let rows: Vec<Vec<String>> = comparison
            .headline
            .iter()
            .map(|h| {
                let mut line = vec![content::headline_label(&h.figure).to_string()];
                line.extend(content::change_cells(&h.persons));
                line
            })
            .collect();
        doc = doc.add_table(table(&header, &rows, 1));
        for t in content::compared_tables(comparison) {
            doc = doc.add_paragraph(styled("Heading2", &t.title));
            let mut header: Vec<String> =
                t.dimensions.iter().map(|d| ethos_shared::report::dimension_label(d, Lang::Nl)).collect();
            header.extend(content::CHANGE_HEADER.map(String::from));
            let mut rows: Vec<Vec<String>> = t
                .rows
                .iter()
                .map(|row| {
                    let mut line: Vec<String> = content::labels_and_codes(&t.dimensions, &row.key)
                        .into_iter()
                        .map(|(l, _)| l)
                        .collect();
                    line.extend(content::change_cells(&row.persons));
                    line
                })
                .collect();
            let mut total = vec!["Totaal".to_string()];
            total.extend(std::iter::repeat_n(String::new(), t.dimensions.len().saturating_sub(1)));
            total.extend(content::change_cells(&t.total));
            rows.push(total);
            doc = doc.add_table(table(&header, &rows, t.dimensions.len()));
        }
    }
    doc = doc.add_paragraph(styled("Heading1", "Werkwijze"));
    for p in method_text(Lang::Nl) {
        doc = doc.add_paragraph(text(p));
    }
    let mut out = std::io::Cursor::new(Vec::new());
    doc.build().pack(&mut out)?;
    deflated(out.into_inner())
}

/// The same archive with its parts compressed: a tenth of the size.
fn deflated(stored: Vec<u8>) -> anyhow::Result<Vec<u8>> {
    let mut input = zip::ZipArchive::new(std::io::Cursor::new(stored))?;
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for i in 0..input.len() {
        let mut part = input.by_index(i)?;
        let name = part.name()?.to_string();
        if part.is_dir() {
            out.add_directory(name, options)?;
        } else {
            out.start_file(name, options)?;
            std::io::copy(&mut part, &mut out)?;
        }
    }
    Ok(out.finish()?.into_inner())
}

fn text(s: &str) -> Paragraph {
    Paragraph::new().add_run(Run::new().add_text(s))
}

fn styled(style: &str, s: &str) -> Paragraph {
    Paragraph::new().style(style).add_run(Run::new().add_text(s))
}

/// A Word table over the page's width: a bold header row, then the rows; the columns from
/// `labels` on hold figures and are aligned right.
fn table(header: &[String], rows: &[Vec<String>], labels: usize) -> Table {
    let cell = |s: &str, bold: bool, column: usize| {
        let run = Run::new().add_text(s);
        let paragraph = Paragraph::new().add_run(if bold { run.bold() } else { run });
        let paragraph = if column >= labels { paragraph.align(AlignmentType::Right) } else { paragraph };
        TableCell::new().add_paragraph(paragraph)
    };
    let line = |cells: &[String], bold: bool| {
        TableRow::new(cells.iter().enumerate().map(|(i, c)| cell(c, bold, i)).collect())
    };
    let mut lines = vec![line(header, true)];
    lines.extend(rows.iter().map(|r| line(r, false)));
    // 5000 fiftieths of a percent: the full width.
    Table::new(lines).width(5000, WidthType::Pct)
}
