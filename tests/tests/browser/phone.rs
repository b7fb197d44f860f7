//! A phone: headless Chromium at 360×740 with a fresh profile, driven through WebDriver
//! (`thirtyfour`) by Debian's chromedriver, one chromedriver per test binary. The same browser
//! opened with [`Phone::open_on`] and [`LAPTOP`] is the coordinator's laptop;
//! [`Phone::open_in`] opens the phone in Firefox or WebKit instead (`engine`).
//!
//! Everything is found by the app's stable `data-testid`s and waited for explicitly (the app
//! renders asynchronously); a wait that times out saves a screenshot `FAIL-<test>.png` and
//! panics with the page's text.
//!
//! Every screen a test takes a screenshot of is also checked for accessibility
//! (`accessibility`).

use crate::engine::{self, chromedriver, chromium, Engine};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tempfile::TempDir;
use thirtyfour::prelude::*;
use thirtyfour::LoggingPrefsLogLevel;

/// How long any one thing may take to appear.
const WAIT: Duration = Duration::from_secs(15);
/// The screen of a small phone, in CSS pixels.
pub const WIDTH: u32 = 360;
pub const HEIGHT: u32 = 740;

/// The viewport the browser emulates, in CSS pixels.
#[derive(Debug, Clone, Copy)]
pub struct Screen {
    pub width: u32,
    pub height: u32,
    /// A phone: mobile viewport and touch.
    pub mobile: bool,
}

/// A small phone (the field app).
pub const PHONE: Screen = Screen { width: WIDTH, height: HEIGHT, mobile: true };
/// A laptop (the coordinator console).
pub const LAPTOP: Screen = Screen { width: 1280, height: 900, mobile: false };

/// Where screenshots go: `tests/artifacts/` (ignored by git).
pub fn artifacts() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("artifacts");
    std::fs::create_dir_all(&dir).expect("tests/artifacts can be made");
    dir
}

pub struct Phone {
    pub(crate) driver: WebDriver,
    origin: String,
    /// The test's name, for failure screenshots.
    name: &'static str,
    profile: Option<TempDir>,
    screen: Screen,
    engine: Engine,
    /// Firefox's or WebKit's driver, X server and profile (Chromium's are `profile` and the
    /// shared chromedriver).
    session: Option<engine::Session>,
}

impl Phone {
    /// A new phone with an empty browser profile (no service worker, no IndexedDB) that will
    /// open pages of `origin` (`http://127.0.0.1:PORT`).
    pub async fn open(name: &'static str, origin: String) -> Phone {
        Phone::open_on(name, origin, PHONE).await
    }

    /// The same browser with the viewport of `screen` (e.g. [`LAPTOP`]).
    pub async fn open_on(name: &'static str, origin: String, screen: Screen) -> Phone {
        Phone::open_as(name, origin, screen, None).await
    }

    /// As `open_on`, with the browser saying it is `user_agent` (e.g. Safari on an iPhone).
    pub async fn open_as(
        name: &'static str,
        origin: String,
        screen: Screen,
        user_agent: Option<&str>,
    ) -> Phone {
        let profile = tempfile::tempdir().expect("a browser profile directory");
        let mut caps = DesiredCapabilities::chrome();
        caps.set_binary(&chromium()).expect("binary");
        for arg in [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
        ] {
            caps.add_arg(arg).expect("arg");
        }
        caps.add_arg(&format!("--user-data-dir={}", profile.path().display())).expect("arg");
        // The viewport (device-metrics emulation; --window-size would not give a 360×740
        // screenshot).
        let Screen { width, height, mobile } = screen;
        let mut emulation = serde_json::json!({
            "deviceMetrics": { "width": width, "height": height, "pixelRatio": 1.0, "mobile": mobile, "touch": mobile }
        });
        if let Some(agent) = user_agent {
            emulation["userAgent"] = serde_json::json!(agent);
        }
        caps.add_experimental_option("mobileEmulation", emulation).expect("mobileEmulation");
        caps.set_browser_log_level(LoggingPrefsLogLevel::All).expect("logging prefs");
        let driver =
            WebDriver::new(chromedriver(), caps).await.expect("Chromium starts through chromedriver");
        Phone {
            driver,
            origin,
            name,
            profile: Some(profile),
            screen,
            engine: Engine::Chromium,
            session: None,
        }
    }

    /// A phone in `engine`, its viewport 360×740 or as near as the engine allows (WebKit's
    /// window is wider). Screenshots have the size of that viewport.
    pub async fn open_in(engine: Engine, name: &'static str, origin: String) -> Phone {
        if engine == Engine::Chromium {
            return Phone::open(name, origin).await;
        }
        let session = engine::start(engine, WIDTH, HEIGHT).await;
        let (width, height) = session.viewport;
        let screen = Screen { width, height, mobile: true };
        Phone {
            driver: session.driver.clone(),
            origin,
            name,
            profile: None,
            screen,
            engine,
            session: Some(session),
        }
    }

    /// Runs `test` on this phone, then closes the browser, also when `test` panics. Fails
    /// when the app panicked (a Rust panic in the wasm) along the way.
    pub async fn run<T>(mut self, test: impl AsyncFnOnce(&Phone) -> T) -> T {
        let profile = self.profile.take();
        let session = self.session.take();
        let driver = self.driver.clone();
        let out = driver
            .run_and_quit(|_| async move {
                let out = test(&self).await;
                self.assert_app_did_not_crash().await;
                Ok::<T, WebDriverError>(out)
            })
            .await
            .expect("the browser test runs and the browser closes");
        drop(profile); // only now that Chromium is gone
        drop(session); // and the other engines' processes once their browser is gone
        out
    }

    /// Reads the browser's console log (printed with `ETHOS_BROWSER_LOG=1`), failing on a panic.
    /// Chromium only: geckodriver and WebKitWebDriver do not hand out the console log.
    async fn assert_app_did_not_crash(&self) {
        if self.engine != Engine::Chromium {
            return;
        }
        let log = self.driver.browser_log().await.expect("the browser's console log");
        if std::env::var_os("ETHOS_BROWSER_LOG").is_some() {
            for e in &log {
                eprintln!("[{}] {} {}", self.name, e.level, e.message);
            }
        }
        let crashes: Vec<&str> = log
            .iter()
            .map(|e| e.message.as_str())
            .filter(|m| m.contains("panicked at") || m.contains("RuntimeError"))
            .collect();
        assert!(crashes.is_empty(), "the app crashed: {crashes:#?}");
    }

    // --- navigation -------------------------------------------------------------------------

    /// Opens `path` of the origin, e.g. `/enroll#code=K7PQ-2QXM`.
    pub async fn open_page(&self, path: &str) {
        let url = format!("{}{path}", self.origin);
        self.driver.goto(&url).await.unwrap_or_else(|e| panic!("{url} opens: {e}"));
    }

    /// Enrols this phone (or desk) with a team code through the link a coordinator hands out,
    /// and waits for the count's card.
    pub async fn enrol(&self, code: &str) {
        self.open_page(&format!("/enroll#code={code}")).await;
        self.wait_for("count-card").await;
    }

    pub async fn reload(&self) {
        self.driver.refresh().await.expect("the page reloads");
    }

    /// The path of the page now shown.
    pub async fn path(&self) -> String {
        self.driver.current_url().await.expect("the current URL").path().to_string()
    }

    // --- reading ----------------------------------------------------------------------------

    /// Runs `script` (a function body, `return …`) in the page.
    pub async fn eval(&self, script: &str) -> Value {
        self.driver
            .execute(script, Vec::new())
            .await
            .unwrap_or_else(|e| panic!("script fails: {e}\n{script}"))
            .json()
            .clone()
    }

    /// Waits until the JavaScript expression `condition` is truthy; `what` says what for.
    pub async fn wait_until(&self, what: &str, condition: &str) {
        self.wait_until_within(WAIT, what, condition).await;
    }

    /// [`Phone::wait_until`] with a bound of its own (e.g. for a page that refreshes itself).
    pub async fn wait_until_within(&self, bound: Duration, what: &str, condition: &str) {
        let script = format!("return !!({condition});");
        let deadline = Instant::now() + bound;
        loop {
            // A script can fail while the page navigates: just try again.
            if let Ok(ret) = self.driver.execute(&script, Vec::new()).await {
                if ret.json() == &Value::Bool(true) {
                    return;
                }
            }
            if Instant::now() > deadline {
                self.fail(&format!("waited {bound:?} for {what}")).await;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until an element with this `data-testid` is on the page.
    pub async fn wait_for(&self, testid: &str) {
        let found = format!("document.querySelector({}) !== null", js(&selector(testid)));
        self.wait_until(&format!("[data-testid=\"{testid}\"]"), &found).await;
    }

    /// Waits until the question `step` (its `data-step`, e.g. `Person`) is on screen.
    pub async fn wait_for_question(&self, step: &str) {
        let found =
            format!("document.querySelector('[data-testid=\"question\"][data-step=\"{step}\"]') !== null");
        self.wait_until(&format!("the question {step}"), &found).await;
    }

    /// Whether an element with this `data-testid` is on the page now.
    pub async fn exists(&self, testid: &str) -> bool {
        let script = format!("return document.querySelector({}) !== null;", js(&selector(testid)));
        self.eval(&script).await == Value::Bool(true)
    }

    /// The visible text of the element with this `data-testid`.
    pub async fn text(&self, testid: &str) -> String {
        self.wait_for(testid).await;
        let script = format!("return document.querySelector({}).innerText;", js(&selector(testid)));
        self.eval(&script).await.as_str().unwrap_or_default().trim().to_string()
    }

    /// The first number in the element's text (the tallies: "3 bevestigd").
    pub async fn number(&self, testid: &str) -> u32 {
        let text = self.text(testid).await;
        let digits: String =
            text.chars().skip_while(|c| !c.is_ascii_digit()).take_while(char::is_ascii_digit).collect();
        digits.parse().unwrap_or_else(|_| panic!("no number in {testid}: {text:?}"))
    }

    pub async fn attribute(&self, testid: &str, name: &str) -> Option<String> {
        self.wait_for(testid).await;
        let script =
            format!("return document.querySelector({}).getAttribute({});", js(&selector(testid)), js(name));
        self.eval(&script).await.as_str().map(str::to_string)
    }

    /// `(data-id, data-state)` of every record in the list, newest first.
    pub async fn records(&self) -> Vec<(String, String)> {
        let script = "return Array.from(document.querySelectorAll('[data-testid=\"record-item\"]'))\
                      .map(e => [e.dataset.id, e.dataset.state]);";
        let rows = self.eval(script).await;
        rows.as_array()
            .expect("a list")
            .iter()
            .map(|r| (r[0].as_str().unwrap_or_default().into(), r[1].as_str().unwrap_or_default().into()))
            .collect()
    }

    /// Waits until the list holds exactly `n` records, all in `state`.
    pub async fn wait_for_records(&self, n: usize, state: &str) {
        let condition = format!(
            "(() => {{ const s = Array.from(document.querySelectorAll('[data-testid=\"record-item\"]')).map(e => e.dataset.state); \
             return s.length === {n} && s.every(x => x === '{state}'); }})()"
        );
        self.wait_until(&format!("{n} records, all {state}"), &condition).await;
    }

    /// Whether the page is controlled by the app's service worker.
    pub async fn wait_for_service_worker(&self) {
        self.wait_until(
            "the service worker to control the page",
            "navigator.serviceWorker.controller !== null",
        )
        .await;
    }

    // --- acting -----------------------------------------------------------------------------

    /// Taps (clicks) the element with this `data-testid` once it is there.
    pub async fn tap(&self, testid: &str) {
        self.tap_css(&selector(testid)).await;
    }

    /// Taps the first element that matches the CSS selector `css` once it is there.
    pub async fn tap_css(&self, css: &str) {
        let deadline = Instant::now() + WAIT;
        loop {
            if self.engine == Engine::WebKit {
                // WebKit's click lands beside a target that moves while the driver scrolls.
                self.settle_into_view(css).await;
            }
            // The element may be re-rendered between finding and clicking: try again.
            let error = match self.driver.find(By::Css(css)).await {
                Ok(element) => match element.click().await {
                    Ok(()) => return,
                    Err(e) => e,
                },
                Err(e) => e,
            };
            if Instant::now() > deadline {
                self.fail(&format!("could not tap {css}: {error}")).await;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Scrolls the first match of `css` (if any) to the middle of the screen and waits two
    /// animation frames, so that it stands still when clicked.
    async fn settle_into_view(&self, css: &str) {
        let script = format!(
            "const el = document.querySelector({}); if (el) el.scrollIntoView({{block: 'center'}}); \
             return new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))));",
            js(css)
        );
        let _ = self.driver.execute(&script, Vec::new()).await;
    }

    /// Types `text` into a field, key by key, replacing what it held.
    pub async fn type_into(&self, testid: &str, text: &str) {
        self.wait_for(testid).await;
        let field = self.driver.find(By::Css(selector(testid))).await.expect("the field");
        field.clear().await.expect("the field can be cleared");
        field.send_keys(text).await.unwrap_or_else(|e| panic!("typing into {testid}: {e}"));
    }

    /// Sends keys to the element that has the focus, as a person at a keyboard does (special
    /// keys as `thirtyfour::Key`'s characters, e.g. `"\u{E007}"` for Enter).
    pub async fn keys(&self, keys: &str) {
        let element = self.driver.active_element().await.expect("an element with the focus");
        element.send_keys(keys).await.unwrap_or_else(|e| panic!("typing {keys:?}: {e}"));
    }

    /// Chooses the file at `path` in the file input with this `data-testid`, once it is enabled.
    pub async fn upload(&self, testid: &str, path: &Path) {
        let enabled = format!(
            "document.querySelector({}) && !document.querySelector({}).disabled",
            js(&selector(testid)),
            js(&selector(testid))
        );
        self.wait_until(&format!("{testid} enabled"), &enabled).await;
        let input = self.driver.find(By::Css(selector(testid))).await.expect("the file input");
        input
            .send_keys(path.display().to_string())
            .await
            .unwrap_or_else(|e| panic!("choosing {}: {e}", path.display()));
    }

    /// Fills an `<input type="date">` with `yyyy-mm-dd`. Typed keys would depend on the
    /// browser's locale (dd-mm-jjjj or mm/dd/yyyy), so the value is set as the date picker
    /// sets it, with the `input` event the app listens to.
    pub async fn set_date(&self, testid: &str, date: &str) {
        self.wait_for(testid).await;
        let script = format!(
            "const el = document.querySelector({}); el.focus(); el.value = {}; \
             el.dispatchEvent(new Event('input', {{ bubbles: true }})); \
             el.dispatchEvent(new Event('change', {{ bubbles: true }})); el.blur(); return el.value;",
            js(&selector(testid)),
            js(date)
        );
        assert_eq!(self.eval(&script).await, Value::String(date.into()), "the date field takes {date}");
    }

    // --- screenshots ------------------------------------------------------------------------

    /// Saves what the screen shows as `tests/artifacts/<name>.png` (360×740 on a phone).
    /// Prints the page on A4 as the browser's "print" does (the print style sheet applies):
    /// the number of pages of the PDF.
    pub async fn printed_pages(&self) -> usize {
        use thirtyfour::common::print::{PrintPage, PrintParameters};
        let a4 = PrintParameters { page: PrintPage { width: 21.0, height: 29.7 }, ..Default::default() };
        let pdf = self.driver.print_page(a4).await.expect("the page prints");
        let mark = b"/Type /Page";
        pdf.windows(mark.len() + 1).filter(|w| w.starts_with(mark) && w[mark.len()] != b's').count()
    }

    pub async fn screenshot(&self, name: &str) -> PathBuf {
        // Let the last render and any transition settle.
        tokio::time::sleep(Duration::from_millis(200)).await;
        let png = self.driver.screenshot_as_png().await.expect("a screenshot");
        let path = artifacts().join(format!("{name}.png"));
        std::fs::write(&path, &png).expect("the screenshot is written");
        let size = (self.screen.width, self.screen.height);
        assert_eq!(png_size(&png), size, "{} is the size of the screen", path.display());
        self.assert_accessible(name).await;
        path
    }

    /// Scrolls the element with this `data-testid` to just below the app's sticky top bar.
    pub async fn scroll_to(&self, testid: &str) {
        self.wait_for(testid).await;
        let script = format!(
            "const el = document.querySelector({}); \
             window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 64); return true;",
            js(&selector(testid))
        );
        self.eval(&script).await;
    }

    /// Scrolls just far enough that the element with this `data-testid` is at the bottom of
    /// the screen.
    pub async fn reveal(&self, testid: &str) {
        self.wait_for(testid).await;
        let script = format!(
            "document.querySelector({}).scrollIntoView({{block: 'end'}}); return true;",
            js(&selector(testid))
        );
        self.eval(&script).await;
    }

    pub async fn scroll_to_top(&self) {
        self.eval("window.scrollTo(0, 0); return true;").await;
    }

    /// Saves a screenshot and panics with `message` and the page's text.
    pub async fn fail(&self, message: &str) -> ! {
        let shot = match self.driver.screenshot_as_png().await {
            Ok(png) => {
                let path = artifacts().join(format!("FAIL-{}.png", self.name));
                std::fs::write(&path, png).map(|_| path.display().to_string()).unwrap_or_default()
            }
            Err(e) => format!("(no screenshot: {e})"),
        };
        let page = match self.driver.execute("return document.body.innerText;", Vec::new()).await {
            Ok(ret) => ret.json().as_str().unwrap_or_default().to_string(),
            Err(e) => format!("(page unreadable: {e})"),
        };
        panic!("{message}\nscreenshot: {shot}\npage text:\n{page}");
    }
}

/// The CSS selector of a `data-testid` (quoted: ids such as `situation-3.1` have dots).
pub fn selector(testid: &str) -> String {
    format!("[data-testid=\"{testid}\"]")
}

/// A JavaScript string literal.
fn js(text: &str) -> String {
    serde_json::to_string(text).expect("a string")
}

/// Width and height from a PNG's IHDR chunk.
fn png_size(png: &[u8]) -> (u32, u32) {
    assert!(png.len() > 24 && png.starts_with(b"\x89PNG"), "not a PNG");
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    (be(&png[16..20]), be(&png[20..24]))
}
