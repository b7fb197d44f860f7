//! What the field app and the desk share around their screens: one tab at a time, a sync when
//! the connection comes back, the document's language, and the language switch of the top bar.

use super::outbox::Trigger;
use super::state::{ctx, set_lang, Ctx, Screen};
use super::sync::run_sync;
use crate::platform;
use ethos_shared::Lang;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Wires the events both pages answer the same way: opened in another tab (this one then goes
/// passive), back online (sync), and the language chosen (the document's `lang` follows).
pub fn wire(c: Ctx) {
    platform::claim_tab(move || {
        c.passive.set(true);
        c.screen.set(Screen::Elsewhere);
    });
    platform::on_online(move || spawn_local(run_sync(c, Trigger::Online)));
    Effect::new(move |_| {
        platform::set_document_lang(match c.lang.get() {
            Lang::Nl => "nl",
            Lang::En => "en",
        })
    });
}

/// The top bar's button to the other language, named in that language.
#[component]
pub fn LangSwitch() -> impl IntoView {
    let c = ctx();
    view! {
        <button
            type="button"
            id="lang-switch"
            data-testid="lang-switch"
            class="utrecht-button utrecht-button--subtle topbar__lang"
            lang=move || if c.lang.get() == Lang::Nl { "en" } else { "nl" }
            on:click=move |_| set_lang(c, if c.lang.get_untracked() == Lang::Nl { Lang::En } else { Lang::Nl })
        >
            {move || if c.lang.get() == Lang::Nl { "English" } else { "Nederlands" }}
        </button>
    }
}
