//! What the Word file and the Excel workbook both say, in the same words: the disclosure
//! statement, the headline figures, table rows with Dutch labels and cells as published (`<5`,
//! `x`), and the comparison's rows.

use ethos_shared::comparison::{Change, Comparison, TableChange};
use ethos_shared::disclosure::Suppression;
use ethos_shared::report::{dimension_label, value_label, Disclosure, Report, Row, Table};
use ethos_shared::Lang;

/// A figure as published: a number, or why it is hidden (`<5` primary, `x` secondary).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell {
    Number(u64),
    Hidden(&'static str),
}

impl Cell {
    pub fn of(n: Option<u64>, why: Option<Suppression>) -> Cell {
        match (n, why) {
            (Some(n), _) => Cell::Number(n),
            (None, Some(Suppression::Primary)) => Cell::Hidden("<5"),
            (None, _) => Cell::Hidden("x"),
        }
    }

    pub fn text(self) -> String {
        match self {
            Cell::Number(n) => n.to_string(),
            Cell::Hidden(s) => s.to_string(),
        }
    }
}

/// The title of the download.
pub fn title(report: &Report) -> String {
    format!("Nulmeting dakloosheid Maastricht-Heuvelland – {}", report.count.name)
}

/// What the first page says about the disclosure.
pub fn disclosure_statement(disclosure: Disclosure) -> &'static str {
    match disclosure {
        Disclosure::Public => {
            "Openbare versie: aantallen van 1 tot 4 personen zijn weggelaten (<5), en waar zo'n getal uit \
             een totaal terug te rekenen zou zijn ook de kleinste andere cel (x). Geschikt om te publiceren \
             na controle door de coördinator."
        }
        Disclosure::Internal => {
            "Interne versie: alle aantallen, ook kleine. Niet publiceren en niet buiten de organisatie \
             delen: kleine aantallen kunnen personen herkenbaar maken."
        }
    }
}

/// The peildatum and when the report was made, as a line.
pub fn dates(report: &Report) -> String {
    format!(
        "Peildatum {}; rapport gemaakt op {} (UTC).",
        report.count.reference_date.format("%d-%m-%Y"),
        report.generated_at.format("%d-%m-%Y %H:%M")
    )
}

/// The headline figures with Dutch labels.
pub fn headline(report: &Report) -> Vec<(&'static str, Cell)> {
    let why = |name: &str| report.headline_suppressed.get(name).copied();
    let figure = |name: &'static str, n: Option<u64>| Cell::of(n, why(name));
    vec![
        ("Getelde personen (zonder meegekomen kinderen)", figure("persons_total", report.persons_total)),
        ("Meegekomen minderjarige kinderen", figure("accompanying_children", report.accompanying_children)),
        (
            "Personen inclusief meegekomen kinderen",
            figure("persons_including_children", report.persons_including_children),
        ),
        ("Jongeren van 18 tot en met 26 jaar", Cell::of(report.youth_18_26, Some(Suppression::Secondary))),
        ("Registraties totaal", figure("records_total", report.records_total)),
        ("Registraties geteld", figure("records_counted", report.records_counted)),
        ("Registraties ongeldig verklaard", figure("records_void", report.records_void)),
        ("Oefenregistraties", figure("records_training", report.records_training)),
        ("Registraties zonder dubbeltelsleutel", figure("records_without_key", report.records_without_key)),
        (
            "Dubbele registraties samengevoegd",
            figure("duplicate_records_merged", report.duplicate_records_merged),
        ),
    ]
}

/// A table's column headings: per dimension its Dutch name, then `Personen` (and `Kinderen`).
pub fn header(table: &Table) -> Vec<String> {
    let mut h: Vec<String> = table.dimensions.iter().map(|d| dimension_label(d, Lang::Nl)).collect();
    h.push("Personen".into());
    if has_children(table) {
        h.push("Kinderen".into());
    }
    h
}

pub fn has_children(table: &Table) -> bool {
    table.rows.iter().any(|r| r.children.is_some())
}

/// A row's Dutch labels, one per dimension, and its codes.
pub fn labels_and_codes(
    dimensions: &[String],
    row_key: &std::collections::BTreeMap<String, String>,
) -> Vec<(String, String)> {
    dimensions
        .iter()
        .map(|d| {
            let code = row_key.get(d).cloned().unwrap_or_default();
            (value_label(d, &code, Lang::Nl), code)
        })
        .collect()
}

/// A row's figures: persons (and children for the count groups).
pub fn figures(table: &Table, row: &Row) -> Vec<Cell> {
    let mut cells = vec![Cell::of(row.persons, row.suppressed)];
    if has_children(table) {
        cells.push(Cell::of(row.children.flatten(), row.children_suppressed));
    }
    cells
}

/// A table's total, as published (a hidden total reads `x`); none for tables whose rows do not
/// add up (several answers per person).
pub fn total(table: &Table) -> Option<Cell> {
    (!table.multiple_answers).then(|| Cell::of(table.total, None))
}

/// The headings of a compared table's columns after its dimensions.
pub const CHANGE_HEADER: [&str; 4] = ["Eerder", "Nu", "Verschil", "Verschil (%)"];

/// A comparison's figures: earlier, now, the change and the relative change in percent.
pub fn change_cells(c: &Change) -> [String; 4] {
    [
        Cell::of(c.earlier, c.earlier_suppressed).text(),
        Cell::of(c.now, c.now_suppressed).text(),
        c.change.map(|d| d.to_string()).unwrap_or_default(),
        c.relative.map(|r| format!("{:.1}", r * 100.0).replace('.', ",")).unwrap_or_default(),
    ]
}

/// The Dutch label of a headline figure of the comparison.
pub fn headline_label(figure: &str) -> &str {
    match figure {
        "persons_total" => "Getelde personen (zonder meegekomen kinderen)",
        "accompanying_children" => "Meegekomen minderjarige kinderen",
        "persons_including_children" => "Personen inclusief meegekomen kinderen",
        "records_counted" => "Registraties geteld",
        "records_without_key" => "Registraties zonder dubbeltelsleutel",
        "duplicate_records_merged" => "Dubbele registraties samengevoegd",
        other => other,
    }
}

/// The heading of the comparison.
pub fn comparison_title(c: &Comparison) -> String {
    format!("Vergelijking met {} (peildatum {})", c.earlier.name, c.earlier.reference_date.format("%d-%m-%Y"))
}

/// The compared tables that are worth a section: all of them.
pub fn compared_tables(c: &Comparison) -> &[TableChange] {
    &c.tables
}
