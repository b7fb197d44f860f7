//! Project tasks, run as `cargo xtask <task>` (`cargo xtask <task> --help` for each):
//!
//! - `build-client [--release] [--names]`: compiles the field app (`ethos-client`) for
//!   `wasm32-unknown-unknown`, generates its JavaScript glue with the `wasm-bindgen` library
//!   (pinned to the version of the `wasm-bindgen` crate, so no CLI has to match), vendors the
//!   NL Design System CSS from npm (`npm ci` over the committed `client/package-lock.json`),
//!   and writes `client/dist/`: `index.html`, the `.js` and `_bg.wasm`, `app.css`, the service
//!   worker `sw.js` (with a precache list and a content hash), `manifest.webmanifest`, icons.
//!   Prints the gzipped size of the app shell (budget: 300 KB). `--names` keeps function
//!   names in the wasm, for size analysis.
//! - `demo`: builds the client (release) and the server, fills `ethos.db` with demo data
//!   (`ethos demo`), then runs `ethos serve --db ethos.db`. Extra arguments go to `serve`.
//!   `demo --check` sets the demo up in a temporary folder instead, checks that it serves, and
//!   ends.
//! - `test`: builds the client, then `cargo test --workspace`.
//!
//! Before building, each task checks in seconds what it needs besides Rust (`needs`): the wasm
//! target, npm, and for `test` the browsers and their drivers. No tool is downloaded at build
//! time: everything comes from crates.io, npm and Debian.

mod client;
mod demo;
mod needs;

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

const USAGE: &str = "usage: cargo xtask <task> [--help]

tasks:
  build-client [--release] [--names]  build the field app, the desk and the console into client/dist/
  demo [--check] [SERVE ARGS…]        build everything, make ethos.db with demo data, serve it
  test [CARGO TEST ARGS…]             build the client, then cargo test --workspace";

const BUILD_CLIENT_HELP: &str = "usage: cargo xtask build-client [--release] [--names]

Compiles the field app, the desk and the console for wasm32-unknown-unknown (adding that
target with rustup when it is missing), vendors the NL Design System CSS with `npm ci`, and
writes client/dist/ with the service worker. Prints the gzipped size of the app shell.

  --release  the small, optimised build (as served by the demo and tested)
  --names    with --release: keep function names in the wasm, for size analysis";

const DEMO_HELP: &str = "usage: cargo xtask demo [--check] [SERVE ARGS…]

Builds the web app and the server (release), creates ./ethos.db with a demo count, two locked
example counts (invented data), demo accounts with new passwords and a team code, prints the
links and logins, and serves it (Ctrl-C stops). Needs the wasm32 target (added with rustup
when missing) and npm (once, for the NL Design System CSS).

  --check      build, set the demo up in a temporary folder on a free port, check that
               /healthz says ok and the app pages answer, stop and exit (0 when all is well)
  SERVE ARGS   passed to `ethos serve`, e.g. --bind 127.0.0.1:8081";

const TEST_HELP: &str = "usage: cargo xtask test [CARGO TEST ARGS…]

Builds the web app (release), then runs `cargo test --workspace` with the given arguments:
unit, API integration and browser end-to-end tests. The browser tests drive Chromium
(chromium, chromium-driver), Firefox ESR (firefox-esr, geckodriver from `cargo install
geckodriver`) and WebKitGTK (webkit2gtk-driver's WebKitWebDriver with MiniBrowser, under Xvfb).
As root with apt-get, missing pieces are installed; elsewhere each is named with its command,
and a missing Firefox or WebKit skips only its engine's test (never when CI=true).

  e.g. cargo xtask test -p ethos-tests --test browser engines";

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (task, rest) = args.split_first().map_or(("help", &[][..]), |(t, r)| (t.as_str(), r));
    match help(task, rest) {
        Help::Print(text) => {
            say(text);
            return Ok(());
        }
        Help::Unknown => {
            eprintln!("{USAGE}");
            bail!("unknown task `{task}`");
        }
        Help::No => {}
    }
    match task {
        "build-client" => {
            let release = rest.iter().any(|a| a == "--release");
            let names = rest.iter().any(|a| a == "--names");
            needs::wasm_target()?;
            needs::npm()?;
            client::build_client(release, names).map(|_| ())
        }
        "demo" => {
            needs::wasm_target()?;
            needs::npm()?;
            if rest.iter().any(|a| a == "--check") {
                demo::check()
            } else {
                demo::demo(rest)
            }
        }
        _ => test(rest),
    }
}

#[derive(Debug, PartialEq)]
enum Help {
    /// Print this and build nothing.
    Print(&'static str),
    Unknown,
    /// Go on with the task.
    No,
}

/// Whether the command line asks for help: no task, `help`, or `--help`/`-h` after a task
/// (before any `--`, after which arguments belong to cargo test).
fn help(task: &str, rest: &[String]) -> Help {
    let text = match task {
        "build-client" => BUILD_CLIENT_HELP,
        "demo" => DEMO_HELP,
        "test" => TEST_HELP,
        "help" | "--help" | "-h" => return Help::Print(USAGE),
        _ => return Help::Unknown,
    };
    let asked = rest.iter().take_while(|a| *a != "--").any(|a| a == "--help" || a == "-h");
    if asked {
        Help::Print(text)
    } else {
        Help::No
    }
}

/// Prints `text` on stdout; a closed pipe (`| head`) is no error.
fn say(text: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stdout(), "{text}");
}

fn test(cargo_test_args: &[String]) -> Result<()> {
    needs::wasm_target()?;
    needs::npm()?;
    needs::browsers()?;
    client::build_client(true, false)?;
    run(cargo().args(["test", "--workspace"]).args(cargo_test_args))
}

pub fn root() -> PathBuf {
    // xtask/ lives in the workspace root. `cargo run` sets CARGO_MANIFEST_DIR for the process
    // too: read that first, so that a binary built in another checkout sharing this target
    // directory still works on this one (the compile-time path would point at the other).
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    manifest_dir.parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."))
}

pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root().join("target"))
}

pub fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(root());
    cmd
}

pub fn run(cmd: &mut Command) -> Result<()> {
    let status = cmd.status().with_context(|| format!("could not start {cmd:?}"))?;
    if !status.success() {
        bail!("{cmd:?} failed with {status}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{help, Help, DEMO_HELP, TEST_HELP, USAGE};

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn every_task_prints_its_help_instead_of_building() {
        assert_eq!(help("demo", &args(&["--help"])), Help::Print(DEMO_HELP));
        assert_eq!(help("demo", &args(&["--bind", "127.0.0.1:9000", "-h"])), Help::Print(DEMO_HELP));
        assert_eq!(help("test", &args(&["-p", "ethos-tests", "--help"])), Help::Print(TEST_HELP));
        assert!(matches!(help("build-client", &args(&["--release", "-h"])), Help::Print(_)));
        assert_eq!(help("help", &[]), Help::Print(USAGE));
    }

    #[test]
    fn arguments_after_a_double_dash_belong_to_cargo_test() {
        assert_eq!(help("test", &args(&["--", "--help"])), Help::No);
        assert_eq!(help("demo", &args(&["--check"])), Help::No);
        assert_eq!(help("deploy", &[]), Help::Unknown);
    }
}
