//! The home screen: the count, the queue, the records on this phone, and what needs doing
//! (an unfinished record, records of a revoked team code).

use super::flow::{Draft, SavedDraft};
use super::list::RecordList;
use super::outbox::{Outbox, Trigger};
use super::state::{ctx, store_draft, t, Ctx, Screen};
use super::sync::run_sync;
use super::sync_card::SyncCard;
use crate::i18n::tr;
use crate::platform;
use chrono::Local;
use ethos_shared::count::CountStatus;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Offers every enrolment's unconfirmed records as a file of its own, named for `ethos import`
/// by the device in it (the records count for that device's organisation).
fn export_queue(c: Ctx) {
    let lang = c.lang.get_untracked();
    let devices = c.outbox.with_untracked(Outbox::devices_with_unsynced);
    if devices.is_empty() {
        c.notice.set(Some(
            tr(
                lang,
                "Alles is bevestigd door de server: er is niets te exporteren.",
                "Everything is confirmed by the server: nothing to export.",
            )
            .into(),
        ));
        return;
    }
    let stamp = crate::i18n::file_stamp(Local::now());
    for (i, device_id) in devices.into_iter().enumerate() {
        let text = c.outbox.with_untracked(|o| o.export_unsynced(device_id));
        let part = if i == 0 { String::new() } else { format!("-{}", i + 1) };
        platform::download(&format!("ethos-wachtrij-{stamp}{part}.json"), &text);
    }
    c.notice.set(Some(
        tr(lang, "Wachtrij geëxporteerd. Geef het bestand aan je coördinator; de records blijven ook op deze telefoon.", "Queue exported. Give the file to your coordinator; the records also stay on this phone.").into(),
    ));
}

#[component]
pub fn HomeScreen() -> impl IntoView {
    let c = ctx();
    let new_record = move |_| {
        let training = c
            .enrolment
            .with_untracked(|e| e.as_ref().is_some_and(|e| e.count.status == CountStatus::Training));
        if c.saved_draft.get_untracked().is_some() {
            // A new person replaces the unfinished record only after the counter chose so.
            c.notice.set(Some(
                tr(
                    c.lang.get_untracked(),
                    "Maak eerst het bewaarde record af of gooi het weg.",
                    "First finish or discard the kept record.",
                )
                .into(),
            ));
            return;
        }
        c.draft.set(Draft::new(c.last_municipality.get_untracked(), training));
        c.resume_step.set(None);
        c.notice.set(None);
        c.screen.set(Screen::Record);
        platform::scroll_top();
    };
    let sync_now = move |_| spawn_local(run_sync(c, Trigger::Manual));
    let export = move |_| export_queue(c);
    let locked =
        move || c.enrolment.with(|e| e.as_ref().is_some_and(|e| e.count.status == CountStatus::Locked));
    view! {
        <section class="screen" aria-labelledby="home-title">
            <CountCard/>
            {move || c.notice.get().map(|n| view! {
                <div class="utrecht-alert utrecht-alert--ok" role="status" data-testid="notice">
                    <p class="utrecht-paragraph">{n}</p>
                </div>
            })}
            <BlockedBanner/>
            <DraftCard/>
            {move || c.storage_error.get().map(|e| view! {
                <div class="utrecht-alert utrecht-alert--error" role="alert">
                    <p class="utrecht-paragraph">{t!(c.lang, "Opslaan op deze telefoon lukte niet:", "Saving on this phone failed:")} " " {e}</p>
                </div>
            })}
            <button
                type="button"
                id="new-record"
                data-testid="new-record"
                class="utrecht-button utrecht-button--primary-action big-button"
                disabled=locked
                on:click=new_record
            >
                {t!(c.lang, "+ Nieuwe persoon", "+ New person")}
            </button>
            <SyncCard/>
            <div class="button-row">
                <button
                    type="button"
                    id="sync-now"
                    data-testid="sync-now"
                    class="utrecht-button utrecht-button--secondary-action"
                    aria-busy=move || c.sync.with(|s| s.running).to_string()
                    on:click=sync_now
                >
                    {move || if c.sync.with(|s| s.running) { tr(c.lang.get(), "Bezig…", "Syncing…") } else { tr(c.lang.get(), "Nu synchroniseren", "Sync now") }}
                </button>
                <button
                    type="button"
                    id="export-queue"
                    data-testid="export-queue"
                    class="utrecht-button utrecht-button--secondary-action"
                    on:click=export
                >
                    {t!(c.lang, "Exporteer wachtrij", "Export queue")}
                </button>
            </div>
            <h2 id="home-title" class="utrecht-heading-2">{t!(c.lang, "Records op deze telefoon", "Records on this phone")}</h2>
            <RecordList/>
            <p class="utrecht-paragraph utrecht-paragraph--small footnote">
                {t!(c.lang,
                    "Bevestigde records kun je corrigeren tot 24 uur na de bevestiging of tot de telling sluit; daarna verdwijnen ze van deze telefoon. Namen en geboortedata worden nooit bewaard.",
                    "Confirmed records can be corrected until 24 hours after confirmation or until the count closes; then they leave this phone. Names and birth dates are never stored.")}
            </p>
            <button type="button" class="utrecht-button utrecht-button--subtle" data-testid="re-enrol" on:click=move |_| c.screen.set(Screen::Enrol)>
                {t!(c.lang, "Andere teamcode gebruiken", "Use another team code")}
            </button>
        </section>
    }
}

#[component]
pub fn CountCard() -> impl IntoView {
    let c = ctx();
    view! {
        {move || c.enrolment.get().map(|e| {
            let lang = c.lang.get();
            let (badge, class) = match e.count.status {
                CountStatus::Training => (tr(lang, "Oefenen", "Training"), "utrecht-status-badge--warning"),
                CountStatus::Live => (tr(lang, "Live", "Live"), "utrecht-status-badge--safe"),
                CountStatus::Locked => (tr(lang, "Gesloten", "Closed"), "utrecht-status-badge--danger"),
            };
            let explain = match e.count.status {
                CountStatus::Training => tr(lang, "Oefenronde: deze records tellen niet mee.", "Practice round: these records are not counted."),
                CountStatus::Live => tr(lang, "De telling loopt: records tellen mee.", "The count is on: records count."),
                CountStatus::Locked => tr(lang, "De telling is gesloten: nieuwe records worden niet meer aangenomen.", "The count is closed: new records are no longer accepted."),
            };
            view! {
                <div class="card count-card" data-testid="count-card">
                    <div class="count-card__head">
                        <strong data-testid="count-name">{e.count.name.clone()}</strong>
                        <span class=format!("utrecht-status-badge {class}") data-testid="count-status" data-status=e.count.status.code()>{badge}</span>
                    </div>
                    <div class="muted">
                        {e.organisation.clone()} " · " {tr(lang, "peildatum", "reference date")} " " {crate::i18n::day_month_year(e.count.reference_date)}
                    </div>
                    <div class="muted">{explain}</div>
                </div>
            }
        })}
    }
}

/// Records of an enrolment that the server refused (a revoked team code): they stay here,
/// are never sent with another code, and go to the coordinator as an exported file.
#[component]
pub fn BlockedBanner() -> impl IntoView {
    let c = ctx();
    let current_blocked = move || {
        let device = c.enrolment.with(|e| e.as_ref().map(|e| e.device_id));
        device.and_then(|d| c.outbox.with(|o| o.blocked.get(&d).cloned()))
    };
    view! {
        {move || c.outbox.with(Outbox::stranded).into_iter().map(|(device, code, n)| {
            let lang = c.lang.get();
            let org = c.organisation_of(device).unwrap_or_default();
            let why = if code == "device_revoked" {
                tr(lang, "de teamcode waaronder ze zijn gemaakt is ingetrokken", "the team code they were made under was revoked")
            } else {
                tr(lang, "de server kent deze aanmelding niet (meer)", "the server does not (or no longer) know this enrolment")
            };
            let text = match lang {
                ethos_shared::Lang::Nl => format!("{n} {} van {org} kunnen niet meer verzonden worden: {why}. Ze blijven op deze telefoon en tellen niet mee voor een andere organisatie. Exporteer de wachtrij en geef het bestand aan je coördinator.", if n == 1 { "record" } else { "records" }),
                ethos_shared::Lang::En => format!("{n} record(s) of {org} can no longer be sent: {why}. They stay on this phone and never count for another organisation. Export the queue and give the file to your coordinator."),
            };
            view! {
                <div class="utrecht-alert utrecht-alert--error" role="alert" data-testid="stranded-banner" data-device=device.to_string()>
                    <p class="utrecht-paragraph">{text}</p>
                    <button type="button" class="utrecht-button utrecht-button--secondary-action" data-testid="stranded-export" on:click=move |_| export_queue(c)>
                        {tr(lang, "Exporteer wachtrij", "Export queue")}
                    </button>
                </div>
            }
        }).collect_view()}
        {move || current_blocked().map(|code| {
            let revoked = code == "device_revoked";
            view! {
            <div class="utrecht-alert utrecht-alert--error" role="alert" data-testid="blocked-banner" data-code=code>
                <p class="utrecht-paragraph">
                    {move || if revoked {
                        tr(c.lang.get(), "De coördinator heeft deze teamcode ingetrokken. Nieuwe records bewaren kan pas na aanmelden met een nieuwe code.",
                           "The coordinator revoked this team code. To record again, enrol with a new code.")
                    } else {
                        tr(c.lang.get(), "De server kent deze telefoon niet (meer). Meld opnieuw aan met een teamcode.",
                           "The server does not (or no longer) know this phone. Enrol again with a team code.")
                    }}
                </p>
                <button type="button" class="utrecht-button utrecht-button--secondary-action" on:click=move |_| c.screen.set(Screen::Enrol)>
                    {t!(c.lang, "Opnieuw aanmelden", "Enrol again")}
                </button>
            </div>
            }
        })}
    }
}

/// An unfinished record (the app was reloaded, closed or the tab discarded): go on or discard.
#[component]
pub fn DraftCard() -> impl IntoView {
    let c = ctx();
    let resume = move |saved: SavedDraft| {
        c.draft.set(saved.draft);
        c.resume_step.set(Some(saved.step));
        c.notice.set(None);
        c.screen.set(Screen::Record);
        platform::scroll_top();
    };
    let discard = move || {
        c.saved_draft.set(None);
        store_draft(c, None);
    };
    view! {
        {move || c.saved_draft.get().map(|saved| {
            let lang = c.lang.get();
            let question = saved.step.number();
            let what = if saved.draft.id.is_some() {
                tr(lang, "Je was bezig een record te corrigeren", "You were correcting a record")
            } else {
                tr(lang, "Je was bezig met een nieuw record", "You were recording a new person")
            };
            view! {
                <div class="utrecht-alert utrecht-alert--warning" role="status" data-testid="draft-card">
                    <p class="utrecht-paragraph">
                        {what} " (" {tr(lang, "vraag", "question")} " " {question} "). "
                        {tr(lang, "Je antwoorden zijn bewaard.", "Your answers were kept.")}
                    </p>
                    <div class="button-row">
                        <button type="button" class="utrecht-button utrecht-button--primary-action" data-testid="draft-resume" on:click=move |_| resume(saved.clone())>
                            {tr(lang, "Verder invullen", "Continue")}
                        </button>
                        <button type="button" class="utrecht-button utrecht-button--subtle" data-testid="draft-discard" on:click=move |_| discard()>
                            {tr(lang, "Weggooien", "Discard")}
                        </button>
                    </div>
                </div>
            }
        })}
    }
}
