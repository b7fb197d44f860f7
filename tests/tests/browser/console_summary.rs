//! What a policy writer prints, in a real browser: the summary page ("Samenvatting") of the
//! demo's latest count and its report with the comparison with the year before, printed to
//! PDF on A4 as Chromium prints them (WebDriver's print, the print style sheet applies) and
//! read back with `pdftotext` (poppler-utils).
//!
//! The summary prints on one page and holds every sentence of `GET …/summary`, public,
//! internal and in English; its "Kopieer tekst" puts exactly those sentences on the clipboard.
//! The report prints with the summary, the comparison heading and no empty page, and the
//! comparison is what "Geen vergelijking" takes out. No printed page carries the console's
//! chrome (bar, tabs, buttons). Screenshots: `console-summary-*.png` (laptop, 360 px, and the
//! printed pages rendered with `pdftoppm`), the PDFs beside them.

use crate::console_page::*;
use crate::phone::{artifacts, Phone, LAPTOP, PHONE};
use ethos_tests::Role;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;
use thirtyfour::common::command::{Command as Driver, ExtensionCommand};
use thirtyfour::common::print::{PrintPage, PrintParameters};

const WRITER: &str = "beleid";

/// A DevTools command through chromedriver (`goog/cdp/execute`): `{"cmd": …, "params": …}`.
#[derive(Debug)]
struct Cdp(Value);

impl ExtensionCommand for Cdp {
    fn parameters_json(&self) -> Option<Value> {
        Some(self.0.clone())
    }

    fn method(&self) -> reqwest::Method {
        reqwest::Method::POST
    }

    fn endpoint(&self) -> std::sync::Arc<str> {
        "/goog/cdp/execute".into()
    }
}

/// Texts of the console's chrome that must never be on paper.
const CHROME: [&str; 12] = [
    "Uitloggen",
    "English",
    "Naar de inhoud",
    "Alle tellingen",
    "Kopieer tekst",
    "Afdrukken of opslaan als pdf",
    "Het hele rapport",
    "Samenvatting op één pagina",
    "Openbaar (kleine aantallen verborgen)",
    "Intern (alle aantallen)",
    "Vergelijk met",
    "CSV voor Excel",
];

/// The demo's two counts, the latest first: `(id, name)` each.
async fn latest_and_earlier(office: &Office, token: &str) -> ((String, String), (String, String)) {
    let counts = office.get("/counts", token).await;
    let mut items: Vec<Value> = counts["items"].as_array().cloned().unwrap_or_default();
    items.retain(|c| c["status"] != json!("training"));
    items.sort_by_key(|c| std::cmp::Reverse(c["reference_date"].as_str().unwrap_or_default().to_string()));
    assert!(items.len() >= 2, "the demo has two counts a year apart: {counts}");
    let pair = |c: &Value| (ethos_tests::id_of(c), c["name"].as_str().unwrap_or_default().to_string());
    (pair(&items[0]), pair(&items[1]))
}

/// Prints the page on A4 and keeps the PDF as `tests/artifacts/<name>.pdf`.
async fn print_a4(page: &Phone, name: &str) -> PathBuf {
    let a4 = PrintParameters { page: PrintPage { width: 21.0, height: 29.7 }, ..Default::default() };
    let pdf = page.driver.print_page(a4).await.expect("the page prints");
    let path = artifacts().join(format!("{name}.pdf"));
    std::fs::write(&path, pdf).expect("the PDF is written");
    path
}

/// Runs a poppler tool, failing with what to install when it is missing.
fn poppler(tool: &str, args: &[&str]) -> String {
    let out = Command::new(tool).args(args).output().unwrap_or_else(|e| {
        panic!("{tool} runs ({e}); install poppler-utils (apt-get install poppler-utils)")
    });
    assert!(out.status.success(), "{tool} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The number of pages of a PDF, as `pdfinfo` reads it.
fn pages(pdf: &Path) -> usize {
    let info = poppler("pdfinfo", &[&pdf.display().to_string()]);
    info.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("pdfinfo gives the pages: {info}"))
}

/// The text of page `n` (from 1), or of every page (`None`), its white space made single spaces.
fn text(pdf: &Path, n: Option<usize>) -> String {
    let file = pdf.display().to_string();
    let page = n.map(|n| n.to_string());
    let mut args = vec!["-enc", "UTF-8"];
    if let Some(p) = &page {
        args.extend(["-f", p.as_str(), "-l", p.as_str()]);
    }
    args.extend([file.as_str(), "-"]);
    poppler("pdftotext", &args).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Renders page `n` of a PDF as `tests/artifacts/<name>.png` (A4 at 60 dpi) to look at.
fn render(pdf: &Path, n: usize, name: &str) {
    let stem = artifacts().join(name).display().to_string();
    let page = n.to_string();
    let file = pdf.display().to_string();
    poppler("pdftoppm", &["-png", "-r", "60", "-singlefile", "-f", &page, "-l", &page, &file, &stem]);
}

/// Asserts every sentence is in the printed text and no chrome is.
fn assert_printed(printed: &str, sentences: &[String], what: &str) {
    for s in sentences {
        let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(printed.contains(&s), "{what}: the sentence {s:?} is printed:\n{printed}");
    }
    for chrome in CHROME {
        assert!(!printed.contains(chrome), "{what}: {chrome:?} is not printed:\n{printed}");
    }
}

fn sentences(summary: &Value) -> Vec<String> {
    let list: Vec<String> = summary["sentences"]
        .as_array()
        .map(|a| a.iter().filter_map(|s| s.as_str().map(String::from)).collect())
        .unwrap_or_default();
    assert!(list.len() >= 3, "a summary of the demo has sentences: {summary}");
    list
}

/// The sentences the summary page shows.
const SHOWN: &str =
    "return Array.from(document.querySelectorAll('[data-testid=\"summary-sentences\"] li')).map(l => l.textContent);";

/// Waits until the summary page shows `want` in `disclosure`.
async fn wait_for_summary(page: &Phone, disclosure: &str, want: &[String]) {
    page.wait_until(
        &format!("the {disclosure} summary"),
        &format!(
            "({q} || {{}}).dataset?.disclosure === '{disclosure}' && JSON.stringify((() => {{ {SHOWN} }})()) === {}",
            js(&json!(want).to_string()),
            q = "document.querySelector('[data-testid=\"summary-page\"]')",
        ),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_summary_prints_on_one_page_and_the_report_prints_with_the_comparison() {
    // Arrange: the demo's two counts, read by an analyst (a policy writer sees aggregates).
    let office = Office::start().await;
    office.demo().await;
    office.add_user(WRITER, Role::Analyst).await;
    let token = office.login(WRITER).await;
    let ((now, name), (earlier, earlier_name)) = latest_and_earlier(&office, &token).await;
    let summary = |d: &str, lang: &str| format!("/counts/{now}/summary?disclosure={d}&lang={lang}");
    let public = sentences(&office.get(&summary("public", "nl"), &token).await);
    let internal_summary = office.get(&summary("internal", "nl"), &token).await;
    let internal = sentences(&internal_summary);
    let estimate = internal_summary["figures"]["estimate"]["total_estimate"].as_u64();
    let english = sentences(&office.get(&summary("public", "en"), &token).await);
    let report = office.get(&format!("/counts/{now}/report?disclosure=public"), &token).await;
    let persons = report["persons_total"].as_u64().expect("the demo shows its persons in public");
    let comparison =
        office.get(&format!("/counts/{now}/comparison?with={earlier}&disclosure=public"), &token).await;
    let then = comparison["headline"]
        .as_array()
        .and_then(|h| h.iter().find(|l| l["figure"] == json!("persons_total")))
        .and_then(|l| l["earlier"].as_u64())
        .expect("the earlier count's persons in public");
    let laptop = Phone::open_on("console-summary", office.url(""), LAPTOP).await;

    laptop
        .run(async |page| {
            // The clipboard may be read back by the test (a person would paste).
            let grant = Cdp(json!({"cmd": "Browser.grantPermissions", "params": {
                "origin": office.url(""), "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]}}));
            page.driver.handle().cmd(Driver::ExtensionCommand(Box::new(grant))).await.expect("clipboard permissions");
            page.open_page("/console").await;
            log_in(page, WRITER).await;
            open_count(page, &now, &name).await;

            // --- the summary page, from the report --------------------------------------------
            page.wait_for("report-summary-page").await;
            page.tap("report-summary-page").await;
            page.wait_until("the summary's address", "location.pathname.endsWith('/report/summary')").await;
            wait_for_summary(page, "public", &public).await;
            assert_eq!(page.text("summary-persons").await.split('\n').next(), Some(nl(persons).as_str()));
            assert_eq!(
                page.eval("return document.querySelector('.console-tabs__item--active').dataset.tab;").await,
                json!("report"),
                "the summary is the report's"
            );
            assert_no_error(page).await;
            page.screenshot("console-summary-01-laptop").await;

            page.tap("summary-copy").await;
            page.wait_until("the copy to be done", "document.querySelector('[data-testid=\"summary-message\"]').textContent !== ''")
                .await;
            assert_eq!(page.text("summary-message").await, "De zinnen staan op het klembord.");
            let pasted = page.eval("return navigator.clipboard.readText();").await;
            assert_eq!(pasted, json!(public.join("\n")), "the sentences as plain text, one a line");

            let pdf = print_a4(page, "console-summary-public").await;
            assert_eq!(pages(&pdf), 1, "the public summary fits one A4 page");
            let printed = text(&pdf, None);
            assert_printed(&printed, &public, "public summary");
            assert!(printed.contains("Samenvatting nulmeting dakloosheid") && printed.contains("openbare versie"));
            render(&pdf, 1, "console-summary-02-a4-public");

            page.tap("summary-disclosure-internal").await;
            wait_for_summary(page, "internal", &internal).await;
            match estimate {
                Some(n) => assert_eq!(page.text("summary-estimate").await.split('\n').next(), Some(nl(n).as_str())),
                None => assert!(!page.exists("summary-estimate").await, "no estimate in the summary, none on the page"),
            }
            let pdf = print_a4(page, "console-summary-internal").await;
            assert_eq!(pages(&pdf), 1, "the internal summary fits one A4 page");
            assert_printed(&text(&pdf, None), &internal, "internal summary");

            page.tap("summary-disclosure-public").await;
            page.tap("lang-switch").await;
            wait_for_summary(page, "public", &english).await;
            let pdf = print_a4(page, "console-summary-english").await;
            assert_eq!(pages(&pdf), 1, "the English summary fits one A4 page");
            assert_printed(&text(&pdf, None), &english, "English summary");
            page.tap("lang-switch").await;
            wait_for_summary(page, "public", &public).await;

            // --- the report with the comparison -----------------------------------------------
            page.tap("summary-report").await;
            page.wait_until(
                "the report with the comparison",
                "(document.querySelector('[data-testid=\"report-comparison\"]') || {}).dataset?.disclosure === 'public' \
                 && document.querySelector('[data-testid=\"report-page\"]') !== null \
                 && document.querySelectorAll('[data-testid=\"report-summary\"] li').length > 0",
            )
            .await;
            assert_eq!(value_css(page, "[data-testid=\"report-with\"]").await, earlier, "the latest earlier count is chosen");
            let row = row_css(page, "[data-testid=\"report-comparison\"] tr[data-figure=\"persons_total\"]").await;
            assert_eq!(row[..3], ["Geregistreerde personen".to_string(), nl(then), nl(persons)], "{row:?}");
            assert_no_error(page).await;
            page.scroll_to("report-comparison").await;
            page.screenshot("console-summary-03-report-comparison").await;

            let pdf = print_a4(page, "console-summary-report").await;
            let n = pages(&pdf);
            println!("the public report with the comparison prints on {n} A4 pages");
            assert!((4..=60).contains(&n), "a plausible length: {n} pages");
            for p in 1..=n {
                let on_page = text(&pdf, Some(p));
                assert!(on_page.len() > 40, "page {p} of {n} is not empty: {on_page:?}");
            }
            let printed = text(&pdf, None);
            assert_printed(&printed, &public, "report");
            for heading in ["Nulmeting dakloosheid", "Vergelijking met een eerdere telling", &earlier_name] {
                assert!(printed.contains(heading), "the report prints {heading:?}");
            }
            let comparison_page =
                (1..=n).find(|p| text(&pdf, Some(*p)).contains("Vergelijking met een eerdere telling"));
            render(&pdf, 1, "console-summary-04-a4-report-first");
            render(&pdf, comparison_page.unwrap_or(n), "console-summary-05-a4-report-comparison");

            page.scroll_to_top().await;
            let none = "const s = document.querySelector('[data-testid=\"report-with\"]'); s.value = ''; \
                        s.dispatchEvent(new Event('change', { bubbles: true })); return true;";
            page.eval(none).await;
            page.wait_until("the comparison gone", "document.querySelector('[data-testid=\"report-comparison\"]') === null")
                .await;
            let without = print_a4(page, "console-summary-report-without").await;
            let fewer = pages(&without);
            println!("without the comparison: {fewer} A4 pages");
            assert!(fewer < n, "the comparison is what the report gained: {fewer} < {n} pages");
            assert!(!text(&without, None).contains("Vergelijking met een eerdere telling"));
        })
        .await;

    // A phone's width: the summary page still reads (axe's check comes with the screenshot).
    let phone = Phone::open_on("console-summary-phone", office.url(""), PHONE).await;
    phone
        .run(async |page| {
            page.open_page("/console").await;
            log_in(page, WRITER).await;
            page.open_page(&format!("/console/counts/{now}/report/summary")).await;
            wait_for_summary(page, "public", &public).await;
            assert_no_error(page).await;
            let overflow =
                page.eval("return document.documentElement.scrollWidth - window.innerWidth;").await;
            assert_eq!(overflow, json!(0), "nothing wider than the phone");
            page.screenshot("console-summary-06-phone").await;
        })
        .await;
}

/// A whole number as the console writes it in Dutch: `1.234`.
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
