//! The records on this phone, newest first, with their delivery state.

use super::flow::Draft;
use super::outbox::{Entry, EntryState};
use super::state::{ctx, store_draft, Screen};
use crate::i18n::{attention_reasons, tr};
use crate::platform;
use ethos_shared::count::CountStatus;
use ethos_shared::municipality;
use ethos_shared::Lang;
use leptos::prelude::*;
use uuid::Uuid;

fn state_view(e: &Entry, lang: Lang) -> (&'static str, String) {
    match &e.state {
        EntryState::Queued => ("queued", tr(lang, "wacht op verzending", "waiting to be sent").to_string()),
        EntryState::Sent { .. } => ("sent", tr(lang, "verzonden", "sent").to_string()),
        EntryState::Confirmed { at, .. } => (
            "confirmed",
            format!(
                "{} {}",
                tr(lang, "bevestigd door server", "confirmed by server"),
                crate::i18n::clock(*at, false)
            ),
        ),
        EntryState::Attention { .. } => {
            ("attention", tr(lang, "aandacht nodig", "needs attention").to_string())
        }
    }
}

#[component]
pub fn RecordList() -> impl IntoView {
    let c = ctx();
    let edit = move |id: Uuid| {
        if let Some(e) = c.outbox.with_untracked(|o| o.get(id).cloned()) {
            let draft = Draft::from_record(&e.record);
            c.draft.set(draft);
            c.resume_step.set(None);
            c.saved_draft.set(None);
            store_draft(c, None);
            c.notice.set(None);
            c.screen.set(Screen::Record);
            platform::scroll_top();
        }
    };
    view! {
        {move || {
            let lang = c.lang.get();
            let items: Vec<Entry> = c.outbox.with(|o| o.entries_newest_first().cloned().collect());
            // Corrections are possible while the count runs, under an enrolment that may send.
            let locked = c.count_status() == Some(CountStatus::Locked);
            let blocked = c.outbox.with(|o| o.blocked.clone());
            if items.is_empty() {
                return view! {
                    <p class="utrecht-paragraph muted" data-testid="empty-list">{tr(lang, "Nog geen records.", "No records yet.")}</p>
                }.into_any();
            }
            view! {
                <ul class="record-list" data-testid="record-list">
                    {items.into_iter().map(|e| {
                        let (state, label) = state_view(&e, lang);
                        let id = e.record.id;
                        let reasons = match &e.state {
                            EntryState::Attention { errors, .. } => attention_reasons(errors, lang),
                            _ => Vec::new(),
                        };
                        let place = municipality::by_code(e.record.municipality.as_str()).map(|g| g.name.clone()).unwrap_or_default();
                        let time = crate::i18n::clock(e.record.observed_at.to_utc(), false);
                        let editable = e.is_editable() && !locked && !e.device.is_some_and(|d| blocked.contains_key(&d));
                        let badge = match state {
                            "confirmed" => "utrecht-status-badge utrecht-status-badge--safe",
                            "attention" => "utrecht-status-badge utrecht-status-badge--danger",
                            "sent" => "utrecht-status-badge utrecht-status-badge--active",
                            // Not yet on the server: the state a counter must notice most.
                            _ => "utrecht-status-badge utrecht-status-badge--warning",
                        };
                        view! {
                            <li class="record-item" data-testid="record-item" data-state=state data-id=id.to_string() data-revision=e.record.revision>
                                <div class="record-item__main">
                                    <span class="record-item__what">
                                        {e.record.living_situation.label(lang)}
                                        " " <span class="code">{e.record.living_situation.code()}</span>
                                    </span>
                                    <span class="muted">{time} " · " {place}</span>
                                </div>
                                <span class=badge data-testid="record-state">{label}</span>
                                {(!reasons.is_empty()).then(|| view! {
                                    <ul class="reasons" data-testid="record-reasons">
                                        {reasons.into_iter().map(|r| view! { <li>{r}</li> }).collect_view()}
                                    </ul>
                                })}
                                {editable.then(|| view! {
                                    <button type="button" class="utrecht-button utrecht-button--subtle record-item__edit" data-testid="record-edit" on:click=move |_| edit(id)>
                                        {if state == "attention" { tr(lang, "Corrigeer", "Correct") } else { tr(lang, "Wijzig", "Edit") }}
                                    </button>
                                })}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
    }
}
