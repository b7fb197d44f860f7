//! The desk (`/desk`) on a laptop: enrolled by the team-code link, three known persons entered
//! by keyboard only (keystrokes counted), stored by the server as the answers typed with
//! `entry: desk`, `observed_at` the reference night and the duplicate key of the shared rule;
//! the typed names and birth dates in no request and no database file; after a reload the
//! desk still lists them. Every byte the browser sends goes through a recording proxy.

use crate::phone::{Phone, LAPTOP};
use crate::recorder::Recorder;
use crate::site::Site;
use chrono::{DateTime, NaiveDate};
use ethos_shared::dedup_key::dedup_key;
use ethos_shared::profile::{AgeBand, Gender};
use serde_json::Value;
use std::time::Instant;
use thirtyfour::Key;

/// One person as the desk worker types it, and what the server must then hold.
pub(crate) struct Person {
    pub(crate) first: &'static str,
    pub(crate) family: &'static str,
    /// As typed, `dd-mm-jjjj`.
    pub(crate) typed_birth: &'static str,
    birth: &'static str,
    gender: Gender,
    /// The keys after the birth date (gender onwards).
    keys: Vec<String>,
    pub(crate) living_situation: &'static str,
    origin: Value,
    expect: Value,
}

fn k(key: Key) -> String {
    char::from(key).to_string()
}

pub(crate) fn people() -> Vec<Person> {
    let enter = || k(Key::Enter);
    vec![
        Person {
            first: "Wilhelmina",
            family: "van der Zanden",
            typed_birth: "17-05-1980",
            birth: "1980-05-17",
            gender: Gender::Woman,
            // vrouw, alleen (children follow), 6-12 months, Dutch, benefit, psychiatric +
            // addiction, shelter before, housing first.
            keys: vec![
                "2".into(),
                enter(),
                "1".into(),
                enter(),
                "4".into(),
                enter(),
                "1".into(),
                enter(),
                "3".into(),
                enter(),
                " ".into(),
                k(Key::Tab),
                " ".into(),
                enter(),
                "2".into(),
                enter(),
                "3".into(),
                enter(),
            ],
            living_situation: "3.1",
            origin: serde_json::json!({"kind": "municipality", "code": "GM0917"}),
            expect: serde_json::json!({"gender": "woman", "household": "alone", "children": 0,
                "duration": "6-12m", "residence_status": "dutch", "income": "benefit",
                "care_needs": ["psychiatric", "addiction"], "previous_facility": "shelter",
                "housing_need": "housing_first"}),
        },
        Person {
            first: "Ödön",
            family: "El-Amrani",
            typed_birth: "03-02-2001",
            birth: "2001-02-03",
            gender: Gender::Man,
            // man, then "rest onbekend" (Alt+O) and Enter on "Opslaan en volgende".
            keys: vec!["1".into(), format!("{}o{}", char::from(Key::Alt), char::from(Key::Null)), enter()],
            living_situation: "1.1",
            origin: serde_json::json!({"kind": "abroad"}),
            expect: serde_json::json!({"gender": "man", "household": "unknown", "children": "unknown",
                "duration": "unknown", "residence_status": "unknown", "income": "unknown",
                "care_needs": ["unknown"], "previous_facility": "unknown", "housing_need": "unknown"}),
        },
        Person {
            first: "Zoë",
            family: "de Vries",
            typed_birth: "31121999",
            birth: "1999-12-31",
            gender: Gender::Woman,
            // vrouw, met kinderen, 2 children, then Ctrl+Enter: the rest stays onbekend.
            keys: vec![
                "2".into(),
                enter(),
                "3".into(),
                enter(),
                "2".into(),
                format!("{}{}{}", char::from(Key::Control), char::from(Key::Enter), char::from(Key::Null)),
            ],
            living_situation: "8.1",
            origin: serde_json::json!({"kind": "unknown"}),
            expect: serde_json::json!({"gender": "woman", "household": "with_children", "children": 2,
                "duration": "unknown", "residence_status": "unknown", "income": "unknown",
                "care_needs": ["unknown"], "previous_facility": "unknown", "housing_need": "unknown"}),
        },
    ]
}

/// The keys of a person, from the municipality (the first field, in focus) to the save.
pub(crate) fn all_keys(p: &Person, first: bool) -> Vec<String> {
    let enter = k(Key::Enter);
    let tab = k(Key::Tab);
    let origin = match p.origin["kind"].as_str() {
        Some("municipality") => "hoensbroek",
        Some("abroad") => "buitenl",
        _ => "",
    };
    // The first person's municipality is chosen by typing; later ones keep it (Enter).
    let mut keys = vec![];
    if first {
        keys.push("maa".to_string());
    }
    keys.extend([enter.clone(), p.living_situation.to_string(), enter.clone()]);
    if !origin.is_empty() {
        keys.push(origin.to_string());
    }
    keys.extend([enter.clone(), p.first.to_string(), tab.clone(), p.family.to_string(), tab]);
    keys.extend([p.typed_birth.to_string(), enter]);
    keys.extend(p.keys.iter().cloned());
    keys
}

/// Keystrokes in a key sequence: every character is one key press (a chord counts its keys,
/// its closing `Null` none).
fn keystrokes(keys: &[String]) -> usize {
    keys.iter().map(|s| s.chars().filter(|c| *c != char::from(Key::Null)).count()).sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_desk_enters_three_known_persons_by_keyboard_without_names_leaving_the_browser() {
    // Arrange: the server behind a proxy that keeps every byte the browser sends.
    let site = Site::start().await;
    let team = site.team().await;
    let proxy = Recorder::start(site.addr).await;
    let origin = format!("http://{}", proxy.addr);
    let desk = Phone::open_on("desk", origin.clone(), LAPTOP).await;
    let people = people();

    let timings = desk
        .run(async |desk| {
            desk.open_page(&format!("/desk#code={}", team.code)).await;
            desk.wait_for("keyboard-panel").await;
            assert_eq!(desk.path().await, "/desk", "the code leaves the address bar");
            assert!(desk.text("way-keyboard").await.contains("een paar personen"));
            assert!(desk.text("way-sheet").await.contains("veel personen"));
            desk.wait_until("the first field in focus", "document.activeElement.id === 'desk-municipality'").await;
            desk.screenshot("desk-01-empty").await;

            // Act: three persons, keyboard only.
            let mut timings = Vec::new();
            for (i, p) in people.iter().enumerate() {
                let keys = all_keys(p, i == 0);
                let started = Instant::now();
                for (j, key) in keys.iter().enumerate() {
                    if i == 0 && j + 1 == keys.len() {
                        desk.screenshot("desk-02-filled").await;
                    }
                    desk.keys(key).await;
                }
                desk.wait_until(
                    &format!("person {} in the list", i + 1),
                    &format!("document.querySelectorAll('[data-testid=\"desk-entry\"]').length === {}", i + 1),
                )
                .await;
                timings.push((keystrokes(&keys), started.elapsed()));
                desk.wait_until("the first field in focus again", "document.activeElement.id === 'desk-municipality'")
                    .await;
                let cleared = desk
                    .eval("return ['desk-first-name','desk-family-name','desk-birth-date','desk-origin'].map(id => document.getElementById(id).value).join('');")
                    .await;
                assert_eq!(cleared, Value::String(String::new()), "the form is empty for the next person");
            }
            desk.wait_until(
                "three records confirmed",
                "Array.from(document.querySelectorAll('[data-testid=\"desk-entry\"]')).filter(e => e.dataset.state === 'confirmed').length === 3",
            )
            .await;
            desk.scroll_to("desk-entries").await;
            desk.screenshot("desk-03-entered").await;

            // A reload (the next day, say): the desk still lists what was entered on it.
            desk.reload().await;
            desk.wait_until(
                "three records listed after a reload",
                "document.querySelectorAll('[data-testid=\"desk-entry\"][data-state=\"confirmed\"]').length === 3",
            )
            .await;
            let page = desk.text("desk-entries").await;
            for p in &people {
                assert!(!page.contains(p.first) && !page.contains(p.family), "no names in the list");
            }

            // The same person again, days later: the desk says so before saving.
            let p = &people[0];
            desk.tap("desk-first-name").await;
            let (tab, enter) = (k(Key::Tab), k(Key::Enter));
            desk.keys(&format!("{}{tab}{}{tab}{}{enter}2", p.first, p.family, p.typed_birth)).await;
            desk.wait_for("desk-duplicate").await;

            // English on request.
            desk.tap("lang-switch").await;
            desk.wait_until("the page in English", "document.documentElement.lang === 'en'").await;
            assert!(desk.text("keyboard-panel").await.contains("Quick entry"));
            assert!(desk.text("desk-entries").await.contains("confirmed by the server"));
            desk.screenshot("desk-04-english").await;
            timings
        })
        .await;

    let (keys, took) = timings[0];
    eprintln!(
        "desk: a known person in {keys} keystrokes ({took:.1?} typed by WebDriver); all three: {:?}",
        timings.iter().map(|(k, _)| *k).collect::<Vec<_>>()
    );

    // Assert: the server holds the three, as typed.
    let (count, secret) = site.count_and_secret(&team).await;
    let secret = secret.as_str();
    let starts_at =
        DateTime::parse_from_rfc3339(count["starts_at"].as_str().expect("starts_at")).expect("a time");
    let reference: NaiveDate =
        count["reference_date"].as_str().expect("reference_date").parse().expect("a date");
    let records = site.records(&team).await;
    assert_eq!(records.len(), 3, "{records:#?}");
    for p in &people {
        let birth: NaiveDate = p.birth.parse().expect("a date");
        let key = dedup_key(secret, p.first, p.family, Some(birth), p.gender).expect("a key");
        let r = records
            .iter()
            .find(|r| r["dedup_key"].as_str() == Some(key.as_str()))
            .unwrap_or_else(|| panic!("{}'s key {} among {records:#?}", p.first, key.as_str()));
        let observed =
            DateTime::parse_from_rfc3339(r["observed_at"].as_str().expect("observed_at")).expect("a time");
        assert_eq!(observed, starts_at, "the reference night");
        assert_eq!(r["municipality"], "GM0935");
        assert_eq!(r["living_situation"], p.living_situation);
        assert_eq!(r["origin"], p.origin);
        assert_eq!(r["profile"]["age_band"], AgeBand::on_date(birth, reference).code());
        for (field, value) in p.expect.as_object().expect("fields") {
            assert_eq!(&r["profile"][field], value, "{} {field}", p.first);
        }
        assert_eq!(r["entry"], "desk", "{r}");
    }

    // No request and no database file holds a typed name or birth date.
    let sent = proxy.sent();
    assert!(contains(&sent, b"POST /api/v1/sync"), "the records went through the proxy");
    assert!(contains(&sent, br#""entry":"desk""#), "the desk sends entry: desk");
    let mut stored = Vec::new();
    for suffix in ["", "-wal", "-shm"] {
        let path = format!("{}{suffix}", site.db_path().display());
        stored.extend(std::fs::read(&path).unwrap_or_default());
    }
    let first_key = records[0]["dedup_key"].as_str().expect("a key");
    assert!(contains(&stored, first_key.as_bytes()), "the database files were read: they hold the keys");
    for p in &people {
        for secret in [p.first, p.family, p.typed_birth, p.birth] {
            assert!(!contains(&sent, secret.as_bytes()), "{secret} was sent");
            assert!(!contains(&stored, secret.as_bytes()), "{secret} is in the database");
        }
    }

    assert!(keys <= 90, "a known person takes {keys} keystrokes");
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
