//! The live dashboard and the phones.

use crate::console::api::*;
use crate::console::html;
use crate::console::kit::*;
use crate::console::model::*;
use crate::console::state::*;
use crate::i18n::tr;
use chrono::{DateTime, Local, Utc};
use ethos_shared::api::Items;
use ethos_shared::record::Entry;
use ethos_shared::Lang;
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

// ---------------------------------------------------------------- dashboard

#[component]
pub(crate) fn DashboardPage(id: Uuid) -> impl IntoView {
    let c = con();
    let board = RwSignal::new(None::<Result<Dashboard, Fail>>);
    let devices = RwSignal::new(None::<Result<Vec<Device>, Fail>>);
    let updated = RwSignal::new(None::<DateTime<Utc>>);
    Effect::new(move |_| {
        c.tick.track();
        spawn_local(async move {
            let b = get::<Dashboard>(c, &format!("/counts/{id}/dashboard")).await;
            let d = get::<Items<Device>>(c, &format!("/counts/{id}/devices"))
                .await
                .map(|d| devices_by_contact(d.items));
            board.set(Some(b));
            devices.set(Some(d));
            updated.set(Some(Utc::now()));
        });
    });
    let figures = move || {
        let lang = c.l();
        board.with(|b| loaded(b).map(|b| html::dashboard(b, lang)).unwrap_or_default())
    };
    let entries = move || {
        let lang = c.l();
        board.with(|b| loaded(b).map(|b| entries_table(b, lang)).unwrap_or_default())
    };
    let phones = move || {
        let lang = c.l();
        devices.with(|d| {
            loaded(d)
                .map(|d| html::devices_table(d, lang, "dash-devices-table", Utc::now()))
                .unwrap_or_default()
        })
    };
    view! {
        <section class="stack" aria-labelledby="dash-title" data-testid="dashboard">
            <div class="count-head__row">
                <h2 id="dash-title" class="utrecht-heading-2">{t!(c.lang, "Voortgang", "Progress")}</h2>
                <span class="muted" data-testid="dashboard-updated">
                    {move || updated.get().map(|t| format!("{} {} · {}",
                        tr(c.l(), "Bijgewerkt om", "Updated at"),
                        t.with_timezone(&Local).format("%H:%M:%S"),
                        tr(c.l(), "ververst elke 15 seconden", "refreshes every 15 seconds")))}
                </span>
            </div>
            {move || board.with(|b| loaded(b).is_some_and(|b| b.training)).then(|| training_banner(c.l()))}
            {move || board.with(|b| pending(b, c.l()))}
            {markup(c, Box::new(figures), Box::new(|_, _| ()))}
            {markup(c, Box::new(entries), Box::new(|_, _| ()))}
            <h2 class="utrecht-heading-2">{t!(c.lang, "Telefoons", "Phones")}</h2>
            {move || devices.with(|d| pending(d, c.l()))}
            {markup(c, Box::new(phones), Box::new(|_, _| ()))}
        </section>
    }
}

/// How the records of each organisation were made: on a phone, at a desk or from a spreadsheet
/// (`entry`), a row per organisation. Nothing while no record came in.
fn entries_table(b: &Dashboard, lang: Lang) -> String {
    if b.by_organisation.is_empty() {
        return String::new();
    }
    let ways = [
        (Entry::Field, tr(lang, "telefoon", "phone")),
        (Entry::Desk, tr(lang, "bureau", "desk")),
        (Entry::Sheet, tr(lang, "spreadsheet", "spreadsheet")),
    ];
    let mut h = html::Html::new();
    h.open("div", &[("class", "table-scroll")]);
    h.open("table", &[("class", "data-table"), ("data-testid", "dash-entries")]);
    h.el("caption", &[], tr(lang, "Records per organisatie en invoer", "Records per organisation and entry"));
    h.open("thead", &[]).open("tr", &[]);
    h.el("th", &[("scope", "col")], tr(lang, "Organisatie", "Organisation"));
    for (_, word) in ways {
        h.el("th", &[("scope", "col"), ("class", "num")], word);
    }
    h.el("th", &[("scope", "col"), ("class", "num")], tr(lang, "totaal", "total"));
    h.close("tr").close("thead").open("tbody", &[]);
    for o in &b.by_organisation {
        h.open("tr", &[("data-testid", "dash-entries-row")]);
        let name = format!("{} ({})", o.organisation, o.organisation_type.label(lang));
        h.el("th", &[("scope", "row")], &name);
        for (entry, _) in ways {
            h.el("td", &[("class", "num")], &num(o.records_by(entry), lang));
        }
        h.el("td", &[("class", "num")], &num(o.records, lang));
        h.close("tr");
    }
    h.close("tbody").close("table").close("div");
    h.finish()
}
