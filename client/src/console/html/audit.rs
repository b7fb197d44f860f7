//! The audit log as a coordinator reads it: who (a user's name, a phone with its organisation),
//! what (a label per action code the server writes), and the details in words instead of the
//! stored JSON. The codes stay in view, small and muted, and the raw details in a `title`, for
//! the technical reader; an action this console does not know shows its code and raw details.

use super::kit::{day, plural, short, when, Html};
use crate::console::model::{contains_folded, dim_label, folded, num, AuditEntry, Device};
use crate::i18n::tr;
use chrono::{DateTime, NaiveDate, Utc};
use ethos_shared::api::Role;
use ethos_shared::codes::AuditAction;
use ethos_shared::count::{CountStatus, OrganisationType};
use ethos_shared::Lang;
use serde_json::Value;
use uuid::Uuid;

/// What the log itself does not say: the organisation of each phone (`GET …/devices`) and of
/// each team code (its `invite.create` line).
#[derive(Default)]
pub struct Known {
    devices: Vec<(Uuid, String)>,
    invites: Vec<(String, String)>,
}

impl Known {
    pub fn new(devices: &[Device], log: &[AuditEntry]) -> Self {
        let invites = log
            .iter()
            .filter(|e| e.action == "invite.create")
            .filter_map(|e| {
                let org = details(e)?.get("organisation")?.as_str()?.to_string();
                Some((e.entity_id.clone()?, org))
            })
            .collect();
        Known { devices: devices.iter().map(|d| (d.id, d.organisation.clone())).collect(), invites }
    }

    fn device(&self, id: Uuid) -> Option<&str> {
        self.devices.iter().find(|(d, _)| *d == id).map(|(_, org)| org.as_str())
    }

    fn invite(&self, id: Option<&str>) -> Option<&str> {
        self.invites.iter().find(|(i, _)| Some(i.as_str()) == id).map(|(_, org)| org.as_str())
    }
}

/// One line of the log in words.
pub struct Said {
    pub actor: String,
    /// The action's label; `None` for a code this console does not know.
    pub action: Option<&'static str>,
    pub details: String,
    /// Whether `details` are words, or the stored details as they are.
    pub in_words: bool,
}

/// The label of an action code of the log ([`AuditAction`] holds every code the server
/// writes, each with its text); `None` for a code this console does not know.
pub fn action_label(code: &str, lang: Lang) -> Option<&'static str> {
    AuditAction::from_code(code).map(|a| a.label(lang))
}

fn details(e: &AuditEntry) -> Option<Value> {
    e.details.as_deref().and_then(|d| serde_json::from_str(d).ok())
}

/// Who acted: a user by name, a phone by the end of its id and its organisation, the server's
/// command line as the administrator.
fn actor(raw: &str, known: &Known, lang: Lang) -> String {
    if let Some(name) = raw.strip_prefix("user:") {
        return name.to_string();
    }
    if let Some(id) = raw.strip_prefix("device:").and_then(|id| id.parse::<Uuid>().ok()) {
        let phone = format!("{} {}", tr(lang, "telefoon", "phone"), short(id));
        return match known.device(id) {
            Some(org) => format!("{phone} · {org}"),
            None => phone,
        };
    }
    match raw {
        "cli" => tr(lang, "beheerder (opdrachtregel)", "administrator (command line)").into(),
        other => other.to_string(),
    }
}

/// `record 1a2b3c4d` from an id in the log.
fn record(id: Option<&str>, lang: Lang) -> String {
    let id = id.unwrap_or_default();
    let id = id.parse::<Uuid>().map(short).unwrap_or_else(|_| id.to_string());
    format!("{} {id}", tr(lang, "record", "record"))
}

/// The outcome of a sync or an import in words, the parts that are not 0.
fn tally(d: &Value, lang: Lang) -> String {
    let parts: Vec<String> = [
        ("stored", "nieuw", "new"),
        ("updated", "bijgewerkt", "updated"),
        ("unchanged", "al ontvangen", "already received"),
        ("conflict", "in conflict", "in conflict"),
        ("rejected", "geweigerd", "rejected"),
    ]
    .iter()
    .filter_map(|(key, nl, en)| {
        let n = d.get(*key)?.as_u64().filter(|n| *n > 0)?;
        Some(format!("{} {}", num(n, lang), tr(lang, nl, en)))
    })
    .collect();
    if parts.is_empty() {
        tr(lang, "niets nieuws", "nothing new").into()
    } else {
        parts.join(", ")
    }
}

/// A report table by its dimensions: `by_category_and_municipality` → "ETHOS-categorie ×
/// Gemeente waar geteld".
fn table_words(id: &str, lang: Lang) -> String {
    id.trim_start_matches("by_")
        .split("_and_")
        .map(|dim| dim_label(if dim == "category" { "conceptual_category" } else { dim }, lang))
        .collect::<Vec<_>>()
        .join(" × ")
}

fn status(d: &Value, key: &str, lang: Lang) -> String {
    let code = d.get(key).and_then(Value::as_str).unwrap_or("?");
    CountStatus::from_code(code).map_or(code, |s| s.label(lang)).to_string()
}

fn text<'a>(d: &'a Value, key: &str) -> &'a str {
    d.get(key).and_then(Value::as_str).unwrap_or_default()
}

fn count(d: &Value, key: &str, lang: Lang) -> String {
    num(d.get(key).and_then(Value::as_u64).unwrap_or(0), lang)
}

/// The details of a known action in words; `None` when there is nothing to say in words.
fn details_in_words(e: &AuditEntry, known: &Known, lang: Lang) -> Option<String> {
    let d = details(e).unwrap_or(Value::Null);
    let entity = e.entity_id.as_deref();
    Some(match e.action.as_str() {
        "count.create" => {
            let date = text(&d, "reference_date").parse::<NaiveDate>().map(day).unwrap_or_default();
            format!("“{}”, {} {date}", text(&d, "name"), tr(lang, "peildatum", "reference date"))
        }
        "count.status" => format!(
            "{} {} {} {}",
            tr(lang, "van", "from"),
            status(&d, "from", lang),
            tr(lang, "naar", "to"),
            status(&d, "to", lang)
        ),
        "count.population" => {
            let rows = d.as_array().map(Vec::as_slice).unwrap_or_default();
            let sum: u64 = rows.iter().filter_map(|r| r.get(1)?.as_u64()).sum();
            let n = rows.len() as u64;
            match lang {
                Lang::Nl => format!(
                    "{} {}, samen {} inwoners",
                    num(n, lang),
                    plural(n, "gemeente", "gemeenten"),
                    num(sum, lang)
                ),
                Lang::En => format!(
                    "{} {}, {} inhabitants in all",
                    num(n, lang),
                    plural(n, "municipality", "municipalities"),
                    num(sum, lang)
                ),
            }
        }
        "invite.create" => {
            let kind = OrganisationType::from_code(text(&d, "organisation_type"))
                .map_or(String::new(), |k| format!(" ({})", k.label(lang)));
            format!("{} {}{kind}", tr(lang, "voor", "for"), text(&d, "organisation"))
        }
        "invite.revoke" => {
            let code = known.invite(entity).map_or_else(
                || entity.and_then(|i| i.parse::<Uuid>().ok()).map(short).unwrap_or_default(),
                |org| format!("{} {org}", tr(lang, "van", "of")),
            );
            format!(
                "{code}; {}",
                tr(
                    lang,
                    "telefoons die ermee zijn aangemeld kunnen niet meer verzenden",
                    "phones enrolled with it can no longer send"
                )
            )
        }
        "device.enroll" => {
            let mut words = known
                .invite(entity)
                .map(|org| format!("{} {org}", tr(lang, "met de teamcode van", "with the team code of")))
                .unwrap_or_default();
            let label = text(&d, "label");
            if !label.is_empty() {
                let sep = if words.is_empty() { "" } else { ", " };
                words = format!("{words}{sep}{} “{label}”", tr(lang, "toestelnaam", "device name"));
            }
            words
        }
        "sync" => tally(&d, lang),
        "records.import" => format!("{}: {}", text(&d, "file"), tally(d.get("result")?, lang)),
        "record.update" => format!(
            "{}: {} {} → {}",
            record(entity, lang),
            tr(lang, "versie", "revision"),
            count(&d, "from_revision", lang),
            count(&d, "to_revision", lang)
        ),
        "record.void" => {
            format!("{}, {}: “{}”", record(entity, lang), tr(lang, "reden", "reason"), text(&d, "reason"))
        }
        "record.unvoid" => format!("{}: {}", record(entity, lang), tr(lang, "telt weer mee", "counts again")),
        "duplicate.resolve" => {
            let key: String = entity.map(|k| k.chars().take(12).collect()).unwrap_or_default();
            let decision = match text(&d, "decision") {
                "same_person" => format!(
                    "{}, {} {}",
                    tr(lang, "zelfde persoon", "same person"),
                    tr(lang, "primair", "primary"),
                    record(d.get("primary_record_id").and_then(Value::as_str), lang)
                ),
                "different_people" => tr(lang, "verschillende personen", "different people").into(),
                other => other.to_string(),
            };
            format!("{decision} ({} {key}…)", tr(lang, "sleutel", "key"))
        }
        "records.export" => format!("{} records, CSV", count(&d, "rows", lang)),
        "report.export" => {
            let version = match text(&d, "disclosure") {
                "internal" => tr(lang, "interne versie", "internal version"),
                "public" => tr(lang, "openbare versie", "public version"),
                other => other,
            };
            let compared = if d.get("comparison_with").is_some() {
                tr(lang, ", vergeleken met een eerdere telling", ", compared with an earlier count")
            } else {
                ""
            };
            // `ethos report --format json` exports the whole report: no table.
            let what = match text(&d, "table") {
                "" => tr(lang, "het hele rapport", "the whole report").to_string(),
                table => format!("{} “{}”", tr(lang, "tabel", "table"), table_words(table, lang)),
            };
            format!("{what}, {version}{compared}")
        }
        "demo.example" => {
            format!("{} {}", count(&d, "records", lang), tr(lang, "verzonnen records", "invented records"))
        }
        "user.add" => {
            let role = Role::from_code(text(&d, "role")).map_or("", |r| r.label(lang));
            format!("{} ({role})", text(&d, "username"))
        }
        "user.demo" => text(&d, "username").to_string(),
        "login.failed" => format!("{} {}", tr(lang, "vanaf", "from"), text(&d, "client_addr")),
        "backup" => text(&d, "file").to_string(),
        _ => return None,
    })
}

/// A line of the log in words.
pub fn said(e: &AuditEntry, known: &Known, lang: Lang) -> Said {
    let action = action_label(&e.action, lang);
    let words = action.and_then(|_| details_in_words(e, known, lang));
    Said {
        actor: actor(&e.actor, known, lang),
        action,
        in_words: words.is_some(),
        details: words.unwrap_or_else(|| e.details.clone().unwrap_or_default()),
    }
}

/// The audit filter: the action text occurs in the action's label or code, the actor text in
/// who acted as shown or as stored (case and accents ignored).
pub fn audit_matches(e: &AuditEntry, s: &Said, action: &str, actor: &str) -> bool {
    let (action, actor) = (folded(action.trim()), folded(actor.trim()));
    (contains_folded(&e.action, &action) || s.action.is_some_and(|l| contains_folded(l, &action)))
        && (contains_folded(&e.actor, &actor) || contains_folded(&s.actor, &actor))
}

pub fn audit_table(lines: &[(&AuditEntry, Said)], lang: Lang) -> String {
    let mut h = Html::new();
    h.open("div", &[("class", "table-scroll")]);
    h.table(
        "data-table",
        "audit-table",
        tr(lang, "Logboek", "Audit log"),
        true,
        &[
            (tr(lang, "Wanneer", "When"), false),
            (tr(lang, "Wie", "Who"), false),
            (tr(lang, "Actie", "Action"), false),
            (tr(lang, "Details", "Details"), false),
        ],
    );
    for (e, s) in lines {
        h.open("tr", &[("data-testid", "audit-row"), ("data-action", &e.action)]);
        h.el(
            "td",
            &[("class", "nowrap")],
            &e.at.parse::<DateTime<Utc>>().map(when).unwrap_or_else(|_| e.at.clone()),
        );
        h.el("td", &[("title", &e.actor)], &s.actor);
        // The label, and under it the code as stored (for the technical reader and the filter).
        h.open("td", &[]);
        if let Some(label) = s.action {
            h.text(label).open("br", &[]);
        }
        h.el("span", &[("class", "code")], &e.action).close("td");
        let raw = [e.entity_id.as_deref(), e.details.as_deref()].into_iter().flatten().collect::<Vec<_>>();
        // Raw details small and muted, broken anywhere (JSON has no spaces to break at).
        let class = if s.in_words { "" } else { "details" };
        h.el("td", &[("class", class), ("title", &raw.join(" "))], &s.details);
        h.close("tr");
    }
    h.end_table().close("div");
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(actor: &str, action: &str, entity: Option<&str>, details: &str) -> AuditEntry {
        AuditEntry {
            id: 1,
            at: "2026-10-15T20:00:00Z".into(),
            actor: actor.into(),
            action: action.into(),
            entity_id: entity.map(str::to_string),
            details: (!details.is_empty()).then(|| details.to_string()),
        }
    }

    #[test]
    fn every_action_the_server_writes_has_a_label_in_both_languages() {
        // `AuditAction` holds every action code the server writes (a test in `tests/` checks
        // that against the demo's log).
        for action in AuditAction::ALL {
            for lang in [Lang::Nl, Lang::En] {
                assert!(action_label(action.as_str(), lang).is_some(), "{action:?} has no label");
            }
        }
        assert_eq!(action_label("something.new", Lang::Nl), None);
    }

    #[test]
    fn details_are_said_in_words_and_phones_by_their_organisation() {
        let invite = "01a21429-41e5-733a-b764-f19c895164e7";
        let device = "01a21429-41e6-709d-af3d-7cb10fec74fd";
        let log = vec![
            entry("user:coordinator", "count.status", None, r#"{"from":"training","to":"live"}"#),
            entry(
                "user:coordinator",
                "invite.create",
                Some(invite),
                r#"{"organisation":"Nachtopvang","organisation_type":"shelter"}"#,
            ),
            entry(&format!("device:{device}"), "device.enroll", Some(invite), r#"{"label":"toestel"}"#),
            entry(
                &format!("device:{device}"),
                "sync",
                None,
                r#"{"stored":124,"unchanged":0,"updated":0,"conflict":0,"rejected":2}"#,
            ),
            entry(
                "user:coordinator",
                "record.void",
                Some("80caa1ad-d0fc-48b4-b8ca-ba20d257cd23"),
                r#"{"reason":"Testinvoer"}"#,
            ),
            entry(
                "user:analist",
                "report.export",
                None,
                r#"{"table":"by_category_and_municipality","disclosure":"public","format":"csv"}"#,
            ),
            entry("cli", "count.population", None, r#"[["GM0935",122000],["GM1903",25000]]"#),
        ];
        let known = Known::new(&[], &log);
        let words: Vec<Said> = log.iter().map(|e| said(e, &known, Lang::Nl)).collect();
        assert_eq!(words[0].action, Some("Status van de telling gewijzigd"));
        assert_eq!(words[0].details, "van oefenen naar live");
        assert_eq!(words[1].details, "voor Nachtopvang (opvang)");
        assert_eq!(words[2].actor, "telefoon 0fec74fd");
        assert_eq!(words[2].details, "met de teamcode van Nachtopvang, toestelnaam “toestel”");
        assert_eq!(words[3].details, "124 nieuw, 2 geweigerd");
        assert_eq!(words[4].actor, "coordinator");
        assert_eq!(words[4].details, "record d257cd23, reden: “Testinvoer”");
        assert_eq!(words[5].details, "tabel “ETHOS-categorie × Gemeente waar geteld”, openbare versie");
        assert_eq!(words[6].actor, "beheerder (opdrachtregel)");
        assert_eq!(words[6].details, "2 gemeenten, samen 147.000 inwoners");
        let en = said(&log[5], &known, Lang::En);
        assert_eq!(en.details, "table “ETHOS category × Municipality where counted”, public version");
    }

    #[test]
    fn an_unknown_action_shows_its_code_and_raw_details() {
        let e = entry("user:coordinator", "count.rename", None, r#"{"name":"Nieuw"}"#);
        let s = said(&e, &Known::default(), Lang::Nl);
        assert_eq!(s.action, None);
        assert_eq!(s.details, r#"{"name":"Nieuw"}"#);
        let table = audit_table(&[(&e, s)], Lang::Nl);
        assert!(table.contains("<span class=\"code\">count.rename</span>"), "{table}");
    }

    #[test]
    fn the_filter_matches_label_or_code_and_actor_as_shown_or_stored() {
        let device = "01a21429-41e6-709d-af3d-7cb10fec74fd";
        let e = entry(&format!("device:{device}"), "record.void", None, "");
        let known = Known { devices: vec![(device.parse().unwrap(), "Straatteam".into())], invites: vec![] };
        let s = said(&e, &known, Lang::Nl);
        assert_eq!(s.actor, "telefoon 0fec74fd · Straatteam");
        assert!(audit_matches(&e, &s, "", ""));
        assert!(audit_matches(&e, &s, "VOID", "straat"));
        assert!(audit_matches(&e, &s, "ongeldig", "telefoon"));
        assert!(audit_matches(&e, &s, "", "device:01a2"));
        assert!(!audit_matches(&e, &s, "teamcode", ""));
        assert!(!audit_matches(&e, &s, "", "coordinator"));
    }
}
