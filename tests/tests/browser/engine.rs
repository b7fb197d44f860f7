//! The three browser engines the phone tests run in, and the processes each needs:
//!
//! - Chromium: Debian's `chromium` through its `chromedriver`, one chromedriver per test
//!   binary (most tests run here only).
//! - Firefox ESR: Debian's `firefox-esr`, headless, with a profile folder of its own, through
//!   `geckodriver` (`cargo install geckodriver`), one per session. Headless windows are at least
//!   500 px wide, so the 360×740 viewport is set with WebDriver BiDi (`bidi`).
//! - WebKitGTK: Debian's `WebKitWebDriver` (`webkit2gtk-driver`) driving `MiniBrowser
//!   --automation` on an X server of its own (`Xvfb -displayfd`, `GDK_BACKEND=x11`), one of
//!   each per session. Its window cannot be narrower than about 447 px.
//!
//! Paths are Debian's; `ETHOS_CHROMIUM`, `ETHOS_CHROMEDRIVER`, `ETHOS_FIREFOX`,
//! `ETHOS_GECKODRIVER`, `ETHOS_WEBKIT_DRIVER`, `ETHOS_MINIBROWSER` and `ETHOS_XVFB` override
//! them (`cargo xtask test` checks the same ones).

use serde_json::json;
use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};
use tempfile::TempDir;
use thirtyfour::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Chromium,
    Firefox,
    WebKit,
}

impl Engine {
    pub fn name(self) -> &'static str {
        match self {
            Engine::Chromium => "chromium",
            Engine::Firefox => "firefox",
            Engine::WebKit => "webkit",
        }
    }

    /// What this engine lacks on this machine, with the command that gets it; `None` when
    /// everything is there.
    pub fn missing(self) -> Option<String> {
        let need = |found: Option<PathBuf>, what: &str, how: &str| {
            found.is_none().then(|| format!("{what} ({how})"))
        };
        let gaps: Vec<String> = match self {
            Engine::Chromium => vec![
                need(file(&chromium()), "chromium", "apt-get install chromium"),
                need(file(&chromedriver_binary()), "chromedriver", "apt-get install chromium-driver"),
            ],
            Engine::Firefox => vec![
                need(file(&firefox()), "firefox-esr", "apt-get install firefox-esr"),
                need(geckodriver(), "geckodriver", "cargo install geckodriver"),
            ],
            Engine::WebKit => vec![
                need(file(&webkit_driver()), "WebKitWebDriver", "apt-get install webkit2gtk-driver"),
                need(minibrowser(), "MiniBrowser", "apt-get install libwebkit2gtk-4.1-0"),
                need(file(&xvfb()), "Xvfb", "apt-get install xvfb"),
            ],
        }
        .into_iter()
        .flatten()
        .collect();
        (!gaps.is_empty()).then(|| gaps.join(", "))
    }
}

fn var_or(var: &str, default: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| default.into())
}
fn file(path: &str) -> Option<PathBuf> {
    Some(PathBuf::from(path)).filter(|p| p.is_file())
}
pub fn chromium() -> String {
    var_or("ETHOS_CHROMIUM", "/usr/bin/chromium")
}
fn chromedriver_binary() -> String {
    var_or("ETHOS_CHROMEDRIVER", "/usr/bin/chromedriver")
}
fn firefox() -> String {
    var_or("ETHOS_FIREFOX", "/usr/bin/firefox-esr")
}
fn webkit_driver() -> String {
    var_or("ETHOS_WEBKIT_DRIVER", "/usr/bin/WebKitWebDriver")
}
fn xvfb() -> String {
    var_or("ETHOS_XVFB", "/usr/bin/Xvfb")
}

/// `ETHOS_GECKODRIVER`, else on the PATH, else where `cargo install` puts it.
fn geckodriver() -> Option<PathBuf> {
    if let Ok(path) = std::env::var("ETHOS_GECKODRIVER") {
        return file(&path);
    }
    let on_path = std::env::var_os("PATH")
        .and_then(|p| std::env::split_paths(&p).map(|d| d.join("geckodriver")).find(|p| p.is_file()));
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    on_path.or_else(|| cargo_home.map(|c| c.join("bin/geckodriver")).filter(|p| p.is_file()))
}

/// WebKitGTK's MiniBrowser, in the library's folder (`/usr/lib/<arch>/webkit2gtk-4.1/`).
fn minibrowser() -> Option<PathBuf> {
    if let Ok(path) = std::env::var("ETHOS_MINIBROWSER") {
        return file(&path);
    }
    let arch_dirs = std::fs::read_dir("/usr/lib").ok()?.filter_map(|e| e.ok()).map(|e| e.path());
    arch_dirs
        .chain([PathBuf::from("/usr/lib")])
        .map(|d| d.join("webkit2gtk-4.1/MiniBrowser"))
        .find(|p| p.is_file())
}

struct Chromedriver {
    url: String,
    /// Never dropped (a static): see `start_chromedriver`.
    _process: Mutex<Child>,
}

static CHROMEDRIVER: OnceLock<Chromedriver> = OnceLock::new();

/// The URL of this test binary's chromedriver, started on first use.
pub fn chromedriver() -> &'static str {
    &CHROMEDRIVER.get_or_init(start_chromedriver).url
}

fn start_chromedriver() -> Chromedriver {
    let binary = chromedriver_binary();
    for path in [&binary, &chromium()] {
        assert!(
            Path::new(path).is_file(),
            "{path} is missing: the browser tests need Debian's Chromium and ChromeDriver \
             (`apt-get install chromium chromium-driver`, as .ci/run does), or set \
             ETHOS_CHROMIUM and ETHOS_CHROMEDRIVER"
        );
    }
    let port = free_port();
    // A static is never dropped, so chromedriver would outlive the test binary. `sh` ties it
    // to us instead: when this process exits, its end of the pipe closes, `read` returns and
    // chromedriver is stopped.
    let process = Command::new("sh")
        .arg("-c")
        .arg(r#""$0" --port="$1" --log-level=OFF >/dev/null 2>&1 & read -r _; kill $!"#)
        .arg(&binary)
        .arg(port.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    wait_for_port(port, "chromedriver");
    Chromedriver { url: format!("http://127.0.0.1:{port}"), _process: Mutex::new(process) }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port()
}

fn wait_for_port(port: u16, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "{what} did not listen on port {port} within 10 s");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A process of a session (a driver, an X server), stopped when the session ends.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A Firefox or WebKit session with what it runs on. Drop it only once the browser has quit:
/// the driver goes first, then the X server, then the profile folder.
pub struct Session {
    pub driver: WebDriver,
    /// The viewport the page really has, in CSS pixels (WebKit's window cannot be as narrow
    /// as a phone's).
    pub viewport: (u32, u32),
    _driver_process: Process,
    _display: Option<Process>,
    _profile: TempDir,
}

/// Opens a Firefox or WebKit session with a viewport as close to `width`×`height` as the
/// engine allows.
pub async fn start(engine: Engine, width: u32, height: u32) -> Session {
    if let Some(missing) = engine.missing() {
        panic!("{} is not installed: {missing}", engine.name());
    }
    let profile = tempfile::tempdir().expect("a browser profile directory");
    let port = free_port();
    let (driver_process, display, caps) = match engine {
        Engine::Chromium => panic!("Chromium sessions are opened by Phone::open_on"),
        Engine::Firefox => {
            let gecko = geckodriver().expect("geckodriver");
            let process = Command::new(gecko)
                .args(["--port", &port.to_string(), "--websocket-port", &free_port().to_string()])
                .args(["--log", "fatal"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("geckodriver starts");
            let caps = json!({
                "browserName": "firefox",
                "webSocketUrl": true,
                "moz:firefoxOptions": {
                    "binary": firefox(),
                    "args": ["-headless", "-profile", profile.path().to_string_lossy()],
                },
            });
            (process, None, caps)
        }
        Engine::WebKit => {
            let (xvfb, display) = start_xvfb();
            let process = Command::new(webkit_driver())
                .arg(format!("--port={port}"))
                .env("DISPLAY", &display)
                .env("GDK_BACKEND", "x11")
                .env("XDG_RUNTIME_DIR", profile.path())
                .env("HOME", profile.path())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("WebKitWebDriver starts");
            let caps = json!({
                "browserName": "MiniBrowser",
                "webkitgtk:browserOptions": {
                    "binary": minibrowser().expect("MiniBrowser").to_string_lossy(),
                    "args": ["--automation"],
                },
            });
            (process, Some(xvfb), caps)
        }
    };
    let driver_process = Process(driver_process);
    wait_for_port(port, engine.name());
    let caps = Capabilities::from(caps.as_object().cloned().expect("an object"));
    let driver = WebDriver::new(format!("http://127.0.0.1:{port}"), caps)
        .await
        .unwrap_or_else(|e| panic!("{} starts through its WebDriver server: {e}", engine.name()));
    if engine == Engine::Firefox {
        let ws =
            driver.handle().capabilities().get("webSocketUrl").and_then(|v| v.as_str()).map(str::to_string);
        let ws = ws.expect("geckodriver gives a WebDriver BiDi address");
        crate::bidi::set_viewport(&ws, width, height).await;
    } else {
        // As narrow as the window gets; the viewport it really has is measured below.
        driver.set_window_rect(0, 0, width, height).await.expect("the window is resized");
    }
    let size = driver
        .execute("return [window.innerWidth, window.innerHeight];", Vec::new())
        .await
        .expect("the viewport's size");
    let size = size.json();
    let px = |i: usize| size[i].as_u64().and_then(|n| u32::try_from(n).ok()).expect("a size");
    Session {
        driver,
        viewport: (px(0), px(1)),
        _driver_process: driver_process,
        _display: display,
        _profile: profile,
    }
}

/// An X server of our own for WebKit (which has no headless mode): `Xvfb -displayfd 1` picks
/// a free display and writes its number on stdout.
fn start_xvfb() -> (Process, String) {
    let mut child = Command::new(xvfb())
        .args(["-displayfd", "1", "-screen", "0", "1280x1024x24", "-nolisten", "tcp"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("Xvfb starts");
    let stdout = child.stdout.take().expect("Xvfb's stdout");
    let process = Process(child);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).expect("Xvfb says its display");
    let number: u32 =
        line.trim().parse().unwrap_or_else(|_| panic!("a display number from Xvfb, not {line:?}"));
    (process, format!(":{number}"))
}
