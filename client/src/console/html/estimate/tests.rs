use super::super::estimate_svg::*;
use super::*;
use ethos_shared::estimate::{estimate, Captures, Warning};
use std::f64::consts::PI;

/// An estimate by organisation type from `(history, persons)` pairs.
fn estimate_of(histories: &[(&[&str], u64)], keyless: u64, disclosure: Disclosure) -> Estimate {
    let linkable = histories.iter().flat_map(|&(h, n)| (0..n).map(move |_| (true, h.iter().copied())));
    let keyless = (0..keyless).map(|_| (false, ["outreach"].iter().copied()));
    let captures = Captures::from_people(linkable.chain(keyless));
    // Fitted and shaped directly: the small tables here would be withheld in public.
    let fitted = ethos_shared::estimate::fit(&captures).expect("an estimate");
    ethos_shared::estimate::body(&captures, &fitted, SourceBy::OrganisationType, disclosure)
}

fn three(disclosure: Disclosure) -> Estimate {
    estimate_of(
        &[
            (&["care"], 80),
            (&["police"], 55),
            (&["shelter"], 95),
            (&["care", "police"], 18),
            (&["care", "shelter"], 30),
            (&["police", "shelter"], 14),
            (&["care", "police", "shelter"], 6),
        ],
        9,
        disclosure,
    )
}

fn ready(e: Estimate) -> EstimateState {
    EstimateState::Ready(Box::new(e))
}

#[test]
fn answers_become_states_and_a_422_keeps_its_reason() {
    let e = three(Disclosure::Public);
    let body = serde_json::to_string(&e).expect("JSON");
    match EstimateState::from_answer(200, &body) {
        EstimateState::Ready(x) => {
            assert_eq!((x.estimate, &x.sources, x.interval.upper), (e.estimate, &e.sources, e.interval.upper))
        }
        other => panic!("{other:?}"),
    }
    let not = r#"{"code":"estimate_not_possible","message":"…","details":{"reason":"no_overlap"}}"#;
    assert_eq!(EstimateState::from_answer(422, not), EstimateState::NotPossible(NoEstimate::NoOverlap));
    let forbidden = r#"{"code":"forbidden","message":"…"}"#;
    assert_eq!(EstimateState::from_answer(403, forbidden), EstimateState::Failed("forbidden".into()));
    assert_eq!(EstimateState::from_answer(502, "<html>"), EstimateState::Failed("502".into()));
    assert_eq!(EstimateState::from_answer(200, "{}"), EstimateState::Failed("internal".into()));
}

#[test]
fn circle_distance_gives_the_wanted_overlap() {
    let (r1, r2) = ((300.0 / PI).sqrt(), (200.0 / PI).sqrt());
    for area in [1.0, 40.0, 120.0, 199.0] {
        let d = distance_for_overlap(r1, r2, area);
        assert!((lens_area(r1, r2, d) - area).abs() < 1e-6, "{area}: {}", lens_area(r1, r2, d));
    }
    assert_eq!(distance_for_overlap(r1, r2, 0.0), r1 + r2, "no overlap: the circles touch");
    assert_eq!(lens_area(r1, r2, r1 + r2 + 1.0), 0.0);
    assert!((lens_area(r1, r2, 0.0) - 200.0).abs() < 1e-9, "the smaller circle inside the larger");
}

#[test]
fn two_circles_have_the_areas_and_overlap_of_the_persons() {
    let c = venn_layout(&[150.0, 90.0], |_, _| 30.0);
    assert_eq!(c.len(), 2);
    assert!((PI * c[0].2 * c[0].2 - 150.0).abs() < 1e-9);
    assert!((PI * c[1].2 * c[1].2 - 90.0).abs() < 1e-9);
    let d = ((c[1].0 - c[0].0).powi(2) + (c[1].1 - c[0].1).powi(2)).sqrt();
    assert!((lens_area(c[0].2, c[1].2, d) - 30.0).abs() < 1e-6);
}

#[test]
fn three_circles_keep_each_pairwise_overlap_when_a_triangle_exists() {
    let pair = |i: usize, j: usize| [[0.0, 24.0, 36.0], [24.0, 0.0, 20.0], [36.0, 20.0, 0.0]][i][j];
    let c = venn_layout(&[134.0, 93.0, 145.0], pair);
    for (i, j) in [(0, 1), (0, 2), (1, 2)] {
        let d = ((c[i].0 - c[j].0).powi(2) + (c[i].1 - c[j].1).powi(2)).sqrt();
        assert!((lens_area(c[i].2, c[j].2, d) - pair(i, j)).abs() < 1e-3, "{i}{j}");
    }
}

#[test]
fn internal_section_puts_the_estimate_beside_the_count_with_circles_and_histories() {
    let e = three(Disclosure::Internal);
    let html =
        section(&ready(e.clone()), SourceBy::OrganisationType, Disclosure::Internal, Some(307), Lang::Nl);
    assert!(html.contains("Hoeveel mensen zag niemand?"));
    assert!(html.contains("data-testid=\"estimate-counted\"><span class=\"figure__n\">307</span>"), "{html}");
    let total = num(e.total_estimate.round() as u64, Lang::Nl);
    assert!(
        html.contains(&format!("data-testid=\"estimate-total\"><span class=\"figure__n\">{total}</span>"))
    );
    assert!(html.contains("data-testid=\"estimate-venn\""));
    assert!(!html.contains("estimate-upset"));
    assert!(html.contains("data-testid=\"estimate-histories\""));
    // Seven histories, each a row.
    let table = &html[html.find("estimate-histories").expect("table")..];
    assert_eq!(table.matches("<tr>").count(), 1 + 7);
    assert!(html.contains("Gekozen model:"));
    assert!(html.contains("positieve afhankelijkheid"), "the method says why the estimate is too low");
    assert!(!html.contains("style="), "no inline styles under the CSP");
    assert!(html.contains("aria-pressed=\"true\" data-testid=\"estimate-by-organisation_type\""));
}

#[test]
fn public_section_has_rounded_figures_and_no_overlaps() {
    let e = three(Disclosure::Public);
    assert_eq!(e.total_estimate % 10.0, 0.0);
    let html =
        section(&ready(e.clone()), SourceBy::OrganisationType, Disclosure::Public, Some(307), Lang::Nl);
    assert!(!html.contains("estimate-histories"));
    assert!(!html.contains("estimate-venn"));
    assert!(html.contains("estimate-overlap-internal-only"));
    assert!(html.contains(&format!("ongeveer {}", num(e.total_estimate as u64, Lang::Nl))));
}

#[test]
fn public_section_shows_persons_hidden_so_that_no_history_follows_as_x() {
    // Two sources, 3 seen by the police only: the persons per source go (x), and with 2
    // keyless persons (<5) observed goes too; the lead still reads with the count.
    let e =
        estimate_of(&[(&["care"], 40), (&["police"], 3), (&["care", "police"], 12)], 2, Disclosure::Public);
    assert_eq!(e.observed, None);
    let html = section(&ready(e), SourceBy::OrganisationType, Disclosure::Public, Some(57), Lang::Nl);
    let sources = html.split("data-testid=\"estimate-sources\">").nth(1).expect("sources");
    let sources = &sources[..sources.find("</p>").expect("end")];
    assert!(sources.contains("zorg, GGZ, verslavingszorg, ziekenhuis: x; politie: x."), "{sources}");
    assert!(sources.ends_with("(niet te koppelen, geteld als gezien): &lt;5."), "{sources}");
    assert!(html.contains("Geteld zijn 57 personen."));
    assert!(html.contains("estimate-overlap-internal-only"));
}

#[test]
fn the_model_is_named_in_words() {
    let mut e = three(Disclosure::Internal);
    e.model.as_mut().expect("a log-linear model").interactions = vec![["care".into(), "shelter".into()]];
    let words = model_words(&e, Lang::Nl);
    assert!(words.contains("samenhang tussen zorg, GGZ, verslavingszorg, ziekenhuis en opvang"), "{words}");
    e.model.as_mut().expect("a log-linear model").interactions.clear();
    assert!(model_words(&e, Lang::Nl).contains("onafhankelijkheid"));
    assert!(model_words(&e, Lang::En).contains("independence"));
    e.model.as_mut().expect("a model").interactions = vec![
        ["care".into(), "police".into()],
        ["care".into(), "shelter".into()],
        ["police".into(), "shelter".into()],
    ];
    assert!(model_words(&e, Lang::Nl).contains("samenhang tussen elk paar bronnen"));
    let two = estimate_of(
        &[(&["care"], 20), (&["shelter"], 30), (&["care", "shelter"], 10)],
        0,
        Disclosure::Internal,
    );
    assert!(model_words(&two, Lang::Nl).contains("Chapman"));
}

#[test]
fn four_sources_get_an_upset_chart_with_a_column_per_history() {
    let e = estimate_of(
        &[
            (&["care"], 40),
            (&["police"], 30),
            (&["shelter"], 50),
            (&["outreach"], 35),
            (&["care", "shelter"], 20),
            (&["police", "outreach"], 12),
            (&["care", "outreach"], 9),
            (&["shelter", "outreach", "police"], 5),
        ],
        0,
        Disclosure::Internal,
    );
    let html = section(&ready(e), SourceBy::OrganisationType, Disclosure::Internal, Some(201), Lang::En);
    assert!(html.contains("estimate-upset") && !html.contains("estimate-venn"));
    let chart = &html[html.find("estimate-upset").expect("chart")..];
    let chart = &chart[..chart.find("</figure>").expect("end")];
    assert_eq!(chart.matches("class=\"chart__bar\"").count(), 8);
    assert_eq!(chart.matches("upset__dot--on").count(), 1 + 1 + 1 + 1 + 2 + 2 + 2 + 3);
    assert!(html.contains("How many people did nobody see?"));
}

#[test]
fn no_estimate_is_a_sentence_with_the_reason_not_an_error() {
    let state = EstimateState::NotPossible(NoEstimate::TooFewSources);
    let html = section(&state, SourceBy::OrganisationType, Disclosure::Public, Some(12), Lang::Nl);
    assert!(html.contains("data-reason=\"too_few_sources\""));
    assert!(html
        .contains("geen schatting van het aantal mensen dat niemand zag mogelijk: minder dan twee bronnen."));
    assert!(!html.contains("utrecht-alert--error"));
    let html = section(
        &EstimateState::NotPossible(NoEstimate::TooManySources),
        SourceBy::Organisation,
        Disclosure::Public,
        None,
        Lang::En,
    );
    assert!(html.contains("Choose &quot;by organisation type&quot;"));
}

#[test]
fn organisation_names_cannot_inject_markup_into_text_or_pictures() {
    let evil = "<img src=x onerror=alert(1)>";
    let captures = Captures::from_people(
        (0..30)
            .map(|_| (true, vec![evil]))
            .chain((0..20).map(|_| (true, vec!["Opvang"])))
            .chain((0..10).map(|_| (true, vec![evil, "Opvang"]))),
    );
    let e = estimate(&captures, SourceBy::Organisation, Disclosure::Internal).expect("an estimate");
    assert!(e.warnings.contains(&Warning::SmallOverlap));
    let html = section(&ready(e), SourceBy::Organisation, Disclosure::Internal, Some(60), Lang::Nl);
    assert!(!html.contains("<img"), "{html}");
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(html.contains("data-warning=\"small_overlap\""));
}

#[test]
fn an_unbounded_range_is_said_in_words() {
    let svg = count_and_estimate_svg(150.0, 200.0, Some(160.0), None, Lang::Nl);
    assert!(svg.contains("160 – onbegrensd"));
    let svg = count_and_estimate_svg(150.0, 200.0, Some(160.0), Some(300.0), Lang::En);
    assert!(svg.contains("aria-label=\"Counted 150; Estimated total 200 (95 %: 160 – 300)\""), "{svg}");
}
