//! One count: its header with the lifecycle, and its tabs.

use super::audit::AuditPage;
use super::codes::{CodeSheet, CodesPage};
use super::comparison::ComparisonPage;
use super::dashboard::DashboardPage;
use super::duplicates::DuplicatesPage;
use super::population::PopulationPage;
use super::records::RecordsPage;
use super::report::ReportPage;
use super::summary::SummaryPage;
use crate::console::api::*;
use crate::console::html;
use crate::console::kit::*;
use crate::console::model::*;
use crate::console::state::*;
use crate::i18n::tr;
use chrono::Utc;
use ethos_shared::api::{Count, Items, StatusChange};
use ethos_shared::count::CountStatus;
use ethos_shared::Lang;
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

// ---------------------------------------------------------------- one count

#[component]
pub(crate) fn CountPage(id: Uuid) -> impl IntoView {
    let c = con();
    let failed = RwSignal::new(None::<Fail>);
    if c.count.with_untracked(|n| n.as_ref().map(|n| n.id)) != Some(id) {
        c.count.set(None);
    }
    spawn_local(async move {
        match get::<Count>(c, &format!("/counts/{id}")).await {
            Ok(n) => c.count.set(Some(n)),
            Err(e) => failed.set(Some(e)),
        }
    });
    let role =
        move || c.session.with(|s| s.as_ref().map(|s| s.role)).unwrap_or(ethos_shared::api::Role::Analyst);
    let tab = Memo::new(move |_| {
        let role = role();
        match c.route.get() {
            Route::Count(_, Some(tab)) if tab.allowed(role) => tab,
            _ => Tab::default_for(role),
        }
    });
    view! {
        {move || failed.get().map(|e| error_box(e.text(c.l())))}
        <CountHead/>
        <nav class="console-tabs no-print" aria-label=t!(c.lang, "Onderdelen van de telling", "Parts of the count")>
            <ul>
                {move || {
                    let lang = c.l();
                    let role = role();
                    let current = tab.get();
                    Tab::NAV.into_iter().filter(|t| t.allowed(role)).map(|t| {
                        let active = t == current
                            || (t == Tab::Codes && current == Tab::Sheet)
                            || (t == Tab::Report && current == Tab::Summary);
                        view! {
                            <li class=if active { "console-tabs__item console-tabs__item--active" } else { "console-tabs__item" } aria-current=active.then_some("page") data-tab=t.slug()>
                                {link(c, Route::Count(id, Some(t)), t.label(lang).into(), "console-tabs__link", "console-tab")}
                            </li>
                        }
                    }).collect_view()
                }}
            </ul>
        </nav>
        <div class="console-page">
            {move || match tab.get() {
                Tab::Dashboard => view! { <DashboardPage id=id/> }.into_any(),
                Tab::Codes => view! { <CodesPage id=id/> }.into_any(),
                Tab::Sheet => view! { <CodeSheet id=id/> }.into_any(),
                Tab::Records => view! { <RecordsPage id=id/> }.into_any(),
                Tab::Duplicates => view! { <DuplicatesPage id=id/> }.into_any(),
                Tab::Report => view! { <ReportPage id=id/> }.into_any(),
                Tab::Summary => view! { <SummaryPage id=id/> }.into_any(),
                Tab::Comparison => view! { <ComparisonPage id=id/> }.into_any(),
                Tab::Population => view! { <PopulationPage id=id/> }.into_any(),
                Tab::Audit => view! { <AuditPage id=id/> }.into_any(),
            }}
        </div>
    }
}

/// The count's name, window and status, with the lifecycle buttons.
#[component]
pub(crate) fn CountHead() -> impl IntoView {
    let c = con();
    let pending_status = RwSignal::new(None::<CountStatus>);
    view! {
        {move || c.count.get().map(|n| {
            let lang = c.l();
            let buttons = c.coordinator().then(|| {
                [CountStatus::Live, CountStatus::Locked].into_iter().filter(|to| n.status.can_become(*to)).map(|to| {
                    let (label, testid, class) = match to {
                        CountStatus::Live => (tr(lang, "Telling live zetten", "Make the count live"), "count-status-live", "utrecht-button utrecht-button--primary-action"),
                        _ => (tr(lang, "Telling sluiten", "Lock the count"), "count-status-locked", "utrecht-button utrecht-button--secondary-action"),
                    };
                    view! { <button type="button" class=class data-testid=testid on:click=move |_| pending_status.set(Some(to))>{label}</button> }
                }).collect_view()
            });
            view! {
                <div class="count-head" data-testid="count-head">
                    <p class="no-print">{link(c, Route::Counts, tr(lang, "‹ Alle tellingen", "‹ All counts").into(), "", "counts-back")}</p>
                    <div class="count-head__row">
                        <h1 class="utrecht-heading-1" data-testid="count-name">{n.name.clone()}</h1>
                        {status_badge(n.status, lang)}
                    </div>
                    <p class="utrecht-paragraph muted">
                        {format!("{} {} · {} {} – {}", tr(lang, "Peildatum", "Reference date"), html::day(n.reference_date),
                            tr(lang, "teltijd", "window"), html::when(n.starts_at.to_utc()), html::when(n.ends_at.to_utc()))}
                    </p>
                    <div class="button-bar no-print">{buttons}</div>
                </div>
            }
        })}
        {move || pending_status.get().map(|to| status_dialog(c, to, pending_status))}
    }
}

fn status_dialog(c: Con, to: CountStatus, open: RwSignal<Option<CountStatus>>) -> AnyView {
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let devices = RwSignal::new(None::<Result<Vec<Device>, Fail>>);
    let Some(id) = c.count.with_untracked(|n| n.as_ref().map(|n| n.id)) else { return ().into_any() };
    let lock = to == CountStatus::Locked;
    if lock {
        spawn_local(async move {
            devices.set(Some(
                get::<Items<Device>>(c, &format!("/counts/{id}/devices"))
                    .await
                    .map(|d| devices_by_contact(d.items)),
            ));
        });
    }
    let lang = c.lang.get_untracked();
    let (title, explain, yes) = if lock {
        (
            tr(lang, "Telling sluiten?", "Lock the count?"),
            tr(lang,
                "Telefoons kunnen daarna geen nieuwe records meer sturen; records die nog op een telefoon staan komen er dan niet meer bij. Beoordelen (ongeldig maken, dubbelingen) kan daarna nog wel. Sluiten kan niet ongedaan worden gemaakt.",
                "Phones can then no longer send new records; records still on a phone will not be added. Review (void, duplicates) remains possible. Locking cannot be undone."),
            tr(lang, "Ja, sluiten", "Yes, lock it"),
        )
    } else {
        (
            tr(lang, "Telling live zetten?", "Make the count live?"),
            tr(lang,
                "Vanaf nu tellen nieuwe records mee. Wat tellers tijdens het oefenen vastlegden blijft oefenrecord en telt niet mee. Terug naar oefenen kan niet.",
                "From now on new records count. What counters recorded while practising stays training and is not counted. There is no way back to training."),
            tr(lang, "Ja, live zetten", "Yes, make it live"),
        )
    };
    let body = view! {
        <p class="utrecht-paragraph">{explain}</p>
        {move || lock.then(|| devices.with(|d| pending(d, lang).unwrap_or_else(|| before_lock(d, lang))))}
    }
    .into_any();
    let confirm = Box::new(move || {
        busy.set(true);
        spawn_local(async move {
            match send::<Count>(c, "POST", &format!("/counts/{id}/status"), &StatusChange { status: to })
                .await
            {
                Ok(n) => {
                    c.count.set(Some(n));
                    open.set(None);
                }
                Err(e) => error.set(Some(e.text(lang))),
            }
            busy.set(false);
        });
    });
    modal(
        c,
        title.into(),
        body,
        yes.into(),
        error,
        busy,
        ("confirm-ok", "confirm-cancel"),
        "modal-ok",
        confirm,
        std::rc::Rc::new(move || open.set(None)),
    )
}

/// The phones of the count by last contact, with a warning for those that still hold records.
fn before_lock(devices: &Option<Result<Vec<Device>, Fail>>, lang: Lang) -> AnyView {
    let Some(list) = loaded(devices) else { return ().into_any() };
    let risky: Vec<&Device> = list.iter().filter(|d| d.holds_unsynced()).collect();
    let n: u32 = risky.iter().filter_map(|d| d.unsynced).sum();
    let warning = (!risky.is_empty()).then(|| {
        view! {
            <div class="utrecht-alert utrecht-alert--warning" role="alert" data-testid="lock-warning">
                <p class="utrecht-paragraph"><strong>
                    {match lang {
                        Lang::Nl => format!("{} telefoon(s) meldden bij hun laatste contact samen nog {n} niet-verzonden record(s).", risky.len()),
                        Lang::En => format!("{} phone(s) reported {n} unsent record(s) in total at their last contact.", risky.len()),
                    }}
                </strong></p>
                <p class="utrecht-paragraph">{tr(lang, "Vraag die tellers eerst te synchroniseren of hun wachtrij te exporteren.", "Ask those counters to sync or export their queue first.")}</p>
            </div>
        }
    });
    let table = html::devices_table(list, lang, "lock-devices", Utc::now());
    view! { {warning} <div inner_html=table></div> }.into_any()
}
