//! The list of counts and a new count.

use crate::console::api::*;
use crate::console::html;
use crate::console::kit::*;
use crate::console::model::*;
use crate::console::state::*;
use crate::i18n::tr;
use chrono::{DateTime, Local, NaiveDate, TimeZone};
use ethos_shared::api::{Count, Items, NewCount};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

// ---------------------------------------------------------------- counts

#[component]
pub(crate) fn CountsPage() -> impl IntoView {
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
pub(crate) fn NewCountForm() -> impl IntoView {
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
