//! The controls of the quick-entry form: a labelled select, a labelled text field, the origin
//! type-ahead and the care needs. Not generic (boxed closures), so each control's view code
//! exists once in the bundle. Every control hands its keys to [`Nav::key`].

use super::form::origin_options;
use super::keyboard::Nav;
use crate::field::state::ctx;
use crate::i18n::tr;
use ethos_shared::profile::{CareNeed, CareNeeds};
use ethos_shared::Lang;
use leptos::ev::KeyboardEvent;
use leptos::prelude::*;

pub type Label = (&'static str, &'static str);

/// A labelled `<select>`: `options(lang)` gives (value, text) pairs, `current` the value
/// chosen. A select finds an option by the first characters typed, so "3.1" or "2" picks.
pub struct Select {
    pub id: &'static str,
    pub label: Label,
    pub hint: Option<Label>,
    pub options: Box<dyn Fn(Lang) -> Vec<(String, String)> + Send + Sync>,
    pub current: Box<dyn Fn() -> String + Send + Sync>,
    pub set: Box<dyn Fn(String) + Send + Sync>,
    pub disabled: Box<dyn Fn() -> bool + Send + Sync>,
}

pub fn select_field(nav: Nav, s: Select) -> AnyView {
    let c = ctx();
    let Select { id, label, hint, options, current, set, disabled } = s;
    let current = std::sync::Arc::new(current);
    let now = current.clone();
    view! {
        <div class="utrecht-form-field desk-field">
            <label class="utrecht-form-label" for=id>{move || tr(c.lang.get(), label.0, label.1)}</label>
            <select id=id data-testid=id class="utrecht-select desk-select"
                prop:value=move || current()
                disabled=disabled
                on:change=move |ev| set(event_target_value(&ev))
                on:focus=move |_| nav.focused(id)
                on:keydown=move |ev: KeyboardEvent| nav.key(&ev, id)>
                // The options follow the language only: re-made while typing, they would
                // disturb the select's own search; `prop:value` follows the answer.
                {move || {
                    let chosen = untrack(now.as_ref());
                    options(c.lang.get()).into_iter().map(|(v, text)| {
                        let selected = v == chosen;
                        view! { <option value=v selected=selected>{text}</option> }
                    }).collect_view()
                }}
            </select>
            {hint.map(|h| view! { <span class="desk-hint">{move || tr(c.lang.get(), h.0, h.1)}</span> })}
        </div>
    }
    .into_any()
}

/// A labelled text field whose value lives only in this page (names, the birth date).
pub fn text_field(
    nav: Nav,
    id: &'static str,
    label: Label,
    placeholder: &'static str,
    value: RwSignal<String>,
    error: Box<dyn Fn() -> Option<&'static str> + Send + Sync>,
) -> AnyView {
    let c = ctx();
    let error_id = format!("{id}-error");
    view! {
        <div class="utrecht-form-field desk-field">
            <label class="utrecht-form-label" for=id>{move || tr(c.lang.get(), label.0, label.1)}</label>
            <input id=id data-testid=id class="utrecht-textbox utrecht-textbox--html-input" type="text"
                autocomplete="off" spellcheck="false" placeholder=placeholder aria-describedby=error_id.clone()
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
                on:focus=move |_| nav.focused(id)
                on:keydown=move |ev: KeyboardEvent| nav.key(&ev, id)/>
            <p id=error_id class="form-error" role="alert">{error}</p>
        </div>
    }
    .into_any()
}

/// The origin: type a municipality, village or district (typos forgiven), "buitenland" or
/// "onbekend"; ↓/↑ move through the answers, Enter or Tab takes the one marked.
pub fn origin_field(nav: Nav) -> AnyView {
    let c = ctx();
    let f = nav.form;
    let options = move || origin_options(&f.origin_query.get(), c.lang.get(), 6);
    let arrows = move |ev: &KeyboardEvent| {
        let n = options().len();
        match ev.key().as_str() {
            "ArrowDown" if n > 0 => {
                ev.prevent_default();
                f.origin_pick.update(|i| *i = (*i + 1).min(n - 1));
            }
            "ArrowUp" => {
                ev.prevent_default();
                f.origin_pick.update(|i| *i = i.saturating_sub(1));
            }
            "Enter" | "Tab" => nav.take_origin(),
            _ => {}
        }
    };
    view! {
        <div class="utrecht-form-field desk-field desk-origin">
            <label class="utrecht-form-label" for="desk-origin">{move || tr(c.lang.get(), "Herkomstgemeente (gemeente, dorp of wijk; of buitenland)", "Municipality of origin (municipality, village or district; or abroad)")}</label>
            <input id="desk-origin" data-testid="desk-origin" class="utrecht-textbox utrecht-textbox--html-input" type="text"
                role="combobox" aria-autocomplete="list" aria-controls="desk-origin-list"
                aria-expanded=move || (!options().is_empty() && f.origin_chosen.with(Option::is_none)).to_string()
                autocomplete="off" spellcheck="false"
                prop:value=move || f.origin_query.get()
                on:input=move |ev| {
                    f.origin_query.set(event_target_value(&ev));
                    f.origin_pick.set(0);
                    f.origin_chosen.set(None);
                }
                on:focus=move |_| nav.focused("desk-origin")
                on:keydown=move |ev: KeyboardEvent| {
                    arrows(&ev);
                    nav.key(&ev, "desk-origin");
                }/>
            <p class="desk-hint" data-testid="desk-origin-chosen" aria-live="polite">
                {move || match f.origin_chosen.get() {
                    Some(o) => format!("{} {}", tr(c.lang.get(), "Gekozen:", "Chosen:"), o.label),
                    None if f.origin_query.with(|q| q.trim().is_empty()) => tr(c.lang.get(), "Leeg: onbekend", "Empty: unknown").to_string(),
                    None => String::new(),
                }}
            </p>
            <Show when=move || f.origin_chosen.with(Option::is_none)>
                <ul id="desk-origin-list" class="desk-origin__list" role="listbox" data-testid="desk-origin-list">
                    {move || options().into_iter().enumerate().map(|(i, o)| {
                        let marked = f.origin_pick.get() == i;
                        let label = o.label.clone();
                        view! {
                            <li role="option" aria-selected=marked.to_string()
                                class=if marked { "desk-origin__item desk-origin__item--marked" } else { "desk-origin__item" }
                                on:mousedown=move |ev| {
                                    ev.prevent_default();
                                    f.origin_pick.set(i);
                                    nav.take_origin();
                                }>{label}</li>
                        }
                    }).collect_view()}
                </ul>
            </Show>
        </div>
    }
    .into_any()
}

/// The care needs: one box per need and "geen"; no box ticked is "onbekend". Space ticks,
/// Tab goes to the next box, Enter to the next question.
pub fn care_field(nav: Nav) -> AnyView {
    let c = ctx();
    let f = nav.form;
    let needs = move || f.answers.with(|a| a.profile.care_needs.clone());
    let toggle = move |need: Option<CareNeed>, on: bool| {
        f.answers.update(|a| {
            let now = a.profile.care_needs.clone();
            a.profile.care_needs = match (need, on, now) {
                (None, true, _) => CareNeeds::None,
                (None, false, _) => CareNeeds::Unknown,
                (Some(n), true, CareNeeds::Needs(mut list)) => {
                    list.push(n);
                    list.sort();
                    list.dedup();
                    CareNeeds::Needs(list)
                }
                (Some(n), true, _) => CareNeeds::Needs(vec![n]),
                (Some(n), false, CareNeeds::Needs(list)) => {
                    let rest: Vec<CareNeed> = list.into_iter().filter(|x| *x != n).collect();
                    if rest.is_empty() {
                        CareNeeds::Unknown
                    } else {
                        CareNeeds::Needs(rest)
                    }
                }
                (Some(_), false, other) => other,
            };
        });
    };
    let boxes: Vec<(Option<CareNeed>, &'static str)> =
        CareNeed::ALL.iter().map(|n| (Some(*n), n.code())).chain(std::iter::once((None, "none"))).collect();
    view! {
        <fieldset class="utrecht-form-fieldset desk-field desk-care">
            <legend class="utrecht-form-label">{move || tr(c.lang.get(), "Zorgbehoefte (niets aangevinkt: onbekend)", "Care needs (none ticked: unknown)")}</legend>
            {boxes.into_iter().map(|(need, code)| {
                let id: &'static str = match code {
                    "psychiatric" => "desk-care-psychiatric",
                    "addiction" => "desk-care-addiction",
                    "intellectual_disability" => "desk-care-intellectual_disability",
                    "physical" => "desk-care-physical",
                    _ => "desk-care-none",
                };
                let checked = move || match (need, needs()) {
                    (None, CareNeeds::None) => true,
                    (Some(n), CareNeeds::Needs(list)) => list.contains(&n),
                    _ => false,
                };
                view! {
                    <label class="desk-check">
                        <input type="checkbox" id=id data-testid=id
                            prop:checked=checked
                            on:change=move |ev| toggle(need, event_target_checked(&ev))
                            on:focus=move |_| nav.focused("desk-care")
                            on:keydown=move |ev: KeyboardEvent| nav.key(&ev, "desk-care")/>
                        {move || match need {
                            Some(n) => n.label(c.lang.get()),
                            None => tr(c.lang.get(), "geen", "none"),
                        }}
                    </label>
                }
            }).collect_view()}
        </fieldset>
    }
    .into_any()
}
