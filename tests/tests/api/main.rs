//! The HTTP contract of api.md, tested against a real server (one test binary, one module per
//! part of the contract). Every test starts its own server with its own database.

mod access;
mod accounts;
mod audit;
mod comparison;
mod counts;
mod duplicates;
mod errors;
mod hostile;
mod invites;
mod records;
mod report;
mod restart;
mod sync;
mod sync_write;
