//! The field app of the ETHOS count (counters record persons on their phones, offline first)
//! and what the coordinator console shares with it. The binary (`main.rs`) mounts the field
//! app, or with the `console` feature the console, which never compiles the field app.
//!
//! - `field`: the field app — `outbox` and `engine` (the outbox, the sync state machine and
//!   its driver: plain Rust, tested on the host against a real server), `flow` (the guided
//!   questions and the draft), and in the browser its screens;
//! - `i18n`: texts in Dutch and English;
//! - `platform` (browser only): the ONE module that touches browser APIs — IndexedDB, fetch,
//!   timers, `navigator`, the service worker, downloads.

pub mod field;
pub mod i18n;
#[cfg(target_arch = "wasm32")]
pub mod platform;
