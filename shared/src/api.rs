//! Wire types of the HTTP contract, version 1 (`../shared/spec/api.md`).

use crate::count::{CountStatus, OrganisationType};
use crate::record::{DedupKey, FieldError, Record};
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The answer of `GET /api/v1/counts/{id}/summary` (see [`crate::summary`]).
pub use crate::summary::{Summary, SummaryFigures};

/// The body of every 4xx/5xx answer.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub code: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<serde_json::Value>,
}

impl ErrorBody {
    /// How long the server asks the caller to wait (429 and 503 carry `details.retry_after_secs`
    /// beside the `Retry-After` header, which a browser's fetch may not expose).
    pub fn retry_after_secs(&self) -> Option<u64> {
        self.details.as_ref()?.get("retry_after_secs")?.as_u64()
    }
}

/// The answer of `GET /healthz` when the database answers and can be written:
/// `{"status":"ok"}`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Health {
    pub status: String,
}

value_set!(Role {
    Coordinator = "coordinator", "coördinator", "coordinator";
    Analyst = "analyst", "analist", "analyst";
});

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoginResponse {
    pub token: String,
    pub role: Role,
    pub expires_at: DateTime<Utc>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Count {
    pub id: Uuid,
    pub name: String,
    pub reference_date: NaiveDate,
    pub starts_at: DateTime<FixedOffset>,
    pub ends_at: DateTime<FixedOffset>,
    pub status: CountStatus,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewCount {
    pub name: String,
    pub reference_date: NaiveDate,
    pub starts_at: DateTime<FixedOffset>,
    pub ends_at: DateTime<FixedOffset>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StatusChange {
    pub status: CountStatus,
}

/// One region municipality's inhabitants, for the rates per 1,000 (`…/population`).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Population {
    pub municipality: String,
    pub population: u64,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Items<T> {
    pub items: Vec<T>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Invite {
    pub id: Uuid,
    pub code: String,
    pub organisation: String,
    pub organisation_type: OrganisationType,
    pub expires_at: Option<DateTime<Utc>>,
    /// Extension of the contract: when the code was revoked (the console shows it).
    #[serde(default)]
    pub revoked_at: Option<DateTime<Utc>>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewInvite {
    pub organisation: String,
    #[serde(default)]
    pub organisation_type: OrganisationType,
    #[serde(default)]
    pub expires_at: Option<DateTime<Utc>>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EnrollRequest {
    pub code: String,
    #[serde(default)]
    pub device_label: Option<String>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EnrollResponse {
    pub device_token: String,
    pub device_id: Uuid,
    pub count: Count,
    pub organisation: String,
    pub dedup_secret: String,
}

/// The body of `POST /api/v1/sync`. The phone sends `SyncRequest` (of [`Record`]s); the server
/// reads `SyncRequest` of each record's raw JSON text (`ethos_shared::sync::read_sync_body`), so
/// that each element is parsed on its own and one bad record is rejected alone.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncRequest<R = Record> {
    pub records: Vec<R>,
    /// Extension of the contract: how many records the phone still holds unconfirmed besides
    /// this batch (shown per device before locking). Read leniently: anything but a
    /// non-negative integer counts as absent, and a larger one than `u32::MAX` as `u32::MAX`.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient_count")]
    pub unsynced: Option<u32>,
}

fn lenient_count<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    let value = Option::<serde_json::Value>::deserialize(d)?;
    Ok(value.and_then(|v| v.as_u64()).map(|n| u32::try_from(n).unwrap_or(u32::MAX)))
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncStatus {
    Stored,
    Unchanged,
    Updated,
    Conflict,
    Rejected,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncResult {
    /// The record's id; `null` when the record had no readable id.
    pub id: Option<Uuid>,
    pub status: SyncStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldError>>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SyncResponse {
    pub results: Vec<SyncResult>,
    pub server_time: DateTime<Utc>,
}

/// At most this many records in one sync request.
pub const MAX_SYNC_RECORDS: usize = 500;
/// At most this many bytes in one request body.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VoidInfo {
    pub reason: String,
    pub at: DateTime<Utc>,
    pub by: String,
}

/// A record as the coordinator sees it: the wire record plus where and when it came in.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredRecord {
    #[serde(flatten)]
    pub record: Record,
    pub device_id: Uuid,
    pub organisation: String,
    pub received_at: DateTime<Utc>,
    pub void: Option<VoidInfo>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RecordPage {
    pub items: Vec<StoredRecord>,
    pub next_after: Option<String>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VoidRequest {
    pub reason: String,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    SamePerson,
    DifferentPeople,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Resolution {
    pub decision: Decision,
    pub primary_record_id: Option<Uuid>,
    pub decided_at: DateTime<Utc>,
    pub decided_by: String,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DuplicateRecord {
    #[serde(flatten)]
    pub stored: StoredRecord,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub since_decision: bool,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DuplicateGroup {
    pub dedup_key: DedupKey,
    pub records: Vec<DuplicateRecord>,
    pub resolution: Option<Resolution>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ResolveRequest {
    pub decision: Decision,
    #[serde(default)]
    pub primary_record_id: Option<Uuid>,
}

/// The file of "Exporteer wachtrij": a sync body plus the device it came from, so that
/// `ethos import` can attribute the records as a sync from that device would.
/// `ethos import` reads it as `QueueExport<serde_json::Value>`, each record parsed on its own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueExport<R = Record> {
    pub device_id: Uuid,
    pub records: Vec<R>,
}
pub use crate::progress::{
    AuditEntry, Dashboard, Device, HourProgress, MunicipalityProgress, OrganisationProgress,
};
