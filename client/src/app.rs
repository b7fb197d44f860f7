//! The user interface (leptos, client-side rendered). Browser access goes through `platform`;
//! record rules through `flow` and `shared`; delivery through `outbox`.

use crate::flow::{self, Branch, Draft, Identity, Step, SLEPT_WHERE};
use crate::i18n::{age_text, enroll_error, tr};
use crate::outbox::{attention_reasons, Entry, EntryState, Failure, Next, Outbox, Trigger};
use crate::platform;
use chrono::{DateTime, Local, Utc};
use ethos_shared::api::EnrollResponse;
use ethos_shared::count::{timing_problem, CountStatus};
use ethos_shared::municipality;
use ethos_shared::profile::{AgeBand, CareNeed, CareNeeds, Children, Gender};
use ethos_shared::record::{Origin, RegionCode};
use ethos_shared::Lang;
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

/// How often the phone tries to sync while the app is open.
const SYNC_EVERY_MS: u32 = 30_000;
/// The count's status is read every this many sync ticks (5 minutes), and after each sync.
const COUNT_EVERY_TICKS: u32 = 10;

#[derive(Debug, Clone, PartialEq)]
enum Screen {
    Loading,
    /// The app was opened in another tab, which now holds the outbox.
    Elsewhere,
    Enrol,
    Home,
    Record,
}

/// Where the last sync stands, for the status line.
#[derive(Debug, Clone, Default, PartialEq)]
struct SyncView {
    running: bool,
    /// The last failure, if the last attempt failed.
    error: Option<Failure>,
    retry_at: Option<DateTime<Utc>>,
}

/// The app's state, shared by every view through the context.
#[derive(Clone, Copy)]
struct Ctx {
    lang: RwSignal<Lang>,
    screen: RwSignal<Screen>,
    enrolment: RwSignal<Option<EnrollResponse>>,
    outbox: RwSignal<Outbox>,
    sync: RwSignal<SyncView>,
    now: RwSignal<DateTime<Utc>>,
    update_ready: RwSignal<bool>,
    storage: RwSignal<String>,
    storage_error: RwSignal<Option<String>>,
    notice: RwSignal<Option<String>>,
    /// The draft being filled in (a new record or a correction).
    draft: RwSignal<Draft>,
    last_municipality: RwSignal<Option<RegionCode>>,
    enrol_code: RwSignal<String>,
    /// Set when another tab took over: this one no longer syncs or saves.
    passive: RwSignal<bool>,
    /// The server's code for the last failed enrolment.
    enrol_error: RwSignal<Option<String>>,
}

fn ctx() -> Ctx {
    expect_context::<Ctx>()
}

/// A text in the current language, as a reactive closure.
macro_rules! t {
    ($lang:expr, $nl:expr, $en:expr) => {
        text($lang, $nl, $en)
    };
}

/// One closure type for every translated text: the view code for it exists once in the
/// binary instead of once per text.
pub(crate) fn text(
    lang: RwSignal<Lang>,
    nl: &'static str,
    en: &'static str,
) -> impl Fn() -> &'static str + Copy + Send + Sync {
    move || tr(lang.get(), nl, en)
}

#[component]
pub fn App() -> impl IntoView {
    let c = Ctx {
        lang: RwSignal::new(Lang::Nl),
        screen: RwSignal::new(Screen::Loading),
        enrolment: RwSignal::new(None),
        outbox: RwSignal::new(Outbox::new()),
        sync: RwSignal::new(SyncView::default()),
        now: RwSignal::new(Utc::now()),
        update_ready: RwSignal::new(false),
        storage: RwSignal::new(String::new()),
        storage_error: RwSignal::new(None),
        notice: RwSignal::new(None),
        draft: RwSignal::new(Draft::new(None, false)),
        last_municipality: RwSignal::new(None),
        enrol_code: RwSignal::new(String::new()),
        passive: RwSignal::new(false),
        enrol_error: RwSignal::new(None),
    };
    provide_context(c);

    platform::claim_tab(move || {
        c.passive.set(true);
        c.screen.set(Screen::Elsewhere);
    });
    spawn_local(start(c));
    platform::on_online(move || spawn_local(run_sync(c, Trigger::Online)));
    let mut ticks: u32 = 0;
    platform::every(SYNC_EVERY_MS, move || {
        c.now.set(Utc::now());
        ticks = ticks.wrapping_add(1);
        spawn_local(async move {
            run_sync(c, Trigger::Timer).await;
            // Now and then, even with nothing to send: has the count gone live or closed?
            if ticks.is_multiple_of(COUNT_EVERY_TICKS) {
                refresh_count(c).await;
            }
        });
    });
    platform::register_service_worker(move || c.update_ready.set(true));
    Effect::new(move |_| {
        platform::set_document_lang(match c.lang.get() {
            Lang::Nl => "nl",
            Lang::En => "en",
        })
    });

    view! {
        <div class="app">
            <TopBar/>
            <UpdateBanner/>
            <main id="main" class="app-main">
                {move || match c.screen.get() {
                    Screen::Loading => view! { <p class="utrecht-paragraph">"…"</p> }.into_any(),
                    Screen::Elsewhere => view! { <ElsewhereScreen/> }.into_any(),
                    Screen::Enrol => view! { <EnrolScreen/> }.into_any(),
                    Screen::Home => view! { <HomeScreen/> }.into_any(),
                    Screen::Record => view! { <RecordScreen/> }.into_any(),
                }}
            </main>
        </div>
    }
}

/// Loads what this phone holds, then decides the first screen and syncs.
async fn start(c: Ctx) {
    if let Some(lang) = platform::load_meta::<Lang>("lang").await {
        c.lang.set(lang);
    }
    c.last_municipality.set(platform::load_meta::<RegionCode>("municipality").await);
    let enrolment = platform::load_meta::<EnrollResponse>("enrolment").await;
    match platform::load_entries().await {
        Ok(entries) => c.outbox.set(Outbox::from_entries(entries)),
        Err(e) => c.storage_error.set(Some(e)),
    }
    // An enrol link: /enroll#code=K7PQ-2QXM (the code stays out of server logs).
    let code = flow::enrol_code_from(&platform::location_path(), &platform::location_hash());
    if platform::location_path() != "/" {
        platform::replace_url("/");
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

/// Enrols with the code in `enrol_code`.
async fn enrol(c: Ctx) -> Option<String> {
    let code = c.enrol_code.get_untracked().trim().to_uppercase();
    if code.is_empty() {
        return Some("validation_failed".into());
    }
    match platform::enroll(&code).await {
        Ok(resp) => {
            if let Err(e) = platform::save_meta("enrolment", &resp).await {
                c.storage_error.set(Some(e));
            }
            c.enrolment.set(Some(resp));
            c.outbox.update(Outbox::unblock);
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
async fn refresh_count(c: Ctx) {
    let Some(token) = c.enrolment.with_untracked(|e| e.as_ref().map(|e| e.device_token.clone())) else {
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
        Err(Failure::Unauthorized { code }) => c.outbox.update(|o| o.blocked = Some(code)),
        Err(_) => {}
    }
}

/// Writes the given entries to IndexedDB, reporting a failure on screen.
async fn persist(c: Ctx, ids: &[Uuid]) {
    if c.passive.get_untracked() {
        return; // the other tab owns the outbox now; it resends what this one may have sent
    }
    let entries: Vec<Entry> =
        c.outbox.with_untracked(|o| ids.iter().filter_map(|id| o.get(*id).cloned()).collect());
    match platform::save_entries(&entries).await {
        Ok(()) => c.storage_error.set(None),
        Err(e) => c.storage_error.set(Some(e)),
    }
}

/// The sync loop: batches until the outbox is empty, a request fails (backoff) or the device
/// is refused. Only one runs at a time.
async fn run_sync(c: Ctx, trigger: Trigger) {
    if c.sync.with_untracked(|s| s.running) || c.passive.get_untracked() {
        return;
    }
    let Some(token) = c.enrolment.with_untracked(|e| e.as_ref().map(|e| e.device_token.clone())) else {
        return;
    };
    if !c.outbox.with_untracked(|o| o.should_sync(trigger, Utc::now())) {
        return;
    }
    c.sync.update(|s| s.running = true);
    let mut answered = false;
    while let Some(batch) = c.outbox.try_update(|o| o.take_batch(Utc::now())).flatten() {
        let ids: Vec<Uuid> = batch.sent.iter().map(|(id, _)| *id).collect();
        persist(c, &ids).await;
        let result = platform::sync(&token, batch.sync_body()).await;
        let now = Utc::now();
        let next = match &result {
            Ok(response) => c.outbox.try_update(|o| o.apply_response(&batch, response, now)),
            Err(failure) => c.outbox.try_update(|o| o.apply_failure(&batch, failure, now)),
        };
        persist(c, &ids).await;
        answered |= result.is_ok();
        c.sync.update(|s| {
            s.error = result.as_ref().err().cloned();
            s.retry_at = match next {
                Some(Next::RetryAt(at)) => Some(at),
                _ => None,
            };
        });
        match next {
            Some(Next::Continue) => continue,
            Some(Next::RetryAt(at)) => {
                let ms = (at - now).num_milliseconds().clamp(1_000, 600_000) as u32;
                platform::after(ms, move || spawn_local(run_sync(c, Trigger::Timer)));
                break;
            }
            _ => break,
        }
    }
    let pruned = c.outbox.try_update(|o| o.prune(Utc::now())).unwrap_or_default();
    if let Err(e) = platform::delete_entries(&pruned).await {
        c.storage_error.set(Some(e));
    }
    c.now.set(Utc::now());
    c.sync.update(|s| s.running = false);
    if answered {
        // The count may have gone from training to live, or been locked.
        refresh_count(c).await;
    }
}

fn set_lang(c: Ctx, lang: Lang) {
    c.lang.set(lang);
    spawn_local(async move {
        let _ = platform::save_meta("lang", &lang).await;
    });
}

#[component]
fn TopBar() -> impl IntoView {
    let c = ctx();
    let other = move || match c.lang.get() {
        Lang::Nl => "English",
        Lang::En => "Nederlands",
    };
    view! {
        <header class="topbar">
            <span class="topbar__title">{t!(c.lang, "ETHOS-telling", "ETHOS count")}</span>
            <button
                type="button"
                id="lang-switch"
                data-testid="lang-switch"
                class="utrecht-button utrecht-button--subtle topbar__lang"
                lang=move || if c.lang.get() == Lang::Nl { "en" } else { "nl" }
                on:click=move |_| set_lang(c, if c.lang.get_untracked() == Lang::Nl { Lang::En } else { Lang::Nl })
            >
                {other}
            </button>
        </header>
    }
}

#[component]
fn UpdateBanner() -> impl IntoView {
    let c = ctx();
    view! {
        <Show when=move || c.update_ready.get()>
            <div class="utrecht-alert utrecht-alert--info banner" role="status" data-testid="update-banner">
                <p class="utrecht-paragraph">
                    {t!(c.lang, "Er is een nieuwe versie van de app. Je records blijven bewaard.", "A new version of the app is ready. Your records are kept.")}
                </p>
                <button type="button" class="utrecht-button utrecht-button--secondary-action" on:click=move |_| platform::reload_page()>
                    {t!(c.lang, "Nu herladen", "Reload now")}
                </button>
            </div>
        </Show>
    }
}

#[component]
fn ElsewhereScreen() -> impl IntoView {
    let c = ctx();
    view! {
        <section class="screen" data-testid="elsewhere">
            <h1 class="utrecht-heading-1">{t!(c.lang, "Geopend in een ander venster", "Open in another window")}</h1>
            <p class="utrecht-paragraph">
                {t!(c.lang,
                    "De app is in een ander tabblad of als geïnstalleerde app geopend. Werk daar verder, of ga hier verder: dan stopt het andere venster.",
                    "The app was opened in another tab or as the installed app. Carry on there, or continue here: the other window then stops.")}
            </p>
            <button type="button" class="utrecht-button utrecht-button--primary-action big-button" data-testid="use-here" on:click=move |_| platform::reload_page()>
                {t!(c.lang, "Hier verder werken", "Continue here")}
            </button>
        </section>
    }
}

// ---------------------------------------------------------------- enrolment

#[component]
fn EnrolScreen() -> impl IntoView {
    let c = ctx();
    let error = c.enrol_error;
    let busy = RwSignal::new(false);
    let submit = move || {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let e = enrol(c).await;
            error.set(e);
            busy.set(false);
        });
    };
    let enrolled = move || c.enrolment.with(Option::is_some);
    view! {
        <section class="screen" aria-labelledby="enrol-title">
            <h1 id="enrol-title" class="utrecht-heading-1">{t!(c.lang, "Aanmelden", "Enrol")}</h1>
            <p class="utrecht-paragraph">
                {t!(c.lang,
                    "Vul de teamcode in die je van je coördinator kreeg, of open de link of QR-code.",
                    "Type the team code your coordinator gave you, or open the link or QR code.")}
            </p>
            <Show when=enrolled>
                <p class="utrecht-paragraph utrecht-paragraph--small">
                    {t!(c.lang,
                        "Deze telefoon is al aangemeld. Records die nog niet verzonden zijn blijven bewaard.",
                        "This phone is already enrolled. Records not yet sent are kept.")}
                </p>
            </Show>
            <form
                class="stack"
                on:submit=move |ev| {
                    ev.prevent_default();
                    submit();
                }
            >
                <div class="utrecht-form-field">
                    <label class="utrecht-form-label" for="enroll-code">{t!(c.lang, "Teamcode", "Team code")}</label>
                    <input
                        id="enroll-code"
                        data-testid="enroll-code"
                        class="utrecht-textbox utrecht-textbox--html-input code-input"
                        type="text"
                        autocomplete="off"
                        autocapitalize="characters"
                        spellcheck="false"
                        placeholder="XXXX-XXXX"
                        aria-describedby="enroll-error"
                        prop:value=move || c.enrol_code.get()
                        on:input=move |ev| c.enrol_code.set(event_target_value(&ev))
                    />
                </div>
                <p id="enroll-error" class="form-error" role="alert" data-testid="enroll-error">
                    {move || error.get().map(|code| enroll_error(&code, c.lang.get()))}
                </p>
                <button
                    type="submit"
                    id="enroll-submit"
                    data-testid="enroll-submit"
                    class="utrecht-button utrecht-button--primary-action big-button"
                    aria-busy=move || busy.get().to_string()
                >
                    {move || if busy.get() { tr(c.lang.get(), "Bezig met aanmelden…", "Enrolling…") } else { tr(c.lang.get(), "Aanmelden", "Enrol") }}
                </button>
                <Show when=enrolled>
                    <button type="button" class="utrecht-button utrecht-button--subtle" on:click=move |_| c.screen.set(Screen::Home)>
                        {t!(c.lang, "Terug", "Back")}
                    </button>
                </Show>
            </form>
            <p class="utrecht-paragraph utrecht-paragraph--small footnote">
                <a href="/console" class="console-link" data-testid="console-link">{t!(c.lang, "Coördinator", "Coordinator")}</a>
            </p>
        </section>
    }
}

// ---------------------------------------------------------------- home

#[component]
fn HomeScreen() -> impl IntoView {
    let c = ctx();
    let new_record = move |_| {
        let training = c
            .enrolment
            .with_untracked(|e| e.as_ref().is_some_and(|e| e.count.status == CountStatus::Training));
        c.draft.set(Draft::new(c.last_municipality.get_untracked(), training));
        c.notice.set(None);
        c.screen.set(Screen::Record);
        platform::scroll_top();
    };
    let sync_now = move |_| spawn_local(run_sync(c, Trigger::Manual));
    let export = move |_| {
        let lang = c.lang.get_untracked();
        if c.outbox.with_untracked(Outbox::oldest_unsynced).is_none() {
            c.notice.set(Some(
                tr(
                    lang,
                    "Alles is bevestigd door de server: er is niets te exporteren.",
                    "Everything is confirmed by the server: nothing to export.",
                )
                .into(),
            ));
            return;
        }
        let Some(device_id) = c.enrolment.with_untracked(|e| e.as_ref().map(|e| e.device_id)) else {
            return;
        };
        let text = c.outbox.with_untracked(|o| o.export_unsynced(device_id));
        let stamp = Local::now().format("%Y%m%d-%H%M");
        platform::download(&format!("ethos-wachtrij-{stamp}.json"), &text);
        c.notice.set(Some(
            tr(lang, "Wachtrij geëxporteerd. Geef het bestand aan je coördinator; de records blijven ook op deze telefoon.", "Queue exported. Give the file to your coordinator; the records also stay on this phone.").into(),
        ));
    };
    let locked =
        move || c.enrolment.with(|e| e.as_ref().is_some_and(|e| e.count.status == CountStatus::Locked));
    view! {
        <section class="screen" aria-labelledby="home-title">
            <CountCard/>
            {move || c.notice.get().map(|n| view! {
                <div class="utrecht-alert utrecht-alert--ok" role="status" data-testid="notice">
                    <p class="utrecht-paragraph">{n}</p>
                </div>
            })}
            <BlockedBanner/>
            {move || c.storage_error.get().map(|e| view! {
                <div class="utrecht-alert utrecht-alert--error" role="alert">
                    <p class="utrecht-paragraph">{t!(c.lang, "Opslaan op deze telefoon lukte niet:", "Saving on this phone failed:")} " " {e}</p>
                </div>
            })}
            <button
                type="button"
                id="new-record"
                data-testid="new-record"
                class="utrecht-button utrecht-button--primary-action big-button"
                disabled=locked
                on:click=new_record
            >
                {t!(c.lang, "+ Nieuwe persoon", "+ New person")}
            </button>
            <SyncCard/>
            <div class="button-row">
                <button
                    type="button"
                    id="sync-now"
                    data-testid="sync-now"
                    class="utrecht-button utrecht-button--secondary-action"
                    aria-busy=move || c.sync.with(|s| s.running).to_string()
                    on:click=sync_now
                >
                    {move || if c.sync.with(|s| s.running) { tr(c.lang.get(), "Bezig…", "Syncing…") } else { tr(c.lang.get(), "Nu synchroniseren", "Sync now") }}
                </button>
                <button
                    type="button"
                    id="export-queue"
                    data-testid="export-queue"
                    class="utrecht-button utrecht-button--secondary-action"
                    on:click=export
                >
                    {t!(c.lang, "Exporteer wachtrij", "Export queue")}
                </button>
            </div>
            <h2 id="home-title" class="utrecht-heading-2">{t!(c.lang, "Records op deze telefoon", "Records on this phone")}</h2>
            <RecordList/>
            <p class="utrecht-paragraph utrecht-paragraph--small footnote">
                {t!(c.lang,
                    "Bevestigde records verdwijnen na 12 uur van deze telefoon. Namen en geboortedata worden nooit bewaard.",
                    "Confirmed records leave this phone after 12 hours. Names and birth dates are never stored.")}
            </p>
            <button type="button" class="utrecht-button utrecht-button--subtle" data-testid="re-enrol" on:click=move |_| c.screen.set(Screen::Enrol)>
                {t!(c.lang, "Andere teamcode gebruiken", "Use another team code")}
            </button>
        </section>
    }
}

#[component]
fn CountCard() -> impl IntoView {
    let c = ctx();
    view! {
        {move || c.enrolment.get().map(|e| {
            let lang = c.lang.get();
            let (badge, class) = match e.count.status {
                CountStatus::Training => (tr(lang, "Oefenen", "Training"), "utrecht-status-badge--warning"),
                CountStatus::Live => (tr(lang, "Live", "Live"), "utrecht-status-badge--safe"),
                CountStatus::Locked => (tr(lang, "Gesloten", "Closed"), "utrecht-status-badge--danger"),
            };
            let explain = match e.count.status {
                CountStatus::Training => tr(lang, "Oefenronde: deze records tellen niet mee.", "Practice round: these records are not counted."),
                CountStatus::Live => tr(lang, "De telling loopt: records tellen mee.", "The count is on: records count."),
                CountStatus::Locked => tr(lang, "De telling is gesloten: nieuwe records worden niet meer aangenomen.", "The count is closed: new records are no longer accepted."),
            };
            view! {
                <div class="card count-card" data-testid="count-card">
                    <div class="count-card__head">
                        <strong data-testid="count-name">{e.count.name.clone()}</strong>
                        <span class=format!("utrecht-status-badge {class}") data-testid="count-status" data-status=e.count.status.code()>{badge}</span>
                    </div>
                    <div class="muted">
                        {e.organisation.clone()} " · " {tr(lang, "peildatum", "reference date")} " " {e.count.reference_date.format("%d-%m-%Y").to_string()}
                    </div>
                    <div class="muted">{explain}</div>
                </div>
            }
        })}
    }
}

#[component]
fn BlockedBanner() -> impl IntoView {
    let c = ctx();
    view! {
        {move || c.outbox.with(|o| o.blocked.clone()).map(|code| view! {
            <div class="utrecht-alert utrecht-alert--error" role="alert" data-testid="blocked-banner">
                <p class="utrecht-paragraph">
                    {move || if code == "device_revoked" {
                        tr(c.lang.get(), "Deze telefoon is afgemeld door de coördinator. Records die nog niet bevestigd zijn staan nog hier: exporteer de wachtrij of meld opnieuw aan.",
                           "This phone was signed off by the coordinator. Records not yet confirmed are still here: export the queue or enrol again.")
                    } else {
                        tr(c.lang.get(), "De server kent deze telefoon niet (meer). Meld opnieuw aan; je records blijven bewaard.",
                           "The server does not (or no longer) know this phone. Enrol again; your records are kept.")
                    }}
                </p>
                <button type="button" class="utrecht-button utrecht-button--secondary-action" on:click=move |_| c.screen.set(Screen::Enrol)>
                    {t!(c.lang, "Opnieuw aanmelden", "Enrol again")}
                </button>
            </div>
        })}
    }
}

#[component]
fn SyncCard() -> impl IntoView {
    let c = ctx();
    let counts = move || c.outbox.with(Outbox::counts);
    let oldest = move || {
        let now = c.now.get();
        c.outbox.with(Outbox::oldest_unsynced).map(|t| (now - t).num_minutes())
    };
    let status_line = move || {
        let lang = c.lang.get();
        let s = c.sync.get();
        if s.running {
            return tr(lang, "Bezig met verzenden…", "Sending…").to_string();
        }
        match s.error {
            Some(Failure::Network) => {
                let when = s
                    .retry_at
                    .map(|t| t.with_timezone(&Local).format("%H:%M:%S").to_string())
                    .unwrap_or_default();
                format!(
                    "{} {when}",
                    tr(
                        lang,
                        "Geen verbinding met de server. Nieuwe poging om",
                        "No connection to the server. Next try at"
                    )
                )
            }
            Some(Failure::Server { status: code, .. }) => {
                let when = s
                    .retry_at
                    .map(|t| t.with_timezone(&Local).format("%H:%M:%S").to_string())
                    .unwrap_or_default();
                // 503: the server's database is busy or full (`storage_busy`, `storage_full`).
                let what = if code == 503 {
                    tr(
                        lang,
                        "De server kan nu niets opslaan (bezet of vol). Je records blijven op deze telefoon",
                        "The server cannot store anything now (busy or full). Your records stay on this phone",
                    )
                } else {
                    tr(lang, "De server gaf een fout", "The server returned an error")
                };
                format!("{what} ({code}). {} {when}", tr(lang, "Nieuwe poging om", "Next try at"))
            }
            Some(Failure::TooLarge) => tr(
                lang,
                "Te veel tegelijk; de app verstuurt nu kleinere delen.",
                "Too much at once; sending smaller parts.",
            )
            .to_string(),
            Some(Failure::Unauthorized { .. }) => {
                tr(lang, "Verzenden gestopt: meld opnieuw aan.", "Sending stopped: enrol again.").to_string()
            }
            None => match c.outbox.with(|o| o.last_success) {
                Some(t) => format!(
                    "{} {}",
                    tr(lang, "Laatste contact met de server:", "Last contact with the server:"),
                    t.with_timezone(&Local).format("%H:%M")
                ),
                None => tr(
                    lang,
                    "Nog geen contact met de server sinds de app openging.",
                    "No contact with the server since the app opened.",
                )
                .to_string(),
            },
        }
    };
    view! {
        <div class="card sync-card" data-testid="sync-card">
            <ul class="tally" aria-label=t!(c.lang, "Stand van de wachtrij", "Queue status")>
                <li data-testid="tally-queued"><span class="tally__n">{move || counts().queued}</span> {t!(c.lang, "op deze telefoon", "on this phone")}</li>
                <li data-testid="tally-sent"><span class="tally__n">{move || counts().sent}</span> {t!(c.lang, "verzonden", "sent")}</li>
                <li data-testid="tally-confirmed"><span class="tally__n">{move || counts().confirmed}</span> {t!(c.lang, "bevestigd", "confirmed")}</li>
                <li data-testid="tally-attention"><span class="tally__n">{move || counts().attention}</span> {t!(c.lang, "aandacht nodig", "need attention")}</li>
            </ul>
            {move || oldest().map(|mins| {
                let lang = c.lang.get();
                let urgent = mins >= 30;
                view! {
                    <div
                        class=if urgent { "utrecht-alert utrecht-alert--warning oldest" } else { "utrecht-alert utrecht-alert--info oldest" }
                        role="status"
                        data-testid="oldest-unsynced"
                    >
                        <p class="utrecht-paragraph">
                            <strong>{tr(lang, "Oudste niet-bevestigde record:", "Oldest unconfirmed record:")} " " {age_text(mins, lang)}</strong>
                            <br/>
                            {tr(lang,
                                "Tot de server het bevestigt staat het alleen op deze telefoon. Wis geen browsergegevens.",
                                "Until the server confirms it, it exists only on this phone. Do not clear browser data.")}
                        </p>
                    </div>
                }
            })}
            <p class="utrecht-paragraph utrecht-paragraph--small" data-testid="sync-status" aria-live="polite"
                data-retry-at=move || c.sync.get().retry_at.map(|t| t.to_rfc3339())>{status_line}</p>
            {move || (c.storage.get() == "denied").then(|| view! {
                <p class="utrecht-paragraph utrecht-paragraph--small muted" data-testid="storage-warning">
                    {t!(c.lang,
                        "Deze browser mag gegevens wissen als de opslag vol raakt: synchroniseer vaak.",
                        "This browser may clear data when storage runs low: sync often.")}
                </p>
            })}
        </div>
    }
}

fn state_view(e: &Entry, lang: Lang) -> (&'static str, String) {
    match &e.state {
        EntryState::Queued => ("queued", tr(lang, "op deze telefoon", "on this phone").to_string()),
        EntryState::Sent { .. } => ("sent", tr(lang, "verzonden", "sent").to_string()),
        EntryState::Confirmed { at, .. } => (
            "confirmed",
            format!(
                "{} {}",
                tr(lang, "bevestigd door server", "confirmed by server"),
                at.with_timezone(&Local).format("%H:%M")
            ),
        ),
        EntryState::Attention { .. } => {
            ("attention", tr(lang, "aandacht nodig", "needs attention").to_string())
        }
    }
}

#[component]
fn RecordList() -> impl IntoView {
    let c = ctx();
    let edit = move |id: Uuid| {
        if let Some(e) = c.outbox.with_untracked(|o| o.get(id).cloned()) {
            c.draft.set(Draft::from_record(&e.record));
            c.notice.set(None);
            c.screen.set(Screen::Record);
            platform::scroll_top();
        }
    };
    view! {
        {move || {
            let lang = c.lang.get();
            let items: Vec<Entry> = c.outbox.with(|o| o.entries_newest_first().cloned().collect());
            if items.is_empty() {
                return view! {
                    <p class="utrecht-paragraph muted" data-testid="empty-list">{tr(lang, "Nog geen records.", "No records yet.")}</p>
                }.into_any();
            }
            view! {
                <ul class="record-list" data-testid="record-list">
                    {items.into_iter().map(|e| {
                        let (state, label) = state_view(&e, lang);
                        let id = e.record.id;
                        let reasons = match &e.state {
                            EntryState::Attention { errors, .. } => attention_reasons(errors, lang),
                            _ => Vec::new(),
                        };
                        let place = municipality::by_code(e.record.municipality.as_str()).map(|g| g.name.clone()).unwrap_or_default();
                        let time = e.record.observed_at.with_timezone(&Local).format("%H:%M").to_string();
                        let editable = e.is_editable();
                        let badge = match state {
                            "confirmed" => "utrecht-status-badge utrecht-status-badge--safe",
                            "attention" => "utrecht-status-badge utrecht-status-badge--danger",
                            "sent" => "utrecht-status-badge utrecht-status-badge--active",
                            // Not yet on the server: the state a counter must notice most.
                            _ => "utrecht-status-badge utrecht-status-badge--warning",
                        };
                        view! {
                            <li class="record-item" data-testid="record-item" data-state=state data-id=id.to_string() data-revision=e.record.revision>
                                <div class="record-item__main">
                                    <span class="record-item__what">
                                        {e.record.living_situation.label(lang)}
                                        " " <span class="code">{e.record.living_situation.code()}</span>
                                    </span>
                                    <span class="muted">{time} " · " {place}</span>
                                </div>
                                <span class=badge data-testid="record-state">{label}</span>
                                {(!reasons.is_empty()).then(|| view! {
                                    <ul class="reasons" data-testid="record-reasons">
                                        {reasons.into_iter().map(|r| view! { <li>{r}</li> }).collect_view()}
                                    </ul>
                                })}
                                {editable.then(|| view! {
                                    <button type="button" class="utrecht-button utrecht-button--subtle record-item__edit" data-testid="record-edit" on:click=move |_| edit(id)>
                                        {if state == "attention" { tr(lang, "Corrigeer", "Correct") } else { tr(lang, "Wijzig", "Edit") }}
                                    </button>
                                })}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
    }
}

// ---------------------------------------------------------------- the record flow

/// The flow's own state. The identity fields live only here, in memory, while the screen is
/// open: they are never written anywhere.
#[derive(Clone, Copy)]
struct Flow {
    step: RwSignal<Step>,
    branch: RwSignal<Option<&'static Branch>>,
    back_to_review: RwSignal<bool>,
    first_name: RwSignal<String>,
    family_name: RwSignal<String>,
    birth_date: RwSignal<String>,
    errors: RwSignal<Vec<String>>,
}

impl Flow {
    fn go(self, step: Step) {
        self.step.set(step);
        self.branch.set(None);
        platform::scroll_top();
        platform::focus_by_id("question");
    }

    fn advance(self, c: Ctx) {
        let next = if self.back_to_review.get_untracked() {
            Step::Review
        } else {
            c.draft.with_untracked(|d| self.step.get_untracked().next(d))
        };
        self.go(next);
    }

    fn back(self, c: Ctx) {
        if self.branch.get_untracked().is_some() {
            self.branch.set(None);
            return;
        }
        match c.draft.with_untracked(|d| self.step.get_untracked().prev(d)) {
            Some(prev) => self.go(prev),
            None => c.screen.set(Screen::Home),
        }
    }
}

#[component]
fn RecordScreen() -> impl IntoView {
    let c = ctx();
    let correcting = c.draft.with_untracked(|d| d.id.is_some());
    let f = Flow {
        step: RwSignal::new(if correcting { Step::Review } else { Step::LivingSituation }),
        branch: RwSignal::new(None),
        back_to_review: RwSignal::new(correcting),
        first_name: RwSignal::new(String::new()),
        family_name: RwSignal::new(String::new()),
        birth_date: RwSignal::new(String::new()),
        errors: RwSignal::new(Vec::new()),
    };
    let total = Step::ALL.len();
    view! {
        <section class="screen flow" aria-labelledby="question">
            <div class="flow__nav">
                <button type="button" class="utrecht-button utrecht-button--subtle" data-testid="flow-back" on:click=move |_| f.back(c)>
                    {t!(c.lang, "‹ Terug", "‹ Back")}
                </button>
                <span class="muted" data-testid="flow-progress">
                    {move || format!("{} {} / {total}", tr(c.lang.get(), "Vraag", "Question"), f.step.get().number())}
                </span>
                <button type="button" class="utrecht-button utrecht-button--subtle" data-testid="flow-cancel" on:click=move |_| c.screen.set(Screen::Home)>
                    {t!(c.lang, "Stoppen", "Cancel")}
                </button>
            </div>
            <h1 id="question" class="utrecht-heading-2 question" tabindex="-1" data-testid="question" data-step=move || format!("{:?}", f.step.get())>
                {move || f.step.get().question(c.lang.get())}
            </h1>
            {move || match f.step.get() {
                Step::LivingSituation => living_step(c, f),
                Step::Municipality => municipality_step(c, f),
                Step::Origin => view! { <OriginStep f=f/> }.into_any(),
                Step::Person => view! { <PersonStep f=f/> }.into_any(),
                Step::Children => children_step(c, f),
                Step::CareNeeds => care_step(c, f),
                Step::Review => view! { <ReviewStep f=f/> }.into_any(),
                step => choice_step(c, f, step),
            }}
        </section>
    }
}

/// A big answer button; `selected` shows the current answer.
fn answer_button(
    label: String,
    small: Option<String>,
    selected: bool,
    testid: String,
    on_click: impl Fn() + 'static,
) -> AnyView {
    answer_button_dyn(label, small, selected, testid, Box::new(on_click))
}

/// Not generic, so the button's view code exists once in the binary.
fn answer_button_dyn(
    label: String,
    small: Option<String>,
    selected: bool,
    testid: String,
    on_click: Box<dyn Fn()>,
) -> AnyView {
    view! {
        <button
            type="button"
            class=if selected { "answer answer--selected" } else { "answer" }
            aria-pressed=selected.to_string()
            data-testid=testid
            on:click=move |_| on_click()
        >
            <span class="answer__label">{label}</span>
            {small.map(|s| view! { <span class="answer__code">{s}</span> })}
        </button>
    }
    .into_any()
}

fn living_step(c: Ctx, f: Flow) -> AnyView {
    view! {
        {move || {
            let lang = c.lang.get();
            let current = c.draft.with(|d| d.living_situation);
            match f.branch.get() {
                None => view! {
                    <div class="answers">
                        {SLEPT_WHERE.iter().map(|b| {
                            let selected = current.is_some_and(|s| b.situations.contains(&s));
                            let small = (b.situations.len() == 1).then(|| b.situations[0].code().to_string());
                            answer_button(b.label(lang).to_string(), small, selected, format!("branch-{}", b.id), move || {
                                if let [only] = b.situations {
                                    c.draft.update(|d| d.living_situation = Some(*only));
                                    f.advance(c);
                                } else {
                                    f.branch.set(Some(b));
                                    platform::scroll_top();
                                }
                            })
                        }).collect_view()}
                    </div>
                }.into_any(),
                Some(branch) => view! {
                    <p class="utrecht-paragraph sub-question">{branch.label(lang)}</p>
                    <div class="answers">
                        {branch.situations.iter().map(|s| {
                            let s = *s;
                            answer_button(s.label(lang).to_string(), Some(s.code().to_string()), current == Some(s), format!("situation-{}", s.code()), move || {
                                c.draft.update(|d| d.living_situation = Some(s));
                                f.advance(c);
                            })
                        }).collect_view()}
                    </div>
                }.into_any(),
            }
        }}
    }
    .into_any()
}

fn municipality_step(c: Ctx, f: Flow) -> AnyView {
    view! {
        {move || {
            let current = c.draft.with(|d| d.municipality.clone());
            view! {
                <div class="answers">
                    {municipality::region().map(|g| {
                        let code = g.code.clone();
                        let selected = current.as_ref().is_some_and(|m| m.as_str() == code);
                        answer_button(g.name.clone(), None, selected, format!("municipality-{code}"), move || {
                            if let Ok(region) = RegionCode::try_from(code.clone()) {
                                c.draft.update(|d| d.municipality = Some(region.clone()));
                                c.last_municipality.set(Some(region.clone()));
                                spawn_local(async move {
                                    let _ = platform::save_meta("municipality", &region).await;
                                });
                                f.advance(c);
                            }
                        })
                    }).collect_view()}
                </div>
            }
        }}
    }
    .into_any()
}

#[component]
fn OriginStep(f: Flow) -> impl IntoView {
    let c = ctx();
    let query = RwSignal::new(String::new());
    let choose = move |origin: Origin| {
        c.draft.update(|d| d.origin = Some(origin));
        f.advance(c);
    };
    let current = move || c.draft.with(|d| d.origin.clone());
    let same = move || {
        c.draft
            .with(|d| d.municipality.clone())
            .and_then(|m| municipality::by_code(m.as_str()).map(|g| (g.code.clone(), g.name.clone())))
    };
    view! {
        <div class="utrecht-form-field">
            <label class="utrecht-form-label" for="origin-search">{t!(c.lang, "Zoek een gemeente", "Search a municipality")}</label>
            <input
                id="origin-search"
                data-testid="origin-search"
                class="utrecht-textbox utrecht-textbox--html-input"
                type="search"
                autocomplete="off"
                prop:value=move || query.get()
                on:input=move |ev| query.set(event_target_value(&ev))
            />
        </div>
        <div class="answers" data-testid="origin-results" aria-live="polite">
            {move || {
                let q = query.get();
                let cur = current();
                municipality::search(&q, 8).into_iter().map(|g| {
                    let selected = matches!(&cur, Some(Origin::Municipality { code }) if code.as_str() == g.code);
                    let code = g.code.clone();
                    answer_button(g.name.clone(), Some(g.province.clone()), selected, format!("origin-{code}"), move || {
                        if let Ok(code) = code.clone().try_into() {
                            choose(Origin::Municipality { code });
                        }
                    })
                }).collect_view()
            }}
        </div>
        <div class="answers">
            {move || same().map(|(code, name)| {
                let selected = matches!(current(), Some(Origin::Municipality { code: ref c2 }) if c2.as_str() == code);
                let label = format!("{} ({name})", tr(c.lang.get(), "Zelfde als waar geteld", "Same as where counted"));
                answer_button(label, None, selected, "origin-same".into(), move || {
                    if let Ok(code) = code.clone().try_into() {
                        choose(Origin::Municipality { code });
                    }
                })
            })}
            {move || answer_button(tr(c.lang.get(), "Buitenland", "Abroad").into(), None, current() == Some(Origin::Abroad), "origin-abroad".into(), move || choose(Origin::Abroad))}
            {move || answer_button(tr(c.lang.get(), "Onbekend", "Unknown").into(), None, current() == Some(Origin::Unknown), "origin-unknown".into(), move || choose(Origin::Unknown))}
        </div>
    }
}

#[component]
fn PersonStep(f: Flow) -> impl IntoView {
    let c = ctx();
    let reference = move || c.enrolment.with(|e| e.as_ref().map(|e| e.count.reference_date));
    let secret = move || c.enrolment.with(|e| e.as_ref().map(|e| e.dedup_secret.clone()).unwrap_or_default());
    let gender = move || c.draft.with(|d| d.profile.gender);
    let identity = move || Identity {
        first_name: f.first_name.get(),
        family_name: f.family_name.get(),
        birth_date: flow::parse_birth_date(&f.birth_date.get(), Local::now().date_naive()),
    };
    let typed_anything = move || {
        !f.first_name.get().is_empty() || !f.family_name.get().is_empty() || !f.birth_date.get().is_empty()
    };
    let derived = move || reference().map(|r| identity().derive(gender(), r, &secret()));
    let duplicate = move || {
        let id = c.draft.with(|d| d.id);
        derived().and_then(|d| d.dedup_key).is_some_and(|k| c.outbox.with(|o| o.has_key(&k, id)))
    };
    let date_invalid = move || !f.birth_date.get().trim().is_empty() && identity().birth_date.is_none();
    let next = move || {
        if typed_anything() {
            if let Some(d) = derived() {
                c.draft.update(|draft| {
                    draft.dedup_key = d.dedup_key.clone();
                    if let Some(band) = d.age_band {
                        draft.profile.age_band = band;
                    }
                });
            }
        }
        f.advance(c);
    };
    let lang = c.lang;
    view! {
        <fieldset class="utrecht-form-fieldset">
            <legend class="utrecht-form-fieldset__legend">{t!(lang, "Geslacht", "Gender")}</legend>
            <div class="answers answers--grid">
                {move || Gender::ALL.iter().map(|g| {
                    let g = *g;
                    answer_button(g.label(lang.get()).to_string(), None, gender() == g, format!("gender-{}", g.code()), move || {
                        c.draft.update(|d| d.profile.gender = g);
                    })
                }).collect_view()}
            </div>
        </fieldset>
        <p class="utrecht-paragraph utrecht-paragraph--small muted">
            {t!(lang,
                "Alleen voor leeftijd en het herkennen van dubbeltellingen. Naam en geboortedatum worden niet bewaard en niet verzonden.",
                "Only for age and recognising duplicates. Name and birth date are neither stored nor sent.")}
        </p>
        <div class="utrecht-form-field">
            <label class="utrecht-form-label" for="first-name">{t!(lang, "Voornaam (eerste twee letters zijn genoeg)", "First name (first two letters are enough)")}</label>
            <input id="first-name" data-testid="first-name" class="utrecht-textbox utrecht-textbox--html-input" type="text"
                autocomplete="off" autocapitalize="words" spellcheck="false"
                prop:value=move || f.first_name.get() on:input=move |ev| f.first_name.set(event_target_value(&ev))/>
        </div>
        <div class="utrecht-form-field">
            <label class="utrecht-form-label" for="family-name">{t!(lang, "Achternaam (met tussenvoegsel)", "Family name (with prefixes)")}</label>
            <input id="family-name" data-testid="family-name" class="utrecht-textbox utrecht-textbox--html-input" type="text"
                autocomplete="off" autocapitalize="words" spellcheck="false"
                prop:value=move || f.family_name.get() on:input=move |ev| f.family_name.set(event_target_value(&ev))/>
        </div>
        <div class="utrecht-form-field">
            <label class="utrecht-form-label" for="birth-date">{t!(lang, "Geboortedatum", "Date of birth")}</label>
            <input id="birth-date" data-testid="birth-date" class="utrecht-textbox utrecht-textbox--html-input" type="date"
                autocomplete="off" aria-describedby="birth-date-error"
                prop:value=move || f.birth_date.get() on:input=move |ev| f.birth_date.set(event_target_value(&ev))/>
            <p id="birth-date-error" class="form-error" role="alert">
                {move || date_invalid().then(|| tr(lang.get(), "Deze datum klopt niet (toekomst of voor 1900).", "This date is not valid (future or before 1900)."))}
            </p>
        </div>
        <div class="card derived" data-testid="derived" aria-live="polite">
            {move || {
                let l = lang.get();
                let d = derived();
                let band = d.as_ref().and_then(|d| d.age_band);
                let has_key = d.as_ref().is_some_and(|d| d.dedup_key.is_some());
                let kept = !typed_anything() && c.draft.with(|d| d.dedup_key.is_some());
                view! {
                    <p class="utrecht-paragraph" data-testid="derived-age">
                        {tr(l, "Leeftijdsgroep op de peildatum:", "Age band on the reference date:")} " "
                        <strong>{band.map(|b| b.label(l)).unwrap_or_else(|| tr(l, "vul geboortedatum in of schat hieronder", "enter date of birth or estimate below"))}</strong>
                    </p>
                    <p class="utrecht-paragraph" data-testid="derived-key" data-has-key=(has_key || kept).to_string()>
                        {if has_key {
                            tr(l, "Dubbeltelsleutel: berekend ✓", "Duplicate key: computed ✓")
                        } else if kept {
                            tr(l, "Dubbeltelsleutel: blijft zoals bewaard", "Duplicate key: kept as saved")
                        } else {
                            tr(l, "Dubbeltelsleutel: geen (voornaam, achternaam, geboortedatum en geslacht nodig)", "Duplicate key: none (first name, family name, date of birth and gender needed)")
                        }}
                    </p>
                }
            }}
        </div>
        <Show when=duplicate>
            <div class="utrecht-alert utrecht-alert--warning" role="alert" data-testid="duplicate-warning">
                <p class="utrecht-paragraph">
                    {t!(lang,
                        "Let op: iemand met dezelfde gegevens staat al op deze telefoon. Tel je dezelfde persoon niet twee keer?",
                        "Note: someone with the same details is already on this phone. Are you counting the same person twice?")}
                </p>
            </div>
        </Show>
        <Show when=move || identity().birth_date.is_none()>
            <fieldset class="utrecht-form-fieldset">
                <legend class="utrecht-form-fieldset__legend">{t!(lang, "Leeftijd (schatting)", "Age (estimate)")}</legend>
                <div class="answers answers--grid">
                    {move || AgeBand::ALL.iter().map(|b| {
                        let b = *b;
                        let selected = c.draft.with(|d| d.profile.age_band == b);
                        answer_button(b.label(lang.get()).to_string(), None, selected, format!("age-{}", b.code()), move || {
                            c.draft.update(|d| d.profile.age_band = b);
                        })
                    }).collect_view()}
                </div>
            </fieldset>
        </Show>
        <button type="button" class="utrecht-button utrecht-button--primary-action big-button" data-testid="person-next" on:click=move |_| next()>
            {t!(lang, "Verder", "Next")}
        </button>
    }
}

fn choice_step(c: Ctx, f: Flow, step: Step) -> AnyView {
    view! {
        {move || {
            let lang = c.lang.get();
            let current = c.draft.with(|d| flow::current_code(d, step));
            view! {
                <div class="answers">
                    {flow::choices(step, lang).into_iter().map(|(code, label)| {
                        answer_button(label.to_string(), None, current == Some(code), format!("answer-{code}"), move || {
                            c.draft.update(|d| {
                                flow::set_answer(d, step, code);
                            });
                            f.advance(c);
                        })
                    }).collect_view()}
                </div>
            }
        }}
    }
    .into_any()
}

fn children_step(c: Ctx, f: Flow) -> AnyView {
    view! {
        {move || {
            let lang = c.lang.get();
            let current = c.draft.with(|d| d.profile.children);
            let set = move |v: Children| {
                c.draft.update(|d| d.profile.children = v);
                f.advance(c);
            };
            view! {
                <div class="answers answers--numbers">
                    {(0..=Children::MAX).map(|n| {
                        answer_button(n.to_string(), None, current == Children::Count(n), format!("children-{n}"), move || set(Children::Count(n)))
                    }).collect_view()}
                </div>
                <div class="answers">
                    {answer_button(tr(lang, "Onbekend", "Unknown").into(), None, current == Children::Unknown, "children-unknown".into(), move || set(Children::Unknown))}
                </div>
            }
        }}
    }
    .into_any()
}

fn care_step(c: Ctx, f: Flow) -> AnyView {
    view! {
        {move || {
            let lang = c.lang.get();
            let current = c.draft.with(|d| d.profile.care_needs.clone());
            let toggle = move |need: CareNeed| {
                c.draft.update(|d| {
                    let mut needs = match &d.profile.care_needs {
                        CareNeeds::Needs(n) => n.clone(),
                        _ => Vec::new(),
                    };
                    if let Some(i) = needs.iter().position(|n| *n == need) {
                        needs.remove(i);
                    } else {
                        needs.push(need);
                    }
                    needs.sort();
                    d.profile.care_needs = if needs.is_empty() { CareNeeds::Unknown } else { CareNeeds::Needs(needs) };
                });
            };
            let only = move |v: CareNeeds| {
                c.draft.update(|d| d.profile.care_needs = v);
                f.advance(c);
            };
            view! {
                <div class="answers">
                    {CareNeed::ALL.iter().map(|n| {
                        let n = *n;
                        let selected = matches!(&current, CareNeeds::Needs(v) if v.contains(&n));
                        answer_button(n.label(lang).to_string(), None, selected, format!("care-{}", n.code()), move || toggle(n))
                    }).collect_view()}
                </div>
                <div class="answers">
                    {answer_button(tr(lang, "Geen zorgbehoefte", "No care needs").into(), None, current == CareNeeds::None, "care-none".into(), move || only(CareNeeds::None))}
                    {answer_button(tr(lang, "Onbekend", "Unknown").into(), None, current == CareNeeds::Unknown, "care-unknown".into(), move || only(CareNeeds::Unknown))}
                </div>
                <button type="button" class="utrecht-button utrecht-button--primary-action big-button" data-testid="care-next" on:click=move |_| f.advance(c)>
                    {tr(lang, "Verder", "Next")}
                </button>
            }
        }}
    }
    .into_any()
}

#[component]
fn ReviewStep(f: Flow) -> impl IntoView {
    let c = ctx();
    f.back_to_review.set(true);
    let save = move || {
        let draft = c.draft.get_untracked();
        let now = Local::now().fixed_offset();
        let record = match draft.to_record(Uuid::now_v7(), now) {
            Ok(r) => r,
            Err(errors) => {
                let lang = c.lang.get_untracked();
                f.errors.set(attention_reasons(&errors, lang));
                return;
            }
        };
        let id = record.id;
        let is_new = draft.id.is_none();
        let saved = c.outbox.try_update(|o| {
            if is_new {
                o.add(record, Utc::now());
                true
            } else {
                o.correct(record).is_ok()
            }
        });
        if saved != Some(true) {
            f.errors.set(vec![tr(
                c.lang.get_untracked(),
                "Dit record is al bevestigd en kan niet meer worden gewijzigd.",
                "This record is already confirmed and can no longer be changed.",
            )
            .into()]);
            return;
        }
        spawn_local(async move {
            persist(c, &[id]).await;
            let lang = c.lang.get_untracked();
            c.notice.set(Some(if c.storage_error.get_untracked().is_none() {
                tr(lang, "Bewaard op deze telefoon.", "Saved on this phone.").to_string()
            } else {
                tr(lang, "Niet bewaard: zie de melding hieronder.", "Not saved: see the message below.")
                    .to_string()
            }));
            c.screen.set(Screen::Home);
            platform::scroll_top();
            platform::after(8_000, move || c.notice.set(None));
            run_sync(c, Trigger::Saved).await;
        });
    };
    let timing = move || {
        c.enrolment.with(|e| {
            let e = e.as_ref()?;
            let d = c.draft.get();
            let observed = d.observed_at.unwrap_or_else(|| Local::now().fixed_offset());
            timing_problem(observed, d.training, e.count.starts_at, e.count.ends_at, c.now.get())
        })
    };
    let duplicate = move || {
        c.draft
            .with(|d| d.dedup_key.clone().map(|k| (k, d.id)))
            .is_some_and(|(k, id)| c.outbox.with(|o| o.has_key(&k, id)))
    };
    let rows = move || {
        let lang = c.lang.get();
        let d = c.draft.get();
        let p = &d.profile;
        let unknown = tr(lang, "onbekend", "unknown").to_string();
        let origin = match &d.origin {
            Some(Origin::Municipality { code }) => {
                municipality::by_code(code.as_str()).map(|g| g.name.clone()).unwrap_or_default()
            }
            Some(Origin::Abroad) => tr(lang, "buitenland", "abroad").into(),
            Some(Origin::Unknown) | None => unknown.clone(),
        };
        let children = match p.children {
            Children::Count(n) => n.to_string(),
            Children::Unknown => unknown.clone(),
        };
        let care = match &p.care_needs {
            CareNeeds::None => tr(lang, "geen", "none").to_string(),
            CareNeeds::Unknown => unknown.clone(),
            CareNeeds::Needs(n) => n.iter().map(|n| n.label(lang)).collect::<Vec<_>>().join(", "),
        };
        let key = if d.dedup_key.is_some() { tr(lang, "ja", "yes") } else { tr(lang, "nee", "no") };
        vec![
            (
                Step::LivingSituation,
                tr(lang, "Woonsituatie", "Living situation"),
                d.living_situation
                    .map(|s| format!("{} ({})", s.label(lang), s.code()))
                    .unwrap_or_else(|| tr(lang, "nog niet gekozen", "not chosen yet").into()),
            ),
            (
                Step::Municipality,
                tr(lang, "Gemeente", "Municipality"),
                d.municipality
                    .as_ref()
                    .and_then(|m| municipality::by_code(m.as_str()))
                    .map(|g| g.name.clone())
                    .unwrap_or_else(|| tr(lang, "nog niet gekozen", "not chosen yet").into()),
            ),
            (Step::Origin, tr(lang, "Herkomst", "Origin"), origin),
            (Step::Person, tr(lang, "Geslacht", "Gender"), p.gender.label(lang).into()),
            (Step::Person, tr(lang, "Leeftijd", "Age"), p.age_band.label(lang).into()),
            (Step::Person, tr(lang, "Dubbeltelsleutel", "Duplicate key"), key.into()),
            (Step::Household, tr(lang, "Huishouden", "Household"), p.household.label(lang).into()),
            (Step::Children, tr(lang, "Kinderen", "Children"), children),
            (Step::Duration, tr(lang, "Duur", "Duration"), p.duration.label(lang).into()),
            (
                Step::ResidenceStatus,
                tr(lang, "Verblijfsstatus", "Residence status"),
                p.residence_status.label(lang).into(),
            ),
            (Step::Income, tr(lang, "Inkomen", "Income"), p.income.label(lang).into()),
            (Step::CareNeeds, tr(lang, "Zorgbehoefte", "Care needs"), care),
            (Step::PreviousFacility, tr(lang, "Hiervoor", "Before"), p.previous_facility.label(lang).into()),
            (Step::HousingNeed, tr(lang, "Woonbehoefte", "Housing need"), p.housing_need.label(lang).into()),
        ]
    };
    // A <dl> may hold only dt/dd groups: each row's action is a dd of its own, and its name
    // says what it changes ("Wijzig Leeftijd" to a screen reader, not ten times "Wijzig").
    view! {
        <dl class="review" data-testid="review">
            {move || rows().into_iter().map(|(step, label, value)| view! {
                <div class="review__row">
                    <dt>{label}</dt>
                    <dd>{value}</dd>
                    <dd class="review__edit">
                        <button type="button" class="utrecht-button utrecht-button--subtle"
                            data-testid=format!("review-edit-{step:?}") on:click=move |_| f.go(step)>
                            {t!(c.lang, "Wijzig", "Change")}
                            <span class="visually-hidden">" " {label}</span>
                        </button>
                    </dd>
                </div>
            }).collect_view()}
        </dl>
        <Show when=duplicate>
            <div class="utrecht-alert utrecht-alert--warning" role="alert" data-testid="duplicate-warning">
                <p class="utrecht-paragraph">
                    {t!(c.lang,
                        "Let op: iemand met dezelfde gegevens staat al op deze telefoon. Bewaar alleen als het een nieuwe ontmoeting is die je wilt vastleggen.",
                        "Note: someone with the same details is already on this phone. Save only if you mean to record this person again.")}
                </p>
            </div>
        </Show>
        {move || timing().map(|_| view! {
            <div class="utrecht-alert utrecht-alert--warning" role="alert" data-testid="timing-warning">
                <p class="utrecht-paragraph">
                    {t!(c.lang,
                        "Het tijdstip valt buiten de teltijd of ligt in de toekomst. Klopt de klok van deze telefoon? De server kan dit record weigeren.",
                        "The time lies outside the count window or in the future. Is this phone's clock right? The server may reject this record.")}
                </p>
            </div>
        })}
        <div role="alert" class="form-error" data-testid="save-errors">
            {move || f.errors.get().into_iter().map(|e| view! { <p>{e}</p> }).collect_view()}
        </div>
        <button type="button" id="save-record" data-testid="save-record" class="utrecht-button utrecht-button--primary-action big-button" on:click=move |_| save()>
            {t!(c.lang, "Bewaar", "Save")}
        </button>
    }
}
