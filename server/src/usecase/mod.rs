//! The use cases of the server: what a request or a command does, in the terms of the domain
//! and without HTTP. Handlers extract the request and check access, call a use case and turn
//! its typed [`Error`] into an answer (`error.rs`); the command line (`cli.rs`) calls the same
//! functions. Storage is reached only through `crate::storage`.

pub mod comparison;
pub mod counts;
pub mod dashboard;
pub mod dashboard_cache;
pub mod enrol;
pub mod estimate;
mod estimate_memo;
pub mod import;
pub mod report;
pub mod review;
pub mod sync;

use crate::storage::{Storage, StoreError};
use ethos_shared::api::Count;
use ethos_shared::estimate::NoEstimate;
use ethos_shared::record::FieldError;
use uuid::Uuid;

/// Why a use case did not happen. Each case is a condition the caller can act on; storage
/// conditions (busy, full, read-only) and bugs come as [`Error::Store`].
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// What was named (a count, an earlier count, a device, a duplicate group) does not exist.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// Input that breaks a rule; each error names its field.
    #[error("invalid {}", fields(.0))]
    Invalid(Vec<FieldError>),
    /// A body that is not JSON; the parser's message.
    #[error("the body is not JSON: {0}")]
    NotJson(String),
    /// More records in one sync than the contract allows (the number is the limit).
    #[error("at most {0} records per sync")]
    TooManyRecords(usize),
    /// No estimate of the hidden population, and why.
    #[error("no estimate is possible: {0}")]
    EstimateNotPossible(NoEstimate),
    /// Too many failed attempts from this client; it may try again from `free_at`.
    #[error("too many failed attempts")]
    TooManyAttempts { free_at: chrono::DateTime<chrono::Utc> },
    /// An unknown, expired or revoked team code, or one of a locked count.
    #[error("this team code is not valid")]
    InviteInvalid,
    /// The device's count is gone: the phone is no longer enrolled anywhere.
    #[error("this device was revoked")]
    DeviceRevoked,
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn fields(errors: &[FieldError]) -> String {
    errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>().join(", ")
}

impl From<FieldError> for Error {
    fn from(e: FieldError) -> Self {
        Error::Invalid(vec![e])
    }
}

pub type Result<T> = std::result::Result<T, Error>;

/// The count `id`, or [`Error::NotFound`].
pub async fn count(storage: &Storage, id: Uuid) -> Result<Count> {
    storage.get_count(id).await?.ok_or(Error::NotFound("count"))
}

/// Runs CPU work (a report, an estimate) off the async threads.
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(work).await.map_err(|e| Error::Store(StoreError::Other(e.into())))
}
