//! The count-day flow as a stressed counter meets it: a correction while the phone syncs, a
//! draft that survives a reload, Back and "Stoppen", and records of a revoked team code that
//! stay on the phone (screenshots `field-*.png`).

use crate::offline::sync_until_all_confirmed;
use crate::people::{record, to_origin_question, UNKNOWN};
use crate::phone::Phone;
use crate::site::{Site, Team};
use serde_json::{json, Value};

/// A second team code of the count, for another organisation: (invite id, code).
async fn another_code(site: &Site, team: &Team, organisation: &str) -> (String, String) {
    let invite: Value = reqwest::Client::new()
        .post(site.url(&format!("/api/v1/counts/{}/invites", team.count_id)))
        .bearer_auth(&team.coordinator)
        .json(&json!({ "organisation": organisation, "organisation_type": "outreach" }))
        .send()
        .await
        .expect("the invite request")
        .json()
        .await
        .expect("an invite");
    let text = |k: &str| invite[k].as_str().unwrap_or_else(|| panic!("{k} in {invite}")).to_string();
    (text("id"), text("code"))
}

/// The first three questions of a person only observed, then "rest onbekend" to the review.
async fn observed_only(phone: &Phone) {
    to_origin_question(phone, "branch-night_shelter").await;
    phone.tap("origin-unknown").await;
    phone.wait_for_question("Person").await;
    phone.reveal("rest-unknown").await;
    phone.tap("rest-unknown").await;
    phone.wait_for("review").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_correction_made_while_the_phone_syncs_is_saved_as_the_next_revision() {
    // Arrange: a record saved offline, so it is still waiting when the counter opens it.
    let mut site = Site::start().await;
    let team = site.team().await;
    let phone = Phone::open("field-correct", site.url("")).await;

    phone
        .run(async |phone| {
            phone.enrol(&team.code).await;
            phone.wait_for_service_worker().await;
            site.stop().await;
            observed_only(phone).await;
            phone.screenshot("field-01-review-rest-unknown").await;
            phone.tap("save-record").await;
            phone.wait_for_records(1, "queued").await;

            // Act: the counter opens the record to correct it; meanwhile the network is back
            // and the phone syncs it (the server confirms revision 1).
            phone.tap("record-edit").await;
            phone.wait_for("review").await;
            site.restart().await;
            phone.eval("window.dispatchEvent(new Event('online')); return true;").await;
            for _ in 0..100 {
                if site.records(&team).await.len() == 1 {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            assert_eq!(site.records(&team).await[0]["revision"], 1, "confirmed during the edit");
            phone.tap("review-edit-Household").await;
            phone.wait_for_question("Household").await;
            phone.tap("answer-alone").await;
            phone.wait_for("review").await;
            phone.tap("save-record").await;

            // Assert: saved as revision 2, no dead end; the server holds revision 2.
            phone.wait_for("new-record").await;
            assert!(!phone.exists("save-errors").await, "back on the home screen, no error");
            sync_until_all_confirmed(phone, 1).await;
            assert_eq!(phone.attribute("record-item", "data-revision").await.as_deref(), Some("2"));
            let stored = site.records(&team).await;
            assert_eq!((stored.len(), &stored[0]["revision"]), (1, &json!(2)), "{stored:#?}");
            assert_eq!(stored[0]["profile"]["household"], "alone");
            // A confirmed record can still be corrected during the count.
            assert!(phone.exists("record-edit").await, "Wijzig stays on a confirmed record");
            assert!(!phone.exists("storage-warning").await, "nothing waits: no storage warning");
            phone.screenshot("field-02-home-corrected").await;
        })
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_draft_survives_a_reload_back_goes_to_the_previous_question_and_stoppen_asks_first() {
    let site = Site::start().await;
    let team = site.team().await;
    let phone = Phone::open("field-draft", site.url("")).await;

    phone
        .run(async |phone| {
            phone.enrol(&team.code).await;
            to_origin_question(phone, "branch-street").await;
            phone.tap("origin-abroad").await;
            phone.wait_for_question("Person").await;

            // Act 1: the page is reloaded (or the browser discarded the tab).
            phone.reload().await;

            // Assert 1: the answers are offered again, at the question the counter was on.
            phone.wait_for("draft-card").await;
            phone.screenshot("field-03-draft-kept").await;
            phone.tap("draft-resume").await;
            phone.wait_for_question("Person").await;

            // Act 2: the Back button, then the browser's Back gesture.
            phone.tap("flow-back").await;
            phone.wait_for_question("Origin").await;
            assert_eq!(phone.attribute("origin-abroad", "aria-pressed").await.as_deref(), Some("true"));
            phone.eval("history.back(); return true;").await;

            // Assert 2: the gesture goes to the previous question, the app stays.
            phone.wait_for_question("Municipality").await;
            assert!(phone.exists("question").await);

            // Act 3: "Stoppen" asks first; "Nee" keeps everything.
            phone.tap("flow-cancel").await;
            phone.wait_for("stop-confirm").await;
            phone.screenshot("field-04-stop-asks").await;
            phone.tap("stop-continue").await;
            assert!(!phone.exists("stop-confirm").await);
            phone.wait_for_question("Municipality").await;
            phone.tap("flow-cancel").await;
            phone.wait_for("stop-confirm").await;
            phone.tap("stop-discard").await;

            // Assert 3: thrown away only now, also after a reload.
            phone.wait_for("new-record").await;
            assert!(!phone.exists("draft-card").await);
            phone.reload().await;
            phone.wait_for("new-record").await;
            phone.wait_for("sync-status").await;
            assert!(!phone.exists("draft-card").await, "the discarded draft is gone for good");
            assert!(phone.exists("empty-list").await, "nothing was saved");
        })
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_of_a_revoked_code_stay_on_the_phone_offer_export_and_never_go_with_the_next_code() {
    let mut site = Site::start().await;
    let team = site.team().await;
    let (first_id, first_code) = another_code(&site, &team, "Inloop Heuvelland").await;
    let (_, second_code) = another_code(&site, &team, "Straatpastoraat Maastricht").await;
    let phone = Phone::open("field-revoked", site.url("")).await;

    phone
        .run(async |phone| {
            phone.open_page(&format!("/enroll#code={first_code}")).await;
            phone.wait_for("count-card").await;
            phone.wait_for_service_worker().await;
            site.stop().await;
            record(phone, UNKNOWN, false).await;
            record(phone, UNKNOWN, false).await;
            phone.wait_for_records(2, "queued").await;

            // Act 1: the coordinator revokes the code before the phone could send.
            site.restart().await;
            let revoked = reqwest::Client::new()
                .delete(site.url(&format!("/api/v1/invites/{first_id}")))
                .bearer_auth(&team.coordinator)
                .send()
                .await
                .expect("the revoke request");
            assert_eq!(revoked.status(), 204);
            phone.tap("sync-now").await;

            // Assert 1: kept, said in plain Dutch, export offered.
            phone.wait_for("stranded-banner").await;
            let banner = phone.text("stranded-banner").await;
            assert!(banner.contains("2 records van Inloop Heuvelland"), "{banner}");
            assert!(banner.contains("ingetrokken") && banner.contains("Exporteer wachtrij"), "{banner}");
            assert!(phone.exists("stranded-export").await);
            phone.wait_for_records(2, "queued").await;
            // Without persistent storage (headless Chromium grants none here) the home screen
            // says so while records wait.
            let persisted = phone.eval("return navigator.storage.persisted();").await;
            assert_eq!(
                phone.exists("storage-warning").await,
                persisted == json!(false),
                "persisted: {persisted}"
            );
            phone.screenshot("field-05-revoked-kept").await;

            // Act 2: the counter enrols with another organisation's code and records on.
            phone.open_page(&format!("/enroll#code={second_code}")).await;
            phone.wait_for("enroll-submit").await;
            phone.tap("enroll-submit").await;
            phone.wait_for("count-card").await;
            assert!(phone.text("count-card").await.contains("Straatpastoraat Maastricht"));
            record(phone, UNKNOWN, false).await;
            for _ in 0..100 {
                if !site.records(&team).await.is_empty() {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            phone.tap("sync-now").await;
            tokio::time::sleep(std::time::Duration::from_secs(2)).await;

            // Assert 2: only the new record went, under the new organisation; the old two stay.
            let stored = site.records(&team).await;
            assert_eq!(stored.len(), 1, "{stored:#?}");
            assert_eq!(stored[0]["organisation"], "Straatpastoraat Maastricht");
            let states: Vec<String> = phone.records().await.into_iter().map(|(_, s)| s).collect();
            assert_eq!(states.iter().filter(|s| *s == "queued").count(), 2, "{states:?}");
            assert!(phone.text("stranded-banner").await.contains("Inloop Heuvelland"));
            phone.screenshot("field-06-second-code").await;
        })
        .await;
}
