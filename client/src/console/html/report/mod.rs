//! The baseline report page as markup (domain.md §6): headline figures, every table as an
//! accessible HTML table (cross tables with both margins), SVG bar charts, rates, data quality
//! and the method text a policy writer can quote.

mod quality;
pub mod summary;

use super::chart::bar_chart;
use super::kit::{day, groups, place, plural, when, Html};
use crate::console::model::*;
use crate::i18n::tr;
use ethos_shared::codes::TableId;
use ethos_shared::disclosure::Suppression;
use ethos_shared::report::{Disclosure, Report, Table};
use ethos_shared::Lang;
use quality::quality;

/// The bars of a one-dimensional table of the report.
fn table_chart(report: &Report, id: &str, lang: Lang, testid: &str) -> String {
    let Some(table) = report.table(id) else { return String::new() };
    let Some(dim) = table.dimensions.first() else { return String::new() };
    let items: Vec<_> = one_dim(table)
        .into_iter()
        .map(|(code, (n, s))| (value_label(dim, &code, lang), n, cell(n, s, lang)))
        .collect();
    bar_chart(table_title(table, lang), &items, testid)
}

/// A margin cell: the row of the one-dimensional table `by_{dim}` for `code`.
fn margin(report: &Report, dim: &str, code: &str, lang: Lang) -> String {
    report
        .table(&format!("by_{dim}"))
        .and_then(|t| t.rows.iter().find(|r| r.key.get(dim).is_some_and(|v| v == code)))
        .map(|r| cell(r.persons, r.suppressed, lang))
        .unwrap_or_else(|| "–".into())
}

/// One table of the report: one dimension as rows with its total, two dimensions as a cross
/// table with both margins. CSV buttons below.
fn report_table(h: &mut Html, report: &Report, table: &Table, lang: Lang) {
    let title = table_title(table, lang);
    let total = table.total.map_or_else(|| "<5".to_string(), |n| num(n, lang));
    let testid = format!("report-table-{}", table.id);
    h.open("section", &[("class", "report-table"), ("data-testid", &testid), ("data-table", &table.id)]);
    h.open("div", &[("class", "table-scroll")]);
    if let Some(x) = crosstab(table) {
        h.open("table", &[("class", "data-table report-grid")]).el("caption", &[], title);
        h.open("thead", &[]).open("tr", &[]);
        h.el(
            "th",
            &[("scope", "col")],
            &format!("{} \\ {}", dim_label(&x.row_dim, lang), dim_label(&x.col_dim, lang)),
        );
        for col in &x.cols {
            h.el("th", &[("scope", "col"), ("class", "num")], &value_label(&x.col_dim, col, lang));
        }
        h.el("th", &[("scope", "col"), ("class", "num")], tr(lang, "Totaal", "Total"));
        h.close("tr").close("thead").open("tbody", &[]);
        for (row, cells) in x.rows.iter().zip(&x.cells) {
            h.open("tr", &[]).th_row(&value_label(&x.row_dim, row, lang));
            for (n, s) in cells {
                h.td_num(&cell(*n, *s, lang));
            }
            h.el("td", &[("class", "num total")], &margin(report, &x.row_dim, row, lang)).close("tr");
        }
        h.close("tbody").open("tfoot", &[]).open("tr", &[]).th_row(tr(lang, "Totaal", "Total"));
        for col in &x.cols {
            h.el("td", &[("class", "num total")], &margin(report, &x.col_dim, col, lang));
        }
        h.el("td", &[("class", "num total")], &total).close("tr").close("tfoot").close("table");
    } else {
        let dim = table.dimensions.first().map(String::as_str).unwrap_or("");
        let children = table.rows.iter().any(|r| r.children.is_some());
        h.open("table", &[("class", "data-table report-list")]).el("caption", &[], title);
        h.open("thead", &[]).open("tr", &[]);
        h.el("th", &[("scope", "col")], &dim_label(dim, lang));
        h.el("th", &[("scope", "col"), ("class", "num")], tr(lang, "Personen", "Persons"));
        if children {
            h.el(
                "th",
                &[("scope", "col"), ("class", "num")],
                tr(lang, "Meegekomen kinderen", "Accompanying children"),
            );
        }
        h.close("tr").close("thead").open("tbody", &[]);
        for r in &table.rows {
            let code = r.key.get(dim).map(String::as_str).unwrap_or("");
            h.open("tr", &[]).th_row(&value_label(dim, code, lang)).td_num(&cell(
                r.persons,
                r.suppressed,
                lang,
            ));
            if children {
                h.td_num(&cell(r.children.flatten(), r.children_suppressed, lang));
            }
            h.close("tr");
        }
        h.close("tbody").open("tfoot", &[]).open("tr", &[]).th_row(tr(
            lang,
            "Totaal personen",
            "Total persons",
        ));
        h.el("td", &[("class", "num total")], &total);
        if children {
            h.el("td", &[("class", "num total")], &figure(report.accompanying_children, lang));
        }
        h.close("tr").close("tfoot").close("table");
    }
    h.close("div");
    if table.multiple_answers {
        h.el(
            "p",
            &[("class", "utrecht-paragraph muted")],
            tr(
                lang,
                "Meerdere antwoorden mogelijk: de rijen tellen niet op tot het totaal.",
                "Several answers possible: the rows do not add up to the total.",
            ),
        );
    }
    h.csv_links("report", &table.id, lang).close("section");
}

/// Where a table goes in the report (domain.md §6): 0 key figures, 1 place, 2 profile. Every
/// [`TableId`] is placed here by name (no wildcard): a new table does not compile until it is;
/// an id this console does not know (a newer server) goes with the profile.
fn section_of(id: &str) -> usize {
    use TableId::*;
    match TableId::from_code(id) {
        Some(ByCountGroup | ByVisibility | ByConceptualCategory) => 0,
        Some(
            ByLivingSituation
            | ByMunicipality
            | ByOrigin
            | ByOriginProvince
            | ByOriginMunicipality
            | ByCategoryAndMunicipality
            | ByMunicipalityAndOrigin,
        ) => 1,
        Some(
            ByAgeBand
            | ByGender
            | ByHousehold
            | ByChildren
            | ByDuration
            | ByResidenceStatus
            | ByIncome
            | ByPreviousFacility
            | ByHousingNeed
            | ByCareNeeds
            | ByCategoryAndAgeBand
            | ByCategoryAndGender
            | ByCategoryAndHousehold
            | ByCategoryAndChildren
            | ByCategoryAndDuration
            | ByCategoryAndResidenceStatus
            | ByCategoryAndIncome
            | ByCategoryAndPreviousFacility
            | ByCategoryAndHousingNeed
            | ByCategoryAndCareNeeds,
        )
        | None => 2,
    }
}

/// Persons per 1,000 inhabitants where the coordinator entered the population (domain.md §6.4).
fn rates(h: &mut Html, r: &Report, lang: Lang) {
    h.open("section", &[("class", "report__section"), ("data-testid", "report-rates")]);
    h.el(
        "h2",
        &[("class", "utrecht-heading-2")],
        tr(lang, "4. Per 1.000 inwoners", "4. Per 1,000 inhabitants"),
    );
    if r.rates.is_empty() {
        h.el(
            "p",
            &[("class", "utrecht-paragraph muted")],
            tr(
                lang,
                "Er zijn voor deze telling geen inwonertallen ingevoerd (tabblad Inwoners).",
                "No population figures were entered for this count (tab Population).",
            ),
        );
        h.close("section");
        return;
    }
    h.table(
        "data-table report-list",
        "report-rates-table",
        tr(lang, "Geregistreerde personen per 1.000 inwoners", "Recorded persons per 1,000 inhabitants"),
        false,
        &[
            (tr(lang, "Gemeente", "Municipality"), false),
            (tr(lang, "Personen", "Persons"), true),
            (tr(lang, "Inwoners", "Inhabitants"), true),
            (tr(lang, "Per 1.000 inwoners", "Per 1,000 inhabitants"), true),
        ],
    );
    for rate in &r.rates {
        let shown = cell(rate.persons, rate.suppressed, lang);
        h.open("tr", &[("data-municipality", &rate.municipality)]).th_row(&place(&rate.municipality));
        h.td_num(&shown).td_num(&num(rate.population, lang));
        h.td_num(&rate.per_1000.map_or_else(|| "x".into(), |x| two_decimals(x, lang)));
        h.close("tr");
    }
    h.end_table();
    h.el(
        "p",
        &[("class", "utrecht-paragraph muted")],
        tr(
            lang,
            "Personen zoals geregistreerd in de gemeente waar ze zijn geteld; waar dat aantal verborgen is, is het cijfer per 1.000 inwoners dat ook.",
            "Persons as recorded in the municipality where they were counted; where that number is hidden, so is the rate.",
        ),
    );
    h.close("section");
}

/// The whole report page below its toolbar.
pub fn report(r: &Report, lang: Lang) -> String {
    let mut h = Html::new();
    let public = r.disclosure == Disclosure::Public;
    h.open(
        "article",
        &[("class", "report"), ("data-testid", "report-page"), ("data-disclosure", r.disclosure.code())],
    );
    h.open("header", &[("class", "report__head")]);
    h.el("h1", &[("class", "utrecht-heading-1")], tr(lang, "Nulmeting dakloosheid", "Homelessness baseline"));
    h.open("p", &[("class", "utrecht-paragraph report__sub")]);
    h.text(&format!(
        "{} · {} {} · ",
        r.count.name,
        tr(lang, "peildatum", "reference date"),
        day(r.count.reference_date)
    ));
    h.el(
        "strong",
        &[("data-testid", "report-disclosure")],
        if public {
            tr(lang, "openbare versie", "public version")
        } else {
            tr(lang, "interne versie", "internal version")
        },
    );
    h.close("p");
    h.el(
        "p",
        &[("class", "utrecht-paragraph muted")],
        &format!(
            "{} {} – {} · {} {}",
            tr(lang, "Teltijd", "Count window"),
            when(r.count.starts_at.to_utc()),
            when(r.count.ends_at.to_utc()),
            tr(lang, "gemaakt op", "generated"),
            when(r.generated_at)
        ),
    );
    if !public {
        h.open(
            "div",
            &[
                ("class", "utrecht-alert utrecht-alert--warning"),
                ("role", "note"),
                ("data-testid", "report-internal-warning"),
            ],
        );
        h.el("p", &[("class", "utrecht-paragraph")], tr(lang,
            "Interne versie: bevat kleine aantallen die tot personen herleidbaar kunnen zijn. Niet publiceren of delen buiten het projectteam.",
            "Internal version: holds small numbers that may identify persons. Do not publish or share outside the project team."));
        h.close("div");
    }
    h.close("header");

    let visibility = |code: &str| {
        r.table("by_visibility")
            .and_then(|t| t.rows.iter().find(|row| row.key.get("visibility").is_some_and(|v| v == code)))
            .map(|row| cell(row.persons, row.suppressed, lang))
            .unwrap_or_else(|| "–".into())
    };
    h.open("section", &[("class", "report__section"), ("data-testid", "report-headline")]);
    h.el("h2", &[("class", "utrecht-heading-2")], tr(lang, "In het kort", "In brief"));
    key_figures(&mut h, r, lang, "report");
    h.open("div", &[("class", "figures figures--small")]);
    h.figure(
        tr(lang, "zichtbaar dak- en thuisloos (groep 1–4)", "visibly homeless (groups 1–4)"),
        &visibility("visible"),
        "report-visible",
    );
    h.figure(
        tr(lang, "verborgen dak- en thuisloos (groep 5–7)", "hidden homelessness (groups 5–7)"),
        &visibility("hidden"),
        "report-hidden",
    );
    h.figure(
        tr(lang, "overige ETHOS-situaties", "other ETHOS situations"),
        &visibility("other"),
        "report-other",
    );
    h.close("div").open("div", &[("class", "charts")]);
    h.0.push_str(&table_chart(r, "by_count_group", lang, "report-chart-count-group"));
    h.0.push_str(&table_chart(r, "by_conceptual_category", lang, "report-chart-category"));
    h.0.push_str(&table_chart(r, "by_municipality", lang, "report-chart-municipality"));
    h.close("div").close("section");

    let sections = [
        (
            tr(lang, "1. Telgroepen en ETHOS-categorieën", "1. Count groups and ETHOS categories"),
            "report-section-headline",
        ),
        (
            tr(lang, "2. Woonsituatie, gemeente en herkomst", "2. Living situation, municipality and origin"),
            "report-section-place",
        ),
        (tr(lang, "3. Profiel", "3. Profile"), "report-section-profile"),
    ];
    for (k, (title, testid)) in sections.into_iter().enumerate() {
        h.open("section", &[("class", "report__section"), ("data-testid", testid)]);
        h.el("h2", &[("class", "utrecht-heading-2")], title);
        if k == 2 {
            // Youth (18–26) is a policy group of its own: a figure above the profile tables.
            h.open("div", &[("class", "figures figures--small")]);
            h.figure(
                tr(lang, "jongeren van 18 tot en met 26 jaar", "young people aged 18 to 26"),
                // Hidden when an age band it adds up is hidden: `x`, whatever the band's reason.
                &r.youth_18_26.map_or_else(|| "x".to_string(), |n| num(n, lang)),
                "report-youth",
            );
            h.close("div");
        }
        for t in r.tables.iter().filter(|t| section_of(&t.id) == k) {
            report_table(&mut h, r, t, lang);
        }
        h.close("section");
    }
    rates(&mut h, r, lang);
    quality(&mut h, r, lang);
    method(&mut h, lang);
    h.close("article");
    h.finish()
}

/// The three key figures — persons, accompanying children and their sum — as figures whose
/// test ids start with `prefix` (`report-persons`, `summary-children`, …).
fn key_figures(h: &mut Html, r: &Report, lang: Lang, prefix: &str) {
    h.open("div", &[("class", "figures")]);
    h.figure(
        tr(
            lang,
            "geregistreerde personen (volwassenen en alleenstaande minderjarigen)",
            "recorded persons (adults and unaccompanied minors)",
        ),
        &headline(r, "persons_total", r.persons_total, lang),
        &format!("{prefix}-persons"),
    );
    h.figure(
        tr(lang, "meegekomen minderjarige kinderen", "accompanying minor children"),
        &headline(r, "accompanying_children", r.accompanying_children, lang),
        &format!("{prefix}-children"),
    );
    h.figure(
        tr(lang, "personen inclusief kinderen", "persons including children"),
        &headline(r, "persons_including_children", r.persons_including_children, lang),
        &format!("{prefix}-sum"),
    );
    h.close("div");
}

/// A headline figure as published: a hidden one reads `<5` (1–4) or `x` (hidden so that a sum
/// does not give another away), as the report says; `<5` when it does not say (older servers).
fn headline(r: &Report, name: &str, n: Option<u64>, lang: Lang) -> String {
    let why = r.headline_suppressed.get(name).copied().unwrap_or(Suppression::Primary);
    cell(n, Some(why), lang)
}

/// A quality figure that public disclosure may hide, with its reason: `<5` or `x` (a hidden
/// value without a reason, as older answers have, is 1–4).
fn hidden_row(n: Option<u64>, suppressed: Option<Suppression>, lang: Lang) -> String {
    match suppressed {
        None => figure(n, lang),
        s => cell(n, s, lang),
    }
}

/// Why the `unknown` row of the one-dimensional table of `field` is hidden.
fn unknown_row(r: &Report, field: &str) -> Option<Suppression> {
    r.table(&format!("by_{field}"))?
        .rows
        .iter()
        .find(|row| row.key.get(field).map(String::as_str) == Some("unknown"))?
        .suppressed
}

/// The method text is the one of the downloads (`ethos_shared::report::method_text`).
fn method(h: &mut Html, lang: Lang) {
    let paragraphs = ethos_shared::report::method_text(lang);
    h.open("section", &[("class", "report__section report__method"), ("data-testid", "report-method")]);
    h.el("h2", &[("class", "utrecht-heading-2")], tr(lang, "6. Werkwijze", "6. Method"));
    for p in paragraphs {
        h.el("p", &[("class", "utrecht-paragraph")], p);
    }
    h.close("section");
}

#[cfg(test)]
mod tests;
