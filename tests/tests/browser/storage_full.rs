//! The server's database is full while a counter syncs. The phone must say so plainly, keep
//! the record, wait as long as the server asks (503 `storage_full`: 5 minutes, longer than its
//! own first backoff of 5 s), and send it once room is made.

use crate::offline::sync_until_all_confirmed;
use crate::people::{record, ZOE};
use crate::phone::Phone;
use crate::site::Site;
use chrono::{DateTime, Utc};
use ethos_tests::{record as api_record, SendExt, Tuning};
use serde_json::{json, Value};

/// A database that may not grow beyond 1 MiB (SQLite answers SQLITE_FULL, as for a full disk).
fn capped() -> Tuning {
    Tuning { max_db_bytes: Some(1024 * 1024), ..Tuning::default() }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_database_keeps_the_record_on_the_phone_which_waits_as_asked_then_sends_it_once() {
    // Arrange: a server with a 1 MiB cap; the phone enrols, then another phone of the team
    // fills the database over HTTP until a single record no longer fits.
    let mut site = Site::start_tuned(capped()).await;
    let team = site.team().await;
    let phone = Phone::open("storage-full", site.url("")).await;

    phone
        .run(async |phone| {
            phone.enrol(&team.code).await;
            fill_until_full(&site, &team.code).await;
            let filled = site.records(&team).await.len();

            // Act: the counter records a person; saving starts a sync, which the server refuses.
            record(phone, ZOE, false).await;
            phone
                .wait_until(
                    "the app to say the server cannot store",
                    "document.querySelector('[data-testid=\"sync-status\"]').innerText.includes('kan nu niets opslaan')",
                )
                .await;

            // Assert: the record stays queued, and the next automatic try is the server's 5 minutes
            // away, not the 5 s of a first backoff.
            phone.wait_for_records(1, "queued").await;
            let retry_at = phone.attribute("sync-status", "data-retry-at").await.expect("data-retry-at");
            let retry_at: DateTime<Utc> = retry_at.parse().expect("an RFC 3339 time");
            let wait = (retry_at - Utc::now()).num_seconds();
            assert!((240..=300).contains(&wait), "the next try is {wait} s away, the server asked 300");
            assert_eq!(site.records(&team).await.len(), filled, "nothing of the refused sync is stored");
            phone.screenshot("10-storage-full").await;

            // Act 2: the operator makes room (here: a larger cap) and the counter taps "sync".
            site.stop().await;
            site.restart_tuned(Tuning::default()).await;
            sync_until_all_confirmed(phone, 1).await;

            // Assert 2: the record is stored, once.
            let (id, _) = phone.records().await.into_iter().next().expect("the record is on the phone");
            let stored = site.records(&team).await;
            assert_eq!(stored.len(), filled + 1);
            assert_eq!(stored.iter().filter(|r| r["id"] == id.as_str()).count(), 1, "stored once");
        })
        .await;
}

/// Another device of the team syncs invented records until the database refuses a single one.
async fn fill_until_full(site: &Site, code: &str) {
    let http = reqwest::Client::new();
    let filler = http
        .post(site.url("/api/v1/enroll"))
        .json(&json!({ "code": code, "device_label": "filler" }))
        .reply()
        .await
        .assert_status(201)["device_token"]
        .as_str()
        .expect("a device token")
        .to_string();
    for batch_size in [100, 1] {
        let mut full = false;
        for _ in 0..1000 {
            let records: Vec<Value> = (0..batch_size).map(|_| api_record()).collect();
            let reply = http
                .post(site.url("/api/v1/sync"))
                .bearer_auth(&filler)
                .json(&json!({ "records": records }))
                .reply()
                .await;
            if reply.status == 503 {
                reply.assert_error(503, "storage_full");
                full = true;
                break;
            }
            reply.assert_status(200);
        }
        assert!(full, "1 MiB fills up");
    }
}
