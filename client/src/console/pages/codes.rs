//! Team codes: make, show as QR, revoke, print the sheet.

use crate::console::api::*;
use crate::console::html;
use crate::console::kit::*;
use crate::console::model::*;
use crate::console::state::*;
use crate::i18n::tr;
use crate::platform;
use chrono::Utc;
use ethos_shared::api::{Invite, Items, NewInvite};
use ethos_shared::count::{CountStatus, OrganisationType};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

// ---------------------------------------------------------------- team codes

#[component]
pub(crate) fn CodesPage(id: Uuid) -> impl IntoView {
    let c = con();
    let invites = RwSignal::new(None::<Result<Vec<Invite>, Fail>>);
    let shown = RwSignal::new(None::<Uuid>);
    let revoking = RwSignal::new(None::<Invite>);
    let reload = move || {
        spawn_local(async move {
            invites
                .set(Some(get::<Items<Invite>>(c, &format!("/counts/{id}/invites")).await.map(|i| i.items)));
        })
    };
    reload();
    let locked = move || c.count.with(|n| n.as_ref().is_some_and(|n| n.status == CountStatus::Locked));
    let table = move || {
        let lang = c.l();
        let selected = shown.get();
        let locked = locked();
        invites.with(|l| {
            loaded(l).map(|l| html::invites_table(l, locked, selected, Utc::now(), lang)).unwrap_or_default()
        })
    };
    let detail = move || {
        let lang = c.l();
        let chosen = shown.get();
        invites.with(|l| {
            loaded(l)
                .and_then(|l| l.iter().find(|i| Some(i.id) == chosen))
                .map(|i| html::invite_detail(i, &platform::location_origin(), lang))
                .unwrap_or_default()
        })
    };
    let on = move |action: &str, arg: &str| {
        let Ok(iid) = arg.parse::<Uuid>() else { return };
        match action {
            "qr" => shown.set(Some(iid)),
            "revoke" => revoking.set(
                invites.with_untracked(|l| loaded(l).and_then(|l| l.iter().find(|i| i.id == iid).cloned())),
            ),
            _ => {}
        }
    };
    view! {
        <div class="two-columns">
            <section class="stack" aria-labelledby="codes-title">
                <h2 id="codes-title" class="utrecht-heading-2">{t!(c.lang, "Teamcodes", "Team codes")}</h2>
                <p class="utrecht-paragraph muted">
                    {t!(c.lang,
                        "Elke organisatie krijgt een eigen code; records tellen voor de organisatie van de code waarmee de telefoon is aangemeld. Intrekken meldt ook alle telefoons met die code af.",
                        "Each organisation gets its own code; records count for the organisation of the code the phone enrolled with. Revoking also signs off every phone with that code.")}
                </p>
                {move || invites.with(|l| pending(l, c.l()))}
                {markup(c, Box::new(table), Box::new(on))}
                <p class="no-print">{move || (!locked()).then(|| link(c, Route::Count(id, Some(Tab::Sheet)), tr(c.l(), "Afdrukvel met alle actieve codes", "Printable sheet of all active codes").into(), "", "invites-print-sheet"))}</p>
                <Show when=move || !locked() fallback=move || view! {
                    <p class="utrecht-paragraph muted">{t!(c.lang, "De telling is gesloten: nieuwe codes kunnen niet meer.", "The count is locked: no new codes.")}</p>
                }>
                    <NewInviteForm id=id invites=invites shown=shown/>
                </Show>
            </section>
            <aside class="qr-panel" aria-live="polite" inner_html=detail></aside>
        </div>
        {move || revoking.get().map(|i| revoke_dialog(c, i, revoking, shown, Box::new(reload)))}
    }
}

fn revoke_dialog(
    c: Con,
    i: Invite,
    open: RwSignal<Option<Invite>>,
    shown: RwSignal<Option<Uuid>>,
    reload: Box<dyn Fn()>,
) -> AnyView {
    let lang = c.l();
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let iid = i.id;
    let reload = std::rc::Rc::new(reload);
    let body = view! {
        <p class="utrecht-paragraph">
            {format!("{} {} ({}). ", tr(lang, "Code", "Code"), i.code, i.organisation)}
            {tr(lang,
                "Telefoons die met deze code zijn aangemeld kunnen daarna niet meer synchroniseren. Records die al binnen zijn blijven.",
                "Phones enrolled with this code can then no longer sync. Records already received stay.")}
        </p>
    }
    .into_any();
    let confirm = Box::new(move || {
        busy.set(true);
        let reload = reload.clone();
        spawn_local(async move {
            match call(c, "DELETE", &format!("/invites/{iid}"), None).await {
                Ok(_) => {
                    open.set(None);
                    if shown.get_untracked() == Some(iid) {
                        shown.set(None);
                    }
                    reload();
                }
                Err(e) => error.set(Some(e.text(lang))),
            }
            busy.set(false);
        });
    });
    modal(
        c,
        tr(lang, "Teamcode intrekken?", "Revoke team code?").into(),
        body,
        tr(lang, "Ja, intrekken", "Yes, revoke").into(),
        error,
        busy,
        ("confirm-ok", "confirm-cancel"),
        "modal-ok",
        confirm,
        std::rc::Rc::new(move || open.set(None)),
    )
}

#[component]
pub(crate) fn NewInviteForm(
    id: Uuid,
    invites: RwSignal<Option<Result<Vec<Invite>, Fail>>>,
    shown: RwSignal<Option<Uuid>>,
) -> impl IntoView {
    let c = con();
    let organisation = RwSignal::new(String::new());
    let kind = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let lang = c.lang.get_untracked();
        let org = organisation.get_untracked().trim().to_string();
        let ty = OrganisationType::from_code(&kind.get_untracked());
        let problem = match (org.is_empty(), ty) {
            (true, _) => {
                Some(tr(lang, "Vul de naam van de organisatie in.", "Enter the organisation's name."))
            }
            (_, None) => Some(tr(lang, "Kies het soort organisatie.", "Choose the kind of organisation.")),
            _ => None,
        };
        if let Some(p) = problem {
            error.set(Some(p.into()));
            return;
        }
        let body =
            NewInvite { organisation: org, organisation_type: ty.unwrap_or_default(), expires_at: None };
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match send::<Invite>(c, "POST", &format!("/counts/{id}/invites"), &body).await {
                Ok(i) => {
                    shown.set(Some(i.id));
                    invites.update(|l| {
                        if let Some(Ok(l)) = l {
                            l.push(i);
                        }
                    });
                    organisation.set(String::new());
                    kind.set(String::new());
                }
                Err(e) => error.set(Some(e.text(lang))),
            }
            busy.set(false);
        });
    };
    view! {
        <form class="card stack" on:submit=submit aria-labelledby="new-invite-title" data-testid="invite-create">
            <h3 id="new-invite-title" class="utrecht-heading-3">{t!(c.lang, "Nieuwe teamcode", "New team code")}</h3>
            {move || {
                let lang = c.l();
                view! {
                    <div class="form-row">
                        {field(tr(lang, "Organisatie", "Organisation").into(), "invite-create-organisation", "text", organisation, "organization")}
                        <div class="utrecht-form-field">
                            <label class="utrecht-form-label" for="invite-create-type">{tr(lang, "Soort organisatie", "Kind of organisation")}</label>
                            <select id="invite-create-type" data-testid="invite-create-type" class="utrecht-select" aria-required="true" aria-describedby="invite-create-error"
                                prop:value=move || kind.get() on:change=move |ev| kind.set(event_target_value(&ev))>
                                <option value="">{tr(lang, "— kies —", "— choose —")}</option>
                                {OrganisationType::ALL.iter().map(|ty| view! { <option value=ty.code()>{ty.label(lang)}</option> }).collect_view()}
                            </select>
                        </div>
                    </div>
                }
            }}
            <p class="form-error" role="alert" data-testid="invite-create-error">{move || error.get()}</p>
            <div>
                <button type="submit" class="utrecht-button utrecht-button--primary-action" data-testid="invite-create-submit"
                    disabled=move || busy.get()>{t!(c.lang, "Code aanmaken", "Create code")}</button>
            </div>
        </form>
    }
}

/// Every active code of the count on cards to print and hand out.
#[component]
pub(crate) fn CodeSheet(id: Uuid) -> impl IntoView {
    let c = con();
    let invites = RwSignal::new(None::<Result<Vec<Invite>, Fail>>);
    spawn_local(async move {
        invites.set(Some(get::<Items<Invite>>(c, &format!("/counts/{id}/invites")).await.map(|i| i.items)));
    });
    let sheet = move || {
        let lang = c.l();
        let (name, locked) = c
            .count
            .with(|n| n.as_ref().map(|n| (n.name.clone(), n.status == CountStatus::Locked)))
            .unwrap_or_default();
        invites.with(|l| {
            loaded(l)
                .map(|l| html::code_sheet(l, (&name, locked), &platform::location_origin(), Utc::now(), lang))
                .unwrap_or_default()
        })
    };
    view! {
        <div class="button-bar no-print">
            {move || link(c, Route::Count(id, Some(Tab::Codes)), tr(c.l(), "‹ Terug naar teamcodes", "‹ Back to team codes").into(), "", "sheet-back")}
            <button type="button" class="utrecht-button utrecht-button--primary-action" data-testid="sheet-print"
                on:click=move |_| platform::print_page()>{t!(c.lang, "Afdrukken", "Print")}</button>
        </div>
        {move || invites.with(|l| pending(l, c.l()))}
        {markup(c, Box::new(sheet), Box::new(|_, _| ()))}
    }
}
