//! The dashboard as the console polls it (every 15 s), kept a while when it is expensive.
//!
//! A dashboard is made of aggregate queries over every record of the count: milliseconds for a
//! real count (hundreds to thousands of records), but seconds of CPU for a million. So a
//! dashboard that took [`EXPENSIVE`] or more is served again for [`KEEP_FACTOR`] times as long
//! as it took, and after that it is served once more while a new one is made in the background.
//! The server then spends at most about a tenth of one core on dashboards, whatever the size of
//! the count, and no poll waits for one (but the very first). A cheaper dashboard is made anew
//! at every poll, so a small count is always current. Each answer says when it was made
//! (`generated_at`).

use super::dashboard::dashboard;
use super::Result;
use crate::storage::Storage;
use chrono::Utc;
use ethos_shared::api::{Count, Dashboard};
use ethos_shared::count::CountStatus;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use uuid::Uuid;

/// A dashboard that took at least this long is kept (see the module text).
const EXPENSIVE: Duration = Duration::from_millis(200);
/// An expensive dashboard is kept for this many times as long as it took.
const KEEP_FACTOR: u32 = 10;

/// The kept dashboards, by count; shared by every request.
#[derive(Clone, Default)]
pub struct DashboardCache {
    counts: Arc<Mutex<HashMap<Uuid, Slot>>>,
}

#[derive(Default)]
struct Slot {
    /// Only an expensive dashboard is kept.
    kept: Option<Kept>,
    /// A background refresh is under way (cleared by that task, also when it fails).
    refreshing: bool,
    /// One dashboard of a count is made at a time: requests that find none to serve wait for
    /// the one being made instead of each making their own.
    making: Arc<tokio::sync::Mutex<()>>,
}

#[derive(Clone)]
struct Kept {
    dashboard: Dashboard,
    made: Instant,
    cost: Duration,
}

/// What to do with a kept dashboard.
#[derive(Debug, PartialEq, Eq)]
enum Use {
    /// Make a new one and wait for it.
    Make,
    /// Serve the kept one.
    Kept,
    /// Serve the kept one and make a new one in the background.
    KeptAndRefresh,
}

fn decide(kept: Option<&Kept>, training: bool, refreshing: bool, now: Instant) -> Use {
    let Some(k) = kept else { return Use::Make };
    if k.cost < EXPENSIVE || k.dashboard.training != training {
        Use::Make
    } else if now.duration_since(k.made) < k.cost * KEEP_FACTOR || refreshing {
        Use::Kept
    } else {
        Use::KeptAndRefresh
    }
}

/// Clears a count's `refreshing` when the background refresh ends, however it ends.
struct Refreshing(DashboardCache, Uuid);

impl Drop for Refreshing {
    fn drop(&mut self) {
        if let Some(slot) = self.0.lock().get_mut(&self.1) {
            slot.refreshing = false;
        }
    }
}

impl DashboardCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Uuid, Slot>> {
        self.counts.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The dashboard of `count`, made now or kept (see the module text).
    pub async fn dashboard(&self, storage: &Storage, count: &Count) -> Result<Dashboard> {
        let training = count.status == CountStatus::Training;
        let asked = Instant::now();
        // Decided under the lock; the refresh task (whose guard takes the lock again) is
        // started after it is released.
        let (served, kept, making) = {
            let mut counts = self.lock();
            let slot = counts.entry(count.id).or_default();
            let served = decide(slot.kept.as_ref(), training, slot.refreshing, asked);
            slot.refreshing |= served == Use::KeptAndRefresh;
            let kept = match served {
                Use::Make => None,
                _ => slot.kept.as_ref().map(|k| k.dashboard.clone()),
            };
            (served, kept, slot.making.clone())
        };
        if served == Use::KeptAndRefresh {
            let refreshing = Refreshing(self.clone(), count.id);
            let (cache, storage, count, making) =
                (self.clone(), storage.clone(), count.clone(), making.clone());
            tokio::spawn(async move {
                let _refreshing = refreshing;
                let _turn = making.lock().await;
                if let Err(e) = cache.make(&storage, &count).await {
                    tracing::warn!(error = %e, count = %count.id, "making the dashboard failed");
                }
            });
        }
        if served != Use::Make {
            // `decide` serves a kept dashboard only when there is one.
            return kept.ok_or(super::Error::NotFound("dashboard"));
        }
        let _turn = making.lock().await;
        // Made by another request while this one waited its turn: serve that one.
        let fresh = self.lock().get(&count.id).and_then(|slot| slot.kept.clone());
        if let Some(k) = fresh.filter(|k| k.made >= asked && k.dashboard.training == training) {
            return Ok(k.dashboard);
        }
        self.make(storage, count).await
    }

    /// Makes the dashboard; keeps it when it was expensive (and drops a kept one when not).
    async fn make(&self, storage: &Storage, count: &Count) -> Result<Dashboard> {
        let started = Instant::now();
        let dashboard = dashboard(storage, count, Utc::now()).await?;
        let cost = started.elapsed();
        let kept =
            (cost >= EXPENSIVE).then(|| Kept { dashboard: dashboard.clone(), made: Instant::now(), cost });
        self.lock().entry(count.id).or_default().kept = kept;
        Ok(dashboard)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kept(cost_ms: u64, training: bool, made: Instant) -> Kept {
        let dashboard = Dashboard {
            records_total: 0,
            records_counted: 0,
            records_training: 0,
            records_void: 0,
            persons_total: None,
            by_organisation: Vec::new(),
            by_municipality: Vec::new(),
            by_hour: Vec::new(),
            devices_enrolled: 0,
            devices_seen_last_hour: 0,
            generated_at: None,
            training,
        };
        Kept { dashboard, made, cost: Duration::from_millis(cost_ms) }
    }

    #[test]
    fn a_cheap_dashboard_is_made_anew_at_every_poll() {
        let made = Instant::now();
        let k = kept(150, false, made);
        assert_eq!(decide(Some(&k), false, false, made), Use::Make);
        assert_eq!(decide(None, false, false, made), Use::Make);
    }

    #[test]
    fn an_expensive_dashboard_is_kept_ten_times_as_long_as_it_took_then_refreshed_in_the_background() {
        let made = Instant::now();
        let k = kept(2_000, false, made);
        assert_eq!(decide(Some(&k), false, false, made + Duration::from_secs(19)), Use::Kept);
        assert_eq!(decide(Some(&k), false, false, made + Duration::from_secs(21)), Use::KeptAndRefresh);
        // One refresh at a time: meanwhile the kept one is served.
        assert_eq!(decide(Some(&k), false, true, made + Duration::from_secs(25)), Use::Kept);
    }

    #[test]
    fn a_kept_dashboard_of_a_rehearsal_is_not_served_once_the_count_is_live() {
        let made = Instant::now();
        let k = kept(2_000, true, made);
        assert_eq!(decide(Some(&k), false, false, made), Use::Make);
    }
}
