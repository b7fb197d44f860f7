//! What was entered at this desk, also on earlier days: a desk keeps its records until the
//! count is locked (domain.md §7), so an organisation entering over days sees whom it has
//! entered. No names (there are none): age band, gender, living situation, municipality, when
//! it was entered here and whether the server holds it.

use super::keyboard::Correcting;
use crate::field::outbox::{Entry, EntryState};
use crate::field::state::{ctx, t};
use crate::i18n::{attention_reasons, tr};
use chrono::{Datelike, Local};
use ethos_shared::count::CountStatus;
use ethos_shared::municipality;
use ethos_shared::Lang;
use leptos::prelude::*;

/// Rows shown at most; the rest is counted (a spreadsheet may queue thousands).
const SHOWN: usize = 200;

fn state_of(e: &Entry, lang: Lang) -> (&'static str, &'static str, &'static str) {
    match &e.state {
        EntryState::Queued => (
            "queued",
            "utrecht-status-badge utrecht-status-badge--warning",
            tr(lang, "op deze computer", "on this computer"),
        ),
        EntryState::Sent { .. } => {
            ("sent", "utrecht-status-badge utrecht-status-badge--active", tr(lang, "verzonden", "sent"))
        }
        EntryState::Confirmed { .. } => (
            "confirmed",
            "utrecht-status-badge utrecht-status-badge--safe",
            tr(lang, "bevestigd door de server", "confirmed by the server"),
        ),
        EntryState::Attention { .. } => (
            "attention",
            "utrecht-status-badge utrecht-status-badge--danger",
            tr(lang, "aandacht nodig", "needs attention"),
        ),
    }
}

/// "16-10 21:40", in the desk's local time.
fn entered(e: &Entry) -> String {
    let t = e.saved_at.with_timezone(&Local);
    format!("{:02}-{:02} {}", t.day(), t.month(), crate::i18n::clock(e.saved_at, false))
}

/// "Wijzig": the record's answers into the quick-entry form, to be saved as its next revision
/// (not once the count is locked).
fn correct_button(e: &Entry, lang: Lang) -> Option<AnyView> {
    let c = ctx();
    let Correcting(chosen) = use_context::<Correcting>()?;
    if !e.is_editable() || c.count_status() == Some(CountStatus::Locked) {
        return None;
    }
    let record = e.record.clone();
    Some(
        view! {
            <button type="button" class="utrecht-button utrecht-button--subtle" data-testid="desk-entry-correct"
                on:click=move |_| chosen.set(Some(record.clone()))>
                {tr(lang, "Wijzig", "Correct")}
            </button>
        }
        .into_any(),
    )
}

#[component]
pub fn EntryList() -> impl IntoView {
    let c = ctx();
    view! {
        <section class="desk-panel desk-entries" data-testid="desk-entries" aria-labelledby="entries-title">
            <h2 id="entries-title" class="utrecht-heading-2">{t!(c.lang, "Ingevoerd op deze computer", "Entered on this computer")}</h2>
            <p class="utrecht-paragraph desk-hint">
                {t!(c.lang,
                    "Blijft hier staan tot de telling gesloten is, ook op latere dagen, zodat niemand twee keer wordt ingevoerd. Zonder namen: die worden nergens bewaard.",
                    "Stays here until the count is locked, also on later days, so nobody is entered twice. Without names: those are kept nowhere.")}
            </p>
            {move || {
                let lang = c.lang.get();
                let (total, rows): (usize, Vec<Entry>) =
                    c.outbox.with(|o| {
                        let n = o.counts();
                        (n.queued + n.sent + n.confirmed + n.attention, o.entries_newest_first().take(SHOWN).cloned().collect())
                    });
                if rows.is_empty() {
                    return view! { <p class="utrecht-paragraph muted" data-testid="desk-entries-empty">{tr(lang, "Nog niemand ingevoerd.", "Nobody entered yet.")}</p> }.into_any();
                }
                view! {
                    <table class="desk-table" data-testid="desk-entries-table">
                        <thead><tr>
                            <th scope="col">{tr(lang, "Ingevoerd", "Entered")}</th>
                            <th scope="col">{tr(lang, "Leeftijd", "Age")}</th>
                            <th scope="col">{tr(lang, "Geslacht", "Gender")}</th>
                            <th scope="col">{tr(lang, "Woonsituatie", "Living situation")}</th>
                            <th scope="col">{tr(lang, "Gemeente", "Municipality")}</th>
                            <th scope="col">{tr(lang, "Status", "State")}</th>
                            <th scope="col"><span class="visually-hidden">{tr(lang, "Wijzigen", "Correct")}</span></th>
                        </tr></thead>
                        <tbody>
                            {rows.into_iter().map(|e| {
                                let (state, badge, label) = state_of(&e, lang);
                                let r = &e.record;
                                let place = municipality::by_code(r.municipality.as_str()).map(|g| g.name.clone()).unwrap_or_default();
                                let reasons = match &e.state {
                                    EntryState::Attention { errors, .. } => attention_reasons(errors, lang).join("; "),
                                    _ => String::new(),
                                };
                                view! {
                                    <tr data-testid="desk-entry" data-state=state data-id=r.id.to_string()>
                                        <td>{entered(&e)}</td>
                                        <td>{r.profile.age_band.label(lang)}</td>
                                        <td>{r.profile.gender.label(lang)}</td>
                                        <td>{r.living_situation.code()} " " {r.living_situation.label(lang)}</td>
                                        <td>{place}</td>
                                        <td><span class=badge>{label}</span> " " <span class="form-error">{reasons}</span></td>
                                        <td>{correct_button(&e, lang)}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                    {(total > SHOWN).then(|| view! {
                        <p class="utrecht-paragraph muted">{format!("{} {}", total - SHOWN, tr(lang, "eerdere niet getoond", "earlier ones not shown"))}</p>
                    })}
                }.into_any()
            }}
        </section>
    }
}
