//! The field app's frame: the state, the timers and events that start a sync, the top bar and
//! the screen the counter is on.

use super::enrol::EnrolScreen;
use super::frame::{self, LangSwitch};
use super::home::HomeScreen;
use super::outbox::Trigger;
use super::record::RecordScreen;
use super::state::{ctx, t, Ctx, Screen};
use super::sync::{refresh_count, run_sync, start};
use crate::platform;
use chrono::Utc;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// How often the phone tries to sync while the app is open.
const SYNC_EVERY_MS: u32 = 30_000;
/// The count's status is read every this many sync ticks (5 minutes), and after each sync.
const COUNT_EVERY_TICKS: u32 = 10;

#[component]
pub fn App() -> impl IntoView {
    let c = Ctx::new();
    provide_context(c);

    frame::wire(c);
    spawn_local(start(c));
    // The browser's Back gesture goes to the previous question, not out of the app.
    platform::on_pop_state(move || {
        if c.screen.get_untracked() == Screen::Record {
            c.back.update(|n| *n = n.wrapping_add(1));
        } else {
            c.history_armed.set(false);
        }
    });
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

#[component]
fn TopBar() -> impl IntoView {
    let c = ctx();
    view! {
        <header class="topbar">
            <span class="topbar__title">{t!(c.lang, "ETHOS-telling", "ETHOS count")}</span>
            <LangSwitch/>
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
