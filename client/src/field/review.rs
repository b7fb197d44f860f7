//! The review: every answer with a button to change it, the warnings, and "Bewaar".

use super::flow::Step;
use super::outbox::Trigger;
use super::state::{ctx, store_draft, t, Screen};
use super::steps::Flow;
use super::sync::{persist, run_sync};
use crate::i18n::{attention_reasons, tr};
use crate::platform;
use chrono::{Local, Utc};
use ethos_shared::count::timing_problem;
use ethos_shared::municipality;
use ethos_shared::profile::PreviousFacility;
use ethos_shared::record::questions::{question, Question};
use ethos_shared::record::Origin;
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

#[component]
pub fn ReviewStep(f: Flow) -> impl IntoView {
    let c = ctx();
    f.back_to_review.set(true);
    let save = move || {
        let draft = c.draft.get_untracked();
        let now = Local::now().fixed_offset();
        let record = match draft.to_record(Uuid::now_v7(), now) {
            Ok(r) => r,
            Err(errors) => {
                let lang = c.lang.get_untracked();
                f.errors.set(attention_reasons(&errors, lang));
                return;
            }
        };
        let id = record.id;
        let is_new = draft.id.is_none();
        let Some(device) = c.enrolment.with_untracked(|e| e.as_ref().map(|e| e.device_id)) else {
            return;
        };
        // A correction goes in at the next revision whatever a sync did meanwhile (confirmed,
        // or in a request under way): the outbox numbers it above what was sent.
        let saved = c.outbox.try_update(|o| {
            if is_new {
                o.add(record, device, Utc::now());
                Ok(())
            } else {
                o.correct(record).map(|_| ())
            }
        });
        if saved != Some(Ok(())) {
            f.errors.set(vec![tr(
                c.lang.get_untracked(),
                "Dit record staat niet meer op deze telefoon (de telling is gesloten of het is ouder dan 24 uur).",
                "This record is no longer on this phone (the count is closed or it is older than 24 hours).",
            )
            .into()]);
            return;
        }
        c.saved_draft.set(None);
        store_draft(c, None);
        spawn_local(async move {
            persist(c, &[id]).await;
            let lang = c.lang.get_untracked();
            c.notice.set(Some(if c.storage_error.get_untracked().is_none() {
                tr(lang, "Bewaard op deze telefoon.", "Saved on this phone.").to_string()
            } else {
                tr(lang, "Niet bewaard: zie de melding hieronder.", "Not saved: see the message below.")
                    .to_string()
            }));
            c.screen.set(Screen::Home);
            platform::scroll_top();
            platform::after(8_000, move || c.notice.set(None));
            run_sync(c, Trigger::Saved).await;
        });
    };
    let timing = move || {
        c.enrolment.with(|e| {
            let e = e.as_ref()?;
            let d = c.draft.get();
            let observed = d.observed_at.unwrap_or_else(|| Local::now().fixed_offset());
            timing_problem(observed, d.training, e.count.starts_at, e.count.ends_at, c.now.get())
        })
    };
    let duplicate = move || {
        c.draft
            .with(|d| d.dedup_key.clone().map(|k| (k, d.id)))
            .is_some_and(|(k, id)| c.outbox.with(|o| o.has_key(&k, id)))
    };
    let rows = move || {
        let lang = c.lang.get();
        let d = c.draft.get();
        let p = &d.profile;
        let unknown = tr(lang, "onbekend", "unknown").to_string();
        let origin = match &d.origin {
            Some(Origin::Municipality { code }) => {
                municipality::by_code(code.as_str()).map(|g| g.name.clone()).unwrap_or_default()
            }
            Some(Origin::Abroad) => tr(lang, "buitenland", "abroad").into(),
            Some(Origin::Unknown) | None => unknown.clone(),
        };
        let key = if d.dedup_key.is_some() {
            tr(lang, "kan", "possible")
        } else {
            tr(lang, "kan niet (geen naam en geboortedatum)", "not possible (no name and date of birth)")
        };
        // "Hiervoor: geen" could read as "no answer": say what it means.
        let shown = |name: &str, q: &Question| match name {
            "previous_facility" if p.previous_facility == PreviousFacility::None => tr(
                lang,
                "geen voorziening (niet in opvang, zorg of detentie)",
                "no facility (not in shelter, care or detention)",
            )
            .to_string(),
            _ => (q.shown)(p, lang),
        };
        let mut rows = vec![
            (
                Step::LivingSituation,
                tr(lang, "Woonsituatie", "Living situation"),
                d.living_situation
                    .map(|s| format!("{} ({})", s.label(lang), s.code()))
                    .unwrap_or_else(|| tr(lang, "nog niet gekozen", "not chosen yet").into()),
            ),
            (
                Step::Municipality,
                tr(lang, "Gemeente", "Municipality"),
                d.municipality
                    .as_ref()
                    .and_then(|m| municipality::by_code(m.as_str()))
                    .map(|g| g.name.clone())
                    .unwrap_or_else(|| tr(lang, "nog niet gekozen", "not chosen yet").into()),
            ),
            (Step::Origin, tr(lang, "Herkomst", "Origin"), origin),
        ];
        // The profile, field by field as the steps ask them; after the person's gender and age,
        // whether duplicates can be recognised.
        for step in Step::ALL.into_iter().filter(|s| s.is_profile()) {
            for name in step.fields() {
                if let Some(q) = question(name) {
                    rows.push((step, q.name(lang), shown(name, q)));
                }
            }
            if step == Step::Person {
                rows.push((
                    step,
                    tr(lang, "Dubbeltelling herkennen", "Recognising double counting"),
                    key.into(),
                ));
            }
        }
        rows
    };
    // A <dl> may hold only dt/dd groups: each row's action is a dd of its own, and its name
    // says what it changes ("Wijzig Leeftijd" to a screen reader, not ten times "Wijzig").
    view! {
        <dl class="review" data-testid="review">
            {move || rows().into_iter().map(|(step, label, value)| view! {
                <div class="review__row">
                    <dt>{label}</dt>
                    <dd>{value}</dd>
                    <dd class="review__edit">
                        <button type="button" class="utrecht-button utrecht-button--subtle"
                            data-testid=format!("review-edit-{step:?}") on:click=move |_| f.go(step)>
                            {t!(c.lang, "Wijzig", "Change")}
                            <span class="visually-hidden">" " {label}</span>
                        </button>
                    </dd>
                </div>
            }).collect_view()}
        </dl>
        <Show when=duplicate>
            <div class="utrecht-alert utrecht-alert--warning" role="alert" data-testid="duplicate-warning">
                <p class="utrecht-paragraph">
                    {t!(c.lang,
                        "Let op: iemand met dezelfde gegevens staat al op deze telefoon. Bewaar alleen als het een nieuwe ontmoeting is die je wilt vastleggen.",
                        "Note: someone with the same details is already on this phone. Save only if you mean to record this person again.")}
                </p>
            </div>
        </Show>
        {move || timing().map(|_| view! {
            <div class="utrecht-alert utrecht-alert--warning" role="alert" data-testid="timing-warning">
                <p class="utrecht-paragraph">
                    {t!(c.lang,
                        "Het tijdstip valt buiten de teltijd of ligt in de toekomst. Klopt de klok van deze telefoon? De server kan dit record weigeren.",
                        "The time lies outside the count window or in the future. Is this phone's clock right? The server may reject this record.")}
                </p>
            </div>
        })}
        <div role="alert" class="form-error" data-testid="save-errors">
            {move || f.errors.get().into_iter().map(|e| view! { <p>{e}</p> }).collect_view()}
        </div>
        <button type="button" id="save-record" data-testid="save-record" class="utrecht-button utrecht-button--primary-action big-button" on:click=move |_| save()>
            {t!(c.lang, "Bewaar", "Save")}
        </button>
    }
}
