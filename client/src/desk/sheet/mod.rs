//! The spreadsheet way of the desk: download the template, fill it in, load it here. The file is
//! read in the browser (`file`: `.xlsx` with calamine, CSV in any of Dutch Excel's forms), every
//! row checked with the server's rules (`ethos_shared::sheet`), every problem shown as
//! "rij 14, kolom Leeftijd: …" with the cell to fix in the page (`model`), and only a sheet
//! without problems is put in the queue, as records with `entry: sheet`.
//!
//! Names and birth dates become the age band, the duplicate key and the row's stable id, and
//! are then dropped: the cells live in this page's memory only, and are never stored, sent or
//! logged. The row id is derived with the desk's own secret (made the first time this panel
//! opens for an enrolment, kept in the desk's IndexedDB, never sent).

#[cfg(feature = "desk")]
pub mod file;
pub mod model;

#[cfg(target_arch = "wasm32")]
mod browser;
#[cfg(target_arch = "wasm32")]
mod panel;

#[cfg(target_arch = "wasm32")]
pub use panel::SheetPanel;
