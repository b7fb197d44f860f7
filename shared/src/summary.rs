//! The summary ("Samenvatting") of a report: its headline figures and largest findings as
//! sentences a policy writer can paste, in Dutch or English (`GET …/summary`, and on top of the
//! Word and Excel downloads).
//!
//! Made from the report of one disclosure as published, never from the data behind it: every
//! number in a sentence is a shown figure of that report (or the rounded estimate beside it),
//! and a share is said only when its numerator and denominator are both shown. So a sentence
//! never gives a hidden number, nor one that lets a hidden number be derived. "The largest"
//! group is the largest shown row; a hidden row of the same table is never larger, since
//! secondary suppression hides the smallest cells of a line (domain.md §6).

use crate::report::{value_label, Disclosure, Report, Table};
use crate::Lang;
use serde::{Deserialize, Serialize};

/// `GET /api/v1/counts/{id}/summary?disclosure=…&lang=…` answers this.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub disclosure: Disclosure,
    pub lang: Lang,
    pub sentences: Vec<String>,
    /// Every number the sentences use, as the report shows it.
    pub figures: SummaryFigures,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SummaryFigures {
    pub persons_total: Option<u64>,
    pub accompanying_children: Option<u64>,
    pub persons_including_children: Option<u64>,
    pub largest_count_group: Option<Largest>,
    pub largest_municipality: Option<Largest>,
    /// Men among all persons (the gender table's `man` row and its total).
    pub men: Option<Share>,
    /// Young persons of 18 to 26 among all persons (the report's `youth_18_26`).
    pub youth_18_26: Option<Share>,
    /// The report's `by_origin` cell `elsewhere_nl`.
    pub origin_elsewhere_nl: Option<u64>,
    pub largest_origin_outside_region: Option<Largest>,
    pub estimate: Option<EstimateFigures>,
}

/// The largest shown row of a table.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Largest {
    pub table: String,
    pub code: String,
    pub label: String,
    pub persons: u64,
    /// Of the table's total, where that is shown.
    pub share: Option<Share>,
}

/// `part` of `whole`, both shown; `percent` rounded to a whole number.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Share {
    pub part: u64,
    pub whole: u64,
    pub percent: u64,
}

impl Share {
    fn of(part: Option<u64>, whole: Option<u64>) -> Option<Share> {
        let (part, whole) = (part?, whole?);
        (whole > 0).then(|| Share { part, whole, percent: (part * 100 + whole / 2) / whole })
    }
}

/// The estimate beside the count, both without accompanying children: `counted` is the
/// report's `persons_total`; the estimate and its interval are of all persons (the interval of
/// the estimate's `estimate` moved by `total_estimate − estimate`, the keyless persons, as
/// published), rounded to whole persons.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EstimateFigures {
    pub counted: u64,
    pub total_estimate: u64,
    pub lower: Option<u64>,
    pub upper: Option<u64>,
}

/// What the report's `estimate` member says, read from its JSON: only `estimate`, `interval`,
/// `total_interval`, `total_estimate` and `not_possible`, so that added members do not matter.
#[derive(Debug, Clone, PartialEq)]
pub enum EstimateMember {
    Given { estimate: f64, lower: Option<f64>, upper: Option<f64>, total_estimate: f64 },
    NotPossible(String),
    Absent,
}

impl EstimateMember {
    pub fn of_json(member: Option<&serde_json::Value>) -> EstimateMember {
        let Some(m) = member.filter(|m| m.is_object()) else { return EstimateMember::Absent };
        if let Some(reason) = m.get("not_possible") {
            return EstimateMember::NotPossible(reason.as_str().unwrap_or_default().to_string());
        }
        let number = |v: Option<&serde_json::Value>| v.and_then(serde_json::Value::as_f64);
        match (number(m.get("estimate")), number(m.get("total_estimate"))) {
            // The interval of the total as published (in public rounded from the unrounded
            // total): no offset to add.
            (Some(_), Some(total_estimate)) if m.get("total_interval").is_some() => EstimateMember::Given {
                estimate: total_estimate,
                lower: number(m.get("total_interval").and_then(|i| i.get("lower"))),
                upper: number(m.get("total_interval").and_then(|i| i.get("upper"))),
                total_estimate,
            },
            (Some(estimate), Some(total_estimate)) => EstimateMember::Given {
                estimate,
                lower: number(m.get("interval").and_then(|i| i.get("lower"))),
                upper: number(m.get("interval").and_then(|i| i.get("upper"))),
                total_estimate,
            },
            _ => EstimateMember::Absent,
        }
    }
}

/// The summary of a report in `lang`.
pub fn summary(report: &Report, estimate: &EstimateMember, lang: Lang) -> Summary {
    let f = figures(report, estimate);
    let mut sentences = Vec::new();
    sentences.push(headline(report, &f, lang));
    if let Some(s) = estimate_sentence(&f, estimate, lang) {
        sentences.push(s);
    }
    sentences.extend(findings(&f, lang));
    Summary { disclosure: report.disclosure, lang, sentences, figures: f }
}

fn figures(report: &Report, estimate: &EstimateMember) -> SummaryFigures {
    let persons = report.persons_total;
    let gender = report.table("by_gender");
    let origin = report.table("by_origin");
    SummaryFigures {
        persons_total: persons,
        accompanying_children: report.accompanying_children,
        persons_including_children: report.persons_including_children,
        largest_count_group: largest(report.table("by_count_group")),
        largest_municipality: largest(report.table("by_municipality")),
        men: gender.and_then(|t| Share::of(row(t, "gender", "man"), t.total)),
        youth_18_26: Share::of(report.youth_18_26, persons),
        origin_elsewhere_nl: origin.and_then(|t| row(t, "origin", "elsewhere_nl")),
        largest_origin_outside_region: largest(report.table("by_origin_municipality")),
        estimate: match (estimate, persons) {
            (EstimateMember::Given { estimate, lower, upper, total_estimate }, Some(counted)) => {
                let offset = total_estimate - estimate;
                let whole = |x: f64| x.max(0.0).round() as u64;
                Some(EstimateFigures {
                    counted,
                    total_estimate: whole(*total_estimate),
                    lower: lower.map(|l| whole(l + offset)),
                    upper: upper.map(|u| whole(u + offset)),
                })
            }
            _ => None,
        },
    }
}

/// The shown persons of a one-dimensional table's row.
fn row(table: &Table, dimension: &str, code: &str) -> Option<u64> {
    table.rows.iter().find(|r| r.key.get(dimension).map(String::as_str) == Some(code))?.persons
}

/// The largest shown row (the first of equals) of a one-dimensional table; none when no row
/// with persons is shown.
fn largest(table: Option<&Table>) -> Option<Largest> {
    let table = table?;
    let dimension = table.dimensions.first()?;
    let mut best: Option<(&String, u64)> = None;
    for r in &table.rows {
        if let (Some(n), Some(code)) = (r.persons, r.key.get(dimension)) {
            if n > 0 && best.is_none_or(|(_, b)| n > b) {
                best = Some((code, n));
            }
        }
    }
    let (code, persons) = best?;
    Some(Largest {
        table: table.id.clone(),
        code: code.clone(),
        label: value_label(dimension, code, Lang::Nl),
        persons,
        share: Share::of(Some(persons), table.total),
    })
}

/// A whole number as written in the language: `1.234` in Dutch, `1,234` in English.
pub fn number(n: u64, lang: Lang) -> String {
    let digits = n.to_string();
    let sep = match lang {
        Lang::Nl => '.',
        Lang::En => ',',
    };
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

fn percent(s: &Share, lang: Lang) -> String {
    match lang {
        Lang::Nl => format!("{} procent", s.percent),
        Lang::En => format!("{}%", s.percent),
    }
}

fn date(report: &Report, lang: Lang) -> String {
    use chrono::Datelike;
    let d = report.count.reference_date;
    let month = d.month0() as usize;
    match lang {
        Lang::Nl => {
            const MONTHS: [&str; 12] = [
                "januari",
                "februari",
                "maart",
                "april",
                "mei",
                "juni",
                "juli",
                "augustus",
                "september",
                "oktober",
                "november",
                "december",
            ];
            format!("{} {} {}", d.day(), MONTHS[month], d.year())
        }
        Lang::En => {
            const MONTHS: [&str; 12] = [
                "January",
                "February",
                "March",
                "April",
                "May",
                "June",
                "July",
                "August",
                "September",
                "October",
                "November",
                "December",
            ];
            format!("{} {} {}", d.day(), MONTHS[month], d.year())
        }
    }
}

fn headline(report: &Report, f: &SummaryFigures, lang: Lang) -> String {
    let n = |x: u64| number(x, lang);
    let on = date(report, lang);
    match (f.persons_total, f.accompanying_children, f.persons_including_children, lang) {
        (Some(p), Some(c), Some(i), Lang::Nl) if c > 0 => format!(
            "Op de peildatum ({on}) waren in Maastricht-Heuvelland {} mensen dak- of thuisloos, van wie {} \
             kinderen die met hun ouder meekwamen ({} personen zonder die kinderen).",
            n(i),
            n(c),
            n(p)
        ),
        (Some(p), Some(c), Some(i), Lang::En) if c > 0 => format!(
            "On the reference date ({on}), {} people were homeless in Maastricht-Heuvelland, of whom {} \
             children who came with their parent ({} persons without those children).",
            n(i),
            n(c),
            n(p)
        ),
        (Some(p), Some(0), _, Lang::Nl) => format!(
            "Op de peildatum ({on}) waren in Maastricht-Heuvelland {} mensen dak- of thuisloos; er kwamen \
             geen kinderen met hen mee.",
            n(p)
        ),
        (Some(p), Some(0), _, Lang::En) => format!(
            "On the reference date ({on}), {} people were homeless in Maastricht-Heuvelland; no children \
             came with them.",
            n(p)
        ),
        (Some(p), _, _, Lang::Nl) => format!(
            "Op de peildatum ({on}) waren in Maastricht-Heuvelland {} personen dak- of thuisloos, de \
             kinderen die met hen meekwamen niet meegerekend.",
            n(p)
        ),
        (Some(p), _, _, Lang::En) => format!(
            "On the reference date ({on}), {} persons were homeless in Maastricht-Heuvelland, not counting \
             the children who came with them.",
            n(p)
        ),
        (None, _, _, Lang::Nl) => format!(
            "Op de peildatum ({on}) zijn in Maastricht-Heuvelland zo weinig personen geteld dat deze \
             openbare versie het aantal niet toont."
        ),
        (None, _, _, Lang::En) => format!(
            "On the reference date ({on}), so few persons were counted in Maastricht-Heuvelland that this \
             public version does not show the number."
        ),
    }
}

fn estimate_sentence(f: &SummaryFigures, member: &EstimateMember, lang: Lang) -> Option<String> {
    let n = |x: u64| number(x, lang);
    if let Some(e) = &f.estimate {
        let range = match (e.lower, e.upper, lang) {
            (Some(l), Some(u), Lang::Nl) => format!(" (95 %-marge {}–{})", n(l), n(u)),
            (Some(l), Some(u), Lang::En) => format!(" (95% interval {}–{})", n(l), n(u)),
            (Some(l), None, Lang::Nl) => format!(" (95 %-marge vanaf {}, naar boven onbegrensd)", n(l)),
            (Some(l), None, Lang::En) => format!(" (95% interval from {}, unbounded above)", n(l)),
            _ => String::new(),
        };
        return Some(match lang {
            Lang::Nl => format!(
                "Met de mensen die geen enkele organisatie zag, beide zonder kinderen: geteld {} personen \
                 zonder kinderen; geschat {}{range}.",
                n(e.counted),
                n(e.total_estimate)
            ),
            Lang::En => format!(
                "With the people no organisation saw, both without children: counted {} persons without \
                 children; estimated {}{range}.",
                n(e.counted),
                n(e.total_estimate)
            ),
        });
    }
    match (member, lang) {
        (EstimateMember::NotPossible(_), Lang::Nl) => Some(
            "Een schatting van het aantal mensen dat geen enkele organisatie zag, staat niet in deze versie."
                .to_string(),
        ),
        (EstimateMember::NotPossible(_), Lang::En) => {
            Some("An estimate of the people no organisation saw is not in this version.".to_string())
        }
        _ => None,
    }
}

/// The five largest findings, each only where its figures are shown.
fn findings(f: &SummaryFigures, lang: Lang) -> Vec<String> {
    let n = |x: u64| number(x, lang);
    let of_all = |s: &Option<Share>| match (s, lang) {
        (Some(s), Lang::Nl) => format!(", {} van alle getelde personen", percent(s, lang)),
        (Some(s), Lang::En) => format!(", {} of all persons counted", percent(s, lang)),
        (None, _) => String::new(),
    };
    let mut out = Vec::new();
    if let Some(g) = &f.largest_count_group {
        let label =
            crate::ethos::CountGroup::from_code(&g.code).map_or(g.label.clone(), |c| c.label(lang).into());
        let group = match (g.code.parse::<u8>().is_ok(), lang) {
            (true, Lang::Nl) => format!("telgroep {} ({label})", g.code),
            (true, Lang::En) => format!("count group {} ({label})", g.code),
            (false, _) => label,
        };
        out.push(match lang {
            Lang::Nl => {
                format!("De grootste groep is {group}: {} personen{}.", n(g.persons), of_all(&g.share))
            }
            Lang::En => {
                format!("The largest group is {group}: {} persons{}.", n(g.persons), of_all(&g.share))
            }
        });
    }
    if let Some(m) = &f.largest_municipality {
        out.push(match lang {
            Lang::Nl => format!(
                "De meeste personen zijn geteld in {}: {}{}.",
                m.label,
                n(m.persons),
                of_all(&m.share)
            ),
            Lang::En => {
                format!("Most persons were counted in {}: {}{}.", m.label, n(m.persons), of_all(&m.share))
            }
        });
    }
    if let Some(s) = &f.men {
        out.push(match lang {
            Lang::Nl => format!(
                "{} van de getelde personen is man ({} van {}).",
                percent(s, lang),
                n(s.part),
                n(s.whole)
            ),
            Lang::En => format!(
                "{} of the persons counted are men ({} of {}).",
                percent(s, lang),
                n(s.part),
                n(s.whole)
            ),
        });
    }
    if let Some(s) = &f.youth_18_26 {
        out.push(match lang {
            Lang::Nl => format!(
                "{} personen zijn jongeren van 18 tot en met 26 jaar ({} van alle getelde personen).",
                n(s.part),
                percent(s, lang)
            ),
            Lang::En => format!(
                "{} persons are young people aged 18 to 26 ({} of all persons counted).",
                n(s.part),
                percent(s, lang)
            ),
        });
    }
    match (f.origin_elsewhere_nl, &f.largest_origin_outside_region, lang) {
        (Some(e), Some(o), Lang::Nl) => out.push(format!(
            "{} personen kwamen van elders in Nederland; de grootste herkomstgemeente buiten de regio is {} \
             ({}).",
            n(e),
            o.label,
            n(o.persons)
        )),
        (Some(e), Some(o), Lang::En) => out.push(format!(
            "{} persons came from elsewhere in the Netherlands; the largest municipality of origin outside \
             the region is {} ({}).",
            n(e),
            o.label,
            n(o.persons)
        )),
        (None, Some(o), Lang::Nl) => out.push(format!(
            "De grootste herkomstgemeente buiten de regio is {} ({} personen).",
            o.label,
            n(o.persons)
        )),
        (None, Some(o), Lang::En) => out.push(format!(
            "The largest municipality of origin outside the region is {} ({} persons).",
            o.label,
            n(o.persons)
        )),
        (Some(e), None, Lang::Nl) if e > 0 => {
            out.push(format!("{} personen kwamen van elders in Nederland.", n(e)))
        }
        (Some(e), None, Lang::En) if e > 0 => {
            out.push(format!("{} persons came from elsewhere in the Netherlands.", n(e)))
        }
        _ => {}
    }
    out
}

#[cfg(test)]
#[path = "summary_tests.rs"]
mod tests;
