//! The field app: what counters use on their phones during the count.
//!
//! Plain Rust, built and tested on the host too:
//! - `outbox`: every record on this phone with its delivery state, and the sync state machine;
//! - `engine`: the sync driver over storage, transport and clock traits;
//! - `flow`: the guided questions and the draft that becomes a record.
//!
//! Browser only (the phone bundle, never the console's): `state` (the shared signals), `sync`
//! (start, enrolment, running the engine), `browser` (the engine's storage and transport on
//! IndexedDB and `fetch`), `app` (the frame), `enrol`, `home`, `sync_card`, `list`, `record`
//! (the question screen), `steps`, `person` and `review`. The desk (`crate::desk`) uses
//! `state`, `sync` and `browser` too: a desk is a device like a phone.

pub mod backoff;
pub mod engine;
pub mod flow;
pub mod outbox;

#[cfg(all(target_arch = "wasm32", not(feature = "console")))]
mod app;
#[cfg(all(target_arch = "wasm32", not(feature = "console")))]
pub(crate) mod browser;
#[cfg(all(target_arch = "wasm32", not(feature = "console")))]
mod enrol;
#[cfg(all(target_arch = "wasm32", not(feature = "console")))]
pub(crate) mod frame;
#[cfg(all(target_arch = "wasm32", not(feature = "console")))]
mod home;
#[cfg(all(target_arch = "wasm32", not(feature = "console")))]
mod list;
#[cfg(all(target_arch = "wasm32", not(feature = "console")))]
mod person;
#[cfg(all(target_arch = "wasm32", not(feature = "console")))]
mod record;
#[cfg(all(target_arch = "wasm32", not(feature = "console")))]
mod review;
#[cfg(all(target_arch = "wasm32", not(feature = "console")))]
pub(crate) mod state;
#[cfg(all(target_arch = "wasm32", not(feature = "console")))]
mod steps;
#[cfg(all(target_arch = "wasm32", not(feature = "console")))]
pub(crate) mod sync;
#[cfg(all(target_arch = "wasm32", not(feature = "console")))]
mod sync_card;

#[cfg(all(target_arch = "wasm32", not(feature = "console")))]
pub use app::App;
