//! The spreadsheet way of the desk: a file of many people read in the browser. (A first
//! outline: the panel says what the way is for; reading files comes with its own module.)

#[cfg(target_arch = "wasm32")]
use crate::field::state::{ctx, t};
#[cfg(target_arch = "wasm32")]
use leptos::prelude::*;

/// The spreadsheet panel of the desk page.
#[cfg(target_arch = "wasm32")]
#[component]
pub fn SheetPanel() -> impl IntoView {
    let c = ctx();
    view! {
        <section class="desk-panel" data-testid="sheet-panel" aria-labelledby="sheet-title">
            <h2 id="sheet-title" class="utrecht-heading-2">{t!(c.lang, "Spreadsheet", "Spreadsheet")}</h2>
            <p class="utrecht-paragraph">
                {t!(c.lang,
                    "Hier zet je straks een bestand met veel personen in de wachtrij.",
                    "Here you will put a file with many people in the queue.")}
            </p>
        </section>
    }
}
