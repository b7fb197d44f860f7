//! Domain rules of the ETHOS count (see `../shared/spec/domain.md`) and the wire types of the
//! HTTP contract (`../shared/spec/api.md`). Server and client both depend on this crate, so
//! every rule lives here once. It must stay free of I/O and build for `wasm32-unknown-unknown`.

#[macro_use]
mod value_set;

pub mod api;
pub mod codes;
pub mod comparison;
pub mod count;
pub mod counting;
pub mod csv_cell;
pub mod dedup_key;
pub mod disclosure;
pub mod estimate;
pub mod ethos;
pub mod fold;
pub mod input;
pub mod municipality;
pub mod name_match;
#[cfg(feature = "openapi")]
pub mod openapi;
pub mod parallel;
pub mod places;
pub mod profile;
pub mod progress;
pub mod record;
pub mod records_csv;
pub mod report;
pub mod review;
pub mod sheet;
pub mod summary;
pub mod sync;

pub use value_set::Lang;
