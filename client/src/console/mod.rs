//! The coordinator console (laptop): login, counts, team codes, the live dashboard, records,
//! the duplicate review, the report, the comparison and the audit log. Browser access goes
//! through `platform`; plain logic in `model` and `html` (unit-tested on the host).
//!
//! - `state`: the context (language, session, route, open count) and navigation;
//! - `api`: requests, serde-decoded answers, downloads;
//! - `kit`: links, markup with one listener, dialogs, fields;
//! - `pages/`: one module per page;
//! - `html/`: the read-only markup as escaped HTML text; `model/`: the console as plain data.

#[cfg(target_arch = "wasm32")]
mod api;
pub mod html;
#[cfg(target_arch = "wasm32")]
mod kit;
pub mod model;
#[cfg(target_arch = "wasm32")]
mod pages;
#[cfg(target_arch = "wasm32")]
mod state;

#[cfg(target_arch = "wasm32")]
pub use pages::Console;
