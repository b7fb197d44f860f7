//! The scenario of issue 3: a counter records with no connection, the app survives a reload
//! offline, and once the server is back every record is confirmed and stored once.

use crate::people::{record, JAN, UNKNOWN, ZOE};
use crate::phone::Phone;
use crate::site::Site;
use std::collections::BTreeSet;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_persons_recorded_offline_survive_a_reload_and_are_confirmed_once_the_server_is_back() {
    // Arrange: an enrolled phone whose service worker holds the app shell.
    let mut site = Site::start().await;
    let team = site.team().await;
    let phone = Phone::open("offline", site.url("")).await;

    phone
        .run(async |phone| {
            phone.enrol(&team.code).await;
            phone.wait_for_service_worker().await;

            // Act 1: offline, three persons through the real question flow.
            site.stop().await;
            record(phone, JAN, true).await;
            record(phone, ZOE, false).await;
            record(phone, UNKNOWN, false).await;

            // Assert 1: all three wait on the phone.
            phone.wait_for_records(3, "queued").await;
            assert_eq!(phone.number("tally-queued").await, 3);
            assert_eq!(phone.number("tally-confirmed").await, 0);
            phone.wait_for("oldest-unsynced").await;

            // Act 2: reload with the server still down: the shell comes from the service
            // worker, the records from IndexedDB.
            phone.reload().await;

            // Assert 2
            phone.wait_for("count-card").await;
            phone.wait_for_records(3, "queued").await;
            phone.wait_for_service_worker().await;
            assert_eq!(phone.text("count-name").await, team.count_name);
            phone.wait_until(
                "the status line to say there is no connection",
                "document.querySelector('[data-testid=\"sync-status\"]').innerText.includes('Geen verbinding')",
            )
            .await;
            phone.screenshot("06-home-queued").await;
            phone.scroll_to("record-list").await;
            phone.screenshot("06b-home-queued-list").await;
            phone.scroll_to_top().await;
            let on_phone: BTreeSet<String> = phone.records().await.into_iter().map(|(id, _)| id).collect();
            assert_eq!(on_phone.len(), 3, "three different records");

            // Act 3: the server is back (same address, so same origin); the counter taps
            // "Nu synchroniseren".
            site.restart().await;
            phone.wait_until(
                "the button \"Nu synchroniseren\"",
                "document.querySelector('[data-testid=\"sync-now\"]').innerText.trim() === 'Nu synchroniseren'",
            )
            .await;
            sync_until_all_confirmed(phone, 3).await;

            // Assert 3: confirmed on the phone, and exactly these three on the server.
            assert_eq!(phone.number("tally-confirmed").await, 3);
            assert_eq!(phone.number("tally-queued").await, 0);
            assert!(!phone.exists("oldest-unsynced").await, "nothing is waiting any more");
            phone.screenshot("07-home-confirmed").await;
            phone.scroll_to("record-list").await;
            phone.screenshot("07b-home-confirmed-list").await;

            let stored = site.records(&team).await;
            let on_server: BTreeSet<String> =
                stored.iter().map(|r| r["id"].as_str().expect("an id").to_string()).collect();
            assert_eq!(stored.len(), 3, "exactly three records on the server: {stored:#?}");
            assert_eq!(on_server, on_phone);
            let situations: BTreeSet<&str> =
                stored.iter().filter_map(|r| r["living_situation"].as_str()).collect();
            assert_eq!(situations, BTreeSet::from(["1.1", "2.1", "3.1"]));
            let jan = stored.iter().find(|r| r["living_situation"] == "3.1").expect("Jan's record");
            assert_eq!(jan["municipality"], "GM0935");
            assert_eq!(jan["origin"]["code"], "GM0917", "the origin found by typing 'heer': {jan}");
            assert!(jan["dedup_key"].is_string(), "a duplicate key derived on the phone: {jan}");
            assert_ne!(jan["profile"]["age_band"], "unknown", "an age band derived from the birth date: {jan}");
            for r in &stored {
                let text = r.to_string();
                assert!(!text.contains("Jan") && !text.contains("Berg") && !text.contains("1980-05-17"),
                    "no name or birth date leaves the phone: {text}");
            }
        })
        .await;
}

/// Taps "Nu synchroniseren" until every one of the `n` records is confirmed. A tap while a
/// sync is already running is ignored by the app, so it may take a second tap.
pub async fn sync_until_all_confirmed(phone: &Phone, n: usize) {
    for _ in 0..5 {
        phone.tap("sync-now").await;
        for _ in 0..40 {
            let states = phone.records().await;
            if states.len() == n && states.iter().all(|(_, s)| s == "confirmed") {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }
    phone.wait_for_records(n, "confirmed").await;
}
