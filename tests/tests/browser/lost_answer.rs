//! A server answer lost in transit: the server stored the records, the phone never heard so.
//! The phone must send them again, and the server must store each of them once.

use crate::offline::sync_until_all_confirmed;
use crate::people::{record, UNKNOWN, ZOE};
use crate::phone::Phone;
use crate::proxy::LossyProxy;
use crate::site::Site;
use std::collections::BTreeSet;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_whose_sync_answer_was_lost_are_sent_again_and_stored_once() {
    // Arrange: the phone reaches the server through a proxy that can lose an answer, and
    // holds three records made while the server was down.
    let mut site = Site::start().await;
    let team = site.team().await;
    let proxy = LossyProxy::start(site.addr).await;
    let phone = Phone::open("lost-answer", format!("http://{}", proxy.addr)).await;

    phone
        .run(async |phone| {
            phone.enrol(&team.code).await;
            site.stop().await;
            record(phone, ZOE, false).await;
            record(phone, UNKNOWN, false).await;
            record(phone, UNKNOWN, false).await;
            phone.wait_for_records(3, "queued").await;
            let on_phone: BTreeSet<String> = phone.records().await.into_iter().map(|(id, _)| id).collect();

            // Act 1: the server is back, but the answer to the first sync gets lost.
            proxy.lose_next_sync_answer();
            site.restart().await;
            for _ in 0..50 {
                if proxy.answers_lost() == 1 {
                    break;
                }
                let busy = phone.attribute("sync-now", "aria-busy").await.as_deref() == Some("true");
                if !busy {
                    phone.tap("sync-now").await;
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            assert_eq!(proxy.answers_lost(), 1, "the proxy lost one sync answer");

            // Assert 1: the server has them all, the phone does not know and keeps them.
            let stored = site.records(&team).await;
            assert_eq!(stored.len(), 3, "the server committed the batch whose answer was lost");
            phone.wait_until(
                "the app to give up on the lost answer",
                "document.querySelector('[data-testid=\"sync-status\"]').innerText.includes('Geen verbinding')",
            )
            .await;
            phone.wait_for_records(3, "queued").await;
            assert_eq!(phone.number("tally-confirmed").await, 0);
            phone.screenshot("08-lost-answer-queued").await;

            // Act 2: the counter syncs again.
            sync_until_all_confirmed(phone, 3).await;

            // Assert 2: confirmed on the phone, each stored once, and the resend was
            // recognised as one the server already had.
            let stored = site.records(&team).await;
            let on_server: BTreeSet<String> =
                stored.iter().map(|r| r["id"].as_str().expect("an id").to_string()).collect();
            assert_eq!(stored.len(), 3, "each record stored once: {stored:#?}");
            assert_eq!(on_server, on_phone);
            let answers = proxy.delivered_sync_answers();
            assert_eq!(answers.matches(r#""status":"unchanged""#).count(), 3, "the resend is `unchanged`: {answers}");
            assert_eq!(answers.matches(r#""status":"stored""#).count(), 0, "nothing stored twice: {answers}");
            assert!(proxy.sync_requests() >= 2, "one lost and one resent sync request");
            phone.screenshot("09-lost-answer-confirmed").await;
        })
        .await;
}
