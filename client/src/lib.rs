//! The field app of the ETHOS count (counters record persons on their phones, offline first),
//! the desk (`/desk`, an organisation entering the people it knows on a laptop) and what the
//! coordinator console shares with them. The binary (`main.rs`) mounts the field app, with the
//! `desk` feature the desk, or with the `console` feature the console, which never compiles
//! the field app.
//!
//! - `field`: the field app — `outbox` and `engine` (the outbox, the sync state machine and
//!   its driver: plain Rust, tested on the host against a real server), `flow` (the guided
//!   questions and the draft), and in the browser its screens;
//! - `desk`: the desk — the one-page form as plain data (`form`), and in the browser its page,
//!   built on the field app's enrolment, outbox and sync;
//! - `i18n`: texts in Dutch and English;
//! - `platform` (browser only): the ONE module that touches browser APIs — IndexedDB, fetch,
//!   timers, `navigator`, the service worker, downloads.

// On the host its plain parts build for their unit tests; in the browser only the desk bundle.
#[cfg(any(feature = "desk", not(target_arch = "wasm32")))]
pub mod desk;
pub mod field;
pub mod i18n;
#[cfg(target_arch = "wasm32")]
pub mod platform;
