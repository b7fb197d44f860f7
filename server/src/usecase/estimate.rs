//! The estimate of the hidden population (api.md "Estimate", domain.md §8): capture–recapture
//! over the organisation types (or organisations) through which the counted persons came in.

use super::estimate_memo::estimate_memo;
use super::{blocking, Error, Result};
use crate::storage::Storage;
use ethos_shared::estimate::{Captures, Estimate, SourceBy};
use ethos_shared::report::Disclosure;
use uuid::Uuid;

/// The estimate of a count from what is stored now; `EstimateNotPossible` with the reason when
/// there is none.
pub async fn estimate_of(
    storage: &Storage,
    count_id: Uuid,
    by: SourceBy,
    disclosure: Disclosure,
) -> Result<Estimate> {
    super::count(storage, count_id).await?;
    let data = storage.report_data(count_id).await?;
    let answer = blocking(move || {
        let captures = Captures::of_records(&data.records, &data.decisions, &data.organisations, by);
        estimate_memo(captures, by, disclosure)
    })
    .await?;
    answer.map_err(Error::EstimateNotPossible)
}
