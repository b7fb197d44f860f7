//! Enrolment: a counter joins the count with the team code, typed in or from the link.

use crate::phone::Phone;
use crate::site::Site;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_counter_enrols_by_typing_the_team_code_and_stays_enrolled_after_a_reload() {
    // Arrange
    let site = Site::start().await;
    let team = site.team().await;
    let phone = Phone::open("enrol-typed", site.url("")).await;

    phone
        .run(async |phone| {
            phone.open_page("/").await;
            phone.wait_for("enroll-code").await;
            phone.screenshot("01-enrolment").await;
            assert!(!phone.exists("ios-home-screen").await, "no iPhone advice on other phones");

            // Act: a typo first, then the right code in lower case.
            phone.type_into("enroll-code", "ZZZZ-ZZZZ").await;
            phone.tap("enroll-submit").await;
            phone
                .wait_until(
                    "an error under the code",
                    "document.querySelector('[data-testid=\"enroll-error\"]').innerText.trim().length > 0",
                )
                .await;
            let error = phone.text("enroll-error").await;
            phone.type_into("enroll-code", &team.code.to_lowercase()).await;
            phone.tap("enroll-submit").await;

            // Assert
            phone.wait_for("count-card").await;
            assert_eq!(phone.text("count-name").await, team.count_name);
            assert_eq!(phone.attribute("count-status", "data-status").await.as_deref(), Some("training"));
            assert!(phone.text("count-card").await.contains(ethos_tests::ORGANISATION));
            assert!(!error.is_empty(), "a wrong code is explained");
            phone.wait_for("sync-status").await;
            phone.screenshot("02-home").await;

            // The device token and the count are kept on the phone.
            phone.reload().await;
            phone.wait_for("count-card").await;
            assert_eq!(phone.text("count-name").await, team.count_name);
            assert!(!phone.exists("enroll-code").await, "no enrolment screen after a reload");
        })
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_counter_enrols_by_opening_the_enrol_link() {
    // Arrange
    let site = Site::start().await;
    let team = site.team().await;
    let phone = Phone::open("enrol-link", site.url("")).await;

    phone
        .run(async |phone| {
            // Act
            phone.open_page(&format!("/enroll#code={}", team.code)).await;

            // Assert
            phone.wait_for("count-card").await;
            assert_eq!(phone.text("count-name").await, team.count_name);
            assert_eq!(phone.attribute("count-status", "data-status").await.as_deref(), Some("training"));
            assert_eq!(phone.path().await, "/", "the code leaves the address bar");
        })
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_an_iphone_in_safari_the_enrolment_page_says_to_add_the_app_to_the_home_screen_first() {
    // Arrange: Safari's user agent on an iPhone.
    let site = Site::start().await;
    let safari = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 \
                  (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
    let phone = Phone::open_as("enrol-iphone", site.url(""), crate::phone::PHONE, Some(safari)).await;

    phone
        .run(async |phone| {
            // Act
            phone.open_page("/").await;
            phone.wait_for("enroll-code").await;

            // Assert: said before the code field, in plain Dutch.
            let advice = phone.text("ios-home-screen").await;
            assert!(
                advice.contains("Zet op beginscherm") && advice.contains("beginscherm en meld je daar aan"),
                "{advice}"
            );
            let above = phone
                .eval(
                    "return document.querySelector('[data-testid=\"ios-home-screen\"]')
                        .compareDocumentPosition(document.getElementById('enroll-code'))
                        === Node.DOCUMENT_POSITION_FOLLOWING;",
                )
                .await;
            assert_eq!(above, serde_json::json!(true), "the advice comes before the code field");
            phone.screenshot("field-07-iphone-enrolment").await;
        })
        .await;
}
