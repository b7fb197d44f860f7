//! The record flow's state and its question screens (the person and the review have files
//! of their own).

use super::flow::{self, Branch, Step, SLEPT_WHERE};
use super::state::{ctx, t, Ctx};
use crate::i18n::tr;
use crate::platform;
use ethos_shared::municipality;
use ethos_shared::profile::{CareNeed, CareNeeds, Children};
use ethos_shared::record::{Origin, RegionCode};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The flow's own state. The identity fields live only here, in memory, while the screen is
/// open: they are never written anywhere.
#[derive(Clone, Copy)]
pub struct Flow {
    pub step: RwSignal<Step>,
    pub branch: RwSignal<Option<&'static Branch>>,
    pub back_to_review: RwSignal<bool>,
    pub first_name: RwSignal<String>,
    pub family_name: RwSignal<String>,
    pub birth_date: RwSignal<String>,
    pub errors: RwSignal<Vec<String>>,
}

impl Flow {
    pub fn go(self, step: Step) {
        self.step.set(step);
        self.branch.set(None);
        platform::scroll_top();
        platform::focus_by_id("question");
    }

    pub fn advance(self, c: Ctx) {
        let next = if self.back_to_review.get_untracked() {
            Step::Review
        } else {
            c.draft.with_untracked(|d| self.step.get_untracked().next(d))
        };
        self.go(next);
    }

    /// Whether Back leaves the record screen (on the first question, no sub-question open).
    pub fn at_start(self, c: Ctx) -> bool {
        self.branch.get_untracked().is_none()
            && c.draft.with_untracked(|d| self.step.get_untracked().prev(d)).is_none()
    }

    /// To the previous question (or out of the sub-question).
    pub fn back(self, c: Ctx) {
        if self.branch.get_untracked().is_some() {
            self.branch.set(None);
            return;
        }
        if let Some(prev) = c.draft.with_untracked(|d| self.step.get_untracked().prev(d)) {
            self.go(prev);
        }
    }
}

/// A big answer button; `selected` shows the current answer.
pub fn answer_button(
    label: String,
    small: Option<String>,
    selected: bool,
    testid: String,
    on_click: impl Fn() + 'static,
) -> AnyView {
    answer_button_dyn(label, small, selected, testid, Box::new(on_click))
}

/// Not generic, so the button's view code exists once in the binary.
fn answer_button_dyn(
    label: String,
    small: Option<String>,
    selected: bool,
    testid: String,
    on_click: Box<dyn Fn()>,
) -> AnyView {
    view! {
        <button
            type="button"
            class=if selected { "answer answer--selected" } else { "answer" }
            aria-pressed=selected.to_string()
            data-testid=testid
            on:click=move |_| on_click()
        >
            <span class="answer__label">{label}</span>
            {small.map(|s| view! { <span class="answer__code">{s}</span> })}
        </button>
    }
    .into_any()
}

pub fn living_step(c: Ctx, f: Flow) -> AnyView {
    view! {
        {move || {
            let lang = c.lang.get();
            let current = c.draft.with(|d| d.living_situation);
            match f.branch.get() {
                None => view! {
                    <div class="answers">
                        {SLEPT_WHERE.iter().map(|b| {
                            let selected = current.is_some_and(|s| b.situations.contains(&s));
                            let small = (b.situations.len() == 1).then(|| b.situations[0].code().to_string());
                            answer_button(b.label(lang).to_string(), small, selected, format!("branch-{}", b.id), move || {
                                if let [only] = b.situations {
                                    c.draft.update(|d| d.living_situation = Some(*only));
                                    f.advance(c);
                                } else {
                                    f.branch.set(Some(b));
                                    platform::scroll_top();
                                }
                            })
                        }).collect_view()}
                    </div>
                }.into_any(),
                Some(branch) => view! {
                    <p class="utrecht-paragraph sub-question">{branch.label(lang)}</p>
                    <div class="answers">
                        {branch.situations.iter().map(|s| {
                            let s = *s;
                            answer_button(s.label(lang).to_string(), Some(s.code().to_string()), current == Some(s), format!("situation-{}", s.code()), move || {
                                c.draft.update(|d| d.living_situation = Some(s));
                                f.advance(c);
                            })
                        }).collect_view()}
                    </div>
                }.into_any(),
            }
        }}
    }
    .into_any()
}

pub fn municipality_step(c: Ctx, f: Flow) -> AnyView {
    view! {
        {move || {
            let current = c.draft.with(|d| d.municipality.clone());
            view! {
                <div class="answers">
                    {municipality::region().map(|g| {
                        let code = g.code.clone();
                        let selected = current.as_ref().is_some_and(|m| m.as_str() == code);
                        answer_button(g.name.clone(), None, selected, format!("municipality-{code}"), move || {
                            if let Ok(region) = RegionCode::try_from(code.clone()) {
                                c.draft.update(|d| d.municipality = Some(region.clone()));
                                c.last_municipality.set(Some(region.clone()));
                                spawn_local(async move {
                                    let _ = platform::save_meta("municipality", &region).await;
                                });
                                f.advance(c);
                            }
                        })
                    }).collect_view()}
                </div>
            }
        }}
    }
    .into_any()
}

#[component]
pub fn OriginStep(f: Flow) -> impl IntoView {
    let c = ctx();
    let query = RwSignal::new(String::new());
    let choose = move |origin: Origin| {
        c.draft.update(|d| d.origin = Some(origin));
        f.advance(c);
    };
    let current = move || c.draft.with(|d| d.origin.clone());
    let same = move || {
        c.draft
            .with(|d| d.municipality.clone())
            .and_then(|m| municipality::by_code(m.as_str()).map(|g| (g.code.clone(), g.name.clone())))
    };
    view! {
        <div class="utrecht-form-field">
            <label class="utrecht-form-label" for="origin-search">{t!(c.lang, "Zoek een gemeente of plaats", "Search a municipality or place")}</label>
            <input
                id="origin-search"
                data-testid="origin-search"
                class="utrecht-textbox utrecht-textbox--html-input"
                type="search"
                autocomplete="off"
                prop:value=move || query.get()
                on:input=move |ev| query.set(event_target_value(&ev))
            />
        </div>
        <div class="answers" data-testid="origin-results" aria-live="polite">
            {move || {
                let q = query.get();
                let cur = current();
                municipality::search_origin(&q, 8).into_iter().map(|hit| {
                    let g = hit.gemeente;
                    let selected = matches!(&cur, Some(Origin::Municipality { code }) if code.as_str() == g.code);
                    let code = g.code.clone();
                    answer_button(hit.label(), Some(g.province.clone()), selected, format!("origin-{code}"), move || {
                        if let Ok(code) = code.clone().try_into() {
                            choose(Origin::Municipality { code });
                        }
                    })
                }).collect_view()
            }}
        </div>
        <div class="answers">
            {move || same().map(|(code, name)| {
                let selected = matches!(current(), Some(Origin::Municipality { code: ref c2 }) if c2.as_str() == code);
                let label = format!("{} ({name})", tr(c.lang.get(), "Zelfde als waar geteld", "Same as where counted"));
                answer_button(label, None, selected, "origin-same".into(), move || {
                    if let Ok(code) = code.clone().try_into() {
                        choose(Origin::Municipality { code });
                    }
                })
            })}
            {move || answer_button(tr(c.lang.get(), "Buitenland", "Abroad").into(), None, current() == Some(Origin::Abroad), "origin-abroad".into(), move || choose(Origin::Abroad))}
            {move || answer_button(tr(c.lang.get(), "Onbekend", "Unknown").into(), None, current() == Some(Origin::Unknown), "origin-unknown".into(), move || choose(Origin::Unknown))}
        </div>
    }
}

pub fn choice_step(c: Ctx, f: Flow, step: Step) -> AnyView {
    view! {
        {move || {
            let lang = c.lang.get();
            let current = c.draft.with(|d| flow::current_code(d, step));
            view! {
                <div class="answers">
                    {flow::choices(step, lang).into_iter().map(|(code, label)| {
                        answer_button(label.to_string(), None, current == Some(code), format!("answer-{code}"), move || {
                            c.draft.update(|d| {
                                flow::set_answer(d, step, code);
                            });
                            f.advance(c);
                        })
                    }).collect_view()}
                </div>
            }
        }}
    }
    .into_any()
}

pub fn children_step(c: Ctx, f: Flow) -> AnyView {
    view! {
        {move || {
            let lang = c.lang.get();
            let current = c.draft.with(|d| d.profile.children);
            let set = move |v: Children| {
                c.draft.update(|d| d.profile.children = v);
                f.advance(c);
            };
            view! {
                <div class="answers answers--numbers">
                    {(0..=Children::MAX).map(|n| {
                        answer_button(n.to_string(), None, current == Children::Count(n), format!("children-{n}"), move || set(Children::Count(n)))
                    }).collect_view()}
                </div>
                <div class="answers">
                    {answer_button(tr(lang, "Onbekend", "Unknown").into(), None, current == Children::Unknown, "children-unknown".into(), move || set(Children::Unknown))}
                </div>
            }
        }}
    }
    .into_any()
}

pub fn care_step(c: Ctx, f: Flow) -> AnyView {
    view! {
        {move || {
            let lang = c.lang.get();
            let current = c.draft.with(|d| d.profile.care_needs.clone());
            let toggle = move |need: CareNeed| {
                c.draft.update(|d| {
                    let mut needs = match &d.profile.care_needs {
                        CareNeeds::Needs(n) => n.clone(),
                        _ => Vec::new(),
                    };
                    if let Some(i) = needs.iter().position(|n| *n == need) {
                        needs.remove(i);
                    } else {
                        needs.push(need);
                    }
                    needs.sort();
                    d.profile.care_needs = if needs.is_empty() { CareNeeds::Unknown } else { CareNeeds::Needs(needs) };
                });
            };
            let only = move |v: CareNeeds| {
                c.draft.update(|d| d.profile.care_needs = v);
                f.advance(c);
            };
            view! {
                <div class="answers">
                    {CareNeed::ALL.iter().map(|n| {
                        let n = *n;
                        let selected = matches!(&current, CareNeeds::Needs(v) if v.contains(&n));
                        answer_button(n.label(lang).to_string(), None, selected, format!("care-{}", n.code()), move || toggle(n))
                    }).collect_view()}
                </div>
                <div class="answers">
                    {answer_button(tr(lang, "Geen zorgbehoefte", "No care needs").into(), None, current == CareNeeds::None, "care-none".into(), move || only(CareNeeds::None))}
                    {answer_button(tr(lang, "Onbekend", "Unknown").into(), None, current == CareNeeds::Unknown, "care-unknown".into(), move || only(CareNeeds::Unknown))}
                </div>
                <button type="button" class="utrecht-button utrecht-button--primary-action big-button" data-testid="care-next" on:click=move |_| f.advance(c)>
                    {tr(lang, "Verder", "Next")}
                </button>
            }
        }}
    }
    .into_any()
}
