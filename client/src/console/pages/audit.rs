//! The audit log.

use crate::console::api::*;
use crate::console::html::audit;
use crate::console::kit::*;
use crate::console::model::*;
use crate::console::state::*;
use crate::i18n::tr;
use ethos_shared::api::Items;
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

// ---------------------------------------------------------------- audit log

#[component]
pub(crate) fn AuditPage(id: Uuid) -> impl IntoView {
    let c = con();
    let entries = RwSignal::new(None::<Result<Vec<AuditEntry>, Fail>>);
    // The phones, for their organisations; without them a phone is named by its id only.
    let devices = RwSignal::new(Vec::<Device>::new());
    let action = RwSignal::new(String::new());
    let actor = RwSignal::new(String::new());
    spawn_local(async move {
        let log = get::<Items<AuditEntry>>(c, &format!("/counts/{id}/audit")).await.map(|i| i.items);
        if let Ok(d) = get::<Items<Device>>(c, &format!("/counts/{id}/devices")).await {
            devices.set(d.items);
        }
        entries.set(Some(log));
    });
    let table = move || {
        let lang = c.l();
        let (a, who) = (action.get(), actor.get());
        entries.with(|l| {
            let Some(list) = loaded(l) else { return String::new() };
            let known = devices.with(|d| audit::Known::new(d, list));
            let shown: Vec<(&AuditEntry, audit::Said)> = list
                .iter()
                .map(|e| (e, audit::said(e, &known, lang)))
                .filter(|(e, s)| audit::audit_matches(e, s, &a, &who))
                .collect();
            let mut out = format!(
                "<p class=\"utrecht-paragraph muted\" data-testid=\"audit-count\">{} / {} {}</p>",
                shown.len(),
                list.len(),
                tr(lang, "regels", "lines")
            );
            out.push_str(&audit::audit_table(&shown, lang));
            out
        })
    };
    view! {
        <section class="stack" aria-labelledby="audit-title">
            <h2 id="audit-title" class="utrecht-heading-2">{t!(c.lang, "Logboek", "Audit log")}</h2>
            <p class="utrecht-paragraph muted">{t!(c.lang, "Wie deed wat en wanneer (de nieuwste 1.000 regels).", "Who did what, when (the newest 1,000 lines).")}</p>
            {move || {
                let lang = c.l();
                view! {
                    <div class="form-row no-print">
                        {hinted_field(tr(lang, "Filter op actie", "Filter by action"), "audit-filter-action", action,
                            tr(lang, "Bijv. status, teamcode, ongeldig, gedownload of record.void",
                                "E.g. status, team code, voided, downloaded or record.void"))}
                        {hinted_field(tr(lang, "Filter op wie", "Filter by who"), "audit-filter-actor", actor,
                            tr(lang, "Bijv. een gebruikersnaam, telefoon of een organisatie",
                                "E.g. a user name, phone or an organisation"))}
                    </div>
                }
            }}
            {move || entries.with(|l| pending(l, c.l()))}
            {markup(c, Box::new(table), Box::new(|_, _| ()))}
        </section>
    }
}
