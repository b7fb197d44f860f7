//! The coordinator console as plain data: routes, the session, the wire types of the
//! dashboard, devices and audit log (not in `shared` yet), filters, the default count window,
//! the QR code of a team code, and how report cells and dimension values read. No browser:
//! unit-tested on the host; the leptos pages live in `console*.rs`.

use crate::i18n::tr;
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use ethos_shared::api::{
    Decision, DuplicateGroup, DuplicateRecord, RecordPage, Resolution, Role, StoredRecord, VoidInfo,
};
use ethos_shared::count::OrganisationType;
use ethos_shared::disclosure::Suppression;
use ethos_shared::ethos::{ConceptualCategory, CountGroup, LivingSituation};
use ethos_shared::municipality;
use ethos_shared::profile::{
    AgeBand, CareNeed, Duration as Dur, Gender, Household, HousingNeed, Income, PreviousFacility,
    ResidenceStatus,
};
use ethos_shared::record::{parse_record, DedupKey};
use ethos_shared::report::Disclosure;
use ethos_shared::report::{OrganisationRecords, Quality, Report, Row, Table, TypeRecords};
use ethos_shared::Lang;
use serde::{Deserialize, Serialize};
use serde_json::Value;
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
            Tab::Comparison => tr(lang, "Vergelijking", "Comparison"),
            Tab::Population => tr(lang, "Inwoners", "Population"),
            Tab::Audit => tr(lang, "Logboek", "Audit log"),
        }
    }

    /// Analysts see aggregates only (domain.md §7): the report and the comparison.
    pub fn allowed(self, role: Role) -> bool {
        role == Role::Coordinator || matches!(self, Tab::Report | Tab::Comparison)
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
                    std::iter::once(Tab::Sheet).chain(Tab::NAV).find(|x| x.slug() == t.trim_end_matches('/'))
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

// ---------------------------------------------------------------- wire types (client side)

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct OrganisationProgress {
    pub organisation: String,
    #[serde(default)]
    pub organisation_type: OrganisationType,
    pub records: u64,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct MunicipalityProgress {
    pub municipality: String,
    pub records: u64,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct HourProgress {
    /// The hour of observation, e.g. `2026-10-15T21:00:00Z`.
    pub hour: String,
    pub records: u64,
}

/// `GET /api/v1/counts/{id}/dashboard`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Dashboard {
    pub records_total: u64,
    pub records_counted: u64,
    pub records_training: u64,
    pub records_void: u64,
    #[serde(default)]
    pub persons_total: Option<u64>,
    #[serde(default)]
    pub by_organisation: Vec<OrganisationProgress>,
    #[serde(default)]
    pub by_municipality: Vec<MunicipalityProgress>,
    #[serde(default)]
    pub by_hour: Vec<HourProgress>,
    #[serde(default)]
    pub devices_enrolled: u64,
    #[serde(default)]
    pub devices_seen_last_hour: u64,
    #[serde(default)]
    pub generated_at: Option<DateTime<Utc>>,
}

/// One phone of `GET /api/v1/counts/{id}/devices`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Device {
    pub id: Uuid,
    #[serde(default)]
    pub label: Option<String>,
    pub organisation: String,
    #[serde(default)]
    pub organisation_type: OrganisationType,
    pub enrolled_at: DateTime<Utc>,
    #[serde(default)]
    pub last_seen_at: Option<DateTime<Utc>>,
    /// Records the phone said it still held unconfirmed at its last sync.
    #[serde(default)]
    pub unsynced: Option<u32>,
    #[serde(default)]
    pub revoked: bool,
}

impl Device {
    /// The phone said it still holds records the server does not have.
    pub fn holds_unsynced(&self) -> bool {
        !self.revoked && self.unsynced.unwrap_or(0) > 0
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

/// One line of `GET /api/v1/counts/{id}/audit`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    #[serde(default)]
    pub entity_id: Option<String>,
    #[serde(default)]
    pub details: Option<String>,
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

// ---------------------------------------------------------------- records from JSON

// Stored records are read with `shared`'s record parser (the one the server validates sync
// bodies with, already in the app for the field side) plus the four fields around it, instead
// of serde's derived `StoredRecord` (its `flatten` would add a second full record deserializer
// to the wasm). Same shared types, same wire format.

fn text_of(o: &serde_json::Map<String, Value>, key: &str) -> Option<String> {
    o.get(key)?.as_str().map(String::from)
}

fn parsed<T: std::str::FromStr>(o: &serde_json::Map<String, Value>, key: &str) -> Option<T> {
    o.get(key)?.as_str()?.parse().ok()
}

/// One `StoredRecord` of the records list or a duplicate group.
pub fn stored_record(v: &Value) -> Option<StoredRecord> {
    let o = v.as_object()?;
    let void = match o.get("void") {
        Some(Value::Object(x)) => Some(VoidInfo {
            reason: text_of(x, "reason")?,
            at: parsed(x, "at")?,
            by: text_of(x, "by").unwrap_or_default(),
        }),
        _ => None,
    };
    Some(StoredRecord {
        record: parse_record(v).ok()?,
        device_id: parsed(o, "device_id")?,
        organisation: text_of(o, "organisation").unwrap_or_default(),
        received_at: parsed(o, "received_at")?,
        void,
    })
}

/// `GET …/records`: the page, and how many items could not be read.
pub fn record_page(v: &Value) -> (RecordPage, usize) {
    let items = v.get("items").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    let records: Vec<StoredRecord> = items.iter().filter_map(stored_record).collect();
    let unread = items.len() - records.len();
    let next_after = v.get("next_after").and_then(Value::as_str).map(String::from);
    (RecordPage { items: records, next_after }, unread)
}

/// One group of `GET …/duplicates` (or the answer of a decision).
pub fn duplicate_group(v: &Value) -> Option<DuplicateGroup> {
    let o = v.as_object()?;
    let dedup_key = DedupKey::try_from(text_of(o, "dedup_key")?).ok()?;
    let records = o
        .get("records")?
        .as_array()?
        .iter()
        .filter_map(|r| {
            let since_decision = r.get("since_decision").and_then(Value::as_bool).unwrap_or(false);
            Some(DuplicateRecord { stored: stored_record(r)?, since_decision })
        })
        .collect();
    let resolution = match o.get("resolution") {
        Some(Value::Object(x)) => Some(Resolution {
            decision: match x.get("decision")?.as_str()? {
                "same_person" => Decision::SamePerson,
                _ => Decision::DifferentPeople,
            },
            primary_record_id: parsed(x, "primary_record_id"),
            decided_at: parsed(x, "decided_at")?,
            decided_by: text_of(x, "decided_by").unwrap_or_default(),
        }),
        _ => None,
    };
    Some(DuplicateGroup { dedup_key, records, resolution })
}

/// `GET …/duplicates`.
pub fn duplicate_groups(v: &Value) -> Vec<DuplicateGroup> {
    v.get("items")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(duplicate_group).collect())
        .unwrap_or_default()
}

/// `GET …/report` as `shared`'s `Report`, read from the JSON by hand for the same reason as
/// the records (serde's derived reader of the whole report tree is about 10 KB of gzipped
/// wasm). One difference: a `children` cell that is `null` (suppressed) stays `Some(None)`,
/// so the count-group table keeps its children column even when every cell is hidden.
pub fn report_from(v: &Value) -> Option<Report> {
    let o = v.as_object()?;
    let n = |x: &serde_json::Map<String, Value>, k: &str| x.get(k).and_then(Value::as_u64);
    let suppression = |x: &serde_json::Map<String, Value>, k: &str| match x.get(k).and_then(Value::as_str) {
        Some("primary") => Some(Suppression::Primary),
        Some("secondary") => Some(Suppression::Secondary),
        _ => None,
    };
    let org_type = |x: &serde_json::Map<String, Value>| {
        x.get("organisation_type")
            .and_then(Value::as_str)
            .and_then(OrganisationType::from_code)
            .unwrap_or_default()
    };
    let objects = |x: Option<&Value>| -> Vec<serde_json::Map<String, Value>> {
        x.and_then(Value::as_array)
            .map(|a| a.iter().filter_map(|i| i.as_object().cloned()).collect())
            .unwrap_or_default()
    };
    let tables = objects(o.get("tables"))
        .iter()
        .map(|t| Table {
            id: text_of(t, "id").unwrap_or_default(),
            title: text_of(t, "title").unwrap_or_default(),
            title_en: text_of(t, "title_en").unwrap_or_default(),
            dimensions: t
                .get("dimensions")
                .and_then(Value::as_array)
                .map(|d| d.iter().filter_map(|x| x.as_str().map(String::from)).collect())
                .unwrap_or_default(),
            total: n(t, "total"),
            rows: objects(t.get("rows"))
                .iter()
                .map(|r| Row {
                    key: r
                        .get("key")
                        .and_then(Value::as_object)
                        .map(|k| {
                            k.iter().filter_map(|(a, b)| Some((a.clone(), b.as_str()?.to_string()))).collect()
                        })
                        .unwrap_or_default(),
                    persons: n(r, "persons"),
                    suppressed: suppression(r, "suppressed"),
                    children: r.get("children").map(Value::as_u64),
                    children_suppressed: suppression(r, "children_suppressed"),
                })
                .collect(),
            multiple_answers: t.get("multiple_answers").and_then(Value::as_bool).unwrap_or(false),
        })
        .collect();
    let q = o.get("quality")?.as_object()?;
    let quality = Quality {
        unresolved_duplicate_groups: n(q, "unresolved_duplicate_groups").unwrap_or(0),
        resolved_duplicate_groups: n(q, "resolved_duplicate_groups").unwrap_or(0),
        persons_with_disagreeing_category: n(q, "persons_with_disagreeing_category"),
        persons_children_unknown: n(q, "persons_children_unknown"),
        unknown_share: q
            .get("unknown_share")
            .and_then(Value::as_object)
            .map(|m| m.iter().map(|(k, v)| (k.clone(), v.as_f64())).collect())
            .unwrap_or_default(),
        records_per_organisation: objects(q.get("records_per_organisation"))
            .iter()
            .map(|x| OrganisationRecords {
                organisation: text_of(x, "organisation").unwrap_or_default(),
                organisation_type: org_type(x),
                records: n(x, "records"),
                suppressed: suppression(x, "suppressed"),
            })
            .collect(),
        records_per_organisation_type: objects(q.get("records_per_organisation_type"))
            .iter()
            .map(|x| TypeRecords {
                organisation_type: org_type(x),
                records: n(x, "records"),
                suppressed: suppression(x, "suppressed"),
            })
            .collect(),
    };
    Some(Report {
        count: ethos_shared::api::Count::deserialize(o.get("count")?).ok()?,
        generated_at: parsed(o, "generated_at")?,
        disclosure: o.get("disclosure").and_then(Value::as_str).and_then(Disclosure::from_code)?,
        persons_total: n(o, "persons_total"),
        accompanying_children: n(o, "accompanying_children"),
        persons_including_children: n(o, "persons_including_children"),
        records_total: n(o, "records_total"),
        records_counted: n(o, "records_counted"),
        records_void: n(o, "records_void"),
        records_training: n(o, "records_training"),
        records_without_key: n(o, "records_without_key"),
        duplicate_records_merged: n(o, "duplicate_records_merged"),
        headline_suppressed: o
            .get("headline_suppressed")
            .and_then(Value::as_object)
            .map(|m| m.keys().filter_map(|k| Some((k.clone(), suppression(m, k)?))).collect())
            .unwrap_or_default(),
        tables,
        quality,
        youth_18_26: n(o, "youth_18_26"),
        rates: o
            .get("rates")
            .and_then(|r| Vec::<ethos_shared::report::Rate>::deserialize(r).ok())
            .unwrap_or_default(),
    })
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

/// A server error code (api.md "Errors") in words.
pub fn error_text(code: &str, lang: Lang) -> &'static str {
    match code {
        "network" => tr(lang, "Geen verbinding met de server.", "No connection to the server."),
        "forbidden" => tr(lang, "Dit mag uw rol niet.", "Your role may not do this."),
        "not_found" => tr(
            lang,
            "Niet gevonden (of nog niet beschikbaar op deze server).",
            "Not found (or not available on this server yet).",
        ),
        "invalid_transition" => tr(
            lang,
            "Deze statuswijziging kan niet (meer).",
            "This status change is not (or no longer) possible.",
        ),
        "count_locked" => tr(lang, "De telling is gesloten.", "The count is closed."),
        "validation_failed" => tr(lang, "Controleer de ingevulde velden.", "Check the fields."),
        "already_exists" => tr(lang, "Dit bestaat al.", "This already exists."),
        "unauthorized" => {
            tr(lang, "De sessie is verlopen: log opnieuw in.", "The session has expired: log in again.")
        }
        "too_many_requests" => {
            tr(lang, "Te veel verzoeken; wacht even.", "Too many requests; wait a moment.")
        }
        _ => tr(lang, "Dat lukte niet. Probeer het opnieuw.", "That failed. Please try again."),
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

// ---------------------------------------------------------------- numbers

/// A whole number with the thousands separator of the language: `1.234` / `1,234`.
pub fn num(n: u64, lang: Lang) -> String {
    let digits = n.to_string();
    let sep = if lang == Lang::Nl { '.' } else { ',' };
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(ch);
    }
    out
}

/// A share (0–1) as a percentage with one decimal: `12,5%` / `12.5%`. Integer arithmetic
/// only, so no float formatting code ends up in the app.
pub fn percent(share: f64, lang: Lang) -> String {
    let permille = (share.clamp(0.0, 1.0) * 1000.0 + 0.5) as u64;
    let sep = if lang == Lang::Nl { ',' } else { '.' };
    format!("{}{sep}{}%", permille / 10, permille % 10)
}

/// A whole number as a person types it: digits, optionally grouped by thousands with the
/// language's separator (`122.000` in Dutch, `122,000` in English, as `num` writes them) or a
/// space. A decimal comma or point, or a misplaced separator, is no whole number.
pub fn parse_whole_number(typed: &str, lang: Lang) -> Option<u64> {
    let thousands = if lang == Lang::Nl { '.' } else { ',' };
    let typed = typed.trim();
    let groups: Vec<&str> = typed.split([thousands, ' ']).collect();
    let grouped = groups.len() > 1;
    let well_formed = groups.iter().enumerate().all(|(i, g)| {
        let digits = !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit());
        let width_ok = !grouped || if i == 0 { g.len() <= 3 } else { g.len() == 3 };
        digits && width_ok
    });
    if !well_formed {
        return None;
    }
    groups.concat().parse().ok()
}

/// A non-negative figure with two decimals: `1.234,57` / `1,234.57` (integer arithmetic, as
/// `percent`).
pub fn two_decimals(x: f64, lang: Lang) -> String {
    let hundredths = (x.max(0.0) * 100.0 + 0.5) as u64;
    let sep = if lang == Lang::Nl { ',' } else { '.' };
    format!("{}{sep}{:02}", num(hundredths / 100, lang), hundredths % 100)
}

/// A report cell: the number, `<5` (primary suppression), `x` (secondary), or `–` (none).
pub fn cell(persons: Option<u64>, suppressed: Option<Suppression>, lang: Lang) -> String {
    match (persons, suppressed) {
        (Some(n), _) => num(n, lang),
        (None, Some(Suppression::Secondary)) => "x".into(),
        (None, Some(Suppression::Primary)) => "<5".into(),
        (None, None) => "–".into(),
    }
}

/// A headline figure: hidden (1–4 in public disclosure) reads `<5`.
pub fn figure(n: Option<u64>, lang: Lang) -> String {
    n.map_or_else(|| "<5".into(), |n| num(n, lang))
}

/// The length of a bar of `value` when `max` fills `full`.
pub fn bar_len(value: u64, max: u64, full: u32) -> u32 {
    if max == 0 {
        return 0;
    }
    ((value.min(max) as f64 / max as f64) * f64::from(full)).round() as u32
}

// ---------------------------------------------------------------- report labels

/// The name of a report dimension, as a column heading.
pub fn dim_label(dim: &str, lang: Lang) -> String {
    let (nl, en) = match dim {
        "count_group" => ("Telgroep", "Count group"),
        "visibility" => ("Zichtbaar of verborgen", "Visible or hidden"),
        "conceptual_category" => ("ETHOS-categorie", "ETHOS category"),
        "living_situation" => ("Woonsituatie (ETHOS)", "Living situation (ETHOS)"),
        "municipality" => ("Gemeente waar geteld", "Municipality where counted"),
        "origin" => ("Herkomstgemeente", "Municipality of origin"),
        "origin_province" => ("Provincie van herkomst", "Province of origin"),
        "age_band" => ("Leeftijd", "Age"),
        "gender" => ("Gender", "Gender"),
        "household" => ("Huishouden", "Household"),
        "children" => ("Minderjarige kinderen", "Minor children"),
        "duration" => ("Duur dakloosheid", "Duration of homelessness"),
        "residence_status" => ("Verblijfsstatus", "Residence status"),
        "income" => ("Inkomen", "Income"),
        "care_needs" => ("Zorgbehoefte", "Care needs"),
        "previous_facility" => ("Voorafgaande voorziening", "Previous facility"),
        "housing_need" => ("Toekomstperspectief wonen", "Housing need"),
        other => return other.replace('_', " "),
    };
    tr(lang, nl, en).into()
}

fn label_of<T: Copy>(
    code: &str,
    from: fn(&str) -> Option<T>,
    label: fn(T, Lang) -> &'static str,
    lang: Lang,
) -> Option<String> {
    from(code).map(|v| label(v, lang).to_string())
}

/// The label of a dimension value (a wire code) in the report's tables.
pub fn value_label(dim: &str, code: &str, lang: Lang) -> String {
    let common = match code {
        "unknown" => Some(tr(lang, "onbekend", "unknown")),
        "elsewhere_nl" => Some(tr(lang, "elders in Nederland", "elsewhere in the Netherlands")),
        "abroad" => Some(tr(lang, "buitenland", "abroad")),
        _ => None,
    };
    let found = match dim {
        "count_group" => CountGroup::from_code(code).map(|g| {
            if g == CountGroup::Other {
                g.label(lang).to_string()
            } else {
                format!("{code}. {}", g.label(lang))
            }
        }),
        "visibility" => match code {
            "visible" => Some(tr(lang, "zichtbaar (groep 1–4)", "visible (groups 1–4)").into()),
            "hidden" => Some(tr(lang, "verborgen (groep 5–7)", "hidden (groups 5–7)").into()),
            "other" => Some(tr(lang, "overige ETHOS", "other ETHOS").into()),
            _ => None,
        },
        "conceptual_category" => {
            label_of(code, ConceptualCategory::from_code, ConceptualCategory::label, lang)
        }
        "living_situation" => LivingSituation::from_code(code).map(|s| format!("{code} {}", s.label(lang))),
        "municipality" | "origin" => municipality::by_code(code).map(|g| g.name.clone()),
        "age_band" => label_of(code, AgeBand::from_code, AgeBand::label, lang),
        "gender" => label_of(code, Gender::from_code, Gender::label, lang),
        "household" => label_of(code, Household::from_code, Household::label, lang),
        "children" if code == "3+" => Some(tr(lang, "3 of meer", "3 or more").into()),
        "duration" => label_of(code, Dur::from_code, Dur::label, lang),
        "residence_status" => label_of(code, ResidenceStatus::from_code, ResidenceStatus::label, lang),
        "income" => label_of(code, Income::from_code, Income::label, lang),
        "care_needs" if code == "none" => Some(tr(lang, "geen", "none").into()),
        "care_needs" => label_of(code, CareNeed::from_code, CareNeed::label, lang),
        "previous_facility" => label_of(code, PreviousFacility::from_code, PreviousFacility::label, lang),
        "housing_need" => label_of(code, HousingNeed::from_code, HousingNeed::label, lang),
        _ => None,
    };
    found.or_else(|| common.map(String::from)).unwrap_or_else(|| code.to_string())
}

/// One row of a one-dimensional table: label, persons, suppression.
pub type Cell = (Option<u64>, Option<Suppression>);

/// A two-dimensional table laid out as rows × columns (the dimension with fewer values runs
/// across), in the order the report lists them.
#[derive(Debug, Clone, PartialEq)]
pub struct Crosstab {
    pub row_dim: String,
    pub col_dim: String,
    pub rows: Vec<String>,
    pub cols: Vec<String>,
    /// `cells[row][col]`.
    pub cells: Vec<Vec<Cell>>,
}

pub fn crosstab(table: &Table) -> Option<Crosstab> {
    let [a, b] = table.dimensions.as_slice() else {
        return None;
    };
    let values = |dim: &String| {
        let mut v: Vec<String> = Vec::new();
        for row in &table.rows {
            if let Some(code) = row.key.get(dim) {
                if !v.contains(code) {
                    v.push(code.clone());
                }
            }
        }
        v
    };
    let (va, vb) = (values(a), values(b));
    let (row_dim, col_dim, rows, cols) = if vb.len() <= va.len() { (a, b, va, vb) } else { (b, a, vb, va) };
    let mut cells = vec![vec![(None, None); cols.len()]; rows.len()];
    for row in &table.rows {
        let (Some(r), Some(c)) = (row.key.get(row_dim), row.key.get(col_dim)) else { continue };
        let (Some(i), Some(j)) = (rows.iter().position(|x| x == r), cols.iter().position(|x| x == c)) else {
            continue;
        };
        cells[i][j] = (row.persons, row.suppressed);
    }
    Some(Crosstab { row_dim: row_dim.clone(), col_dim: col_dim.clone(), rows, cols, cells })
}

/// The rows of a one-dimensional table as (code, cell).
pub fn one_dim(table: &Table) -> Vec<(String, Cell)> {
    let Some(dim) = table.dimensions.first() else { return Vec::new() };
    table
        .rows
        .iter()
        .map(|r| (r.key.get(dim).cloned().unwrap_or_default(), (r.persons, r.suppressed)))
        .collect()
}

/// A table of the report: its title in the language.
pub fn table_title(table: &Table, lang: Lang) -> &str {
    match lang {
        Lang::Nl => &table.title,
        Lang::En => &table.title_en,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ethos_shared::report::Row;
    use std::collections::BTreeMap;

    #[test]
    fn whole_numbers_read_with_or_without_thousands_separators() {
        use Lang::{En, Nl};
        assert_eq!(parse_whole_number("122.000", Nl), Some(122_000));
        assert_eq!(parse_whole_number("122,000", En), Some(122_000));
        assert_eq!(parse_whole_number(" 122 000 ", Nl), Some(122_000));
        assert_eq!(parse_whole_number("1.234.567", Nl), Some(1_234_567));
        assert_eq!(parse_whole_number("9700", En), Some(9_700));
        assert_eq!(parse_whole_number("18,5", Nl), None, "a decimal comma is no whole number");
        assert_eq!(parse_whole_number("18.5", En), None, "nor a decimal point");
        assert_eq!(
            parse_whole_number("122.000", En),
            None,
            "a Dutch separator in English is a decimal point"
        );
        assert_eq!(parse_whole_number("1234.567", Nl), None);
        assert_eq!(parse_whole_number("", Nl), None);
        assert_eq!(parse_whole_number("abc", Nl), None);
        assert_eq!(parse_whole_number("-5", Nl), None);
        // What the console shows is read back the same in both languages.
        for n in [0, 7, 999, 1_000, 25_400, 122_000, 1_234_567] {
            for lang in [Nl, En] {
                assert_eq!(parse_whole_number(&num(n, lang), lang), Some(n), "{n} in {lang:?}");
            }
        }
    }

    #[test]
    fn two_decimals_round_and_group_per_language() {
        assert_eq!(two_decimals(1.234, Lang::Nl), "1,23");
        assert_eq!(two_decimals(1234.567, Lang::Nl), "1.234,57");
        assert_eq!(two_decimals(1234.567, Lang::En), "1,234.57");
        assert_eq!(two_decimals(0.005, Lang::En), "0.01");
        assert_eq!(two_decimals(2.0, Lang::Nl), "2,00");
    }

    #[test]
    fn routes_round_trip_through_their_paths() {
        let id = Uuid::now_v7();
        for route in [
            Route::Counts,
            Route::Count(id, None),
            Route::Count(id, Some(Tab::Dashboard)),
            Route::Count(id, Some(Tab::Sheet)),
            Route::Count(id, Some(Tab::Report)),
            Route::Count(id, Some(Tab::Comparison)),
            Route::Count(id, Some(Tab::Population)),
            Route::Count(id, Some(Tab::Audit)),
        ] {
            assert_eq!(Route::parse(&route.path()), route, "{}", route.path());
        }
        assert_eq!(Route::parse("/console/"), Route::Counts);
        assert_eq!(Route::parse("/console/counts/not-a-uuid"), Route::Counts);
        assert_eq!(Route::parse(&format!("/console/counts/{id}/nonsense")), Route::Count(id, None));
    }

    #[test]
    fn analysts_see_aggregates_only() {
        assert!(Tab::Report.allowed(Role::Analyst));
        assert!(Tab::Comparison.allowed(Role::Analyst));
        assert!(!Tab::Population.allowed(Role::Analyst), "entering figures is the coordinator's");
        assert!(!Tab::Records.allowed(Role::Analyst));
        assert!(!Tab::Duplicates.allowed(Role::Analyst));
        assert!(Tab::NAV.iter().all(|t| t.allowed(Role::Coordinator)));
        assert_eq!(Tab::default_for(Role::Analyst), Tab::Report);
    }

    #[test]
    fn the_default_window_is_the_reference_evening_to_the_next_evening() {
        let d = NaiveDate::from_ymd_opt(2026, 10, 15).unwrap();
        let (start, end) = default_window(d);
        assert_eq!(local_input(start), "2026-10-15T20:00");
        assert_eq!(local_input(end), "2026-10-16T20:00");
        assert_eq!(parse_local_input("2026-10-16T20:00"), Some(end));
        assert_eq!(parse_local_input("2026-10-16T20:00:00"), Some(end));
        assert_eq!(parse_local_input("16-10-2026"), None);
    }

    #[test]
    fn login_errors_say_what_happened() {
        assert_eq!(login_error(401, None, Lang::Nl), "Onjuiste gebruikersnaam of wachtwoord.");
        assert!(login_error(429, Some(61), Lang::Nl).contains("2 minuten"));
        assert!(login_error(429, Some(30), Lang::En).contains("1 minute and"));
        assert!(login_error(429, None, Lang::Nl).contains("15 minuten"));
    }

    #[test]
    fn a_qr_code_is_drawn_as_merged_runs_of_modules() {
        let (width, d) = qr_path("http://127.0.0.1:18123/enroll#code=K7PQ-2QXM").unwrap();
        assert_eq!((width - 17) % 4, 0, "a QR code is 17 + 4·version modules wide");
        // The top-left finder pattern starts with a run of seven dark modules.
        assert!(d.starts_with("M0 0h7v1H0z"), "{}", &d[..40]);
        assert_eq!(enrol_url("http://x/", "AB-CD"), "http://x/enroll#code=AB-CD");
    }

    #[test]
    fn numbers_and_shares_read_in_the_language() {
        assert_eq!(num(1234567, Lang::Nl), "1.234.567");
        assert_eq!(num(999, Lang::En), "999");
        assert_eq!(num(1000, Lang::En), "1,000");
        assert_eq!(percent(0.125, Lang::Nl), "12,5%");
        assert_eq!(percent(1.0 / 3.0, Lang::En), "33.3%");
        assert_eq!(percent(0.0, Lang::En), "0.0%");
        assert_eq!(cell(None, Some(Suppression::Primary), Lang::Nl), "<5");
        assert_eq!(cell(None, Some(Suppression::Secondary), Lang::Nl), "x");
        assert_eq!(cell(Some(0), None, Lang::Nl), "0");
        assert_eq!(figure(None, Lang::Nl), "<5");
        assert_eq!(bar_len(5, 10, 300), 150);
        assert_eq!(bar_len(5, 0, 300), 0);
    }

    #[test]
    fn dimension_values_have_labels() {
        assert_eq!(value_label("count_group", "1", Lang::Nl), "1. openbare ruimte");
        assert_eq!(value_label("count_group", "other", Lang::Nl), "overige ETHOS");
        assert_eq!(value_label("municipality", "GM0935", Lang::Nl), "Maastricht");
        assert_eq!(value_label("origin", "elsewhere_nl", Lang::Nl), "elders in Nederland");
        assert_eq!(value_label("living_situation", "2.1", Lang::Nl), "2.1 nachtopvang");
        assert_eq!(value_label("gender", "unknown", Lang::En), "unknown");
        assert_eq!(value_label("care_needs", "none", Lang::Nl), "geen");
        assert_eq!(value_label("children", "3+", Lang::Nl), "3 of meer");
        assert_eq!(value_label("origin_province", "Limburg", Lang::Nl), "Limburg");
    }

    fn row(pairs: &[(&str, &str)], persons: Option<u64>, s: Option<Suppression>) -> Row {
        Row {
            key: pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<BTreeMap<_, _>>(),
            persons,
            suppressed: s,
            children: None,
            children_suppressed: None,
        }
    }

    #[test]
    fn a_two_dimensional_table_runs_its_shorter_dimension_across() {
        let t = Table {
            id: "by_category_and_gender".into(),
            title: "t".into(),
            title_en: "t".into(),
            dimensions: vec!["conceptual_category".into(), "gender".into()],
            total: Some(9),
            rows: vec![
                row(&[("conceptual_category", "roofless"), ("gender", "man")], Some(5), None),
                row(
                    &[("conceptual_category", "roofless"), ("gender", "woman")],
                    None,
                    Some(Suppression::Primary),
                ),
                row(&[("conceptual_category", "roofless"), ("gender", "other")], Some(0), None),
                row(
                    &[("conceptual_category", "houseless"), ("gender", "man")],
                    None,
                    Some(Suppression::Secondary),
                ),
                row(&[("conceptual_category", "houseless"), ("gender", "woman")], Some(0), None),
                row(&[("conceptual_category", "houseless"), ("gender", "other")], Some(0), None),
            ],
            multiple_answers: false,
        };
        let x = crosstab(&t).unwrap();
        assert_eq!(x.col_dim, "conceptual_category");
        assert_eq!(x.rows, ["man", "woman", "other"]);
        assert_eq!(x.cols, ["roofless", "houseless"]);
        assert_eq!(x.cells[1][0], (None, Some(Suppression::Primary)));
        assert_eq!(x.cells[0][1], (None, Some(Suppression::Secondary)));
        assert_eq!(x.cells[0][0], (Some(5), None));
    }

    fn device(seen: Option<&str>, unsynced: Option<u32>, revoked: bool) -> Device {
        Device {
            id: Uuid::now_v7(),
            label: None,
            organisation: "x".into(),
            organisation_type: OrganisationType::Other,
            enrolled_at: "2026-10-15T18:00:00Z".parse().unwrap(),
            last_seen_at: seen.map(|s| s.parse().unwrap()),
            unsynced,
            revoked,
        }
    }

    #[test]
    fn devices_are_listed_longest_silent_first() {
        let list = devices_by_contact(vec![
            device(Some("2026-10-15T22:00:00Z"), Some(0), false),
            device(None, None, false),
            device(Some("2026-10-15T20:00:00Z"), Some(3), false),
        ]);
        assert_eq!(list[0].last_seen_at, None);
        assert_eq!(list[1].unsynced, Some(3));
        assert!(list[1].holds_unsynced());
        assert!(!list[2].holds_unsynced());
        assert!(!device(None, Some(2), true).holds_unsynced(), "a revoked phone can no longer send");
    }

    fn stored_json() -> Value {
        serde_json::json!({"id": "0192f0c4-1111-7000-8000-000000000001", "revision": 2,
            "observed_at": "2026-10-15T22:40:00+02:00", "municipality": "GM0935",
            "living_situation": "2.1", "origin": {"kind": "abroad"}, "dedup_key": "ab".repeat(32),
            "profile": {"age_band": "23-26", "gender": "man", "household": "alone", "children": 0,
                "duration": "1-3m", "residence_status": "dutch", "income": "benefit",
                "care_needs": ["addiction"], "previous_facility": "none", "housing_need": "housing_first"},
            "training": false, "device_id": "0192f0c4-2222-7000-8000-000000000002",
            "organisation": "Straatteam Maastricht", "received_at": "2026-10-15T20:41:00Z",
            "void": {"reason": "dubbel ingevoerd", "at": "2026-10-16T08:00:00Z", "by": "coordinator"}})
    }

    #[test]
    fn stored_records_read_like_the_shared_wire_type() {
        let v = stored_json();
        let ours = stored_record(&v).unwrap();
        let serde_way: StoredRecord = serde_json::from_value(v.clone()).unwrap();
        assert_eq!(ours, serde_way);
        let (page, unread) =
            record_page(&serde_json::json!({"items": [v, {"id": "broken"}], "next_after": "x"}));
        assert_eq!((page.items.len(), unread, page.next_after.as_deref()), (1, 1, Some("x")));
        assert!(record_matches(&ours, "0192f0c4"));
        assert!(record_matches(&ours, "straatteam"));
        assert!(record_matches(&ours, "maastricht"));
        assert!(record_matches(&ours, "nachtopvang"));
        assert!(record_matches(&ours, "2.1"));
        assert!(!record_matches(&ours, "vaals"));
    }

    #[test]
    fn duplicate_groups_read_like_the_shared_wire_type() {
        let mut second = stored_json();
        second["id"] = "0192f0c4-1111-7000-8000-000000000003".into();
        second["since_decision"] = true.into();
        second["void"] = Value::Null;
        let v = serde_json::json!({"dedup_key": "ab".repeat(32), "records": [stored_json(), second],
            "resolution": {"decision": "same_person", "primary_record_id": "0192f0c4-1111-7000-8000-000000000001",
                "decided_at": "2026-10-16T09:00:00Z", "decided_by": "coordinator"}});
        let ours = duplicate_group(&v).unwrap();
        let serde_way: DuplicateGroup = serde_json::from_value(v.clone()).unwrap();
        assert_eq!(ours, serde_way);
        assert!(ours.records[1].since_decision);
        assert_eq!(duplicate_groups(&serde_json::json!({"items": [v]})).len(), 1);
    }

    #[test]
    fn a_report_reads_like_the_shared_wire_type() {
        let json = serde_json::json!({
            "count": {"id": Uuid::nil(), "name": "Test", "reference_date": "2026-10-15",
                "starts_at": "2026-10-15T20:00:00+02:00", "ends_at": "2026-10-16T20:00:00+02:00", "status": "live"},
            "generated_at": "2026-10-16T21:00:00Z", "disclosure": "public",
            "persons_total": 12, "accompanying_children": null, "persons_including_children": 14,
            "records_total": 20, "records_counted": 15, "records_void": 2, "records_training": 3,
            "records_without_key": 5, "duplicate_records_merged": 3,
            "tables": [
                {"id": "by_count_group", "title": "Personen naar telgroep", "title_en": "Persons by count group",
                 "dimensions": ["count_group"], "total": 12, "rows": [
                    {"key": {"count_group": "1"}, "persons": 8, "suppressed": null, "children": 2, "children_suppressed": null},
                    {"key": {"count_group": "2"}, "persons": null, "suppressed": "primary", "children": 0, "children_suppressed": null},
                    {"key": {"count_group": "other"}, "persons": null, "suppressed": "secondary", "children": 0}]},
                {"id": "by_category_and_care_needs", "title": "t", "title_en": "t", "multiple_answers": true,
                 "dimensions": ["conceptual_category", "care_needs"], "total": 12, "rows": [
                    {"key": {"conceptual_category": "roofless", "care_needs": "addiction"}, "persons": 6, "suppressed": null}]}],
            "quality": {"unresolved_duplicate_groups": 1, "resolved_duplicate_groups": 2,
                "persons_with_disagreeing_category": null, "persons_children_unknown": 5,
                "unknown_share": {"gender": 0.25, "origin": 0.0},
                "records_per_organisation": [{"organisation": "Straatteam", "organisation_type": "outreach", "records": 15}],
                "records_per_organisation_type": [{"organisation_type": "outreach", "records": 15}]}
        });
        let ours = report_from(&json).unwrap();
        let serde_way: Report = serde_json::from_value(json).unwrap();
        assert_eq!(ours, serde_way);
        assert_eq!(ours.tables[0].rows[1].suppressed, Some(Suppression::Primary));
        assert!(ours.tables[1].multiple_answers);
    }
}
