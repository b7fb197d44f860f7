//! The baseline report page as markup (domain.md §6): headline figures, every table as an
//! accessible HTML table (cross tables with both margins), SVG bar charts, rates, data quality
//! and the method text a policy writer can quote.

use super::{bar_chart, day, groups, place, plural, when, Html};
use crate::console_model::*;
use crate::i18n::tr;
use ethos_shared::disclosure::Suppression;
use ethos_shared::report::{Disclosure, Report, Table};
use ethos_shared::Lang;

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

/// Where a table goes in the report (domain.md §6): 0 key figures, 1 place, 2 profile.
fn section_of(id: &str) -> usize {
    match id {
        "by_count_group" | "by_visibility" | "by_conceptual_category" => 0,
        "by_living_situation"
        | "by_municipality"
        | "by_origin"
        | "by_origin_province"
        | "by_category_and_municipality"
        | "by_municipality_and_origin" => 1,
        _ => 2,
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
    h.open("div", &[("class", "figures")]);
    h.figure(
        tr(
            lang,
            "geregistreerde personen (volwassenen en alleenstaande minderjarigen)",
            "recorded persons (adults and unaccompanied minors)",
        ),
        &headline(r, "persons_total", r.persons_total, lang),
        "report-persons",
    );
    h.figure(
        tr(lang, "meegekomen minderjarige kinderen", "accompanying minor children"),
        &headline(r, "accompanying_children", r.accompanying_children, lang),
        "report-children",
    );
    h.figure(
        tr(lang, "personen inclusief kinderen", "persons including children"),
        &headline(r, "persons_including_children", r.persons_including_children, lang),
        "report-sum",
    );
    h.close("div").open("div", &[("class", "figures figures--small")]);
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

fn quality(h: &mut Html, r: &Report, lang: Lang) {
    let q = &r.quality;
    h.open("section", &[("class", "report__section"), ("data-testid", "report-quality")]);
    h.el("h2", &[("class", "utrecht-heading-2")], tr(lang, "5. Datakwaliteit", "5. Data quality"));
    if q.unresolved_duplicate_groups > 0 {
        h.open(
            "div",
            &[
                ("class", "utrecht-alert utrecht-alert--warning"),
                ("role", "note"),
                ("data-testid", "report-unresolved"),
            ],
        );
        h.el(
            "p",
            &[("class", "utrecht-paragraph")],
            &match lang {
                Lang::Nl => format!(
                    "Er {} nog {} mogelijke dubbelingen zonder besluit; ze tellen nu elk als één persoon.",
                    plural(q.unresolved_duplicate_groups, "is", "zijn"),
                    groups(q.unresolved_duplicate_groups, lang)
                ),
                Lang::En => format!(
                    "{} of possible duplicates {} no decision yet; each counts as one person for now.",
                    groups(q.unresolved_duplicate_groups, lang),
                    plural(q.unresolved_duplicate_groups, "has", "have")
                ),
            },
        );
        h.close("div");
    }
    let rows = [
        (
            "records_total",
            tr(lang, "Records ontvangen (alles)", "Records received (all)"),
            headline(r, "records_total", r.records_total, lang),
        ),
        (
            "records_training",
            tr(lang, "waarvan oefenrecords (tellen niet mee)", "of which training (not counted)"),
            headline(r, "records_training", r.records_training, lang),
        ),
        (
            "records_void",
            tr(lang, "waarvan ongeldig verklaard (tellen niet mee)", "of which voided (not counted)"),
            headline(r, "records_void", r.records_void, lang),
        ),
        (
            "records_counted",
            tr(lang, "Records meegeteld", "Records counted"),
            headline(r, "records_counted", r.records_counted, lang),
        ),
        (
            "records_without_key",
            tr(
                lang,
                "Records zonder dubbeltelsleutel (elk één persoon)",
                "Records without duplicate key (one person each)",
            ),
            headline(r, "records_without_key", r.records_without_key, lang),
        ),
        (
            "duplicate_records_merged",
            tr(lang, "Records samengevoegd als dubbeltelling", "Records merged as duplicates"),
            headline(r, "duplicate_records_merged", r.duplicate_records_merged, lang),
        ),
        (
            "unresolved_duplicate_groups",
            tr(lang, "Groepen mogelijke dubbelingen zonder besluit", "Duplicate groups without a decision"),
            num(q.unresolved_duplicate_groups, lang),
        ),
        (
            "resolved_duplicate_groups",
            tr(lang, "Groepen mogelijke dubbelingen met besluit", "Duplicate groups with a decision"),
            num(q.resolved_duplicate_groups, lang),
        ),
        (
            "persons_with_disagreeing_category",
            tr(
                lang,
                "Personen van wie de records verschillen in ETHOS-categorie",
                "Persons whose records disagree on the ETHOS category",
            ),
            figure(q.persons_with_disagreeing_category, lang),
        ),
        (
            "persons_children_unknown",
            tr(
                lang,
                "Personen met onbekend aantal kinderen (geteld als 0)",
                "Persons with an unknown number of children (counted as 0)",
            ),
            // The `unknown` row of the children table, with its reason (`<5` or `x`).
            hidden_row(q.persons_children_unknown, unknown_row(r, "children"), lang),
        ),
    ];
    h.open("div", &[("class", "report-columns")]);
    h.table(
        "data-table report-list",
        "report-quality-records",
        tr(lang, "Records en personen", "Records and persons"),
        false,
        &[(tr(lang, "Onderwerp", "Subject"), false), (tr(lang, "Aantal", "Number"), true)],
    );
    for (key, label, value) in rows {
        h.open("tr", &[("data-key", key)]).th_row(label).td_num(&value).close("tr");
    }
    h.end_table();
    h.table(
        "data-table report-list",
        "report-quality-unknown",
        tr(lang, "Aandeel \"onbekend\" per kenmerk (personen)", "Share \"unknown\" per attribute (persons)"),
        false,
        &[(tr(lang, "Kenmerk", "Attribute"), false), (tr(lang, "Onbekend", "Unknown"), true)],
    );
    // Public: a share is hidden (`x`) where its table hides the `unknown` row — the share of
    // the published total would give the number back.
    // No persons: a share of nobody is no figure ("0,0 %" would read as "all known").
    let nobody = r.persons_total == Some(0);
    for (field, share) in &q.unknown_share {
        let text = match share {
            _ if nobody => "–".to_string(),
            Some(s) => percent(*s, lang),
            None => "x".to_string(),
        };
        h.open("tr", &[("data-key", field)]).th_row(&dim_label(field, lang)).td_num(&text).close("tr");
    }
    h.end_table().close("div").open("div", &[("class", "report-columns")]);
    h.table(
        "data-table report-list",
        "report-quality-organisations",
        tr(lang, "Records per organisatie", "Records per organisation"),
        false,
        &[
            (tr(lang, "Organisatie", "Organisation"), false),
            (tr(lang, "Soort", "Kind"), false),
            (tr(lang, "Records", "Records"), true),
        ],
    );
    for o in &q.records_per_organisation {
        h.open("tr", &[])
            .th_row(&o.organisation)
            .td(o.organisation_type.label(lang))
            .td_num(&hidden_row(o.records, o.suppressed, lang))
            .close("tr");
    }
    h.end_table();
    h.table(
        "data-table report-list",
        "report-quality-types",
        tr(lang, "Records per soort organisatie", "Records per kind of organisation"),
        false,
        &[
            (tr(lang, "Soort organisatie", "Kind of organisation"), false),
            (tr(lang, "Records", "Records"), true),
        ],
    );
    for o in &q.records_per_organisation_type {
        h.open("tr", &[])
            .th_row(o.organisation_type.label(lang))
            .td_num(&hidden_row(o.records, o.suppressed, lang))
            .close("tr");
    }
    h.end_table().close("div").close("section");
}

/// A quality figure that public disclosure may hide, with its reason: `<5` or `x` (a hidden
/// value without a reason, as older answers have, is 1–4).
/// A headline figure as published: a hidden one reads `<5` (1–4) or `x` (hidden so that a sum
/// does not give another away), as the report says; `<5` when it does not say (older servers).
fn headline(r: &Report, name: &str, n: Option<u64>, lang: Lang) -> String {
    let why = r.headline_suppressed.get(name).copied().unwrap_or(Suppression::Primary);
    cell(n, Some(why), lang)
}

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

fn method(h: &mut Html, lang: Lang) {
    let paragraphs: [&str; 5] = match lang {
        Lang::Nl => [
            "Deze nulmeting volgt de Europese ETHOS-typologie van FEANTSA en de telgroepen van de Nederlandse ETHOS-tellingen (ETHOS Light plus één groep). Organisaties in de regio Maastricht-Heuvelland legden in de teltijd per persoon vast waar die de nacht vóór de peildatum doorbracht, in welke gemeente de persoon werd gezien, en een kort profiel. Namen, adressen en geboortedata zijn niet opgeslagen.",
            "Telregel: elk record is één persoon (een volwassene of een alleenstaande minderjarige). Records met dezelfde dubbeltelsleutel – een versleutelde code uit de eerste twee letters van voor- en achternaam, de geboortedatum en het gender, berekend op de telefoon – tellen als één persoon, tenzij de coördinator besliste dat het verschillende personen zijn. Records zonder sleutel (de persoon gaf die gegevens niet) tellen elk als één persoon; daardoor kan het aantal iets te hoog zijn. Oefenrecords en ongeldig verklaarde records tellen niet mee. De kenmerken van een persoon met meerdere records komen van het primaire record dat de coördinator koos, anders van de laatste waarneming.",
            "Minderjarige kinderen die bij een persoon verblijven krijgen geen eigen record; ze worden apart geteld als meegekomen kinderen. De tabellen tellen geregistreerde personen; de kerncijfers geven personen, kinderen en hun som. Geen antwoord telt als \"onbekend\": er valt geen record weg.",
            "Openbare versie: een cel met 1 tot 4 personen is weggelaten (<5). Als een weggelaten getal dan uit het totaal van een rij of kolom terug te rekenen is, is ook de kleinste andere cel weggelaten (x). Bekende beperking: deze bescherming geldt per tabel met haar randtotalen, niet over tabellen heen (een ETHOS-categorie is de som van haar woonsituaties). Controleer daarom de openbare versie voordat die wordt gepubliceerd.",
            "Een eendaagse telling mist mensen die geen enkele organisatie zag. De aantallen zijn daarom een ondergrens, geen schatting van alle dak- en thuisloze mensen in de regio.",
        ],
        Lang::En => [
            "This baseline follows FEANTSA's European ETHOS typology and the count groups of the Dutch ETHOS counts (ETHOS Light plus one group). Organisations in the Maastricht-Heuvelland region recorded, during the count window, where each person spent the night before the reference date, the municipality where the person was seen, and a short profile. No names, addresses or birth dates are stored.",
            "Counting rule: every record is one person (an adult or an unaccompanied minor). Records with the same duplicate key – a keyed code of the first two letters of the first and family name, the birth date and the gender, computed on the phone – count as one person, unless the coordinator decided they are different people. Records without a key (the person did not give those details) count as one person each, which may overstate the number slightly. Training and voided records are not counted. A person with several records takes the attributes of the primary record the coordinator chose, else of the latest observation.",
            "Minor children staying with a person get no record of their own; they are counted separately as accompanying children. Tables count recorded persons; the key figures give persons, children and their sum. No answer counts as \"unknown\": no record is dropped.",
            "Public version: a cell of 1 to 4 persons is hidden (<5). Where a hidden number could then be derived from a row's or column's total, the smallest other cell is hidden too (x). Known limit: this protects each table with its margins, not sums across tables (an ETHOS category is the sum of its living situations). Review the public version before it is published.",
            "A one-day count misses people no organisation saw. The numbers are therefore a lower bound, not an estimate of all homeless people in the region.",
        ],
    };
    h.open("section", &[("class", "report__section report__method"), ("data-testid", "report-method")]);
    h.el("h2", &[("class", "utrecht-heading-2")], tr(lang, "6. Werkwijze", "6. Method"));
    for p in paragraphs {
        h.el("p", &[("class", "utrecht-paragraph")], p);
    }
    h.close("section");
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn report_with_rates(rates: serde_json::Value) -> Report {
        report_from(&serde_json::json!({
            "count": {"id": Uuid::nil(), "name": "Telling", "reference_date": "2026-10-15",
                "starts_at": "2026-10-15T20:00:00+02:00", "ends_at": "2026-10-16T20:00:00+02:00",
                "status": "locked"},
            "generated_at": "2026-10-17T10:00:00Z", "disclosure": "public", "tables": [],
            "quality": {}, "rates": rates
        }))
        .unwrap()
    }

    #[test]
    fn rates_show_persons_per_1000_and_hide_what_the_municipality_table_hides() {
        let r = report_with_rates(serde_json::json!([
            {"municipality": "GM0935", "persons": 123, "population": 122_000, "per_1000": 1.00819},
            {"municipality": "GM0981", "persons": null, "suppressed": "primary", "population": 9_900, "per_1000": null},
            {"municipality": "GM0994", "persons": null, "suppressed": "secondary", "population": 16_000, "per_1000": null}
        ]));
        let html = report(&r, Lang::Nl);
        let section =
            &html[html.find("report-rates").unwrap()..html.find("report-quality").unwrap_or(html.len())];
        assert!(section.contains("<th scope=\"row\">Maastricht</th><td class=\"num\">123</td><td class=\"num\">122.000</td><td class=\"num\">1,01</td>"), "{section}");
        assert!(section.contains("<th scope=\"row\">Vaals</th><td class=\"num\">&lt;5</td><td class=\"num\">9.900</td><td class=\"num\">x</td>"), "{section}");
        assert!(
            section.contains("<th scope=\"row\">Valkenburg aan de Geul</th><td class=\"num\">x</td>"),
            "secondary: {section}"
        );
        let none = report(&report_with_rates(serde_json::json!([])), Lang::En);
        assert!(none.contains("No population figures were entered"));
    }

    #[test]
    fn quality_shows_hidden_shares_and_organisations_as_x() {
        let r = report_from(&serde_json::json!({
            "count": {"id": Uuid::nil(), "name": "Telling", "reference_date": "2026-10-15",
                "starts_at": "2026-10-15T20:00:00+02:00", "ends_at": "2026-10-16T20:00:00+02:00",
                "status": "locked"},
            "generated_at": "2026-10-17T10:00:00Z", "disclosure": "public", "tables": [],
            "quality": {
                "unknown_share": {"gender": null, "income": 0.25},
                "records_per_organisation": [
                    {"organisation": "Straatteam", "organisation_type": "outreach", "records": null, "suppressed": "primary"},
                    {"organisation": "Nachtteam", "organisation_type": "outreach", "records": null, "suppressed": "secondary"},
                    {"organisation": "Politie", "organisation_type": "police", "records": 30}],
                "records_per_organisation_type": [
                    {"organisation_type": "outreach", "records": 23}, {"organisation_type": "police", "records": 30}]}
        }))
        .expect("a report");
        assert_eq!(r.quality.unknown_share["gender"], None);
        let html = report(&r, Lang::Nl);
        let quality = &html[html.find("report-quality-unknown").expect("shares")..];
        assert!(
            quality.contains("<tr data-key=\"gender\"><th scope=\"row\">Gender</th><td class=\"num\">x</td>"),
            "{quality}"
        );
        assert!(
            quality.contains(
                "<th scope=\"row\">Straatteam</th><td>straat- en veldwerk</td><td class=\"num\">&lt;5</td>"
            ),
            "{quality}"
        );
        assert!(
            quality.contains(
                "<th scope=\"row\">Nachtteam</th><td>straat- en veldwerk</td><td class=\"num\">x</td>"
            ),
            "{quality}"
        );
    }

    #[test]
    fn hidden_headline_figures_read_as_the_report_says_why() {
        let r = report_from(&serde_json::json!({
            "count": {"id": Uuid::nil(), "name": "Telling", "reference_date": "2026-10-15",
                "starts_at": "2026-10-15T20:00:00+02:00", "ends_at": "2026-10-16T20:00:00+02:00",
                "status": "locked"},
            "generated_at": "2026-10-17T10:00:00Z", "disclosure": "public", "tables": [], "quality": {},
            "records_counted": 30, "records_void": 0, "records_training": null, "records_total": null,
            "headline_suppressed": {"records_training": "primary", "records_total": "secondary"}
        }))
        .expect("a report");
        let html = report(&r, Lang::Nl);
        let row = |key: &str| {
            let start = html.find(&format!("<tr data-key=\"{key}\">")).expect(key);
            html[start..start + html[start..].find("</tr>").expect("a row end")].to_string()
        };
        assert!(row("records_total").ends_with("<td class=\"num\">x</td>"), "{}", row("records_total"));
        assert!(
            row("records_training").ends_with("<td class=\"num\">&lt;5</td>"),
            "{}",
            row("records_training")
        );
        assert!(row("records_counted").ends_with("<td class=\"num\">30</td>"), "{}", row("records_counted"));
    }
}
