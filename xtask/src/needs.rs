//! What the tasks need besides Rust, checked in seconds before anything is built: the wasm
//! target, npm, and for the tests the three browser engines with their WebDriver servers.
//! Each missing piece is installed where that is safe (rustup for the target; as root with
//! apt-get and `cargo install` for the rest, as on CI), or named in one line with the command
//! that gets it.

use crate::{cargo, root, run};
use anyhow::{bail, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// The wasm target of the pinned toolchain (rust-toolchain.toml asks for it, but rustup does
/// not add a toolchain file's targets when auto-install is off).
pub fn wasm_target() -> Result<()> {
    if wasm_target_installed() {
        return Ok(());
    }
    if on_path("rustup").is_none() {
        bail!(
            "the Rust standard library for {WASM_TARGET} is missing and rustup is not here: \
             install it for your Rust (with rustup: rustup target add {WASM_TARGET})"
        );
    }
    eprintln!("xtask: adding the {WASM_TARGET} target (rustup target add {WASM_TARGET})");
    // In the workspace root, so that rustup adds it to the toolchain of rust-toolchain.toml.
    run(Command::new("rustup").args(["target", "add", WASM_TARGET]).current_dir(root()))?;
    if !wasm_target_installed() {
        bail!("rustup added {WASM_TARGET}, but the compiler still lacks it: rustup target add {WASM_TARGET}");
    }
    Ok(())
}

/// Whether the compiler cargo uses here has the standard library for wasm32 in its sysroot.
fn wasm_target_installed() -> bool {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let Ok(out) = Command::new(rustc).args(["--print", "sysroot"]).current_dir(root()).output() else {
        return false;
    };
    let sysroot = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    out.status.success() && sysroot.join("lib/rustlib").join(WASM_TARGET).join("lib").is_dir()
}

/// npm, when `client/node_modules` must be (re)installed from the lock file.
pub fn npm() -> Result<()> {
    if crate::client::npm_packages_fresh(&root().join("client")) || on_path("npm").is_some() {
        return Ok(());
    }
    if !can_apt() {
        bail!("npm is missing (it vendors the NL Design System CSS once): apt-get install npm, or install Node.js");
    }
    apt_install(&["npm"])
}

/// One thing a browser test drives: where it is found, and how to get it.
struct Tool {
    what: &'static str,
    found: Option<PathBuf>,
    /// The Debian package that has it, or else the crate `cargo install` builds it from.
    apt: Option<&'static str>,
    cargo: Option<&'static str>,
}

impl Tool {
    fn how(&self) -> String {
        match (self.apt, self.cargo) {
            (Some(pkg), _) => format!("apt-get install {pkg}"),
            (None, Some(krate)) => format!("cargo install {krate}"),
            (None, None) => String::from("(no known source)"),
        }
    }
}

/// The engines of the browser tests, as the tests find them (`tests/tests/browser/engine.rs`
/// reads the same paths and `ETHOS_*` variables).
fn engines() -> Vec<(&'static str, Vec<Tool>)> {
    let file = |var: &str, default: &str| {
        let path = std::env::var_os(var).map_or_else(|| PathBuf::from(default), PathBuf::from);
        path.is_file().then_some(path)
    };
    let tool = |what, found, apt, cargo| Tool { what, found, apt, cargo };
    vec![
        (
            "Chromium",
            vec![
                tool("chromium", file("ETHOS_CHROMIUM", "/usr/bin/chromium"), Some("chromium"), None),
                tool(
                    "chromedriver",
                    file("ETHOS_CHROMEDRIVER", "/usr/bin/chromedriver"),
                    Some("chromium-driver"),
                    None,
                ),
                // The print tests read the printed PDFs back (pdfinfo, pdftotext, pdftoppm).
                tool("pdftotext", on_path("pdftotext"), Some("poppler-utils"), None),
            ],
        ),
        (
            "Firefox ESR",
            vec![
                tool("firefox-esr", file("ETHOS_FIREFOX", "/usr/bin/firefox-esr"), Some("firefox-esr"), None),
                tool("geckodriver", geckodriver(), None, Some("geckodriver")),
            ],
        ),
        (
            "WebKitGTK",
            vec![
                tool(
                    "WebKitWebDriver",
                    file("ETHOS_WEBKIT_DRIVER", "/usr/bin/WebKitWebDriver"),
                    Some("webkit2gtk-driver"),
                    None,
                ),
                tool("MiniBrowser", minibrowser(), Some("libwebkit2gtk-4.1-0"), None),
                tool("Xvfb", file("ETHOS_XVFB", "/usr/bin/Xvfb"), Some("xvfb"), None),
            ],
        ),
    ]
}

/// geckodriver: `ETHOS_GECKODRIVER`, else on the PATH, else where `cargo install` puts it.
fn geckodriver() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("ETHOS_GECKODRIVER") {
        return Some(PathBuf::from(path)).filter(|p| p.is_file());
    }
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    on_path("geckodriver").or_else(|| cargo_home.map(|c| c.join("bin/geckodriver")).filter(|p| p.is_file()))
}

/// WebKitGTK's MiniBrowser (it lives in the library's folder, not on the PATH).
fn minibrowser() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("ETHOS_MINIBROWSER") {
        return Some(PathBuf::from(path)).filter(|p| p.is_file());
    }
    let lib = std::fs::read_dir("/usr/lib").ok()?;
    lib.filter_map(|e| e.ok())
        .map(|e| e.path().join("webkit2gtk-4.1/MiniBrowser"))
        .chain([PathBuf::from("/usr/lib/webkit2gtk-4.1/MiniBrowser")])
        .find(|p| p.is_file())
}

/// The browsers and drivers of the browser tests. As root with apt-get (as on CI) whatever is
/// missing is installed. Elsewhere a missing Chromium stops here (every browser test needs it);
/// a missing Firefox or WebKit is named with its command and its engine test is skipped,
/// except on CI (`CI=true`), where nothing may be skipped.
pub fn browsers() -> Result<()> {
    let missing = |engines: &[(&'static str, Vec<Tool>)]| -> Vec<(&'static str, String, String)> {
        engines
            .iter()
            .flat_map(|(engine, tools)| {
                tools.iter().filter(|t| t.found.is_none()).map(|t| (*engine, t.what.to_string(), t.how()))
            })
            .collect()
    };
    let gaps = missing(&engines());
    if gaps.is_empty() {
        return Ok(());
    }
    if can_apt() {
        let all = engines();
        let packages: Vec<&str> = all
            .iter()
            .flat_map(|(_, tools)| tools)
            .filter(|t| t.found.is_none())
            .filter_map(|t| t.apt)
            .collect();
        if !packages.is_empty() {
            apt_install(&packages)?;
        }
        if all.iter().flat_map(|(_, t)| t).any(|t| t.found.is_none() && t.cargo == Some("geckodriver")) {
            install_geckodriver()?;
        }
    }
    let gaps = missing(&engines());
    let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    let mut fatal = Vec::new();
    for (engine, what, how) in &gaps {
        if *engine == "Chromium" || ci {
            fatal.push(format!("{what} ({engine}): {how}"));
        } else {
            eprintln!("xtask: {what} is missing, so the {engine} test will be skipped; get it with: {how}");
        }
    }
    if !fatal.is_empty() {
        bail!("the browser tests need: {}", fatal.join("; "));
    }
    Ok(())
}

/// `cargo install geckodriver`, with the lock file of its release first, and without it when
/// that fails (a yanked dependency, say).
fn install_geckodriver() -> Result<()> {
    eprintln!("xtask: cargo install geckodriver (Firefox's WebDriver server; a few minutes)");
    let mut locked = cargo();
    locked.args(["install", "--locked", "geckodriver"]);
    if run(&mut locked).is_ok() {
        return Ok(());
    }
    eprintln!("xtask: cargo install --locked geckodriver failed; trying without --locked");
    run(cargo().args(["install", "geckodriver"]))
}

/// Root on a machine with apt-get: allowed to install Debian packages.
fn can_apt() -> bool {
    let root = Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    root && Path::new("/usr/bin/apt-get").is_file()
}

fn apt_install(packages: &[&str]) -> Result<()> {
    eprintln!("xtask: installing Debian packages: {}", packages.join(" "));
    run(Command::new("apt-get").args(["update", "-qq"]))?;
    run(Command::new("apt-get")
        .args(["install", "-y", "-qq"])
        .args(packages)
        .env("DEBIAN_FRONTEND", "noninteractive"))
}

/// The first `name` in a folder of the PATH.
fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join(name)).find(|p| p.is_file())
}
