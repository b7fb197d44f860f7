//! Logging in.

use crate::console::api::*;
use crate::console::kit::*;
use crate::console::model::*;
use crate::console::state::*;
use crate::i18n::tr;
use crate::platform;
use ethos_shared::api::{LoginRequest, LoginResponse};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

// ---------------------------------------------------------------- login

#[component]
pub(crate) fn LoginPage() -> impl IntoView {
    let c = con();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    platform::set_title("ETHOS-telling · inloggen");
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let lang = c.lang.get_untracked();
        let req = LoginRequest {
            username: username.get_untracked().trim().to_string(),
            password: password.get_untracked(),
        };
        if req.username.is_empty() || req.password.is_empty() {
            error.set(Some(
                tr(lang, "Vul gebruikersnaam en wachtwoord in.", "Fill in username and password.").into(),
            ));
            return;
        }
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match send::<LoginResponse>(c, "POST", "/login", &req).await {
                Ok(r) => {
                    let s = Session {
                        token: r.token,
                        role: r.role,
                        expires_at: r.expires_at,
                        username: req.username,
                    };
                    store_session(&s);
                    c.notice.set(None);
                    c.session.set(Some(s));
                    platform::focus_by_id("main");
                }
                Err(f) => {
                    error.set(Some(login_error(f.status, f.retry_after, lang)));
                    password.set(String::new());
                    platform::focus_by_id("login-password");
                }
            }
            busy.set(false);
        });
    };
    view! {
        <section class="console-login card" aria-labelledby="login-title">
            <h1 id="login-title" class="utrecht-heading-1">{t!(c.lang, "Inloggen coördinatie", "Console login")}</h1>
            {move || c.notice.get().map(|n| view! {
                <div class="utrecht-alert utrecht-alert--info" role="status" data-testid="login-notice"><p class="utrecht-paragraph">{n}</p></div>
            })}
            <form class="stack" on:submit=submit>
                {move || field(tr(c.l(), "Gebruikersnaam", "Username").into(), "login-username", "text", username, "username")}
                {move || field(tr(c.l(), "Wachtwoord", "Password").into(), "login-password", "password", password, "current-password")}
                <p class="form-error" role="alert" data-testid="login-error">{move || error.get()}</p>
                <button type="submit" class="utrecht-button utrecht-button--primary-action" data-testid="login-submit"
                    aria-busy=move || busy.get().to_string()>
                    {move || if busy.get() { tr(c.l(), "Bezig…", "Logging in…") } else { tr(c.l(), "Inloggen", "Log in") }}
                </button>
            </form>
            <p class="utrecht-paragraph muted">
                {t!(c.lang, "Accounts maakt de beheerder aan met ", "Accounts are made by the administrator with ")}
                <code>"ethos user add"</code>"."
            </p>
        </section>
    }
}
