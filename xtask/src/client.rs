//! `cargo xtask build-client`: the field app and the console, compiled for wasm32, bound with
//! the `wasm-bindgen` library, with the vendored NL Design System CSS and the service worker,
//! into `client/dist/`.

use crate::{cargo, root, run, target_dir};
use anyhow::{Context, Result};
use std::collections::BTreeSet;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The app shell's gzipped budget (wasm + js + css), in bytes.
const BUDGET_BYTES: u64 = 300 * 1024;

/// The cargo profile of the release build of the client.
const WASM_PROFILE: &str = "wasm-release";
const WASM_NAMES_PROFILE: &str = "wasm-names";
const WASM_PROFILE_SETTINGS: &[&str] = &[
    "inherits=\"release\"",
    "opt-level=\"z\"",
    "lto=true",
    "codegen-units=1",
    "panic=\"abort\"",
    "debug=false",
    "strip=true",
];

/// NL Design System CSS, in cascade order: the Utrecht design tokens, then the components the
/// app uses (paths under `client/node_modules/`).
const NLDS_CSS: &[&str] = &[
    "@utrecht/design-tokens/dist/theme.css",
    "@utrecht/document-css/dist/index.min.css",
    "@utrecht/paragraph-css/dist/index.min.css",
    "@utrecht/heading-1-css/dist/index.min.css",
    "@utrecht/heading-2-css/dist/index.min.css",
    "@utrecht/button-css/dist/index.min.css",
    "@utrecht/textbox-css/dist/index.min.css",
    "@utrecht/form-label-css/dist/index.min.css",
    "@utrecht/form-field-css/dist/index.min.css",
    "@utrecht/form-field-description-css/dist/index.min.css",
    "@utrecht/form-field-error-message-css/dist/index.min.css",
    "@utrecht/form-fieldset-css/dist/index.min.css",
    "@utrecht/alert-css/dist/index.min.css",
    "@utrecht/status-badge-css/dist/index.min.css",
];

/// npm files the browser tests use, installed by the same `npm ci` (dev dependencies).
const NPM_TEST_ONLY: &[&str] = &["axe-core/axe.min.js"];

/// Builds `client/dist/` and returns its path.
/// `names` keeps the function names in the wasm (a profile of its own), for size analysis.
pub fn build_client(release: bool, names: bool) -> Result<PathBuf> {
    let root = root();
    let client = root.join("client");
    let dist = client.join("dist");
    let profile = match (release, names) {
        (true, false) => WASM_PROFILE,
        (true, true) => WASM_NAMES_PROFILE,
        (false, _) => "debug",
    };

    // Build into a fresh folder next to dist, then swap: a failed build never leaves half a dist.
    let staging = client.join("dist.partial");
    if staging.exists() {
        fs::remove_dir_all(&staging)?;
    }
    fs::create_dir_all(&staging)?;
    // Three bundles: the field app for phones (the offline app shell), the console and the desk.
    compile_and_bind(release, names, profile, None, "ethos_client", &staging)?;
    compile_and_bind(release, names, profile, Some("console"), "ethos_console", &staging)?;
    compile_and_bind(release, names, profile, Some("desk"), "ethos_desk", &staging)?;

    // No wasm-opt: Debian's binaryen (108) gains about 1 % here and breaks the externref
    // table that wasm-bindgen sets up.

    fs::write(staging.join("app.css"), nlds_css(&client)?)?;
    for file in [
        "index.html",
        "boot.js",
        "console.html",
        "console-boot.js",
        "desk.html",
        "desk-boot.js",
        "desk.css",
        "manifest.webmanifest",
    ] {
        fs::copy(client.join("static").join(file), staging.join(file))?;
    }
    copy_dir(&client.join("static/icons"), &staging.join("icons"))?;
    write_service_worker(&client.join("static/sw.js"), &staging)?;

    if dist.exists() {
        fs::remove_dir_all(&dist)?;
    }
    fs::rename(&staging, &dist)?;
    report_size(&dist)?;
    Ok(dist)
}

/// Whether `client/node_modules` holds every npm file the build and the browser tests use,
/// installed from the current lock file (so `npm ci` is not needed).
pub fn npm_packages_fresh(client: &Path) -> bool {
    let lock = client.join("package-lock.json");
    let installed = client.join("node_modules/.package-lock.json");
    match (fs::read(&lock), fs::read(&installed)) {
        (Ok(_), Ok(_)) => {
            NLDS_CSS.iter().chain(NPM_TEST_ONLY).all(|p| client.join("node_modules").join(p).exists())
                && !newer(&lock, &installed)
        }
        _ => false,
    }
}

/// Installs the pinned npm packages when needed (`npm ci`, lock file committed) and returns
/// their CSS, concatenated.
fn nlds_css(client: &Path) -> Result<String> {
    if !npm_packages_fresh(client) {
        eprintln!("xtask: npm ci (NL Design System CSS)");
        run(Command::new("npm")
            .args(["ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(client))
        .context("npm is needed once to vendor the NL Design System CSS (apt-get install npm)")?;
    }
    let mut parts = Vec::new();
    for p in NLDS_CSS {
        let path = client.join("node_modules").join(p);
        let text = fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
        parts.push((*p, text));
    }
    let own = fs::read_to_string(client.join("static/app.css"))?;
    let used: String = parts.iter().skip(1).map(|(_, t)| t.as_str()).chain([own.as_str()]).collect();
    let mut css =
        String::from("/* NL Design System CSS (Utrecht), EUPL-1.2, vendored from npm by cargo xtask. */\n");
    for (i, (p, text)) in parts.iter().enumerate() {
        css.push_str(&format!("/* {p} */\n"));
        // The design tokens define the variables of every component: keep the ones used here.
        if i == 0 {
            css.push_str(&used_tokens(text, &used));
        } else {
            css.push_str(text);
        }
        css.push('\n');
    }
    css.push_str("/* client/static/app.css */\n");
    css.push_str(&own);
    Ok(css)
}

/// The token declarations (`  --name: value;`, one a line) of `theme` that `css` uses,
/// directly or through other tokens; every other line of `theme` stays.
fn used_tokens(theme: &str, css: &str) -> String {
    fn refs(text: &str, into: &mut BTreeSet<String>) {
        for part in text.split("var(").skip(1) {
            let name: String = part
                .trim_start()
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect();
            if name.starts_with("--") {
                into.insert(name);
            }
        }
    }
    fn declaration(line: &str) -> Option<(&str, &str)> {
        let line = line.trim_start();
        line.starts_with("--").then(|| line.split_once(':')).flatten()
    }
    let mut wanted = BTreeSet::new();
    refs(css, &mut wanted);
    loop {
        let before = wanted.len();
        for (name, value) in theme.lines().filter_map(declaration) {
            if wanted.contains(name) {
                refs(value, &mut wanted);
            }
        }
        if wanted.len() == before {
            break;
        }
    }
    theme
        .lines()
        .filter(|line| declaration(line).is_none_or(|(name, _)| wanted.contains(name)))
        .flat_map(|line| [line, "\n"])
        .collect()
}

fn newer(a: &Path, b: &Path) -> bool {
    let m = |p: &Path| fs::metadata(p).and_then(|m| m.modified()).ok();
    matches!((m(a), m(b)), (Some(a), Some(b)) if a > b)
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let path = entry.path();
        if path.is_dir() {
            copy_dir(&path, &to.join(entry.file_name()))?;
        } else {
            fs::copy(&path, to.join(entry.file_name()))?;
        }
    }
    Ok(())
}

/// Compiles `ethos-client` for wasm32 (with `features`) and runs wasm-bindgen into `out_dir`
/// as `{out_name}.js` and `{out_name}_bg.wasm`.
fn compile_and_bind(
    release: bool,
    names: bool,
    profile: &str,
    features: Option<&str>,
    out_name: &str,
    out_dir: &Path,
) -> Result<()> {
    eprintln!(
        "xtask: compiling ethos-client for wasm32 ({profile}, features: {})",
        features.unwrap_or("none")
    );
    let mut build = cargo();
    build.args(["build", "-p", "ethos-client", "--target", "wasm32-unknown-unknown"]);
    if let Some(features) = features {
        build.args(["--features", features]);
    }
    if release {
        // A profile of its own, declared here so the workspace's release profile (the
        // server's) stays as it is: smallest code, whole-program LTO, no unwinding.
        for setting in WASM_PROFILE_SETTINGS {
            build.args(["--config", &format!("profile.{WASM_PROFILE}.{setting}")]);
        }
        if names {
            build.args(["--config", &format!("profile.{WASM_NAMES_PROFILE}.inherits=\"{WASM_PROFILE}\"")]);
            build.args(["--config", &format!("profile.{WASM_NAMES_PROFILE}.strip=false")]);
        }
        build.args(["--profile", profile]);
        // leptos: type-erased views, a much smaller binary for an app of many screens.
        build.args(["--config", "target.wasm32-unknown-unknown.rustflags=[\"--cfg=erase_components\"]"]);
    }
    run(&mut build)?;
    let wasm = target_dir().join("wasm32-unknown-unknown").join(profile).join("ethos-client.wasm");
    eprintln!("xtask: wasm-bindgen ({out_name})");
    wasm_bindgen_cli_support::Bindgen::new()
        .input_path(&wasm)
        .out_name(out_name)
        .web(true)?
        .typescript(false)
        .debug(!release)
        .remove_name_section(release && !names)
        .remove_producers_section(release)
        .generate(out_dir)
        .map_err(|e| anyhow::anyhow!("wasm-bindgen: {e:#}"))?;
    Ok(())
}

/// Whether a site path belongs to the console bundle, which phones never need offline.
fn is_console_file(url: &str) -> bool {
    url.starts_with("/ethos_console") || url.starts_with("/console")
}

/// Whether a site path belongs to the desk bundle (laptops, online), which phones never need.
fn is_desk_file(url: &str) -> bool {
    url.starts_with("/ethos_desk") || url.starts_with("/desk")
}

/// Every file under `dir`, as site paths (`/icons/icon.svg`), sorted.
fn site_files(dir: &Path) -> Result<Vec<(String, PathBuf)>> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<(String, PathBuf)>) -> Result<()> {
        for entry in fs::read_dir(dir)? {
            let path = entry?.path();
            if path.is_dir() {
                walk(base, &path, out)?;
            } else {
                let rel = path.strip_prefix(base)?.to_string_lossy().replace('\\', "/");
                out.push((format!("/{rel}"), path));
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out)?;
    out.sort();
    Ok(out)
}

/// Writes `sw.js` with the app shell's file list and a hash of their contents (any change to
/// the app makes a new service worker, which the browser then installs), and the list of the
/// desk's files, which the worker keeps only when a desk asks for them.
fn write_service_worker(template: &Path, dist: &Path) -> Result<()> {
    let files = site_files(dist)?;
    let shell = files.iter().filter(|(url, _)| !is_console_file(url) && !is_desk_file(url));
    let (version, assets) = hashed_list(shell)?;
    // The desk page is served at `/desk` (its link `/desk#code=…`), not as `/desk.html`. Only
    // the desk's file names go into `sw.js`, no hash of them: a change to the desk alone must not
    // give the phones a new worker.
    let (_, desk_assets) = hashed_list(files.iter().filter(|(url, _)| is_desk_file(url)))?;
    let desk_assets = desk_assets.replace("\"/desk.html\"", "\"/desk\"");
    let text = fs::read_to_string(template)?
        .replace("__VERSION__", &version)
        .replace("__ASSETS__", &assets)
        .replace("__DESK_ASSETS__", &desk_assets);
    fs::write(dist.join("sw.js"), text)?;
    Ok(())
}

/// A hash of the files' paths and contents (FNV-1a, hex) and their paths as a JavaScript list.
fn hashed_list<'a>(files: impl Iterator<Item = &'a (String, PathBuf)>) -> Result<(String, String)> {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut urls = Vec::new();
    for (url, path) in files {
        for b in url.bytes().chain(fs::read(path)?) {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        urls.push(format!("\"{url}\""));
    }
    Ok((format!("{hash:016x}"), format!("[{}]", urls.join(", "))))
}

fn gzipped(bytes: &[u8]) -> Result<u64> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(bytes)?;
    Ok(enc.finish()?.len() as u64)
}

/// Prints the gzipped size of the app shell: the wasm, every JavaScript file, the CSS.
fn report_size(dist: &Path) -> Result<u64> {
    let mut total = 0;
    let mut lines = Vec::new();
    let mut console = 0;
    let mut desk = 0;
    for (url, path) in site_files(dist)? {
        let code = url.ends_with(".wasm") || url.ends_with(".js") && url != "/sw.js" || url.ends_with(".css");
        if !code {
            continue;
        }
        let bytes = fs::read(&path)?;
        let gz = gzipped(&bytes)?;
        if is_console_file(&url) {
            console += gz;
        } else if is_desk_file(&url) {
            desk += gz;
        } else {
            total += gz;
        }
        lines.push(format!("  {url:<60} {:>8} B  {:>7} B gzipped", bytes.len(), gz));
    }
    eprintln!("xtask: app shell in {}:", dist.display());
    for l in lines {
        eprintln!("{l}");
    }
    let verdict = if total <= BUDGET_BYTES { "within" } else { "OVER" };
    println!(
        "app shell (wasm + js + css), gzipped: {total} bytes = {:.1} KB ({verdict} the budget of {} KB)",
        total as f64 / 1024.0,
        BUDGET_BYTES / 1024
    );
    println!(
        "console (laptops, not cached by the phones' service worker): {:.1} KB more, gzipped",
        console as f64 / 1024.0
    );
    println!(
        "desk (laptops, not cached by the phones' service worker): {:.1} KB more, gzipped",
        desk as f64 / 1024.0
    );
    Ok(total)
}
