//! Starting the desk: what it holds (enrolments, outbox, language), the team code of a desk
//! link, then the first screen and a sync. Enrolling and syncing are the field app's own.

use super::form::desk_code_from;
use crate::field::outbox::DeviceKind;
use crate::field::state::Ctx;
use crate::field::sync::{load, open};
use crate::platform;

/// The desk's address; a desk link `/desk#code=…` is replaced by it once read.
pub const PATH: &str = "/desk";

/// Loads what the desk holds (its outbox kept until the count is locked), reads the team code
/// of a desk link, then decides the first screen and syncs, as the field app does.
pub async fn start(c: Ctx) {
    let enrolment = load(c, DeviceKind::Desk).await;
    let code = desk_code_from(&platform::location_hash());
    if code.is_some() {
        platform::replace_url(PATH);
    }
    open(c, enrolment, code).await;
}
