//! The OpenAPI document at `/api/v1/openapi.json`, held against api.md (every endpoint with the
//! status codes api.md names; nothing api.md lacks beyond the additions listed here) and real
//! answers held against the document's schemas.

use ethos_tests::*;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

/// Endpoints the server has beyond api.md ("Extend it freely"), each described in the README.
const ADDITIONS: &[(&str, &str)] = &[
    ("GET", "/api/v1/openapi.json"),                               // this document
    ("POST", "/api/v1/counts/{id}/duplicates/resolve-consistent"), // the review's one decision for all
    ("GET", "/api/v1/counts/{id}/report.docx"),                    // the report as Word
    ("GET", "/api/v1/counts/{id}/report.xlsx"),                    // the report as Excel
    ("GET", "/api/v1/counts/{id}/summary"),                        // "Samenvatting"
    ("GET", "/api/v1/counts/{id}/comparison"),                     // comparison with an earlier count
    ("GET", "/api/v1/counts/{id}/comparison.csv"),
    ("GET", "/api/v1/counts/{id}/audit"),      // the console's audit log
    ("GET", "/api/v1/counts/{id}/dashboard"),  // the console's live dashboard
    ("GET", "/api/v1/counts/{id}/population"), // inhabitants for the rates per 1,000
    ("PUT", "/api/v1/counts/{id}/population"),
    ("GET", "/api/v1/counts/{id}/devices"), // the phones per count, before locking
    ("GET", "/api/v1/desk/template.xlsx"),  // the desk's spreadsheet template
    ("GET", "/api/v1/desk/template.csv"),
];

const METHODS: &[&str] = &["GET", "POST", "PUT", "DELETE", "PATCH"];

type Endpoint = (String, String);

fn api_md() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/spec/api.md");
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// api.md's endpoints (`` `GET /api/v1/…` ``, and `` `…/x` `` beside the one before) with the
/// status codes named in the text up to the next endpoint: `` `201 …` `` or ``409 `code` ``.
fn endpoints_of_api_md(text: &str) -> BTreeMap<Endpoint, BTreeSet<u16>> {
    // Fenced examples hold numbers that are no status codes.
    let mut prose = String::new();
    let mut fenced = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        } else if !fenced {
            prose.push_str(line);
            prose.push('\n');
        }
    }
    let mut endpoints: BTreeMap<Endpoint, BTreeSet<u16>> = BTreeMap::new();
    let mut current: Vec<Endpoint> = Vec::new();
    let mut last_path = String::new();
    // Odd pieces are inside backticks.
    let pieces: Vec<&str> = prose.split('`').collect();
    for (i, piece) in pieces.iter().enumerate() {
        if i % 2 == 1 {
            if let Some(endpoint) = endpoint_of(piece, &last_path) {
                last_path = endpoint.1.clone();
                endpoints.entry(endpoint.clone()).or_default();
                current = vec![endpoint];
            } else if let Some(status) = leading_status(piece) {
                current.iter().for_each(|e| {
                    endpoints.entry(e.clone()).or_default().insert(status);
                });
            }
        } else {
            // "→ 409 " directly before a backticked code.
            let before_code = i + 1 < pieces.len();
            let status = piece.trim_end().rsplit(|c: char| !c.is_ascii_digit()).next().unwrap_or_default();
            if before_code && piece.ends_with(' ') && status.len() == 3 {
                if let Some(status) = leading_status(status) {
                    current.iter().for_each(|e| {
                        endpoints.entry(e.clone()).or_default().insert(status);
                    });
                }
            }
        }
    }
    endpoints
}

fn endpoint_of(span: &str, last_path: &str) -> Option<Endpoint> {
    // `…/records.csv`: a download beside the endpoint before.
    let (method, rest) = if span.starts_with('…') { ("GET", span) } else { span.split_once(' ')? };
    if !METHODS.contains(&method) {
        return None;
    }
    let path = rest.split(['?', ' ']).next()?;
    let path = match path.strip_prefix('…') {
        Some(tail) => format!("{}{tail}", &last_path[..last_path.rfind('/')?]),
        None => path.to_string(),
    };
    (path.starts_with("/api/v1/") || path == "/healthz").then(|| (method.to_string(), path))
}

/// `200`, `201 {…}`, `409 `: a status code at the start, not part of a longer number.
fn leading_status(text: &str) -> Option<u16> {
    let digits: String = text.chars().take_while(char::is_ascii_digit).collect();
    let status: u16 = digits.parse().ok().filter(|_| digits.len() == 3)?;
    (100..600).contains(&status).then_some(status)
}

fn endpoints_of_document(doc: &Value) -> BTreeMap<Endpoint, BTreeSet<u16>> {
    let mut endpoints = BTreeMap::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("a path item") {
            let statuses = operation["responses"]
                .as_object()
                .expect("responses")
                .keys()
                .map(|s| s.parse::<u16>().unwrap_or_else(|_| panic!("status {s} of {method} {path}")))
                .collect();
            endpoints.insert((method.to_uppercase(), path.clone()), statuses);
        }
    }
    endpoints
}

async fn document(app: &TestApp) -> Value {
    let reply = app.get("/api/v1/openapi.json").reply().await;
    let doc = reply.assert_status(200);
    assert!(doc.is_object(), "the document is JSON: {}", reply.text);
    doc
}

#[test]
fn the_parser_finds_endpoints_and_their_status_codes() {
    let text =
        "- `POST /api/v1/counts/{id}/status` `{…}` → `200` the Count; else → 409 `invalid_transition`.\n\
        - `GET /api/v1/counts` → `200 {…}`; `GET /api/v1/counts/{id}` → `200` a Count.\n\
        - `GET /api/v1/counts/{id}/records?limit=` → `200`. `…/records.csv` gives CSV.\n\
        ```json\n{\"revision\":404}\n```\n\
        - `DELETE /api/v1/invites/{id}` → `204`; at most 500 records.\n";
    let found = endpoints_of_api_md(text);
    let get = |m: &str, p: &str| found.get(&(m.to_string(), p.to_string())).cloned();
    assert_eq!(get("POST", "/api/v1/counts/{id}/status"), Some(BTreeSet::from([200, 409])));
    assert_eq!(get("GET", "/api/v1/counts"), Some(BTreeSet::from([200])));
    assert_eq!(get("GET", "/api/v1/counts/{id}"), Some(BTreeSet::from([200])));
    assert_eq!(get("GET", "/api/v1/counts/{id}/records.csv"), Some(BTreeSet::new()));
    assert_eq!(get("DELETE", "/api/v1/invites/{id}"), Some(BTreeSet::from([204])));
    assert_eq!(found.len(), 6, "{found:?}");
}

#[tokio::test]
async fn the_document_has_every_endpoint_of_api_md_and_nothing_else() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    assert_eq!(doc["openapi"].as_str().map(|v| v.starts_with("3.1")), Some(true), "OpenAPI 3.1");
    let documented = endpoints_of_document(&doc);
    let specified = endpoints_of_api_md(&api_md());
    assert!(specified.len() >= 20, "api.md's endpoints were found: {specified:?}");

    let mut missing = Vec::new();
    for ((method, path), statuses) in &specified {
        match documented.get(&(method.clone(), path.clone())) {
            None => missing.push(format!("{method} {path}")),
            Some(have) => {
                let lacking: Vec<_> = statuses.difference(have).collect();
                if !lacking.is_empty() {
                    missing.push(format!("{method} {path}: status {lacking:?}"));
                }
            }
        }
    }
    assert!(missing.is_empty(), "api.md has, the document lacks: {missing:#?}");

    let extra: Vec<_> = documented
        .keys()
        .filter(|(m, p)| !specified.contains_key(&(m.clone(), p.clone())))
        .filter(|(m, p)| !ADDITIONS.contains(&(m.as_str(), p.as_str())))
        .collect();
    assert!(extra.is_empty(), "the document has, api.md lacks (add to api.md or ADDITIONS): {extra:?}");
    for (method, path) in ADDITIONS {
        assert!(
            documented.contains_key(&(method.to_string(), path.to_string())),
            "{method} {path} documented"
        );
        assert!(
            !specified.contains_key(&(method.to_string(), path.to_string())),
            "{method} {path} is in api.md now"
        );
    }
}

#[tokio::test]
async fn every_error_answer_is_described_as_the_error_body_and_tokens_as_bearer_schemes() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    for scheme in ["session", "device"] {
        let s = &doc["components"]["securitySchemes"][scheme];
        assert_eq!(
            (s["type"].as_str(), s["scheme"].as_str()),
            (Some("http"), Some("bearer")),
            "{scheme}: {s}"
        );
    }
    let mut refs = Vec::new();
    collect_refs(&doc, &mut refs);
    assert!(refs.len() > 100, "{} references", refs.len());
    for reference in refs {
        let target = reference.strip_prefix('#').and_then(|pointer| doc.pointer(pointer));
        assert!(target.is_some_and(Value::is_object), "{reference} names nothing in the document");
    }
    let body = &doc["components"]["schemas"]["ErrorBody"];
    let required: BTreeSet<&str> =
        body["required"].as_array().expect("required").iter().filter_map(Value::as_str).collect();
    assert_eq!(required, BTreeSet::from(["code", "message"]), "{body}");
    for ((method, path), statuses) in endpoints_of_document(&doc) {
        let operation = &doc["paths"][&path][method.to_lowercase()];
        let secured = operation["security"].as_array().is_some_and(|s| !s.is_empty());
        if secured {
            assert!(statuses.contains(&401), "{method} {path}: a token, so a 401");
        } else {
            let open = [
                "/api/v1/login",
                "/api/v1/enroll",
                "/api/v1/openapi.json",
                "/healthz",
                "/api/v1/desk/template.xlsx",
                "/api/v1/desk/template.csv",
            ];
            assert!(open.contains(&path.as_str()), "{method} {path} has no security scheme");
        }
        assert!(statuses.contains(&500), "{method} {path} documents 500");
        for status in statuses.iter().filter(|s| **s >= 400) {
            let schema = &operation["responses"][status.to_string()]["content"]["application/json"]["schema"];
            assert_eq!(schema["$ref"], "#/components/schemas/ErrorBody", "{method} {path} {status}");
        }
    }
}

fn collect_refs(value: &Value, refs: &mut Vec<String>) {
    match value {
        Value::Object(members) => {
            if let Some(Value::String(reference)) = members.get("$ref") {
                refs.push(reference.clone());
            }
            members.values().for_each(|v| collect_refs(v, refs));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, refs)),
        _ => {}
    }
}

/// Holds answers against the document: the status is documented for the endpoint, and a JSON
/// body validates against the schema of that status.
struct Contract {
    doc: Value,
}

impl Contract {
    #[track_caller]
    fn check(&self, method: &str, path: &str, reply: &Reply) -> Value {
        let status = reply.status.as_u16().to_string();
        let operation = &self.doc["paths"][path][method.to_lowercase()];
        assert!(operation.is_object(), "{method} {path} is documented");
        let response = &operation["responses"][&status];
        assert!(response.is_object(), "{method} {path} documents {status}; body {}", reply.text);
        let content_type =
            reply.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default();
        if !content_type.starts_with("application/json") {
            assert!(
                response.get("content").is_none_or(|c| c.get("application/json").is_none())
                    || reply.text.is_empty(),
                "{method} {path} {status}: documented as JSON, answered {content_type}"
            );
            return Value::Null;
        }
        let body = reply.json();
        let schema = &response["content"]["application/json"]["schema"];
        assert!(schema.is_object(), "{method} {path} {status} has a JSON schema");
        let errors = self.errors(schema, &body);
        assert!(errors.is_empty(), "{method} {path} {status}: {errors:#?}\nbody: {body:#}");
        body
    }

    /// Why `instance` does not validate against `schema` (its `$ref`s into this document).
    fn errors(&self, schema: &Value, instance: &Value) -> Vec<String> {
        let mut root = schema.clone();
        root["components"] = self.doc["components"].clone();
        let validator = jsonschema::validator_for(&root).unwrap_or_else(|e| panic!("schema {schema}: {e}"));
        validator.iter_errors(instance).map(|e| format!("{} at {}", e, e.instance_path())).collect()
    }

    fn component(&self, name: &str) -> Value {
        json!({ "$ref": format!("#/components/schemas/{name}") })
    }
}

#[tokio::test]
async fn real_answers_of_every_role_match_their_schemas() {
    let app = spawn_app().await;
    let contract = Contract { doc: document(&app).await };
    let check = |m: &str, p: &str, r: &Reply| contract.check(m, p, r);

    // The schemas are strict enough to fail: a count without its status is no Count.
    let mut count_without_status = json!({"id": uuid::Uuid::now_v7(), "name": "x", "reference_date": "2026-10-15",
        "starts_at": "2026-10-15T20:00:00+02:00", "ends_at": "2026-10-16T08:00:00+02:00", "status": "live"});
    assert!(contract.errors(&contract.component("Count"), &count_without_status).is_empty());
    count_without_status.as_object_mut().map(|o| o.remove("status"));
    assert!(!contract.errors(&contract.component("Count"), &count_without_status).is_empty());
    let mut bad_record = record();
    bad_record["profile"]["children"] = json!(21);
    assert!(!contract.errors(&contract.component("Record"), &bad_record).is_empty());
    assert!(contract.errors(&contract.component("Record"), &record()).is_empty());

    check("GET", "/healthz", &app.get("/healthz").reply().await);
    let login = app.post("/api/v1/login").json(&json!({"username": "nobody", "password": "x"})).reply().await;
    check("POST", "/api/v1/login", &login);
    check("GET", "/api/v1/counts", &app.get("/api/v1/counts").reply().await);

    // Coordinator: a live count with a team code, a device and records (two share a key).
    let field = app.field("live").await;
    let (c, id) = (field.coordinator.as_str(), field.count_id.as_str());
    let analyst = app.analyst().await;
    check("GET", "/api/v1/counts", &app.get("/api/v1/counts").bearer_auth(c).reply().await);
    check(
        "GET",
        "/api/v1/counts/{id}",
        &app.get(&format!("/api/v1/counts/{id}")).bearer_auth(c).reply().await,
    );
    let status = app
        .post(&format!("/api/v1/counts/{id}/status"))
        .bearer_auth(c)
        .json(&json!({"status": "training"}))
        .reply()
        .await;
    assert_eq!(status.status.as_u16(), 409);
    check("POST", "/api/v1/counts/{id}/status", &status);
    let blank = json!({"name": " \t", "reference_date": "2026-10-15",
        "starts_at": "2026-10-15T20:00:00+02:00", "ends_at": "2026-10-16T08:00:00+02:00"});
    assert!(
        !contract.errors(&contract.component("NewCount"), &blank).is_empty(),
        "a blank name is no NewCount"
    );
    let mut named = blank.clone();
    named["name"] = json!(" Telling 2026 ");
    assert!(contract.errors(&contract.component("NewCount"), &named).is_empty(), "{named}");
    let bad_count = app.post("/api/v1/counts").bearer_auth(c).json(&blank).reply().await;
    assert_eq!(bad_count.status.as_u16(), 422, "{}", bad_count.text);
    check("POST", "/api/v1/counts", &bad_count);
    check(
        "GET",
        "/api/v1/counts/{id}/invites",
        &app.get(&format!("/api/v1/counts/{id}/invites")).bearer_auth(c).reply().await,
    );

    // Device.
    let device = &field.device.token;
    check("GET", "/api/v1/device/count", &app.get("/api/v1/device/count").bearer_auth(device).reply().await);
    let mut rejected = record();
    rejected["living_situation"] = json!("9.9");
    let mut without_needs = record_with_key(&key(1));
    without_needs["profile"]["care_needs"] = json!(["none"]);
    let mut needs_unknown = record();
    needs_unknown["profile"]["care_needs"] = json!(["unknown"]);
    let records = [record_with_key(&key(1)), without_needs, rejected, needs_unknown];
    let sync =
        app.post("/api/v1/sync").bearer_auth(device).json(&json!({ "records": records })).reply().await;
    let synced = check("POST", "/api/v1/sync", &sync);
    assert_eq!(synced["results"][2]["status"], "rejected", "{synced}");
    check("GET", "/api/v1/counts", &app.get("/api/v1/counts").bearer_auth(device).reply().await);

    // Coordinator's review.
    let page = check(
        "GET",
        "/api/v1/counts/{id}/records",
        &app.get(&format!("/api/v1/counts/{id}/records?limit=1")).bearer_auth(c).reply().await,
    );
    assert_eq!(page["items"].as_array().map(Vec::len), Some(1), "{page}");
    let record_id = records[0]["id"].as_str().unwrap_or_default();
    let void = app
        .post(&format!("/api/v1/records/{record_id}/void"))
        .bearer_auth(c)
        .json(&json!({"reason": "test"}))
        .reply()
        .await;
    check("POST", "/api/v1/records/{id}/void", &void);
    check(
        "DELETE",
        "/api/v1/records/{id}/void",
        &app.delete(&format!("/api/v1/records/{record_id}/void")).bearer_auth(c).reply().await,
    );
    check(
        "GET",
        "/api/v1/counts/{id}/duplicates",
        &app.get(&format!("/api/v1/counts/{id}/duplicates")).bearer_auth(c).reply().await,
    );
    let resolve = app
        .post(&format!("/api/v1/counts/{id}/duplicates/{}/resolve", key(1)))
        .bearer_auth(c)
        .json(&json!({"decision": "same_person", "primary_record_id": record_id}))
        .reply()
        .await;
    assert_eq!(resolve.status.as_u16(), 200, "{}", resolve.text);
    check("POST", "/api/v1/counts/{id}/duplicates/{key}/resolve", &resolve);
    check(
        "GET",
        "/api/v1/counts/{id}/audit",
        &app.get(&format!("/api/v1/counts/{id}/audit")).bearer_auth(c).reply().await,
    );
    check(
        "GET",
        "/api/v1/counts/{id}/dashboard",
        &app.get(&format!("/api/v1/counts/{id}/dashboard")).bearer_auth(c).reply().await,
    );
    check(
        "GET",
        "/api/v1/counts/{id}/devices",
        &app.get(&format!("/api/v1/counts/{id}/devices")).bearer_auth(c).reply().await,
    );
    check(
        "GET",
        "/api/v1/counts/{id}/records.csv",
        &app.get(&format!("/api/v1/counts/{id}/records.csv")).bearer_auth(c).reply().await,
    );

    // Both roles read the report and the estimate; the analyst no records.
    for token in [c, analyst.as_str()] {
        for disclosure in ["internal", "public"] {
            let report = app
                .get(&format!("/api/v1/counts/{id}/report?disclosure={disclosure}"))
                .bearer_auth(token)
                .reply()
                .await;
            assert_eq!(report.status.as_u16(), 200, "{}", report.text);
            check("GET", "/api/v1/counts/{id}/report", &report);
            let estimate = app
                .get(&format!("/api/v1/counts/{id}/estimate?disclosure={disclosure}"))
                .bearer_auth(token)
                .reply()
                .await;
            check("GET", "/api/v1/counts/{id}/estimate", &estimate);
            let summary = app
                .get(&format!("/api/v1/counts/{id}/summary?disclosure={disclosure}"))
                .bearer_auth(token)
                .reply()
                .await;
            check("GET", "/api/v1/counts/{id}/summary", &summary);
        }
    }
    let forbidden = app.get(&format!("/api/v1/counts/{id}/records")).bearer_auth(&analyst).reply().await;
    assert_eq!(forbidden.status.as_u16(), 403);
    check("GET", "/api/v1/counts/{id}/records", &forbidden);
    let unknown =
        app.get(&format!("/api/v1/counts/{}", uuid::Uuid::now_v7())).bearer_auth(&analyst).reply().await;
    assert_eq!(unknown.status.as_u16(), 404);
    check("GET", "/api/v1/counts/{id}", &unknown);

    // The team code revoked: the device's next sync is a 401 in the error shape.
    app.revoke_invite(c, &field.invite).await;
    let revoked = app.post("/api/v1/sync").bearer_auth(device).json(&json!({"records": []})).reply().await;
    assert_eq!(revoked.status.as_u16(), 401);
    check("POST", "/api/v1/sync", &revoked);
    check("POST", "/api/v1/logout", &app.post("/api/v1/logout").bearer_auth(&analyst).reply().await);
}
