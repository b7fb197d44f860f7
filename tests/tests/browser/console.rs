//! The coordinator console on a laptop, end to end: log in, make a count and a team code, make
//! the count live, watch a phone's records arrive on the dashboard without reloading, decide a
//! possible duplicate and read the report, whose persons follow the decision; then page through
//! the records and read the audit log.
//!
//! The phone is played over the HTTP API (enrolled with the code read off the console's
//! screen): the field app's own flow has tests of its own.

use crate::console_page::*;
use crate::phone::{Phone, LAPTOP};
use ethos_tests::{hours_from_now, key, record_at, PASSWORD};
use serde_json::{json, Value};
use std::time::Duration;

const COUNT: &str = "Nulmeting Maastricht-Heuvelland";
/// Longer than any demo organisation: its chart label has to wrap, not run off the chart.
const ORGANISATION: &str = "Straatteam Maastricht-Heuvelland en Westelijke Mijnstreek";
/// The dashboard refreshes itself every 15 s; a little more for the requests.
const REFRESH: Duration = Duration::from_secs(20);

/// A record of the phone, observed `hours_ago`, in `municipality`, with or without a
/// duplicate key.
fn record(hours_ago: i64, municipality: &str, dedup_key: Option<&str>) -> Value {
    let mut r = record_at(hours_from_now(-hours_ago));
    r["municipality"] = json!(municipality);
    r["dedup_key"] = json!(dedup_key);
    r
}

fn id(record: &Value) -> String {
    record["id"].as_str().expect("an id").to_string()
}

/// `document.querySelector(…)` of a `data-testid`, as a JavaScript expression.
fn q(testid: &str) -> String {
    format!("document.querySelector('[data-testid=\"{testid}\"]')")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coordinator_sets_up_a_count_sees_records_arrive_decides_a_duplicate_and_reads_the_report() {
    // Arrange: a server with a coordinator account and nothing else; a laptop.
    let office = Office::start().await;
    let laptop = Phone::open_on("console", office.url(""), LAPTOP).await;
    // What the phone will send: one person without a key, and two records sharing a key
    // (seen an hour apart in two municipalities): a possible duplicate.
    let shared = key(7);
    let alone = record(1, "GM0935", None);
    let earlier = record(3, "GM0938", Some(&shared));
    let later = record(2, "GM0935", Some(&shared));

    laptop
        .run(async |page| {
            // --- log in -----------------------------------------------------------------------
            page.open_page("/console").await;
            page.wait_for("login-submit").await;
            page.screenshot("console-01-login").await;
            page.type_into("login-username", COORDINATOR).await;
            page.type_into("login-password", PASSWORD).await;
            page.tap("login-submit").await;
            page.wait_for("counts-empty").await;
            assert_eq!(page.attribute("console-user", "data-role").await.as_deref(), Some("coordinator"));

            // --- a count, its window around now so that records of the last hours are in it ----
            page.type_into("count-create-name", COUNT).await;
            let (start, end) = (local_time(page, -12).await, local_time(page, 12).await);
            set_field(page, "count-create-start", &start).await;
            set_field(page, "count-create-end", &end).await;
            page.screenshot("console-02-new-count").await;
            page.tap("count-create-submit").await;
            // A new count opens on its team codes, in training.
            page.wait_for("invites-empty").await;
            assert!(page.path().await.ends_with("/codes"), "the new count opens on its codes");
            assert_eq!(page.text("count-name").await, COUNT);
            assert_eq!(page.attribute("count-status", "data-status").await.as_deref(), Some("training"));

            // --- a team code --------------------------------------------------------------------
            page.type_into("invite-create-organisation", ORGANISATION).await;
            set_field(page, "invite-create-type", "outreach").await;
            page.tap("invite-create-submit").await;
            page.wait_for("invite-qr").await;
            let code = page.text("invite-detail-code").await;
            assert!(
                code.len() == 9 && code.as_bytes()[4] == b'-',
                "a team code looks like K7PQ-2QXM: {code:?}"
            );
            page.wait_until(
                "the code's row in the table, active",
                &format!("document.querySelector('[data-testid=\"invite-row\"][data-code=\"{code}\"][data-state=\"active\"]') !== null"),
            )
            .await;
            assert!(page.text("invite-detail").await.contains(ORGANISATION));
            page.screenshot("console-03-team-code").await;

            // --- live ---------------------------------------------------------------------------
            page.tap("count-status-live").await;
            page.wait_for("confirm-ok").await;
            page.screenshot("console-04-make-live").await;
            page.tap("confirm-ok").await;
            page.wait_until(
                "the count to be live and the dialog gone",
                &format!("{}.dataset.status === 'live' && {} === null", q("count-status"), q("confirm-ok")),
            )
            .await;

            // --- the dashboard, then a phone syncs ----------------------------------------------
            open_tab(page, "dashboard").await;
            wait_for_figure(page, "dash-counted", "0").await;
            assert_eq!(figure(page, "dash-devices").await, "0");
            page.wait_until("the time of the last update", &format!("{}.innerText.length > 0", q("dashboard-updated")))
                .await;
            let updated = page.text("dashboard-updated").await;
            // Marks this page: a reload would forget it.
            page.eval("window.ethosNotReloaded = true; return true;").await;

            let device = office.enroll(&code).await;
            office.sync(&device, &[alone.clone(), earlier.clone(), later.clone()]).await;

            // The dashboard shows them by itself (it refreshes every 15 s; no refresh button).
            page.wait_until_within(
                REFRESH,
                "the dashboard to refresh itself and count the 3 records",
                &figure_is("dash-counted", "3"),
            )
            .await;
            assert_eq!(page.eval("return window.ethosNotReloaded === true;").await, Value::Bool(true), "not reloaded");
            assert_ne!(page.text("dashboard-updated").await, updated, "the time of the update moves on");
            assert_eq!(figure(page, "dash-persons").await, "2", "two records share a key: 2 persons");
            assert_eq!(figure(page, "dash-devices").await, "1");
            assert_eq!(figure(page, "dash-active").await, "1");
            assert_eq!(figure(page, "dash-training").await, "0");
            assert_eq!(figure(page, "dash-void").await, "0");
            let phones = page.text("dash-devices-table").await;
            assert!(phones.contains(ORGANISATION), "the phone's organisation: {phones}");
            let bars = chart(page, "dash-chart-organisation").await;
            assert_eq!(bars, [format!("{ORGANISATION} (straat- en veldwerk) 3")]);
            assert_eq!(labels_outside_their_chart(page).await, Vec::<String>::new(), "labels fit");
            assert_no_error(page).await;
            page.screenshot("console-05-dashboard").await;

            // --- the possible duplicate: same person, the earlier record primary ---------------
            open_tab(page, "duplicates").await;
            page.wait_for("duplicate-group").await;
            assert_eq!(
                page.text("duplicates-summary").await,
                "Groepen 1–1 van 1 · 1 met verschillen, 0 zonder, 0 besloten."
            );
            assert_eq!(page.attribute("duplicate-group", "data-differs").await.as_deref(), Some("municipality"));
            assert_eq!(page.text("duplicate-why").await, "Verschilt in: gemeente.");
            assert_eq!(page.attribute("duplicate-group", "data-decision").await.as_deref(), Some("none"));
            assert_eq!(page.attribute("duplicate-group", "data-key").await.as_deref(), Some(shared.as_str()));
            let (first, second) = (id(&earlier), id(&later));
            let checked = |rid: &str| format!("document.getElementById('primary-{rid}').checked");
            assert_eq!(
                page.eval(&format!("return [{}, {}];", checked(&first), checked(&second))).await,
                json!([false, true]),
                "without a choice the latest record is primary"
            );
            page.tap_css(&format!("#primary-{first}")).await;
            assert_eq!(page.eval(&format!("return {};", checked(&first))).await, Value::Bool(true));
            page.screenshot("console-06-duplicate").await;
            page.tap("decide-same").await;
            page.wait_until(
                "the group to show the decision",
                &format!("{}.dataset.decision === 'same_person'", q("duplicate-group")),
            )
            .await;
            assert!(page.text("duplicate-decision").await.starts_with("Besluit: zelfde persoon"));
            assert_eq!(
                page.text("duplicates-summary").await,
                "Groepen 1–1 van 1 · 0 met verschillen, 0 zonder, 1 besloten."
            );
            page.screenshot("console-07-duplicate-decided").await;

            // --- the report ---------------------------------------------------------------------
            open_tab(page, "report").await;
            page.wait_for("report-print").await;
            page.wait_until("the public report", &format!("{}.dataset.disclosure === 'public'", q("report-page")))
                .await;
            assert_eq!(figure(page, "report-persons").await, "<5", "the public report hides 1–4 persons");
            page.screenshot("console-08-report-public").await;
            page.tap("report-disclosure-internal").await;
            page.wait_until("the internal report", &format!("{}.dataset.disclosure === 'internal'", q("report-page")))
                .await;
            assert!(page.exists("report-internal-warning").await, "the internal version says so");
            assert_eq!(figure(page, "report-persons").await, "2", "the same person counts once");
            // The person takes the place of the primary record the coordinator ticked (Meerssen),
            // not of the latest one (Maastricht).
            let places = chart(page, "report-chart-municipality").await;
            assert!(
                places.contains(&"Maastricht 1".to_string()) && places.contains(&"Meerssen 1".to_string()),
                "persons by municipality after \"same person\", Meerssen primary: {places:?}"
            );
            let quality = "report-quality-records";
            assert_eq!(table_value(page, quality, "Records meegeteld").await, "3");
            assert_eq!(table_value(page, quality, "Records samengevoegd als dubbeltelling").await, "1");
            assert_eq!(table_value(page, quality, "Groepen mogelijke dubbelingen met besluit").await, "1");
            assert_eq!(table_value(page, quality, "Groepen mogelijke dubbelingen zonder besluit").await, "0");
            assert!(!page.exists("report-unresolved").await, "no undecided groups left");
            assert_no_error(page).await;
            page.screenshot("console-09-report-internal").await;
            page.scroll_to("report-quality").await;
            page.screenshot("console-10-report-quality").await;

            // --- changing one's mind: different people ------------------------------------------
            open_tab(page, "duplicates").await;
            page.wait_until(
                "the group, decided, with the chosen primary record from the server",
                &format!(
                    "{}.dataset.decision === 'same_person' && document.getElementById('primary-{first}').checked",
                    q("duplicate-group")
                ),
            )
            .await;
            page.tap("decide-different").await;
            page.wait_until(
                "the group to show the new decision",
                &format!("{}.dataset.decision === 'different_people'", q("duplicate-group")),
            )
            .await;
            assert!(page.text("duplicate-decision").await.starts_with("Besluit: verschillende personen"));

            open_tab(page, "report").await;
            page.tap("report-disclosure-internal").await;
            page.wait_until("the internal report", &format!("{}.dataset.disclosure === 'internal'", q("report-page")))
                .await;
            assert_eq!(figure(page, "report-persons").await, "3", "different people count twice");
            let places = chart(page, "report-chart-municipality").await;
            assert!(
                places.contains(&"Maastricht 2".to_string()) && places.contains(&"Meerssen 1".to_string()),
                "persons by municipality after \"different people\": {places:?}"
            );
            assert_eq!(table_value(page, quality, "Records samengevoegd als dubbeltelling").await, "0");
            page.screenshot("console-11-report-different-people").await;

            open_tab(page, "dashboard").await;
            wait_for_figure(page, "dash-persons", "3").await;
            assert_eq!(figure(page, "dash-counted").await, "3");
            assert_no_error(page).await;

            // --- the records, a page of 100 at a time, of the count's total -------------------
            let more: Vec<Value> = (0..101).map(|_| record(1, "GM0935", None)).collect();
            office.sync(&device, &more).await;
            open_tab(page, "records").await;
            wait_for_text(page, "records-count", "100 van 104 records geladen.").await;
            let order = page.text("records-order").await;
            assert!(order.starts_with("Volgorde: op het volledige record-id, oplopend"), "{order}");
            page.screenshot("console-12-records").await;
            page.tap("records-more").await;
            wait_for_text(page, "records-count", "104 van 104 records geladen.").await;
            assert!(!page.exists("records-more").await, "every record is loaded");

            // --- the audit log, in words --------------------------------------------------------
            open_tab(page, "audit").await;
            page.wait_for("audit-table").await;
            assert_eq!(
                audit_row(page, "count.status").await[1..],
                ["coordinator", "Status van de telling gewijzigd\ncount.status", "van oefenen naar live"]
            );
            let invite = audit_row(page, "invite.create").await;
            assert_eq!(invite[3], format!("voor {ORGANISATION} (straat- en veldwerk)"));
            // The newest sync: a phone, named with its organisation, and what it sent.
            let sync = audit_row(page, "sync").await;
            let phone = &sync[1];
            assert!(phone.starts_with("telefoon ") && phone.ends_with(&format!(" · {ORGANISATION}")), "{sync:?}");
            assert_eq!(sync[2..], ["Records ontvangen van een telefoon\nsync", "101 nieuw"]);
            page.screenshot("console-13-audit").await;
            page.type_into("audit-filter-action", "teamcode").await;
            wait_for_actions(page, &["invite.create"]).await;
            fill_css(page, "[data-testid=\"audit-filter-action\"]", "").await;
            page.type_into("audit-filter-actor", "westelijke").await;
            wait_for_actions(page, &["sync", "sync", "device.enroll"]).await;
            page.tap("lang-switch").await;
            page.wait_until("the log in English", "document.documentElement.lang === 'en'").await;
            let sync = audit_row(page, "sync").await;
            assert!(sync[1].starts_with("phone "), "{sync:?}");
            assert_eq!(sync[2..], ["Records received from a phone\nsync", "101 new"]);
            page.screenshot("console-14-audit-english").await;
        })
        .await;
}

/// Waits until `testid` reads `text`.
async fn wait_for_text(page: &Phone, testid: &str, text: &str) {
    page.wait_until(
        &format!("{testid} to read {text:?}"),
        &format!("({}||{{}}).innerText === {}", q(testid), js(text)),
    )
    .await;
}

/// The cells of the newest line of the audit log with `action`.
async fn audit_row(page: &Phone, action: &str) -> Vec<String> {
    row_css(page, &format!("[data-testid=\"audit-row\"][data-action=\"{action}\"]")).await
}

/// Waits until the audit log shows the lines of these actions (newest first), and no others.
async fn wait_for_actions(page: &Phone, actions: &[&str]) {
    let shown = "Array.from(document.querySelectorAll('[data-testid=\"audit-row\"]'))\
                 .map(r => r.dataset.action).join(' ')";
    page.wait_until(
        &format!("the log to show {actions:?}"),
        &format!("{shown} === {}", js(&actions.join(" "))),
    )
    .await;
}
