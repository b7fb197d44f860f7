//! The coordinator console (laptop): login, counts, team codes, the live dashboard and the
//! audit log. Records and duplicates are in `console_records`, the report in
//! `console_report`. Browser access goes through `platform`; plain logic in `console_model`.

use crate::console_comparison::ComparisonPage;
use crate::console_html as html;
use crate::console_html::{audit, badge_class};
use crate::console_model::*;
use crate::console_population::PopulationPage;
use crate::console_records::{DuplicatesPage, RecordsPage};
use crate::console_report::ReportPage;
use crate::i18n::tr;
use crate::platform;
use chrono::{DateTime, Local, NaiveDate, TimeZone, Utc};
use ethos_shared::api::{
    Count, ErrorBody, Invite, Items, LoginRequest, LoginResponse, NewCount, NewInvite, StatusChange,
};
use ethos_shared::count::{CountStatus, OrganisationType};
use ethos_shared::report::Disclosure;
use ethos_shared::Lang;
use leptos::ev::{KeyboardEvent, MouseEvent, SubmitEvent};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::de::DeserializeOwned;
use serde::Serialize;
use uuid::Uuid;

const SESSION_KEY: &str = "ethos-console-session";
/// The dashboard reloads itself this often.
const REFRESH_MS: u32 = 15_000;

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
        $crate::i18n::text($lang, $nl, $en)
    };
}
pub(crate) use t;

// ---------------------------------------------------------------- API

/// Why a console request failed.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Fail {
    pub status: u16,
    pub code: String,
    pub retry_after: Option<u64>,
}

impl Fail {
    fn new(status: u16, code: &str) -> Self {
        Fail { status, code: code.into(), retry_after: None }
    }
    pub fn text(&self, lang: Lang) -> String {
        let words = error_text(&self.code, lang);
        if self.status == 0 {
            words.into()
        } else {
            format!("{words} ({})", self.status)
        }
    }
}

/// One request to the API with the session's token. A 401 ends the session.
pub(crate) async fn call(c: Con, method: &str, path: &str, body: Option<String>) -> Result<String, Fail> {
    let token = c.session.with_untracked(|s| s.as_ref().map(|s| s.token.clone()));
    let Some(answer) = platform::api(method, path, token.as_deref(), body).await else {
        return Err(Fail::new(0, "network"));
    };
    if (200..300).contains(&answer.status) {
        return Ok(answer.body);
    }
    let error = platform::error_body(&answer.body);
    let retry_after = error.as_ref().and_then(ErrorBody::retry_after_secs);
    let code = error.map(|e| e.code).unwrap_or_default();
    if answer.status == 401 && token.is_some() {
        let lang = c.lang.get_untracked();
        end_session(
            c,
            Some(tr(
                lang,
                "Uw sessie is verlopen. Log opnieuw in.",
                "Your session has expired. Log in again.",
            )),
        );
    }
    Err(Fail { status: answer.status, code, retry_after })
}

pub(crate) async fn get<T: DeserializeOwned>(c: Con, path: &str) -> Result<T, Fail> {
    fetch(c, "GET", path).await
}

/// A request without a body whose answer is JSON (GET, DELETE).
pub(crate) async fn fetch<T: DeserializeOwned>(c: Con, method: &str, path: &str) -> Result<T, Fail> {
    let body = call(c, method, path, None).await?;
    platform::from_json(&body).map_err(|_| Fail::new(200, "internal"))
}

pub(crate) async fn send<T: DeserializeOwned>(
    c: Con,
    method: &str,
    path: &str,
    body: &impl Serialize,
) -> Result<T, Fail> {
    let body = serde_json::to_string(body).map_err(|_| Fail::new(0, "internal"))?;
    let answer = call(c, method, path, Some(body)).await?;
    platform::from_json(&answer).map_err(|_| Fail::new(200, "internal"))
}

/// The CSV buttons under a report table: `csv` (comma) or `csv-excel` (`;` with BOM, for Dutch
/// Excel). `path` is the export without `sep`; the outcome is said in `message`.
pub(crate) fn table_csv_action(
    c: Con,
    message: RwSignal<Option<String>>,
    action: &str,
    path: String,
    file_stem: String,
) {
    let excel = match action {
        "csv" => false,
        "csv-excel" => true,
        _ => return,
    };
    let (sep, suffix) = if excel { ("&sep=semicolon", "-excel") } else { ("", "") };
    let path = format!("{path}{sep}");
    let file = format!("{file_stem}{suffix}.csv");
    spawn_local(async move {
        let lang = c.lang.get_untracked();
        message.set(Some(match download_csv(c, &path, &file).await {
            Ok(()) => format!("{} {file}", tr(lang, "Gedownload:", "Downloaded:")),
            Err(e) => e.text(lang),
        }));
    });
}

/// Fetches a CSV export with the token and offers it as a download.
pub(crate) async fn download_csv(c: Con, path: &str, filename: &str) -> Result<(), Fail> {
    let text = call(c, "GET", path, None).await?;
    platform::download_as(filename, &text, "text/csv;charset=utf-8");
    Ok(())
}

fn store_session(s: &Session) {
    if let Ok(text) = serde_json::to_string(s) {
        platform::session_set(SESSION_KEY, &text);
    }
}

fn stored_session() -> Option<Session> {
    let s: Session = platform::from_json(&platform::session_get(SESSION_KEY)?).ok()?;
    (s.expires_at > Utc::now()).then_some(s)
}

fn end_session(c: Con, notice: Option<&str>) {
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

/// A real link (keyboard, middle click, new tab) that changes pages without a reload.
pub(crate) fn link(
    c: Con,
    route: Route,
    label: String,
    class: &'static str,
    testid: &'static str,
) -> AnyView {
    view! {
        <a href=route.path() class=class data-testid=testid on:click=move |ev: MouseEvent| {
            if !(ev.ctrl_key() || ev.meta_key() || ev.shift_key()) {
                ev.prevent_default();
                navigate(c, route);
            }
        }>{label}</a>
    }
    .into_any()
}

pub(crate) fn status_badge(status: CountStatus, lang: Lang) -> AnyView {
    view! { <span class=badge_class(status) data-testid="count-status" data-status=status.code()>{status.label(lang)}</span> }.into_any()
}

/// Markup from `console_html` (kept up to date by `html`) with the page's one listener:
/// links navigate without a reload, other `data-action`s go to `on(action, arg)`.
/// Builds a page's markup from its signals.
pub(crate) type MarkupFn = Box<dyn Fn() -> String + Send + Sync>;
/// Handles a `data-action` of a page's markup: `(action, arg)`.
pub(crate) type ActionFn = Box<dyn Fn(&str, &str)>;

pub(crate) fn markup(c: Con, html: MarkupFn, on: ActionFn) -> AnyView {
    let click = move |ev: MouseEvent| {
        let Some((action, arg)) = platform::action_of(&ev) else { return };
        if action == "nav" {
            if !(ev.ctrl_key() || ev.meta_key() || ev.shift_key()) {
                ev.prevent_default();
                navigate(c, Route::parse(&arg));
            }
        } else {
            on(&action, &arg);
        }
    };
    view! { <div class="markup" on:click=click inner_html=html></div> }.into_any()
}

/// What a loaded value looks like while loading or after a failure; `None` once it is there.
pub(crate) fn pending<T>(state: &Option<Result<T, Fail>>, lang: Lang) -> Option<AnyView> {
    match state {
        None => Some(loading(lang)),
        Some(Err(e)) => Some(error_box(e.text(lang))),
        Some(Ok(_)) => None,
    }
}

/// The loaded value, if any.
pub(crate) fn loaded<T>(state: &Option<Result<T, Fail>>) -> Option<&T> {
    state.as_ref()?.as_ref().ok()
}

pub(crate) fn loading(lang: Lang) -> AnyView {
    view! { <p class="utrecht-paragraph muted" role="status">{tr(lang, "Laden…", "Loading…")}</p> }.into_any()
}

pub(crate) fn error_box(text: String) -> AnyView {
    view! {
        <div class="utrecht-alert utrecht-alert--error" role="alert" data-testid="console-error">
            <p class="utrecht-paragraph">{text}</p>
        </div>
    }
    .into_any()
}

/// A confirmation dialog (modal). `focus` is the id of the element that gets focus first.
#[allow(clippy::too_many_arguments)]
pub(crate) fn modal(
    c: Con,
    title: String,
    body: AnyView,
    confirm: String,
    error: RwSignal<Option<String>>,
    busy: RwSignal<bool>,
    testids: (&'static str, &'static str),
    focus: &'static str,
    on_confirm: Box<dyn Fn()>,
    on_cancel: std::rc::Rc<dyn Fn()>,
) -> AnyView {
    platform::after(30, move || platform::focus_by_id(focus));
    let cancel_key = on_cancel.clone();
    view! {
        <div class="modal-backdrop">
            <div class="modal" role="dialog" aria-modal="true" aria-labelledby="modal-title"
                on:keydown=move |ev: KeyboardEvent| if ev.key() == "Escape" { cancel_key() }>
                <h2 id="modal-title" class="utrecht-heading-2">{title}</h2>
                {body}
                <p class="form-error" role="alert" data-testid="modal-error">{move || error.get()}</p>
                <div class="modal__buttons">
                    <button type="button" id="modal-ok" class="utrecht-button utrecht-button--primary-action"
                        data-testid=testids.0 aria-busy=move || busy.get().to_string() disabled=move || busy.get()
                        on:click=move |_| on_confirm()>{confirm}</button>
                    <button type="button" class="utrecht-button utrecht-button--secondary-action" data-testid=testids.1
                        on:click=move |_| on_cancel()>{t!(c.lang, "Annuleren", "Cancel")}</button>
                </div>
            </div>
        </div>
    }
    .into_any()
}

/// The public / internal switch of the report pages; `page` prefixes the buttons' testids.
pub(crate) fn disclosure_switch(c: Con, disclosure: RwSignal<Disclosure>, page: &'static str) -> AnyView {
    let toggle = move |d: Disclosure| {
        view! {
            <button type="button" data-testid=format!("{page}-disclosure-{}", d.code())
                class=move || if disclosure.get() == d { "utrecht-button utrecht-button--primary-action" } else { "utrecht-button utrecht-button--secondary-action" }
                aria-pressed=move || (disclosure.get() == d).to_string()
                on:click=move |_| disclosure.set(d)>
                {move || match d {
                    Disclosure::Public => tr(c.l(), "Openbaar (kleine aantallen verborgen)", "Public (small numbers hidden)"),
                    Disclosure::Internal => tr(c.l(), "Intern (alle aantallen)", "Internal (all numbers)"),
                }}
            </button>
        }
    };
    view! {
        <div class="segmented" role="group" aria-label=t!(c.lang, "Versie", "Version")>
            {toggle(Disclosure::Public)}
            {toggle(Disclosure::Internal)}
        </div>
    }
    .into_any()
}

/// A labelled text field bound to a signal.
pub(crate) fn field(
    label: String,
    id: &'static str,
    kind: &'static str,
    value: RwSignal<String>,
    extra: &'static str,
) -> AnyView {
    view! {
        <div class="utrecht-form-field">
            <label class="utrecht-form-label" for=id>{label}</label>
            <input id=id data-testid=id class="utrecht-textbox utrecht-textbox--html-input" type=kind
                autocomplete=extra
                prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))/>
        </div>
    }
    .into_any()
}

// ---------------------------------------------------------------- the console

#[component]
pub fn Console() -> impl IntoView {
    let c = Con {
        lang: RwSignal::new(Lang::Nl),
        session: RwSignal::new(stored_session()),
        route: RwSignal::new(Route::parse(&platform::location_path())),
        notice: RwSignal::new(None),
        tick: RwSignal::new(0),
        count: RwSignal::new(None),
    };
    provide_context(c);
    spawn_local(async move {
        if let Some(lang) = platform::load_meta::<Lang>("lang").await {
            c.lang.set(lang);
        }
    });
    platform::on_pop_state(move || c.route.set(Route::parse(&platform::location_path())));
    platform::every(REFRESH_MS, move || c.tick.update(|t| *t = t.wrapping_add(1)));
    Effect::new(move |_| {
        let lang = c.lang.get();
        platform::set_document_lang(if lang == Lang::Nl { "nl" } else { "en" });
        let name = c.count.with(|n| n.as_ref().map(|n| format!("{} · ", n.name))).unwrap_or_default();
        platform::set_title(&format!(
            "{name}{}",
            tr(lang, "ETHOS-telling · coördinatie", "ETHOS count · console")
        ));
    });
    // A page per count, not per tab: switching tabs keeps the count's header.
    let page = Memo::new(move |_| match c.route.get() {
        Route::Counts => None,
        Route::Count(id, _) => Some(id),
    });
    view! {
        <div class="console">
            <a class="skip-link" href="#main">{t!(c.lang, "Naar de inhoud", "Skip to content")}</a>
            <ConsoleBar/>
            <main id="main" class="console-main" tabindex="-1">
                {move || match (c.session.with(Option::is_some), page.get()) {
                    (false, _) => view! { <LoginPage/> }.into_any(),
                    (true, None) => view! { <CountsPage/> }.into_any(),
                    (true, Some(id)) => view! { <CountPage id=id/> }.into_any(),
                }}
            </main>
        </div>
    }
}

#[component]
fn ConsoleBar() -> impl IntoView {
    let c = con();
    let logout = move |_| {
        spawn_local(async move {
            let _ = call(c, "POST", "/logout", None).await;
            navigate(c, Route::Counts);
            let lang = c.lang.get_untracked();
            end_session(c, Some(tr(lang, "U bent uitgelogd.", "You are logged out.")));
        });
    };
    let switch = move |_| {
        let lang = if c.lang.get_untracked() == Lang::Nl { Lang::En } else { Lang::Nl };
        c.lang.set(lang);
        spawn_local(async move {
            let _ = platform::save_meta("lang", &lang).await;
        });
    };
    view! {
        <header class="console-bar no-print">
            {move || link(c, Route::Counts, tr(c.l(), "ETHOS-telling · coördinatie", "ETHOS count · console").into(), "console-bar__title", "console-home")}
            <div class="console-bar__right">
                {move || c.session.get().map(|s| view! {
                    <span class="console-bar__user" data-testid="console-user" data-role=s.role.code()>
                        {s.username.clone()} " (" {s.role.label(c.l())} ")"
                    </span>
                })}
                <button type="button" class="utrecht-button utrecht-button--subtle console-bar__button" data-testid="lang-switch"
                    lang=move || if c.l() == Lang::Nl { "en" } else { "nl" } on:click=switch>
                    {move || if c.l() == Lang::Nl { "English" } else { "Nederlands" }}
                </button>
                <Show when=move || c.session.with(Option::is_some)>
                    <button type="button" class="utrecht-button utrecht-button--subtle console-bar__button" data-testid="console-logout" on:click=logout>
                        {t!(c.lang, "Uitloggen", "Log out")}
                    </button>
                </Show>
            </div>
        </header>
    }
}

// ---------------------------------------------------------------- login

#[component]
fn LoginPage() -> impl IntoView {
    let c = con();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    platform::set_title("ETHOS-telling · inloggen");
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let lang = c.lang.get_untracked();
        let req = LoginRequest {
            username: username.get_untracked().trim().to_string(),
            password: password.get_untracked(),
        };
        if req.username.is_empty() || req.password.is_empty() {
            error.set(Some(
                tr(lang, "Vul gebruikersnaam en wachtwoord in.", "Fill in username and password.").into(),
            ));
            return;
        }
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match send::<LoginResponse>(c, "POST", "/login", &req).await {
                Ok(r) => {
                    let s = Session {
                        token: r.token,
                        role: r.role,
                        expires_at: r.expires_at,
                        username: req.username,
                    };
                    store_session(&s);
                    c.notice.set(None);
                    c.session.set(Some(s));
                    platform::focus_by_id("main");
                }
                Err(f) => {
                    error.set(Some(login_error(f.status, f.retry_after, lang)));
                    password.set(String::new());
                    platform::focus_by_id("login-password");
                }
            }
            busy.set(false);
        });
    };
    view! {
        <section class="console-login card" aria-labelledby="login-title">
            <h1 id="login-title" class="utrecht-heading-1">{t!(c.lang, "Inloggen coördinatie", "Console login")}</h1>
            {move || c.notice.get().map(|n| view! {
                <div class="utrecht-alert utrecht-alert--info" role="status" data-testid="login-notice"><p class="utrecht-paragraph">{n}</p></div>
            })}
            <form class="stack" on:submit=submit>
                {move || field(tr(c.l(), "Gebruikersnaam", "Username").into(), "login-username", "text", username, "username")}
                {move || field(tr(c.l(), "Wachtwoord", "Password").into(), "login-password", "password", password, "current-password")}
                <p class="form-error" role="alert" data-testid="login-error">{move || error.get()}</p>
                <button type="submit" class="utrecht-button utrecht-button--primary-action" data-testid="login-submit"
                    aria-busy=move || busy.get().to_string()>
                    {move || if busy.get() { tr(c.l(), "Bezig…", "Logging in…") } else { tr(c.l(), "Inloggen", "Log in") }}
                </button>
            </form>
            <p class="utrecht-paragraph muted">
                {t!(c.lang, "Accounts maakt de beheerder aan met ", "Accounts are made by the administrator with ")}
                <code>"ethos user add"</code>"."
            </p>
        </section>
    }
}

// ---------------------------------------------------------------- counts

#[component]
fn CountsPage() -> impl IntoView {
    let c = con();
    c.count.set(None);
    let counts = RwSignal::new(None::<Result<Vec<Count>, Fail>>);
    spawn_local(async move {
        counts.set(Some(get::<Items<Count>>(c, "/counts").await.map(|i| i.items)));
    });
    let table = move || {
        let lang = c.l();
        counts.with(|l| match loaded(l) {
            Some(list) if list.is_empty() => format!(
                "<p class=\"utrecht-paragraph\" data-testid=\"counts-empty\">{}</p>",
                tr(lang, "Er is nog geen telling.", "There is no count yet.")
            ),
            Some(list) => html::counts_table(list, lang),
            None => String::new(),
        })
    };
    view! {
        <section class="stack" aria-labelledby="counts-title">
            <h1 id="counts-title" class="utrecht-heading-1">{t!(c.lang, "Tellingen", "Counts")}</h1>
            {move || counts.with(|l| pending(l, c.l()))}
            {markup(c, Box::new(table), Box::new(|_, _| ()))}
            <Show when=move || c.coordinator()>
                <NewCountForm/>
            </Show>
        </section>
    }
}

fn to_local(t: chrono::NaiveDateTime) -> Option<DateTime<chrono::FixedOffset>> {
    Local.from_local_datetime(&t).earliest().map(|t| t.fixed_offset())
}

#[component]
fn NewCountForm() -> impl IntoView {
    let c = con();
    let today = Local::now().date_naive();
    let (start, end) = default_window(today);
    let name = RwSignal::new(String::new());
    let reference = RwSignal::new(today.format("%Y-%m-%d").to_string());
    let starts = RwSignal::new(local_input(start));
    let ends = RwSignal::new(local_input(end));
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    // A new reference date moves the window along (20:00 → next day 20:00).
    Effect::new(move |_| {
        if let Ok(d) = NaiveDate::parse_from_str(&reference.get(), "%Y-%m-%d") {
            let (s, e) = default_window(d);
            starts.set(local_input(s));
            ends.set(local_input(e));
        }
    });
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let lang = c.lang.get_untracked();
        let bad = |nl, en| error.set(Some(tr(lang, nl, en).into()));
        let n = name.get_untracked().trim().to_string();
        if n.is_empty() {
            return bad("Geef de telling een naam.", "Give the count a name.");
        }
        let Ok(reference_date) = NaiveDate::parse_from_str(&reference.get_untracked(), "%Y-%m-%d") else {
            return bad("Vul een geldige peildatum in.", "Enter a valid reference date.");
        };
        let (Some(starts_at), Some(ends_at)) = (
            parse_local_input(&starts.get_untracked()).and_then(to_local),
            parse_local_input(&ends.get_untracked()).and_then(to_local),
        ) else {
            return bad(
                "Vul begin en einde van de teltijd in.",
                "Enter the start and end of the count window.",
            );
        };
        if ends_at <= starts_at {
            return bad("Het einde moet na het begin liggen.", "The end must lie after the start.");
        }
        busy.set(true);
        error.set(None);
        let body = NewCount { name: n, reference_date, starts_at, ends_at };
        spawn_local(async move {
            match send::<Count>(c, "POST", "/counts", &body).await {
                Ok(count) => navigate(c, Route::Count(count.id, Some(Tab::Codes))),
                Err(e) => error.set(Some(e.text(lang))),
            }
            busy.set(false);
        });
    };
    view! {
        <form class="card stack" on:submit=submit aria-labelledby="new-count-title" data-testid="count-create">
            <h2 id="new-count-title" class="utrecht-heading-2">{t!(c.lang, "Nieuwe telling", "New count")}</h2>
            {move || {
                let lang = c.l();
                view! {
                    {field(tr(lang, "Naam", "Name").into(), "count-create-name", "text", name, "off")}
                    <div class="form-row">
                        {field(tr(lang, "Peildatum", "Reference date").into(), "count-create-reference", "date", reference, "off")}
                        {field(tr(lang, "Begin teltijd", "Window start").into(), "count-create-start", "datetime-local", starts, "off")}
                        {field(tr(lang, "Einde teltijd", "Window end").into(), "count-create-end", "datetime-local", ends, "off")}
                    </div>
                }
            }}
            <p class="utrecht-paragraph muted">
                {t!(c.lang,
                    "Gebruikelijk: de peildatum van 20:00 tot de volgende dag 20:00 (plaatselijke tijd). Een nieuwe telling begint in de oefenstand.",
                    "Usual: the reference date from 20:00 to the next day 20:00 (local time). A new count starts in training.")}
            </p>
            <p class="form-error" role="alert" data-testid="count-create-error">{move || error.get()}</p>
            <div>
                <button type="submit" class="utrecht-button utrecht-button--primary-action" data-testid="count-create-submit"
                    disabled=move || busy.get()>{t!(c.lang, "Telling aanmaken", "Create count")}</button>
            </div>
        </form>
    }
}

// ---------------------------------------------------------------- one count

#[component]
fn CountPage(id: Uuid) -> impl IntoView {
    let c = con();
    let failed = RwSignal::new(None::<Fail>);
    if c.count.with_untracked(|n| n.as_ref().map(|n| n.id)) != Some(id) {
        c.count.set(None);
    }
    spawn_local(async move {
        match get::<Count>(c, &format!("/counts/{id}")).await {
            Ok(n) => c.count.set(Some(n)),
            Err(e) => failed.set(Some(e)),
        }
    });
    let role =
        move || c.session.with(|s| s.as_ref().map(|s| s.role)).unwrap_or(ethos_shared::api::Role::Analyst);
    let tab = Memo::new(move |_| {
        let role = role();
        match c.route.get() {
            Route::Count(_, Some(tab)) if tab.allowed(role) => tab,
            _ => Tab::default_for(role),
        }
    });
    view! {
        {move || failed.get().map(|e| error_box(e.text(c.l())))}
        <CountHead/>
        <nav class="console-tabs no-print" aria-label=t!(c.lang, "Onderdelen van de telling", "Parts of the count")>
            <ul>
                {move || {
                    let lang = c.l();
                    let role = role();
                    let current = tab.get();
                    Tab::NAV.into_iter().filter(|t| t.allowed(role)).map(|t| {
                        let active = t == current || (t == Tab::Codes && current == Tab::Sheet);
                        view! {
                            <li class=if active { "console-tabs__item console-tabs__item--active" } else { "console-tabs__item" } aria-current=active.then_some("page") data-tab=t.slug()>
                                {link(c, Route::Count(id, Some(t)), t.label(lang).into(), "console-tabs__link", "console-tab")}
                            </li>
                        }
                    }).collect_view()
                }}
            </ul>
        </nav>
        <div class="console-page">
            {move || match tab.get() {
                Tab::Dashboard => view! { <DashboardPage id=id/> }.into_any(),
                Tab::Codes => view! { <CodesPage id=id/> }.into_any(),
                Tab::Sheet => view! { <CodeSheet id=id/> }.into_any(),
                Tab::Records => view! { <RecordsPage id=id/> }.into_any(),
                Tab::Duplicates => view! { <DuplicatesPage id=id/> }.into_any(),
                Tab::Report => view! { <ReportPage id=id/> }.into_any(),
                Tab::Comparison => view! { <ComparisonPage id=id/> }.into_any(),
                Tab::Population => view! { <PopulationPage id=id/> }.into_any(),
                Tab::Audit => view! { <AuditPage id=id/> }.into_any(),
            }}
        </div>
    }
}

/// The count's name, window and status, with the lifecycle buttons.
#[component]
fn CountHead() -> impl IntoView {
    let c = con();
    let pending_status = RwSignal::new(None::<CountStatus>);
    view! {
        {move || c.count.get().map(|n| {
            let lang = c.l();
            let buttons = c.coordinator().then(|| {
                [CountStatus::Live, CountStatus::Locked].into_iter().filter(|to| n.status.can_become(*to)).map(|to| {
                    let (label, testid, class) = match to {
                        CountStatus::Live => (tr(lang, "Telling live zetten", "Make the count live"), "count-status-live", "utrecht-button utrecht-button--primary-action"),
                        _ => (tr(lang, "Telling sluiten", "Lock the count"), "count-status-locked", "utrecht-button utrecht-button--secondary-action"),
                    };
                    view! { <button type="button" class=class data-testid=testid on:click=move |_| pending_status.set(Some(to))>{label}</button> }
                }).collect_view()
            });
            view! {
                <div class="count-head" data-testid="count-head">
                    <p class="no-print">{link(c, Route::Counts, tr(lang, "‹ Alle tellingen", "‹ All counts").into(), "", "counts-back")}</p>
                    <div class="count-head__row">
                        <h1 class="utrecht-heading-1" data-testid="count-name">{n.name.clone()}</h1>
                        {status_badge(n.status, lang)}
                    </div>
                    <p class="utrecht-paragraph muted">
                        {format!("{} {} · {} {} – {}", tr(lang, "Peildatum", "Reference date"), html::day(n.reference_date),
                            tr(lang, "teltijd", "window"), html::when(n.starts_at.to_utc()), html::when(n.ends_at.to_utc()))}
                    </p>
                    <div class="button-bar no-print">{buttons}</div>
                </div>
            }
        })}
        {move || pending_status.get().map(|to| status_dialog(c, to, pending_status))}
    }
}

fn status_dialog(c: Con, to: CountStatus, open: RwSignal<Option<CountStatus>>) -> AnyView {
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let devices = RwSignal::new(None::<Result<Vec<Device>, Fail>>);
    let Some(id) = c.count.with_untracked(|n| n.as_ref().map(|n| n.id)) else { return ().into_any() };
    let lock = to == CountStatus::Locked;
    if lock {
        spawn_local(async move {
            devices.set(Some(
                get::<Items<Device>>(c, &format!("/counts/{id}/devices"))
                    .await
                    .map(|d| devices_by_contact(d.items)),
            ));
        });
    }
    let lang = c.lang.get_untracked();
    let (title, explain, yes) = if lock {
        (
            tr(lang, "Telling sluiten?", "Lock the count?"),
            tr(lang,
                "Telefoons kunnen daarna geen nieuwe records meer sturen; records die nog op een telefoon staan komen er dan niet meer bij. Beoordelen (ongeldig maken, dubbelingen) kan daarna nog wel. Sluiten kan niet ongedaan worden gemaakt.",
                "Phones can then no longer send new records; records still on a phone will not be added. Review (void, duplicates) remains possible. Locking cannot be undone."),
            tr(lang, "Ja, sluiten", "Yes, lock it"),
        )
    } else {
        (
            tr(lang, "Telling live zetten?", "Make the count live?"),
            tr(lang,
                "Vanaf nu tellen nieuwe records mee. Wat tellers tijdens het oefenen vastlegden blijft oefenrecord en telt niet mee. Terug naar oefenen kan niet.",
                "From now on new records count. What counters recorded while practising stays training and is not counted. There is no way back to training."),
            tr(lang, "Ja, live zetten", "Yes, make it live"),
        )
    };
    let body = view! {
        <p class="utrecht-paragraph">{explain}</p>
        {move || lock.then(|| devices.with(|d| pending(d, lang).unwrap_or_else(|| before_lock(d, lang))))}
    }
    .into_any();
    let confirm = Box::new(move || {
        busy.set(true);
        spawn_local(async move {
            match send::<Count>(c, "POST", &format!("/counts/{id}/status"), &StatusChange { status: to })
                .await
            {
                Ok(n) => {
                    c.count.set(Some(n));
                    open.set(None);
                }
                Err(e) => error.set(Some(e.text(lang))),
            }
            busy.set(false);
        });
    });
    modal(
        c,
        title.into(),
        body,
        yes.into(),
        error,
        busy,
        ("confirm-ok", "confirm-cancel"),
        "modal-ok",
        confirm,
        std::rc::Rc::new(move || open.set(None)),
    )
}

/// The phones of the count by last contact, with a warning for those that still hold records.
fn before_lock(devices: &Option<Result<Vec<Device>, Fail>>, lang: Lang) -> AnyView {
    let Some(list) = loaded(devices) else { return ().into_any() };
    let risky: Vec<&Device> = list.iter().filter(|d| d.holds_unsynced()).collect();
    let n: u32 = risky.iter().filter_map(|d| d.unsynced).sum();
    let warning = (!risky.is_empty()).then(|| {
        view! {
            <div class="utrecht-alert utrecht-alert--warning" role="alert" data-testid="lock-warning">
                <p class="utrecht-paragraph"><strong>
                    {match lang {
                        Lang::Nl => format!("{} telefoon(s) meldden bij hun laatste contact samen nog {n} niet-verzonden record(s).", risky.len()),
                        Lang::En => format!("{} phone(s) reported {n} unsent record(s) in total at their last contact.", risky.len()),
                    }}
                </strong></p>
                <p class="utrecht-paragraph">{tr(lang, "Vraag die tellers eerst te synchroniseren of hun wachtrij te exporteren.", "Ask those counters to sync or export their queue first.")}</p>
            </div>
        }
    });
    let table = html::devices_table(list, lang, "lock-devices", Utc::now());
    view! { {warning} <div inner_html=table></div> }.into_any()
}

// ---------------------------------------------------------------- team codes

#[component]
fn CodesPage(id: Uuid) -> impl IntoView {
    let c = con();
    let invites = RwSignal::new(None::<Result<Vec<Invite>, Fail>>);
    let shown = RwSignal::new(None::<Uuid>);
    let revoking = RwSignal::new(None::<Invite>);
    let reload = move || {
        spawn_local(async move {
            invites
                .set(Some(get::<Items<Invite>>(c, &format!("/counts/{id}/invites")).await.map(|i| i.items)));
        })
    };
    reload();
    let locked = move || c.count.with(|n| n.as_ref().is_some_and(|n| n.status == CountStatus::Locked));
    let table = move || {
        let lang = c.l();
        let selected = shown.get();
        let locked = locked();
        invites.with(|l| {
            loaded(l).map(|l| html::invites_table(l, locked, selected, Utc::now(), lang)).unwrap_or_default()
        })
    };
    let detail = move || {
        let lang = c.l();
        let chosen = shown.get();
        invites.with(|l| {
            loaded(l)
                .and_then(|l| l.iter().find(|i| Some(i.id) == chosen))
                .map(|i| html::invite_detail(i, &platform::location_origin(), lang))
                .unwrap_or_default()
        })
    };
    let on = move |action: &str, arg: &str| {
        let Ok(iid) = arg.parse::<Uuid>() else { return };
        match action {
            "qr" => shown.set(Some(iid)),
            "revoke" => revoking.set(
                invites.with_untracked(|l| loaded(l).and_then(|l| l.iter().find(|i| i.id == iid).cloned())),
            ),
            _ => {}
        }
    };
    view! {
        <div class="two-columns">
            <section class="stack" aria-labelledby="codes-title">
                <h2 id="codes-title" class="utrecht-heading-2">{t!(c.lang, "Teamcodes", "Team codes")}</h2>
                <p class="utrecht-paragraph muted">
                    {t!(c.lang,
                        "Elke organisatie krijgt een eigen code; records tellen voor de organisatie van de code waarmee de telefoon is aangemeld. Intrekken meldt ook alle telefoons met die code af.",
                        "Each organisation gets its own code; records count for the organisation of the code the phone enrolled with. Revoking also signs off every phone with that code.")}
                </p>
                {move || invites.with(|l| pending(l, c.l()))}
                {markup(c, Box::new(table), Box::new(on))}
                <p class="no-print">{move || (!locked()).then(|| link(c, Route::Count(id, Some(Tab::Sheet)), tr(c.l(), "Afdrukvel met alle actieve codes", "Printable sheet of all active codes").into(), "", "invites-print-sheet"))}</p>
                <Show when=move || !locked() fallback=move || view! {
                    <p class="utrecht-paragraph muted">{t!(c.lang, "De telling is gesloten: nieuwe codes kunnen niet meer.", "The count is locked: no new codes.")}</p>
                }>
                    <NewInviteForm id=id invites=invites shown=shown/>
                </Show>
            </section>
            <aside class="qr-panel" aria-live="polite" inner_html=detail></aside>
        </div>
        {move || revoking.get().map(|i| revoke_dialog(c, i, revoking, shown, Box::new(reload)))}
    }
}

fn revoke_dialog(
    c: Con,
    i: Invite,
    open: RwSignal<Option<Invite>>,
    shown: RwSignal<Option<Uuid>>,
    reload: Box<dyn Fn()>,
) -> AnyView {
    let lang = c.l();
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let iid = i.id;
    let reload = std::rc::Rc::new(reload);
    let body = view! {
        <p class="utrecht-paragraph">
            {format!("{} {} ({}). ", tr(lang, "Code", "Code"), i.code, i.organisation)}
            {tr(lang,
                "Telefoons die met deze code zijn aangemeld kunnen daarna niet meer synchroniseren. Records die al binnen zijn blijven.",
                "Phones enrolled with this code can then no longer sync. Records already received stay.")}
        </p>
    }
    .into_any();
    let confirm = Box::new(move || {
        busy.set(true);
        let reload = reload.clone();
        spawn_local(async move {
            match call(c, "DELETE", &format!("/invites/{iid}"), None).await {
                Ok(_) => {
                    open.set(None);
                    if shown.get_untracked() == Some(iid) {
                        shown.set(None);
                    }
                    reload();
                }
                Err(e) => error.set(Some(e.text(lang))),
            }
            busy.set(false);
        });
    });
    modal(
        c,
        tr(lang, "Teamcode intrekken?", "Revoke team code?").into(),
        body,
        tr(lang, "Ja, intrekken", "Yes, revoke").into(),
        error,
        busy,
        ("confirm-ok", "confirm-cancel"),
        "modal-ok",
        confirm,
        std::rc::Rc::new(move || open.set(None)),
    )
}

#[component]
fn NewInviteForm(
    id: Uuid,
    invites: RwSignal<Option<Result<Vec<Invite>, Fail>>>,
    shown: RwSignal<Option<Uuid>>,
) -> impl IntoView {
    let c = con();
    let organisation = RwSignal::new(String::new());
    let kind = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let lang = c.lang.get_untracked();
        let org = organisation.get_untracked().trim().to_string();
        let ty = OrganisationType::from_code(&kind.get_untracked());
        let problem = match (org.is_empty(), ty) {
            (true, _) => {
                Some(tr(lang, "Vul de naam van de organisatie in.", "Enter the organisation's name."))
            }
            (_, None) => Some(tr(lang, "Kies het soort organisatie.", "Choose the kind of organisation.")),
            _ => None,
        };
        if let Some(p) = problem {
            error.set(Some(p.into()));
            return;
        }
        let body =
            NewInvite { organisation: org, organisation_type: ty.unwrap_or_default(), expires_at: None };
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match send::<Invite>(c, "POST", &format!("/counts/{id}/invites"), &body).await {
                Ok(i) => {
                    shown.set(Some(i.id));
                    invites.update(|l| {
                        if let Some(Ok(l)) = l {
                            l.push(i);
                        }
                    });
                    organisation.set(String::new());
                    kind.set(String::new());
                }
                Err(e) => error.set(Some(e.text(lang))),
            }
            busy.set(false);
        });
    };
    view! {
        <form class="card stack" on:submit=submit aria-labelledby="new-invite-title" data-testid="invite-create">
            <h3 id="new-invite-title" class="utrecht-heading-3">{t!(c.lang, "Nieuwe teamcode", "New team code")}</h3>
            {move || {
                let lang = c.l();
                view! {
                    <div class="form-row">
                        {field(tr(lang, "Organisatie", "Organisation").into(), "invite-create-organisation", "text", organisation, "organization")}
                        <div class="utrecht-form-field">
                            <label class="utrecht-form-label" for="invite-create-type">{tr(lang, "Soort organisatie", "Kind of organisation")}</label>
                            <select id="invite-create-type" data-testid="invite-create-type" class="utrecht-select" aria-required="true" aria-describedby="invite-create-error"
                                prop:value=move || kind.get() on:change=move |ev| kind.set(event_target_value(&ev))>
                                <option value="">{tr(lang, "— kies —", "— choose —")}</option>
                                {OrganisationType::ALL.iter().map(|ty| view! { <option value=ty.code()>{ty.label(lang)}</option> }).collect_view()}
                            </select>
                        </div>
                    </div>
                }
            }}
            <p class="form-error" role="alert" data-testid="invite-create-error">{move || error.get()}</p>
            <div>
                <button type="submit" class="utrecht-button utrecht-button--primary-action" data-testid="invite-create-submit"
                    disabled=move || busy.get()>{t!(c.lang, "Code aanmaken", "Create code")}</button>
            </div>
        </form>
    }
}

/// Every active code of the count on cards to print and hand out.
#[component]
fn CodeSheet(id: Uuid) -> impl IntoView {
    let c = con();
    let invites = RwSignal::new(None::<Result<Vec<Invite>, Fail>>);
    spawn_local(async move {
        invites.set(Some(get::<Items<Invite>>(c, &format!("/counts/{id}/invites")).await.map(|i| i.items)));
    });
    let sheet = move || {
        let lang = c.l();
        let (name, locked) = c
            .count
            .with(|n| n.as_ref().map(|n| (n.name.clone(), n.status == CountStatus::Locked)))
            .unwrap_or_default();
        invites.with(|l| {
            loaded(l)
                .map(|l| html::code_sheet(l, (&name, locked), &platform::location_origin(), Utc::now(), lang))
                .unwrap_or_default()
        })
    };
    view! {
        <div class="button-bar no-print">
            {move || link(c, Route::Count(id, Some(Tab::Codes)), tr(c.l(), "‹ Terug naar teamcodes", "‹ Back to team codes").into(), "", "sheet-back")}
            <button type="button" class="utrecht-button utrecht-button--primary-action" data-testid="sheet-print"
                on:click=move |_| platform::print_page()>{t!(c.lang, "Afdrukken", "Print")}</button>
        </div>
        {move || invites.with(|l| pending(l, c.l()))}
        {markup(c, Box::new(sheet), Box::new(|_, _| ()))}
    }
}

// ---------------------------------------------------------------- dashboard

#[component]
fn DashboardPage(id: Uuid) -> impl IntoView {
    let c = con();
    let board = RwSignal::new(None::<Result<Dashboard, Fail>>);
    let devices = RwSignal::new(None::<Result<Vec<Device>, Fail>>);
    let updated = RwSignal::new(None::<DateTime<Utc>>);
    Effect::new(move |_| {
        c.tick.track();
        spawn_local(async move {
            let b = get::<Dashboard>(c, &format!("/counts/{id}/dashboard")).await;
            let d = get::<Items<Device>>(c, &format!("/counts/{id}/devices"))
                .await
                .map(|d| devices_by_contact(d.items));
            board.set(Some(b));
            devices.set(Some(d));
            updated.set(Some(Utc::now()));
        });
    });
    let figures = move || {
        let lang = c.l();
        board.with(|b| loaded(b).map(|b| html::dashboard(b, lang)).unwrap_or_default())
    };
    let phones = move || {
        let lang = c.l();
        devices.with(|d| {
            loaded(d)
                .map(|d| html::devices_table(d, lang, "dash-devices-table", Utc::now()))
                .unwrap_or_default()
        })
    };
    view! {
        <section class="stack" aria-labelledby="dash-title" data-testid="dashboard">
            <div class="count-head__row">
                <h2 id="dash-title" class="utrecht-heading-2">{t!(c.lang, "Voortgang", "Progress")}</h2>
                <span class="muted" data-testid="dashboard-updated">
                    {move || updated.get().map(|t| format!("{} {} · {}",
                        tr(c.l(), "Bijgewerkt om", "Updated at"),
                        t.with_timezone(&Local).format("%H:%M:%S"),
                        tr(c.l(), "ververst elke 15 seconden", "refreshes every 15 seconds")))}
                </span>
            </div>
            {move || board.with(|b| pending(b, c.l()))}
            {markup(c, Box::new(figures), Box::new(|_, _| ()))}
            <h2 class="utrecht-heading-2">{t!(c.lang, "Telefoons", "Phones")}</h2>
            {move || devices.with(|d| pending(d, c.l()))}
            {markup(c, Box::new(phones), Box::new(|_, _| ()))}
        </section>
    }
}

// ---------------------------------------------------------------- audit log

#[component]
fn AuditPage(id: Uuid) -> impl IntoView {
    let c = con();
    let entries = RwSignal::new(None::<Result<Vec<AuditEntry>, Fail>>);
    // The phones, for their organisations; without them a phone is named by its id only.
    let devices = RwSignal::new(Vec::<Device>::new());
    let action = RwSignal::new(String::new());
    let actor = RwSignal::new(String::new());
    spawn_local(async move {
        let log = get::<Items<AuditEntry>>(c, &format!("/counts/{id}/audit")).await.map(|i| i.items);
        if let Ok(d) = get::<Items<Device>>(c, &format!("/counts/{id}/devices")).await {
            devices.set(d.items);
        }
        entries.set(Some(log));
    });
    let table = move || {
        let lang = c.l();
        let (a, who) = (action.get(), actor.get());
        entries.with(|l| {
            let Some(list) = loaded(l) else { return String::new() };
            let known = devices.with(|d| audit::Known::new(d, list));
            let shown: Vec<(&AuditEntry, audit::Said)> = list
                .iter()
                .map(|e| (e, audit::said(e, &known, lang)))
                .filter(|(e, s)| audit::audit_matches(e, s, &a, &who))
                .collect();
            let mut out = format!(
                "<p class=\"utrecht-paragraph muted\" data-testid=\"audit-count\">{} / {} {}</p>",
                shown.len(),
                list.len(),
                tr(lang, "regels", "lines")
            );
            out.push_str(&audit::audit_table(&shown, lang));
            out
        })
    };
    view! {
        <section class="stack" aria-labelledby="audit-title">
            <h2 id="audit-title" class="utrecht-heading-2">{t!(c.lang, "Logboek", "Audit log")}</h2>
            <p class="utrecht-paragraph muted">{t!(c.lang, "Wie deed wat en wanneer (de nieuwste 1.000 regels).", "Who did what, when (the newest 1,000 lines).")}</p>
            {move || {
                let lang = c.l();
                view! {
                    <div class="form-row no-print">
                        {hinted_field(tr(lang, "Filter op actie", "Filter by action"), "audit-filter-action", action,
                            tr(lang, "Bijv. status, teamcode, ongeldig, gedownload of record.void",
                                "E.g. status, team code, voided, downloaded or record.void"))}
                        {hinted_field(tr(lang, "Filter op wie", "Filter by who"), "audit-filter-actor", actor,
                            tr(lang, "Bijv. een gebruikersnaam, telefoon of een organisatie",
                                "E.g. a user name, phone or an organisation"))}
                    </div>
                }
            }}
            {move || entries.with(|l| pending(l, c.l()))}
            {markup(c, Box::new(table), Box::new(|_, _| ()))}
        </section>
    }
}

/// A search field with a line under its label that says what to type.
fn hinted_field(
    label: &'static str,
    id: &'static str,
    value: RwSignal<String>,
    hint: &'static str,
) -> AnyView {
    let hint_id = format!("{id}-hint");
    view! {
        <div class="utrecht-form-field">
            <label class="utrecht-form-label" for=id>{label}</label>
            <div class="utrecht-form-field-description" id=hint_id.clone()>{hint}</div>
            <input id=id data-testid=id class="utrecht-textbox utrecht-textbox--html-input" type="search"
                autocomplete="off" aria-describedby=hint_id
                prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))/>
        </div>
    }
    .into_any()
}
