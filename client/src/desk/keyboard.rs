//! Quick entry: every question on one page, by keyboard. Enter goes to the next question (on
//! the last one it saves), Tab to the next control, Ctrl+Enter saves from anywhere, Alt+O
//! answers the questions after the current one "onbekend". Names and the birth date live only
//! in this page's signals: they become the age band and the duplicate key, and are cleared at
//! every save.

use super::fields::{care_field, origin_field, select_field, text_field, Label, Select};
use super::form::{
    origin_options, parse_typed_date, profile_options, profile_order, Answers, OriginOption, ProfileQuestion,
};
use super::queue::queue_records;
use crate::field::flow::{children_implied, Identity};
use crate::field::state::{ctx, t, Ctx};
use crate::i18n::{field_label, tr};
use crate::platform;
use chrono::Local;
use ethos_shared::ethos::{ConceptualCategory, LivingSituation};
use ethos_shared::municipality;
use ethos_shared::record::questions::question;
use ethos_shared::record::{FieldError, FieldErrorCode, Origin, Record};
use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::sync::OnceLock;
use uuid::Uuid;

/// The controls of where, how and who, by id, in page order; the profile's follow.
const FIRST: [&str; 6] = [
    "desk-municipality",
    "desk-living",
    "desk-origin",
    "desk-first-name",
    "desk-family-name",
    "desk-birth-date",
];

/// The id of a profile question's control: `desk-` and the field's name; `desk-care` stands for
/// the care needs' boxes.
fn control_id(q: ProfileQuestion) -> &'static str {
    static IDS: OnceLock<Vec<(ProfileQuestion, &'static str)>> = OnceLock::new();
    let ids = IDS.get_or_init(|| {
        profile_order()
            .into_iter()
            .map(|q| {
                let id: &'static str = match q {
                    "care_needs" => "desk-care",
                    // Made once per field for the page's lifetime.
                    _ => Box::leak(format!("desk-{q}").into_boxed_str()),
                };
                (q, id)
            })
            .collect()
    });
    ids.iter().find(|(name, _)| *name == q).map_or("desk-save", |(_, id)| id)
}

/// Every control in page order, by id.
fn order() -> impl Iterator<Item = &'static str> {
    FIRST.into_iter().chain(profile_order().into_iter().map(control_id))
}

/// The profile question of a control, for "rest onbekend".
fn question_of(id: &str) -> Option<ProfileQuestion> {
    profile_order().into_iter().find(|q| control_id(q) == id)
}

/// The form's state. The typed name and birth date are here and nowhere else.
#[derive(Clone, Copy)]
pub struct FormState {
    pub answers: RwSignal<Answers>,
    pub first_name: RwSignal<String>,
    pub family_name: RwSignal<String>,
    pub birth_date: RwSignal<String>,
    pub origin_query: RwSignal<String>,
    pub origin_pick: RwSignal<usize>,
    pub origin_chosen: RwSignal<Option<OriginOption>>,
    pub errors: RwSignal<Vec<FieldError>>,
    pub saved: RwSignal<Option<String>>,
    pub focus: RwSignal<&'static str>,
    /// The record entered earlier that this form corrects, if any.
    pub editing: RwSignal<Option<Record>>,
}

/// A record of the desk's list to correct in the form: set by the list, taken by the form.
#[derive(Clone, Copy)]
pub struct Correcting(pub RwSignal<Option<Record>>);

impl FormState {
    fn birth_date(self) -> Option<chrono::NaiveDate> {
        parse_typed_date(&self.birth_date.get(), Local::now().date_naive())
    }

    fn date_invalid(self) -> bool {
        !self.birth_date.with(|t| t.trim().is_empty()) && self.birth_date().is_none()
    }

    /// Whether a control is skipped: the estimate when a birth date gives the age, the
    /// children when the household says there are none.
    fn skipped(self, id: &str) -> bool {
        match id {
            "desk-age_band" => self.birth_date().is_some(),
            "desk-children" => self.answers.with(|a| children_implied(a.profile.household).is_some()),
            _ => false,
        }
    }
}

/// Keyboard handling shared by every control.
#[derive(Clone, Copy)]
pub struct Nav {
    pub c: Ctx,
    pub form: FormState,
}

impl Nav {
    pub fn focused(self, id: &'static str) {
        self.form.focus.set(id);
    }

    pub fn key(self, ev: &KeyboardEvent, id: &'static str) {
        let f = self.form;
        if ev.key() == "Enter" && (ev.ctrl_key() || ev.meta_key()) {
            ev.prevent_default();
            save(self);
        } else if ev.key() == "Enter" {
            ev.prevent_default();
            match order().skip_while(|k| *k != id).skip(1).find(|k| !f.skipped(k)) {
                Some(next) => focus(next),
                None => save(self),
            }
        } else if ev.alt_key() && ev.code() == "KeyO" {
            ev.prevent_default();
            rest_unknown(self, id);
        }
    }

    /// Takes the marked origin answer for what was typed (empty: unknown).
    pub fn take_origin(self) {
        let f = self.form;
        if f.origin_chosen.with_untracked(Option::is_some) {
            return;
        }
        let options = origin_options(&f.origin_query.get_untracked(), self.c.lang.get_untracked(), 6);
        if let Some(o) = options.get(f.origin_pick.get_untracked()).or(options.first()) {
            f.origin_chosen.set(Some(o.clone()));
            f.answers.update(|a| a.origin = o.origin.clone());
        }
    }
}

fn focus(id: &str) {
    platform::focus_by_id(if id == "desk-care" { "desk-care-psychiatric" } else { id });
}

/// "Rest onbekend": the profile questions after the one in focus (all of them when the focus
/// is above them) become "onbekend"; then the save button has the focus.
fn rest_unknown(nav: Nav, id: &str) {
    let order = profile_order();
    let from = match question_of(id) {
        None => order.first().copied(),
        Some(q) => order.iter().skip_while(|p| **p != q).nth(1).copied(),
    };
    if let Some(from) = from {
        nav.form.answers.update(|a| a.rest_unknown(from));
    }
    platform::focus_by_id("desk-save");
}

fn save(nav: Nav) {
    let (c, f) = (nav.c, nav.form);
    let lang = c.lang.get_untracked();
    let Some(enrolment) = c.enrolment.get_untracked() else { return };
    nav.take_origin();
    if f.date_invalid() {
        f.errors.set(vec![FieldError::new("birth_date", FieldErrorCode::InvalidValue)]);
        focus("desk-birth-date");
        return;
    }
    let identity = Identity {
        first_name: f.first_name.get_untracked(),
        family_name: f.family_name.get_untracked(),
        birth_date: untrack(|| f.birth_date()),
    };
    let answers = f.answers.get_untracked();
    let editing = f.editing.get_untracked();
    let made = match &editing {
        Some(original) => {
            answers.correction_of(original, &identity, &enrolment.count, &enrolment.dedup_secret)
        }
        None => answers.to_record(&identity, &enrolment.count, &enrolment.dedup_secret, Uuid::now_v7()),
    };
    match made {
        Ok(record) => {
            let summary = format!(
                "{}: {}, {}, {}",
                if editing.is_some() {
                    tr(lang, "Gewijzigd", "Corrected")
                } else {
                    tr(lang, "Opgeslagen", "Saved")
                },
                record.living_situation.code(),
                record.profile.age_band.label(lang),
                record.profile.gender.label(lang)
            );
            let municipality = record.municipality.clone();
            f.errors.set(Vec::new());
            // The next person: an empty form, the same municipality, the first field.
            f.first_name.set(String::new());
            f.family_name.set(String::new());
            f.birth_date.set(String::new());
            f.origin_query.set(String::new());
            f.origin_chosen.set(None);
            f.origin_pick.set(0);
            f.answers.set(Answers::new(Some(municipality.clone())));
            f.editing.set(None);
            c.last_municipality.set(Some(municipality.clone()));
            focus(FIRST[0]);
            spawn_local(async move {
                let _ = platform::save_meta("municipality", &municipality).await;
                match queue_records(c, vec![record]).await {
                    Ok(_) => f.saved.set(Some(summary)),
                    Err(e) => f.saved.set(Some(format!("{}: {e}", tr(lang, "Niet opgeslagen", "Not saved")))),
                }
            });
        }
        Err(errors) => {
            let first = errors.first().map(|e| e.field.clone()).unwrap_or_default();
            f.errors.set(errors);
            focus(match first.as_str() {
                "municipality" => "desk-municipality",
                "first_name" => "desk-first-name",
                _ => "desk-living",
            });
        }
    }
}

fn error_of(f: FormState, field: &'static str) -> Box<dyn Fn() -> Option<&'static str> + Send + Sync> {
    let c = ctx();
    Box::new(move || {
        let code = f.errors.with(|e| e.iter().find(|e| e.field == field).map(|e| e.code));
        code.map(|code| match (field, code) {
            ("first_name", FieldErrorCode::Missing) => tr(
                c.lang.get(),
                "Typ opnieuw: het geslacht is gewijzigd, dus de sleutel wordt opnieuw gemaakt.",
                "Type again: the gender was changed, so the key is made anew.",
            ),
            ("family_name" | "birth_date", FieldErrorCode::Missing) => {
                tr(c.lang.get(), "Typ opnieuw.", "Type again.")
            }
            ("birth_date", _) => tr(
                c.lang.get(),
                "Deze datum klopt niet: dd-mm-jjjj, niet in de toekomst.",
                "This date is not valid: dd-mm-yyyy, not in the future.",
            ),
            _ => tr(c.lang.get(), "Kies een antwoord.", "Choose an answer."),
        })
    })
}

fn profile_select(nav: Nav, q: ProfileQuestion, label: Label) -> AnyView {
    let f = nav.form;
    let id = control_id(q);
    select_field(
        nav,
        Select {
            id,
            label,
            hint: None,
            options: Box::new(move |lang| profile_options(q, lang)),
            current: Box::new(move || f.answers.with(|a| a.code_of(q))),
            set: Box::new(move |v| {
                f.answers.update(|a| {
                    a.set_code(q, &v);
                })
            }),
            disabled: Box::new(move || f.skipped(id)),
        },
    )
}

#[component]
pub fn KeyboardPanel() -> impl IntoView {
    let c = ctx();
    let f = FormState {
        answers: RwSignal::new(Answers::new(c.last_municipality.get_untracked())),
        first_name: RwSignal::new(String::new()),
        family_name: RwSignal::new(String::new()),
        birth_date: RwSignal::new(String::new()),
        origin_query: RwSignal::new(String::new()),
        origin_pick: RwSignal::new(0),
        origin_chosen: RwSignal::new(None),
        errors: RwSignal::new(Vec::new()),
        saved: RwSignal::new(None),
        focus: RwSignal::new(FIRST[0]),
        editing: RwSignal::new(None),
    };
    let nav = Nav { c, form: f };
    // A record chosen in the list below: its answers in the form, the names left empty.
    if let Some(Correcting(chosen)) = use_context::<Correcting>() {
        Effect::new(move |_| {
            let Some(r) = chosen.get() else { return };
            chosen.set(None);
            let label = match &r.origin {
                Origin::Municipality { code } => municipality::by_code(code.as_str())
                    .map_or_else(|| code.as_str().to_string(), |g| g.name.clone()),
                Origin::Abroad => tr(c.lang.get_untracked(), "Buitenland", "Abroad").to_string(),
                Origin::Unknown => tr(c.lang.get_untracked(), "Onbekend", "Unknown").to_string(),
            };
            f.first_name.set(String::new());
            f.family_name.set(String::new());
            f.birth_date.set(String::new());
            f.origin_query.set(String::new());
            f.origin_pick.set(0);
            f.origin_chosen.set(Some(OriginOption { origin: r.origin.clone(), label }));
            f.answers.set(Answers::of_record(&r));
            f.errors.set(Vec::new());
            f.saved.set(None);
            f.editing.set(Some(r));
            focus(FIRST[0]);
        });
    }
    let lang = c.lang;
    let missing = move |field: &'static str| f.errors.with(|e| e.iter().any(|e| e.field == field));
    let derived = move || {
        let e = c.enrolment.get()?;
        let who = Identity {
            first_name: f.first_name.get(),
            family_name: f.family_name.get(),
            birth_date: f.birth_date(),
        };
        Some(who.derive(f.answers.with(|a| a.profile.gender), e.count.reference_date, &e.dedup_secret))
    };
    let duplicate = move || {
        let except = f.editing.with(|e| e.as_ref().map(|r| r.id));
        derived().and_then(|d| d.dedup_key).is_some_and(|k| c.outbox.with(|o| o.has_key(&k, except)))
    };
    Effect::new(move |_| focus(FIRST[0]));
    view! {
        <section class="desk-panel" data-testid="keyboard-panel" aria-labelledby="keyboard-title"
            on:keydown=move |ev: KeyboardEvent| {
                if ev.key() == "Enter" && (ev.ctrl_key() || ev.meta_key()) && f.focus.get_untracked() == "desk-save" {
                    ev.prevent_default();
                    save(nav);
                }
            }>
            <h2 id="keyboard-title" class="utrecht-heading-2">{t!(lang, "Snel invoeren", "Quick entry")}</h2>
            <p class="utrecht-paragraph desk-keys">
                {t!(lang,
                    "Enter: volgende vraag (op de laatste: opslaan) · Tab: volgend veld · Ctrl+Enter: opslaan · Alt+O: rest onbekend. Een lijst kies je door het nummer of de code te typen.",
                    "Enter: next question (on the last: save) · Tab: next field · Ctrl+Enter: save · Alt+O: rest unknown. Pick from a list by typing its number or code.")}
            </p>
            <Show when=move || f.editing.with(Option::is_some)>
                <div class="utrecht-alert utrecht-alert--info" role="status" data-testid="desk-editing">
                    <p class="utrecht-paragraph">
                        {t!(lang,
                            "Je wijzigt een eerder ingevoerde persoon. Namen en geboortedatum zijn nergens bewaard: typ ze alleen opnieuw als ze anders waren.",
                            "You are correcting a person entered earlier. Names and birth date were never kept: type them again only if they were different.")}
                    </p>
                    <button type="button" class="utrecht-button utrecht-button--subtle" data-testid="desk-editing-cancel"
                        on:click=move |_| {
                            f.editing.set(None);
                            f.origin_chosen.set(None);
                            f.answers.set(Answers::new(c.last_municipality.get_untracked()));
                            focus(FIRST[0]);
                        }>
                        {t!(lang, "Niet wijzigen", "Do not correct")}
                    </button>
                </div>
            </Show>
            <div class="desk-form">
                <fieldset class="utrecht-form-fieldset desk-group">
                    <legend class="utrecht-form-fieldset__legend">{t!(lang, "Waar en hoe", "Where and how")}</legend>
                    {select_field(nav, Select {
                        id: "desk-municipality",
                        label: ("Gemeente waar geteld", "Municipality counted in"),
                        hint: None,
                        options: Box::new(municipality_options),
                        current: Box::new(move || f.answers.with(|a| a.municipality.as_ref().map(|m| m.as_str().to_string()).unwrap_or_default())),
                        set: Box::new(move |v| f.answers.update(|a| a.municipality = v.try_into().ok())),
                        disabled: Box::new(|| false),
                    })}
                    <p class="form-error" role="alert">{move || missing("municipality").then(|| tr(lang.get(), "Kies de gemeente.", "Choose the municipality."))}</p>
                    {select_field(nav, Select {
                        id: "desk-living",
                        label: ("Woonsituatie in de peilnacht (ETHOS)", "Living situation on the reference night (ETHOS)"),
                        hint: Some(("Typ de code, bijvoorbeeld 3.1", "Type the code, e.g. 3.1")),
                        options: Box::new(living_options),
                        current: Box::new(move || f.answers.with(|a| a.living_situation.map(|l| l.code().to_string()).unwrap_or_default())),
                        set: Box::new(move |v| f.answers.update(|a| a.living_situation = LivingSituation::from_code(&v))),
                        disabled: Box::new(|| false),
                    })}
                    <p class="form-error" role="alert">{move || missing("living_situation").then(|| tr(lang.get(), "Kies de woonsituatie.", "Choose the living situation."))}</p>
                    {origin_field(nav)}
                </fieldset>
                <fieldset class="utrecht-form-fieldset desk-group">
                    <legend class="utrecht-form-fieldset__legend">{t!(lang, "Wie (alleen voor leeftijd en dubbeltelling; niet bewaard, niet verzonden)", "Who (only for age and duplicates; neither stored nor sent)")}</legend>
                    {text_field(nav, "desk-first-name", ("Voornaam (roepnaam, geen voorletters)", "First name (the name used, not initials)"), "", f.first_name, error_of(f, "first_name"))}
                    {text_field(nav, "desk-family-name", ("Achternaam (met tussenvoegsel)", "Family name (with prefixes)"), "", f.family_name, error_of(f, "family_name"))}
                    {text_field(nav, "desk-birth-date", ("Geboortedatum", "Date of birth"), "dd-mm-jjjj", f.birth_date, error_of(f, "birth_date"))}
                    {profile_select(nav, "gender", ("Geslacht", "Gender"))}
                    {profile_select(nav, "age_band", ("Leeftijd (schatting, zonder geboortedatum)", "Age (estimate, without date of birth)"))}
                    <div class="desk-derived" data-testid="desk-derived" aria-live="polite">
                        {move || {
                            let l = lang.get();
                            let d = derived();
                            let band = d.as_ref().and_then(|d| d.age_band).map(|b| b.label(l));
                            let key = d.as_ref().is_some_and(|d| d.dedup_key.is_some());
                            format!("{} {} · {}",
                                tr(l, "Leeftijd op de peildatum:", "Age on the reference date:"),
                                band.unwrap_or("—"),
                                if key { tr(l, "dubbeltelling herkennen: kan ✓", "duplicate check: possible ✓") } else { tr(l, "dubbeltelling herkennen: nog niet", "duplicate check: not yet") })
                        }}
                    </div>
                    <Show when=duplicate>
                        <p class="utrecht-alert utrecht-alert--warning" role="alert" data-testid="desk-duplicate">
                            {t!(lang, "Let op: iemand met dezelfde gegevens is al ingevoerd op deze computer.", "Note: someone with the same details was already entered on this computer.")}
                        </p>
                    </Show>
                </fieldset>
                <fieldset class="utrecht-form-fieldset desk-group">
                    <legend class="utrecht-form-fieldset__legend">{t!(lang, "Situatie", "Situation")}</legend>
                    {situation(nav)}
                </fieldset>
            </div>
            <div class="desk-actions">
                <button type="button" id="desk-save" data-testid="desk-save" class="utrecht-button utrecht-button--primary-action"
                    on:focus=move |_| f.focus.set("desk-save")
                    on:click=move |_| save(nav)>
                    {t!(lang, "Opslaan en volgende (Ctrl+Enter)", "Save and next (Ctrl+Enter)")}
                </button>
                <button type="button" data-testid="desk-rest-unknown" class="utrecht-button utrecht-button--secondary-action"
                    on:mousedown=move |ev| ev.prevent_default()
                    on:click=move |_| rest_unknown(nav, f.focus.get_untracked())>
                    {t!(lang, "Rest onbekend (Alt+O)", "Rest unknown (Alt+O)")}
                </button>
            </div>
            <p class="desk-saved" role="status" data-testid="desk-saved">{move || f.saved.get()}</p>
            <p class="form-error" role="alert" data-testid="desk-errors">
                {move || f.errors.with(|e| (!e.is_empty()).then(|| {
                    let l = lang.get();
                    let names: Vec<&str> = e.iter().map(|e| field_label(&e.field, l)).collect();
                    format!("{} {}", tr(l, "Nog nodig:", "Still needed:"), names.join(", "))
                }))}
            </p>
        </section>
    }
}

/// The profile questions after the person's, in page order: a list each, the care needs as boxes.
fn situation(nav: Nav) -> Vec<AnyView> {
    profile_order()
        .into_iter()
        .filter(|q| !["gender", "age_band"].contains(q))
        .filter_map(|q| match q {
            "care_needs" => Some(care_field(nav)),
            _ => question(q).map(|question| {
                let label = match q {
                    "children" => {
                        ("Minderjarige kinderen bij deze persoon", "Minor children staying with this person")
                    }
                    _ => question.name,
                };
                profile_select(nav, q, label)
            }),
        })
        .collect()
}

/// The region's six municipalities.
fn municipality_options(lang: ethos_shared::Lang) -> Vec<(String, String)> {
    std::iter::once((String::new(), tr(lang, "— kies —", "— choose —").to_string()))
        .chain(municipality::region().map(|g| (g.code.clone(), g.name.clone())))
        .collect()
}

/// The living situations, by conceptual category, each as "3.1 daklozenopvang": typing the
/// code picks it.
fn living_options(lang: ethos_shared::Lang) -> Vec<(String, String)> {
    let mut out = vec![(String::new(), tr(lang, "— kies —", "— choose —").to_string())];
    for cat in ConceptualCategory::ALL {
        for l in LivingSituation::ALL.iter().filter(|l| l.conceptual_category() == *cat) {
            out.push((l.code().to_string(), format!("{} {} ({})", l.code(), l.label(lang), cat.label(lang))));
        }
    }
    out
}
