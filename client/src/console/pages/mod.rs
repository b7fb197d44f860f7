//! The console's pages, one module each; `shell` holds the bar and picks the page of the route.

mod audit;
mod codes;
mod comparison;
mod count;
mod counts;
mod dashboard;
mod duplicates;
mod login;
mod population;
mod records;
mod report;
mod shell;
mod summary;

pub use shell::Console;
