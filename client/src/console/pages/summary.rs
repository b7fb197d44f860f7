//! The summary page ("Samenvatting"), reached from the report: the key figures and the
//! summary's sentences on one printed A4 page, public or internal, in the page's language, and
//! the sentences copied as plain text to paste into a policy plan. The figures come from
//! `GET …/report` and the sentences from `GET …/summary`, both of the chosen disclosure; the
//! markup is `console_html::report::summary_page`.

use super::report::summary_of;
use crate::console::api::*;
use crate::console::html;
use crate::console::html::report::summary::summary_text;
use crate::console::kit::*;
use crate::console::model::{Route, Tab};
use crate::console::state::*;
use crate::i18n::tr;
use crate::platform;
use ethos_shared::estimate::ReportWithEstimate;
use ethos_shared::report::{Disclosure, Report};
use ethos_shared::review::Rehearsal;
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

#[component]
pub fn SummaryPage(id: Uuid) -> impl IntoView {
    let c = con();
    let disclosure = RwSignal::new(Disclosure::Public);
    let report = RwSignal::new(None::<Result<Report, Fail>>);
    let summary = summary_of(c, id, disclosure);
    let training = RwSignal::new(false);
    let message = RwSignal::new(None::<String>);
    // A copy's message belongs to the sentences it copied.
    Effect::new(move |_| {
        let _ = (disclosure.get(), c.lang.get());
        message.set(None);
    });
    Effect::new(move |_| {
        let d = disclosure.get();
        report.set(None);
        spawn_local(async move {
            let path = format!("/counts/{id}/report?disclosure={}", d.code());
            let answer = get::<Rehearsal<ReportWithEstimate>>(c, &path).await;
            if disclosure.get_untracked() != d {
                return;
            }
            if let Ok(a) = &answer {
                training.set(a.training);
            }
            report.set(Some(answer.map(|a| a.inner.report)));
        });
    });
    let copy = move |_| {
        let Some(text) = summary.with_untracked(|s| loaded(s).map(summary_text)) else { return };
        let lang = c.lang.get_untracked();
        spawn_local(async move {
            message.set(Some(
                if platform::copy_text(&text).await {
                    tr(lang, "De zinnen staan op het klembord.", "The sentences are on the clipboard.")
                } else {
                    tr(
                        lang,
                        "Kopiëren lukte niet in deze browser: selecteer de zinnen en kopieer ze zelf.",
                        "This browser did not allow copying: select the sentences and copy them yourself.",
                    )
                }
                .into(),
            ));
        });
    };
    let body = move || {
        let lang = c.l();
        report.with(|r| {
            summary.with(|s| match (loaded(r), loaded(s)) {
                (Some(r), Some(s)) => html::report::summary::summary_page(r, s, lang),
                _ => String::new(),
            })
        })
    };
    view! {
        <div class="toolbar no-print">
            {disclosure_switch(c, disclosure, "summary")}
            <button type="button" class="utrecht-button utrecht-button--primary-action" data-testid="summary-copy"
                disabled=move || summary.with(|s| loaded(s).is_none())
                on:click=copy>{t!(c.lang, "Kopieer tekst", "Copy text")}</button>
            <button type="button" class="utrecht-button utrecht-button--secondary-action" data-testid="summary-print"
                on:click=move |_| platform::print_page()>{t!(c.lang, "Afdrukken of opslaan als pdf", "Print or save as PDF")}</button>
            {move || link(c, Route::Count(id, Some(Tab::Report)), tr(c.l(), "‹ Het hele rapport", "‹ The whole report").into(), "utrecht-link", "summary-report")}
        </div>
        <p class="utrecht-paragraph no-print" role="status" data-testid="summary-message">{move || message.get()}</p>
        {move || training.get().then(|| training_banner(c.l()))}
        {move || report.with(|r| pending(r, c.l())).or_else(|| summary.with(|s| pending(s, c.l())))}
        {markup(c, Box::new(body), Box::new(|_: &str, _: &str| {}))}
    }
}
