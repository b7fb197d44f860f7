//! The person question: gender, and optionally name and birth date, from which only the age
//! band and the duplicate check are derived on the phone.

use super::flow::{self, Identity};
use super::state::{ctx, t};
use super::steps::{answer_button, Flow};
use crate::i18n::tr;
use chrono::Local;
use ethos_shared::profile::{AgeBand, Gender};
use leptos::prelude::*;

#[component]
pub fn PersonStep(f: Flow) -> impl IntoView {
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
                            tr(l, "Dubbeltelling herkennen: kan ✓ (als iemand anders deze persoon ook telt, telt hij één keer mee)", "Recognising double counting: possible ✓ (if someone else counts this person too, they count once)")
                        } else if kept {
                            tr(l, "Dubbeltelling herkennen: kan, zoals eerder bewaard", "Recognising double counting: possible, as saved before")
                        } else {
                            tr(l, "Dubbeltelling herkennen: nog niet (voornaam, achternaam, geboortedatum en geslacht nodig)", "Recognising double counting: not yet (first name, family name, date of birth and gender needed)")
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
