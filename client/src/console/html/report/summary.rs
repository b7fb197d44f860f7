//! The summary page ("Samenvatting") as markup: what a policy writer quotes, on one A4 page —
//! the report's key figures, the estimate beside the count when there is one, and the
//! summary's sentences as the server wrote them (only shown figures, in the page's language).

use super::{key_figures, Html};
use crate::console::model::num;
use crate::i18n::tr;
use ethos_shared::report::{Disclosure, Report};
use ethos_shared::summary::Summary;
use ethos_shared::Lang;

/// The sentences as plain text to paste: one sentence a line.
pub fn summary_text(s: &Summary) -> String {
    s.sentences.join("\n")
}

/// The summary page below its toolbar, for the report `r` and its summary `s` (the same
/// disclosure and language).
pub fn summary_page(r: &Report, s: &Summary, lang: Lang) -> String {
    let mut h = Html::new();
    let public = r.disclosure == Disclosure::Public;
    h.open(
        "article",
        &[
            ("class", "report summary-page"),
            ("data-testid", "summary-page"),
            ("data-disclosure", r.disclosure.code()),
        ],
    );
    h.open("header", &[("class", "report__head")]);
    h.el(
        "h1",
        &[("class", "utrecht-heading-1")],
        tr(lang, "Samenvatting nulmeting dakloosheid", "Summary of the homelessness baseline"),
    );
    h.open("p", &[("class", "utrecht-paragraph report__sub")]);
    h.text(&format!(
        "{} · {} {} · ",
        r.count.name,
        tr(lang, "peildatum", "reference date"),
        super::day(r.count.reference_date)
    ));
    h.el(
        "strong",
        &[("data-testid", "summary-disclosure")],
        if public {
            tr(lang, "openbare versie", "public version")
        } else {
            tr(lang, "interne versie: niet publiceren", "internal version: do not publish")
        },
    );
    h.close("p").close("header");

    h.open("section", &[("class", "report__section"), ("data-testid", "summary-figures")]);
    h.el("h2", &[("class", "utrecht-heading-2")], tr(lang, "Kerncijfers", "Key figures"));
    key_figures(&mut h, r, lang, "summary");
    if let Some(e) = &s.figures.estimate {
        let interval = match (e.lower, e.upper) {
            (Some(l), Some(u)) => {
                format!(" · {} {}–{}", tr(lang, "95 %-marge", "95% interval"), num(l, lang), num(u, lang))
            }
            (Some(l), None) => {
                format!(" · {} {}", tr(lang, "95 %-marge vanaf", "95% interval from"), num(l, lang))
            }
            _ => String::new(),
        };
        h.open("div", &[("class", "figures figures--small")]);
        h.figure(
            &format!(
                "{}{interval}",
                tr(
                    lang,
                    "geschat aantal personen, ook wie niemand zag (zonder kinderen)",
                    "estimated persons, also those nobody saw (without children)"
                )
            ),
            &num(e.total_estimate, lang),
            "summary-estimate",
        );
        h.close("div");
    }
    h.close("section");

    h.open("section", &[("class", "report__section"), ("data-testid", "summary-text")]);
    h.el("h2", &[("class", "utrecht-heading-2")], tr(lang, "In zinnen", "In sentences"));
    h.open(
        "ul",
        &[("class", "utrecht-unordered-list summary-sentences"), ("data-testid", "summary-sentences")],
    );
    for sentence in &s.sentences {
        h.el("li", &[], sentence);
    }
    h.close("ul").close("section");

    h.el(
        "p",
        &[("class", "utrecht-paragraph muted summary-note")],
        if public {
            tr(lang,
                "Openbare versie: een aantal van 1 tot 4 personen is verborgen (<5), en waar dat terug te rekenen zou zijn ook een ander (x). De zinnen noemen alleen getoonde aantallen. De cijfers zijn een ondergrens: wie geen enkele organisatie zag, is niet geteld.",
                "Public version: a number of 1 to 4 persons is hidden (<5), and where it could be worked out another one too (x). The sentences use shown numbers only. The figures are a lower bound: people no organisation saw are not counted.")
        } else {
            tr(lang,
                "Interne versie met alle aantallen, ook kleine die tot personen herleidbaar kunnen zijn. De cijfers zijn een ondergrens: wie geen enkele organisatie zag, is niet geteld.",
                "Internal version with every number, also small ones that may identify persons. The figures are a lower bound: people no organisation saw are not counted.")
        },
    );
    h.close("article");
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ethos_shared::report::{build, ReportInput};
    use uuid::Uuid;

    fn report(disclosure: Disclosure) -> Report {
        let count = serde_json::from_value(serde_json::json!({
            "id": Uuid::nil(), "name": "Telling <2026>", "reference_date": "2026-10-15",
            "starts_at": "2026-10-15T20:00:00+02:00", "ends_at": "2026-10-16T20:00:00+02:00",
            "status": "locked"}))
        .unwrap();
        build(ReportInput {
            count,
            records: &[],
            decisions: &Default::default(),
            organisations: &[],
            disclosure,
            generated_at: chrono::Utc::now(),
            population: &[],
        })
    }

    fn summary(r: &Report, sentences: &[&str], estimate: Option<serde_json::Value>) -> Summary {
        serde_json::from_value(serde_json::json!({
            "disclosure": r.disclosure, "lang": "nl",
            "sentences": sentences,
            "figures": {"estimate": estimate}
        }))
        .unwrap()
    }

    #[test]
    fn the_page_holds_the_key_figures_and_every_sentence_escaped() {
        let r = report(Disclosure::Public);
        let s = summary(&r, &["Eerste zin met <5 mensen.", "Tweede zin."], None);
        let html = summary_page(&r, &s, Lang::Nl);
        assert!(html.contains("Telling &lt;2026&gt; · peildatum 15-10-2026"), "{html}");
        assert!(html.contains("<li>Eerste zin met &lt;5 mensen.</li><li>Tweede zin.</li>"), "{html}");
        for testid in ["summary-persons", "summary-children", "summary-sum"] {
            assert!(html.contains(&format!("data-testid=\"{testid}\"")), "{testid}: {html}");
        }
        assert!(!html.contains("summary-estimate"), "no estimate, no figure");
        assert!(html.contains("openbare versie"));
        assert!(!html.contains("style="), "no inline styles under the CSP");
        assert_eq!(summary_text(&s), "Eerste zin met <5 mensen.\nTweede zin.");
    }

    #[test]
    fn the_estimate_figure_carries_its_interval_in_the_language() {
        let r = report(Disclosure::Internal);
        let estimate =
            serde_json::json!({"counted": 1200, "total_estimate": 1480, "lower": 1350, "upper": 1702});
        let s = summary(&r, &["Zin."], Some(estimate));
        let nl = summary_page(&r, &s, Lang::Nl);
        assert!(nl.contains("<span class=\"figure__n\">1.480</span>"), "{nl}");
        assert!(nl.contains("95 %-marge 1.350–1.702"), "{nl}");
        assert!(nl.contains("interne versie: niet publiceren"));
        let en = summary_page(&r, &s, Lang::En);
        assert!(en.contains("95% interval 1,350–1,702"), "{en}");
    }
}
