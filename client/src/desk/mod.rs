//! The desk (`/desk`): an organisation enters the people it knows on a laptop, with a team
//! code like a phone's. A desk is a device like a phone: the same enrolment, outbox and sync
//! engine (`crate::field`), so every durability and idempotency rule holds; its outbox lives
//! in an IndexedDB database of its own and keeps confirmed records until the count is locked
//! (`DeviceKind::Desk`), so what was entered on earlier days stays visible.
//!
//! Two ways: `keyboard` (every question on one page, Tab/Enter, "opslaan en volgende") for a
//! few people, and `sheet` (a spreadsheet read in the browser) for many. Both put records in
//! the outbox through [`queue::queue_records`].
//!
//! - `form` (plain Rust, host-tested): the one-page form's answers and how they become a record;
//! - browser only: `page` (the frame, enrolment, the two ways), `boot` (loading what the desk
//!   holds), `queue`, `keyboard`, `entries` (the list of what was entered here) and `sheet`.

pub mod form;
pub mod sheet;

#[cfg(target_arch = "wasm32")]
mod boot;
#[cfg(target_arch = "wasm32")]
mod entries;
#[cfg(target_arch = "wasm32")]
mod fields;
#[cfg(target_arch = "wasm32")]
mod keyboard;
#[cfg(target_arch = "wasm32")]
mod page;
#[cfg(target_arch = "wasm32")]
pub mod queue;

#[cfg(target_arch = "wasm32")]
pub use page::Desk;

/// The IndexedDB database (and tab channel) of the desk, apart from the field app's.
pub const STORE: &str = "ethos-desk";
