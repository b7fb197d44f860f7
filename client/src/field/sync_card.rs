//! The state of the queue on the home screen: how many records wait, are sent, confirmed or
//! need attention, the oldest unconfirmed one, and the last sync.

use super::outbox::{Failure, Outbox};
use super::state::{ctx, t};
use crate::i18n::{age_text, tr};
use leptos::prelude::*;

#[component]
pub fn SyncCard() -> impl IntoView {
    let c = ctx();
    let counts = move || c.outbox.with(Outbox::counts);
    let oldest = move || {
        let now = c.now.get();
        c.outbox.with(Outbox::oldest_unsynced).map(|t| (now - t).num_minutes())
    };
    let status_line = move || {
        let lang = c.lang.get();
        let s = c.sync.get();
        if s.running {
            return tr(lang, "Bezig met verzenden…", "Sending…").to_string();
        }
        match s.error {
            Some(Failure::Network) => {
                let when = s.retry_at.map(|t| crate::i18n::clock(t, true)).unwrap_or_default();
                format!(
                    "{} {when}",
                    tr(
                        lang,
                        "Geen verbinding met de server. Nieuwe poging om",
                        "No connection to the server. Next try at"
                    )
                )
            }
            Some(Failure::Server { status: code, .. }) => {
                let when = s.retry_at.map(|t| crate::i18n::clock(t, true)).unwrap_or_default();
                // 503: the server's database is busy or full (`storage_busy`, `storage_full`).
                let what = if code == 503 {
                    tr(
                        lang,
                        "De server kan nu niets opslaan (bezet of vol). Je records blijven op deze telefoon",
                        "The server cannot store anything now (busy or full). Your records stay on this phone",
                    )
                } else {
                    tr(lang, "De server gaf een fout", "The server returned an error")
                };
                format!("{what} ({code}). {} {when}", tr(lang, "Nieuwe poging om", "Next try at"))
            }
            Some(Failure::TooLarge) => tr(
                lang,
                "Te veel tegelijk; de app verstuurt nu kleinere delen.",
                "Too much at once; sending smaller parts.",
            )
            .to_string(),
            Some(Failure::Unauthorized { .. }) => {
                tr(lang, "Verzenden gestopt: meld opnieuw aan.", "Sending stopped: enrol again.").to_string()
            }
            None => match c.outbox.with(|o| o.last_success) {
                Some(t) => format!(
                    "{} {}",
                    tr(lang, "Laatste contact met de server:", "Last contact with the server:"),
                    crate::i18n::clock(t, false)
                ),
                None => tr(
                    lang,
                    "Nog geen contact met de server sinds de app openging.",
                    "No contact with the server since the app opened.",
                )
                .to_string(),
            },
        }
    };
    view! {
        <div class="card sync-card" data-testid="sync-card">
            <ul class="tally" aria-label=t!(c.lang, "Stand van de wachtrij", "Queue status")>
                <li data-testid="tally-queued"><span class="tally__n">{move || counts().queued}</span> {t!(c.lang, "wachten op verzending", "waiting to be sent")}</li>
                <li data-testid="tally-sent"><span class="tally__n">{move || counts().sent}</span> {t!(c.lang, "verzonden", "sent")}</li>
                <li data-testid="tally-confirmed"><span class="tally__n">{move || counts().confirmed}</span> {t!(c.lang, "bevestigd", "confirmed")}</li>
                <li data-testid="tally-attention"><span class="tally__n">{move || counts().attention}</span> {t!(c.lang, "aandacht nodig", "need attention")}</li>
            </ul>
            {move || oldest().map(|mins| {
                let lang = c.lang.get();
                let urgent = mins >= 30;
                view! {
                    <div
                        class=if urgent { "utrecht-alert utrecht-alert--warning oldest" } else { "utrecht-alert utrecht-alert--info oldest" }
                        role="status"
                        data-testid="oldest-unsynced"
                    >
                        <p class="utrecht-paragraph">
                            <strong>{tr(lang, "Oudste niet-bevestigde record:", "Oldest unconfirmed record:")} " " {age_text(mins, lang)}</strong>
                            <br/>
                            {tr(lang,
                                "Tot de server het bevestigt staat het alleen op deze telefoon. Wis geen browsergegevens.",
                                "Until the server confirms it, it exists only on this phone. Do not clear browser data.")}
                        </p>
                    </div>
                }
            })}
            <p class="utrecht-paragraph utrecht-paragraph--small" data-testid="sync-status" aria-live="polite"
                data-retry-at=move || c.sync.get().retry_at.map(|t| t.to_rfc3339())>{status_line}</p>
            // Without persistent storage the browser may clear the records (storage pressure;
            // Safari after days without use): say so while records wait.
            {move || {
                let granted = c.storage.with(|s| s.is_empty() || s == "granted");
                (!granted && oldest().is_some()).then(|| view! {
                    <p class="utrecht-alert utrecht-alert--warning utrecht-paragraph--small" role="status" data-testid="storage-warning">
                        {t!(c.lang,
                            "Let op: deze browser heeft geen vaste opslag gegeven. Hij mag je records wissen als de opslag vol raakt, of op een iPhone na dagen zonder gebruik. Synchroniseer zo snel mogelijk; lukt dat niet, exporteer dan de wachtrij.",
                            "Note: this browser did not grant persistent storage. It may clear your records when storage runs low, or on an iPhone after days without use. Sync as soon as you can; if that fails, export the queue.")}
                    </p>
                })
            }}
        </div>
    }
}
