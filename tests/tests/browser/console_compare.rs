//! The coordinator console's newer pages on a laptop, end to end: population figures on the
//! Inwoners tab and the persons per 1,000 inhabitants they give in the report; the Vergelijking
//! tab against a count a year earlier, public and internal; locking the count, after which its
//! team code is closed and off the print sheet; and an analyst, who sees the report and the
//! comparison but not the population form.
//!
//! Both counts and their records are made over the HTTP API (the console test makes a count
//! through the console itself); every figure the test expects is counted in this file from the
//! records it sent.

use crate::console_page::*;
use crate::phone::{Phone, LAPTOP};
use chrono::Duration;
use ethos_tests::{hours_from_now, record_at, Role};
use serde_json::{json, Value};

const EARLIER: &str = "Nulmeting 2025";
const NOW: &str = "Nulmeting 2026";
const ANALYST: &str = "analist";
const MAASTRICHT: &str = "GM0935";
const MEERSSEN: &str = "GM0938";
const EIJSDEN: &str = "GM1903";
const VAALS: &str = "GM0981";
const MINUS: char = '\u{2212}';

/// A person (one record without a key) observed an hour before now minus `days_ago` days.
fn person(days_ago: i64, municipality: &str, gender: &str) -> Value {
    let mut r = record_at(hours_from_now(-1) - Duration::days(days_ago));
    r["municipality"] = json!(municipality);
    r["profile"]["gender"] = json!(gender);
    r
}

/// `n` persons of each `(municipality, gender, n)`.
fn people(days_ago: i64, groups: &[(&str, &str, usize)]) -> Vec<Value> {
    groups.iter().flat_map(|(m, g, n)| (0..*n).map(move |_| person(days_ago, m, g))).collect()
}

/// How many of `records` have `value` at the JSON pointer `at`.
fn tally(records: &[Value], at: &str, value: &str) -> u64 {
    records.iter().filter(|r| r.pointer(at) == Some(&json!(value))).count() as u64
}

/// A whole number as the console writes it in Dutch: `122.000`.
fn nl(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(ch);
    }
    out
}

/// Persons per 1,000 inhabitants with two decimals, rounded half up: `0,10`.
fn per_1000(persons: u64, inhabitants: u64) -> String {
    let hundredths = (persons * 100_000 * 2 + inhabitants) / (2 * inhabitants);
    format!("{},{:02}", nl(hundredths / 100), hundredths % 100)
}

/// A change with its sign (a real minus sign): `+3`, `−7`, `0`.
fn signed(now: u64, earlier: u64) -> String {
    match now.cmp(&earlier) {
        std::cmp::Ordering::Equal => "0".into(),
        std::cmp::Ordering::Greater => format!("+{}", nl(now - earlier)),
        std::cmp::Ordering::Less => format!("{MINUS}{}", nl(earlier - now)),
    }
}

/// The change as a percentage of `earlier` with one decimal, rounded half up: `−25,0%`; `–`
/// when there was nothing earlier.
fn percent(now: u64, earlier: u64) -> String {
    if earlier == 0 {
        return "–".into();
    }
    let permille = (now.abs_diff(earlier) * 1000 * 2 + earlier) / (2 * earlier);
    let sign = match permille {
        0 => "".to_string(),
        _ if now > earlier => "+".into(),
        _ => MINUS.to_string(),
    };
    format!("{sign}{},{}%", nl(permille / 10), permille % 10)
}

/// A comparison row as shown: label, then, now, change, change %.
fn change_row(label: &str, earlier: u64, now: u64) -> Vec<String> {
    vec![label.into(), nl(earlier), nl(now), signed(now, earlier), percent(now, earlier)]
}

/// `document.querySelector(…)` of a `data-testid`, as a JavaScript expression.
fn q(testid: &str) -> String {
    format!("document.querySelector('[data-testid=\"{testid}\"]')")
}

fn population_input(municipality: &str) -> String {
    format!("[data-testid=\"population-input\"][data-municipality=\"{municipality}\"]")
}

fn rate_row(municipality: &str) -> String {
    format!("[data-testid=\"report-rates-table\"] tr[data-municipality=\"{municipality}\"]")
}

/// `{municipality: population}` as stored.
async fn stored_population(office: &Office, token: &str, count: &str) -> Vec<(String, u64)> {
    let body = office.get(&format!("/counts/{count}/population"), token).await;
    let mut items: Vec<(String, u64)> = body["items"]
        .as_array()
        .unwrap_or_else(|| panic!("items in {body}"))
        .iter()
        .map(|p| {
            (p["municipality"].as_str().unwrap_or_default().into(), p["population"].as_u64().unwrap_or(0))
        })
        .collect();
    items.sort();
    items
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coordinator_enters_inhabitants_compares_with_an_earlier_count_and_locks_it() {
    // Arrange: two live counts a year apart, each with a team code and a phone that synced.
    // A year ago: 28 persons, all in Maastricht: 11 men, 17 women.
    // Now: 21 persons: Maastricht 12, Meerssen 3, Eijsden-Margraten 6; 14 men, 4 women, 3 other.
    let office = Office::start().await;
    let coordinator = office.login(COORDINATOR).await;
    let (earlier, earlier_code) = office.live_count(&coordinator, EARLIER, 365).await;
    let (now, code) = office.live_count(&coordinator, NOW, 0).await;
    let then_records = people(365, &[(MAASTRICHT, "man", 11), (MAASTRICHT, "woman", 17)]);
    let now_records = people(
        0,
        &[(MAASTRICHT, "man", 8), (MAASTRICHT, "woman", 4), (MEERSSEN, "other", 3), (EIJSDEN, "man", 6)],
    );
    office.sync(&office.enroll(&earlier_code).await, &then_records).await;
    office.sync(&office.enroll(&code).await, &now_records).await;
    office.add_user(ANALYST, Role::Analyst).await;

    let in_place = |m: &str| tally(&now_records, "/municipality", m);
    let gender = |records: &[Value], g: &str| tally(records, "/profile/gender", g);
    // Inhabitants typed as a coordinator would, with and without thousands dots.
    let inhabitants: [(&str, &str, &str, u64); 4] = [
        (MAASTRICHT, "Maastricht", "122.000", 122_000),
        (MEERSSEN, "Meerssen", "18500", 18_500),
        (EIJSDEN, "Eijsden-Margraten", "25.600", 25_600),
        (VAALS, "Vaals", "9.700", 9_700),
    ];
    let laptop = Phone::open_on("console_compare", office.url(""), LAPTOP).await;

    laptop
        .run(async |page| {
            page.open_page("/console").await;
            log_in(page, COORDINATOR).await;
            page.wait_for("counts-table").await;
            open_count(page, &now, NOW).await;

            // --- Inwoners: a bad figure is refused and nothing stored ---------------------------
            open_tab(page, "population").await;
            // The form first shows what is stored; typing before that answer would be overwritten.
            wait_for_request(page, &format!("/counts/{now}/population")).await;
            for (m, _, typed, _) in &inhabitants {
                fill_css(page, &population_input(m), typed).await;
            }
            fill_css(page, &population_input(MAASTRICHT), "0").await;
            page.tap("population-save").await;
            page.wait_until("an error about the figure", &format!("{}.innerText.trim() !== ''", q("population-error")))
                .await;
            let error = page.text("population-error").await;
            assert!(error.starts_with("Maastricht:"), "the error names the municipality: {error:?}");
            assert_eq!(page.text("population-message").await, "", "nothing saved, nothing said");
            assert_eq!(stored_population(&office, &coordinator, &now).await, vec![], "0 is not stored");

            fill_css(page, &population_input(MAASTRICHT), "122.000").await;
            fill_css(page, &population_input(MEERSSEN), "abc").await;
            page.tap("population-save").await;
            page.wait_until("the error to name Meerssen", &format!("{}.innerText.startsWith('Meerssen:')", q("population-error")))
                .await;
            assert_eq!(stored_population(&office, &coordinator, &now).await, vec![], "abc is not stored");

            // --- Inwoners: saved --------------------------------------------------------------
            fill_css(page, &population_input(MEERSSEN), "18500").await;
            page.tap("population-save").await;
            page.wait_until("the figures to be saved", &format!("{}.innerText.includes('Opgeslagen')", q("population-message")))
                .await;
            assert_eq!(page.text("population-error").await, "", "the error is gone");
            let mut want: Vec<(String, u64)> = inhabitants.iter().map(|(m, _, _, n)| (m.to_string(), *n)).collect();
            want.sort();
            assert_eq!(stored_population(&office, &coordinator, &now).await, want, "the figures as typed");
            for (m, _, _, n) in &inhabitants {
                assert_eq!(value_css(page, &population_input(m)).await, n.to_string(), "the stored figure of {m}, in plain digits");
            }
            for m in ["GM1729", "GM0994"] {
                assert_eq!(value_css(page, &population_input(m)).await, "", "{m} was left empty");
            }
            assert_no_error(page).await;
            page.screenshot("console-compare-01-population").await;

            // --- Rapport: persons per 1,000 inhabitants ----------------------------------------
            open_tab(page, "report").await;
            page.wait_until("the public report", &format!("{}.dataset.disclosure === 'public'", q("report-page")))
                .await;
            page.scroll_to("report-rates").await;
            // Public: Meerssen's 3 are hidden (<5); the line of municipalities then hides its
            // smallest other cell too (Eijsden-Margraten's 6, shown x); Maastricht's 12 stay.
            let (maastricht, meerssen, eijsden) = (in_place(MAASTRICHT), in_place(MEERSSEN), in_place(EIJSDEN));
            assert_eq!((maastricht, meerssen, eijsden), (12, 3, 6));
            assert_eq!(
                row_css(page, &rate_row(MAASTRICHT)).await,
                ["Maastricht", &nl(maastricht), "122.000", &per_1000(maastricht, 122_000)],
                "12 persons per 122,000 inhabitants"
            );
            assert_eq!(per_1000(maastricht, 122_000), "0,10");
            assert_eq!(row_css(page, &rate_row(MEERSSEN)).await, ["Meerssen", "<5", "18.500", "x"]);
            assert_eq!(row_css(page, &rate_row(VAALS)).await, ["Vaals", "0", "9.700", "0,00"], "nobody counted: 0");
            let eijsden_public = row_css(page, &rate_row(EIJSDEN)).await;
            assert_eq!(
                [&eijsden_public[0], &eijsden_public[2], &eijsden_public[3]],
                ["Eijsden-Margraten", "25.600", "x"],
                "a hidden number of persons hides the rate"
            );
            assert!(!exists_css(page, &rate_row("GM1729")).await, "no figure entered for Gulpen-Wittem, no row");
            let by_municipality = row_labelled(page, "report-table-by_municipality", "Eijsden-Margraten").await;
            assert_eq!(by_municipality.get(1).map(String::as_str), Some("x"), "the municipality table: {by_municipality:?}");
            let places = chart(page, "report-chart-municipality").await;
            assert!(places.iter().any(|p| p == "Maastricht 12"), "the municipality chart agrees: {places:?}");
            page.screenshot("console-compare-02-rates").await;

            // The switch is in the toolbar at the top: scroll up first, as a person would.
            page.scroll_to_top().await;
            page.tap("report-disclosure-internal").await;
            page.wait_until("the internal report", &format!("{}.dataset.disclosure === 'internal'", q("report-page")))
                .await;
            for (m, name, _, n) in &inhabitants {
                let persons = in_place(m);
                assert_eq!(
                    row_css(page, &rate_row(m)).await,
                    [*name, &nl(persons), &nl(*n), &per_1000(persons, *n)],
                    "internal: every rate"
                );
            }
            assert_eq!(per_1000(meerssen, 18_500), "0,16");
            assert_no_error(page).await;

            // --- Samenvatting: the summary's sentences above the report, and the downloads -----
            let summary = office.get(&format!("/counts/{now}/summary?disclosure=internal"), &coordinator).await;
            let sentences = summary["sentences"].clone();
            assert!(sentences.as_array().is_some_and(|s| !s.is_empty()), "{summary}");
            let shown = "return Array.from(document.querySelectorAll('[data-testid=\"report-summary\"] li')).map(l => l.textContent);";
            page.wait_until(
                "the internal summary",
                &format!("JSON.stringify((() => {{ {shown} }})()) === {}", js(&sentences.to_string())),
            )
            .await;
            assert_eq!(page.eval(shown).await, sentences, "the sentences as the summary endpoint says them");
            page.scroll_to_top().await;
            page.tap("report-docx").await;
            page.wait_until(
                "the docx download",
                &format!("{}.textContent === 'Gedownload: nulmeting-internal.docx'", q("report-message")),
            )
            .await;
            page.tap("report-xlsx").await;
            page.wait_until(
                "the xlsx download",
                &format!("{}.textContent === 'Gedownload: nulmeting-internal.xlsx'", q("report-message")),
            )
            .await;
            page.screenshot("console-compare-03-summary").await;

            // --- Vergelijking: with the count of a year ago -------------------------------------
            open_tab(page, "comparison").await;
            page.wait_for("comparison-with").await;
            assert_eq!(value_css(page, "[data-testid=\"comparison-with\"]").await, earlier, "the earlier count is chosen");
            let option = page
                .eval("const s = document.querySelector('[data-testid=\"comparison-with\"]'); return s.options[s.selectedIndex].text;")
                .await;
            assert!(option.as_str().is_some_and(|t| t.starts_with(EARLIER)), "the option names it: {option}");
            page.wait_until("the public comparison", &format!("({} || {{}}).dataset?.disclosure === 'public'", q("comparison-page")))
                .await;
            let (then_total, now_total) = (then_records.len() as u64, now_records.len() as u64);
            assert_eq!((then_total, now_total), (28, 21));
            let headline = row_css(page, "[data-testid=\"comparison-headline\"] tr[data-figure=\"persons_total\"]").await;
            assert_eq!(headline, change_row("Geregistreerde personen", then_total, now_total));
            assert_eq!(headline[3], "\u{2212}7", "a real minus sign");
            assert_eq!(headline[4], "\u{2212}25,0%");
            // Gender now: 14 men, 4 women (hidden), 3 other (hidden); a year ago 11, 17, 0.
            let by_gender = "comparison-table-by_gender";
            let (men, men_then) = (gender(&now_records, "man"), gender(&then_records, "man"));
            assert_eq!(row_labelled(page, by_gender, "man").await, change_row("man", men_then, men));
            assert_eq!(signed(men, men_then), "+3");
            assert_eq!(percent(men, men_then), "+27,3%");
            let women_then = gender(&then_records, "woman");
            assert_eq!(row_labelled(page, by_gender, "vrouw").await, ["vrouw", &nl(women_then), "<5", "–", "–"]);
            assert_eq!(row_labelled(page, by_gender, "anders").await, ["anders", "0", "<5", "–", "–"]);
            assert_eq!(
                row_labelled(page, by_gender, "Totaal personen").await,
                change_row("Totaal personen", then_total, now_total)
            );
            // Municipality now: Maastricht 12, Meerssen 3 (hidden), Eijsden-Margraten 6 (x).
            let by_municipality = "comparison-table-by_municipality";
            assert_eq!(
                row_labelled(page, by_municipality, "Maastricht").await,
                change_row("Maastricht", then_total, maastricht)
            );
            assert_eq!(row_labelled(page, by_municipality, "Meerssen").await, ["Meerssen", "0", "<5", "–", "–"]);
            assert_eq!(
                row_labelled(page, by_municipality, "Eijsden-Margraten").await,
                ["Eijsden-Margraten", "0", "x", "–", "–"]
            );
            assert_no_error(page).await;
            page.screenshot("console-compare-03-comparison").await;

            page.scroll_to_top().await;
            page.tap("comparison-disclosure-internal").await;
            page.wait_until("the internal comparison", &format!("({} || {{}}).dataset?.disclosure === 'internal'", q("comparison-page")))
                .await;
            let women = gender(&now_records, "woman");
            assert_eq!(row_labelled(page, by_gender, "vrouw").await, change_row("vrouw", women_then, women));
            assert_eq!(row_labelled(page, by_gender, "anders").await, change_row("anders", 0, 3));
            assert_eq!(percent(women, women_then), "\u{2212}76,5%");
            assert_eq!(
                row_labelled(page, by_municipality, "Eijsden-Margraten").await,
                change_row("Eijsden-Margraten", 0, eijsden)
            );
            assert_no_error(page).await;
            page.scroll_to("comparison-table-by_gender").await;
            page.screenshot("console-compare-04-comparison-internal").await;

            // --- Vergelijking of the earlier count: nothing before it ---------------------------
            page.scroll_to_top().await;
            page.tap("counts-back").await;
            page.wait_for("counts-table").await;
            open_count(page, &earlier, EARLIER).await;
            open_tab(page, "comparison").await;
            let none = page.text("comparison-none").await;
            assert!(none.starts_with("Er is geen eerdere telling"), "{none:?}");
            assert!(!page.exists("comparison-page").await, "nothing to compare");
            page.scroll_to_top().await;
            page.tap("counts-back").await;
            page.wait_for("counts-table").await;
            open_count(page, &now, NOW).await;

            // --- locking the count ---------------------------------------------------------------
            page.tap("count-status-locked").await;
            page.wait_for("confirm-ok").await;
            page.tap("confirm-ok").await;
            page.wait_until(
                "the count to be locked and the dialog gone",
                &format!("{}.dataset.status === 'locked' && {} === null", q("count-status"), q("confirm-ok")),
            )
            .await;
            assert!(!page.exists("count-status-locked").await, "locked is the end");
            open_tab(page, "codes").await;
            let row = format!("[data-testid=\"invite-row\"][data-code=\"{code}\"]");
            page.wait_until(
                "the code's row, closed",
                &format!("document.querySelector('{row}[data-state=\"closed\"]') !== null"),
            )
            .await;
            let cells = row_css(page, &row).await;
            assert!(cells.iter().any(|c| c.contains("gesloten")), "the row says closed: {cells:?}");
            for button in ["invite-revoke", "invite-show-qr"] {
                assert!(!exists_css(page, &format!("{row} [data-testid=\"{button}\"]")).await, "no {button}");
            }
            assert_no_error(page).await;
            page.screenshot("console-compare-05-codes-locked").await;

            assert!(!page.exists("invites-print-sheet").await, "no print sheet offered for a locked count");
            // A bookmarked sheet still opens, and prints nothing.
            let sheet = page.eval("return location.pathname.replace(/codes$/, 'codes/print');").await;
            page.open_page(sheet.as_str().unwrap_or_default()).await;
            page.wait_until("the print sheet", "location.pathname.endsWith('/codes/print')").await;
            page.wait_until("the sheet to say so", "document.body.innerText.includes('De telling is gesloten')")
                .await;
            assert!(!page.exists("code-card").await, "no code on the sheet");
            let text = page.eval("return document.body.innerText;").await;
            assert!(!text.as_str().unwrap_or_default().contains(&code), "the code is not printed");

            // --- an analyst: the report and the comparison, not the population -----------------
            page.scroll_to_top().await;
            page.tap("console-logout").await;
            log_in(page, ANALYST).await;
            assert_eq!(page.attribute("console-user", "data-role").await.as_deref(), Some("analyst"));
            page.wait_for("counts-table").await;
            open_count(page, &now, NOW).await;
            page.wait_for("console-tab").await;
            let tabs = page
                .eval("return Array.from(document.querySelectorAll('.console-tabs li')).map(li => li.dataset.tab);")
                .await;
            assert_eq!(tabs, json!(["report", "comparison"]), "an analyst sees aggregates only");
            open_tab(page, "comparison").await;
            page.wait_until("the comparison for the analyst", &format!("({} || {{}}).dataset?.disclosure === 'public'", q("comparison-page")))
                .await;
            assert_eq!(
                row_css(page, "[data-testid=\"comparison-headline\"] tr[data-figure=\"persons_total\"]").await,
                change_row("Geregistreerde personen", then_total, now_total)
            );
            open_tab(page, "report").await;
            page.wait_for("report-rates-table").await;
            assert_no_error(page).await;

            // Last, so that everything above is checked first: in the public rates a number of
            // persons hidden by secondary suppression reads `x`, as in the municipality table,
            // not `<5` (Eijsden-Margraten has 6).
            assert_eq!(
                eijsden_public,
                ["Eijsden-Margraten", "x", "25.600", "x"],
                "a secondarily hidden number of persons is `x`, not `<5`"
            );
        })
        .await;
}
