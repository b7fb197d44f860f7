//! Tables of counts, phones and team codes; the QR code and the printable sheet of codes.

use super::kit::*;
use crate::console::model::*;
use crate::i18n::tr;
use chrono::{DateTime, Utc};
use ethos_shared::api::{Count, Invite};
use ethos_shared::Lang;
use uuid::Uuid;

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
