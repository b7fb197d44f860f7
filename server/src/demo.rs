//! The example counts of `ethos demo`: two locked counts of earlier years, filled with
//! **invented** records, so that a new user sees what the report, the comparison with an earlier
//! count and the estimate of the hidden population look like. No person here exists: a seeded
//! random generator makes them up (the same demo every time), and the names of the counts and
//! organisations say so.
//!
//! The records go in as a phone's would: a team code and an enrolled device per organisation,
//! then `Storage::sync_batch` (the path of `POST /api/v1/sync` and `ethos import`) while the
//! count is live; then voids, duplicate decisions and population figures through the
//! coordinator's storage calls, and the count is locked. Setting up again finds an example by its
//! name: a locked one is left as it is; one an interrupted run left unlocked is completed (the
//! same seed gives the same records and the same devices send them, so what is stored comes back
//! `unchanged`).

use crate::secrets::{new_dedup_secret, new_team_code, new_token, normalise_team_code, token_hash};
use crate::storage::{Actor, Storage, User};
use chrono::{DateTime, Datelike, Duration, FixedOffset, Months, NaiveDate, TimeZone, Utc};
use ethos_shared::api::{Count, NewCount, NewInvite, SyncStatus, MAX_SYNC_RECORDS};
use ethos_shared::count::{CountStatus, OrganisationType};
use ethos_shared::record::DedupKey;
use serde_json::json;

mod people;

use people::plan;

/// An organisation that records in the example counts (invented names).
struct Source {
    organisation: &'static str,
    kind: OrganisationType,
    /// When its counters record: hours after the start of the window, from and to.
    hours: (u32, u32),
}

/// The console's chart tests check these names fit (`DEMO_ORGANISATIONS` in
/// client/src/console_html/label.rs): change both together.
const SOURCES: [Source; 6] = [
    Source {
        organisation: "Nachtopvang Maastricht (voorbeeld)",
        kind: OrganisationType::Shelter,
        hours: (0, 14),
    },
    Source {
        organisation: "Vrouwenopvang Zuid-Limburg (voorbeeld)",
        kind: OrganisationType::Shelter,
        hours: (1, 20),
    },
    Source {
        organisation: "Straatteam Maastricht-Heuvelland (voorbeeld)",
        kind: OrganisationType::Outreach,
        hours: (1, 9),
    },
    Source {
        organisation: "GGZ en verslavingszorg (voorbeeld)",
        kind: OrganisationType::Care,
        hours: (13, 22),
    },
    Source {
        organisation: "Politie, wijkagenten (voorbeeld)",
        kind: OrganisationType::Police,
        hours: (0, 11),
    },
    Source {
        organisation: "Wijkteams van de zes gemeenten (voorbeeld)",
        kind: OrganisationType::Municipality,
        hours: (13, 21),
    },
];

/// Index of each source in `SOURCES`.
const NIGHT_SHELTER: usize = 0;
const WOMENS_SHELTER: usize = 1;
const STREET_TEAM: usize = 2;
const CARE: usize = 3;
const POLICE: usize = 4;
const WIJKTEAM: usize = 5;

/// One example count.
struct Example {
    /// Its reference date lies this many years before today.
    years_back: u32,
    seed: u64,
    /// Invented persons in the region on the day; the sources see about four in five of them.
    people: usize,
    /// The weight of "with family or friends" (8.1) among living situations (others fixed), so
    /// that the two years differ in more than their size.
    family_weight: u32,
    /// Inhabitants per municipality. Round, plausible figures of about that time — NOT the CBS
    /// figures (invented like the rest; a real count enters CBS's figures of 1 January).
    population: [(&'static str, u64); 6],
}

const EXAMPLES: [Example; 2] = [
    Example {
        years_back: 1,
        seed: 0xE7_0525,
        people: 480,
        family_weight: 140,
        population: [
            ("GM0935", 122_000),
            ("GM1903", 25_000),
            ("GM1729", 14_000),
            ("GM0938", 19_000),
            ("GM0981", 9_700),
            ("GM0994", 16_000),
        ],
    },
    Example {
        years_back: 2,
        seed: 0xE7_0424,
        people: 420,
        family_weight: 90,
        population: [
            ("GM0935", 121_000),
            ("GM1903", 25_000),
            ("GM1729", 14_000),
            ("GM0938", 19_000),
            ("GM0981", 9_800),
            ("GM0994", 16_000),
        ],
    },
];

/// The name of an example count: the year and that its data are invented.
pub fn example_name(reference_date: NaiveDate) -> String {
    format!("Voorbeeld: ETHOS-telling {} (verzonnen gegevens)", reference_date.year())
}

/// An example count as it stands after setting up.
#[derive(Debug, Clone)]
pub struct ExampleCount {
    pub count: Count,
    pub records: u64,
    pub void: u64,
}

/// Makes (or completes) the example counts, newest first. `today` sets their reference dates.
pub async fn example_counts(
    storage: &Storage,
    coordinator: &User,
    today: NaiveDate,
) -> anyhow::Result<Vec<ExampleCount>> {
    let mut made = Vec::new();
    for example in &EXAMPLES {
        made.push(example_count(storage, coordinator, example, today).await?);
    }
    Ok(made)
}

async fn example_count(
    storage: &Storage,
    coordinator: &User,
    example: &Example,
    today: NaiveDate,
) -> anyhow::Result<ExampleCount> {
    let reference_date = today
        .checked_sub_months(Months::new(12 * example.years_back))
        .ok_or_else(|| anyhow::anyhow!("no date {} years before {today}", example.years_back))?;
    let name = example_name(reference_date);
    let mut count = match storage.list_counts().await?.into_iter().find(|c| c.name == name) {
        Some(count) => count,
        None => {
            let start = window_start(reference_date)?;
            let new =
                NewCount { name, reference_date, starts_at: start, ends_at: start + Duration::hours(24) };
            storage.create_count(&new, &new_dedup_secret(), coordinator).await?
        }
    };
    if count.status != CountStatus::Locked {
        fill(storage, coordinator, example, &count).await?;
        count = storage.set_count_status(count.id, CountStatus::Locked, coordinator).await?;
    }
    let progress = storage.progress(count.id, Utc::now()).await?;
    Ok(ExampleCount { count, records: progress.records_total, void: progress.records_void })
}

/// 20:00 on the reference date in the region's time zone (not the server's: a server on UTC
/// would make it 21:00 in Maastricht): the window of the Dutch ETHOS counts runs 20:00–20:00.
fn window_start(reference_date: NaiveDate) -> anyhow::Result<DateTime<FixedOffset>> {
    let evening = reference_date.and_hms_opt(20, 0, 0).ok_or_else(|| anyhow::anyhow!("no 20:00"))?;
    let local = chrono_tz::Europe::Amsterdam
        .from_local_datetime(&evening)
        .earliest()
        .ok_or_else(|| anyhow::anyhow!("20:00 on {reference_date} does not exist here"))?;
    Ok(local.fixed_offset())
}

/// Everything but the lock: team codes, devices, records (count live), voids, decisions,
/// population. Each step finds what an earlier run did, so running it twice stores nothing twice.
async fn fill(storage: &Storage, coordinator: &User, example: &Example, count: &Count) -> anyhow::Result<()> {
    let plan = plan(example, count.starts_at);
    // The phones of a past count enrolled before its window and synced at its end: the console
    // then shows their last contact then, not "3 minutes ago" on a count of last year.
    let enrolled_at = count.starts_at.with_timezone(&Utc) - Duration::hours(1);
    let synced_at = count.ends_at.with_timezone(&Utc);
    let invites = storage.list_invites(count.id).await?;
    let enrolled = storage.count_devices(count.id).await?;
    let mut devices = Vec::new();
    for source in &SOURCES {
        let device_id = match enrolled.iter().find(|d| d.organisation == source.organisation) {
            Some(device) => device.id,
            None => {
                let code = match invites.iter().find(|i| i.organisation == source.organisation) {
                    Some(invite) => normalise_team_code(&invite.code),
                    None => {
                        let new = NewInvite {
                            organisation: source.organisation.into(),
                            organisation_type: source.kind,
                            expires_at: None,
                        };
                        let code = normalise_team_code(&new_team_code());
                        storage.create_invite(count.id, &new, &code, coordinator).await?;
                        code
                    }
                };
                // The token is thrown away: nobody can sync with these devices afterwards.
                let hash = token_hash(&new_token());
                storage
                    .enroll(&code, &hash, Some("voorbeeldtoestel"), enrolled_at)
                    .await?
                    .ok_or_else(|| {
                        anyhow::anyhow!("the example team code of {} was refused", source.organisation)
                    })?
                    .0
            }
        };
        let device = storage
            .device_by_id(device_id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("device {device_id} vanished"))?;
        devices.push(device);
    }
    if count.status == CountStatus::Training {
        storage.set_count_status(count.id, CountStatus::Live, coordinator).await?;
    }
    for (device, records) in devices.iter().zip(&plan.records) {
        for chunk in records.chunks(MAX_SYNC_RECORDS) {
            let items = ethos_shared::sync::parse_batch(chunk);
            let results = storage
                .sync_batch(device, items, Some(0), synced_at)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            if let Some(bad) =
                results.iter().find(|r| !matches!(r.status, SyncStatus::Stored | SyncStatus::Unchanged))
            {
                anyhow::bail!("an example record was not stored: {}", serde_json::to_string(bad)?);
            }
        }
    }
    for (id, reason) in &plan.void {
        storage.set_void(*id, Some(reason), coordinator).await?;
    }
    for (key, decision, primary) in &plan.decisions {
        let key = DedupKey::try_from(key.clone()).map_err(anyhow::Error::msg)?;
        storage.resolve_duplicate(count.id, &key, *decision, *primary, coordinator).await?;
    }
    let figures: Vec<(String, u64)> = example.population.iter().map(|(m, p)| (m.to_string(), *p)).collect();
    storage.set_population(count.id, &figures, coordinator).await?;
    let records: usize = plan.records.iter().map(Vec::len).sum();
    storage
        .audit_alone(
            &Actor::Cli,
            ethos_shared::codes::AuditAction::DemoExample,
            Some(count.id),
            json!({ "records": records, "seed": example.seed, "note": "verzonnen gegevens (invented data)" }),
        )
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::window_start;
    use chrono::NaiveDate;

    #[test]
    fn the_example_window_starts_at_eight_in_the_evening_in_maastricht_in_winter_and_summer(
    ) -> anyhow::Result<()> {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| anyhow::anyhow!("a date"));
        assert_eq!(window_start(day(2025, 11, 25)?)?.to_rfc3339(), "2025-11-25T20:00:00+01:00");
        assert_eq!(window_start(day(2025, 6, 25)?)?.to_rfc3339(), "2025-06-25T20:00:00+02:00");
        Ok(())
    }
}
