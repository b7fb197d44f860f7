//! A slip at the desk is forgiven: a person entered (and confirmed by the server) is chosen in
//! the desk's list, corrected in the form without typing the names again, and the server then
//! holds the same record as its next revision, with the same duplicate key. A changed gender is
//! part of the key: then the names and birth date are asked for again and the key is made anew.

use crate::desk::{all_keys, people};
use crate::phone::{Phone, LAPTOP};
use crate::site::Site;
use thirtyfour::Key;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_entered_at_the_desk_is_corrected_there_as_the_next_revision() {
    let site = Site::start().await;
    let team = site.team().await;
    let desk = Phone::open_on("desk-correct", site.url(""), LAPTOP).await;
    let people = people();
    // Someone not sleeping outside: the correction makes it "1.1".
    let person = people.iter().find(|p| p.living_situation != "1.1").expect("such a person");

    desk.run(async |desk| {
        // Arrange: one person entered by keyboard and confirmed.
        desk.open_page(&format!("/desk#code={}", team.code)).await;
        desk.wait_for("keyboard-panel").await;
        desk.wait_until("the first field in focus", "document.activeElement.id === 'desk-municipality'").await;
        for key in all_keys(person, true) {
            desk.keys(&key).await;
        }
        desk.wait_until(
            "the person confirmed",
            "document.querySelectorAll('[data-testid=\"desk-entry\"][data-state=\"confirmed\"]').length === 1",
        )
        .await;

        // Act: "Wijzig", then only the living situation changed and saved (Ctrl+Enter).
        desk.tap("desk-entry-correct").await;
        desk.wait_for("desk-editing").await;
        desk.wait_until("the first field in focus", "document.activeElement.id === 'desk-municipality'").await;
        let names = desk
            .eval("return ['desk-first-name','desk-family-name','desk-birth-date'].map(id => document.getElementById(id).value).join('');")
            .await;
        assert_eq!(names, serde_json::Value::String(String::new()), "no names come back: none were kept");
        desk.screenshot("desk-05-correcting").await;
        let ctrl_enter = format!("{}{}{}", char::from(Key::Control), char::from(Key::Enter), char::from(Key::Null));
        for key in [char::from(Key::Enter).to_string(), "1.1".to_string(), ctrl_enter.clone()] {
            desk.keys(&key).await;
        }
        desk.wait_until("the form back to a new person", "!document.querySelector('[data-testid=\"desk-editing\"]')").await;
        desk.wait_until(
            "the correction confirmed, still one person in the list",
            "document.querySelectorAll('[data-testid=\"desk-entry\"]').length === 1 && \
             document.querySelectorAll('[data-testid=\"desk-entry\"][data-state=\"confirmed\"]').length === 1 && \
             document.querySelector('[data-testid=\"desk-entry\"]').innerText.includes('1.1')",
        )
        .await;

        // Assert: one record on the server, revision 2, the new answer, the key and band kept.
        let records = site.records(&team).await;
        assert_eq!(records.len(), 1, "{records:#?}");
        let r = &records[0];
        assert_eq!(r["revision"], 2, "{r}");
        assert_eq!(r["living_situation"], "1.1", "{r}");
        assert!(r["dedup_key"].is_string(), "the key of the first entry stays: {r}");
        assert_ne!(r["profile"]["age_band"], "unknown", "the band of the first entry stays: {r}");
        assert_eq!(r["entry"], "desk");
        let first_key = r["dedup_key"].clone();

        // Act: only the gender changed (woman -> man): the key would still say woman.
        desk.tap("desk-entry-correct").await;
        desk.wait_for("desk-editing").await;
        desk.eval("document.getElementById('desk-gender').focus();").await;
        desk.keys("1").await;
        desk.keys(&ctrl_enter).await;
        desk.wait_until(
            "the names and birth date asked for again",
            "document.querySelector('[data-testid=\"desk-errors\"]').innerText.includes('voornaam, achternaam, geboortedatum')",
        )
        .await;
        desk.wait_until("the first name in focus", "document.activeElement.id === 'desk-first-name'").await;
        assert!(desk.eval("return !!document.querySelector('[data-testid=\"desk-editing\"]');").await == true);
        desk.screenshot("desk-06-gender-needs-names").await;
        let tab = char::from(Key::Tab);
        desk.keys(&format!("{}{tab}{}{tab}{}", person.first, person.family, person.typed_birth)).await;
        desk.keys(&ctrl_enter).await;
        desk.wait_until("the form back to a new person", "!document.querySelector('[data-testid=\"desk-editing\"]')").await;
        // The form closes before the correction reaches the outbox: until then the list still
        // shows the earlier revision, confirmed. So wait for the new gender as well.
        desk.wait_until(
            "the correction confirmed, still one person",
            "document.querySelectorAll('[data-testid=\"desk-entry\"]').length === 1 && \
             document.querySelectorAll('[data-testid=\"desk-entry\"][data-state=\"confirmed\"]').length === 1 && \
             document.querySelector('[data-testid=\"desk-entry\"] td:nth-child(3)').innerText.trim() === 'man'",
        )
        .await;

        // Assert: revision 3, the new gender, a new key (made from the names typed again).
        let records = site.records(&team).await;
        assert_eq!(records.len(), 1, "{records:#?}");
        let r = &records[0];
        assert_eq!(r["revision"], 3, "{r}");
        assert_eq!(r["profile"]["gender"], "man", "{r}");
        assert!(r["dedup_key"].is_string(), "{r}");
        assert_ne!(r["dedup_key"], first_key, "the key is made anew with the new gender: {r}");
        assert_eq!(r["living_situation"], "1.1", "the earlier correction stays: {r}");
    })
    .await;
}
