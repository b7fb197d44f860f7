//! The count's lifecycle and the time rules for records (api.md "Counts" and "Sync").

use chrono::{DateTime, Duration, FixedOffset, Utc};
use serde::{Deserialize, Serialize};

value_set!(
    /// training → live → locked; training → locked.
    CountStatus {
        Training = "training", "oefenen", "training";
        Live = "live", "live", "live";
        Locked = "locked", "gesloten", "locked";
    }
);

impl CountStatus {
    /// Whether the lifecycle allows moving from `self` to `to`.
    pub fn can_become(self, to: CountStatus) -> bool {
        use CountStatus::*;
        matches!((self, to), (Training, Live) | (Live, Locked) | (Training, Locked))
    }
}

value_set!(
    /// The kind of organisation behind a team code; the sources of the estimate (domain.md §8).
    OrganisationType {
        Shelter = "shelter", "opvang", "shelter";
        Outreach = "outreach", "straat- en veldwerk", "outreach";
        Care = "care", "zorg, GGZ, verslavingszorg, ziekenhuis", "care";
        Municipality = "municipality", "gemeente, wijkteam, boa", "municipality";
        Police = "police", "politie", "police";
        Justice = "justice", "justitie (PI, reclassering)", "justice";
        Housing = "housing", "woningcorporatie", "housing";
        Community = "community", "kerk, buurthuis, vrijwilligers", "community";
        Other = "other", "anders", "other";
    }
);

// The value_set! macro cannot mark a default variant, so this stays written out.
#[allow(clippy::derivable_impls)]
impl Default for OrganisationType {
    fn default() -> Self {
        OrganisationType::Other
    }
}

/// Whether a team code still enrols a phone: not revoked, not expired at `now`, and its count
/// not locked.
pub fn team_code_usable(
    expires_at: Option<DateTime<Utc>>,
    revoked: bool,
    status: CountStatus,
    now: DateTime<Utc>,
) -> bool {
    !revoked && expires_at.is_none_or(|t| t > now) && status != CountStatus::Locked
}

/// Phone clocks drift: a live record may lie this far outside the window, and no record
/// this far ahead of the server clock.
pub fn clock_tolerance() -> Duration {
    Duration::hours(1)
}

/// The time problem of a record's `observed_at`, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimingProblem {
    OutsideWindow,
    InFuture,
}

/// Checks `observed_at` against the count window (live records only: practice happens before
/// the count) and the server clock (every record).
pub fn timing_problem(
    observed_at: DateTime<FixedOffset>,
    is_training: bool,
    starts_at: DateTime<FixedOffset>,
    ends_at: DateTime<FixedOffset>,
    now: DateTime<Utc>,
) -> Option<TimingProblem> {
    let tol = clock_tolerance();
    if observed_at > now + tol {
        return Some(TimingProblem::InFuture);
    }
    if !is_training && (observed_at < starts_at - tol || observed_at > ends_at + tol) {
        return Some(TimingProblem::OutsideWindow);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_forward_transitions_of_the_lifecycle_are_allowed() {
        use CountStatus::*;
        let allowed: Vec<(CountStatus, CountStatus)> = [Training, Live, Locked]
            .iter()
            .flat_map(|a| [Training, Live, Locked].map(|b| (*a, b)))
            .filter(|(a, b)| a.can_become(*b))
            .collect();
        assert_eq!(allowed, vec![(Training, Live), (Training, Locked), (Live, Locked)]);
    }

    #[test]
    fn a_team_code_enrols_until_it_expires_or_is_revoked_or_its_count_is_locked() {
        let now = t("2026-10-15T20:00:00Z").with_timezone(&Utc);
        let later = Some(now + Duration::minutes(1));
        assert!(team_code_usable(None, false, CountStatus::Live, now));
        assert!(team_code_usable(later, false, CountStatus::Training, now));
        assert!(!team_code_usable(Some(now), false, CountStatus::Live, now), "expired at this moment");
        assert!(!team_code_usable(None, true, CountStatus::Live, now));
        assert!(!team_code_usable(later, false, CountStatus::Locked, now));
    }

    fn t(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    #[test]
    fn live_records_may_lie_one_hour_outside_the_window_and_no_more() {
        let (start, end) = (t("2026-10-15T20:00:00+02:00"), t("2026-10-16T20:00:00+02:00"));
        let now = t("2026-10-20T12:00:00Z").with_timezone(&Utc);
        let check = |obs: &str, training| timing_problem(t(obs), training, start, end, now);
        assert_eq!(check("2026-10-15T19:00:00+02:00", false), None);
        assert_eq!(check("2026-10-15T18:59:59+02:00", false), Some(TimingProblem::OutsideWindow));
        assert_eq!(check("2026-10-16T21:00:00+02:00", false), None);
        assert_eq!(check("2026-10-16T21:00:01+02:00", false), Some(TimingProblem::OutsideWindow));
        assert_eq!(check("2026-10-01T10:00:00+02:00", true), None, "training may be before");
    }

    #[test]
    fn no_record_may_be_more_than_one_hour_ahead_of_the_server() {
        let (start, end) = (t("2026-10-15T20:00:00+02:00"), t("2026-10-16T20:00:00+02:00"));
        let now = t("2026-10-15T22:00:00+02:00").with_timezone(&Utc);
        assert_eq!(timing_problem(t("2026-10-15T23:00:00+02:00"), true, start, end, now), None);
        assert_eq!(
            timing_problem(t("2026-10-15T23:00:01+02:00"), true, start, end, now),
            Some(TimingProblem::InFuture)
        );
    }
}
