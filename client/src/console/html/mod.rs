//! The console's read-only markup — tables, bar charts, QR codes, the report — written as
//! escaped HTML text and set with `inner_html`. Why not `view!`: every typed leptos view is
//! code of its own in the one wasm file that phones download too; a string builder per table
//! costs a fraction of that (see the size note in `console`). Every text and attribute value
//! passes through [`esc`]; markup is fixed text in this file. Buttons and links carry
//! `data-action` / `data-arg`; each page has one listener that reads them (`platform::action_of`).
//! No `style` attribute anywhere: the Content-Security-Policy forbids them; classes are in app.css.

pub mod audit;
mod chart;
mod codes;
pub mod comparison;
pub mod estimate;
mod estimate_svg;
mod kit;
mod label;
mod records;
pub mod report;

use crate::console::model::*;
use crate::i18n::tr;
use chrono::{DateTime, Local, Utc};
use ethos_shared::Lang;

pub use chart::bar_chart;
pub use kit::*;
// The pages (browser only) reach these as `html::…`.
#[cfg(target_arch = "wasm32")]
pub use codes::*;
#[cfg(target_arch = "wasm32")]
pub use records::*;

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

#[cfg(test)]
mod tests {
    use super::codes::*;
    use super::records::*;
    use super::*;
    use ethos_shared::api::Invite;
    use uuid::Uuid;

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

    fn review_group(municipalities: [&str; 2]) -> ethos_shared::review::ReviewGroup {
        let record = |id: u128, municipality: &str| {
            serde_json::json!({
                "id": Uuid::from_u128(id), "revision": 1, "observed_at": "2026-10-15T22:40:00+02:00",
                "municipality": municipality, "living_situation": "1.1", "origin": {"kind": "unknown"},
                "dedup_key": "ab".repeat(32),
                "profile": {"age_band": "23-26", "gender": "man", "household": "alone", "children": 0,
                    "duration": "1-3m", "residence_status": "dutch", "income": "benefit",
                    "care_needs": ["none"], "previous_facility": "none", "housing_need": "unknown"},
                "training": false, "device_id": Uuid::nil(), "organisation": "<Straatteam>",
                "received_at": "2026-10-15T21:00:00Z", "void": null})
        };
        let group: ethos_shared::api::DuplicateGroup = serde_json::from_value(serde_json::json!({
            "dedup_key": "ab".repeat(32), "resolution": null,
            "records": [record(1, municipalities[0]), record(2, municipalities[1])]
        }))
        .unwrap();
        ethos_shared::review::ReviewGroup::new(group)
    }

    #[test]
    fn a_group_says_what_differs_and_marks_those_answers() {
        let html = duplicate_groups(&[review_group(["GM0935", "GM0938"])], &[], &[], Lang::Nl);
        assert!(html.contains("data-differs=\"municipality\""), "{html}");
        assert!(html.contains("Verschilt in: gemeente."), "{html}");
        assert!(html.contains("<mark>Maastricht</mark>") && html.contains("<mark>Meerssen</mark>"), "{html}");
        assert!(html.contains("&lt;Straatteam&gt;"), "escaped: {html}");
        assert!(html.contains("<button") && html.contains("data-action=\"same\""), "real buttons: {html}");
        let same = duplicate_groups(&[review_group(["GM0935", "GM0935"])], &[], &[], Lang::En);
        assert!(same.contains("data-differs=\"\"") && !same.contains("<mark>"), "{same}");
        assert!(same.contains("No differences"), "{same}");
    }
}
