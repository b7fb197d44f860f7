//! The spreadsheet panel in the browser: template links, the file, the problems with their
//! cells to fix, and "Zet N personen in de wachtrij".

use super::browser::{chosen_file, clear_input, now_ms, random_hex};
use super::file::read_file;
use super::model::Sheet;
use crate::desk::queue::{queue_records, Queued};
use crate::field::state::{ctx, t, Ctx};
use crate::i18n::tr;
use crate::platform;
use ethos_shared::count::CountStatus;
use ethos_shared::sheet::columns::{answers, column, ColumnKey, COLUMNS};
use ethos_shared::sheet::SheetContext;
use ethos_shared::Lang;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsValue;

/// Problems shown at once; the rest are counted.
const SHOWN: usize = 100;

/// The desk's secret for row ids: made once per enrolment, kept in the desk's own storage.
async fn desk_secret(c: Ctx) -> Option<String> {
    let device = c.enrolment.with_untracked(|e| e.as_ref().map(|e| e.device_id))?;
    let key = format!("sheet_secret_{device}");
    if let Some(secret) = platform::load_meta::<String>(&key).await {
        return Some(secret);
    }
    let secret = random_hex()?;
    platform::save_meta(&key, &secret).await.ok()?;
    Some(secret)
}

/// Runs `f` with what reading a sheet needs, once enrolled and the secret is there.
fn with_context<R>(c: Ctx, secret: &str, f: impl FnOnce(&SheetContext<'_>) -> R) -> Option<R> {
    c.enrolment.with_untracked(|e| {
        let e = e.as_ref()?;
        let ctx = SheetContext {
            desk_secret: secret,
            dedup_secret: &e.dedup_secret,
            starts_at: e.count.starts_at,
            ends_at: e.count.ends_at,
            reference_date: e.count.reference_date,
            training: e.count.status == CountStatus::Training,
            now: chrono::Utc::now(),
        };
        Some(f(&ctx))
    })
}

#[derive(Clone, Copy)]
struct Panel {
    c: Ctx,
    secret: RwSignal<Option<String>>,
    sheet: RwSignal<Option<Sheet>>,
    file_error: RwSignal<Option<(String, String)>>,
    /// Milliseconds to read and check the last file, and its rows.
    read_ms: RwSignal<Option<f64>>,
    queued: RwSignal<Option<(Queued, f64)>>,
    busy: RwSignal<bool>,
}

impl Panel {
    async fn load(self, input: JsValue) {
        let Some(secret) = self.secret.get_untracked() else { return };
        let start = now_ms();
        let Some((name, bytes)) = chosen_file(&input).await else { return };
        clear_input(&input);
        self.queued.set(None);
        match read_file(&name, &bytes) {
            Err(e) => {
                self.sheet.set(None);
                self.file_error.set(Some(e));
            }
            Ok(table) => {
                self.file_error.set(None);
                let sheet = with_context(self.c, &secret, |ctx| Sheet::read(table, ctx));
                self.sheet.set(sheet);
                self.read_ms.set(Some(now_ms() - start));
            }
        }
    }

    fn fix(self, row: usize, key: ColumnKey, value: String) {
        let Some(secret) = self.secret.get_untracked() else { return };
        self.sheet.update(|s| {
            if let Some(s) = s {
                with_context(self.c, &secret, |ctx| s.fix(row, key, &value, ctx));
            }
        });
    }

    async fn queue(self) {
        let records: Vec<_> = self.sheet.with_untracked(|s| {
            s.as_ref()
                .filter(|s| s.outcome.problems.is_empty())
                .map(|s| s.outcome.records.iter().map(|r| r.record.clone()).collect())
                .unwrap_or_default()
        });
        if records.is_empty() || self.busy.get_untracked() {
            return;
        }
        self.busy.set(true);
        let start = now_ms();
        match queue_records(self.c, records).await {
            Ok(q) => {
                // The cells are not needed any more: dropped from memory.
                self.sheet.set(None);
                self.queued.set(Some((q, now_ms() - start)));
            }
            Err(e) => self.file_error.set(Some((e.clone(), e))),
        }
        self.busy.set(false);
    }
}

/// The spreadsheet panel of the desk page.
#[component]
pub fn SheetPanel() -> impl IntoView {
    let c = ctx();
    let p = Panel {
        c,
        secret: RwSignal::new(None),
        sheet: RwSignal::new(None),
        file_error: RwSignal::new(None),
        read_ms: RwSignal::new(None),
        queued: RwSignal::new(None),
        busy: RwSignal::new(false),
    };
    spawn_local(async move { p.secret.set(desk_secret(c).await) });
    let lists = COLUMNS
        .iter()
        .enumerate()
        .filter(|(_, col)| !answers(col.key).is_empty())
        .map(|(i, col)| {
            let options = answers(col.key).into_iter().map(|a| view! { <option value=a/> }).collect_view();
            view! { <datalist id=format!("sheet-list-{i}")>{options}</datalist> }
        })
        .collect_view();
    view! {
        <section class="desk-panel" data-testid="sheet-panel" aria-labelledby="sheet-title">
            <h2 id="sheet-title" class="utrecht-heading-2">{t!(c.lang, "Spreadsheet", "Spreadsheet")}</h2>
            <p class="utrecht-paragraph">
                {t!(c.lang,
                    "Download het sjabloon, vul één rij per persoon in en laad het bestand hier (.xlsx of .csv). Het bestand wordt alleen in deze browser gelezen: voornaam, achternaam en geboortedatum worden hier de leeftijd en de ontdubbelsleutel en verlaten deze computer nooit.",
                    "Download the template, fill in one row per person and load the file here (.xlsx or .csv). The file is read in this browser only: first name, family name and birth date become the age band and the duplicate key here and never leave this computer.")}
            </p>
            <p class="desk-hint">
                {t!(c.lang,
                    "Hetzelfde bestand opnieuw laden (ook gesorteerd of met rijen erbij) zet niemand dubbel; een persoon met gewijzigde antwoorden wordt bijgewerkt. Rijen zonder naam en geboortedatum herkennen we aan hun antwoorden en hun Nr.: dezelfde rij opnieuw geeft niets nieuws, een gewijzigde rij telt als een nieuwe persoon, en twee zulke personen met dezelfde antwoorden hebben elk een eigen Nr. nodig.",
                    "Loading the same file again (sorted, or with rows added) enters nobody twice; a person with changed answers is updated. Rows without name and birth date are recognised by their answers and their No.: the same row again adds nothing, a changed row counts as a new person, and two such people with the same answers each need their own No.")}
            </p>
            <p class="desk-actions">
                <a class="utrecht-link" href="/api/v1/desk/template.xlsx" download="ethos-sjabloon.xlsx" data-testid="sheet-template-xlsx">
                    {t!(c.lang, "Sjabloon (Excel, met keuzelijsten)", "Template (Excel, with drop-down lists)")}
                </a>
                <a class="utrecht-link" href="/api/v1/desk/template.csv" download="ethos-sjabloon.csv" data-testid="sheet-template-csv">
                    {t!(c.lang, "Sjabloon (CSV, puntkomma)", "Template (CSV, semicolon)")}
                </a>
            </p>
            <label class="utrecht-form-label" for="sheet-file">{t!(c.lang, "Bestand", "File")}</label>
            <input id="sheet-file" type="file" accept=".xlsx,.csv,text/csv" data-testid="sheet-file"
                disabled=move || p.secret.with(Option::is_none)
                on:change=move |ev| {
                    let input: JsValue = ev.target().map(JsValue::from).unwrap_or(JsValue::NULL);
                    spawn_local(p.load(input));
                }/>
            {lists}
            {move || p.file_error.get().map(|(nl, en)| {
                let text = if c.lang.get() == Lang::Nl { nl } else { en };
                view! { <p class="form-error" role="alert" data-testid="sheet-error">{text}</p> }
            })}
            {move || p.sheet.with(|s| s.as_ref().map(|s| summary(p, s)))}
            {move || p.queued.get().map(|(q, ms)| {
                let lang = c.lang.get();
                view! {
                    <p class="desk-saved" role="status" data-testid="sheet-queued"
                        data-new=q.new data-changed=q.changed data-unchanged=q.unchanged data-ms=format!("{ms:.0}")>
                        {format!("{} {} · {} {} · {} {}",
                            tr(lang, "In de wachtrij: nieuw", "Queued: new"), q.new,
                            tr(lang, "bijgewerkt", "updated"), q.changed,
                            tr(lang, "al bekend, niets nieuws", "already known, nothing new"), q.unchanged)}
                    </p>
                }
            })}
        </section>
    }
}

/// What the file gave: the count of rows and problems, the problems with their cells, and the
/// queue button once nothing is left to fix.
fn summary(p: Panel, s: &Sheet) -> impl IntoView {
    let lang = p.c.lang.get();
    let problems = &s.outcome.problems;
    let n = s.outcome.records.len();
    let ms = p.read_ms.get().unwrap_or(0.0);
    let line = format!(
        "{} {} · {} {} · {ms:.0} ms",
        tr(lang, "Rijen gelezen:", "Rows read:"),
        s.outcome.rows,
        tr(lang, "problemen:", "problems:"),
        problems.len(),
    );
    let rows = problems
        .iter()
        .take(SHOWN)
        .map(|pr| {
            let text = pr.text(lang);
            let cell = match (pr.row, pr.column) {
                (row, Some(key)) if row >= 2 => Some(fix_input(p, s, row, key)),
                _ => None,
            };
            view! {
                <tr data-testid="sheet-problem" data-row=pr.row
                    data-column=pr.column.map(|k| column(k).nl).unwrap_or("")>
                    <td>{text}</td>
                    <td>{cell}</td>
                </tr>
            }
        })
        .collect_view();
    let more = (problems.len() > SHOWN).then(|| {
        format!(
            "{} {}",
            problems.len() - SHOWN,
            tr(lang, "problemen meer; los eerst deze op.", "more problems; fix these first.")
        )
    });
    let button = (problems.is_empty() && n > 0).then(|| {
        let label = match lang {
            Lang::Nl => format!("Zet {n} personen in de wachtrij"),
            Lang::En => format!("Queue {n} people"),
        };
        view! {
            <button type="button" class="utrecht-button utrecht-button--primary-action" data-testid="sheet-queue"
                aria-busy=move || p.busy.get().to_string()
                on:click=move |_| spawn_local(p.queue())>{label}</button>
        }
    });
    view! {
        <p class="utrecht-paragraph" role="status" data-testid="sheet-summary"
            data-rows=s.outcome.rows data-records=n data-problems=problems.len() data-ms=format!("{ms:.0}")>{line}</p>
        <table class="desk-table" data-testid="sheet-problems">
            <caption class="desk-hint">{tr(lang, "Pas een cel hier aan, of verbeter het bestand en laad het opnieuw.", "Fix a cell here, or correct the file and load it again.")}</caption>
            <tbody>{rows}</tbody>
        </table>
        {more.map(|m| view! { <p class="desk-hint">{m}</p> })}
        {button}
    }
}

/// The cell of a problem, editable: a change reads the sheet again.
fn fix_input(p: Panel, s: &Sheet, row: usize, key: ColumnKey) -> impl IntoView {
    let value = s.cell(row, key);
    let list = COLUMNS
        .iter()
        .position(|c| c.key == key && !answers(key).is_empty())
        .map(|i| format!("sheet-list-{i}"));
    let label = format!(
        "{} {row}, {}",
        tr(p.c.lang.get_untracked(), "rij", "row"),
        column(key).header(p.c.lang.get_untracked())
    );
    view! {
        <input type="text" class="utrecht-textbox utrecht-textbox--html-input" data-testid="sheet-fix"
            data-row=row data-column=column(key).nl aria-label=label list=list value=value
            on:change=move |ev| p.fix(row, key, event_target_value(&ev))/>
    }
}
