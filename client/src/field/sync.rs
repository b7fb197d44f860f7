//! Starting the app, enrolling, and running the sync engine in the browser.

use super::browser::{Fetch, IndexedDb, SignalOutbox};
use super::engine::{Engine, Sender, SystemClock};
use super::flow::{self, SavedDraft};
use super::outbox::{DeviceKind, Entry, Failure, Outbox, Trigger};
use super::state::{Ctx, Screen};
use crate::platform;
use chrono::Utc;
use ethos_shared::api::EnrollResponse;
use ethos_shared::count::CountStatus;
use ethos_shared::record::RegionCode;
use ethos_shared::Lang;
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

/// Loads what this phone holds, then decides the first screen and syncs.
pub async fn start(c: Ctx) {
    let enrolment = load(c, DeviceKind::Phone).await;
    c.saved_draft.set(platform::load_meta::<Option<SavedDraft>>("draft").await.flatten());
    // An enrol link: /enroll#code=K7PQ-2QXM (the code stays out of server logs).
    let code = flow::enrol_code_from(&platform::location_path(), &platform::location_hash());
    if platform::location_path() != "/" {
        platform::replace_url("/");
    }
    open(c, enrolment, code).await;
}

/// Loads what this device holds (language, last municipality, enrolments, the outbox kept as
/// `kind` keeps it) into `c`; returns the current enrolment.
pub(crate) async fn load(c: Ctx, kind: DeviceKind) -> Option<EnrollResponse> {
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
            outbox.kind = kind;
            // Entries from before records kept their enrolment were made under this one.
            let adopted = enrolment.as_ref().map(|e| outbox.adopt(e.device_id)).unwrap_or_default();
            c.outbox.set(outbox);
            persist(c, &adopted).await;
        }
        Err(e) => c.storage_error.set(Some(e)),
    }
    enrolment
}

/// The first screen: enrolment (with the link's `code`, enrolling at once when there is no
/// enrolment yet) or home; then, when enrolled, the count and a first sync.
pub(crate) async fn open(c: Ctx, enrolment: Option<EnrollResponse>, code: Option<String>) {
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

/// Enrols with the code in `enrol_code`. The records of earlier enrolments stay theirs.
pub async fn enrol(c: Ctx) -> Option<String> {
    let code = c.enrol_code.get_untracked().trim().to_uppercase();
    if code.is_empty() {
        return Some("validation_failed".into());
    }
    match platform::enroll(&code).await {
        Ok(resp) => {
            c.enrolments.update(|list| {
                list.retain(|e| e.device_id != resp.device_id);
                list.push(resp.clone());
            });
            let list = c.enrolments.get_untracked();
            let saved = match platform::save_meta("enrolments", &list).await {
                Ok(()) => platform::save_meta("enrolment", &resp).await,
                Err(e) => Err(e),
            };
            if let Err(e) = saved {
                c.storage_error.set(Some(e));
            }
            c.enrolment.set(Some(resp));
            c.outbox.update(Outbox::reset_backoff);
            c.enrol_code.set(String::new());
            c.screen.set(Screen::Home);
            c.storage.set(platform::request_persistent_storage().await);
            // Also notes the first contact, so the status line does not say "no contact yet".
            refresh_count(c).await;
            run_sync(c, Trigger::Start).await;
            None
        }
        Err(code) => Some(code),
    }
}

/// Reads the count's status (training, live, locked) from the server.
pub async fn refresh_count(c: Ctx) {
    let Some((device, token)) =
        c.enrolment.with_untracked(|e| e.as_ref().map(|e| (e.device_id, e.device_token.clone())))
    else {
        return;
    };
    match platform::device_count(&token).await {
        Ok(count) => {
            c.outbox.update(|o| o.last_success = Some(Utc::now()));
            let mut changed = None;
            c.enrolment.update(|e| {
                if let Some(e) = e {
                    if e.count != count {
                        e.count = count;
                        changed = Some(e.clone());
                    }
                }
            });
            if let Some(e) = changed {
                let _ = platform::save_meta("enrolment", &e).await;
            }
        }
        Err(Failure::Unauthorized { code }) => c.outbox.update(|o| {
            o.blocked.insert(device, code);
        }),
        Err(_) => {}
    }
}

/// Writes the given entries to IndexedDB, reporting a failure on screen.
pub async fn persist(c: Ctx, ids: &[Uuid]) {
    if c.passive.get_untracked() || ids.is_empty() {
        return; // the other tab owns the outbox now; it resends what this one may have sent
    }
    let entries: Vec<Entry> =
        c.outbox.with_untracked(|o| ids.iter().filter_map(|id| o.get(*id).cloned()).collect());
    match platform::save_entries(&entries).await {
        Ok(()) => c.storage_error.set(None),
        Err(e) => c.storage_error.set(Some(e)),
    }
}

/// Runs the sync engine once: batches until the outbox is empty, a request fails (then again
/// after the backoff) or the enrolments with records are refused. Only one runs at a time.
pub async fn run_sync(c: Ctx, trigger: Trigger) {
    if c.sync.with_untracked(|s| s.running) || c.passive.get_untracked() {
        return;
    }
    let senders: Vec<Sender> = c.enrolments.with_untracked(|list| {
        list.iter().map(|e| Sender { device_id: e.device_id, token: e.device_token.clone() }).collect()
    });
    let locked =
        c.enrolment.with_untracked(|e| e.as_ref().is_some_and(|e| e.count.status == CountStatus::Locked));
    c.sync.update(|s| s.running = true);
    let engine = Engine {
        outbox: SignalOutbox(c.outbox),
        storage: IndexedDb { passive: c.passive },
        transport: Fetch,
        clock: SystemClock,
    };
    let report = engine.sync(trigger, &senders, locked).await;
    if let Some(e) = report.storage_error {
        c.storage_error.set(Some(e));
    }
    c.now.set(Utc::now());
    c.sync.update(|s| {
        s.running = false;
        if report.requests > 0 {
            s.error = report.error;
            s.retry_at = report.retry_at;
        }
    });
    if let Some(at) = report.retry_at {
        let ms = (at - Utc::now()).num_milliseconds().clamp(1_000, 600_000) as u32;
        platform::after(ms, move || spawn_local(run_sync(c, Trigger::Timer)));
    }
    if report.answered {
        // The count may have gone from training to live, or been locked.
        refresh_count(c).await;
    }
}
