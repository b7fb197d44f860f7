//! The wire types of what the coordinator watches: the dashboard of a count, its phones, and
//! the audit log (`GET /api/v1/counts/{id}/dashboard`, `…/devices`, `…/audit`).

use crate::count::OrganisationType;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrganisationProgress {
    pub organisation: String,
    #[serde(default)]
    pub organisation_type: OrganisationType,
    pub records: u64,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MunicipalityProgress {
    pub municipality: String,
    pub records: u64,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HourProgress {
    /// The hour of observation, e.g. `2026-10-15T21:00:00Z`.
    pub hour: String,
    pub records: u64,
}

/// `GET /api/v1/counts/{id}/dashboard`: counted records (not training, not void) unless named;
/// for a count in training (`training`) its training records stand in for them ("oefendata").
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dashboard {
    pub records_total: u64,
    pub records_counted: u64,
    pub records_training: u64,
    pub records_void: u64,
    #[serde(default)]
    pub persons_total: Option<u64>,
    #[serde(default)]
    pub by_organisation: Vec<OrganisationProgress>,
    #[serde(default)]
    pub by_municipality: Vec<MunicipalityProgress>,
    #[serde(default)]
    pub by_hour: Vec<HourProgress>,
    #[serde(default)]
    pub devices_enrolled: u64,
    #[serde(default)]
    pub devices_seen_last_hour: u64,
    #[serde(default)]
    pub generated_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub training: bool,
}

/// One phone of `GET /api/v1/counts/{id}/devices`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Device {
    pub id: Uuid,
    #[serde(default)]
    pub label: Option<String>,
    pub organisation: String,
    #[serde(default)]
    pub organisation_type: OrganisationType,
    pub enrolled_at: DateTime<Utc>,
    #[serde(default)]
    pub last_seen_at: Option<DateTime<Utc>>,
    /// Records the phone said it still held unconfirmed at its last sync.
    #[serde(default)]
    pub unsynced: Option<u32>,
    #[serde(default)]
    pub revoked: bool,
}

impl Device {
    /// The phone said it still holds records the server does not have.
    pub fn holds_unsynced(&self) -> bool {
        !self.revoked && self.unsynced.unwrap_or(0) > 0
    }
}

/// One line of `GET /api/v1/counts/{id}/audit`. `action` is an
/// [`AuditAction`](crate::codes::AuditAction) code; kept as text so that an entry of a newer
/// server still shows.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    #[serde(default)]
    pub entity_id: Option<String>,
    #[serde(default)]
    pub details: Option<String>,
}
