//! The console's state shared by every page (the context), the session kept in the tab, and
//! navigation between pages without a reload.

use super::model::*;
use crate::i18n::tr;
use crate::platform;
use chrono::Utc;
use ethos_shared::api::Count;
use ethos_shared::Lang;
use leptos::prelude::*;

pub(crate) const SESSION_KEY: &str = "ethos-console-session";
/// The dashboard reloads itself this often.
pub(crate) const REFRESH_MS: u32 = 15_000;

/// The console's state, shared by every page through the context.
#[derive(Clone, Copy)]
pub(crate) struct Con {
    pub lang: RwSignal<Lang>,
    pub session: RwSignal<Option<Session>>,
    pub route: RwSignal<Route>,
    /// Said on the login page (logged out, session expired).
    pub notice: RwSignal<Option<String>>,
    /// Counts up every `REFRESH_MS`: pages that refresh themselves watch it.
    pub tick: RwSignal<u32>,
    /// The count whose pages are open.
    pub count: RwSignal<Option<Count>>,
}

pub(crate) fn con() -> Con {
    expect_context::<Con>()
}

impl Con {
    pub fn l(self) -> Lang {
        self.lang.get()
    }
    pub fn coordinator(self) -> bool {
        self.session.with(|s| s.as_ref().is_some_and(Session::is_coordinator))
    }
}

/// A text in the current language, as a reactive closure.
macro_rules! t {
    ($lang:expr, $nl:expr, $en:expr) => {
        $crate::console::state::text($lang, $nl, $en)
    };
}
pub(crate) use t;

/// One closure type for every translated text: the view code for it exists once in the binary
/// instead of once per text.
pub(crate) fn text(
    lang: RwSignal<Lang>,
    nl: &'static str,
    en: &'static str,
) -> impl Fn() -> &'static str + Copy + Send + Sync {
    move || tr(lang.get(), nl, en)
}

pub(crate) fn store_session(s: &Session) {
    if let Ok(text) = serde_json::to_string(s) {
        platform::session_set(SESSION_KEY, &text);
    }
}

pub(crate) fn stored_session() -> Option<Session> {
    let s: Session = platform::from_json(&platform::session_get(SESSION_KEY)?).ok()?;
    (s.expires_at > Utc::now()).then_some(s)
}

pub(crate) fn end_session(c: Con, notice: Option<&str>) {
    platform::session_remove(SESSION_KEY);
    c.session.set(None);
    c.count.set(None);
    c.notice.set(notice.map(String::from));
}

// ---------------------------------------------------------------- navigation and formats

pub(crate) fn navigate(c: Con, route: Route) {
    if c.route.get_untracked() != route {
        platform::push_url(&route.path());
        c.route.set(route);
    }
    platform::scroll_top();
}
