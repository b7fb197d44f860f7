//! The desk page: its frame (language, sync), the enrolment by team code, and the two ways of
//! entering people, each with a sentence on when it fits.

use super::boot::start;
use super::sheet::SheetPanel;
use crate::field::frame::{self, LangSwitch};
use crate::field::outbox::{DeviceKind, Trigger};
use crate::field::state::{ctx, t, Ctx, Screen};
use crate::field::sync::{enrol, run_sync};
use crate::i18n::{enroll_error, tr};
use crate::platform;
use ethos_shared::count::CountStatus;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// How often the desk tries to sync while the page is open.
const SYNC_EVERY_MS: u32 = 30_000;

/// The two ways of entering people at a desk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Way {
    Keyboard,
    Sheet,
}

#[component]
pub fn Desk() -> impl IntoView {
    // Before anything is loaded or stored: the desk's own database.
    platform::use_store(super::STORE);
    let c = Ctx::new();
    c.outbox.update_untracked(|o| o.kind = DeviceKind::Desk);
    provide_context(c);
    frame::wire(c);
    spawn_local(start(c));
    // A new build taking over needs nothing from the page: what is typed stays where it is,
    // and the next opening of the desk is the new build.
    platform::keep_desk_offline();
    platform::every(SYNC_EVERY_MS, move || {
        c.now.set(chrono::Utc::now());
        spawn_local(run_sync(c, Trigger::Timer));
    });
    view! {
        <div class="app desk">
            <header class="topbar">
                <span class="topbar__title">{t!(c.lang, "ETHOS-telling — balie", "ETHOS count — desk")}</span>
                <LangSwitch/>
            </header>
            <main id="main" class="desk-main">
                {move || match c.screen.get() {
                    Screen::Loading => view! { <p class="utrecht-paragraph">"…"</p> }.into_any(),
                    Screen::Elsewhere => view! { <Elsewhere/> }.into_any(),
                    Screen::Enrol => view! { <DeskEnrol/> }.into_any(),
                    Screen::Home | Screen::Record => view! { <DeskHome/> }.into_any(),
                }}
            </main>
        </div>
    }
}

#[component]
fn Elsewhere() -> impl IntoView {
    let c = ctx();
    view! {
        <section data-testid="elsewhere">
            <h1 class="utrecht-heading-1">{t!(c.lang, "Geopend in een ander tabblad", "Open in another tab")}</h1>
            <p class="utrecht-paragraph">
                {t!(c.lang, "De balie is in een ander tabblad geopend. Werk daar verder, of hier: dan stopt het andere.", "The desk was opened in another tab. Carry on there, or here: the other one then stops.")}
            </p>
            <button type="button" class="utrecht-button utrecht-button--primary-action" on:click=move |_| platform::reload_page()>
                {t!(c.lang, "Hier verder werken", "Continue here")}
            </button>
        </section>
    }
}

#[component]
fn DeskEnrol() -> impl IntoView {
    let c = ctx();
    let busy = RwSignal::new(false);
    let submit = move || {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        c.enrol_error.set(None);
        spawn_local(async move {
            let e = enrol(c).await;
            c.enrol_error.set(e);
            busy.set(false);
        });
    };
    view! {
        <section class="desk-enrol" aria-labelledby="enrol-title">
            <h1 id="enrol-title" class="utrecht-heading-1">{t!(c.lang, "Balie aanmelden", "Enrol this desk")}</h1>
            <p class="utrecht-paragraph">
                {t!(c.lang,
                    "Op deze computer voert je organisatie de mensen in die ze kent. Vul de teamcode in die je van de coördinator kreeg, of open de link.",
                    "On this computer your organisation enters the people it knows. Type the team code the coordinator gave you, or open the link.")}
            </p>
            <form class="stack" on:submit=move |ev| { ev.prevent_default(); submit(); }>
                <div class="utrecht-form-field">
                    <label class="utrecht-form-label" for="enroll-code">{t!(c.lang, "Teamcode", "Team code")}</label>
                    <input id="enroll-code" data-testid="enroll-code" class="utrecht-textbox utrecht-textbox--html-input code-input"
                        type="text" autocomplete="off" spellcheck="false" placeholder="XXXX-XXXX" aria-describedby="enroll-error"
                        prop:value=move || c.enrol_code.get() on:input=move |ev| c.enrol_code.set(event_target_value(&ev))/>
                </div>
                <p id="enroll-error" class="form-error" role="alert" data-testid="enroll-error">
                    {move || c.enrol_error.get().map(|code| enroll_error(&code, c.lang.get()))}
                </p>
                <button type="submit" data-testid="enroll-submit" class="utrecht-button utrecht-button--primary-action" aria-busy=move || busy.get().to_string()>
                    {move || if busy.get() { tr(c.lang.get(), "Bezig met aanmelden…", "Enrolling…") } else { tr(c.lang.get(), "Aanmelden", "Enrol") }}
                </button>
                <Show when=move || c.enrolment.with(Option::is_some)>
                    <p class="utrecht-paragraph desk-hint">
                        {t!(c.lang,
                            "Deze balie is al aangemeld; wat hier is ingevoerd blijft bewaard en wordt met zijn eigen code verzonden.",
                            "This desk is already enrolled; what was entered here is kept and sent with its own code.")}
                    </p>
                    <button type="button" class="utrecht-button utrecht-button--subtle" data-testid="enroll-back" on:click=move |_| c.screen.set(Screen::Home)>
                        {t!(c.lang, "Terug", "Back")}
                    </button>
                </Show>
            </form>
        </section>
    }
}

#[component]
fn DeskHome() -> impl IntoView {
    let c = ctx();
    let way = RwSignal::new(Way::Keyboard);
    // A record chosen in the list to correct: the quick-entry form takes it.
    let correcting = RwSignal::new(None);
    provide_context(super::keyboard::Correcting(correcting));
    Effect::new(move |_| {
        // Only a change of way: setting the same way again would make a new form, which would
        // miss the record.
        if correcting.with(Option::is_some) && way.get_untracked() != Way::Keyboard {
            way.set(Way::Keyboard);
        }
    });
    let heading = move || {
        let lang = c.lang.get();
        c.enrolment
            .with(|e| {
                e.as_ref().map(|e| {
                    format!("{} · {} ({})", e.organisation, e.count.name, e.count.status.label(lang))
                })
            })
            .unwrap_or_default()
    };
    let locked = move || c.count_status() == Some(CountStatus::Locked);
    view! {
        <section aria-labelledby="desk-title">
            <h1 id="desk-title" class="utrecht-heading-1">{t!(c.lang, "Personen invoeren", "Enter people")}</h1>
            <p class="utrecht-paragraph desk-who" data-testid="desk-who">
                {heading} " "
                <button type="button" class="utrecht-button utrecht-button--subtle" data-testid="desk-enrol-again"
                    on:click=move |_| c.screen.set(Screen::Enrol)>
                    {t!(c.lang, "Andere teamcode", "Another team code")}
                </button>
            </p>
            <Show when=locked>
                <p class="utrecht-alert utrecht-alert--warning" role="status" data-testid="desk-locked">
                    {t!(c.lang,
                        "De telling is gesloten: er kan niets meer bij. Wat hier nog wacht, kan niet meer worden opgeslagen.",
                        "The count is locked: nothing more can be added. What still waits here can no longer be stored.")}
                </p>
            </Show>
            <SyncLine/>
            <div class="desk-ways" role="group" aria-label=move || tr(c.lang.get(), "Manier van invoeren", "Way of entering")>
                {way_button(c, way, Way::Keyboard, "way-keyboard",
                    ("Snel invoeren", "Quick entry"),
                    ("Voor een paar personen, één voor één: alle vragen op één pagina, met het toetsenbord.",
                     "For a few people, one by one: every question on one page, by keyboard."))}
                {way_button(c, way, Way::Sheet, "way-sheet",
                    ("Spreadsheet", "Spreadsheet"),
                    ("Voor veel personen tegelijk, bijvoorbeeld een cliëntenlijst: vul een sjabloon in en laad het hier.",
                     "For many people at once, for example a client list: fill in a template and load it here."))}
            </div>
            {move || match way.get() {
                Way::Keyboard => view! { <super::keyboard::KeyboardPanel/> }.into_any(),
                Way::Sheet => view! { <SheetPanel/> }.into_any(),
            }}
            <super::entries::EntryList/>
        </section>
    }
}

fn way_button(
    c: Ctx,
    way: RwSignal<Way>,
    this: Way,
    id: &'static str,
    title: (&'static str, &'static str),
    sentence: (&'static str, &'static str),
) -> impl IntoView {
    view! {
        <button type="button" class="desk-way" id=id data-testid=id
            aria-pressed=move || (way.get() == this).to_string()
            on:click=move |_| way.set(this)>
            <strong class="desk-way__title">{t!(c.lang, title.0, title.1)}</strong>
            <span class="desk-way__text">{t!(c.lang, sentence.0, sentence.1)}</span>
        </button>
    }
}

/// The queue in one line: waiting, confirmed, needing attention, and "Nu synchroniseren".
#[component]
fn SyncLine() -> impl IntoView {
    let c = ctx();
    let line = move || {
        let lang = c.lang.get();
        let n = c.outbox.with(|o| o.counts());
        let waiting = n.queued + n.sent;
        let mut text = format!(
            "{} {waiting} · {} {} · {} {}",
            tr(lang, "Nog te verzenden:", "Waiting to be sent:"),
            tr(lang, "bevestigd door de server:", "confirmed by the server:"),
            n.confirmed,
            tr(lang, "aandacht nodig:", "need attention:"),
            n.attention
        );
        if c.sync.with(|s| s.running) {
            text.push_str(tr(lang, " · bezig met verzenden…", " · sending…"));
        } else if c.sync.with(|s| s.error.is_some()) {
            text.push_str(tr(
                lang,
                " · geen verbinding, nieuwe poging volgt",
                " · no connection, will try again",
            ));
        }
        text
    };
    view! {
        <div class="desk-sync" role="status" data-testid="desk-sync">
            <span>{line}</span>
            <button type="button" class="utrecht-button utrecht-button--subtle" data-testid="sync-now"
                on:click=move |_| spawn_local(run_sync(c, Trigger::Manual))>
                {t!(c.lang, "Nu synchroniseren", "Sync now")}
            </button>
            {move || c.storage_error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
        </div>
    }
}
