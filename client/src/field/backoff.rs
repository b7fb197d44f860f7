//! When to try again after a failed request.

use chrono::{DateTime, Duration, Utc};

/// First retry delay after a failed request; doubles per failure up to `BACKOFF_MAX_SECS`.
pub const BACKOFF_BASE_SECS: i64 = 5;
pub const BACKOFF_MAX_SECS: i64 = 300;

/// Exponential backoff for failed requests.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Backoff {
    pub failures: u32,
    pub next_at: Option<DateTime<Utc>>,
}

impl Backoff {
    /// 5 s, 10 s, 20 s, … capped at 5 minutes.
    pub fn delay(failures: u32) -> Duration {
        let exp = failures.saturating_sub(1).min(16);
        let secs = BACKOFF_BASE_SECS.saturating_mul(1i64 << exp);
        Duration::seconds(secs.min(BACKOFF_MAX_SECS))
    }

    /// Counts a failure; the next try waits the backoff delay or, if longer, what the server
    /// asked for (capped at `BACKOFF_MAX_SECS`: a phone about to go offline again should not
    /// sit on its records for long because of one answer).
    pub fn fail(&mut self, now: DateTime<Utc>, server_asks_secs: Option<u64>) -> DateTime<Utc> {
        self.failures = self.failures.saturating_add(1);
        let asked =
            server_asks_secs.map_or(0, |s| i64::try_from(s).unwrap_or(i64::MAX).min(BACKOFF_MAX_SECS));
        let at = now + Self::delay(self.failures).max(Duration::seconds(asked));
        self.next_at = Some(at);
        at
    }

    pub fn succeed(&mut self) {
        *self = Backoff::default();
    }

    /// Whether an automatic (timer) sync may run now.
    pub fn ready(&self, now: DateTime<Utc>) -> bool {
        self.next_at.is_none_or(|at| now >= at)
    }
}
