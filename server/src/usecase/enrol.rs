//! Enrolment of a phone with a team code, rate-limited per client address.

use super::{Error, Result};
use crate::secrets::{new_token, normalise_team_code, token_hash};
use crate::storage::Storage;
use chrono::{DateTime, Duration, Utc};
use ethos_shared::api::EnrollResponse;
use ethos_shared::input;

/// Wrong team codes per client address within the window before `TooManyAttempts`. Generous,
/// because a shelter's Wi-Fi or a carrier's NAT puts many phones behind one address on count
/// night; guessing is still hopeless (a code has about 38 bits: 30 tries per 15 minutes).
pub const MAX_FAILURES: i64 = 30;

/// Enrols a phone from `client` with the `code` as typed and its optional label (shortened to
/// 100 characters; control characters refused). `InviteInvalid` for an unknown, expired or
/// revoked code or one of a locked count, counted against the address.
pub async fn enrol(
    storage: &Storage,
    client: &str,
    typed_code: &str,
    label: Option<&str>,
    window: Duration,
    now: DateTime<Utc>,
) -> Result<EnrollResponse> {
    let (failures, oldest) = storage.enrol_failures_since(client, now - window).await?;
    if failures >= MAX_FAILURES {
        return Err(Error::TooManyAttempts { free_at: oldest.unwrap_or(now) + window });
    }
    let label = input::device_label(label)?;
    let code = normalise_team_code(typed_code);
    let token = new_token();
    let enrolled = storage.enroll(&code, &token_hash(&token), label.as_deref(), now).await?;
    let Some((device_id, count, organisation, dedup_secret)) = enrolled else {
        storage.add_enrol_failure(client, now).await?;
        tracing::warn!(client = %client, "enrolment with an invalid team code");
        return Err(Error::InviteInvalid);
    };
    tracing::info!(%device_id, count = %count.id, "device enrolled");
    Ok(EnrollResponse { device_token: token, device_id, count, organisation, dedup_secret })
}
