//! The records table (coordinator only): keyset paging, search, void and undo, CSV export.

use crate::console::api::*;
use crate::console::html::{self as html, short};
use crate::console::kit::*;
use crate::console::model::*;
use crate::console::state::*;
use crate::i18n::tr;
use chrono::Local;
use ethos_shared::api::{Dashboard, RecordPage, StoredRecord, VoidRequest};
use ethos_shared::municipality;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::rc::Rc;
use uuid::Uuid;

/// Records per page of the table.
const PAGE: u32 = 100;

/// Replaces the record with the same id in the loaded rows.
fn replace(rows: RwSignal<Vec<StoredRecord>>, new: StoredRecord) {
    rows.update(|rows| {
        if let Some(r) = rows.iter_mut().find(|r| r.record.id == new.record.id) {
            *r = new;
        }
    });
}

#[component]
pub fn RecordsPage(id: Uuid) -> impl IntoView {
    let c = con();
    let rows = RwSignal::new(Vec::<StoredRecord>::new());
    let next = RwSignal::new(None::<String>);
    let state = RwSignal::new(None::<Result<(), Fail>>);
    let busy = RwSignal::new(false);
    let query = RwSignal::new(String::new());
    let voiding = RwSignal::new(None::<StoredRecord>);
    let message = RwSignal::new(None::<String>);
    // Every record of the count, training and void included: what the pages add up to.
    let total = RwSignal::new(None::<u64>);
    let load = move |after: Option<String>| {
        busy.set(true);
        spawn_local(async move {
            let mut path = format!("/counts/{id}/records?limit={PAGE}");
            if let Some(a) = after {
                path.push_str("&after=");
                path.push_str(
                    &a.replace('%', "%25").replace('&', "%26").replace('+', "%2B").replace('#', "%23"),
                );
            }
            match get::<RecordPage>(c, &path).await {
                Ok(page) => {
                    rows.update(|r| r.extend(page.items));
                    next.set(page.next_after);
                    state.set(Some(Ok(())));
                }
                Err(e) => state.set(Some(Err(e))),
            }
            busy.set(false);
            // Asked again with every page: in a live count records keep arriving. Without an
            // answer the page says only what it loaded.
            if let Ok(d) = get::<Dashboard>(c, &format!("/counts/{id}/dashboard")).await {
                total.set(Some(d.records_total));
            }
        });
    };
    load(None);
    let csv = move |_| {
        let lang = c.lang.get_untracked();
        message.set(Some(tr(lang, "CSV wordt opgehaald…", "Fetching CSV…").into()));
        spawn_local(async move {
            let name = format!("ethos-records-{}.csv", Local::now().format("%Y%m%d-%H%M"));
            message.set(Some(match download_csv(c, &format!("/counts/{id}/records.csv"), &name).await {
                Ok(()) => tr(lang, "CSV gedownload. Het bestand bevat gegevens over personen: bewaar het veilig. De download staat in het logboek.", "CSV downloaded. The file holds data about persons: keep it safe. The download is in the audit log.").into(),
                Err(e) => e.text(lang),
            }));
        });
    };
    let table = move || {
        let lang = c.l();
        let q = query.get();
        let coordinator = c.coordinator();
        if state.with(Option::is_none) {
            return String::new();
        }
        let (total, last_page_in) = (total.get(), next.with(Option::is_none));
        rows.with(|all| {
            let shown: Vec<&StoredRecord> = all.iter().filter(|r| record_matches(r, &q)).collect();
            let loaded = all.len() as u64;
            // Once the last page is in, the loaded rows are the total; records that arrived
            // after the total was asked are in it too.
            let total = if last_page_in { Some(loaded) } else { total.map(|t| t.max(loaded)) };
            let (count, order) = html::records_summary(shown.len(), all.len(), total, lang);
            let mut out = format!(
                "<p class=\"utrecht-paragraph\" data-testid=\"records-count\">{}</p>\
                 <p class=\"utrecht-paragraph muted\" data-testid=\"records-order\">{}</p>",
                html::esc(&count),
                html::esc(order)
            );
            out.push_str(&html::records_table(&shown, coordinator, lang));
            out
        })
    };
    let on = move |action: &str, arg: &str| {
        let Ok(rid) = arg.parse::<Uuid>() else { return };
        match action {
            "void" => voiding.set(rows.with_untracked(|r| r.iter().find(|r| r.record.id == rid).cloned())),
            "undo" => spawn_local(async move {
                match fetch::<StoredRecord>(c, "DELETE", &format!("/records/{rid}/void")).await {
                    Ok(r) => replace(rows, r),
                    Err(e) => message.set(Some(e.text(c.lang.get_untracked()))),
                }
            }),
            _ => {}
        }
    };
    view! {
        <section class="stack" aria-labelledby="records-title">
            <h2 id="records-title" class="utrecht-heading-2">{t!(c.lang, "Records", "Records")}</h2>
            <div class="toolbar no-print">
                <div class="utrecht-form-field toolbar__grow">
                    <label class="utrecht-form-label" for="records-search">{t!(c.lang, "Zoeken in geladen records", "Search loaded records")}</label>
                    <input id="records-search" data-testid="records-search" type="search" class="utrecht-textbox utrecht-textbox--html-input"
                        placeholder=t!(c.lang, "begin van id, organisatie, gemeente of woonsituatie", "start of id, organisation, municipality or living situation")
                        prop:value=move || query.get() on:input=move |ev| query.set(event_target_value(&ev))/>
                </div>
                <button type="button" class="utrecht-button utrecht-button--secondary-action" data-testid="records-csv" on:click=csv>
                    {t!(c.lang, "Download CSV (alle records)", "Download CSV (all records)")}
                </button>
            </div>
            <p class="utrecht-paragraph" role="status" data-testid="records-message">{move || message.get()}</p>
            {move || state.with(|s| pending(s, c.l()))}
            {markup(c, Box::new(table), Box::new(on))}
            <div class="button-bar no-print">
                <Show when=move || next.with(Option::is_some)>
                    <button type="button" class="utrecht-button utrecht-button--secondary-action" data-testid="records-more"
                        disabled=move || busy.get() on:click=move |_| load(next.get_untracked())>
                        {move || format!("{} {PAGE}", tr(c.l(), "Volgende", "Next"))}
                    </button>
                </Show>
            </div>
        </section>
        {move || voiding.get().map(|r| void_dialog(c, r, voiding, rows))}
    }
}

fn void_dialog(
    c: Con,
    r: StoredRecord,
    voiding: RwSignal<Option<StoredRecord>>,
    rows: RwSignal<Vec<StoredRecord>>,
) -> AnyView {
    let lang = c.l();
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let rid = r.record.id;
    let place = municipality::by_code(r.record.municipality.as_str()).map(|g| g.name.as_str()).unwrap_or("");
    let body = view! {
        <p class="utrecht-paragraph">
            {format!("{} {} · {} · {} · {}", tr(lang, "Record", "Record"), short(rid), r.organisation, r.record.living_situation.label(lang), place)}
        </p>
        <p class="utrecht-paragraph muted">
            {tr(lang,
                "Het record blijft bewaard maar telt niet meer mee in het rapport. Dit staat in het logboek en kan worden hersteld.",
                "The record is kept but no longer counted in the report. This is audited and can be undone.")}
        </p>
        <div class="utrecht-form-field">
            <label class="utrecht-form-label" for="void-reason">{tr(lang, "Reden", "Reason")}</label>
            <textarea id="void-reason" data-testid="void-reason" class="utrecht-textbox utrecht-textbox--html-textarea" rows="3"
                prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))></textarea>
        </div>
    }
    .into_any();
    let confirm = Box::new(move || {
        let text = reason.get_untracked().trim().to_string();
        if text.is_empty() {
            error.set(Some(tr(lang, "Geef een reden op.", "Give a reason.").into()));
            return;
        }
        busy.set(true);
        spawn_local(async move {
            match send::<StoredRecord>(
                c,
                "POST",
                &format!("/records/{rid}/void"),
                &VoidRequest { reason: text },
            )
            .await
            {
                Ok(new) => {
                    replace(rows, new);
                    voiding.set(None);
                }
                Err(e) => error.set(Some(e.text(lang))),
            }
            busy.set(false);
        });
    });
    modal(
        c,
        tr(lang, "Record ongeldig maken", "Void record").into(),
        body,
        tr(lang, "Ongeldig maken", "Void").into(),
        error,
        busy,
        ("void-confirm", "void-cancel"),
        "void-reason",
        confirm,
        Rc::new(move || voiding.set(None)),
    )
}
