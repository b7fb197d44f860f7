//! The building blocks of the console's pages: links, markup with one listener, loading and
//! error states, the confirmation dialog, the disclosure switch, form fields, CSV buttons.

use super::api::*;
use super::html::badge_class;
use super::model::*;
use super::state::*;
use crate::i18n::tr;
use crate::platform;
use ethos_shared::count::CountStatus;
use ethos_shared::report::Disclosure;
use ethos_shared::Lang;
use leptos::ev::{KeyboardEvent, MouseEvent};
use leptos::prelude::*;
use leptos::task::spawn_local;

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

/// A search field with a line under its label that says what to type.
pub(crate) fn hinted_field(
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

/// The mark of every page made of practice records: a count in training shows its training
/// records on the dashboard, in the duplicate review and in the report ("oefendata").
pub(crate) fn training_banner(lang: Lang) -> AnyView {
    view! {
        <div class="utrecht-alert utrecht-alert--warning oefendata" role="note" data-testid="oefendata">
            <p class="utrecht-paragraph">
                <strong>{tr(lang, "Oefendata", "Training data")}</strong>
                {tr(lang,
                    " · Deze telling staat in oefenmodus: u ziet de oefenrecords, om de dag te oefenen. Besluiten over dubbelingen vervallen en de telling begint bij nul zodra ze live gaat.",
                    " · This count is in training: you see its training records, to rehearse the day. Duplicate decisions are dropped and the count starts from zero once it goes live.")}
            </p>
        </div>
    }
    .into_any()
}
