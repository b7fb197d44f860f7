//! The record screen: one question at a time, Back (button and the browser's gesture) to the
//! previous one, "Stoppen" that asks before throwing answers away, and the draft kept in
//! IndexedDB at every answer.

use super::flow::{SavedDraft, Step};
use super::person::PersonStep;
use super::review::ReviewStep;
use super::state::{ctx, store_draft, t, Ctx, Screen};
use super::steps::{care_step, children_step, choice_step, living_step, municipality_step, Flow, OriginStep};
use crate::i18n::tr;
use crate::platform;
use leptos::prelude::*;

/// Leaves the record screen. The draft is kept (and offered on the home screen) unless
/// `discard`.
fn leave(c: Ctx, f: Flow, discard: bool) {
    let keep = !discard && c.draft.with_untracked(|d| d.is_started());
    let saved = keep.then(|| SavedDraft { draft: c.draft.get_untracked(), step: f.step.get_untracked() });
    c.saved_draft.set(saved.clone());
    store_draft(c, saved);
    c.screen.set(Screen::Home);
    platform::scroll_top();
}

#[component]
pub fn RecordScreen() -> impl IntoView {
    let c = ctx();
    let correcting = c.draft.with_untracked(|d| d.id.is_some());
    let first = c.resume_step.get_untracked().unwrap_or(if correcting {
        Step::Review
    } else {
        Step::LivingSituation
    });
    let f = Flow {
        step: RwSignal::new(first),
        branch: RwSignal::new(None),
        back_to_review: RwSignal::new(correcting || first == Step::Review),
        first_name: RwSignal::new(String::new()),
        family_name: RwSignal::new(String::new()),
        birth_date: RwSignal::new(String::new()),
        errors: RwSignal::new(Vec::new()),
    };
    let confirm_stop = RwSignal::new(false);
    // Every answer is kept at once, so a reload or a discarded tab loses nothing.
    Effect::new(move |_| {
        let draft = c.draft.get();
        let step = f.step.get();
        if draft.is_started() && c.screen.get_untracked() == Screen::Record {
            let saved = SavedDraft { draft, step };
            c.saved_draft.set(Some(saved.clone()));
            store_draft(c, Some(saved));
        }
    });
    // One history entry for the Back gesture to take: it goes to the previous question.
    if !c.history_armed.get_untracked() {
        platform::push_url("/");
        c.history_armed.set(true);
    }
    Effect::new(move |seen: Option<u32>| {
        let n = c.back.get();
        if seen.is_some_and(|s| s != n) {
            if f.at_start(c) {
                c.history_armed.set(false);
                leave(c, f, false);
            } else {
                f.back(c);
                platform::push_url("/");
            }
        }
        n
    });
    let back = move || {
        if f.at_start(c) {
            leave(c, f, false);
        } else {
            f.back(c);
        }
    };
    let stop = move || {
        if c.draft.with_untracked(|d| d.is_started()) {
            confirm_stop.set(true);
        } else {
            leave(c, f, true);
        }
    };
    let rest_unknown = move || {
        let step = f.step.get_untracked();
        c.draft.update(|d| d.rest_unknown(step));
        f.back_to_review.set(true);
        f.go(Step::Review);
    };
    let total = Step::ALL.len();
    view! {
        <section class="screen flow" aria-labelledby="question">
            <div class="flow__nav">
                <button type="button" class="utrecht-button utrecht-button--subtle" data-testid="flow-back" on:click=move |_| back()>
                    {t!(c.lang, "‹ Terug", "‹ Back")}
                </button>
                <span class="muted" data-testid="flow-progress">
                    {move || format!("{} {} / {total}", tr(c.lang.get(), "Vraag", "Question"), f.step.get().number())}
                </span>
                <button type="button" class="utrecht-button utrecht-button--subtle" data-testid="flow-cancel" on:click=move |_| stop()>
                    {t!(c.lang, "Stoppen", "Stop")}
                </button>
            </div>
            <Show when=move || confirm_stop.get()>
                <div class="utrecht-alert utrecht-alert--warning" role="alertdialog" aria-labelledby="stop-question" data-testid="stop-confirm">
                    <p class="utrecht-paragraph" id="stop-question">
                        <strong>{t!(c.lang, "Dit record weggooien?", "Throw this record away?")}</strong>
                        " "
                        {t!(c.lang, "De antwoorden tot nu toe gaan verloren.", "The answers so far will be lost.")}
                    </p>
                    <div class="button-row">
                        <button type="button" class="utrecht-button utrecht-button--primary-action" data-testid="stop-continue" on:click=move |_| confirm_stop.set(false)>
                            {t!(c.lang, "Nee, verder invullen", "No, carry on")}
                        </button>
                        <button type="button" class="utrecht-button utrecht-button--secondary-action" data-testid="stop-discard" on:click=move |_| leave(c, f, true)>
                            {t!(c.lang, "Ja, weggooien", "Yes, throw away")}
                        </button>
                    </div>
                </div>
            </Show>
            <h1 id="question" class="utrecht-heading-2 question" tabindex="-1" data-testid="question" data-step=move || format!("{:?}", f.step.get())>
                {move || f.step.get().question(c.lang.get())}
            </h1>
            {move || match f.step.get() {
                Step::LivingSituation => living_step(c, f),
                Step::Municipality => municipality_step(c, f),
                Step::Origin => view! { <OriginStep f=f/> }.into_any(),
                Step::Person => view! { <PersonStep f=f/> }.into_any(),
                Step::Children => children_step(c, f),
                Step::CareNeeds => care_step(c, f),
                Step::Review => view! { <ReviewStep f=f/> }.into_any(),
                step => choice_step(c, f, step),
            }}
            <Show when=move || f.step.get().is_profile()>
                <button type="button" class="utrecht-button utrecht-button--secondary-action big-button rest-unknown" data-testid="rest-unknown" on:click=move |_| rest_unknown()>
                    {t!(c.lang, "Alleen waargenomen / rest onbekend", "Only observed / rest unknown")}
                </button>
            </Show>
        </section>
    }
}
