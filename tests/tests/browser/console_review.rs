//! The duplicate review at the scale of a real count, on the demo's example of last year: the
//! groups whose records differ come first and say why, one confirmed decision settles every
//! group without differences, and the report follows. A count in training rehearsed end to
//! end, marked "oefendata" on every page. The `;` CSV downloaded through the console keeps the
//! server's byte-order mark; the header fits at 360 px; the sheet of team codes prints without
//! an empty page. Screenshots `console-review-*.png`, also at 360 px.

use crate::console_page::*;
use crate::phone::{Phone, LAPTOP, PHONE};
use ethos_tests::{hours_from_now, key, record_at, Role};
use serde_json::{json, Value};

/// A coordinator added after the demo (which sets the passwords of its own accounts).
const REVIEWER: &str = "coordinator-2";

/// `document.querySelector(…)` of a `data-testid`, as a JavaScript expression.
fn q(testid: &str) -> String {
    format!("document.querySelector('[data-testid=\"{testid}\"]')")
}

/// The `data-differs` of every group on the page, in order.
async fn differs_on_page(page: &Phone) -> Vec<String> {
    let v = page
        .eval("return [...document.querySelectorAll('[data-testid=\"duplicate-group\"]')].map(g => g.dataset.differs);")
        .await;
    serde_json::from_value(v).expect("a list of strings")
}

/// The newest example count of the demo: `(id, name)`.
async fn last_years_example(office: &Office, token: &str) -> (String, String) {
    let counts = office.get("/counts", token).await;
    let example = counts["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|c| c["name"].as_str().is_some_and(|n| n.starts_with("Voorbeeld: ETHOS-telling ")))
        .cloned()
        .expect("the demo's example");
    (ethos_tests::id_of(&example), example["name"].as_str().unwrap_or_default().to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_review_of_last_years_example_puts_differences_first_and_decides_the_rest_at_once() {
    // Arrange: the demo's examples; the review as the API sees it before
    let office = Office::start().await;
    office.demo().await;
    // The demo gives the coordinator account a password of its own: another coordinator.
    office.add_user(REVIEWER, Role::Coordinator).await;
    let token = office.login(REVIEWER).await;
    let (id, name) = last_years_example(&office, &token).await;
    let before = office.get(&format!("/counts/{id}/duplicates?limit=1"), &token).await;
    let (conflicts, consistent) =
        (before["tally"]["conflicts"].as_u64(), before["tally"]["consistent"].as_u64());
    assert!(conflicts.is_some_and(|n| n > 0) && consistent.is_some_and(|n| n > 0), "{}", before["tally"]);
    let laptop = Phone::open_on("console-review", office.url(""), LAPTOP).await;

    laptop
        .run(async |page| {
            page.open_page("/console").await;
            log_in(page, REVIEWER).await;
            open_count(page, &id, &name).await;
            open_tab(page, "duplicates").await;
            page.wait_for("duplicate-group").await;

            // Act 1: the first page (all groups): differences first, each saying why
            let differs = differs_on_page(page).await;
            let first_consistent = differs.iter().position(String::is_empty).unwrap_or(differs.len());
            assert_eq!(first_consistent as u64, conflicts.unwrap_or(0).min(50), "{differs:?}");
            assert!(differs[first_consistent..].iter().all(String::is_empty), "conflicts first: {differs:?}");
            assert!(page.text("duplicate-why").await.starts_with("Verschilt in:"));
            assert!(page.exists("duplicate-differs-row").await, "the differing answers are marked");
            assert!(differs.len() <= 50, "a page holds 50 groups: {}", differs.len());
            page.screenshot("console-review-01-conflicts-first").await;

            // Act 2: the filter "met verschillen" shows only those
            page.tap("duplicates-filter-conflicts").await;
            page.wait_until(
                "only groups with differences",
                "[...document.querySelectorAll('[data-testid=\"duplicate-group\"]')].every(g => g.dataset.differs !== '')",
            )
            .await;

            // Act 3: one decision for every group without differences
            page.tap("duplicates-bulk").await;
            page.wait_for("duplicates-bulk-text").await;
            assert!(page.text("duplicates-bulk-text").await.contains(&format!("Alle {} groepen", consistent.unwrap_or(0))));
            page.screenshot("console-review-02-bulk-confirm").await;
            page.tap("confirm-ok").await;
            page.wait_until(
                "the decision said and the dialog gone",
                &format!("{}.innerText.includes('groepen besloten') && {} === null", q("duplicates-message"), q("confirm-ok")),
            )
            .await;
            assert_no_error(page).await;

            // Assert: the server has them decided, audited per group; the report follows
            let after = office.get(&format!("/counts/{id}/duplicates?limit=1"), &token).await;
            assert_eq!(after["tally"]["consistent"], 0);
            assert_eq!(after["tally"]["conflicts"].as_u64(), conflicts);
            let report = office.get(&format!("/counts/{id}/report?disclosure=internal"), &token).await;
            let undecided = report["quality"]["unresolved_duplicate_groups"].as_u64();
            assert_eq!(undecided, conflicts, "only the groups with differences are left undecided");
            open_tab(page, "report").await;
            page.tap("report-disclosure-internal").await;
            page.wait_until("the internal report", &format!("{}.dataset.disclosure === 'internal'", q("report-page")))
                .await;
            let quality = "report-quality-records";
            let shown = table_value(page, quality, "Groepen mogelijke dubbelingen zonder besluit").await;
            assert_eq!(shown, undecided.unwrap_or(0).to_string());
            page.scroll_to("report-quality").await;
            page.screenshot("console-review-03-report-follows").await;
        })
        .await;
    let log = office.get(&format!("/counts/{id}/audit"), &token).await;
    let decided =
        log["items"].as_array().expect("items").iter().filter(|e| e["action"] == "duplicate.resolve");
    assert!(decided.count() as u64 >= consistent.unwrap_or(0), "one audit entry per group");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_count_in_training_is_rehearsed_end_to_end_marked_oefendata() {
    // Arrange: a count in training with a phone's practice records: a pair and one other
    let office = Office::start().await;
    let token = office.login(COORDINATOR).await;
    let name = "Generale repetitie";
    let (id, code) = office.training_count(&token, name).await;
    let device = office.enroll(&code).await;
    let record = |k: Option<String>| {
        let mut r = record_at(hours_from_now(-1));
        r["dedup_key"] = json!(k);
        r
    };
    office.sync(&device, &[record(Some(key(1))), record(Some(key(1))), record(None)]).await;
    let laptop = Phone::open_on("console-rehearsal", office.url(""), LAPTOP).await;

    laptop
        .run(async |page| {
            page.open_page("/console").await;
            log_in(page, COORDINATOR).await;
            open_count(page, &id, name).await;

            // The dashboard: the practice records, marked
            open_tab(page, "dashboard").await;
            wait_for_figure(page, "dash-counted", "3").await;
            assert!(page.exists("oefendata").await, "the dashboard says oefendata");
            assert_eq!(figure(page, "dash-persons").await, "2");
            page.screenshot("console-review-04-rehearsal-dashboard").await;

            // The review: the pair, decided "different people"
            open_tab(page, "duplicates").await;
            page.wait_for("duplicate-group").await;
            assert!(page.exists("oefendata").await, "the review says oefendata");
            page.tap("decide-different").await;
            page.wait_until(
                "the decision",
                &format!("{}.dataset.decision === 'different_people'", q("duplicate-group")),
            )
            .await;

            // The report: three persons, marked; its `;` CSV keeps the BOM and is marked too
            open_tab(page, "report").await;
            page.tap("report-disclosure-internal").await;
            page.wait_until(
                "the internal report",
                &format!("{}.dataset.disclosure === 'internal'", q("report-page")),
            )
            .await;
            assert!(page.exists("oefendata").await, "the report says oefendata");
            assert_eq!(figure(page, "report-persons").await, "3");
            let bytes = download_bytes(page, "report-csv-excel-by_count_group").await;
            assert_eq!(&bytes[..3], &[0xef, 0xbb, 0xbf], "the `;` CSV starts with the UTF-8 BOM");
            assert!(String::from_utf8_lossy(&bytes[3..]).starts_with("OEFENDATA"));
            page.screenshot("console-review-05-rehearsal-report").await;
        })
        .await;

    // Going live starts from zero, without the mark
    office
        .api(reqwest::Method::POST, &format!("/counts/{id}/status"), &token)
        .json(&json!({ "status": "live" }))
        .send()
        .await
        .expect("an answer");
    let dashboard = office.get(&format!("/counts/{id}/dashboard"), &token).await;
    assert_eq!(
        (dashboard["training"].clone(), dashboard["records_counted"].clone()),
        (json!(false), json!(0))
    );
    let review = office.get(&format!("/counts/{id}/duplicates"), &token).await;
    assert_eq!(review["items"], json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_semicolon_csv_downloaded_through_the_console_starts_with_the_bom_and_the_header_fits_at_360_px()
{
    let office = Office::start().await;
    let token = office.login(COORDINATOR).await;
    let (id, code) = office.live_count(&token, "Nulmeting", 0).await;
    let device = office.enroll(&code).await;
    let mut r = record_at(hours_from_now(-1));
    r["municipality"] = json!("GM0935");
    office.sync(&device, &[r]).await;
    let phone = Phone::open_on("console-360", office.url(""), PHONE).await;

    phone
        .run(async |page| {
            page.open_page("/console").await;
            log_in(page, COORDINATOR).await;
            // The header fits: "Uitloggen" is inside the screen.
            let right =
                page.eval(&format!("return {}.getBoundingClientRect().right;", q("console-logout"))).await;
            assert!(right.as_f64().is_some_and(|r| r <= 360.0), "the logout button ends at {right}");
            let wide = page.eval("return document.documentElement.scrollWidth;").await;
            assert!(wide.as_u64().is_some_and(|w| w <= 360), "the page is {wide} px wide");
            page.screenshot("console-review-06-header-360").await;
            open_count(page, &id, "Nulmeting").await;
            open_tab(page, "report").await;
            page.wait_for("report-page").await;
            let bytes = download_bytes(page, "report-csv-excel-by_count_group").await;
            assert_eq!(&bytes[..3], &[0xef, 0xbb, 0xbf], "the `;` CSV starts with the UTF-8 BOM");
            assert!(String::from_utf8_lossy(&bytes[3..]).starts_with("count_group;count_group_naam;persons"));
            let bytes = download_bytes(page, "report-csv-by_count_group").await;
            assert!(bytes.starts_with(b"count_group,count_group_naam,persons"), "the comma CSV has no BOM");
        })
        .await;
}

/// Taps the download button `testid` and returns the bytes of the file the console offered
/// (the Blob handed to `URL.createObjectURL`).
async fn download_bytes(page: &Phone, testid: &str) -> Vec<u8> {
    page.eval(
        "if (!window.ethosBlobs) { window.ethosBlobs = []; const made = URL.createObjectURL; \
         URL.createObjectURL = (b) => { window.ethosBlobs.push(b); return made.call(URL, b); }; } \
         window.ethosBytes = null; window.ethosBlobCount = window.ethosBlobs.length; return true;",
    )
    .await;
    page.tap(testid).await;
    page.wait_until("the download", "window.ethosBlobs.length > window.ethosBlobCount").await;
    page.eval(
        "window.ethosBlobs[window.ethosBlobs.length - 1].arrayBuffer() \
         .then(b => { window.ethosBytes = Array.from(new Uint8Array(b)); }); return true;",
    )
    .await;
    page.wait_until("the bytes", "window.ethosBytes !== null").await;
    let v: Value = page.eval("return window.ethosBytes;").await;
    serde_json::from_value(v).expect("bytes")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sheet_of_team_codes_prints_without_an_empty_page() {
    let office = Office::start().await;
    let token = office.login(COORDINATOR).await;
    let (id, _) = office
        .live_count_with_codes(
            &token,
            "Nulmeting",
            0,
            &[("Straatteam", "outreach"), ("Nachtopvang", "shelter")],
        )
        .await;
    let laptop = Phone::open_on("console-sheet", office.url(""), LAPTOP).await;

    laptop
        .run(async |page| {
            page.open_page("/console").await;
            log_in(page, COORDINATOR).await;
            page.open_page(&format!("/console/counts/{id}/codes/print")).await;
            page.wait_until(
                "two code cards",
                "document.querySelectorAll('[data-testid=\"code-card\"]').length === 2",
            )
            .await;
            let pages = page.printed_pages().await;
            // As before: the console as high as the screen, also on paper.
            page.eval("document.querySelector('.console').style.minHeight = '100vh'; return true;").await;
            let before = page.printed_pages().await;
            println!("the sheet of two codes prints on {pages} page(s); with the old height on {before}");
            assert_eq!(pages, 1, "two codes fit one A4 page");
            assert!(before > pages, "the page's own height gave the empty page this test would catch");
        })
        .await;
}
