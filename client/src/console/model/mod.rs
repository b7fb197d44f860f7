//! The coordinator console as plain data: routes, the session, filters, the default count
//! window, the QR code of a team code, error texts, and how numbers, report cells and dimension
//! values read (`numbers`). No browser: unit-tested on the host; the pages are in `pages/`.
//! Every answer of the API is decoded with serde into the `shared` wire types.

mod numbers;
#[cfg(test)]
mod tests;

pub use numbers::*;

use crate::i18n::tr;
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use ethos_shared::api::{Role, StoredRecord};
use ethos_shared::codes::ErrorCode;
use ethos_shared::municipality;
pub use ethos_shared::progress::{AuditEntry, Dashboard, Device};
use ethos_shared::Lang;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Where the console's pages live.
pub const BASE: &str = "/console";

/// A logged-in user, kept in the tab's sessionStorage (gone when the tab closes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub token: String,
    pub role: Role,
    pub expires_at: DateTime<Utc>,
    pub username: String,
}

impl Session {
    pub fn is_coordinator(&self) -> bool {
        self.role == Role::Coordinator
    }
}

/// The pages of one count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Dashboard,
    Codes,
    /// The printable sheet of every active team code.
    Sheet,
    Records,
    Duplicates,
    Report,
    /// The report's summary on one page, reached from the report.
    Summary,
    /// The change since an earlier count (domain.md §6.6).
    Comparison,
    /// Inhabitants per municipality, for the rates per 1,000.
    Population,
    Audit,
}

impl Tab {
    /// The tabs in the navigation (the sheet is reached from the codes page).
    pub const NAV: [Tab; 8] = [
        Tab::Dashboard,
        Tab::Codes,
        Tab::Records,
        Tab::Duplicates,
        Tab::Report,
        Tab::Comparison,
        Tab::Population,
        Tab::Audit,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Tab::Dashboard => "dashboard",
            Tab::Codes => "codes",
            Tab::Sheet => "codes/print",
            Tab::Records => "records",
            Tab::Duplicates => "duplicates",
            Tab::Report => "report",
            Tab::Summary => "report/summary",
            Tab::Comparison => "comparison",
            Tab::Population => "population",
            Tab::Audit => "audit",
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Tab::Dashboard => tr(lang, "Dashboard", "Dashboard"),
            Tab::Codes | Tab::Sheet => tr(lang, "Teamcodes", "Team codes"),
            Tab::Records => tr(lang, "Records", "Records"),
            Tab::Duplicates => tr(lang, "Mogelijke dubbelingen", "Possible duplicates"),
            Tab::Report => tr(lang, "Rapport", "Report"),
            Tab::Summary => tr(lang, "Samenvatting", "Summary"),
            Tab::Comparison => tr(lang, "Vergelijking", "Comparison"),
            Tab::Population => tr(lang, "Inwoners", "Population"),
            Tab::Audit => tr(lang, "Logboek", "Audit log"),
        }
    }

    /// Analysts see aggregates only (domain.md §7): the report, its summary and the comparison.
    pub fn allowed(self, role: Role) -> bool {
        role == Role::Coordinator || matches!(self, Tab::Report | Tab::Summary | Tab::Comparison)
    }

    pub fn default_for(role: Role) -> Tab {
        if role == Role::Coordinator {
            Tab::Dashboard
        } else {
            Tab::Report
        }
    }
}

/// A page of the console, as its address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Counts,
    Count(Uuid, Option<Tab>),
}

impl Route {
    /// Reads `/console`, `/console/counts/{id}` and `/console/counts/{id}/{tab}`; anything
    /// else under `/console` is the list of counts.
    pub fn parse(path: &str) -> Route {
        let rest = path.strip_prefix(BASE).unwrap_or("").trim_matches('/');
        let mut parts = rest.splitn(3, '/');
        match (parts.next(), parts.next().and_then(|id| id.parse().ok()), parts.next()) {
            (Some("counts"), Some(id), tab) => {
                let tab = tab.and_then(|t| {
                    [Tab::Sheet, Tab::Summary]
                        .into_iter()
                        .chain(Tab::NAV)
                        .find(|x| x.slug() == t.trim_end_matches('/'))
                });
                Route::Count(id, tab)
            }
            _ => Route::Counts,
        }
    }

    pub fn path(self) -> String {
        match self {
            Route::Counts => BASE.to_string(),
            Route::Count(id, None) => format!("{BASE}/counts/{id}"),
            Route::Count(id, Some(tab)) => format!("{BASE}/counts/{id}/{}", tab.slug()),
        }
    }
}

/// Devices by last contact, the longest silent first (never seen before all others): the
/// ones most likely to hold records the server has not seen.
pub fn devices_by_contact(devices: Vec<Device>) -> Vec<Device> {
    // An insertion sort: a count has tens of phones, and the standard library's stable sort
    // would add some 9 KB of wasm for this one use.
    let key = |d: &Device| (d.last_seen_at.is_some(), d.last_seen_at, d.enrolled_at);
    let mut sorted: Vec<Device> = Vec::with_capacity(devices.len());
    for d in devices {
        let at = sorted.iter().position(|x| key(x) > key(&d)).unwrap_or(sorted.len());
        sorted.insert(at, d);
    }
    sorted
}

/// Lower case without diacritics: "Coördinator" matches "coordinator".
pub fn folded(text: &str) -> String {
    ethos_shared::fold::without_diacritics(text).to_lowercase()
}

/// Whether `haystack` holds `needle` (already `folded`).
pub fn contains_folded(haystack: &str, needle: &str) -> bool {
    folded(haystack).contains(needle)
}

/// The records search: an id prefix, or text in the organisation, the municipality (code or
/// name) or the living situation (code or label, Dutch or English).
pub fn record_matches(r: &StoredRecord, query: &str) -> bool {
    let q = folded(query.trim());
    if q.is_empty() {
        return true;
    }
    let rec = &r.record;
    let municipality = rec.municipality.as_str();
    let place = municipality::by_code(municipality).map(|g| g.name.as_str()).unwrap_or("");
    let ls = rec.living_situation;
    rec.id.to_string().starts_with(&q)
        || contains_folded(&r.organisation, &q)
        || contains_folded(municipality, &q)
        || contains_folded(place, &q)
        || ls.code().starts_with(&q)
        || contains_folded(ls.label(Lang::Nl), &q)
        || contains_folded(ls.label(Lang::En), &q)
}

// ---------------------------------------------------------------- forms

/// The usual one-day window: the reference date 20:00 to the next day 20:00 (local time).
pub fn default_window(reference: NaiveDate) -> (NaiveDateTime, NaiveDateTime) {
    let start = reference.and_time(NaiveTime::from_hms_opt(20, 0, 0).unwrap_or_default());
    (start, start + Duration::days(1))
}

/// The value of an `<input type="datetime-local">`.
pub fn local_input(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M").to_string()
}

/// Reads an `<input type="datetime-local">` (with or without seconds).
pub fn parse_local_input(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S"))
        .ok()
}

/// What the login page says for an answer that is not a session.
pub fn login_error(status: u16, retry_after_secs: Option<u64>, lang: Lang) -> String {
    match status {
        401 => tr(lang, "Onjuiste gebruikersnaam of wachtwoord.", "Wrong username or password.").into(),
        429 => {
            let minutes = retry_after_secs.map_or(15, |s| s.div_ceil(60).max(1));
            match lang {
                Lang::Nl => format!(
                    "Te veel mislukte pogingen. Wacht {minutes} {} en probeer het dan opnieuw.",
                    if minutes == 1 { "minuut" } else { "minuten" }
                ),
                Lang::En => format!(
                    "Too many failed attempts. Wait {minutes} minute{} and try again.",
                    if minutes == 1 { "" } else { "s" }
                ),
            }
        }
        0 => tr(lang, "Geen verbinding met de server.", "No connection to the server.").into(),
        s => format!("{} ({s}).", tr(lang, "Inloggen lukte niet", "Login failed")),
    }
}

/// A server error code (api.md "Errors") in words: every [`ErrorCode`] has its text in
/// `shared`; `network` is the console's own (no answer at all).
pub fn error_text(code: &str, lang: Lang) -> &'static str {
    match ErrorCode::from_code(code) {
        Some(code) => code.label(lang),
        None if code == "network" => {
            tr(lang, "Geen verbinding met de server.", "No connection to the server.")
        }
        None => tr(lang, "Dat lukte niet. Probeer het opnieuw.", "That failed. Please try again."),
    }
}

// ---------------------------------------------------------------- team codes

/// The enrolment link in a team code's QR code (the code stays in the fragment, out of logs).
pub fn enrol_url(origin: &str, code: &str) -> String {
    format!("{}/enroll#code={code}", origin.trim_end_matches('/'))
}

/// A QR code as one SVG path (dark modules, merged per row), and its width in modules. The
/// SVG's viewBox adds the quiet zone of 4 modules.
pub fn qr_path(text: &str) -> Option<(usize, String)> {
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M).ok()?;
    let width = code.width();
    let dark: Vec<bool> = code.to_colors().into_iter().map(|c| c == qrcode::Color::Dark).collect();
    let mut d = String::new();
    for y in 0..width {
        let mut x = 0;
        while x < width {
            if dark[y * width + x] {
                let start = x;
                while x < width && dark[y * width + x] {
                    x += 1;
                }
                d.push_str(&format!("M{start} {y}h{}v1H{start}z", x - start));
            } else {
                x += 1;
            }
        }
    }
    Some((width, d))
}
