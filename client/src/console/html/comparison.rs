//! The comparison with an earlier count (domain.md §6.6) as markup: the headline figures and
//! every table of the report, each value then and now with the change.

use super::kit::{day, Html};
use crate::console::model::{cell, dim_label, num, value_label};
use crate::i18n::tr;
use ethos_shared::comparison::{Change, Comparison, TableChange};
use ethos_shared::disclosure::Suppression;
use ethos_shared::report::Disclosure;
use ethos_shared::Lang;

/// A change with its sign: `+3`, `−5` (a real minus sign), `0`.
pub fn signed(change: i64, lang: Lang) -> String {
    match change {
        0 => "0".into(),
        c if c > 0 => format!("+{}", num(c.unsigned_abs(), lang)),
        c => format!("\u{2212}{}", num(c.unsigned_abs(), lang)),
    }
}

/// A relative change with its sign and one decimal: `+25,0%` / `−12.5%` (integer arithmetic).
pub fn signed_percent(share: f64, lang: Lang) -> String {
    let permille = (share.abs() * 1000.0 + 0.5) as u64;
    let sep = if lang == Lang::Nl { ',' } else { '.' };
    let sign = match permille {
        0 => "",
        _ if share > 0.0 => "+",
        _ => "\u{2212}",
    };
    format!("{sign}{}{sep}{}%", num(permille / 10, lang), permille % 10)
}

/// The four cells of a figure: then, now, change, relative change. A hidden value reads `x`.
fn change_cells(h: &mut Html, c: &Change, lang: Lang) {
    // A hidden table total (or a headline figure from an older server) has no reason
    // attached: `x`, like a secondary cell.
    let shown = |n: Option<u64>, why: Option<Suppression>| match (n, why) {
        (None, None) => "x".to_string(),
        _ => cell(n, why, lang),
    };
    h.td_num(&shown(c.earlier, c.earlier_suppressed)).td_num(&shown(c.now, c.now_suppressed));
    let direction = match c.change {
        Some(d) if d > 0 => "change change--up",
        Some(d) if d < 0 => "change change--down",
        _ => "change",
    };
    h.el(
        "td",
        &[("class", &format!("num {direction}"))],
        &c.change.map_or_else(|| "–".into(), |d| signed(d, lang)),
    );
    h.td_num(&c.relative.map_or_else(|| "–".into(), |r| signed_percent(r, lang)));
}

fn head(h: &mut Html, first: &str, x: &Comparison, lang: Lang) {
    h.open("thead", &[]).open("tr", &[]);
    h.el("th", &[("scope", "col")], first);
    h.el("th", &[("scope", "col"), ("class", "num")], &day(x.earlier.reference_date));
    h.el("th", &[("scope", "col"), ("class", "num")], &day(x.count.reference_date));
    h.el("th", &[("scope", "col"), ("class", "num")], tr(lang, "Verschil", "Change"));
    h.el("th", &[("scope", "col"), ("class", "num")], tr(lang, "Verschil %", "Change %"));
    h.close("tr").close("thead");
}

fn headline_label(figure: &str, lang: Lang) -> &'static str {
    match figure {
        "persons_total" => tr(lang, "Geregistreerde personen", "Recorded persons"),
        "accompanying_children" => {
            tr(lang, "Meegekomen minderjarige kinderen", "Accompanying minor children")
        }
        "persons_including_children" => tr(lang, "Personen inclusief kinderen", "Persons including children"),
        "records_counted" => tr(lang, "Meegetelde records", "Counted records"),
        "records_without_key" => tr(lang, "Records zonder sleutel", "Records without key"),
        "duplicate_records_merged" => tr(lang, "Samengevoegde dubbele records", "Duplicate records merged"),
        _ => "",
    }
}

/// A row's label: its dimension values, joined.
fn row_label(t: &TableChange, key: &std::collections::BTreeMap<String, String>, lang: Lang) -> String {
    t.dimensions
        .iter()
        .map(|d| value_label(d, key.get(d).map(String::as_str).unwrap_or(""), lang))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// One table's changes; `csv` adds its CSV buttons (the comparison page has them, the report's
/// section does not: its buttons download the report's tables).
fn table(h: &mut Html, x: &Comparison, t: &TableChange, lang: Lang, csv: bool) {
    let title = if lang == Lang::Nl { &t.title } else { &t.title_en };
    let first = t.dimensions.iter().map(|d| dim_label(d, lang)).collect::<Vec<_>>().join(" · ");
    let testid = format!("comparison-table-{}", t.id);
    h.open("section", &[("class", "report-table"), ("data-testid", &testid)]);
    h.open("div", &[("class", "table-scroll")]);
    h.open("table", &[("class", "data-table report-list")]).el("caption", &[], title);
    head(h, &first, x, lang);
    h.open("tbody", &[]);
    for r in &t.rows {
        h.open("tr", &[]).th_row(&row_label(t, &r.key, lang));
        change_cells(h, &r.persons, lang);
        h.close("tr");
    }
    h.close("tbody").open("tfoot", &[]).open("tr", &[]).th_row(tr(lang, "Totaal personen", "Total persons"));
    change_cells(h, &t.total, lang);
    h.close("tr").close("tfoot").close("table").close("div");
    if csv {
        h.csv_links("comparison", &t.id, lang);
    }
    h.close("section");
}

/// The whole comparison page below its toolbar.
pub fn comparison(x: &Comparison, lang: Lang) -> String {
    let mut h = Html::new();
    h.open(
        "article",
        &[
            ("class", "report comparison"),
            ("data-testid", "comparison-page"),
            ("data-disclosure", x.disclosure.code()),
        ],
    );
    h.open("header", &[("class", "report__head")]);
    h.el(
        "h1",
        &[("class", "utrecht-heading-1")],
        tr(lang, "Vergelijking met een eerdere telling", "Comparison with an earlier count"),
    );
    h.el("p", &[("class", "utrecht-paragraph report__sub")], &counts_line(x, lang));
    note(&mut h, lang);
    h.close("header");
    changes(&mut h, x, x.tables.iter(), lang, "h2", true);
    h.close("article");
    h.finish()
}

/// The comparison as a section of the report page (so that printing the report carries it):
/// which two counts, the note on reading it, the key figures and the one-dimensional tables
/// without CSV buttons. The cross tables would more than double the printed report; they stay
/// on the comparison page and in the downloads, as the section says.
pub fn section(x: &Comparison, lang: Lang) -> String {
    let mut h = Html::new();
    h.open(
        "section",
        &[
            ("class", "report__section report-comparison"),
            ("data-testid", "report-comparison"),
            ("data-disclosure", x.disclosure.code()),
        ],
    );
    h.el(
        "h2",
        &[("class", "utrecht-heading-2")],
        tr(lang, "Vergelijking met een eerdere telling", "Comparison with an earlier count"),
    );
    h.el("p", &[("class", "utrecht-paragraph report__sub")], &counts_line(x, lang));
    note(&mut h, lang);
    h.el("p", &[("class", "utrecht-paragraph muted")], tr(lang,
        "Hier de kerncijfers en de tabellen naar één kenmerk; de kruistabellen staan op het tabblad Vergelijking en in de downloads met vergelijking.",
        "Here the key figures and the tables by one attribute; the cross tables are on the Comparison tab and in the downloads with the comparison."));
    changes(&mut h, x, x.tables.iter().filter(|t| t.dimensions.len() == 1), lang, "h3", false);
    h.close("section");
    h.finish()
}

/// "This count (reference date) against the earlier one (reference date) · version".
fn counts_line(x: &Comparison, lang: Lang) -> String {
    let public = x.disclosure == Disclosure::Public;
    format!(
        "{} ({} {}) {} {} ({} {}) · {}",
        x.count.name,
        tr(lang, "peildatum", "reference date"),
        day(x.count.reference_date),
        tr(lang, "tegenover", "against"),
        x.earlier.name,
        tr(lang, "peildatum", "reference date"),
        day(x.earlier.reference_date),
        if public {
            tr(lang, "openbare versie", "public version")
        } else {
            tr(lang, "interne versie", "internal version")
        },
    )
}

/// How to read a change, and what `<5` and `x` mean.
fn note(h: &mut Html, lang: Lang) {
    h.el("p", &[("class", "utrecht-paragraph muted")], tr(lang,
        "Beide rapporten zijn volgens dezelfde regels gemaakt. Een verschil kan ook komen doordat andere organisaties meededen, de teltijd anders was of meer mensen hun gegevens voor de sleutel gaven: lees het met de datakwaliteit van beide rapporten. <5 = klein aantal verborgen, x = verborgen zodat het niet terug te rekenen is; daarvan is geen verschil te geven.",
        "Both reports follow the same rules. A change can also come from other organisations taking part, another count window, or more people giving the details for the key: read it with the data quality of both reports. <5 = small number hidden, x = hidden so that it cannot be worked out; no change can be given for them."));
}

/// The key figures' changes and those of `tables`, under headings of level `heading`.
fn changes<'a>(
    h: &mut Html,
    x: &Comparison,
    tables: impl Iterator<Item = &'a TableChange>,
    lang: Lang,
    heading: &str,
    csv: bool,
) {
    let class = if heading == "h2" { "utrecht-heading-2" } else { "utrecht-heading-3" };
    h.open("section", &[("class", "report__section"), ("data-testid", "comparison-headline")]);
    h.el(heading, &[("class", class)], tr(lang, "In het kort", "In brief"));
    h.open("div", &[("class", "table-scroll")]);
    h.open("table", &[("class", "data-table report-list")]).el(
        "caption",
        &[("class", "visually-hidden")],
        tr(lang, "Kerncijfers", "Key figures"),
    );
    head(h, tr(lang, "Kerncijfer", "Key figure"), x, lang);
    h.open("tbody", &[]);
    for line in &x.headline {
        h.open("tr", &[("data-figure", &line.figure)]).th_row(headline_label(&line.figure, lang));
        change_cells(h, &line.persons, lang);
        h.close("tr");
    }
    h.close("tbody").close("table").close("div").close("section");

    h.open("section", &[("class", "report__section"), ("data-testid", "comparison-tables")]);
    h.el(heading, &[("class", class)], tr(lang, "Per tabel", "Per table"));
    for t in tables {
        table(h, x, t, lang, csv);
    }
    h.close("section");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_carry_their_sign_in_the_language() {
        assert_eq!(signed(1234, Lang::Nl), "+1.234");
        assert_eq!(signed(-5, Lang::En), "\u{2212}5");
        assert_eq!(signed(0, Lang::Nl), "0");
        assert_eq!(signed_percent(0.25, Lang::Nl), "+25,0%");
        assert_eq!(signed_percent(-0.125, Lang::En), "\u{2212}12.5%");
        assert_eq!(signed_percent(12.0, Lang::Nl), "+1.200,0%");
        assert_eq!(signed_percent(0.0, Lang::Nl), "0,0%");
    }

    #[test]
    fn a_comparison_shows_then_now_and_change_and_hides_what_is_hidden() {
        let count = |id: u128, name: &str, date: &str| {
            serde_json::json!({"id": uuid::Uuid::from_u128(id), "name": name, "reference_date": date,
                "starts_at": format!("{date}T20:00:00+02:00"), "ends_at": format!("{date}T23:00:00+02:00"),
                "status": "locked"})
        };
        let x: Comparison = serde_json::from_value(serde_json::json!({
            "count": count(2, "Telling 2026", "2026-10-15"),
            "earlier": count(1, "Telling <2025>", "2025-10-16"),
            "disclosure": "public",
            "headline": [{"figure": "persons_total", "now": 120, "earlier": 100, "change": 20, "relative": 0.2}],
            "tables": [{"id": "by_gender", "title": "Geslacht", "title_en": "Gender", "dimensions": ["gender"],
                "total": {"now": 120, "earlier": 100, "change": 20, "relative": 0.2},
                "rows": [
                    {"key": {"gender": "man"}, "now": 80, "earlier": 90, "change": -10, "relative": -0.1111},
                    {"key": {"gender": "woman"}, "now": null, "earlier": 10, "change": null, "relative": null, "now_suppressed": "primary"}
                ]},
                {"id": "by_category_and_gender", "title": "Categorie en geslacht", "title_en": "Category and gender",
                "dimensions": ["conceptual_category", "gender"],
                "total": {"now": 120, "earlier": 100, "change": 20, "relative": 0.2}, "rows": []}]
        }))
        .unwrap();
        let html = comparison(&x, Lang::Nl);
        assert!(html.contains("Telling &lt;2025&gt;"), "names are escaped");
        assert!(html.contains("<th scope=\"row\">Geregistreerde personen</th><td class=\"num\">100</td><td class=\"num\">120</td><td class=\"num change change--up\">+20</td><td class=\"num\">+20,0%</td>"), "{html}");
        assert!(html.contains("<td class=\"num\">90</td><td class=\"num\">80</td><td class=\"num change change--down\">\u{2212}10</td><td class=\"num\">\u{2212}11,1%</td>"), "{html}");
        assert!(
            html.contains(
                "<td class=\"num\">10</td><td class=\"num\">&lt;5</td><td class=\"num change\">–</td>"
            ),
            "{html}"
        );
        assert!(html.contains("data-testid=\"comparison-table-by_gender\""));
        assert!(html.contains("data-testid=\"comparison-csv-by_gender\""), "the page has CSV buttons");
        assert!(!html.contains("style="), "no inline styles under the CSP");

        // In the report: a section with the same figures, without the comparison's CSV buttons
        // (the report's would download the report's tables).
        let in_report = section(&x, Lang::En);
        assert!(in_report.starts_with("<section class=\"report__section report-comparison\""), "{in_report}");
        assert!(in_report.contains("<h2 class=\"utrecht-heading-2\">Comparison with an earlier count</h2>"));
        assert!(
            in_report.contains("against Telling &lt;2025&gt; (reference date 16-10-2025) · public version"),
            "{in_report}"
        );
        assert!(in_report.contains("<h3 class=\"utrecht-heading-3\">Per table</h3>"), "{in_report}");
        assert!(in_report.contains("<td class=\"num\">90</td><td class=\"num\">80</td><td class=\"num change change--down\">\u{2212}10</td><td class=\"num\">\u{2212}11.1%</td>"), "{in_report}");
        assert!(!in_report.contains("csv"), "{in_report}");
        assert!(!in_report.contains("<h1"), "one heading of the report's level");
        assert!(html.contains("comparison-table-by_category_and_gender"), "the page has the cross tables");
        assert!(!in_report.contains("by_category_and_gender"), "the report's section has not: {in_report}");
    }
}
