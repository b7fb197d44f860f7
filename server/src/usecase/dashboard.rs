//! The live dashboard of a count and its phones. The dashboard asks every 15 seconds, so it is
//! made of aggregate queries; it never reads the records out (but for a rehearsal, which has few).

use super::{blocking, Result};
use crate::storage::Storage;
use chrono::{DateTime, Utc};
use ethos_shared::api::{Count, Dashboard, Device};
use ethos_shared::count::CountStatus;
use ethos_shared::counting::persons;
use uuid::Uuid;

/// Progress so far of `count`; for a count in training its training records stand in for the
/// counted ones ("oefendata").
pub async fn dashboard(storage: &Storage, count: &Count, now: DateTime<Utc>) -> Result<Dashboard> {
    let training = count.status == CountStatus::Training;
    // Only the persons, not the whole report. A live count in one aggregate query; a rehearsal
    // (few records) by the counting rules over its records.
    let persons_total = if training {
        let data = storage.review_data(count.id, training).await?;
        blocking(move || persons(&data.records, &data.decisions).len() as u64).await?
    } else {
        storage.persons_total(count.id).await?
    };
    let mut p = storage.progress(count.id, now).await?;
    if training {
        let practice = storage.rehearsal_progress(count.id).await?;
        p.records_counted = practice.by_municipality.iter().map(|m| m.records).sum();
        p.by_organisation = practice.by_organisation;
        p.by_municipality = practice.by_municipality;
        p.by_hour = practice.by_hour;
    }
    Ok(Dashboard {
        records_total: p.records_total,
        records_counted: p.records_counted,
        records_training: p.records_training,
        records_void: p.records_void,
        // Internal: the dashboard is not published.
        persons_total: Some(persons_total),
        by_organisation: p.by_organisation,
        by_municipality: p.by_municipality,
        by_hour: p.by_hour,
        devices_enrolled: p.devices_enrolled,
        devices_seen_last_hour: p.devices_seen_last_hour,
        generated_at: Some(now),
        training,
    })
}

/// Every enrolled phone of a count, least recently seen first, with what it reported still
/// holding.
pub async fn devices(storage: &Storage, count_id: Uuid) -> Result<Vec<Device>> {
    Ok(storage.count_devices(count_id).await?)
}
