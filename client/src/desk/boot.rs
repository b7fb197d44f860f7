//! Starting the desk: what it holds (enrolments, outbox, language), the team code of a desk
//! link, then the first screen and a sync. Enrolling and syncing are the field app's own.

use super::form::desk_code_from;
use crate::field::outbox::{DeviceKind, Outbox, Trigger};
use crate::field::state::{Ctx, Screen};
use crate::field::sync::{enrol, persist, refresh_count, run_sync};
use crate::platform;
use ethos_shared::api::EnrollResponse;
use ethos_shared::record::RegionCode;
use ethos_shared::Lang;
use leptos::prelude::*;

/// The desk's address; a desk link `/desk#code=…` is replaced by it once read.
pub const PATH: &str = "/desk";

pub async fn start(c: Ctx) {
    if let Some(lang) = platform::load_meta::<Lang>("lang").await {
        c.lang.set(lang);
    }
    c.last_municipality.set(platform::load_meta::<RegionCode>("municipality").await);
    let enrolment = platform::load_meta::<EnrollResponse>("enrolment").await;
    let mut enrolments = platform::load_meta::<Vec<EnrollResponse>>("enrolments").await.unwrap_or_default();
    if let Some(e) = &enrolment {
        if !enrolments.iter().any(|k| k.device_id == e.device_id) {
            enrolments.push(e.clone());
        }
    }
    c.enrolments.set(enrolments);
    match platform::load_entries().await {
        Ok(entries) => {
            let mut outbox = Outbox::from_entries(entries);
            outbox.kind = DeviceKind::Desk;
            let adopted = enrolment.as_ref().map(|e| outbox.adopt(e.device_id)).unwrap_or_default();
            c.outbox.set(outbox);
            persist(c, &adopted).await;
        }
        Err(e) => c.storage_error.set(Some(e)),
    }
    let code = desk_code_from(&platform::location_hash());
    if code.is_some() {
        platform::replace_url(PATH);
    }
    let enrolled = enrolment.is_some();
    c.enrolment.set(enrolment);
    match (enrolled, code) {
        (false, Some(code)) => {
            c.enrol_code.set(code);
            c.screen.set(Screen::Enrol);
            let error = enrol(c).await;
            c.enrol_error.set(error);
        }
        (true, Some(code)) => {
            c.enrol_code.set(code);
            c.screen.set(Screen::Enrol);
        }
        (false, None) => c.screen.set(Screen::Enrol),
        (true, None) => c.screen.set(Screen::Home),
    }
    if c.enrolment.with_untracked(Option::is_some) {
        c.storage.set(platform::request_persistent_storage().await);
        refresh_count(c).await;
        run_sync(c, Trigger::Start).await;
    }
}
