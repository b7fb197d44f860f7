#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
// Two bundles from one crate share modules; each leaves some of the other's helpers unused.
#![cfg_attr(target_arch = "wasm32", allow(dead_code))]
//! The web app of the ETHOS count: the field app at `/` (counters record persons on their
//! phones, offline first) and the coordinator console at `/console` (laptops).
//!
//! - `outbox`: the outbox and the sync state machine (plain Rust, unit-tested on the host);
//! - `flow`: the guided questions and the draft that becomes a record (plain Rust);
//! - `i18n`: texts in Dutch and English;
//! - `platform` (browser only): the ONE module that touches browser APIs — IndexedDB, fetch,
//!   timers, `navigator`, the service worker, downloads;
//! - `app` (browser only): the leptos user interface of the field app;
//! - `console/`: the coordinator console — its plain data (`model/`) and read-only markup
//!   (`html/`) build on the host too; its pages (`pages/`) only for the browser.
//!
//! Two bundles: the field app (phones; must stay small and works offline) is built without the
//! `console` feature, the console (`/console`, laptops) with it, so phones never load the
//! console's code.

#[cfg(any(feature = "console", not(target_arch = "wasm32")))]
mod console;
mod flow;
mod i18n;
mod outbox;

#[cfg(target_arch = "wasm32")]
mod app;
#[cfg(target_arch = "wasm32")]
mod platform;

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    // The console never starts the field app's sync, storage or tab claim, so a coordinator's
    // laptop with the console open does not disturb a phone tab.
    #[cfg(feature = "console")]
    leptos::mount::mount_to_body(console::Console);
    #[cfg(not(feature = "console"))]
    leptos::mount::mount_to_body(app::App);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("ethos-client is a web app: build it with `cargo xtask build-client`.");
}
