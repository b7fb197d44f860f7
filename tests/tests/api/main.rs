//! The HTTP contract of api.md, tested against a real server (one test binary, one module per
//! part of the contract). Every test starts its own server with its own database.

mod access;
mod accounts;
mod audit;
mod comparison;
mod count_path;
mod counts;
mod duplicates;
mod entry;
mod errors;
mod hostile;
mod invites;
mod openapi;
mod records;
mod rehearsal;
mod report;
mod report_exports;
mod restart;
mod review;
mod sync;
mod sync_fields;
mod sync_time;
mod sync_write;
