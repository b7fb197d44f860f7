//! The report's section "Hoeveel mensen zag niemand?" (domain.md §8, docs/estimate.md) on a
//! laptop, end to end: a live count whose persons were recorded by one, two or all three kinds
//! of organisation (opvang, straat- en veldwerk, zorg), linked by their duplicate keys.
//!
//! What the section must show of the data — the counted persons, the sources and the persons
//! each saw, the capture histories — is counted in this file from the records it sent. The
//! estimate itself is not recomputed here: the page must show what the API's own
//! `GET …/estimate` answers, for the same disclosure (public: rounded to tens, no overlaps;
//! internal: the histories too). Per organisation, the shelter type is two organisations: four
//! sources, an UpSet chart instead of circles. A second count with one kind of organisation has
//! no estimate, which the page says in a sentence, not as an error.

use crate::console_estimate_answer::{nl, whole, Answer};
use crate::console_page::*;
use crate::phone::{Phone, LAPTOP};
use ethos_tests::{key, record};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

const COUNT: &str = "Nulmeting Heuvelland 2026";
const SINGLE: &str = "Proeftelling straatwerk";

/// The team codes of the count: (organisation, organisation type, Dutch label of the type).
const TEAMS: [(&str, &str, &str); 4] = [
    ("Opvang De Ark", "shelter", "opvang"),
    ("Nachtopvang Noord", "shelter", "opvang"),
    ("Straatteam Heuvelland", "outreach", "straat- en veldwerk"),
    ("GGZ Zuid-Limburg", "care", "zorg, GGZ, verslavingszorg, ziekenhuis"),
];
const ARK: usize = 0;
const NOORD: usize = 1;
const STRAAT: usize = 2;
const GGZ: usize = 3;

/// Persons with a duplicate key, by the teams that recorded them. By organisation type:
/// opvang only 100, straat- en veldwerk only 60, zorg only 45, opvang and straat 28, opvang and
/// zorg 15, straat and zorg 9, all three 5 — as in a typical case. Every history holds 5 or more
/// persons (by type and by organisation) and 262 are linkable, so public gives the estimate by
/// type (domain.md §8); per organisation it is internal only.
const GROUPS: [(&[usize], u64); 9] = [
    (&[ARK], 60),
    (&[NOORD], 40),
    (&[STRAAT], 60),
    (&[GGZ], 45),
    (&[ARK, STRAAT], 18),
    (&[NOORD, STRAAT], 10),
    (&[ARK, GGZ], 15),
    (&[STRAAT, GGZ], 9),
    (&[ARK, STRAAT, GGZ], 5),
];
/// Keyless persons, recorded by the street team: counted, not linkable; public shows `<5`.
const KEYLESS: u64 = 3;

/// A capture history as the page names it: the sorted names of its sources.
type Histories = BTreeMap<Vec<String>, u64>;

/// The histories of `GROUPS` with each team named by `name`.
fn histories(name: impl Fn(usize) -> String) -> Histories {
    let mut out = Histories::new();
    for (teams, n) in GROUPS {
        let sources: BTreeSet<String> = teams.iter().map(|&t| name(t)).collect();
        *out.entry(sources.into_iter().collect()).or_default() += n;
    }
    out
}

/// The persons each source saw: the sum of the histories it is in.
fn per_source(h: &Histories) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    for (sources, n) in h {
        for s in sources {
            *out.entry(s.clone()).or_default() += n;
        }
    }
    out
}

/// The records each team sends: one per person it saw, the key shared across teams.
fn records_per_team() -> Vec<Vec<Value>> {
    let mut out = vec![Vec::new(); TEAMS.len()];
    let mut person = 0u32;
    for (teams, n) in GROUPS {
        for _ in 0..n {
            person += 1;
            for &t in teams {
                let mut r = record();
                r["dedup_key"] = json!(key(person));
                out[t].push(r);
            }
        }
    }
    out[STRAAT].extend((0..KEYLESS).map(|_| record()));
    out
}

/// The name of a source id on the page: an organisation type's Dutch label, or the
/// organisation's name.
fn label(id: &str) -> String {
    TEAMS.iter().find(|t| t.1 == id).map_or_else(|| id.to_string(), |t| t.2.to_string())
}

/// `document.querySelector(…)` of a `data-testid`, as a JavaScript expression.
fn q(testid: &str) -> String {
    format!("document.querySelector('[data-testid=\"{testid}\"]')")
}

/// The paragraph "Personen met sleutel per bron: …" (it has no testid of its own).
const SOURCES_P: &str = "Array.from(document.querySelectorAll('[data-testid=\"estimate\"] p')).find(p => p.innerText.startsWith('Personen met sleutel per bron:'))";

/// Waits until the section shows the answer to `GET …/estimate?by={by}&disclosure={disclosure}`:
/// the browser had that answer, the section says so, and its sources paragraph names `first`
/// (so that no stale content of the other switch position is read).
async fn wait_for_estimate(page: &Phone, by: &str, disclosure: &str, first: &str) {
    // By type the estimate comes with the report (its `estimate` member); by organisation the
    // page asks `GET …/estimate`.
    let request = match by {
        "organisation_type" => format!("/report?disclosure={disclosure}"),
        _ => format!("/estimate?by={by}&disclosure={disclosure}"),
    };
    page.wait_until(
        &format!("the estimate {by} {disclosure}"),
        &format!(
            "performance.getEntriesByType('resource').some(e => e.name.endsWith({})) && \
             document.querySelector('[data-testid=\"estimate\"][data-by=\"{by}\"][data-disclosure=\"{disclosure}\"] [data-testid=\"estimate-lead\"]') !== null && \
             ({SOURCES_P} || {{ innerText: '' }}).innerText.includes({})",
            js(&request),
            js(&format!("{first}: "))
        ),
    )
    .await;
}

/// The label under a figure of the section.
async fn figure_label(page: &Phone, testid: &str) -> String {
    let script = format!("return {}.querySelector('.figure__label').innerText.trim();", q(testid));
    page.eval(&script).await.as_str().unwrap_or_default().to_string()
}

/// The capture histories table: the marked source names of each row and its persons.
async fn histories_table(page: &Phone) -> Histories {
    let script = "const t = document.querySelector('[data-testid=\"estimate-histories\"]'); \
        const heads = Array.from(t.querySelectorAll('thead th')).map(c => c.innerText.trim()); \
        const rows = Array.from(t.querySelectorAll('tbody tr')).map(r => Array.from(r.querySelectorAll('td')).map(c => c.innerText.trim())); \
        return { heads, rows };";
    let v = page.eval(script).await;
    let heads: Vec<String> =
        v["heads"].as_array().expect("heads").iter().map(|h| h.as_str().unwrap_or_default().into()).collect();
    assert_eq!(heads.last().map(String::as_str), Some("Personen"), "the last column: {heads:?}");
    let mut out = Histories::new();
    for row in v["rows"].as_array().expect("rows") {
        let cells: Vec<&str> =
            row.as_array().expect("cells").iter().map(|c| c.as_str().unwrap_or_default()).collect();
        assert_eq!(cells.len(), heads.len(), "a cell per column: {cells:?}");
        let mut seen: Vec<String> = cells[..cells.len() - 1]
            .iter()
            .zip(&heads)
            .filter(|(c, _)| c.starts_with('●'))
            .map(|(_, h)| h.clone())
            .collect();
        for (c, h) in cells[..cells.len() - 1].iter().zip(&heads) {
            assert!(*c == "● gezien" || *c == "–", "a mark or a dash under {h}: {c:?}");
        }
        seen.sort();
        let persons: u64 = cells[cells.len() - 1].replace('.', "").parse().expect("a number of persons");
        assert!(out.insert(seen.clone(), persons).is_none(), "one row per history: {seen:?}");
    }
    out
}

/// The words of a picture's `aria-label` (`estimate-venn`, `estimate-upset`), sorted.
async fn picture_words(page: &Phone, testid: &str) -> Vec<String> {
    let label =
        page.eval(&format!("return {}.querySelector('svg').getAttribute('aria-label');", q(testid))).await;
    let mut words: Vec<String> = label.as_str().unwrap_or_default().split("; ").map(String::from).collect();
    words.sort();
    words
}

/// "A, B en C", as the pictures' labels list their sources.
fn listing(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} en {last}", rest.join(", ")),
    }
}

/// The words a picture must have for `h`: per history its source names in the API's order of
/// `ids`, then its persons.
fn expected_words(h: &Histories, ids: &[String], name: impl Fn(&str) -> String) -> Vec<String> {
    let mut words: Vec<String> = h
        .iter()
        .map(|(sources, n)| {
            let names: Vec<String> = ids.iter().map(|i| name(i)).filter(|s| sources.contains(s)).collect();
            format!("{}: {}", listing(&names), nl(*n))
        })
        .collect();
    words.sort();
    words
}

/// The sources paragraph as it must read: per source (in the API's order) the persons counted
/// here, then the keyless persons as shown.
fn sources_sentence(
    ids: &[String],
    name: impl Fn(&str) -> String,
    persons: &BTreeMap<String, u64>,
    keyless: &str,
) -> String {
    let parts: Vec<String> = ids
        .iter()
        .map(|i| {
            let n = name(i);
            let p = persons.get(&n).unwrap_or_else(|| panic!("persons of {n}"));
            format!("{n}: {}", nl(*p))
        })
        .collect();
    format!(
        "Personen met sleutel per bron: {}. Zonder sleutel (niet te koppelen, geteld als gezien): {keyless}.",
        parts.join("; ")
    )
}

/// The checks both disclosures share: the count and the estimate side by side, the figures and
/// the lead sentence as the API answered, the sources paragraph from the records, the warnings.
async fn check_ready(page: &Phone, api: &Answer, counted: u64, sources: &str, public: bool) {
    let about = if public { "ongeveer " } else { "" };
    let (total, unseen, range) = (whole(api.f("total_estimate")), whole(api.f("unseen")), api.range());
    assert_eq!(figure(page, "estimate-counted").await, nl(counted), "the count stays beside the estimate");
    assert_eq!(figure(page, "estimate-total").await, total, "the total the API estimated");
    assert_eq!(figure(page, "estimate-unseen").await, unseen, "the unseen the API estimated");
    assert!(api.f("total_estimate") >= counted as f64, "the estimate is never below the count: {}", api.body);
    assert_eq!(
        figure_label(page, "estimate-total").await,
        format!("geschat totaal, inclusief niet gezien · 95 %: {range}"),
        "the interval is shown"
    );
    assert!(!range.contains("onbepaald"), "an interval: {range}");
    let lead = page.text("estimate-lead").await;
    let want = format!(
        "Geteld zijn {} personen. Met de overlap tussen de bronnen geschat: {about}{total} personen in totaal (95\u{a0}%\u{2011}marge {range}), van wie {about}{unseen} door geen enkele bron gezien.",
        nl(counted)
    );
    assert!(lead.starts_with(&want), "the lead sentence:\n{lead}\nwants\n{want}");
    let said = page.eval(&format!("return {SOURCES_P}.innerText.trim();")).await;
    assert_eq!(said.as_str().unwrap_or_default(), sources, "the sources and their persons");
    let bars = page
        .eval(&format!("return {}.querySelector('svg').getAttribute('aria-label');", q("estimate-bars")))
        .await;
    assert_eq!(
        bars.as_str().unwrap_or_default(),
        format!("Geteld {}; Geschat totaal {total} (95 %: {range})", nl(counted)),
        "the bars of count and estimate"
    );
    let shown = page
        .eval("return Array.from(document.querySelectorAll('[data-testid=\"estimate-warnings\"] [data-warning]')).map(p => p.dataset.warning);")
        .await;
    assert_eq!(shown, json!(api.warnings()), "the API's warnings, each said");
    page.wait_for("estimate-method").await;
    // The report's own headline keeps the count: the estimate never replaces it.
    assert_eq!(figure(page, "report-persons").await, nl(counted), "the report's headline is the count");
    assert!(!page.exists("estimate-failed").await, "no failure");
    assert_no_error(page).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_report_estimates_the_people_nobody_saw_beside_the_count_as_the_api_does() {
    // Arrange: a live count with four team codes (two shelters, a street team, a care team),
    // each a phone that synced its records; a second count with a street team only.
    let office = Office::start().await;
    let coordinator = office.login(COORDINATOR).await;
    let teams: Vec<(&str, &str)> = TEAMS.iter().map(|t| (t.0, t.1)).collect();
    let (count, codes) = office.live_count_with_codes(&coordinator, COUNT, 0, &teams).await;
    for (code, records) in codes.iter().zip(records_per_team()) {
        office.sync(&office.enroll(code).await, &records).await;
    }
    let (single, single_codes) =
        office.live_count_with_codes(&coordinator, SINGLE, 0, &[("Straatteam Heuvelland", "outreach")]).await;
    let mut lone: Vec<Value> = (0..12)
        .map(|n| {
            let mut r = record();
            r["dedup_key"] = json!(key(1000 + n / 2)); // six persons, each recorded twice
            r
        })
        .collect();
    lone.extend((0..4).map(|_| record()));
    office.sync(&office.enroll(&single_codes[0]).await, &lone).await;

    // What the section must show, counted from the records.
    let by_type = histories(|t| TEAMS[t].2.to_string());
    let by_org = histories(|t| TEAMS[t].0.to_string());
    let observed: u64 = GROUPS.iter().map(|g| g.1).sum();
    let counted = observed + KEYLESS;
    assert_eq!((observed, counted), (262, 265));
    let type_rows: Vec<u64> = by_type.values().copied().collect();
    assert_eq!(type_rows.iter().sum::<u64>(), observed);
    let mut sorted_rows = type_rows.clone();
    sorted_rows.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(sorted_rows, [100, 60, 45, 28, 15, 9, 5], "the histories by organisation type");
    let type_persons = per_source(&by_type);
    assert_eq!(
        type_persons,
        BTreeMap::from([
            ("opvang".into(), 148),
            ("straat- en veldwerk".into(), 102),
            (TEAMS[GGZ].2.into(), 74)
        ])
    );
    let org_persons = per_source(&by_org);

    // The API agrees with the records (its estimate is what the page must show).
    let internal = Answer::of(&office, &coordinator, &count, "organisation_type", "internal").await;
    let public = Answer::of(&office, &coordinator, &count, "organisation_type", "public").await;
    let internal_org = Answer::of(&office, &coordinator, &count, "organisation", "internal").await;
    let (status, withheld) = office
        .get_any(&format!("/counts/{count}/estimate?by=organisation&disclosure=public"), &coordinator)
        .await;
    assert_eq!(
        (status, &withheld["details"]["reason"]),
        (422, &json!("withheld_per_organisation")),
        "{withheld}"
    );
    assert_eq!(internal.body["observed"], json!(observed), "M: {}", internal.body);
    assert_eq!(internal.body["unlinkable"], json!(KEYLESS));
    assert_eq!(public.body["unlinkable"], Value::Null, "public: 3 keyless persons are suppressed");
    assert_eq!(
        public.body["observed"],
        Value::Null,
        "and with them the linked ones (persons_total − observed)"
    );
    assert!(internal.f("estimate") >= observed as f64, "N ≥ M: {}", internal.body);
    assert_eq!(public.body["histories"], json!([]), "public: no histories");
    for f in ["estimate", "unseen", "total_estimate"] {
        let x = public.f(f);
        assert_eq!(x % 10.0, 0.0, "public {f} rounded to tens: {x}");
        assert!((x - internal.f(f)).abs() <= 5.0, "public {f} {x} is internal {} rounded", internal.f(f));
    }
    for b in ["lower", "upper"] {
        if let Some(x) = public.body["interval"][b].as_f64() {
            assert_eq!(x % 10.0, 0.0, "public interval {b} rounded to tens: {x}");
        }
    }
    let type_ids = internal.source_ids();
    let org_ids = internal_org.source_ids();
    assert_eq!(type_ids.len(), 3);
    assert_eq!(org_ids.len(), 4, "per organisation: four sources");
    assert_eq!(public.source_ids(), type_ids);
    let (status, body) =
        office.get_any(&format!("/counts/{single}/estimate?disclosure=internal"), &coordinator).await;
    assert_eq!((status, &body["details"]["reason"]), (422, &json!("too_few_sources")), "{body}");

    let laptop = Phone::open_on("console_estimate", office.url(""), LAPTOP).await;
    laptop
        .run(async |page| {
            page.open_page("/console").await;
            log_in(page, COORDINATOR).await;
            page.wait_for("counts-table").await;
            open_count(page, &count, COUNT).await;
            open_tab(page, "report").await;

            // --- public, per type organisatie ------------------------------------------------------
            wait_for_estimate(page, "organisation_type", "public", &label(&type_ids[0])).await;
            assert_eq!(page.attribute("estimate-by-organisation_type", "aria-pressed").await.as_deref(), Some("true"));
            assert_eq!(page.attribute("estimate-by-organisation", "aria-pressed").await.as_deref(), Some("false"));
            let heading = page.eval(&format!("return {}.querySelector('h2').innerText.trim();", q("estimate"))).await;
            assert_eq!(heading, json!("Hoeveel mensen zag niemand?"));
            let sentence = sources_sentence(&type_ids, label, &type_persons, "<5");
            check_ready(page, &public, counted, &sentence, true).await;
            assert!(figure(page, "estimate-total").await.ends_with('0'), "public: rounded to tens");
            assert!(!page.exists("estimate-histories").await, "public: no histories table");
            assert!(!page.exists("estimate-venn").await, "public: no overlaps in a picture");
            assert!(!page.exists("estimate-upset").await);
            page.wait_for("estimate-overlap-internal-only").await;
            page.scroll_to("estimate").await;
            page.screenshot("console-estimate-01-public").await;
            page.scroll_to("estimate-overlap-internal-only").await;
            page.screenshot("console-estimate-02-public-sources").await;

            // --- internal, per type organisatie ----------------------------------------------------
            page.scroll_to_top().await;
            page.tap("report-disclosure-internal").await;
            wait_for_estimate(page, "organisation_type", "internal", &label(&type_ids[0])).await;
            let sentence = sources_sentence(&type_ids, label, &type_persons, &nl(KEYLESS));
            check_ready(page, &internal, counted, &sentence, false).await;
            let model = page.text("estimate-model").await;
            assert!(model.starts_with("Gekozen model:"), "three sources: a log-linear model in words: {model:?}");
            assert_eq!(histories_table(page).await, by_type, "the histories table: exactly the persons synced");
            page.wait_for("estimate-venn").await;
            assert!(!page.exists("estimate-upset").await, "three sources: circles, no UpSet chart");
            let circles = page.eval(&format!("return {}.querySelectorAll('svg circle').length;", q("estimate-venn"))).await;
            assert_eq!(circles, json!(3), "a circle per source");
            assert_eq!(
                picture_words(page, "estimate-venn").await,
                expected_words(&by_type, &type_ids, label),
                "the circles' regions: the histories"
            );
            assert!(!page.exists("estimate-overlap-internal-only").await);
            page.scroll_to("estimate").await;
            page.screenshot("console-estimate-03-internal").await;
            page.scroll_to("estimate-venn").await;
            page.screenshot("console-estimate-04-internal-circles").await;
            page.scroll_to("estimate-histories").await;
            page.screenshot("console-estimate-05-internal-histories").await;

            // --- internal, per organisatie: four sources, an UpSet chart ---------------------------
            page.scroll_to("estimate").await;
            page.tap("estimate-by-organisation").await;
            wait_for_estimate(page, "organisation", "internal", &org_ids[0]).await;
            assert_eq!(page.attribute("estimate-by-organisation", "aria-pressed").await.as_deref(), Some("true"));
            assert_eq!(page.attribute("estimate-by-organisation_type", "aria-pressed").await.as_deref(), Some("false"));
            let mut names = org_ids.clone();
            names.sort();
            let mut teams: Vec<String> = TEAMS.iter().map(|t| t.0.to_string()).collect();
            teams.sort();
            assert_eq!(names, teams, "per organisation the sources are the organisations");
            let sentence = sources_sentence(&org_ids, |i| i.to_string(), &org_persons, &nl(KEYLESS));
            check_ready(page, &internal_org, counted, &sentence, false).await;
            page.wait_for("estimate-upset").await;
            assert!(!page.exists("estimate-venn").await, "four sources: an UpSet chart, no circles");
            assert_eq!(
                picture_words(page, "estimate-upset").await,
                expected_words(&by_org, &org_ids, |i| i.to_string()),
                "a column per history"
            );
            let bars = page.eval(&format!("return {}.querySelectorAll('rect.chart__bar').length;", q("estimate-upset"))).await;
            assert_eq!(bars, json!(by_org.len()), "a bar per history");
            assert_eq!(histories_table(page).await, by_org, "the histories per organisation");
            page.scroll_to("estimate-upset").await;
            page.screenshot("console-estimate-06-internal-upset").await;

            // --- public, per organisatie: the switch stays; the estimate is internal only -------
            page.scroll_to_top().await;
            page.tap("report-disclosure-public").await;
            page.wait_until(
                "the public answer per organisation",
                "document.querySelector('[data-testid=\"estimate\"] [data-testid=\"estimate-not-possible\"]') !== null",
            )
            .await;
            assert_eq!(
                page.attribute("estimate-not-possible", "data-reason").await.as_deref(),
                Some("withheld_per_organisation")
            );
            assert_eq!(page.attribute("estimate-by-organisation", "aria-pressed").await.as_deref(), Some("true"));
            assert!(!page.exists("estimate-total").await, "public per organisation: no estimate figure");
            assert!(!page.exists("estimate-upset").await && !page.exists("estimate-histories").await, "public: no overlaps");
            assert!(!page.exists("estimate-failed").await, "withheld, not a failure");
            page.screenshot("console-estimate-06b-public-per-organisation").await;

            // --- a count with one kind of organisation: no estimate, the reason in words ---------
            page.scroll_to_top().await;
            page.tap("counts-back").await;
            page.wait_for("counts-table").await;
            open_count(page, &single, SINGLE).await;
            open_tab(page, "report").await;
            page.wait_until(
                "the reason there is no estimate",
                "document.querySelector('[data-testid=\"estimate\"] [data-testid=\"estimate-not-possible\"]') !== null",
            )
            .await;
            assert_eq!(page.attribute("estimate-not-possible", "data-reason").await.as_deref(), Some("too_few_sources"));
            let why = page.text("estimate-not-possible").await;
            assert_eq!(
                why,
                "Voor deze telling is geen schatting van het aantal mensen dat niemand zag mogelijk: minder dan twee bronnen. \
                 Daarvoor zijn personen met een dubbeltelsleutel nodig die door minstens twee bronnen zijn vastgelegd; \
                 in deze telling is er maar één bron of geen. Geef ook andere soorten organisaties (opvang, zorg, \
                 straatwerk, politie, gemeente) een teamcode, of kies \"per organisatie\" als meerdere organisaties \
                 van één soort meededen."
            );
            assert!(!page.exists("estimate-failed").await, "not a failure");
            assert!(!page.exists("estimate-total").await, "no estimate figure");
            assert_eq!(figure(page, "report-persons").await, nl(6 + 4), "the count is still there");
            page.wait_for("estimate-method").await;
            assert_no_error(page).await;
            page.scroll_to("estimate").await;
            page.screenshot("console-estimate-07-too-few-sources").await;
        })
        .await;
}
