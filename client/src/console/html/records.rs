//! The records table and the duplicate review: groups side by side, what differs marked.

use super::kit::*;
use crate::console::model::*;
use crate::i18n::tr;
use chrono::Local;
use ethos_shared::api::{Decision, DuplicateGroup, StoredRecord};
use ethos_shared::review::{DiffField, ReviewGroup};
use ethos_shared::Lang;
use uuid::Uuid;

/// What the records table shows: `shown` rows of the `loaded` ones (fewer while searching),
/// of the count's `total` if known, and in what order (the order of `GET …/records`).
pub fn records_summary(
    shown: usize,
    loaded: usize,
    total: Option<u64>,
    lang: Lang,
) -> (String, &'static str) {
    let (shown, loaded) = (num(shown as u64, lang), num(loaded as u64, lang));
    let count = match (total.map(|t| num(t, lang)), shown == loaded, lang) {
        (Some(t), true, Lang::Nl) => format!("{loaded} van {t} records geladen."),
        (Some(t), true, Lang::En) => format!("{loaded} of {t} records loaded."),
        (Some(t), false, Lang::Nl) => format!("{shown} gevonden in de {loaded} geladen records (van {t})."),
        (Some(t), false, Lang::En) => format!("{shown} found in the {loaded} loaded records (of {t})."),
        (None, true, Lang::Nl) => format!("{loaded} records geladen."),
        (None, true, Lang::En) => format!("{loaded} records loaded."),
        (None, false, Lang::Nl) => format!("{shown} gevonden in de {loaded} geladen records."),
        (None, false, Lang::En) => format!("{shown} found in the {loaded} loaded records."),
    };
    // Record ids made by the field app start with the time the record was saved (UUID v7).
    let order = tr(
        lang,
        "Volgorde: op het volledige record-id, oplopend, zoals de server ze levert (niet op tijdstip van waarneming). Bij records uit de veld-app is dat ongeveer de volgorde van invoer.",
        "Order: by the full record id, ascending, as the server sends them (not by time observed). For records from the field app that is about the order in which they were entered.",
    );
    (count, order)
}

pub fn records_table(rows: &[&StoredRecord], coordinator: bool, lang: Lang) -> String {
    let mut h = Html::new();
    h.open("div", &[("class", "table-scroll")]);
    h.table(
        "data-table data-table--compact",
        "records-table",
        tr(lang, "Records van deze telling, op record-id", "Records of this count, by record id"),
        true,
        &[
            ("Id", false),
            (tr(lang, "Waargenomen", "Observed"), false),
            (tr(lang, "Organisatie", "Organisation"), false),
            (tr(lang, "Gemeente", "Municipality"), false),
            (tr(lang, "Woonsituatie", "Living situation"), false),
            (tr(lang, "Leeftijd", "Age"), false),
            (tr(lang, "Geslacht", "Gender"), false),
            (tr(lang, "Sleutel", "Key"), false),
            (tr(lang, "Status", "Status"), false),
            (tr(lang, "Acties", "Actions"), false),
        ],
    );
    for s in rows {
        let r = &s.record;
        let id = r.id.to_string();
        let state = if r.training {
            "training"
        } else if s.void.is_some() {
            "void"
        } else {
            "counted"
        };
        h.open("tr", &[("data-testid", "record-row"), ("data-id", &id), ("data-state", state)]);
        h.open("td", &[]).el("span", &[("class", "code"), ("title", &id)], &short(r.id)).close("td");
        h.el(
            "td",
            &[("class", "nowrap")],
            &r.observed_at.with_timezone(&Local).format("%d-%m %H:%M").to_string(),
        );
        h.td(&s.organisation);
        h.td(&place(r.municipality.as_str()));
        h.td(&format!("{} {}", r.living_situation.code(), r.living_situation.label(lang)));
        h.td(r.profile.age_band.label(lang));
        h.td(r.profile.gender.label(lang));
        h.td(if r.dedup_key.is_some() { tr(lang, "ja", "yes") } else { tr(lang, "nee", "no") });
        let status = match (&s.void, r.training) {
            (Some(v), _) => {
                format!("{}: {} ({}, {})", tr(lang, "ongeldig", "void"), v.reason, v.by, when(v.at))
            }
            (None, true) => tr(lang, "oefenrecord", "training").into(),
            (None, false) => tr(lang, "telt mee", "counted").into(),
        };
        h.el("td", &[("data-testid", "record-status")], &status);
        h.open("td", &[("class", "actions")]);
        if coordinator {
            if s.void.is_some() {
                h.button(
                    "utrecht-button utrecht-button--subtle",
                    "void-undo",
                    "undo",
                    &id,
                    tr(lang, "Herstellen", "Restore"),
                );
            } else {
                h.button(
                    "utrecht-button utrecht-button--subtle",
                    "void-open",
                    "void",
                    &id,
                    tr(lang, "Ongeldig maken", "Void"),
                );
            }
        }
        h.close("td").close("tr");
    }
    h.end_table().close("div");
    h.finish()
}

/// The record the report takes a merged person's attributes from when the coordinator chose
/// none: the latest observation (ties: the smallest id).
pub fn default_primary(g: &DuplicateGroup) -> Option<Uuid> {
    g.resolution.as_ref().and_then(|r| r.primary_record_id).or_else(|| {
        g.records
            .iter()
            .max_by(|a, b| {
                let (a, b) = (&a.stored.record, &b.stored.record);
                a.observed_at.cmp(&b.observed_at).then(b.id.cmp(&a.id))
            })
            .map(|r| r.stored.record.id)
    })
}

fn decision_text(g: &DuplicateGroup, lang: Lang) -> (&'static str, String) {
    match &g.resolution {
        None => (
            "none",
            tr(
                lang,
                "Nog geen besluit: deze records tellen nu als één persoon.",
                "No decision yet: these records now count as one person.",
            )
            .into(),
        ),
        Some(r) => {
            let by = format!(
                "{} {} {} {}",
                tr(lang, "door", "by"),
                r.decided_by,
                tr(lang, "op", "on"),
                when(r.decided_at)
            );
            match r.decision {
                Decision::SamePerson => (
                    "same_person",
                    format!(
                        "{} {} ({by}).",
                        tr(
                            lang,
                            "Besluit: zelfde persoon, primair record",
                            "Decision: same person, primary record"
                        ),
                        r.primary_record_id.map(short).unwrap_or_else(|| "–".into())
                    ),
                ),
                Decision::DifferentPeople => (
                    "different_people",
                    format!(
                        "{} ({by}).",
                        tr(lang, "Besluit: verschillende personen", "Decision: different people")
                    ),
                ),
            }
        }
    }
}

/// Why a group wants a look: the answers its records differ in, e.g. "categorie, gemeente".
pub fn differs_text(g: &ReviewGroup, lang: Lang) -> String {
    let words: Vec<&str> = g.differs.iter().map(|d| d.label(lang)).collect();
    words.join(", ")
}

/// The rows of the side-by-side table that a difference marks.
fn marks(row: usize, differs: &[DiffField]) -> bool {
    differs.iter().any(|d| {
        matches!(
            (row, d),
            (0, DiffField::ConceptualCategory | DiffField::LivingSituation)
                | (1, DiffField::Municipality)
                | (2, DiffField::AgeBand)
                | (3, DiffField::Gender)
        )
    })
}

/// The groups of possible duplicates, records side by side, the differing answers marked.
/// `chosen`: the primary record the coordinator has ticked per dedup key; `errors` per key.
pub fn duplicate_groups(
    groups: &[ReviewGroup],
    chosen: &[(String, Uuid)],
    errors: &[(String, String)],
    lang: Lang,
) -> String {
    let mut h = Html::new();
    for review in groups {
        let g = &review.group;
        let key = g.dedup_key.as_str();
        let (decision, words) = decision_text(g, lang);
        let primary = chosen.iter().find(|(k, _)| k == key).map(|(_, id)| *id).or_else(|| default_primary(g));
        let differs: Vec<&str> = review.differs.iter().map(|d| d.code()).collect();
        let differs_attr = differs.join(" ");
        h.open(
            "article",
            &[
                (
                    "class",
                    if differs.is_empty() { "card dup-group" } else { "card dup-group dup-group--differs" },
                ),
                ("data-testid", "duplicate-group"),
                ("data-key", key),
                ("data-decision", decision),
                ("data-differs", &differs_attr),
            ],
        );
        h.el(
            "h3",
            &[("class", "utrecht-heading-3")],
            &format!(
                "{} {}… · {} records",
                tr(lang, "Sleutel", "Key"),
                &key[..key.len().min(12)],
                g.records.len()
            ),
        );
        let why = if review.differs.is_empty() {
            tr(
                lang,
                "Geen verschillen in categorie, gemeente, leeftijd en geslacht.",
                "No differences in category, municipality, age and gender.",
            )
            .to_string()
        } else {
            format!("{} {}.", tr(lang, "Verschilt in:", "Differs in:"), differs_text(review, lang))
        };
        h.el(
            "p",
            &[
                ("class", if differs.is_empty() { "utrecht-paragraph" } else { "utrecht-paragraph dup-why" }),
                ("data-testid", "duplicate-why"),
            ],
            &why,
        );
        h.el(
            "p",
            &[
                (
                    "class",
                    if decision == "none" {
                        "utrecht-paragraph decision decision--open"
                    } else {
                        "utrecht-paragraph decision"
                    },
                ),
                ("data-testid", "duplicate-decision"),
            ],
            &words,
        );
        h.open("div", &[("class", "table-scroll")]).open("table", &[("class", "data-table side-by-side")]);
        h.el(
            "caption",
            &[("class", "visually-hidden")],
            tr(lang, "Records naast elkaar", "Records side by side"),
        );
        h.open("thead", &[]).open("tr", &[]).open("th", &[("scope", "col")]);
        h.el("span", &[("class", "visually-hidden")], tr(lang, "Kenmerk", "Attribute")).close("th");
        for r in &g.records {
            let rid = r.stored.record.id;
            let input = format!("primary-{rid}");
            h.open("th", &[("scope", "col")]).el("span", &[("class", "code")], &short(rid));
            if r.since_decision {
                h.text(" ").el(
                    "span",
                    &[
                        ("class", "utrecht-status-badge utrecht-status-badge--warning"),
                        ("data-testid", "since-decision"),
                    ],
                    tr(lang, "nieuw sinds besluit", "new since decision"),
                );
            }
            h.open("br", &[]);
            let arg = format!("{key}|{rid}");
            let mut attrs = vec![
                ("type", "radio"),
                ("id", input.as_str()),
                ("name", key),
                ("value", arg.as_str()),
                ("data-testid", "primary-choice"),
                ("data-action", "primary"),
                ("data-arg", arg.as_str()),
            ];
            if primary == Some(rid) {
                attrs.push(("checked", "checked"));
            }
            h.open("input", &attrs)
                .text(" ")
                .el("label", &[("for", &input)], tr(lang, "primair", "primary"))
                .close("th");
        }
        h.close("tr").close("thead").open("tbody", &[]);
        type Field = fn(&StoredRecord, Lang) -> String;
        let fields: [(&str, Field); 6] = [
            (tr(lang, "Woonsituatie", "Living situation"), |s, l| {
                format!("{} {}", s.record.living_situation.code(), s.record.living_situation.label(l))
            }),
            (tr(lang, "Gemeente", "Municipality"), |s, _| place(s.record.municipality.as_str())),
            (tr(lang, "Leeftijd", "Age"), |s, l| s.record.profile.age_band.label(l).into()),
            (tr(lang, "Geslacht", "Gender"), |s, l| s.record.profile.gender.label(l).into()),
            (tr(lang, "Organisatie", "Organisation"), |s, _| s.organisation.clone()),
            (tr(lang, "Waargenomen", "Observed"), |s, _| {
                s.record.observed_at.with_timezone(&Local).format("%d-%m-%Y %H:%M").to_string()
            }),
        ];
        for (row, (label, f)) in fields.into_iter().enumerate() {
            if marks(row, &review.differs) {
                h.open("tr", &[("class", "differs"), ("data-testid", "duplicate-differs-row")]).th_row(label);
                for r in &g.records {
                    h.open("td", &[]).el("mark", &[], &f(&r.stored, lang)).close("td");
                }
            } else {
                h.open("tr", &[]).th_row(label);
                for r in &g.records {
                    h.td(&f(&r.stored, lang));
                }
            }
            h.close("tr");
        }
        h.close("tbody").close("table").close("div");
        let error = errors.iter().find(|(k, _)| k == key).map(|(_, e)| e.as_str()).unwrap_or("");
        h.el("p", &[("class", "form-error"), ("role", "alert")], error);
        h.open("div", &[("class", "button-bar")]);
        h.button(
            "utrecht-button utrecht-button--primary-action",
            "decide-same",
            "same",
            key,
            tr(lang, "Zelfde persoon", "Same person"),
        );
        h.button(
            "utrecht-button utrecht-button--secondary-action",
            "decide-different",
            "different",
            key,
            tr(lang, "Verschillende personen", "Different people"),
        );
        h.close("div").close("article");
    }
    h.finish()
}
