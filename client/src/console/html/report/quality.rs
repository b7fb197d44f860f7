//! The report's data-quality section: records received and counted, void, training, without a
//! key, per organisation and entry; hidden figures say why they are hidden.

use super::*;
use ethos_shared::record::Entry;
use ethos_shared::report::Quality;

pub(super) fn quality(h: &mut Html, r: &Report, lang: Lang) {
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
    let hidden = rows.iter().any(|(_, _, v)| v == "x" || v == "<5");
    for (key, label, value) in rows {
        h.open("tr", &[("data-key", key)]).th_row(label).td_num(&value).close("tr");
    }
    h.end_table();
    if hidden {
        h.el(
            "p",
            &[("class", "utrecht-paragraph muted"), ("data-testid", "quality-hidden-why")],
            hidden_why(lang),
        );
    }
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
    h.end_table().close("div");
    entries(h, q, lang);
    h.close("section");
}

/// Records per organisation and the way they were made (phone, desk, spreadsheet): one row per
/// organisation, one column per `entry`; hidden cells as elsewhere (`<5`, `x`).
fn entries(h: &mut Html, q: &Quality, lang: Lang) {
    let lines = &q.records_per_organisation_entry;
    if lines.is_empty() {
        return;
    }
    let mut columns = vec![(tr(lang, "Organisatie", "Organisation"), false)];
    columns.extend(Entry::ALL.iter().map(|e| (e.label(lang), true)));
    h.table(
        "data-table report-list",
        "report-quality-entries",
        tr(lang, "Records per organisatie en invoer", "Records per organisation and way of entry"),
        false,
        &columns,
    );
    // The lines come per organisation in the order of `records_per_organisation`.
    for organisation in lines.chunk_by(|a, b| a.organisation == b.organisation) {
        h.open("tr", &[]).th_row(&organisation[0].organisation);
        for entry in Entry::ALL {
            let cell = organisation.iter().find(|l| l.entry == *entry);
            let text = cell.map_or_else(|| num(0, lang), |l| hidden_row(l.records, l.suppressed, lang));
            h.td_num(&text);
        }
        h.close("tr");
    }
    h.end_table();
}

/// Why a figure of the public version reads `<5` or `x`.
pub(super) fn hidden_why(lang: Lang) -> &'static str {
    tr(
        lang,
        "<5: een aantal van 1 tot 4, verborgen in de openbare versie. x: verborgen omdat het samen met de andere getallen (ontvangen = meegeteld + oefen + ongeldig) een klein aantal zou verraden.",
        "<5: a number from 1 to 4, hidden in the public version. x: hidden because together with the other figures (received = counted + training + voided) it would give a small number away.",
    )
}
