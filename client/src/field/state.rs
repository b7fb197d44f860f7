//! The field app's state, shared by every screen through leptos' context.

use super::flow::{Draft, SavedDraft};
use super::outbox::{Failure, Outbox};
use crate::platform;
use chrono::{DateTime, Utc};
use ethos_shared::api::EnrollResponse;
use ethos_shared::count::CountStatus;
use ethos_shared::record::RegionCode;
use ethos_shared::Lang;
use leptos::prelude::*;
use leptos::task::spawn_local;

#[derive(Debug, Clone, PartialEq)]
pub enum Screen {
    Loading,
    /// The app was opened in another tab, which now holds the outbox.
    Elsewhere,
    Enrol,
    Home,
    Record,
}

/// Where the last sync stands, for the status line.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SyncView {
    pub running: bool,
    /// The last failure, if the last attempt failed.
    pub error: Option<Failure>,
    pub retry_at: Option<DateTime<Utc>>,
}

/// The app's state, shared by every view through the context.
#[derive(Clone, Copy)]
pub struct Ctx {
    pub lang: RwSignal<Lang>,
    pub screen: RwSignal<Screen>,
    /// The enrolment new records are made under (the last one).
    pub enrolment: RwSignal<Option<EnrollResponse>>,
    /// Every enrolment this phone holds records for, oldest first (the current one last):
    /// each record is sent only with the token of its own.
    pub enrolments: RwSignal<Vec<EnrollResponse>>,
    pub outbox: RwSignal<Outbox>,
    pub sync: RwSignal<SyncView>,
    pub now: RwSignal<DateTime<Utc>>,
    pub update_ready: RwSignal<bool>,
    /// The answer to `navigator.storage.persist()`: "granted", "denied" or "unsupported".
    pub storage: RwSignal<String>,
    pub storage_error: RwSignal<Option<String>>,
    pub notice: RwSignal<Option<String>>,
    /// The draft being filled in (a new record or a correction).
    pub draft: RwSignal<Draft>,
    /// A draft left unfinished (reload, closed or discarded tab), offered on the home screen.
    pub saved_draft: RwSignal<Option<SavedDraft>>,
    /// The question to open the record screen at (a resumed draft), else the first.
    pub resume_step: RwSignal<Option<super::flow::Step>>,
    /// Bumped by the browser's Back gesture while the record screen is open.
    pub back: RwSignal<u32>,
    /// Whether the app has put one history entry of its own for the Back gesture to take
    /// (at most one at a time, so leaving the app by Back takes at most one extra tap).
    pub history_armed: RwSignal<bool>,
    pub last_municipality: RwSignal<Option<RegionCode>>,
    pub enrol_code: RwSignal<String>,
    /// Set when another tab took over: this one no longer syncs or saves.
    pub passive: RwSignal<bool>,
    /// The server's code for the last failed enrolment.
    pub enrol_error: RwSignal<Option<String>>,
}

impl Ctx {
    pub fn new() -> Self {
        Ctx {
            lang: RwSignal::new(Lang::Nl),
            screen: RwSignal::new(Screen::Loading),
            enrolment: RwSignal::new(None),
            enrolments: RwSignal::new(Vec::new()),
            outbox: RwSignal::new(Outbox::new()),
            sync: RwSignal::new(SyncView::default()),
            now: RwSignal::new(Utc::now()),
            update_ready: RwSignal::new(false),
            storage: RwSignal::new(String::new()),
            storage_error: RwSignal::new(None),
            notice: RwSignal::new(None),
            draft: RwSignal::new(Draft::new(None, false)),
            saved_draft: RwSignal::new(None),
            resume_step: RwSignal::new(None),
            back: RwSignal::new(0),
            history_armed: RwSignal::new(false),
            last_municipality: RwSignal::new(None),
            enrol_code: RwSignal::new(String::new()),
            passive: RwSignal::new(false),
            enrol_error: RwSignal::new(None),
        }
    }

    /// The status of the current enrolment's count.
    pub fn count_status(self) -> Option<CountStatus> {
        self.enrolment.with(|e| e.as_ref().map(|e| e.count.status))
    }

    /// The organisation of an enrolment this phone holds.
    pub fn organisation_of(self, device: uuid::Uuid) -> Option<String> {
        self.enrolments
            .with(|list| list.iter().find(|e| e.device_id == device).map(|e| e.organisation.clone()))
    }
}

pub fn ctx() -> Ctx {
    expect_context::<Ctx>()
}

/// A text in the current language, as a reactive closure.
macro_rules! t {
    ($lang:expr, $nl:expr, $en:expr) => {
        $crate::i18n::text($lang, $nl, $en)
    };
}
pub(crate) use t;

pub fn set_lang(c: Ctx, lang: Lang) {
    c.lang.set(lang);
    spawn_local(async move {
        let _ = platform::save_meta("lang", &lang).await;
    });
}

/// Keeps the unfinished draft (or forgets it: `None`) in IndexedDB.
pub fn store_draft(c: Ctx, saved: Option<SavedDraft>) {
    if c.passive.get_untracked() {
        return;
    }
    spawn_local(async move {
        if let Err(e) = platform::save_meta("draft", &saved).await {
            c.storage_error.set(Some(e));
        }
    });
}
