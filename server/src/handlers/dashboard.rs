//! The live dashboard and the devices of a count.

use super::path_id;
use crate::error::{ApiError, ApiResult};
use crate::extract::{AnyUser, ApiPath, Coordinator};
use crate::storage::{DeviceInfo, Progress};
use crate::AppState;
use axum::extract::State;
use axum::Json;
use chrono::{DateTime, Utc};
use ethos_shared::api::{Dashboard, Device, HourProgress, Items, MunicipalityProgress, OrganisationProgress};
use ethos_shared::count::CountStatus;
use ethos_shared::counting::persons;

/// The answer in the shared wire type the console decodes.
fn answer(p: Progress, persons_total: u64, generated_at: DateTime<Utc>, training: bool) -> Dashboard {
    Dashboard {
        records_total: p.records_total,
        records_counted: p.records_counted,
        records_training: p.records_training,
        records_void: p.records_void,
        // Internal: the dashboard is not published.
        persons_total: Some(persons_total),
        by_organisation: p
            .by_organisation
            .into_iter()
            .map(|o| OrganisationProgress {
                organisation: o.organisation,
                organisation_type: o.organisation_type,
                records: o.records,
            })
            .collect(),
        by_municipality: p
            .by_municipality
            .into_iter()
            .map(|m| MunicipalityProgress { municipality: m.municipality, records: m.records })
            .collect(),
        by_hour: p.by_hour.into_iter().map(|h| HourProgress { hour: h.hour, records: h.records }).collect(),
        devices_enrolled: p.devices_enrolled,
        devices_seen_last_hour: p.devices_seen_last_hour,
        generated_at: Some(generated_at),
        training,
    }
}

fn device(d: DeviceInfo) -> Device {
    Device {
        id: d.id,
        label: d.label,
        organisation: d.organisation,
        organisation_type: d.organisation_type,
        enrolled_at: d.enrolled_at,
        last_seen_at: d.last_seen_at,
        unsynced: d.unsynced,
        revoked: d.revoked,
    }
}

/// `GET /api/v1/counts/{id}/dashboard` (coordinator, analyst): progress so far.
pub async fn dashboard(
    State(state): State<AppState>,
    _user: AnyUser,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<Dashboard>> {
    let count_id = path_id(&id, "count")?;
    let now = Utc::now();
    let count = state.storage.get_count(count_id).await?.ok_or(ApiError::NotFound("count"))?;
    let training = count.status == CountStatus::Training;
    // Only the persons, not the whole report: the dashboard asks every 15 seconds. A live count
    // in one aggregate query; a rehearsal (few records) by the counting rules over its records.
    let persons_total = if training {
        let data = state.storage.review_data(count_id, training).await?;
        tokio::task::spawn_blocking(move || persons(&data.records, &data.decisions).len() as u64)
            .await
            .map_err(anyhow::Error::from)?
    } else {
        state.storage.persons_total(count_id).await?
    };
    let mut progress = state.storage.progress(count_id, now).await?;
    if training {
        // The rehearsal: the training records stand in for the counted ones.
        let practice = state.storage.rehearsal_progress(count_id).await?;
        progress.records_counted = practice.by_municipality.iter().map(|m| m.records).sum();
        progress.by_organisation = practice.by_organisation;
        progress.by_municipality = practice.by_municipality;
        progress.by_hour = practice.by_hour;
    }
    Ok(Json(answer(progress, persons_total, now, training)))
}

/// `GET /api/v1/counts/{id}/devices` (coordinator): every enrolled phone, least recently seen
/// first, with what it reported still holding.
pub async fn devices(
    State(state): State<AppState>,
    _user: Coordinator,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<Items<Device>>> {
    let count_id = path_id(&id, "count")?;
    state.storage.get_count(count_id).await?.ok_or(ApiError::NotFound("count"))?;
    Ok(Json(Items { items: state.storage.count_devices(count_id).await?.into_iter().map(device).collect() }))
}
