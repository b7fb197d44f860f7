//! The console's read-only markup — tables, bar charts, QR codes, the report — written as
//! escaped HTML text and set with `inner_html`. Why not `view!`: every typed leptos view is
//! code of its own in the one wasm file that phones download too; a string builder per table
//! costs a fraction of that (see the size note in `console`). Every text and attribute value
//! passes through [`esc`]; markup is fixed text in this file. Buttons and links carry
//! `data-action` / `data-arg`; each page has one listener that reads them (`platform::action_of`).
//! No `style` attribute anywhere: the Content-Security-Policy forbids them; classes are in app.css.

pub mod audit;
mod chart;
pub mod comparison;
pub mod estimate;
mod estimate_svg;
mod label;
pub mod report;

use crate::console_model::*;
use crate::i18n::tr;
use chrono::{DateTime, Local, NaiveDate, Utc};
use ethos_shared::api::{Count, Decision, DuplicateGroup, Invite, StoredRecord};
use ethos_shared::count::CountStatus;
use ethos_shared::municipality;
use ethos_shared::Lang;
use uuid::Uuid;

pub use chart::bar_chart;

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
pub struct Html(String);

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
    fn table(
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

    fn end_table(&mut self) -> &mut Self {
        self.close("tbody").close("table")
    }

    fn td(&mut self, text: &str) -> &mut Self {
        self.el("td", &[], text)
    }

    fn td_num(&mut self, text: &str) -> &mut Self {
        self.el("td", &[("class", "num")], text)
    }

    fn th_row(&mut self, text: &str) -> &mut Self {
        self.el("th", &[("scope", "row")], text)
    }

    /// A button handled by the page's listener.
    fn button(&mut self, class: &str, testid: &str, action: &str, arg: &str, label: &str) -> &mut Self {
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
    fn csv_links(&mut self, prefix: &str, table: &str, lang: Lang) -> &mut Self {
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
    fn link(&mut self, href: &str, testid: &str, label: &str) -> &mut Self {
        self.el(
            "a",
            &[("href", href), ("data-testid", testid), ("data-action", "nav"), ("data-arg", href)],
            label,
        )
    }

    fn figure(&mut self, label: &str, value: &str, testid: &str) -> &mut Self {
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

fn place(code: &str) -> String {
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

// ---------------------------------------------------------------- counts, devices, codes

pub fn counts_table(list: &[Count], lang: Lang) -> String {
    let mut h = Html::new();
    h.table(
        "data-table",
        "counts-table",
        tr(lang, "Alle tellingen", "All counts"),
        true,
        &[
            (tr(lang, "Naam", "Name"), false),
            (tr(lang, "Peildatum", "Reference date"), false),
            (tr(lang, "Teltijd", "Count window"), false),
            (tr(lang, "Status", "Status"), false),
        ],
    );
    for n in list {
        let id = n.id.to_string();
        h.open("tr", &[("data-testid", "count-row"), ("data-id", &id)]);
        h.open("td", &[]).link(&Route::Count(n.id, None).path(), "count-open", &n.name).close("td");
        h.td(&day(n.reference_date));
        h.td(&format!("{} – {}", when(n.starts_at.to_utc()), when(n.ends_at.to_utc())));
        h.open("td", &[]);
        h.el(
            "span",
            &[
                ("class", badge_class(n.status)),
                ("data-testid", "count-status"),
                ("data-status", n.status.code()),
            ],
            n.status.label(lang),
        );
        h.close("td").close("tr");
    }
    h.end_table();
    h.finish()
}

/// The phones of a count (already in the order to show), unsent records flagged.
pub fn devices_table(list: &[Device], lang: Lang, testid: &str, now: DateTime<Utc>) -> String {
    let mut h = Html::new();
    if list.is_empty() {
        h.el(
            "p",
            &[("class", "utrecht-paragraph muted"), ("data-testid", testid)],
            tr(lang, "Nog geen telefoons aangemeld.", "No phones enrolled yet."),
        );
        return h.finish();
    }
    h.open("div", &[("class", "table-scroll")]);
    h.table(
        "data-table",
        testid,
        tr(lang, "Telefoons, langst zonder contact eerst", "Phones, longest without contact first"),
        false,
        &[
            (tr(lang, "Telefoon", "Phone"), false),
            (tr(lang, "Organisatie", "Organisation"), false),
            (tr(lang, "Laatste contact", "Last contact"), false),
            (tr(lang, "Niet verzonden", "Unsent"), true),
            (tr(lang, "Status", "Status"), false),
        ],
    );
    for d in list {
        let risky = d.holds_unsynced();
        h.open("tr", &[("data-testid", "device-row"), ("class", if risky { "row-warning" } else { "" })]);
        // The label the counter gave, and always the short id: labels repeat ("voorbeeldtoestel").
        let name = match d.label.as_deref().filter(|l| !l.is_empty()) {
            Some(label) => format!("{label} · {}", short(d.id)),
            None => short(d.id),
        };
        h.open("td", &[]).el("span", &[("class", "code")], &name).close("td");
        h.td(&format!("{} · {}", d.organisation, d.organisation_type.label(lang)));
        h.td(&match d.last_seen_at {
            Some(t) => format!("{} ({})", when(t), ago(t, now, lang)),
            // Enrolled, but nothing sent yet (the phone may have asked for its count's status).
            None => tr(lang, "nog niets verzonden", "nothing sent yet").into(),
        });
        h.td_num(&match d.unsynced {
            Some(n) if risky => format!("⚠ {n}"),
            Some(n) => n.to_string(),
            None => "–".into(),
        });
        h.td(if d.revoked { tr(lang, "afgemeld", "revoked") } else { tr(lang, "actief", "active") });
        h.close("tr");
    }
    h.end_table().close("div");
    h.finish()
}

/// `active`, `revoked`, `expired` or `closed` (its count is locked: no phone can enrol or sync
/// with it any more), and the word for it.
pub fn invite_state(
    i: &Invite,
    count_locked: bool,
    now: DateTime<Utc>,
    lang: Lang,
) -> (&'static str, &'static str) {
    if i.revoked_at.is_some() {
        ("revoked", tr(lang, "ingetrokken", "revoked"))
    } else if i.expires_at.is_some_and(|t| t < now) {
        ("expired", tr(lang, "verlopen", "expired"))
    } else if count_locked {
        ("closed", tr(lang, "werkt niet meer (telling gesloten)", "no longer works (count locked)"))
    } else {
        ("active", tr(lang, "actief", "active"))
    }
}

pub fn invites_table(
    list: &[Invite],
    count_locked: bool,
    selected: Option<Uuid>,
    now: DateTime<Utc>,
    lang: Lang,
) -> String {
    let mut h = Html::new();
    if list.is_empty() {
        h.el(
            "p",
            &[("class", "utrecht-paragraph"), ("data-testid", "invites-empty")],
            tr(lang, "Nog geen teamcodes.", "No team codes yet."),
        );
        return h.finish();
    }
    h.table(
        "data-table",
        "invites-table",
        tr(lang, "Teamcodes van deze telling", "Team codes of this count"),
        true,
        &[
            (tr(lang, "Code", "Code"), false),
            (tr(lang, "Organisatie", "Organisation"), false),
            (tr(lang, "Status", "Status"), false),
            (tr(lang, "Acties", "Actions"), true),
        ],
    );
    for i in list {
        let (state, word) = invite_state(i, count_locked, now, lang);
        let id = i.id.to_string();
        let class = if selected == Some(i.id) { "row-selected" } else { "" };
        h.open(
            "tr",
            &[("data-testid", "invite-row"), ("data-state", state), ("data-code", &i.code), ("class", class)],
        );
        h.open("td", &[])
            .el("span", &[("class", "team-code"), ("data-testid", "invite-code")], &i.code)
            .close("td");
        h.open("td", &[]).text(&i.organisation).open("br", &[]);
        h.el("span", &[("class", "muted")], i.organisation_type.label(lang)).close("td");
        h.td(word);
        h.open("td", &[("class", "actions")]);
        if state == "active" {
            h.button(
                "utrecht-button utrecht-button--secondary-action",
                "invite-show-qr",
                "qr",
                &id,
                tr(lang, "Toon QR", "Show QR"),
            );
            h.button(
                "utrecht-button utrecht-button--subtle",
                "invite-revoke",
                "revoke",
                &id,
                tr(lang, "Intrekken", "Revoke"),
            );
        }
        h.close("td").close("tr");
    }
    h.end_table();
    h.finish()
}

/// A QR code of `text` as an inline SVG (one path; 4 modules of quiet zone).
pub fn qr_svg(text: &str, testid: &str) -> String {
    let Some((width, d)) = qr_path(text) else { return String::new() };
    let size = (width + 8).to_string();
    let mut h = Html::new();
    h.open(
        "svg",
        &[
            ("xmlns", "http://www.w3.org/2000/svg"),
            ("class", "qr"),
            ("data-testid", testid),
            ("viewBox", &format!("-4 -4 {size} {size}")),
            ("role", "img"),
            ("aria-label", &format!("QR-code: {text}")),
            ("shape-rendering", "crispEdges"),
        ],
    );
    h.open("rect", &[("x", "-4"), ("y", "-4"), ("width", &size), ("height", &size), ("fill", "#fff")])
        .close("rect");
    h.open("path", &[("d", &d), ("fill", "#000")]).close("path");
    h.close("svg");
    h.finish()
}

/// The detail of one team code: organisation, the code as text and as QR code.
pub fn invite_detail(i: &Invite, origin: &str, lang: Lang) -> String {
    let mut h = Html::new();
    h.open("div", &[("class", "card stack"), ("data-testid", "invite-detail")]);
    h.el("h2", &[("class", "utrecht-heading-2")], &i.organisation);
    h.el("p", &[("class", "team-code team-code--big"), ("data-testid", "invite-detail-code")], &i.code);
    h.0.push_str(&qr_svg(&enrol_url(origin, &i.code), "invite-qr"));
    h.open("p", &[("class", "utrecht-paragraph muted")]);
    h.text(tr(
        lang,
        "Scan met de camera van de telefoon, of open ",
        "Scan with the phone's camera, or open ",
    ));
    h.el("span", &[("class", "code")], &format!("{}/enroll", origin.trim_end_matches('/')));
    h.text(tr(lang, " en typ de code.", " and type the code."));
    h.close("p").close("div");
    h.finish()
}

/// Every active code on cards to print and hand out.
pub fn code_sheet(
    list: &[Invite],
    count: (&str, bool),
    origin: &str,
    now: DateTime<Utc>,
    lang: Lang,
) -> String {
    let (count_name, count_locked) = count;
    let mut h = Html::new();
    let active: Vec<&Invite> =
        list.iter().filter(|i| invite_state(i, count_locked, now, lang).0 == "active").collect();
    h.el(
        "h2",
        &[("class", "utrecht-heading-2")],
        &format!("{} · {count_name}", tr(lang, "Teamcodes", "Team codes")),
    );
    if active.is_empty() {
        let none = if count_locked {
            tr(
                lang,
                "De telling is gesloten: geen code werkt nog.",
                "The count is locked: no code works any more.",
            )
        } else {
            tr(lang, "Geen actieve codes.", "No active codes.")
        };
        h.el("p", &[("class", "utrecht-paragraph")], none);
        return h.finish();
    }
    h.open("div", &[("class", "code-sheet"), ("data-testid", "code-sheet")]);
    for i in active {
        h.open("article", &[("class", "code-card"), ("data-testid", "code-card")]);
        h.el("h3", &[("class", "code-card__org")], &i.organisation);
        h.el("p", &[("class", "muted")], i.organisation_type.label(lang));
        h.0.push_str(&qr_svg(&enrol_url(origin, &i.code), "code-card-qr"));
        h.el("p", &[("class", "team-code team-code--big")], &i.code);
        h.open("p", &[("class", "code-card__help")]);
        h.text(tr(
            lang,
            "Scan de QR-code met de camera van je telefoon, of ga naar ",
            "Scan the QR code with your phone's camera, or go to ",
        ));
        h.el("strong", &[], &format!("{}/enroll", origin.trim_end_matches('/')));
        h.text(tr(lang, " en vul de teamcode in.", " and type the team code."));
        h.close("p").close("article");
    }
    h.close("div");
    h.finish()
}

// ---------------------------------------------------------------- charts and dashboard

/// The figures and charts of the live dashboard.
pub fn dashboard(b: &Dashboard, lang: Lang) -> String {
    let mut h = Html::new();
    h.open("div", &[("class", "figures")]);
    h.figure(tr(lang, "records meegeteld", "records counted"), &num(b.records_counted, lang), "dash-counted");
    h.figure(
        tr(lang, "personen (na ontdubbelen)", "persons (deduplicated)"),
        &b.persons_total.map_or_else(|| "–".into(), |p| num(p, lang)),
        "dash-persons",
    );
    h.figure(tr(lang, "oefenrecords", "training records"), &num(b.records_training, lang), "dash-training");
    h.figure(tr(lang, "ongeldig verklaard", "voided"), &num(b.records_void, lang), "dash-void");
    h.figure(
        tr(lang, "telefoons aangemeld", "phones enrolled"),
        &num(b.devices_enrolled, lang),
        "dash-devices",
    );
    h.figure(
        tr(lang, "telefoons actief (laatste uur)", "phones active (last hour)"),
        &num(b.devices_seen_last_hour, lang),
        "dash-active",
    );
    h.close("div").open("div", &[("class", "charts")]);
    let orgs: Vec<_> = b
        .by_organisation
        .iter()
        .map(|o| {
            (
                format!("{} ({})", o.organisation, o.organisation_type.label(lang)),
                Some(o.records),
                num(o.records, lang),
            )
        })
        .collect();
    let places: Vec<_> = b
        .by_municipality
        .iter()
        .map(|m| (place(&m.municipality), Some(m.records), num(m.records, lang)))
        .collect();
    let hours: Vec<_> = b
        .by_hour
        .iter()
        .map(|x| {
            let label = x
                .hour
                .parse::<DateTime<Utc>>()
                .map(|t| t.with_timezone(&Local).format("%d-%m %H:00").to_string())
                .unwrap_or_else(|_| x.hour.clone());
            (label, Some(x.records), num(x.records, lang))
        })
        .collect();
    h.0.push_str(&bar_chart(
        tr(lang, "Records per organisatie", "Records per organisation"),
        &orgs,
        "dash-chart-organisation",
    ));
    h.0.push_str(&bar_chart(
        tr(lang, "Records per gemeente", "Records per municipality"),
        &places,
        "dash-chart-municipality",
    ));
    h.0.push_str(&bar_chart(
        tr(lang, "Records per uur (waarneming)", "Records per hour (observed)"),
        &hours,
        "dash-chart-hour",
    ));
    h.close("div");
    h.finish()
}

// ---------------------------------------------------------------- records, duplicates

/// What the records table shows: `shown` rows of the `loaded` ones (fewer while searching),
/// of the count's `total` if known, and in what order (the order of `GET …/records`).
pub fn records_summary(
    shown: usize,
    loaded: usize,
    total: Option<u64>,
    lang: Lang,
) -> (String, &'static str) {
    let (shown, loaded) = (num(shown as u64, lang), num(loaded as u64, lang));
    let count = match (total.map(|t| num(t, lang)), shown == loaded, lang) {
        (Some(t), true, Lang::Nl) => format!("{loaded} van {t} records geladen."),
        (Some(t), true, Lang::En) => format!("{loaded} of {t} records loaded."),
        (Some(t), false, Lang::Nl) => format!("{shown} gevonden in de {loaded} geladen records (van {t})."),
        (Some(t), false, Lang::En) => format!("{shown} found in the {loaded} loaded records (of {t})."),
        (None, true, Lang::Nl) => format!("{loaded} records geladen."),
        (None, true, Lang::En) => format!("{loaded} records loaded."),
        (None, false, Lang::Nl) => format!("{shown} gevonden in de {loaded} geladen records."),
        (None, false, Lang::En) => format!("{shown} found in the {loaded} loaded records."),
    };
    // Record ids made by the field app start with the time the record was saved (UUID v7).
    let order = tr(
        lang,
        "Volgorde: op het volledige record-id, oplopend, zoals de server ze levert (niet op tijdstip van waarneming). Bij records uit de veld-app is dat ongeveer de volgorde van invoer.",
        "Order: by the full record id, ascending, as the server sends them (not by time observed). For records from the field app that is about the order in which they were entered.",
    );
    (count, order)
}

pub fn records_table(rows: &[&StoredRecord], coordinator: bool, lang: Lang) -> String {
    let mut h = Html::new();
    h.open("div", &[("class", "table-scroll")]);
    h.table(
        "data-table data-table--compact",
        "records-table",
        tr(lang, "Records van deze telling, op record-id", "Records of this count, by record id"),
        true,
        &[
            ("Id", false),
            (tr(lang, "Waargenomen", "Observed"), false),
            (tr(lang, "Organisatie", "Organisation"), false),
            (tr(lang, "Gemeente", "Municipality"), false),
            (tr(lang, "Woonsituatie", "Living situation"), false),
            (tr(lang, "Leeftijd", "Age"), false),
            (tr(lang, "Gender", "Gender"), false),
            (tr(lang, "Sleutel", "Key"), false),
            (tr(lang, "Status", "Status"), false),
            (tr(lang, "Acties", "Actions"), false),
        ],
    );
    for s in rows {
        let r = &s.record;
        let id = r.id.to_string();
        let state = if r.training {
            "training"
        } else if s.void.is_some() {
            "void"
        } else {
            "counted"
        };
        h.open("tr", &[("data-testid", "record-row"), ("data-id", &id), ("data-state", state)]);
        h.open("td", &[]).el("span", &[("class", "code"), ("title", &id)], &short(r.id)).close("td");
        h.el(
            "td",
            &[("class", "nowrap")],
            &r.observed_at.with_timezone(&Local).format("%d-%m %H:%M").to_string(),
        );
        h.td(&s.organisation);
        h.td(&place(r.municipality.as_str()));
        h.td(&format!("{} {}", r.living_situation.code(), r.living_situation.label(lang)));
        h.td(r.profile.age_band.label(lang));
        h.td(r.profile.gender.label(lang));
        h.td(if r.dedup_key.is_some() { tr(lang, "ja", "yes") } else { tr(lang, "nee", "no") });
        let status = match (&s.void, r.training) {
            (Some(v), _) => {
                format!("{}: {} ({}, {})", tr(lang, "ongeldig", "void"), v.reason, v.by, when(v.at))
            }
            (None, true) => tr(lang, "oefenrecord", "training").into(),
            (None, false) => tr(lang, "telt mee", "counted").into(),
        };
        h.el("td", &[("data-testid", "record-status")], &status);
        h.open("td", &[("class", "actions")]);
        if coordinator {
            if s.void.is_some() {
                h.button(
                    "utrecht-button utrecht-button--subtle",
                    "void-undo",
                    "undo",
                    &id,
                    tr(lang, "Herstellen", "Restore"),
                );
            } else {
                h.button(
                    "utrecht-button utrecht-button--subtle",
                    "void-open",
                    "void",
                    &id,
                    tr(lang, "Ongeldig maken", "Void"),
                );
            }
        }
        h.close("td").close("tr");
    }
    h.end_table().close("div");
    h.finish()
}

/// The record the report takes a merged person's attributes from when the coordinator chose
/// none: the latest observation (ties: the smallest id).
pub fn default_primary(g: &DuplicateGroup) -> Option<Uuid> {
    g.resolution.as_ref().and_then(|r| r.primary_record_id).or_else(|| {
        g.records
            .iter()
            .max_by(|a, b| {
                let (a, b) = (&a.stored.record, &b.stored.record);
                a.observed_at.cmp(&b.observed_at).then(b.id.cmp(&a.id))
            })
            .map(|r| r.stored.record.id)
    })
}

/// Whether a group still wants the coordinator's eye: no decision, or records since it.
pub fn group_open(g: &DuplicateGroup) -> bool {
    g.resolution.is_none() || g.records.iter().any(|r| r.since_decision)
}

fn decision_text(g: &DuplicateGroup, lang: Lang) -> (&'static str, String) {
    match &g.resolution {
        None => (
            "none",
            tr(
                lang,
                "Nog geen besluit: deze records tellen nu als één persoon.",
                "No decision yet: these records now count as one person.",
            )
            .into(),
        ),
        Some(r) => {
            let by = format!(
                "{} {} {} {}",
                tr(lang, "door", "by"),
                r.decided_by,
                tr(lang, "op", "on"),
                when(r.decided_at)
            );
            match r.decision {
                Decision::SamePerson => (
                    "same_person",
                    format!(
                        "{} {} ({by}).",
                        tr(
                            lang,
                            "Besluit: zelfde persoon, primair record",
                            "Decision: same person, primary record"
                        ),
                        r.primary_record_id.map(short).unwrap_or_else(|| "–".into())
                    ),
                ),
                Decision::DifferentPeople => (
                    "different_people",
                    format!(
                        "{} ({by}).",
                        tr(lang, "Besluit: verschillende personen", "Decision: different people")
                    ),
                ),
            }
        }
    }
}

/// The groups of possible duplicates, records side by side. `chosen`: the primary record the
/// coordinator has ticked per dedup key; `errors` per dedup key.
pub fn duplicate_groups(
    groups: &[DuplicateGroup],
    only_open: bool,
    chosen: &[(String, Uuid)],
    errors: &[(String, String)],
    lang: Lang,
) -> String {
    let mut h = Html::new();
    for g in groups.iter().filter(|g| !only_open || group_open(g)) {
        let key = g.dedup_key.as_str();
        let (decision, words) = decision_text(g, lang);
        let primary = chosen.iter().find(|(k, _)| k == key).map(|(_, id)| *id).or_else(|| default_primary(g));
        h.open(
            "article",
            &[
                ("class", "card dup-group"),
                ("data-testid", "duplicate-group"),
                ("data-key", key),
                ("data-decision", decision),
            ],
        );
        h.el(
            "h3",
            &[("class", "utrecht-heading-3")],
            &format!(
                "{} {}… · {} records",
                tr(lang, "Sleutel", "Key"),
                &key[..key.len().min(12)],
                g.records.len()
            ),
        );
        h.el(
            "p",
            &[
                (
                    "class",
                    if decision == "none" {
                        "utrecht-paragraph decision decision--open"
                    } else {
                        "utrecht-paragraph decision"
                    },
                ),
                ("data-testid", "duplicate-decision"),
            ],
            &words,
        );
        h.open("div", &[("class", "table-scroll")]).open("table", &[("class", "data-table side-by-side")]);
        h.el(
            "caption",
            &[("class", "visually-hidden")],
            tr(lang, "Records naast elkaar", "Records side by side"),
        );
        h.open("thead", &[]).open("tr", &[]).open("th", &[("scope", "col")]);
        h.el("span", &[("class", "visually-hidden")], tr(lang, "Kenmerk", "Attribute")).close("th");
        for r in &g.records {
            let rid = r.stored.record.id;
            let input = format!("primary-{rid}");
            h.open("th", &[("scope", "col")]).el("span", &[("class", "code")], &short(rid));
            if r.since_decision {
                h.text(" ").el(
                    "span",
                    &[
                        ("class", "utrecht-status-badge utrecht-status-badge--warning"),
                        ("data-testid", "since-decision"),
                    ],
                    tr(lang, "nieuw sinds besluit", "new since decision"),
                );
            }
            h.open("br", &[]);
            let arg = format!("{key}|{rid}");
            let mut attrs = vec![
                ("type", "radio"),
                ("id", input.as_str()),
                ("name", key),
                ("value", arg.as_str()),
                ("data-testid", "primary-choice"),
                ("data-action", "primary"),
                ("data-arg", arg.as_str()),
            ];
            if primary == Some(rid) {
                attrs.push(("checked", "checked"));
            }
            h.open("input", &attrs)
                .text(" ")
                .el("label", &[("for", &input)], tr(lang, "primair", "primary"))
                .close("th");
        }
        h.close("tr").close("thead").open("tbody", &[]);
        type Field = fn(&StoredRecord, Lang) -> String;
        let fields: [(&str, Field); 6] = [
            (tr(lang, "Woonsituatie", "Living situation"), |s, l| {
                format!("{} {}", s.record.living_situation.code(), s.record.living_situation.label(l))
            }),
            (tr(lang, "Gemeente", "Municipality"), |s, _| place(s.record.municipality.as_str())),
            (tr(lang, "Leeftijd", "Age"), |s, l| s.record.profile.age_band.label(l).into()),
            (tr(lang, "Gender", "Gender"), |s, l| s.record.profile.gender.label(l).into()),
            (tr(lang, "Organisatie", "Organisation"), |s, _| s.organisation.clone()),
            (tr(lang, "Waargenomen", "Observed"), |s, _| {
                s.record.observed_at.with_timezone(&Local).format("%d-%m-%Y %H:%M").to_string()
            }),
        ];
        for (label, f) in fields {
            h.open("tr", &[]).th_row(label);
            for r in &g.records {
                h.td(&f(&r.stored, lang));
            }
            h.close("tr");
        }
        h.close("tbody").close("table").close("div");
        let error = errors.iter().find(|(k, _)| k == key).map(|(_, e)| e.as_str()).unwrap_or("");
        h.el("p", &[("class", "form-error"), ("role", "alert")], error);
        h.open("div", &[("class", "button-bar")]);
        h.button(
            "utrecht-button utrecht-button--primary-action",
            "decide-same",
            "same",
            key,
            tr(lang, "Zelfde persoon", "Same person"),
        );
        h.button(
            "utrecht-button utrecht-button--secondary-action",
            "decide-different",
            "different",
            key,
            tr(lang, "Verschillende personen", "Different people"),
        );
        h.close("div").close("article");
    }
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_attributes_are_escaped() {
        assert_eq!(esc(r#"<script>"&'"#), "&lt;script&gt;&quot;&amp;&#39;");
        let mut h = Html::new();
        h.el("td", &[("title", "a\"b")], "<5");
        assert_eq!(h.finish(), "<td title=\"a&quot;b\">&lt;5</td>");
    }

    #[test]
    fn a_user_given_organisation_name_cannot_inject_markup() {
        let invite: Invite = serde_json::from_value(serde_json::json!({
            "id": Uuid::nil(), "code": "K7PQ-2QXM", "organisation": "<img src=x onerror=alert(1)>",
            "organisation_type": "shelter", "expires_at": null
        }))
        .unwrap();
        let html = invites_table(std::slice::from_ref(&invite), false, None, Utc::now(), Lang::Nl);
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
        assert!(html.contains("data-action=\"revoke\""));
        assert!(!html.contains("style="), "no inline styles under the CSP");
    }

    #[test]
    fn codes_of_a_locked_count_read_closed_and_leave_the_print_sheet() {
        let invite: Invite = serde_json::from_value(serde_json::json!({
            "id": Uuid::nil(), "code": "K7PQ-2QXM", "organisation": "Straatteam",
            "organisation_type": "outreach", "expires_at": null
        }))
        .unwrap();
        let now = Utc::now();
        assert_eq!(invite_state(&invite, false, now, Lang::Nl).0, "active");
        assert_eq!(
            invite_state(&invite, true, now, Lang::Nl),
            ("closed", "werkt niet meer (telling gesloten)")
        );
        let table = invites_table(std::slice::from_ref(&invite), true, None, now, Lang::Nl);
        assert!(table.contains("data-state=\"closed\""), "{table}");
        assert!(!table.contains("data-action=\"revoke\"") && !table.contains("data-action=\"qr\""));
        let sheet = code_sheet(std::slice::from_ref(&invite), ("Telling", true), "http://x", now, Lang::Nl);
        assert!(!sheet.contains("K7PQ-2QXM"), "a locked count prints no codes: {sheet}");
        let sheet = code_sheet(&[invite], ("Telling", false), "http://x", now, Lang::Nl);
        assert!(sheet.contains("K7PQ-2QXM"));
    }

    #[test]
    fn the_records_summary_says_loaded_of_total_and_the_order() {
        let (count, order) = records_summary(100, 100, Some(579), Lang::Nl);
        assert_eq!(count, "100 van 579 records geladen.");
        assert!(order.starts_with("Volgorde: op het volledige record-id, oplopend"), "{order}");
        assert_eq!(records_summary(100, 100, Some(1579), Lang::En).0, "100 of 1,579 records loaded.");
        assert_eq!(
            records_summary(12, 200, Some(579), Lang::Nl).0,
            "12 gevonden in de 200 geladen records (van 579)."
        );
        assert_eq!(records_summary(100, 100, None, Lang::En).0, "100 records loaded.");
    }

    #[test]
    fn a_qr_code_is_an_svg_path() {
        let svg = qr_svg("http://127.0.0.1:18123/enroll#code=K7PQ-2QXM", "invite-qr");
        assert!(svg
            .starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"qr\" data-testid=\"invite-qr\""));
        assert!(svg.contains("<path d=\"M0 0h7v1H0z"));
    }
}
