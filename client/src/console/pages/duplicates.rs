//! The duplicate review (coordinator only): groups of records sharing a key, 50 to a page,
//! undecided groups whose records differ first with what differs marked; filters per kind;
//! one confirmed decision for every group whose records agree. A count in training reviews
//! its training records ("oefendata").

use crate::console::api::*;
use crate::console::html::{self as html, default_primary};
use crate::console::kit::*;
use crate::console::state::*;
use crate::i18n::tr;
use ethos_shared::api::{Decision, ResolveRequest};
use ethos_shared::review::{BulkResolved, DuplicatePage, ReviewFilter, ReviewGroup, ReviewTally};
use ethos_shared::Lang;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::rc::Rc;
use uuid::Uuid;

/// Groups per page.
const PAGE: u64 = 50;

/// The filters, in the order of the buttons.
const FILTERS: [ReviewFilter; 4] =
    [ReviewFilter::Conflicts, ReviewFilter::Consistent, ReviewFilter::Decided, ReviewFilter::All];

#[component]
pub fn DuplicatesPage(id: Uuid) -> impl IntoView {
    let c = con();
    let page = RwSignal::new(None::<Result<DuplicatePage, Fail>>);
    let filter = RwSignal::new(ReviewFilter::All);
    let offset = RwSignal::new(0u64);
    let reload = RwSignal::new(0u32);
    // The primary record chosen per key (radio buttons in the markup), and errors per key.
    let chosen = RwSignal::new(Vec::<(String, Uuid)>::new());
    let errors = RwSignal::new(Vec::<(String, String)>::new());
    let bulk_open = RwSignal::new(false);
    let message = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        let (f, from) = (filter.get(), offset.get());
        reload.track();
        spawn_local(async move {
            let path = format!("/counts/{id}/duplicates?filter={}&offset={from}&limit={PAGE}", f.code());
            page.set(Some(get::<DuplicatePage>(c, &path).await));
        });
    });
    let resolve = move |key: String, decision: Decision| {
        let lang = c.lang.get_untracked();
        let primary =
            chosen.with_untracked(|v| v.iter().find(|(k, _)| *k == key).map(|(_, id)| *id)).or_else(|| {
                page.with_untracked(|p| {
                    loaded(p)
                        .and_then(|p| p.items.iter().find(|g| g.group.dedup_key.as_str() == key))
                        .and_then(|g| default_primary(&g.group))
                })
            });
        let body = ResolveRequest {
            decision,
            primary_record_id: (decision == Decision::SamePerson).then_some(primary).flatten(),
        };
        errors.update(|e| e.retain(|(k, _)| *k != key));
        spawn_local(async move {
            let path = format!("/counts/{id}/duplicates/{key}/resolve");
            match send::<ReviewGroup>(c, "POST", &path, &body).await {
                // Stays on this page until the next load, with its decision shown.
                Ok(new) => page.update(|p| {
                    if let Some(Ok(p)) = p {
                        if let Some(slot) =
                            p.items.iter_mut().find(|g| g.group.dedup_key == new.group.dedup_key)
                        {
                            count(&mut p.tally, slot.kind(), false);
                            count(&mut p.tally, new.kind(), true);
                            *slot = new;
                        }
                    }
                }),
                Err(e) => errors.update(|v| v.push((key, e.text(lang)))),
            }
        });
    };
    let on = move |action: &str, arg: &str| match action {
        "primary" => {
            if let Some((key, rid)) =
                arg.split_once('|').and_then(|(k, r)| Some((k.to_string(), r.parse::<Uuid>().ok()?)))
            {
                chosen.update_untracked(|v| {
                    v.retain(|(k, _)| *k != key);
                    v.push((key, rid));
                });
            }
        }
        "same" => resolve(arg.to_string(), Decision::SamePerson),
        "different" => resolve(arg.to_string(), Decision::DifferentPeople),
        _ => {}
    };
    let list = move || {
        let lang = c.l();
        let errs = errors.get();
        let ticked = chosen.get_untracked();
        page.with(|p| {
            let Some(p) = loaded(p) else { return String::new() };
            format!(
                "<p class=\"utrecht-paragraph\" data-testid=\"duplicates-summary\">{}</p>{}",
                html::esc(&summary(p, lang)),
                html::duplicate_groups(&p.items, &ticked, &errs, lang)
            )
        })
    };
    let tally = move |f: ReviewFilter| page.with(|p| loaded(p).map(|p| p.tally.of(f)));
    let filter_button = move |f: ReviewFilter| {
        view! {
            <button type="button" data-testid=format!("duplicates-filter-{}", f.code())
                class=move || if filter.get() == f { "utrecht-button utrecht-button--primary-action" } else { "utrecht-button utrecht-button--secondary-action" }
                aria-pressed=move || (filter.get() == f).to_string()
                on:click=move |_| { offset.set(0); filter.set(f); }>
                {move || match tally(f) {
                    Some(n) => format!("{} ({n})", filter_label(f, c.l())),
                    None => filter_label(f, c.l()).to_string(),
                }}
            </button>
        }
    };
    let training = move || page.with(|p| loaded(p).is_some_and(|p| p.training));
    let consistent = move || tally(ReviewFilter::Consistent).unwrap_or(0);
    let next = move || page.with(|p| loaded(p).and_then(|p| p.next_offset));
    view! {
        <section class="stack" aria-labelledby="dups-title">
            <h2 id="dups-title" class="utrecht-heading-2">{t!(c.lang, "Mogelijke dubbelingen", "Possible duplicates")}</h2>
            {move || training().then(|| training_banner(c.l()))}
            <p class="utrecht-paragraph muted">
                {t!(c.lang,
                    "Records met dezelfde dubbeltelsleutel (zelfde eerste letters van de naam, geboortedatum en geslacht) tellen als één persoon, tenzij u beslist dat het verschillende personen zijn. Groepen waarvan de records verschillen in categorie, gemeente, leeftijd of geslacht staan bovenaan; de verschillen zijn gemarkeerd. Het rapport volgt uw besluit meteen.",
                    "Records with the same duplicate key (same first letters of the names, birth date and gender) count as one person unless you decide they are different people. Groups whose records differ in category, municipality, age or gender come first; the differences are marked. The report follows your decision at once.")}
            </p>
            <div class="segmented no-print" role="group" aria-label=t!(c.lang, "Welke groepen", "Which groups")>
                {FILTERS.map(filter_button)}
            </div>
            <div class="button-bar no-print">
                <button type="button" class="utrecht-button utrecht-button--secondary-action" data-testid="duplicates-bulk"
                    disabled=move || consistent() == 0 on:click=move |_| bulk_open.set(true)>
                    {move || format!("{} ({})", tr(c.l(), "Alle groepen zonder verschillen: zelfde persoon", "All groups without differences: same person"), consistent())}
                </button>
            </div>
            <p class="utrecht-paragraph" role="status" data-testid="duplicates-message">{move || message.get()}</p>
            {move || page.with(|p| pending(p, c.l()))}
            {markup(c, Box::new(list), Box::new(on))}
            <div class="button-bar no-print">
                <button type="button" class="utrecht-button utrecht-button--secondary-action" data-testid="duplicates-previous"
                    disabled=move || offset.get() == 0 on:click=move |_| offset.update(|o| *o = o.saturating_sub(PAGE))>
                    {t!(c.lang, "Vorige", "Previous")}
                </button>
                <button type="button" class="utrecht-button utrecht-button--secondary-action" data-testid="duplicates-next"
                    disabled=move || next().is_none() on:click=move |_| if let Some(n) = next() { offset.set(n) }>
                    {t!(c.lang, "Volgende", "Next")}
                </button>
            </div>
        </section>
        {move || bulk_open.get().then(|| bulk_dialog(c, id, consistent(), bulk_open, message, reload))}
    }
}

/// Moves a group into (`add`) or out of a kind's tally.
fn count(tally: &mut ReviewTally, kind: ReviewFilter, add: bool) {
    let n = match kind {
        ReviewFilter::Conflicts => &mut tally.conflicts,
        ReviewFilter::Consistent => &mut tally.consistent,
        ReviewFilter::Decided | ReviewFilter::All => &mut tally.decided,
    };
    *n = if add { *n + 1 } else { n.saturating_sub(1) };
}

fn filter_label(f: ReviewFilter, lang: Lang) -> &'static str {
    match f {
        ReviewFilter::Conflicts => tr(lang, "Met verschillen", "With differences"),
        ReviewFilter::Consistent => tr(lang, "Zonder verschillen", "Without differences"),
        ReviewFilter::Decided => tr(lang, "Besloten", "Decided"),
        ReviewFilter::All => tr(lang, "Alle", "All"),
    }
}

/// "Groepen 1–50 van 146 · 10 met verschillen, 134 zonder, 2 besloten."
fn summary(p: &DuplicatePage, lang: Lang) -> String {
    let total = p.tally.of(p.filter);
    let (from, to) = (p.offset + 1, p.offset + p.items.len() as u64);
    let t = &p.tally;
    match lang {
        Lang::Nl if total == 0 => "Geen groepen.".into(),
        Lang::En if total == 0 => "No groups.".into(),
        Lang::Nl => format!(
            "Groepen {from}–{to} van {total} · {} met verschillen, {} zonder, {} besloten.",
            t.conflicts, t.consistent, t.decided
        ),
        Lang::En => format!(
            "Groups {from}–{to} of {total} · {} with differences, {} without, {} decided.",
            t.conflicts, t.consistent, t.decided
        ),
    }
}

fn bulk_dialog(
    c: Con,
    id: Uuid,
    n: u64,
    open: RwSignal<bool>,
    message: RwSignal<Option<String>>,
    reload: RwSignal<u32>,
) -> AnyView {
    let lang = c.l();
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let body = view! {
        <p class="utrecht-paragraph" data-testid="duplicates-bulk-text">
            {match lang {
                Lang::Nl => format!("Alle {n} groepen zonder besluit waarvan de records niet verschillen in categorie, gemeente, leeftijd en geslacht krijgen het besluit \"zelfde persoon\". Elk besluit komt in het logboek en kan per groep worden gewijzigd."),
                Lang::En => format!("All {n} undecided groups whose records do not differ in category, municipality, age and gender get the decision \"same person\". Each decision is in the audit log and can be changed per group."),
            }}
        </p>
    }
    .into_any();
    let confirm = Box::new(move || {
        busy.set(true);
        spawn_local(async move {
            let path = format!("/counts/{id}/duplicates/resolve-consistent");
            match send::<BulkResolved>(c, "POST", &path, &()).await {
                Ok(done) => {
                    message.set(Some(match lang {
                        Lang::Nl => format!("{} groepen besloten: zelfde persoon.", done.resolved),
                        Lang::En => format!("{} groups decided: same person.", done.resolved),
                    }));
                    open.set(false);
                    reload.update(|r| *r = r.wrapping_add(1));
                }
                Err(e) => error.set(Some(e.text(lang))),
            }
            busy.set(false);
        });
    });
    modal(
        c,
        tr(
            lang,
            "Alle groepen zonder verschillen: zelfde persoon",
            "All groups without differences: same person",
        )
        .into(),
        body,
        tr(lang, "Ja, zelfde persoon", "Yes, same person").into(),
        error,
        busy,
        ("confirm-ok", "confirm-cancel"),
        "modal-ok",
        confirm,
        Rc::new(move || open.set(false)),
    )
}
