//! The leaf every markup module builds on: escaping, the HTML builder, and how times, counts
//! and ids read.

use crate::console::model::*;
use crate::i18n::tr;
use chrono::{DateTime, Local, NaiveDate, Utc};
use ethos_shared::count::CountStatus;
use ethos_shared::municipality;
use ethos_shared::Lang;
use uuid::Uuid;

/// Escapes text for HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// An HTML text under construction.
#[derive(Default)]
pub struct Html(pub(super) String);

impl Html {
    pub fn new() -> Self {
        Html(String::with_capacity(4096))
    }

    /// Opens `tag` with attributes (values escaped).
    pub fn open(&mut self, tag: &str, attrs: &[(&str, &str)]) -> &mut Self {
        self.0.push('<');
        self.0.push_str(tag);
        for (name, value) in attrs {
            self.0.push(' ');
            self.0.push_str(name);
            self.0.push_str("=\"");
            self.0.push_str(&esc(value));
            self.0.push('"');
        }
        self.0.push('>');
        self
    }

    pub fn close(&mut self, tag: &str) -> &mut Self {
        self.0.push_str("</");
        self.0.push_str(tag);
        self.0.push('>');
        self
    }

    /// Escaped text.
    pub fn text(&mut self, s: &str) -> &mut Self {
        self.0.push_str(&esc(s));
        self
    }

    /// Opens the `<svg>` of a chart: `width` × `height` user units, its content said in `label`
    /// for screen readers.
    pub fn chart_svg(&mut self, width: &str, height: &str, label: &str) -> &mut Self {
        self.open(
            "svg",
            &[
                ("xmlns", "http://www.w3.org/2000/svg"),
                ("class", "chart__svg"),
                ("width", width),
                ("height", height),
                ("viewBox", &format!("0 0 {width} {height}")),
                ("role", "img"),
                ("aria-label", label),
            ],
        )
    }

    /// An element without content (`<circle …></circle>`).
    pub fn empty(&mut self, tag: &str, attrs: &[(&str, &str)]) -> &mut Self {
        self.open(tag, attrs).close(tag)
    }

    /// Markup made by another function of this module (already escaped).
    pub fn markup(&mut self, s: &str) -> &mut Self {
        self.0.push_str(s);
        self
    }

    /// `<tag attrs>text</tag>`.
    pub fn el(&mut self, tag: &str, attrs: &[(&str, &str)], text: &str) -> &mut Self {
        self.open(tag, attrs).text(text).close(tag)
    }

    pub fn finish(self) -> String {
        self.0
    }

    /// A table with a caption and column headings (`(heading, numeric)`); rows follow.
    pub(super) fn table(
        &mut self,
        class: &str,
        testid: &str,
        caption: &str,
        hide_caption: bool,
        head: &[(&str, bool)],
    ) -> &mut Self {
        self.open("table", &[("class", class), ("data-testid", testid)]);
        self.el("caption", if hide_caption { &[("class", "visually-hidden")] } else { &[] }, caption);
        self.open("thead", &[]).open("tr", &[]);
        for (h, num) in head {
            self.el("th", &[("scope", "col"), ("class", if *num { "num" } else { "" })], h);
        }
        self.close("tr").close("thead").open("tbody", &[])
    }

    pub(super) fn end_table(&mut self) -> &mut Self {
        self.close("tbody").close("table")
    }

    pub(super) fn td(&mut self, text: &str) -> &mut Self {
        self.el("td", &[], text)
    }

    pub(super) fn td_num(&mut self, text: &str) -> &mut Self {
        self.el("td", &[("class", "num")], text)
    }

    pub(super) fn th_row(&mut self, text: &str) -> &mut Self {
        self.el("th", &[("scope", "row")], text)
    }

    /// A button handled by the page's listener.
    pub(super) fn button(
        &mut self,
        class: &str,
        testid: &str,
        action: &str,
        arg: &str,
        label: &str,
    ) -> &mut Self {
        self.el(
            "button",
            &[
                ("type", "button"),
                ("class", class),
                ("data-testid", testid),
                ("data-action", action),
                ("data-arg", arg),
            ],
            label,
        )
    }

    /// The two download buttons under a table: CSV, and CSV for Dutch Excel (`;`). Their
    /// test ids are `{prefix}-csv-{table}` and `{prefix}-csv-excel-{table}`.
    pub(super) fn csv_links(&mut self, prefix: &str, table: &str, lang: Lang) -> &mut Self {
        self.open("p", &[("class", "csv-links no-print")]);
        self.button("link-button", &format!("{prefix}-csv-{table}"), "csv", table, "CSV");
        self.text(" · ");
        self.button(
            "link-button",
            &format!("{prefix}-csv-excel-{table}"),
            "csv-excel",
            table,
            tr(lang, "CSV voor Excel (;)", "CSV for Excel (;)"),
        );
        self.close("p")
    }

    /// A link inside the console (the listener navigates without a reload).
    pub(super) fn link(&mut self, href: &str, testid: &str, label: &str) -> &mut Self {
        self.el(
            "a",
            &[("href", href), ("data-testid", testid), ("data-action", "nav"), ("data-arg", href)],
            label,
        )
    }

    pub(super) fn figure(&mut self, label: &str, value: &str, testid: &str) -> &mut Self {
        self.open("div", &[("class", "figure"), ("data-testid", testid)]);
        self.el("span", &[("class", "figure__n")], value);
        self.el("span", &[("class", "figure__label")], label);
        self.close("div")
    }
}

// ---------------------------------------------------------------- formats

/// `15-10-2026 22:40` in local time.
pub fn when(t: DateTime<Utc>) -> String {
    t.with_timezone(&Local).format("%d-%m-%Y %H:%M").to_string()
}

pub fn day(d: NaiveDate) -> String {
    d.format("%d-%m-%Y").to_string()
}

/// `12 min geleden`, `3 uur geleden`.
pub fn ago(t: DateTime<Utc>, now: DateTime<Utc>, lang: Lang) -> String {
    let mins = (now - t).num_minutes().max(0);
    match (mins, lang) {
        (0, _) => tr(lang, "zojuist", "just now").into(),
        (m, Lang::Nl) if m < 120 => format!("{m} min geleden"),
        (m, Lang::En) if m < 120 => format!("{m} min ago"),
        (m, Lang::Nl) => format!("{} uur geleden", m / 60),
        (m, Lang::En) => format!("{} h ago", m / 60),
    }
}

pub fn place(code: &str) -> String {
    municipality::by_code(code).map(|g| g.name.clone()).unwrap_or_else(|| code.to_string())
}

/// `one` for 1, else `many`.
pub fn plural(n: u64, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 {
        one
    } else {
        many
    }
}

/// `1 groep` / `3 groepen` (`1 group` / `3 groups`).
pub fn groups(n: u64, lang: Lang) -> String {
    match lang {
        Lang::Nl => format!("{} {}", num(n, lang), plural(n, "groep", "groepen")),
        Lang::En => format!("{} {}", num(n, lang), plural(n, "group", "groups")),
    }
}

/// The last 8 hex digits of an id: the random part of a UUID v7 (its first digits are a
/// timestamp, the same for every record made within about a minute).
pub fn short(id: Uuid) -> String {
    let text = id.simple().to_string();
    text[text.len() - 8..].to_string()
}

pub fn badge_class(status: CountStatus) -> &'static str {
    match status {
        CountStatus::Training => "utrecht-status-badge utrecht-status-badge--warning",
        CountStatus::Live => "utrecht-status-badge utrecht-status-badge--safe",
        CountStatus::Locked => "utrecht-status-badge utrecht-status-badge--danger",
    }
}

/// A whole number of persons from an estimate figure (internal figures have decimals).
pub fn persons(x: f64, lang: Lang) -> String {
    num(x.max(0.0).round() as u64, lang)
}

/// "A, B en C" / "A, B and C".
pub fn listing(items: &[String], lang: Lang) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} {} {last}", rest.join(", "), tr(lang, "en", "and")),
    }
}
