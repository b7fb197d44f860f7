//! The desk without a connection, in Chromium, Firefox and WebKit (Safari on a Mac): a desk opened once (its files kept
//! by the service worker on request, never by the phones) opens again while the server cannot
//! be reached, takes a person by keyboard, keeps it through a reload, and sends it once the
//! server is back, where it is stored exactly once.

use crate::desk::{all_keys, people};
use crate::engine::Engine;
use crate::engines::{engine_is_here, reload};
use crate::phone::Phone;
use crate::site::Site;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_desk_opened_once_works_offline_in_chromium() {
    desk_offline(Engine::Chromium, "desk-offline-chromium").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_desk_opened_once_works_offline_in_firefox() {
    desk_offline(Engine::Firefox, "desk-offline-firefox").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_desk_opened_once_works_offline_in_webkit() {
    desk_offline(Engine::WebKit, "desk-offline-webkit").await;
}

/// The desk's files the service worker keeps: the page, its style, its start script, the
/// bundle's JavaScript and its wasm.
const DESK_FILES: u64 = 5;

async fn desk_offline(engine: Engine, name: &'static str) {
    if !engine_is_here(engine) {
        return;
    }
    let mut site = Site::start().await;
    let team = site.team().await;
    let desk = Phone::open_in(engine, name, site.url("")).await;
    let person = &people()[1];

    desk.run(async |desk| {
        // Arrange: the desk opened once by its link, online.
        desk.open_page(&format!("/desk#code={}", team.code)).await;
        desk.wait_for("keyboard-panel").await;
        desk.wait_for_service_worker().await;
        let kept = "return caches.keys().then(async (names) => { \
            const name = names.find((n) => n === 'ethos-desk'); \
            return name ? (await (await caches.open(name)).keys()).length : 0; });";
        let mut tries = 0;
        while desk.eval(kept).await.as_u64() != Some(DESK_FILES) {
            tries += 1;
            if tries > 200 {
                desk.fail("the service worker never kept the desk's files").await;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let shell_only = "return caches.keys().then((names) => names.filter((n) => n.startsWith('ethos-shell-')).length);";
        assert_eq!(desk.eval(shell_only).await.as_u64(), Some(1), "one app-shell cache beside the desk's");

        // Act 1: the server is gone; the desk is opened again and a person entered.
        site.stop().await;
        reload(desk).await;
        desk.wait_for("keyboard-panel").await;
        desk.wait_until("the first field in focus", "document.activeElement.id === 'desk-municipality'").await;
        for key in all_keys(person, true) {
            desk.keys(&key).await;
        }
        desk.wait_until(
            "the person kept on this computer",
            "document.querySelectorAll('[data-testid=\"desk-entry\"]').length === 1 && \
             document.querySelectorAll('[data-testid=\"desk-entry\"][data-state=\"confirmed\"]').length === 0",
        )
        .await;

        // Assert 1: a reload while still offline keeps it (queued, or "sent" while the sync the
        // reload starts is still failing against the missing server).
        reload(desk).await;
        desk.wait_until(
            "the person still listed after a reload offline",
            "document.querySelectorAll('[data-testid=\"desk-entry\"]').length === 1 && \
             document.querySelectorAll('[data-testid=\"desk-entry\"][data-state=\"confirmed\"]').length === 0",
        )
        .await;
        desk.screenshot(&format!("{name}-queued")).await;

        // Act 2: the server is back on the same address; the desk worker syncs.
        site.restart().await;
        let mut tries = 0;
        loop {
            desk.tap("sync-now").await;
            let confirmed = desk
                .eval("return document.querySelectorAll('[data-testid=\"desk-entry\"][data-state=\"confirmed\"]').length;")
                .await;
            if confirmed.as_u64() == Some(1) {
                break;
            }
            tries += 1;
            if tries > 60 {
                desk.fail("the person entered offline was never confirmed").await;
            }
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        }
    })
    .await;

    // Assert 2: stored once, with the answers typed.
    let records = site.records(&team).await;
    assert_eq!(records.len(), 1, "{records:#?}");
    assert_eq!(records[0]["entry"], "desk");
    assert_eq!(records[0]["living_situation"], person.living_situation);
}
