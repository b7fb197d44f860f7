//! What the console test needs besides a browser: a server with an account and no count yet
//! (the test makes the count and the team code in the console), a field device that syncs over
//! the HTTP API, and a few ways to work the console's forms, tabs and figures.

use crate::phone::{selector, Phone};
use crate::site::client_dist;
use ethos_server::{Application, Config};
use ethos_tests::{hours_from_now, id_of, Role, SendExt, PASSWORD};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::path::PathBuf;
use tempfile::TempDir;
use tokio::sync::oneshot;

/// The coordinator's account name.
pub const COORDINATOR: &str = "coordinator";

/// A server with a database of its own and the built client; stops when dropped.
pub struct Office {
    pub addr: SocketAddr,
    client: reqwest::Client,
    /// Dropping it stops the server (before the database directory goes).
    _stop: oneshot::Sender<()>,
    /// The database directory.
    dir: TempDir,
}

/// `client/dist` with the console bundle in it.
fn console_dist() -> PathBuf {
    let dist = client_dist();
    let missing: Vec<&str> = ["console.html", "console-boot.js", "ethos_console.js", "ethos_console_bg.wasm"]
        .into_iter()
        .filter(|f| !dist.join(f).is_file())
        .collect();
    assert!(
        missing.is_empty(),
        "the console is not built: {} lacks {missing:?}. Run `cargo xtask build-client --release`.",
        dist.display()
    );
    dist
}

impl Office {
    /// Starts a server on a free port with one coordinator account and nothing else.
    pub async fn start() -> Office {
        let web_dir = console_dist();
        let dir = tempfile::tempdir().expect("a temporary directory");
        let db_path = dir.path().join("ethos.db");
        let config =
            Config { db_path: db_path.clone(), bind: SocketAddr::from(([127, 0, 0, 1], 0)), web_dir };
        let app = Application::build(config).await.expect("the server starts");
        let addr = app.local_addr();
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(app.run_until(async move {
            let _ = stopped.await;
        }));
        ethos_server::cli::add_user(&db_path, COORDINATOR, Role::Coordinator, PASSWORD)
            .await
            .expect("the coordinator is added");
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("an HTTP client");
        Office { addr, client, _stop: stop, dir }
    }

    /// `http://127.0.0.1:PORT` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// Adds an account with `PASSWORD`, as `ethos user add` does (e.g. an analyst).
    pub async fn add_user(&self, username: &str, role: Role) {
        ethos_server::cli::add_user(&self.dir.path().join("ethos.db"), username, role, PASSWORD)
            .await
            .expect("the user is added");
    }

    /// Logs `username` in over the API: the session token.
    pub async fn login(&self, username: &str) -> String {
        let body = self
            .client
            .post(self.url("/api/v1/login"))
            .json(&json!({ "username": username, "password": PASSWORD }))
            .reply()
            .await
            .assert_status(200);
        body["token"].as_str().unwrap_or_else(|| panic!("a token in {body}")).to_string()
    }

    /// A request to the API (`path` below `/api/v1`) with a session token.
    pub fn api(&self, method: reqwest::Method, path: &str, token: &str) -> reqwest::RequestBuilder {
        self.client.request(method, self.url(&format!("/api/v1{path}"))).bearer_auth(token)
    }

    /// `GET /api/v1{path}` with `token`, answered with 200: the body.
    pub async fn get(&self, path: &str, token: &str) -> Value {
        self.api(reqwest::Method::GET, path, token).reply().await.assert_status(200)
    }

    /// A live count named `name` whose 24-hour window starts 12 hours before now minus
    /// `days_ago` days (its reference date that day), with one team code: `(count id, code)`.
    pub async fn live_count(&self, token: &str, name: &str, days_ago: i64) -> (String, String) {
        let (id, mut codes) =
            self.live_count_with_codes(token, name, days_ago, &[("Straatteam Heuvelland", "outreach")]).await;
        (id, codes.remove(0))
    }

    /// A live count named `name` whose 24-hour window starts 12 hours before now minus
    /// `days_ago` days, with a team code for each `(organisation, organisation type)` of
    /// `teams`: `(count id, codes)` in the order of `teams`.
    pub async fn live_count_with_codes(
        &self,
        token: &str,
        name: &str,
        days_ago: i64,
        teams: &[(&str, &str)],
    ) -> (String, Vec<String>) {
        let starts_at = hours_from_now(-12) - chrono::Duration::days(days_ago);
        let count = self
            .api(reqwest::Method::POST, "/counts", token)
            .json(&json!({
                "name": name,
                "reference_date": starts_at.date_naive().to_string(),
                "starts_at": starts_at.to_rfc3339(),
                "ends_at": (starts_at + chrono::Duration::hours(24)).to_rfc3339(),
            }))
            .reply()
            .await
            .assert_status(201);
        let id = id_of(&count);
        let mut codes = Vec::new();
        for (organisation, organisation_type) in teams {
            let invite = self
                .api(reqwest::Method::POST, &format!("/counts/{id}/invites"), token)
                .json(&json!({ "organisation": organisation, "organisation_type": organisation_type }))
                .reply()
                .await
                .assert_status(201);
            codes.push(invite["code"].as_str().unwrap_or_else(|| panic!("a code in {invite}")).to_string());
        }
        self.api(reqwest::Method::POST, &format!("/counts/{id}/status"), token)
            .json(&json!({ "status": "live" }))
            .reply()
            .await
            .assert_status(200);
        (id, codes)
    }

    /// Runs `ethos demo` on this server's database, as `cargo xtask demo` does: the example
    /// counts of the last two years (locked, with duplicates to review).
    pub async fn demo(&self) {
        let db = self.dir.path().join("ethos.db");
        let args = ["ethos", "demo", "--db", db.to_str().expect("a UTF-8 path"), "--bind", "127.0.0.1:8080"];
        ethos_server::cli::run(<ethos_server::cli::Cli as clap::Parser>::parse_from(args))
            .await
            .expect("the demo runs");
    }

    /// A count in training named `name` around now, with one team code: `(count id, code)`.
    pub async fn training_count(&self, token: &str, name: &str) -> (String, String) {
        let starts_at = hours_from_now(-12);
        let count = self
            .api(reqwest::Method::POST, "/counts", token)
            .json(&json!({
                "name": name,
                "reference_date": starts_at.date_naive().to_string(),
                "starts_at": starts_at.to_rfc3339(),
                "ends_at": (starts_at + chrono::Duration::hours(24)).to_rfc3339(),
            }))
            .reply()
            .await
            .assert_status(201);
        let id = id_of(&count);
        let invite = self
            .api(reqwest::Method::POST, &format!("/counts/{id}/invites"), token)
            .json(&json!({ "organisation": "Straatteam Heuvelland", "organisation_type": "outreach" }))
            .reply()
            .await
            .assert_status(201);
        (id, invite["code"].as_str().unwrap_or_else(|| panic!("a code in {invite}")).to_string())
    }

    /// `GET /api/v1{path}` with `token`: the status and the body.
    pub async fn get_any(&self, path: &str, token: &str) -> (u16, Value) {
        let reply = self.api(reqwest::Method::GET, path, token).reply().await;
        (reply.status.as_u16(), reply.json())
    }

    /// A phone enrolled with `code`, as the field app does it: its device token.
    pub async fn enroll(&self, code: &str) -> String {
        let body = self
            .client
            .post(self.url("/api/v1/enroll"))
            .json(&json!({ "code": code, "device_label": "telefoon Jeanne" }))
            .reply()
            .await
            .assert_status(201);
        body["device_token"].as_str().unwrap_or_else(|| panic!("a device token in {body}")).to_string()
    }

    /// Sends `records` as that phone and checks every one is stored.
    pub async fn sync(&self, device_token: &str, records: &[Value]) {
        let body = self
            .client
            .post(self.url("/api/v1/sync"))
            .bearer_auth(device_token)
            .json(&json!({ "records": records }))
            .reply()
            .await
            .assert_status(200);
        let statuses: Vec<&str> = body["results"]
            .as_array()
            .expect("results")
            .iter()
            .filter_map(|r| r["status"].as_str())
            .collect();
        assert_eq!(statuses, vec!["stored"; records.len()], "every record is stored: {body}");
    }
}

/// A JavaScript string literal.
pub fn js(text: &str) -> String {
    serde_json::to_string(text).expect("a string")
}

/// Sets a form field (a `<select>`, a date or time field) to `value` as a person's choice
/// would, with the `input` and `change` events the console listens to.
pub async fn set_field(page: &Phone, testid: &str, value: &str) {
    page.wait_for(testid).await;
    let script = format!(
        "const el = document.querySelector({}); el.focus(); el.value = {}; \
         el.dispatchEvent(new Event('input', {{ bubbles: true }})); \
         el.dispatchEvent(new Event('change', {{ bubbles: true }})); el.blur(); return el.value;",
        js(&selector(testid)),
        js(value)
    );
    assert_eq!(page.eval(&script).await, Value::String(value.into()), "{testid} takes {value}");
}

/// The browser's local time `hours` from now as a `datetime-local` value (`2026-11-25T04:30`).
pub async fn local_time(page: &Phone, hours: i64) -> String {
    let script = format!(
        "const d = new Date(Date.now() + {hours} * 3600 * 1000); const p = n => String(n).padStart(2, '0'); \
         return `${{d.getFullYear()}}-${{p(d.getMonth() + 1)}}-${{p(d.getDate())}}T${{p(d.getHours())}}:${{p(d.getMinutes())}}`;"
    );
    page.eval(&script).await.as_str().expect("a time").to_string()
}

/// Opens a tab of the count's page (`dashboard`, `codes`, `duplicates`, `report`, …) with a
/// click, as the coordinator does, and waits until the address says so.
pub async fn open_tab(page: &Phone, slug: &str) {
    // Every tab link has the testid `console-tab`; the address tells them apart. The tabs
    // are at the top, under the sticky bar: scroll up first, as a person would.
    page.scroll_to_top().await;
    page.tap_css(&format!("a[data-testid=\"console-tab\"][href$=\"/{slug}\"]")).await;
    page.wait_until(
        &format!("the {slug} tab"),
        &format!(
            "location.pathname.endsWith('/{slug}') && document.querySelector('[aria-current=\"page\"] a[href$=\"/{slug}\"]') !== null"
        ),
    )
    .await;
}

/// The value of a figure (`dash-counted`, `report-persons`, …): its big number as shown,
/// e.g. `3`, `–` or `<5`.
pub async fn figure(page: &Phone, testid: &str) -> String {
    page.wait_for(testid).await;
    let script =
        format!("return document.querySelector({} + ' .figure__n').innerText;", js(&selector(testid)));
    page.eval(&script).await.as_str().unwrap_or_default().trim().to_string()
}

/// Whether the figure `testid` shows `value`, as a JavaScript expression.
pub fn figure_is(testid: &str, value: &str) -> String {
    format!(
        "(document.querySelector({} + ' .figure__n') || {{}}).innerText === {}",
        js(&selector(testid)),
        js(value)
    )
}

/// Waits until the figure `testid` shows `value`.
pub async fn wait_for_figure(page: &Phone, testid: &str, value: &str) {
    page.wait_until(&format!("{testid} to show {value}"), &figure_is(testid, value)).await;
}

/// The number in the row `label` of a report table (`report-quality-records`).
pub async fn table_value(page: &Phone, testid: &str, label: &str) -> String {
    page.wait_for(testid).await;
    let script = format!(
        "const row = Array.from(document.querySelectorAll({} + ' tbody tr')).find(r => r.querySelector('th').innerText.trim() === {}); \
         return row ? row.querySelector('td').innerText.trim() : null;",
        js(&selector(testid)),
        js(label)
    );
    match page.eval(&script).await {
        Value::String(s) => s,
        _ => page.fail(&format!("no row {label:?} in {testid}")).await,
    }
}

/// The bars of a chart (`report-chart-municipality`) as read out to a screen reader:
/// `["Maastricht 1", "Meerssen 1", …]`.
pub async fn chart(page: &Phone, testid: &str) -> Vec<String> {
    page.wait_for(testid).await;
    let script = format!(
        "return document.querySelector({} + ' svg').getAttribute('aria-label');",
        js(&selector(testid))
    );
    let label = page.eval(&script).await.as_str().unwrap_or_default().to_string();
    let bars = label.split_once(": ").map_or("", |(_, bars)| bars);
    bars.split("; ").map(str::to_string).collect()
}

/// The chart labels (`.chart__label`) that stick out of their chart's picture, as drawn: none
/// when every label fits.
pub async fn labels_outside_their_chart(page: &Phone) -> Vec<String> {
    let script = "return Array.from(document.querySelectorAll('svg.chart__svg')).flatMap(svg => { \
        const box = svg.getBoundingClientRect(); \
        return Array.from(svg.querySelectorAll('.chart__label')).filter(t => { \
            const r = t.getBoundingClientRect(); return r.left < box.left - 0.5 || r.right > box.right + 0.5; \
        }).map(t => t.textContent); });";
    cells(page.eval(script).await)
}

/// Fails if the console shows an error box.
pub async fn assert_no_error(page: &Phone) {
    if page.exists("console-error").await {
        let text = page.text("console-error").await;
        page.fail(&format!("the console shows an error: {text}")).await;
    }
}

/// Logs `username` in on the console's login form (the console must show it).
pub async fn log_in(page: &Phone, username: &str) {
    page.wait_for("login-submit").await;
    page.type_into("login-username", username).await;
    page.type_into("login-password", PASSWORD).await;
    page.tap("login-submit").await;
    page.wait_for("console-user").await;
}

/// Opens the count `id` from the list of counts and waits for its name in the head.
pub async fn open_count(page: &Phone, id: &str, name: &str) {
    page.tap_css(&format!("[data-testid=\"count-row\"][data-id=\"{id}\"] [data-testid=\"count-open\"]"))
        .await;
    page.wait_until(
        &format!("the count {name}"),
        &format!(
            "location.pathname.includes('/counts/{id}') && ({} || {{}}).innerText === {}",
            "document.querySelector('[data-testid=\"count-name\"]')",
            js(name)
        ),
    )
    .await;
}

/// Whether an element matching the CSS selector `css` is on the page now.
pub async fn exists_css(page: &Phone, css: &str) -> bool {
    page.eval(&format!("return document.querySelector({}) !== null;", js(css))).await == Value::Bool(true)
}

/// Sets a text field found by the CSS selector `css` to `text`, with the `input` event the
/// console listens to (as typing ends up).
pub async fn fill_css(page: &Phone, css: &str, text: &str) {
    page.wait_until(css, &format!("document.querySelector({}) !== null", js(css))).await;
    let script = format!(
        "const el = document.querySelector({}); el.focus(); el.value = {}; \
         el.dispatchEvent(new Event('input', {{ bubbles: true }})); el.blur(); return el.value;",
        js(css),
        js(text)
    );
    assert_eq!(page.eval(&script).await, Value::String(text.into()), "{css} takes {text}");
}

/// The value of the form field found by the CSS selector `css`.
pub async fn value_css(page: &Phone, css: &str) -> String {
    let script = format!("const el = document.querySelector({}); return el ? el.value : null;", js(css));
    match page.eval(&script).await {
        Value::String(s) => s,
        _ => page.fail(&format!("no field {css}")).await,
    }
}

/// The texts of the cells (`th` and `td`) of the first table row matching the CSS selector
/// `css`, e.g. `["Maastricht", "12", "122.000", "0,10"]`.
pub async fn row_css(page: &Phone, css: &str) -> Vec<String> {
    page.wait_until(css, &format!("document.querySelector({}) !== null", js(css))).await;
    let script = format!(
        "return Array.from(document.querySelector({}).querySelectorAll('th, td')).map(c => c.innerText.trim());",
        js(css)
    );
    cells(page.eval(&script).await)
}

/// The cells of the row whose header cell reads `label` in the table (or the section holding
/// a table) `testid`; the header first.
pub async fn row_labelled(page: &Phone, testid: &str, label: &str) -> Vec<String> {
    page.wait_for(testid).await;
    let script = format!(
        "const row = Array.from(document.querySelectorAll({} + ' tr')).find(r => (r.querySelector('th') || {{}}).innerText?.trim() === {}); \
         return row ? Array.from(row.querySelectorAll('th, td')).map(c => c.innerText.trim()) : null;",
        js(&selector(testid)),
        js(label)
    );
    match page.eval(&script).await {
        Value::Null => page.fail(&format!("no row {label:?} in {testid}")).await,
        v => cells(v),
    }
}

fn cells(v: Value) -> Vec<String> {
    v.as_array()
        .map(|a| a.iter().map(|c| c.as_str().unwrap_or_default().to_string()).collect())
        .unwrap_or_default()
}

/// Waits until the browser has had the answer to a request whose URL ends with `tail` (from
/// the Resource Timing entries), e.g. a form's stored values before typing into it.
pub async fn wait_for_request(page: &Phone, tail: &str) {
    page.wait_until(
        &format!("the answer to …{tail}"),
        &format!(
            "performance.getEntriesByType('resource').some(e => e.name.split('?')[0].endsWith({}))",
            js(tail)
        ),
    )
    .await;
}
