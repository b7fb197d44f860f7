//! Inhabitants per municipality of the region, entered by the coordinator, so that the report
//! can give persons per 1,000 inhabitants (domain.md §6.4).

use crate::console::api::*;
use crate::console::model::parse_whole_number;
use crate::console::state::*;
use crate::i18n::tr;
use ethos_shared::api::{Items, Population};
use ethos_shared::municipality;
use ethos_shared::Lang;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

/// The region's municipalities with an input each (CBS code, name, typed text).
fn region_inputs() -> Vec<(&'static str, &'static str, RwSignal<String>)> {
    municipality::region().map(|g| (g.code.as_str(), g.name.as_str(), RwSignal::new(String::new()))).collect()
}

/// The typed figures as the API takes them; an empty field is left out. `Err` names the
/// municipality whose figure is not a whole number above 0.
fn figures(inputs: &[(&str, &str, RwSignal<String>)], lang: Lang) -> Result<Vec<Population>, String> {
    let mut items = Vec::new();
    for (code, name, text) in inputs {
        let typed = text.get_untracked();
        if typed.trim().is_empty() {
            continue;
        }
        match parse_whole_number(&typed, lang) {
            Some(n) if n > 0 => items.push(Population { municipality: code.to_string(), population: n }),
            _ => {
                return Err(format!(
                    "{name}: {}",
                    tr(lang, "vul een heel getal groter dan 0 in.", "enter a whole number above 0.")
                ))
            }
        }
    }
    Ok(items)
}

#[component]
pub fn PopulationPage(id: Uuid) -> impl IntoView {
    let c = con();
    let inputs = StoredValue::new(region_inputs());
    let message = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    // The fields open once the stored figures are in, so loading cannot overwrite typing.
    let loaded = RwSignal::new(false);
    let show = move |stored: Vec<Population>| {
        inputs.with_value(|inputs| {
            for (code, _, text) in inputs {
                let figure = stored.iter().find(|p| p.municipality == *code);
                // Plain digits: read back the same whichever language the console is in.
                text.set(figure.map(|p| p.population.to_string()).unwrap_or_default());
            }
        })
    };
    spawn_local(async move {
        match get::<Items<Population>>(c, &format!("/counts/{id}/population")).await {
            Ok(stored) => {
                show(stored.items);
                loaded.set(true);
            }
            Err(e) => error.set(Some(e.text(c.lang.get_untracked()))),
        }
    });
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let lang = c.lang.get_untracked();
        message.set(None);
        let items = match inputs.with_value(|inputs| figures(inputs, lang)) {
            Ok(items) => items,
            Err(problem) => return error.set(Some(problem)),
        };
        error.set(None);
        busy.set(true);
        spawn_local(async move {
            let saved: Result<Items<Population>, Fail> =
                send(c, "PUT", &format!("/counts/{id}/population"), &Items { items }).await;
            match saved {
                Ok(stored) => {
                    show(stored.items);
                    message.set(Some(
                        tr(
                            lang,
                            "Opgeslagen. Het rapport rekent er nu mee.",
                            "Saved. The report now uses them.",
                        )
                        .into(),
                    ));
                }
                Err(e) => error.set(Some(e.text(lang))),
            }
            busy.set(false);
        });
    };
    view! {
        <form class="card stack population" on:submit=submit aria-labelledby="population-title" data-testid="population-form">
            <h2 id="population-title" class="utrecht-heading-2">{t!(c.lang, "Inwoners per gemeente", "Inhabitants per municipality")}</h2>
            <p class="utrecht-paragraph muted">
                {t!(c.lang,
                    "Vul het aantal inwoners in (CBS, bevolking op 1 januari van het jaar van de telling). Het rapport geeft dan per gemeente het aantal geregistreerde personen per 1.000 inwoners. Een leeg veld laat de gemeente weg.",
                    "Enter the number of inhabitants (CBS, population on 1 January of the year of the count). The report then gives the recorded persons per 1,000 inhabitants per municipality. An empty field leaves the municipality out.")}
            </p>
            <div class="population__grid">
                {inputs.with_value(|inputs| inputs.iter().map(|(code, name, text)| {
                    let (code, name, text) = (*code, *name, *text);
                    let input_id = format!("population-{code}");
                    view! {
                        <div class="utrecht-form-field">
                            <label class="utrecht-form-label" for=input_id.clone()>{name}</label>
                            <input id=input_id data-testid="population-input" data-municipality=code inputmode="numeric"
                                class="utrecht-textbox utrecht-textbox--html-input" autocomplete="off" disabled=move || !loaded.get()
                                prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))/>
                        </div>
                    }
                }).collect_view())}
            </div>
            <p class="form-error" role="alert" data-testid="population-error">{move || error.get()}</p>
            <p class="utrecht-paragraph" role="status" data-testid="population-message">{move || message.get()}</p>
            <div>
                <button type="submit" class="utrecht-button utrecht-button--primary-action" data-testid="population-save"
                    disabled=move || busy.get() || !loaded.get()>{t!(c.lang, "Opslaan", "Save")}</button>
            </div>
        </form>
    }
}
