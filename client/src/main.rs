#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
//! The field app of the ETHOS count: counters record persons on their phones, offline first.
//!
//! - `outbox`: the outbox and the sync state machine (plain Rust, unit-tested on the host);
//! - `flow`: the guided questions and the draft that becomes a record (plain Rust);
//! - `i18n`: texts in Dutch and English;
//! - `platform` (browser only): the ONE module that touches browser APIs — IndexedDB, fetch,
//!   timers, `navigator`, the service worker, downloads;
//! - `app` (browser only): the leptos user interface.

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
    leptos::mount::mount_to_body(app::App);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("ethos-client is a web app: build it with `cargo xtask build-client`.");
}
