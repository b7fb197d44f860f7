//! The offline count in all three browser engines a counter's phone may run: Chromium
//! (Android), WebKit (the engine of Safari on iPhones, here as WebKitGTK) and Firefox. One
//! scenario, driven through the UI in each: enrol by the link, record a person, lose the
//! server, record another, reload (the page then comes from the service worker), get the
//! server back on the same address and database, and find every record stored exactly once.
//!
//! An engine missing on this machine is skipped with a line saying how to get it, except on
//! CI (`CI=true`), where that fails the test.

use crate::engine::Engine;
use crate::offline::sync_until_all_confirmed;
use crate::people::{record, JAN, ZOE};
use crate::phone::Phone;
use crate::site::Site;
use std::collections::BTreeSet;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_offline_count_works_in_chromium() {
    offline_count(Engine::Chromium, "engines-chromium").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_offline_count_works_in_firefox() {
    offline_count(Engine::Firefox, "engines-firefox").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_offline_count_works_in_webkit() {
    offline_count(Engine::WebKit, "engines-webkit").await;
}

/// Whether the test may run: false (with a line saying why) when the engine is missing on a
/// developer's machine; on CI a missing engine fails instead.
pub(crate) fn engine_is_here(engine: Engine) -> bool {
    let Some(missing) = engine.missing() else { return true };
    let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    assert!(!ci, "CI runs every engine, but {} lacks: {missing}", engine.name());
    eprintln!("skipped: the {} test needs {missing}", engine.name());
    false
}

async fn offline_count(engine: Engine, name: &'static str) {
    if !engine_is_here(engine) {
        return;
    }
    // Arrange: a count with a team code, and a phone that enrols by the link.
    let mut site = Site::start().await;
    let team = site.team().await;
    let phone = Phone::open_in(engine, name, site.url("")).await;

    phone
        .run(async |phone| {
            phone.enrol(&team.code).await;
            assert_eq!(phone.text("count-name").await, team.count_name);
            phone.wait_for_service_worker().await;

            // Act 1: a person recorded online is sent at once.
            record(phone, JAN, false).await;
            phone.wait_for_records(1, "confirmed").await;

            // Act 2: the server is gone; a second person waits on the phone.
            site.stop().await;
            record(phone, ZOE, false).await;
            wait_for_states(phone, &["confirmed", "queued"]).await;

            // Act 3: a reload with the server down. Only the service worker can serve the page,
            // and the records come back from IndexedDB.
            reload(phone).await;
            phone.wait_for("count-card").await;
            phone.wait_for_service_worker().await;
            assert_eq!(phone.text("count-name").await, team.count_name);
            wait_for_states(phone, &["confirmed", "queued"]).await;
            let on_phone: BTreeSet<String> = phone.records().await.into_iter().map(|(id, _)| id).collect();
            assert_eq!(on_phone.len(), 2, "two different records on the phone");

            // Act 4: the server is back on the same address, with the same database.
            site.restart().await;
            sync_until_all_confirmed(phone, 2).await;

            // Assert: both confirmed on the phone, and each stored exactly once.
            assert_eq!(phone.number("tally-confirmed").await, 2);
            assert_eq!(phone.number("tally-queued").await, 0);
            let stored = site.records(&team).await;
            let ids: Vec<String> =
                stored.iter().map(|r| r["id"].as_str().expect("an id").to_string()).collect();
            assert_eq!(ids.len(), 2, "exactly two records on the server: {stored:#?}");
            assert_eq!(ids.iter().cloned().collect::<BTreeSet<_>>(), on_phone, "the phone's two, once each");
            let situations: BTreeSet<&str> =
                stored.iter().filter_map(|r| r["living_situation"].as_str()).collect();
            assert_eq!(situations, BTreeSet::from(["1.1", "3.1"]));
            phone.screenshot(&format!("{name}-confirmed")).await;
        })
        .await;
}

/// Reloads the page as the browser's reload does (`location.reload()`). WebDriver's own
/// refresh cannot stand in for it: in Firefox it bypasses the service worker.
pub(crate) async fn reload(phone: &Phone) {
    phone.eval("window.ethosBeforeReload = true; setTimeout(() => location.reload(), 0); return true;").await;
    phone
        .wait_until(
            "the page to load again",
            "!window.ethosBeforeReload && document.readyState === 'complete'",
        )
        .await;
}

/// Waits until the phone's record list holds exactly these states, in any order.
async fn wait_for_states(phone: &Phone, states: &[&str]) {
    let mut wanted: Vec<&str> = states.to_vec();
    wanted.sort_unstable();
    let wanted = serde_json::to_string(&wanted).expect("a list");
    let condition = format!(
        "JSON.stringify(Array.from(document.querySelectorAll('[data-testid=\"record-item\"]'))\
         .map(e => e.dataset.state).sort()) === {}",
        serde_json::to_string(&wanted).expect("a string")
    );
    phone.wait_until(&format!("the records to be {states:?}"), &condition).await;
}
