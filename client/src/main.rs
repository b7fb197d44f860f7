//! The web app of the ETHOS count: the field app at `/` (counters record persons on their
//! phones, offline first; in the library, `ethos_client::field`), the desk at `/desk` (an
//! organisation's laptop; `ethos_client::desk`) and the coordinator console at `/console`
//! (laptops).
//!
//! - `console/`: the coordinator console — its plain data (`model/`) and read-only markup
//!   (`html/`) build on the host too; its pages (`pages/`) only for the browser.
//!
//! Three bundles: the field app (phones; must stay small and works offline) is built without
//! features, the desk (`/desk`) with `desk`, the console (`/console`, laptops) with `console`,
//! so phones never load the desk's or the console's code and the console never compiles the
//! field app.

// The console's modules reach the shared ones as `crate::i18n` and `crate::platform`.
#[cfg(any(feature = "console", not(target_arch = "wasm32")))]
use ethos_client::i18n;
#[cfg(all(target_arch = "wasm32", feature = "console"))]
use ethos_client::platform;

// On the host only its unit tests use the console's markup and model; its pages are wasm only.
#[cfg(any(feature = "console", not(target_arch = "wasm32")))]
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
mod console;

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    // The console never starts the field app's sync, storage or tab claim, so a coordinator's
    // laptop with the console open does not disturb a phone tab.
    #[cfg(feature = "console")]
    leptos::mount::mount_to_body(console::Console);
    #[cfg(all(feature = "desk", not(feature = "console")))]
    leptos::mount::mount_to_body(ethos_client::desk::Desk);
    #[cfg(not(any(feature = "console", feature = "desk")))]
    leptos::mount::mount_to_body(ethos_client::field::App);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("ethos-client is a web app: build it with `cargo xtask build-client`.");
}
