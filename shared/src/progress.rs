//! The wire types of what the coordinator watches: the dashboard of a count, its phones, and
//! the audit log (`GET /api/v1/counts/{id}/dashboard`, `…/devices`, `…/audit`).

use crate::count::OrganisationType;
use crate::record::Entry;
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
    /// The same records by how they were made (`field`, `desk`, `sheet`), in the order of
    /// [`Entry::ALL`], only the ways that gave records; they add up to `records`.
    #[serde(default)]
    pub entries: Vec<EntryProgress>,
}

/// Records of one organisation made one way.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryProgress {
    pub entry: Entry,
    pub records: u64,
}

impl OrganisationProgress {
    /// The records made `entry` way (0 when none).
    pub fn records_by(&self, entry: Entry) -> u64 {
        self.entries.iter().filter(|e| e.entry == entry).map(|e| e.records).sum()
    }
}

/// Folds rows of (organisation, type, entry, records), grouped by organisation and type in
/// any order of entry, into one line per organisation with its entries; organisations keep the
/// order in which they first come, entries the order of [`Entry::ALL`].
pub fn by_organisation_and_entry(
    rows: impl IntoIterator<Item = (String, OrganisationType, Entry, u64)>,
) -> Vec<OrganisationProgress> {
    let mut out: Vec<OrganisationProgress> = Vec::new();
    for (organisation, organisation_type, entry, records) in rows {
        let line = match out
            .iter_mut()
            .position(|o| o.organisation == organisation && o.organisation_type == organisation_type)
        {
            Some(i) => &mut out[i],
            None => {
                out.push(OrganisationProgress {
                    organisation,
                    organisation_type,
                    records: 0,
                    entries: Vec::new(),
                });
                let last = out.len() - 1;
                &mut out[last]
            }
        };
        line.records += records;
        match line.entries.iter_mut().find(|e| e.entry == entry) {
            Some(e) => e.records += records,
            None => line.entries.push(EntryProgress { entry, records }),
        }
    }
    for line in &mut out {
        line.entries.sort_by_key(|e| Entry::ALL.iter().position(|a| *a == e.entry));
    }
    out
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::count::OrganisationType::{Care, Shelter};

    #[test]
    fn rows_fold_into_organisations_with_their_entries_adding_up() {
        let rows = [
            ("Leger".to_string(), Shelter, Entry::Sheet, 4),
            ("Leger".to_string(), Shelter, Entry::Field, 10),
            ("Mondriaan".to_string(), Care, Entry::Desk, 3),
            ("Leger".to_string(), Shelter, Entry::Desk, 1),
        ];
        let orgs = by_organisation_and_entry(rows);
        assert_eq!(orgs.len(), 2);
        assert_eq!((orgs[0].organisation.as_str(), orgs[0].records), ("Leger", 15));
        let entries: Vec<_> = orgs[0].entries.iter().map(|e| (e.entry, e.records)).collect();
        assert_eq!(entries, vec![(Entry::Field, 10), (Entry::Desk, 1), (Entry::Sheet, 4)]);
        assert_eq!(
            (orgs[1].records, orgs[1].records_by(Entry::Desk), orgs[1].records_by(Entry::Field)),
            (3, 3, 0)
        );
    }

    #[test]
    fn a_dashboard_of_an_older_server_without_entries_still_reads() {
        let json = r#"{"organisation":"Leger","organisation_type":"shelter","records":2}"#;
        let o: OrganisationProgress = serde_json::from_str(json).expect("reads");
        assert!(o.entries.is_empty());
    }
}
