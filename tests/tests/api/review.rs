//! The duplicate review at scale: groups whose records differ first with what differs, filters,
//! pages, and one decision for every group whose records agree.

use ethos_tests::{key, record_with_key, spawn_app, Field, SendExt, TestApp};
use serde_json::{json, Value};

async fn page(app: &TestApp, field: &Field, query: &str) -> Value {
    app.get(&format!("/api/v1/counts/{}/duplicates{query}", field.count_id))
        .bearer_auth(&field.coordinator)
        .reply()
        .await
        .assert_status(200)
}

fn keys(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|g| g["dedup_key"].as_str().expect("key").into())
        .collect()
}

fn pair(n: u32) -> [Value; 2] {
    [record_with_key(&key(n)), record_with_key(&key(n))]
}

/// Two records of key `n` that disagree on the municipality and the gender.
fn differing_pair(n: u32) -> [Value; 2] {
    let [a, mut b] = pair(n);
    b["municipality"] = json!("GM0938");
    b["profile"]["gender"] = json!("woman");
    [a, b]
}

/// The report's `(persons, groups decided, groups undecided)`.
async fn decided_in_report(app: &TestApp, field: &Field) -> (Value, Value, Value) {
    let report = app
        .get(&format!("/api/v1/counts/{}/report?disclosure=internal", field.count_id))
        .bearer_auth(&field.coordinator)
        .reply()
        .await
        .assert_status(200);
    let q = &report["quality"];
    (
        report["persons_total"].clone(),
        q["resolved_duplicate_groups"].clone(),
        q["unresolved_duplicate_groups"].clone(),
    )
}

async fn resolve_consistent(app: &TestApp, field: &Field) -> Value {
    app.post(&format!("/api/v1/counts/{}/duplicates/resolve-consistent", field.count_id))
        .bearer_auth(&field.coordinator)
        .reply()
        .await
        .assert_status(200)
}

#[tokio::test]
async fn groups_whose_records_differ_come_first_and_say_what_differs() {
    // Arrange: key 1 agrees, key 2 differs, key 3 agrees but is decided
    let app = spawn_app().await;
    let field = app.field("live").await;
    let mut records: Vec<Value> = pair(1).into();
    records.extend(differing_pair(2));
    records.extend(pair(3));
    app.sync(&field.device.token, &records).await;
    app.post(&format!("/api/v1/counts/{}/duplicates/{}/resolve", field.count_id, key(3)))
        .bearer_auth(&field.coordinator)
        .json(&json!({ "decision": "different_people" }))
        .reply()
        .await
        .assert_status(200);

    // Act
    let all = page(&app, &field, "").await;
    let conflicts = page(&app, &field, "?filter=conflicts").await;
    let consistent = page(&app, &field, "?filter=consistent").await;
    let decided = page(&app, &field, "?filter=decided").await;

    // Assert
    assert_eq!(keys(&all), [key(2), key(1), key(3)]);
    assert_eq!(all["items"][0]["differs"], json!(["municipality", "gender"]));
    assert_eq!(all["items"][1]["differs"], json!([]));
    assert_eq!(all["tally"], json!({ "conflicts": 1, "consistent": 1, "decided": 1 }));
    assert_eq!(all["training"], false);
    assert_eq!(keys(&conflicts), [key(2)]);
    assert_eq!(keys(&consistent), [key(1)]);
    assert_eq!(keys(&decided), [key(3)]);
    assert_eq!(conflicts["tally"], all["tally"], "the tally is of every filter");
}

#[tokio::test]
async fn pages_cover_every_group_once() {
    let app = spawn_app().await;
    let field = app.field("live").await;
    let records: Vec<Value> = (1..=7).flat_map(pair).collect();
    app.sync(&field.device.token, &records).await;

    let mut seen = Vec::new();
    let mut offsets = Vec::new();
    let mut query = "?limit=3".to_string();
    loop {
        let p = page(&app, &field, &query).await;
        offsets.push(p["offset"].as_u64().expect("offset"));
        seen.extend(keys(&p));
        match p["next_offset"].as_u64() {
            Some(next) => query = format!("?limit=3&offset={next}"),
            None => break,
        }
    }

    assert_eq!(offsets, [0, 3, 6]);
    assert_eq!(seen, (1..=7).map(key).collect::<Vec<_>>());
}

#[tokio::test]
async fn a_bad_filter_or_page_is_validation_failed() {
    let app = spawn_app().await;
    let field = app.field("live").await;
    for (query, f) in [
        ("?filter=maybe", "filter"),
        ("?limit=0", "limit"),
        ("?limit=501", "limit"),
        ("?limit=x", "limit"),
        ("?offset=-1", "offset"),
    ] {
        app.get(&format!("/api/v1/counts/{}/duplicates{query}", field.count_id))
            .bearer_auth(&field.coordinator)
            .reply()
            .await
            .assert_validation(&[(f, "invalid_value")]);
    }
}

#[tokio::test]
async fn one_decision_makes_every_agreeing_group_the_same_person_audited_per_group() {
    // Arrange: three agreeing groups, one differing, one decided "different people"
    let app = spawn_app().await;
    let field = app.field("live").await;
    let mut records: Vec<Value> = (1..=3).flat_map(pair).collect();
    records.extend(differing_pair(4));
    records.extend(pair(5));
    app.sync(&field.device.token, &records).await;
    app.post(&format!("/api/v1/counts/{}/duplicates/{}/resolve", field.count_id, key(5)))
        .bearer_auth(&field.coordinator)
        .json(&json!({ "decision": "different_people" }))
        .reply()
        .await
        .assert_status(200);
    // Undecided groups count as one person already: "same person" keeps the persons.
    assert_eq!(decided_in_report(&app, &field).await, (json!(6), json!(1), json!(4)));
    let audited_before = app.audit_actions(&field.coordinator, &field.count_id).await.len();

    // Act
    let answer = resolve_consistent(&app, &field).await;

    // Assert
    assert_eq!(answer["resolved"], 3);
    assert_eq!(answer["keys"], json!([key(1), key(2), key(3)]));
    let all = page(&app, &field, "").await;
    assert_eq!(all["tally"], json!({ "conflicts": 1, "consistent": 0, "decided": 4 }));
    for g in all["items"].as_array().expect("items") {
        let k = g["dedup_key"].as_str().expect("key");
        let want = match k {
            k if k == key(4) => Value::Null,
            k if k == key(5) => json!("different_people"),
            _ => json!("same_person"),
        };
        assert_eq!(g["resolution"]["decision"].clone(), want, "{g}");
    }
    let log = app.audit_actions(&field.coordinator, &field.count_id).await;
    assert_eq!(log.len(), audited_before + 3, "{log:?}");
    assert!(log[..3].iter().all(|a| a == "duplicate.resolve"), "{log:?}");
    assert_eq!(decided_in_report(&app, &field).await, (json!(6), json!(4), json!(1)), "the report follows");
    assert_eq!(resolve_consistent(&app, &field).await["resolved"], 0, "nothing left to decide");
}

#[tokio::test]
async fn only_the_coordinator_decides_in_bulk() {
    let app = spawn_app().await;
    let field = app.field("live").await;
    app.sync(&field.device.token, &pair(1)).await;
    let analyst = app.analyst().await;

    app.post(&format!("/api/v1/counts/{}/duplicates/resolve-consistent", field.count_id))
        .bearer_auth(&analyst)
        .reply()
        .await
        .assert_error(403, "forbidden");
    app.post(&format!("/api/v1/counts/{}/duplicates/resolve-consistent", uuid::Uuid::now_v7()))
        .bearer_auth(&field.coordinator)
        .reply()
        .await
        .assert_error(404, "not_found");
    assert_eq!(page(&app, &field, "").await["tally"]["consistent"], 1, "nothing decided");
}

#[tokio::test]
async fn a_thousand_groups_come_fifty_to_a_page() {
    // Arrange: 1,000 groups of two records (2,000 records, four syncs of 500)
    let app = spawn_app().await;
    let field = app.field("live").await;
    let records: Vec<Value> = (1..=1000).flat_map(pair).collect();
    for batch in records.chunks(500) {
        app.sync(&field.device.token, batch).await;
    }

    // Act
    let started = std::time::Instant::now();
    let first = page(&app, &field, "?limit=50").await;
    let took = started.elapsed();
    let last = page(&app, &field, "?limit=50&offset=950").await;

    // Assert
    assert_eq!(first["items"].as_array().map(Vec::len), Some(50));
    assert_eq!(first["tally"]["consistent"], 1000);
    assert_eq!(first["next_offset"], 50);
    assert_eq!(keys(&last).last(), Some(&key(1000)));
    assert_eq!(last["next_offset"], Value::Null);
    println!("a page of 50 of 1,000 groups: {took:?}");
}
