//! The report page ("Nulmeting dakloosheid"): the disclosure switch, the earlier count to
//! compare with, printing, the whole report as Word and Excel, the summary ("Samenvatting",
//! sentences from `GET …/summary` in the page's language) above the report with a link to it as
//! a page of its own, and CSV per table. The report itself — headline figures, every table as an accessible HTML table, SVG
//! bar charts, data quality and the method — is markup from `console_html::report`; app.css
//! has the print layout that gives a clean PDF from the browser. Below it, the estimate of the
//! hidden population (`console_html::estimate`), fetched from `GET …/estimate` for the same disclosure,
//! by organisation type or by organisation. Last, the comparison with the chosen earlier count
//! (`GET …/comparison` in the same disclosure), so that the printed report and the downloads
//! carry it.

use super::comparison::{earlier_counts, earlier_picker};
use crate::console::api::*;
use crate::console::html;
use crate::console::html::estimate::{section as estimate_section, EstimateState};
use crate::console::kit::*;
use crate::console::model::{Route, Tab};
use crate::console::state::*;
use crate::i18n::tr;
use crate::platform;
use ethos_shared::api::Count;
use ethos_shared::comparison::Comparison;
use ethos_shared::estimate::{ReportEstimate, ReportWithEstimate, SourceBy};
use ethos_shared::report::{Disclosure, Report};
use ethos_shared::review::Rehearsal;
use ethos_shared::summary::Summary;
use ethos_shared::Lang;
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

/// The report's `estimate` member as the estimate section shows it.
fn estimate_member(member: &ReportEstimate) -> EstimateState {
    match member {
        ReportEstimate::NotPossible { not_possible, .. } => EstimateState::NotPossible(*not_possible),
        ReportEstimate::Estimate(e) => EstimateState::Ready(e.clone()),
    }
}

#[component]
pub fn ReportPage(id: Uuid) -> impl IntoView {
    let c = con();
    let disclosure = RwSignal::new(Disclosure::Public);
    let report = RwSignal::new(None::<Result<Report, Fail>>);
    // The count is in training: the report is made of its training records ("oefendata").
    let training = RwSignal::new(false);
    let message = RwSignal::new(None::<String>);
    // The estimate by organisation type comes with the report (its `estimate` member); only
    // "per organisatie" asks `GET …/estimate` — the bootstrap runs once per view.
    let by_type = RwSignal::new(EstimateState::Loading);
    let by_organisation = RwSignal::new(EstimateState::Loading);
    let by = RwSignal::new(SourceBy::OrganisationType);
    let summary = summary_of(c, id, disclosure);
    let earlier = RwSignal::new(None::<Result<Vec<Count>, Fail>>);
    let chosen = RwSignal::new(None::<Uuid>);
    let comparison = RwSignal::new(None::<Result<Comparison, Fail>>);
    earlier_counts(c, earlier, chosen);
    Effect::new(move |_| {
        let (with, d) = (chosen.get(), disclosure.get());
        comparison.set(None);
        let Some(with) = with else { return };
        spawn_local(async move {
            let path = format!("/counts/{id}/comparison?with={with}&disclosure={}", d.code());
            let answer = get::<Comparison>(c, &path).await;
            // A late answer for a choice the user has already left is dropped.
            if (chosen.get_untracked(), disclosure.get_untracked()) == (Some(with), d) {
                comparison.set(Some(answer));
            }
        });
    });
    Effect::new(move |_| {
        let d = disclosure.get();
        report.set(None);
        by_type.set(EstimateState::Loading);
        spawn_local(async move {
            let path = format!("/counts/{id}/report?disclosure={}", d.code());
            let answer = get::<Rehearsal<ReportWithEstimate>>(c, &path).await;
            // A late answer for a version the user has already left is dropped.
            if disclosure.get_untracked() != d {
                return;
            }
            if let Ok(a) = &answer {
                by_type.set(estimate_member(&a.inner.estimate));
                training.set(a.training);
            }
            report.set(Some(answer.map(|a| a.inner.report)));
        });
    });
    Effect::new(move |_| {
        let (d, b) = (disclosure.get(), by.get());
        if b != SourceBy::Organisation {
            return;
        }
        by_organisation.set(EstimateState::Loading);
        spawn_local(async move {
            // Read directly rather than through `get`: a 422 carries its reason in `details`.
            let token = c.session.with_untracked(|s| s.as_ref().map(|s| s.token.clone()));
            let path = format!("/counts/{id}/estimate?by={}&disclosure={}", b.code(), d.code());
            let state = match platform::api("GET", &path, token.as_deref(), None).await {
                Some(answer) => EstimateState::from_answer(answer.status, &answer.body),
                None => EstimateState::Failed("network".into()),
            };
            // A late answer for a switch the user has already left is dropped.
            if (disclosure.get_untracked(), by.get_untracked()) == (d, b) {
                by_organisation.set(state);
            }
        });
    });
    let estimate = move || match by.get() {
        SourceBy::OrganisationType => by_type,
        SourceBy::Organisation => by_organisation,
    };
    let body = move || {
        let lang = c.l();
        report.with(|r| loaded(r).map(|r| html::report::report(r, lang)).unwrap_or_default())
    };
    let estimate_body = move || {
        let lang = c.l();
        report.with(|r| {
            loaded(r)
                .map(|r| {
                    estimate().with(|e| estimate_section(e, by.get(), r.disclosure, r.persons_total, lang))
                })
                .unwrap_or_default()
        })
    };
    let on_estimate = move |action: &str, arg: &str| {
        if action == "estimate-by" {
            if let Some(b) = SourceBy::from_code(arg) {
                by.set(b);
            }
        }
    };
    let on = move |action: &str, table: &str| {
        let d = disclosure.get_untracked().code();
        let path = format!("/counts/{id}/report.csv?table={table}&disclosure={d}");
        let stem = if training.get_untracked() { "oefendata" } else { "nulmeting" };
        table_csv_action(c, message, action, path, format!("{stem}-{table}-{d}"));
    };
    let download = move |extension: &'static str| {
        let stem = if training.get_untracked() { "oefendata" } else { "nulmeting" };
        download_report(c, message, id, disclosure.get_untracked(), chosen.get_untracked(), extension, stem);
    };
    let summary_view = move || {
        let lang = c.l();
        summary.with(|s| loaded(s).map(|s| summary_section(s, lang)))
    };
    let comparison_body = move || {
        let lang = c.l();
        comparison.with(|x| loaded(x).map(|x| html::comparison::section(x, lang)).unwrap_or_default())
    };
    view! {
        <div class="toolbar no-print">
            {move || earlier.with(|l| earlier_picker(l, chosen, true, "report-with", c.l()))}
            {disclosure_switch(c, disclosure, "report")}
            <button type="button" class="utrecht-button utrecht-button--secondary-action" data-testid="report-docx"
                on:click=move |_| download("docx")>{t!(c.lang, "Word (.docx)", "Word (.docx)")}</button>
            <button type="button" class="utrecht-button utrecht-button--secondary-action" data-testid="report-xlsx"
                on:click=move |_| download("xlsx")>{t!(c.lang, "Excel (.xlsx)", "Excel (.xlsx)")}</button>
            <button type="button" class="utrecht-button utrecht-button--secondary-action" data-testid="report-print"
                on:click=move |_| platform::print_page()>{t!(c.lang, "Afdrukken of opslaan als pdf", "Print or save as PDF")}</button>
            {move || link(c, Route::Count(id, Some(Tab::Summary)), tr(c.l(), "Samenvatting op één pagina", "Summary on one page").into(), "utrecht-link", "report-summary-page")}
        </div>
        <p class="utrecht-paragraph no-print" role="status" data-testid="report-message">{move || message.get()}</p>
        {move || training.get().then(|| training_banner(c.l()))}
        {move || report.with(|r| pending(r, c.l()))}
        {summary_view}
        {markup(c, Box::new(body), Box::new(on))}
        {markup(c, Box::new(estimate_body), Box::new(on_estimate))}
        {move || chosen.get().and_then(|_| comparison.with(|x| pending(x, c.l())))}
        {markup(c, Box::new(comparison_body), Box::new(|_: &str, _: &str| {}))}
    }
}

/// The `lang` parameter of the exports and the summary.
/// The summary's sentences of the chosen disclosure in the page's language, asked again when
/// either changes (`GET …/summary`); `None` while they are on their way.
pub(super) fn summary_of(
    c: Con,
    id: Uuid,
    disclosure: RwSignal<Disclosure>,
) -> RwSignal<Option<Result<Summary, Fail>>> {
    let summary = RwSignal::new(None);
    Effect::new(move |_| {
        let (d, lang) = (disclosure.get(), c.lang.get());
        summary.set(None);
        spawn_local(async move {
            let path = format!("/counts/{id}/summary?disclosure={}&lang={}", d.code(), lang_code(lang));
            let answer = get::<Summary>(c, &path).await;
            // A late answer for a version or language the user has already left is dropped.
            if (disclosure.get_untracked(), c.lang.get_untracked()) == (d, lang) {
                summary.set(Some(answer));
            }
        });
    });
    summary
}

fn lang_code(lang: Lang) -> &'static str {
    match lang {
        Lang::Nl => "nl",
        Lang::En => "en",
    }
}

/// The summary above the report: its sentences, to quote as they stand (only shown figures).
fn summary_section(summary: &Summary, lang: Lang) -> AnyView {
    let items: Vec<_> = summary.sentences.iter().map(|s| view! { <li>{s.clone()}</li> }).collect();
    view! {
        <section class="report-summary" data-testid="report-summary" aria-labelledby="report-summary-title">
            <h2 class="utrecht-heading-2" id="report-summary-title">{tr(lang, "Samenvatting", "Summary")}</h2>
            <ul class="utrecht-unordered-list">{items}</ul>
        </section>
    }
    .into_any()
}

/// Downloads the whole report as `docx` or `xlsx` in `disclosure` and the page's language, with
/// the comparison with the count `with` when one is chosen; the outcome is said in `message`.
pub(crate) fn download_report(
    c: Con,
    message: RwSignal<Option<String>>,
    id: Uuid,
    disclosure: Disclosure,
    with: Option<Uuid>,
    extension: &'static str,
    stem: &'static str,
) {
    let d = disclosure.code();
    let lang = c.lang.get_untracked();
    let compare = with.map(|w| format!("&with={w}")).unwrap_or_default();
    let path = format!("/counts/{id}/report.{extension}?disclosure={d}&lang={}{compare}", lang_code(lang));
    let file = format!("{stem}-{d}.{extension}");
    spawn_local(async move {
        message.set(Some(match download_csv(c, &path, &file).await {
            Ok(()) => format!("{} {file}", tr(lang, "Gedownload:", "Downloaded:")),
            Err(e) => e.text(lang),
        }));
    });
}
