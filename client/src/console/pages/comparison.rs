//! The comparison page: this count against an earlier count of the region (domain.md §6.6),
//! public or internal, printable, and the whole report with this comparison as Word and Excel.
//! The markup is `console_html::comparison`.

use crate::console::api::*;
use crate::console::html;
use crate::console::kit::*;
use crate::console::state::*;
use crate::i18n::tr;
use crate::platform;
use ethos_shared::api::{Count, Items};
use ethos_shared::comparison::{is_earlier, Comparison};
use ethos_shared::report::Disclosure;
use ethos_shared::Lang;
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

#[component]
pub fn ComparisonPage(id: Uuid) -> impl IntoView {
    let c = con();
    let disclosure = RwSignal::new(Disclosure::Public);
    let earlier = RwSignal::new(None::<Result<Vec<Count>, Fail>>);
    let chosen = RwSignal::new(None::<Uuid>);
    let comparison = RwSignal::new(None::<Result<Comparison, Fail>>);
    earlier_counts(c, earlier, chosen);
    Effect::new(move |_| {
        let (Some(with), d) = (chosen.get(), disclosure.get()) else { return };
        comparison.set(None);
        spawn_local(async move {
            let path = format!("/counts/{id}/comparison?with={with}&disclosure={}", d.code());
            comparison.set(Some(get::<Comparison>(c, &path).await));
        });
    });
    let body = move || {
        let lang = c.l();
        comparison.with(|x| loaded(x).map(|x| html::comparison::comparison(x, lang)).unwrap_or_default())
    };
    let message = RwSignal::new(None::<String>);
    // The CSV buttons under each table: `csv` or `csv-excel` with the table id.
    let on = move |action: &str, table: &str| {
        let Some(with) = chosen.get_untracked() else { return };
        let d = disclosure.get_untracked().code();
        let path = format!("/counts/{id}/comparison.csv?with={with}&table={table}&disclosure={d}");
        table_csv_action(c, message, action, path, format!("vergelijking-{table}-{d}"));
    };
    let picker = move || {
        let lang = c.l();
        earlier.with(|l| {
            if loaded(l).is_some_and(Vec::is_empty) {
                return view! {
                    <p class="utrecht-paragraph" data-testid="comparison-none">
                        {tr(lang,
                            "Er is geen eerdere telling (live of gesloten, met een vroegere peildatum) om mee te vergelijken.",
                            "There is no earlier count (live or locked, with an earlier reference date) to compare with.")}
                    </p>
                }
                .into_any();
            }
            earlier_picker(l, chosen, false, "comparison-with", lang)
        })
    };
    view! {
        <div class="toolbar no-print">
            {picker}
            {disclosure_switch(c, disclosure, "comparison")}
            <button type="button" class="utrecht-button utrecht-button--secondary-action" data-testid="comparison-print"
                on:click=move |_| platform::print_page()>{t!(c.lang, "Afdrukken of opslaan als pdf", "Print or save as PDF")}</button>
            {move || chosen.get().map(|with| {
                let download = move |extension: &'static str| {
                    let d = disclosure.get_untracked();
                    super::report::download_report(c, message, id, d, Some(with), extension, "nulmeting-vergelijking");
                };
                view! {
                    <button type="button" class="utrecht-button utrecht-button--secondary-action" data-testid="comparison-docx"
                        on:click=move |_| download("docx")>{t!(c.lang, "Rapport met vergelijking (.docx)", "Report with comparison (.docx)")}</button>
                    <button type="button" class="utrecht-button utrecht-button--secondary-action" data-testid="comparison-xlsx"
                        on:click=move |_| download("xlsx")>{t!(c.lang, "Rapport met vergelijking (.xlsx)", "Report with comparison (.xlsx)")}</button>
                }
            })}
        </div>
        {move || chosen.get().and_then(|_| comparison.with(|x| pending(x, c.l())))}
        <p class="utrecht-paragraph no-print" role="status" data-testid="comparison-message">{move || message.get()}</p>
        {markup(c, Box::new(body), Box::new(on))}
    }
}

/// Loads the counts with an earlier reference date into `earlier`, the latest first, and
/// chooses the latest.
pub(super) fn earlier_counts(
    c: Con,
    earlier: RwSignal<Option<Result<Vec<Count>, Fail>>>,
    chosen: RwSignal<Option<Uuid>>,
) {
    Effect::new(move |_| {
        let Some(this) = c.count.get() else { return };
        spawn_local(async move {
            let list = get::<Items<Count>>(c, "/counts").await.map(|l| {
                let mut before: Vec<Count> = l.items.into_iter().filter(|n| is_earlier(&this, n)).collect();
                before.sort_by_key(|n| std::cmp::Reverse(n.reference_date));
                before
            });
            if let Ok(first) = &list {
                chosen.set(first.first().map(|n| n.id));
            }
            earlier.set(Some(list));
        });
    });
}

/// The choice of the earlier count (`id` is the select's id and test id); with `none`, also
/// "no comparison". Nothing while there is no earlier count.
pub(super) fn earlier_picker(
    earlier: &Option<Result<Vec<Count>, Fail>>,
    chosen: RwSignal<Option<Uuid>>,
    none: bool,
    id: &'static str,
    lang: Lang,
) -> AnyView {
    if let Some(waiting) = pending(earlier, lang) {
        return waiting;
    }
    let list = loaded(earlier).cloned().unwrap_or_default();
    if list.is_empty() {
        return ().into_any();
    }
    let nothing = none.then(|| {
        view! { <option value="" selected=chosen.get_untracked().is_none()>{tr(lang, "Geen vergelijking", "No comparison")}</option> }
    });
    view! {
        <div class="utrecht-form-field">
            <label class="utrecht-form-label" for=id>{tr(lang, "Vergelijk met", "Compare with")}</label>
            <select id=id data-testid=id class="utrecht-select"
                on:change=move |ev| chosen.set(event_target_value(&ev).parse().ok())>
                {nothing}
                {list.into_iter().map(|n| {
                    let selected = chosen.get_untracked() == Some(n.id);
                    view! { <option value=n.id.to_string() selected=selected>{format!("{} ({})", n.name, html::day(n.reference_date))}</option> }
                }).collect_view()}
            </select>
        </div>
    }
    .into_any()
}
