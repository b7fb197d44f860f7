//! The console around the pages: the bar with the user, the language and logging out, and the
//! page of the current route.

use super::count::CountPage;
use super::counts::CountsPage;
use super::login::LoginPage;
use crate::console::api::*;
use crate::console::kit::*;
use crate::console::model::*;
use crate::console::state::*;
use crate::i18n::tr;
use crate::platform;
use ethos_shared::Lang;
use leptos::prelude::*;
use leptos::task::spawn_local;

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
pub(crate) fn ConsoleBar() -> impl IntoView {
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
