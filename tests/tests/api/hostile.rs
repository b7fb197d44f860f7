//! Hostile bodies: deep nesting, huge numbers, wrong types and unicode edge cases. The server
//! may refuse them (4xx with the error body) or judge each record, but never answers 5xx, and it
//! still serves everything afterwards.

use ethos_tests::{key, record, spawn_app, Reply, SendExt, TestApp};
use serde_json::{json, Value};

/// A sync body with one record whose `field` (a JSON pointer) is replaced by raw JSON text.
fn with_raw(pointer: &str, raw: &str) -> Vec<u8> {
    const MARK: &str = "\"__HOSTILE__\"";
    let mut r = record();
    *r.pointer_mut(pointer).unwrap_or_else(|| panic!("{pointer}")) = json!("__HOSTILE__");
    json!({ "records": [r] }).to_string().replace(MARK, raw).into_bytes()
}

fn sync_bodies() -> Vec<(String, Vec<u8>)> {
    let mut bodies: Vec<(String, Vec<u8>)> = Vec::new();
    let mut add = |what: &str, body: Vec<u8>| bodies.push((what.to_string(), body));

    // Deep nesting
    add(
        "records nested 100,000 deep",
        format!("{{\"records\":{}{}}}", "[".repeat(100_000), "]".repeat(100_000)).into_bytes(),
    );
    add(
        "a profile nested 5,000 deep",
        with_raw("/profile", &format!("{}1{}", "{\"a\":".repeat(5_000), "}".repeat(5_000))),
    );
    add("an id nested 120 deep", with_raw("/id", &format!("{}1{}", "[".repeat(120), "]".repeat(120))));
    add("unclosed nesting", "{\"records\":[[[[[[[[[[".as_bytes().to_vec());

    // Huge and odd numbers
    for raw in [
        "1e400",
        "-1e400",
        "18446744073709551616",
        "4294967296",
        "4294967295",
        "-1",
        "0",
        "1.5",
        "1e2",
        "-0",
        &format!("1{}", "0".repeat(10_000)),
    ] {
        add(&format!("revision {}", &raw[..raw.len().min(20)]), with_raw("/revision", raw));
    }
    for raw in ["1e308", "20.0", "21", "255", "256", "-1", "1e-320", "99999999999999999999999"] {
        add(&format!("children {raw}"), with_raw("/profile/children", raw));
    }

    // Wrong types
    add("records of every JSON type", br#"{"records":[null,true,1,"x",[],{},1.5]}"#.to_vec());
    add("records twice in one object", br#"{"records":[],"records":5}"#.to_vec());
    for (pointer, raw) in [
        ("/id", "123"),
        ("/id", "{\"$oid\":\"x\"}"),
        ("/id", "\"00000000-0000-0000-0000-000000000000\""),
        ("/id", "\"not-a-uuid\""),
        ("/observed_at", "1700000000"),
        ("/observed_at", "\"yesterday\""),
        ("/origin", "\"GM0935\""),
        ("/origin", "{\"kind\":\"municipality\"}"),
        ("/origin", "{\"kind\":\"mars\",\"code\":\"GM0935\"}"),
        ("/origin", "{\"kind\":\"municipality\",\"code\":\"GM9999\"}"),
        ("/origin", "{\"kind\":\"abroad\",\"code\":\"GM0935\"}"),
        ("/profile", "[]"),
        ("/profile", "\"unknown\""),
        ("/profile/care_needs", "\"addiction\""),
        ("/profile/care_needs", "[]"),
        ("/profile/care_needs", "[[\"addiction\"]]"),
        ("/profile/care_needs", "[\"addiction\",\"addiction\",\"addiction\"]"),
        ("/profile/care_needs", "[\"unknown\",\"none\"]"),
        ("/dedup_key", "123"),
        ("/dedup_key", &format!("\"{}\"", "G".repeat(64))),
        ("/dedup_key", &format!("\"{}\"", "é".repeat(32))),
        ("/dedup_key", &format!("\"{}\"", "a".repeat(100_000))),
        ("/training", "\"yes\""),
        ("/training", "1"),
        ("/municipality", "[\"GM0935\"]"),
        ("/living_situation", "1.1"),
    ] {
        let shown: String = raw.chars().take(40).collect();
        add(&format!("{pointer} = {shown}"), with_raw(pointer, raw));
    }

    // Times at the edges
    for raw in [
        "0000-01-01T00:00:00Z",
        "9999-12-31T23:59:59+23:59",
        "2026-02-30T00:00:00Z",
        "2026-10-15T25:00:00Z",
        "2026-10-15T22:40:60Z",
        "2026-10-15T22:40:00.999999999999+02:00",
        "+275760-09-13T00:00:00Z",
        "2026-10-15T22:40:00+99:00",
        "2026-10-15",
    ] {
        add(&format!("observed_at {raw}"), with_raw("/observed_at", &format!("\"{raw}\"")));
    }
    let leap = format!("\"{}:60+01:00\"", ethos_tests::hours_from_now(-1).format("%Y-%m-%dT%H:%M"));
    add("a leap second inside the window", with_raw("/observed_at", &leap));

    // Unicode edge cases
    for (pointer, raw) in [
        ("/id", "\"\\u0000\""),
        ("/municipality", "\"GM0935\\u0000\""),
        ("/living_situation", "\"１.１\""),
        ("/profile/gender", "\"man\\u200b\""),
        ("/profile/gender", "\"MAN\""),
        ("/profile/gender", "\"\\ud83d\\ude00\""),
        ("/profile/age_band", "\"\\u202e71-0\""),
        ("/profile/income", "\"be\\u0301nefit\""),
        ("/id", "\"\\ud800\""),
        ("/id", "\"\\udfff\\ud800\""),
    ] {
        add(&format!("{pointer} = {raw}"), with_raw(pointer, raw));
    }
    let mut extra = record();
    extra["名前"] = json!("\u{1F600}\u{202E}\u{FEFF}\u{0}");
    add(
        "an extra field with a unicode name and control characters",
        json!({ "records": [extra] }).to_string().into_bytes(),
    );
    let mut bom = "\u{FEFF}".as_bytes().to_vec();
    bom.extend_from_slice(json!({ "records": [record()] }).to_string().as_bytes());
    add("a byte order mark before the body", bom);
    let mut invalid_utf8 = with_raw("/profile/gender", "\"m@@an\"");
    let at = invalid_utf8.windows(2).position(|w| w == b"@@").expect("the mark");
    invalid_utf8.splice(at..at + 2, [0xff, 0xc0, 0xaf]);
    add("bytes that are not UTF-8 inside a string", invalid_utf8);
    add("a raw control character inside a string", with_raw("/profile/gender", "\"m\u{1}an\""));
    add("a NUL byte outside a string", b"{\"records\":[]}\0".to_vec());

    // Many bad records at once
    let many: Vec<Value> = (0..500).map(|i| json!({ "id": i, "profile": { "children": -i } })).collect();
    add("500 records that are all wrong", json!({ "records": many }).to_string().into_bytes());
    bodies
}

/// Something wrong with an answer, or `None` when it is acceptable.
fn problem(reply: &Reply) -> Option<String> {
    if reply.status.is_server_error() {
        return Some(format!("{} {}", reply.status, reply.text));
    }
    if reply.status.is_client_error() {
        let ok = serde_json::from_str::<Value>(&reply.text)
            .is_ok_and(|body| body["code"].is_string() && body["message"].is_string());
        if !ok {
            return Some(format!("{} without the error body: {:?}", reply.status, reply.text));
        }
    }
    None
}

async fn post_raw(app: &TestApp, path: &str, token: Option<&str>, body: Vec<u8>) -> Reply {
    let mut req = app.post(path).header("content-type", "application/json").body(body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.reply().await
}

#[tokio::test]
async fn hostile_sync_bodies_never_get_a_5xx_and_the_server_keeps_serving() {
    // Arrange
    let app = spawn_app().await;
    let field = app.field("live").await;
    let mut problems = Vec::new();

    for (what, body) in sync_bodies() {
        // Act
        let reply = post_raw(&app, "/api/v1/sync", Some(&field.device.token), body).await;

        // Assert (collected, so one run lists every problem)
        if let Some(p) = problem(&reply) {
            problems.push(format!("{what}: {p}"));
        } else if reply.status.is_success() {
            let results = reply.json()["results"].clone();
            let statuses = ["stored", "unchanged", "updated", "conflict", "rejected"];
            for r in results.as_array().cloned().unwrap_or_default() {
                if !statuses.iter().any(|s| r["status"] == *s) {
                    problems.push(format!("{what}: odd result {r}"));
                }
            }
        }
    }

    // Everything stored can still be read back
    for path in [
        format!("/api/v1/counts/{}/records?limit=1000", field.count_id),
        format!("/api/v1/counts/{}/records.csv", field.count_id),
        format!("/api/v1/counts/{}/duplicates", field.count_id),
        format!("/api/v1/counts/{}/audit", field.count_id),
    ] {
        let reply = app.get(&path).bearer_auth(&field.coordinator).reply().await;
        if reply.status.as_u16() != 200 {
            problems.push(format!("GET {path} afterwards: {} {}", reply.status, reply.text));
        }
    }
    let health = app.get("/healthz").reply().await;
    assert_eq!(health.status.as_u16(), 200, "{}", health.text);
    assert!(problems.is_empty(), "{} problem(s):\n{}", problems.len(), problems.join("\n"));
}

#[tokio::test]
async fn hostile_bodies_on_the_other_endpoints_never_get_a_5xx() {
    // Arrange
    let app = spawn_app().await;
    let field = app.field("live").await;
    let c = Some(field.coordinator.as_str());
    let long = "x".repeat(200_000);
    let deep = format!("{}{}", "[".repeat(50_000), "]".repeat(50_000));
    let count = |name: &str, reference: &str, start: &str, end: &str| {
        json!({ "name": name, "reference_date": reference, "starts_at": start, "ends_at": end }).to_string()
    };
    let window = ("2026-10-15T20:00:00+02:00", "2026-10-16T20:00:00+02:00");
    let cases: Vec<(&str, String, Option<&str>, String)> = vec![
        ("login deep", "/api/v1/login".into(), None, deep.clone()),
        ("login types", "/api/v1/login".into(), None, r#"{"username":1,"password":["x"]}"#.into()),
        (
            "login huge",
            "/api/v1/login".into(),
            None,
            json!({ "username": long, "password": long }).to_string(),
        ),
        (
            "login nul",
            "/api/v1/login".into(),
            None,
            r#"{"username":"co\u0000ordinator","password":"\ud800"}"#.into(),
        ),
        ("count deep", "/api/v1/counts".into(), c, deep.clone()),
        ("count name long", "/api/v1/counts".into(), c, count(&long, "2026-10-15", window.0, window.1)),
        (
            "count name control",
            "/api/v1/counts".into(),
            c,
            count("a\u{0}b\u{202e}", "2026-10-15", window.0, window.1),
        ),
        (
            "count year 0",
            "/api/v1/counts".into(),
            c,
            count("x", "0000-01-01", "0000-01-01T00:00:00Z", window.1),
        ),
        (
            "count year 9999",
            "/api/v1/counts".into(),
            c,
            count("x", "9999-12-31", window.0, "9999-12-31T23:59:59-23:59"),
        ),
        ("count year +10000", "/api/v1/counts".into(), c, count("x", "+10000-01-01", window.0, window.1)),
        (
            "count numbers",
            "/api/v1/counts".into(),
            c,
            r#"{"name":1e400,"reference_date":2026,"starts_at":0,"ends_at":-1}"#.into(),
        ),
        ("count array", "/api/v1/counts".into(), c, "[]".into()),
        ("status number", format!("/api/v1/counts/{}/status", field.count_id), c, r#"{"status":1}"#.into()),
        (
            "status unicode",
            format!("/api/v1/counts/{}/status", field.count_id),
            c,
            r#"{"status":"ｌｉｖｅ"}"#.into(),
        ),
        (
            "invite long",
            format!("/api/v1/counts/{}/invites", field.count_id),
            c,
            json!({ "organisation": long }).to_string(),
        ),
        (
            "invite expiry",
            format!("/api/v1/counts/{}/invites", field.count_id),
            c,
            r#"{"organisation":"x","expires_at":"+275760-09-13T00:00:00Z"}"#.into(),
        ),
        (
            "invite far expiry",
            format!("/api/v1/counts/{}/invites", field.count_id),
            c,
            r#"{"organisation":"x","expires_at":"9999-12-31T23:59:59Z"}"#.into(),
        ),
        ("enroll fullwidth", "/api/v1/enroll".into(), None, r#"{"code":"ＡＢＣＤ-ＥＦＧＨ"}"#.into()),
        (
            "enroll long",
            "/api/v1/enroll".into(),
            None,
            json!({ "code": long, "device_label": long }).to_string(),
        ),
        ("enroll types", "/api/v1/enroll".into(), None, r#"{"code":["AAAA-AAAA"]}"#.into()),
        (
            "void long reason",
            format!("/api/v1/records/{}/void", uuid::Uuid::now_v7()),
            c,
            json!({ "reason": long }).to_string(),
        ),
        (
            "resolve types",
            format!("/api/v1/counts/{}/duplicates/{}/resolve", field.count_id, key(1)),
            c,
            r#"{"decision":true,"primary_record_id":5}"#.into(),
        ),
        (
            "resolve unicode key",
            format!("/api/v1/counts/{}/duplicates/%F0%9F%98%80/resolve", field.count_id),
            c,
            r#"{"decision":"same_person"}"#.into(),
        ),
    ];
    let mut problems = Vec::new();

    for (what, path, token, body) in cases {
        // Act
        let reply = post_raw(&app, &path, token, body.into_bytes()).await;

        // Assert
        if let Some(p) = problem(&reply) {
            problems.push(format!("{what}: {p}"));
        }
    }
    for path in [
        format!("/api/v1/counts/{}/records?limit=99999999999999999999", field.count_id),
        format!("/api/v1/counts/{}/records?after=%00%FF", field.count_id),
        format!("/api/v1/counts/{}/records?after={}", field.count_id, "z".repeat(5_000)),
        "/api/v1/counts/%00".to_string(),
        format!("/api/v1/counts/{}", "9".repeat(5_000)),
    ] {
        let reply = app.get(&path).bearer_auth(&field.coordinator).reply().await;
        if let Some(p) = problem(&reply) {
            problems.push(format!("GET {}: {p}", &path[..path.len().min(80)]));
        }
    }

    // The server still lists every count it accepted
    let list = app.get("/api/v1/counts").bearer_auth(&field.coordinator).reply().await;
    if list.status.as_u16() != 200 {
        problems.push(format!("GET /api/v1/counts afterwards: {} {}", list.status, list.text));
    }
    assert!(problems.is_empty(), "{} problem(s):\n{}", problems.len(), problems.join("\n"));
}

#[tokio::test]
async fn typed_text_that_starts_like_a_formula_is_written_as_text_in_records_csv() {
    // Arrange: team codes of organisations named like formulas, a record of each, and a record
    // voided with a formula as its reason.
    let app = spawn_app().await;
    let field = app.field("live").await;
    let names = ["=HYPERLINK(\"http://x\";\"klik\")", "+31 6 1234", "-2+3+cmd|' /C calc'!A0", "@SUM(A1:A9)"];
    let mut voided = None;
    for name in names {
        let invite = app.create_invite(&field.coordinator, &field.count_id, name).await;
        let device = app.enroll(invite["code"].as_str().unwrap()).await;
        let r = record();
        app.sync(&device.token, std::slice::from_ref(&r)).await;
        voided = Some(r);
    }
    let voided = voided.unwrap();
    app.post(&format!("/api/v1/records/{}/void", ethos_tests::id_of(&voided)))
        .bearer_auth(&field.coordinator)
        .json(&json!({ "reason": "=1+1" }))
        .reply()
        .await
        .assert_status(200);

    // Act
    let csv = app
        .get(&format!("/api/v1/counts/{}/records.csv", field.count_id))
        .bearer_auth(&field.coordinator)
        .reply()
        .await;

    // Assert: every cell that starts with =, +, - or @ is a number or starts with ' (the text
    // as typed after it).
    assert_eq!(csv.status, 200, "{}", csv.text);
    let mut reader = ::csv::ReaderBuilder::new().from_reader(csv.text.as_bytes());
    let header = reader.headers().unwrap().clone();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<::csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    for row in &rows {
        for cell in row.iter() {
            assert!(
                !ethos_shared::csv_cell::needs_guard(cell),
                "a cell a spreadsheet would run: {cell:?} in {row:?}"
            );
        }
    }
    let organisations: Vec<&str> = rows.iter().map(|r| &r[column("organisation")]).collect();
    for name in names {
        assert!(organisations.contains(&format!("'{name}").as_str()), "{name} in {organisations:?}");
    }
    assert!(rows.iter().any(|r| &r[column("void_reason")] == "'=1+1"), "{rows:?}");
}

#[tokio::test]
async fn a_device_label_with_control_characters_or_a_bidi_override_is_refused() {
    // Arrange
    let app = spawn_app().await;
    let field = app.field("live").await;
    let code = field.invite["code"].as_str().unwrap();

    for label in ["telefoon\u{0}1", "bel\u{7}", "\u{202e}enoofelet", "a\u{2066}b", "tab\there"] {
        // Act
        let reply =
            app.post("/api/v1/enroll").json(&json!({ "code": code, "device_label": label })).reply().await;

        // Assert: refused before enrolling anything.
        reply.assert_validation(&[("device_label", "invalid_value")]);
    }
    let devices = app
        .get(&format!("/api/v1/counts/{}/devices", field.count_id))
        .bearer_auth(&field.coordinator)
        .reply()
        .await
        .assert_status(200);
    assert_eq!(devices["items"].as_array().map(Vec::len), Some(1), "only the set-up's phone: {devices}");
    let long = "é".repeat(150);
    let fine = app.post("/api/v1/enroll").json(&json!({ "code": code, "device_label": long })).reply().await;
    fine.assert_status(201);
}

#[tokio::test]
async fn an_unknown_member_inside_origin_is_ignored_like_any_unknown_field() {
    // Arrange
    let app = spawn_app().await;
    let field = app.field("live").await;
    let plain = record();
    let mut extra = plain.clone();
    extra["origin"]["source"] = json!("kaart");
    extra["origin"]["note"] = json!({ "nested": [1, 2] });

    // Act
    let first = app.sync(&field.device.token, std::slice::from_ref(&extra)).await;
    let resend = app.sync(&field.device.token, std::slice::from_ref(&plain)).await;

    // Assert: stored, and the same record as without the extra members.
    assert_eq!(first[0]["status"], "stored", "{first:?}");
    assert_eq!(resend[0]["status"], "unchanged", "{resend:?}");
    let stored = app.records(&field.coordinator, &field.count_id).await;
    assert_eq!(stored[0]["origin"], plain["origin"]);
}
