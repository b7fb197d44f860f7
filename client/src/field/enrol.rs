//! The enrolment screen: the team code, typed or from the link.

use super::state::{ctx, t, Screen};
use super::sync::enrol;
use crate::i18n::{enroll_error, tr};
use crate::platform;
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn EnrolScreen() -> impl IntoView {
    let c = ctx();
    let error = c.enrol_error;
    let busy = RwSignal::new(false);
    let submit = move || {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let e = enrol(c).await;
            error.set(e);
            busy.set(false);
        });
    };
    let enrolled = move || c.enrolment.with(Option::is_some);
    // Safari may clear a site's storage after days without use; an app on the home screen has
    // storage of its own. So on an iPhone the counter enrols there, not in Safari.
    let ios_browser = platform::is_ios_browser();
    view! {
        <section class="screen" aria-labelledby="enrol-title">
            <h1 id="enrol-title" class="utrecht-heading-1">{t!(c.lang, "Aanmelden", "Enrol")}</h1>
            {ios_browser.then(|| view! {
                <div class="utrecht-alert utrecht-alert--warning" role="note" data-testid="ios-home-screen">
                    <p class="utrecht-paragraph">
                        <strong>{t!(c.lang, "Zet op beginscherm", "Add to Home Screen")}</strong>
                        <br/>
                        {t!(c.lang,
                            "Op een iPhone of iPad: tik in Safari op Deel (het vierkantje met de pijl) en kies \"Zet op beginscherm\". Open de app daarna vanaf het beginscherm en meld je daar aan. Alleen dan bewaart de telefoon je records veilig.",
                            "On an iPhone or iPad: in Safari tap Share (the square with the arrow) and choose \"Add to Home Screen\". Then open the app from the home screen and enrol there. Only then does the phone keep your records safely.")}
                    </p>
                </div>
            })}
            <p class="utrecht-paragraph">
                {t!(c.lang,
                    "Vul de teamcode in die je van je coördinator kreeg, of open de link of QR-code.",
                    "Type the team code your coordinator gave you, or open the link or QR code.")}
            </p>
            <Show when=enrolled>
                <p class="utrecht-paragraph utrecht-paragraph--small">
                    {t!(c.lang,
                        "Deze telefoon is al aangemeld. Records die nog niet verzonden zijn blijven bewaard.",
                        "This phone is already enrolled. Records not yet sent are kept.")}
                </p>
            </Show>
            <form
                class="stack"
                on:submit=move |ev| {
                    ev.prevent_default();
                    submit();
                }
            >
                <div class="utrecht-form-field">
                    <label class="utrecht-form-label" for="enroll-code">{t!(c.lang, "Teamcode", "Team code")}</label>
                    <input
                        id="enroll-code"
                        data-testid="enroll-code"
                        class="utrecht-textbox utrecht-textbox--html-input code-input"
                        type="text"
                        autocomplete="off"
                        autocapitalize="characters"
                        spellcheck="false"
                        placeholder="XXXX-XXXX"
                        aria-describedby="enroll-error"
                        prop:value=move || c.enrol_code.get()
                        on:input=move |ev| c.enrol_code.set(event_target_value(&ev))
                    />
                </div>
                <p id="enroll-error" class="form-error" role="alert" data-testid="enroll-error">
                    {move || error.get().map(|code| enroll_error(&code, c.lang.get()))}
                </p>
                <button
                    type="submit"
                    id="enroll-submit"
                    data-testid="enroll-submit"
                    class="utrecht-button utrecht-button--primary-action big-button"
                    aria-busy=move || busy.get().to_string()
                >
                    {move || if busy.get() { tr(c.lang.get(), "Bezig met aanmelden…", "Enrolling…") } else { tr(c.lang.get(), "Aanmelden", "Enrol") }}
                </button>
                <Show when=enrolled>
                    <button type="button" class="utrecht-button utrecht-button--subtle" on:click=move |_| c.screen.set(Screen::Home)>
                        {t!(c.lang, "Terug", "Back")}
                    </button>
                </Show>
            </form>
            <p class="utrecht-paragraph utrecht-paragraph--small footnote">
                <a href="/console" class="console-link" data-testid="console-link">{t!(c.lang, "Coördinator", "Coordinator")}</a>
            </p>
        </section>
    }
}
