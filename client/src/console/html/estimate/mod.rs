//! The report's section "Hoeveel mensen zag niemand?" (domain.md §8): the estimate of the hidden
//! population beside the count — never in its place — with its interval, the sources and their
//! overlaps as a picture, the chosen model in words, the warnings and the method in plain words.
//!
//! Pure functions that return escaped HTML text, like the rest of `console_html` (the pictures
//! are in `estimate_svg`); `console_report` fetches `GET …/estimate?by=…&disclosure=…` and sets
//! the markup. No `style` attributes (the Content-Security-Policy forbids them): the looks are
//! classes in the "estimate" section of app.css.
//!
//! Pictures: for 2 or 3 sources circles whose areas are (approximately) the persons each source
//! saw and whose overlaps approximate the persons they share; for 4 to 6 sources an UpSet chart
//! (a bar per capture history, the sources of each history as dots below). The overlaps are
//! histories, which only the internal version has; the public version shows persons per source.

use super::estimate_svg::{count_and_estimate_svg, upset_svg, venn_svg};
use super::kit::{persons, Html};
use crate::console::model::num;
use crate::i18n::tr;
use ethos_shared::count::OrganisationType;
use ethos_shared::disclosure::Suppression;
use ethos_shared::estimate::{Estimate, History, Method, NoEstimate, SourceBy};
use ethos_shared::report::Disclosure;
use ethos_shared::Lang;

/// What the page knows of the estimate.
#[derive(Debug, Clone, PartialEq)]
pub enum EstimateState {
    Loading,
    Ready(Box<Estimate>),
    /// 422 `estimate_not_possible` with its `details.reason`.
    NotPossible(NoEstimate),
    /// Any other failure, as words.
    Failed(String),
}

impl EstimateState {
    /// The state from an API answer (`status`, body text).
    pub fn from_answer(status: u16, body: &str) -> EstimateState {
        let value: Option<serde_json::Value> = serde_json::from_str(body).ok();
        match (status, value) {
            (200, Some(v)) => match serde_json::from_value::<Estimate>(v) {
                Ok(e) => EstimateState::Ready(Box::new(e)),
                Err(_) => EstimateState::Failed("internal".into()),
            },
            (422, Some(v)) if v["code"] == "estimate_not_possible" => {
                v["details"]["reason"].as_str().and_then(NoEstimate::from_code).map_or_else(
                    || EstimateState::Failed("estimate_not_possible".into()),
                    EstimateState::NotPossible,
                )
            }
            (_, v) => EstimateState::Failed(
                v.and_then(|v| v["code"].as_str().map(String::from)).unwrap_or_else(|| format!("{status}")),
            ),
        }
    }
}

// ---------------------------------------------------------------- words

/// A cell that public disclosure may hide: `<5` (1–4), or `x` where it is hidden so that a
/// hidden number or a history cannot be derived (secondary).
fn shown(n: Option<u64>, suppressed: Option<Suppression>, lang: Lang) -> String {
    match (n, suppressed) {
        (Some(n), _) => num(n, lang),
        (None, Some(Suppression::Secondary)) => "x".into(),
        (None, _) => "<5".into(),
    }
}

/// The name of a source: an organisation type's label, or the organisation's name.
pub fn source_name(id: &str, by: SourceBy, lang: Lang) -> String {
    match by {
        SourceBy::OrganisationType => {
            OrganisationType::from_code(id).map_or_else(|| id.to_string(), |t| t.label(lang).to_string())
        }
        SourceBy::Organisation => id.to_string(),
    }
}

/// The chosen model in words.
pub fn model_words(e: &Estimate, lang: Lang) -> String {
    let name = |id: &str| source_name(id, e.by, lang);
    match (e.method, &e.model) {
        (Method::Chapman, _) => tr(
            lang,
            "Twee bronnen: schatter van Chapman, die aanneemt dat de twee bronnen onafhankelijk van elkaar mensen zien (onafhankelijkheid).",
            "Two sources: Chapman's estimator, which assumes that the two sources see people independently of each other (independence).",
        )
        .to_string(),
        (_, Some(m)) if m.interactions.is_empty() => tr(
            lang,
            "Gekozen model: onafhankelijkheid – de bronnen zien mensen los van elkaar. Dit model paste het best bij de overlap (kleinste AIC).",
            "Chosen model: independence – the sources see people independently of each other. This model fitted the overlaps best (smallest AIC).",
        )
        .to_string(),
        (_, Some(m)) if e.sources.len() > 2 && m.interactions.len() == e.sources.len() * (e.sources.len() - 1) / 2 => tr(
            lang,
            "Gekozen model: samenhang tussen elk paar bronnen – wie door de een gezien wordt, wordt vaker (of minder vaak) ook door een ander gezien. Dit model paste het best bij de overlap (kleinste AIC); het neemt aan dat er geen samenhang is die alleen bij drie of meer bronnen samen optreedt.",
            "Chosen model: association between every pair of sources – whoever one sees is more (or less) often seen by another too. This model fitted the overlaps best (smallest AIC); it assumes no association that arises only among three or more sources together.",
        )
        .to_string(),
        (_, Some(m)) => {
            let pairs: Vec<String> = m
                .interactions
                .iter()
                .map(|[a, b]| format!("{} {} {}", name(a), tr(lang, "en", "and"), name(b)))
                .collect();
            match lang {
                Lang::Nl => format!(
                    "Gekozen model: samenhang tussen {} – wie door de een gezien wordt, wordt vaker (of minder vaak) ook door de ander gezien; de andere bronnen zien mensen los van elkaar. Dit model paste het best bij de overlap (kleinste AIC).",
                    pairs.join("; tussen ")
                ),
                Lang::En => format!(
                    "Chosen model: association between {} – whoever one of them sees is more (or less) often seen by the other too; the other sources see people independently. This model fitted the overlaps best (smallest AIC).",
                    pairs.join("; between ")
                ),
            }
        }
        (_, None) => e.method.label(lang).to_string(),
    }
}

/// Why there is no estimate, in a sentence a policy writer understands.
pub fn not_possible_text(reason: NoEstimate, by: SourceBy, lang: Lang) -> String {
    let why = match reason {
        NoEstimate::TooFewSources => match by {
            SourceBy::OrganisationType => tr(
                lang,
                "Daarvoor zijn personen met een dubbeltelsleutel nodig die door minstens twee bronnen zijn vastgelegd; in deze telling is er maar één bron of geen. Geef ook andere soorten organisaties (opvang, zorg, straatwerk, politie, gemeente) een teamcode, of kies \"per organisatie\" als meerdere organisaties van één soort meededen.",
                "It needs persons with a duplicate key recorded by at least two sources; this count has one source or none. Give other kinds of organisation (shelter, care, outreach, police, municipality) a team code too, or choose \"by organisation\" if several organisations of one kind took part.",
            ),
            SourceBy::Organisation => tr(
                lang,
                "Daarvoor zijn personen met een dubbeltelsleutel nodig die door minstens twee bronnen zijn vastgelegd; in deze telling is er maar één bron of geen. Geef ook andere organisaties een teamcode.",
                "It needs persons with a duplicate key recorded by at least two sources; this count has one source or none. Give other organisations a team code too.",
            ),
        },
        NoEstimate::NoOverlap => tr(
            lang,
            "Geen enkele persoon werd door twee bronnen gezien. Zonder overlap valt niet te zeggen hoeveel mensen geen enkele bron zag.",
            "Nobody was seen by two sources. Without an overlap there is no telling how many people no source saw.",
        ),
        NoEstimate::WithheldSmallHistories | NoEstimate::WithheldSmallCount | NoEstimate::WithheldPerOrganisation => {
            tr(lang, "De schatting staat alleen in de interne versie.", "The estimate is in the internal version only.")
        }
        NoEstimate::TooManySources => match by {
            SourceBy::Organisation => tr(
                lang,
                "Er zijn meer dan zes organisaties. Kies \"per type organisatie\" om organisaties van één soort samen te nemen.",
                "There are more than six organisations. Choose \"by organisation type\" to take organisations of one kind together.",
            ),
            SourceBy::OrganisationType => tr(
                lang,
                "Er zijn meer dan zes soorten organisaties; de schatting gaat tot zes bronnen.",
                "There are more than six kinds of organisation; the estimate takes at most six sources.",
            ),
        },
    };
    format!(
        "{} {}. {why}",
        tr(
            lang,
            "Voor deze telling is geen schatting van het aantal mensen dat niemand zag mogelijk:",
            "No estimate of the people nobody saw is possible for this count:"
        ),
        reason.label(lang)
    )
}

/// The method in plain words: what is done, the assumptions, and why positively dependent
/// sources make the estimate too low.
pub fn method_paragraphs(lang: Lang) -> [&'static str; 4] {
    match lang {
        Lang::Nl => [
            "Een eendaagse telling vindt alleen mensen die een organisatie zag. Wie door meerdere soorten organisaties wordt gezien, verbindt die organisaties via de dubbeltelsleutel. Hoe groter de overlap tussen de bronnen, hoe kleiner het deel dat geen enkele bron zag – en omgekeerd. Dat is de vangst-hervangstmethode (multiple-systems estimation) die ook het CBS en het G4-onderzoek van 2015 gebruikten. De schatting staat naast de telling en vervangt die niet.",
            "Bij twee bronnen rekent de schatter van Chapman; bij drie tot zes bronnen log-lineaire modellen, waarvan het model met de kleinste AIC wordt gekozen uit alle combinaties van samenhang tussen telkens twee bronnen (bij vijf of zes bronnen stap voor stap gezocht). De marge van 95 % komt bij twee bronnen uit de formule van Chao, bij meer bronnen uit 999 herhaalde trekkingen (bootstrap) waarin het model telkens opnieuw wordt gekozen; die marge is eerder te ruim dan te krap. Personen zonder sleutel zijn niet te koppelen; zij tellen mee als gezien.",
            "De schatting neemt aan: (1) de groep blijft tijdens de teltijd dezelfde (niemand komt erbij of vertrekt); (2) de bronnen zien mensen onafhankelijk van elkaar, behalve de samenhang die het gekozen model meeneemt; (3) iedereen heeft bij een bron dezelfde kans om gezien te worden.",
            "Zorgorganisaties verwijzen mensen naar elkaar door, en sommige mensen zijn voor iedereen makkelijk te zien terwijl anderen voor iedereen verborgen blijven. Dan zien de bronnen vaker dezelfde mensen (positieve afhankelijkheid): de overlap lijkt groot, er lijken weinig mensen gemist, en de schatting valt te laag uit. Lees het getal daarom als een voorzichtige schatting, niet als een bovengrens.",
        ],
        Lang::En => [
            "A one-day count only finds people whom some organisation saw. People seen by several kinds of organisation link those organisations through the duplicate key. The larger the overlap between the sources, the smaller the part no source saw – and vice versa. This is capture–recapture (multiple-systems estimation), the method of the CBS estimate and of the G4 study of 2015. The estimate stands beside the count and does not replace it.",
            "With two sources Chapman's estimator is used; with three to six sources log-linear models, choosing the one with the smallest AIC among every combination of associations between pairs of sources (searched step by step for five or six sources). The 95 % range comes from Chao's formula for two sources and for more from 999 repeated draws (bootstrap) in each of which the model is chosen again; that range is wider rather than narrower than it should be. Persons without a key cannot be linked; they count as seen.",
            "The estimate assumes: (1) the group stays the same during the count window (nobody joins or leaves); (2) the sources see people independently of each other, apart from the association the chosen model takes in; (3) everyone has the same chance of being seen by a source.",
            "Care organisations refer people to each other, and some people are easy for everyone to see while others stay hidden from everyone. Then the sources see the same people more often (positive dependence): the overlap looks large, few people seem missed, and the estimate comes out too low. So read the number as a cautious estimate, not as an upper bound.",
        ],
    }
}

// ---------------------------------------------------------------- the section

/// The whole section for the current state. `counted` is the report's `persons_total` (the
/// count, which the estimate stands beside).
pub fn section(
    state: &EstimateState,
    by: SourceBy,
    disclosure: Disclosure,
    counted: Option<u64>,
    lang: Lang,
) -> String {
    let mut h = Html::new();
    h.open(
        "section",
        &[
            ("class", "report report__section estimate"),
            ("data-testid", "estimate"),
            ("data-by", by.code()),
            ("data-disclosure", disclosure.code()),
        ],
    );
    h.el(
        "h2",
        &[("class", "utrecht-heading-2")],
        tr(lang, "Hoeveel mensen zag niemand?", "How many people did nobody see?"),
    );
    h.open(
        "div",
        &[("class", "segmented no-print"), ("role", "group"), ("aria-label", tr(lang, "Bronnen", "Sources"))],
    );
    for b in [SourceBy::OrganisationType, SourceBy::Organisation] {
        let on = b == by;
        h.el(
            "button",
            &[
                ("type", "button"),
                (
                    "class",
                    if on {
                        "utrecht-button utrecht-button--primary-action"
                    } else {
                        "utrecht-button utrecht-button--secondary-action"
                    },
                ),
                ("aria-pressed", if on { "true" } else { "false" }),
                ("data-testid", &format!("estimate-by-{}", b.code())),
                ("data-action", "estimate-by"),
                ("data-arg", b.code()),
            ],
            b.label(lang),
        );
    }
    h.close("div");
    match state {
        EstimateState::Loading => {
            h.el(
                "p",
                &[("class", "utrecht-paragraph muted"), ("role", "status")],
                tr(lang, "Laden…", "Loading…"),
            );
        }
        EstimateState::Failed(code) => {
            h.el(
                "p",
                &[("class", "utrecht-paragraph"), ("data-testid", "estimate-failed")],
                &format!(
                    "{} ({code})",
                    tr(lang, "De schatting kon niet worden geladen.", "The estimate could not be loaded.")
                ),
            );
        }
        EstimateState::NotPossible(reason) => {
            h.el(
                "p",
                &[
                    ("class", "utrecht-paragraph estimate__lead"),
                    ("data-testid", "estimate-not-possible"),
                    ("data-reason", reason.code()),
                ],
                &not_possible_text(*reason, by, lang),
            );
            method(&mut h, lang);
        }
        EstimateState::Ready(e) => ready(&mut h, e, disclosure, counted, lang),
    }
    h.close("section");
    h.finish()
}

fn ready(h: &mut Html, e: &Estimate, disclosure: Disclosure, counted: Option<u64>, lang: Lang) {
    let public = disclosure == Disclosure::Public;
    // The interval of the total (N plus the keyless persons), rounded in public from the unrounded sum.
    let (lower, upper) = (e.total_interval.lower, e.total_interval.upper);
    let range = match (lower, upper) {
        (Some(l), Some(u)) => format!("{} – {}", persons(l, lang), persons(u, lang)),
        (Some(l), None) => format!("{} – {}", persons(l, lang), tr(lang, "onbegrensd", "unbounded")),
        _ => tr(lang, "onbepaald", "undetermined").to_string(),
    };
    let about = if public { tr(lang, "ongeveer ", "about ") } else { "" };
    let counted_text = counted.map_or_else(|| "<5".to_string(), |n| num(n, lang));
    h.el(
        "p",
        &[("class", "utrecht-paragraph estimate__lead"), ("data-testid", "estimate-lead")],
        &match lang {
            Lang::Nl => format!(
                "Geteld zijn {counted_text} personen. Met de overlap tussen de bronnen geschat: {about}{} personen in totaal (95\u{a0}%\u{2011}marge {range}), van wie {about}{} door geen enkele bron gezien. De telling blijft het vastgestelde aantal; de schatting staat ernaast.",
                persons(e.total_estimate, lang),
                persons(e.unseen, lang)
            ),
            Lang::En => format!(
                "{counted_text} persons were counted. Estimated from the overlap between the sources: {about}{} persons in all (95\u{a0}% range {range}), {about}{} of whom no source saw. The count remains the established number; the estimate stands beside it.",
                persons(e.total_estimate, lang),
                persons(e.unseen, lang)
            ),
        },
    );
    h.open("div", &[("class", "figures")]);
    figure(
        h,
        &counted_text,
        tr(lang, "geteld (door minstens één bron gezien)", "counted (seen by at least one source)"),
        "estimate-counted",
        "figure",
    );
    figure(
        h,
        &persons(e.total_estimate, lang),
        &format!(
            "{} · 95 %: {range}",
            tr(lang, "geschat totaal, inclusief niet gezien", "estimated total, unseen included")
        ),
        "estimate-total",
        "figure figure--estimate",
    );
    figure(
        h,
        &persons(e.unseen, lang),
        tr(lang, "geschat: door geen enkele bron gezien", "estimated: seen by no source"),
        "estimate-unseen",
        "figure figure--estimate",
    );
    h.close("div");
    h.markup(&count_and_estimate_svg(counted.unwrap_or(0) as f64, e.total_estimate, lower, upper, lang));

    // Warnings.
    if !e.warnings.is_empty() {
        h.open(
            "div",
            &[
                ("class", "utrecht-alert utrecht-alert--warning"),
                ("role", "note"),
                ("data-testid", "estimate-warnings"),
            ],
        );
        for w in &e.warnings {
            h.el(
                "p",
                &[("class", "utrecht-paragraph"), ("data-warning", w.code())],
                &capitalised(w.label(lang)),
            );
        }
        h.close("div");
    }

    // Sources and overlaps.
    h.el("h3", &[("class", "utrecht-heading-3")], tr(lang, "Bronnen en overlap", "Sources and overlaps"));
    h.el("p", &[("class", "utrecht-paragraph"), ("data-testid", "estimate-model")], &model_words(e, lang));
    let names: Vec<String> = e.sources.iter().map(|s| source_name(&s.id, e.by, lang)).collect();
    let per_source: Vec<String> = e
        .sources
        .iter()
        .zip(&names)
        .map(|(s, n)| format!("{n}: {}", shown(s.persons, s.suppressed, lang)))
        .collect();
    h.el(
        "p",
        &[("class", "utrecht-paragraph estimate__text"), ("data-testid", "estimate-sources")],
        // Semicolons: source names may hold commas and "en" themselves.
        &format!(
            "{} {}. {} {}{}",
            tr(lang, "Personen met sleutel per bron:", "Persons with a key per source:"),
            per_source.join("; "),
            tr(
                lang,
                "Zonder sleutel (niet te koppelen, geteld als gezien):",
                "Without a key (cannot be linked, counted as seen):"
            ),
            shown(e.unlinkable, e.unlinkable_suppressed, lang),
            "."
        ),
    );
    if public || e.histories.is_empty() {
        h.el(
            "p",
            &[("class", "utrecht-paragraph muted"), ("data-testid", "estimate-overlap-internal-only")],
            tr(
                lang,
                "De overlap per combinatie van bronnen bevat kleine aantallen en staat alleen in de interne versie.",
                "The overlap per combination of sources holds small numbers and is shown in the internal version only.",
            ),
        );
    } else if e.sources.len() <= 3 {
        h.markup(&venn_svg(
            &names,
            &e.histories,
            &e.sources.iter().map(|s| s.id.clone()).collect::<Vec<_>>(),
            lang,
        ));
    } else {
        h.markup(&upset_svg(
            &names,
            &e.histories,
            &e.sources.iter().map(|s| s.id.clone()).collect::<Vec<_>>(),
            lang,
        ));
    }
    if !public && !e.histories.is_empty() {
        histories_table(h, e, &names, lang);
    }
    method(h, lang);
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

fn figure(h: &mut Html, value: &str, label: &str, testid: &str, class: &str) {
    h.open("div", &[("class", class), ("data-testid", testid)]);
    h.el("span", &[("class", "figure__n")], value);
    h.el("span", &[("class", "figure__label")], label);
    h.close("div");
}

fn method(h: &mut Html, lang: Lang) {
    h.open("div", &[("class", "report__method estimate__method"), ("data-testid", "estimate-method")]);
    h.el("h3", &[("class", "utrecht-heading-3")], tr(lang, "Hoe is dit geschat?", "How was this estimated?"));
    for p in method_paragraphs(lang) {
        h.el("p", &[("class", "utrecht-paragraph")], p);
    }
    h.close("div");
}

/// The capture histories (internal only): which sources saw a group of persons, and how many.
fn histories_table(h: &mut Html, e: &Estimate, names: &[String], lang: Lang) {
    let mut rows: Vec<&History> = e.histories.iter().collect();
    rows.sort_by(|a, b| b.persons.cmp(&a.persons).then_with(|| a.sources.cmp(&b.sources)));
    h.open("div", &[("class", "table-scroll")]);
    h.open(
        "table",
        &[("class", "data-table data-table--compact report-list"), ("data-testid", "estimate-histories")],
    );
    h.el(
        "caption",
        &[],
        tr(
            lang,
            "Vangstgeschiedenissen: door welke bronnen gezien",
            "Capture histories: seen by which sources",
        ),
    );
    h.open("thead", &[]).open("tr", &[]);
    for name in names {
        h.el("th", &[("scope", "col"), ("class", "estimate__mark")], name);
    }
    h.el("th", &[("scope", "col"), ("class", "num")], tr(lang, "Personen", "Persons"));
    h.close("tr").close("thead").open("tbody", &[]);
    for r in rows {
        h.open("tr", &[]);
        for s in &e.sources {
            let seen = r.sources.contains(&s.id);
            h.el(
                "td",
                &[("class", "estimate__mark")],
                if seen { tr(lang, "● gezien", "● seen") } else { "–" },
            );
        }
        h.el("td", &[("class", "num")], &num(r.persons, lang));
        h.close("tr");
    }
    h.close("tbody").close("table").close("div");
}

#[cfg(test)]
mod tests;
