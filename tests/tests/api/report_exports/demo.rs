//! The summary of the demo's example count of last year, word for word (its records are
//! invented but seeded, so always the same; only the date moves with today).

use ethos_tests::{spawn_app, SendExt};
use serde_json::Value;

/// A date as the Dutch summary writes it: `15 oktober 2025`.
fn dutch_date(iso: &str) -> String {
    const MONTHS: [&str; 12] = [
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ];
    let parts: Vec<usize> = iso.split('-').filter_map(|p| p.parse().ok()).collect();
    format!("{} {} {}", parts[2], MONTHS[parts[1] - 1], parts[0])
}

#[tokio::test]
async fn the_summary_of_the_demo_count_reads_word_for_word() {
    let app = spawn_app().await;
    ethos_server::cli::run(<ethos_server::cli::Cli as clap::Parser>::parse_from([
        "ethos",
        "demo",
        "--db",
        app.db_path().to_str().expect("a path"),
        "--bind",
        "127.0.0.1:8080",
    ]))
    .await
    .expect("the demo is set up");
    let analyst = app.analyst().await;
    let counts = app.get("/api/v1/counts").bearer_auth(&analyst).reply().await.assert_status(200);
    let example = counts["items"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["name"].as_str().is_some_and(|n| n.starts_with("Voorbeeld:"))))
        .expect("an example count")
        .clone();
    let id = example["id"].as_str().expect("an id");
    let date = dutch_date(example["reference_date"].as_str().expect("a date"));
    for disclosure in ["internal", "public"] {
        let path = format!("/api/v1/counts/{id}/summary?disclosure={disclosure}");
        let summary = app.get(&path).bearer_auth(&analyst).reply().await.assert_status(200);
        let sentences: Vec<&str> =
            summary["sentences"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
        let expected = [
            format!(
                "Op de peildatum ({date}) waren in Maastricht-Heuvelland 450 mensen dak- of thuisloos, van wie \
                 76 kinderen die met hun ouder meekwamen (374 personen zonder die kinderen)."
            ),
            "De grootste groep is telgroep 3 (opvang voor thuislozen): 114 personen, 30 procent van alle \
             getelde personen."
                .to_string(),
            "De meeste personen zijn geteld in Maastricht: 297, 79 procent van alle getelde personen.".to_string(),
            "66 procent van de getelde personen is man (248 van 374).".to_string(),
            "66 personen zijn jongeren van 18 tot en met 26 jaar (18 procent van alle getelde personen)."
                .to_string(),
            "87 personen kwamen van elders in Nederland; de grootste herkomstgemeente buiten de regio is \
             Heerlen (21)."
                .to_string(),
        ];
        // The estimate's sentence: its figures come from the report's `estimate` member (its
        // method is checked elsewhere), moved from N to all persons as published.
        let report = app
            .get(&format!("/api/v1/counts/{id}/report?disclosure={disclosure}"))
            .bearer_auth(&analyst)
            .reply()
            .await
            .assert_status(200);
        let e = &report["estimate"];
        if !e["not_possible"].is_null() {
            let mut want: Vec<String> = expected.to_vec();
            want.insert(
                1,
                "Een schatting van het aantal mensen dat geen enkele organisatie zag, staat niet in deze versie."
                    .into(),
            );
            assert_eq!(sentences, want, "{disclosure}, no estimate");
            continue;
        }
        let number = |v: &Value| v.as_f64().expect("a number");
        let offset = number(&e["total_estimate"]) - number(&e["estimate"]);
        let bound = |v: &Value| (number(v) + offset).round() as u64;
        let estimate = format!(
            "Met de mensen die geen enkele organisatie zag, beide zonder kinderen: geteld 374 personen zonder \
             kinderen; geschat {} (95 %-marge {}–{}).",
            number(&e["total_estimate"]).round() as u64,
            bound(&e["interval"]["lower"]),
            bound(&e["interval"]["upper"]),
        );
        let mut want: Vec<String> = expected.to_vec();
        want.insert(1, estimate);
        assert_eq!(sentences, want, "{disclosure}");
    }
}
