use super::*;
use ethos_shared::report::{build, ReportInput};
use serde_json::Value;
use uuid::Uuid;

/// A report as the API answers it: an empty report of `v["count"]`, decoded with serde
/// after `v`'s members are laid over it (objects member by member).
fn report_from(v: &Value) -> Option<Report> {
    let base = build(ReportInput {
        count: serde_json::from_value(v["count"].clone()).ok()?,
        records: &[],
        decisions: &Default::default(),
        organisations: &[],
        disclosure: Disclosure::Public,
        generated_at: chrono::Utc::now(),
        population: &[],
    });
    let mut json = serde_json::to_value(base).ok()?;
    for (k, val) in v.as_object()? {
        match (json.get_mut(k), val) {
            (Some(Value::Object(b)), Value::Object(o)) => {
                for (kk, vv) in o {
                    b.insert(kk.clone(), vv.clone());
                }
            }
            _ => json[k] = val.clone(),
        }
    }
    serde_json::from_value(json).ok()
}

fn report_with_rates(rates: serde_json::Value) -> Report {
    report_from(&serde_json::json!({
        "count": {"id": Uuid::nil(), "name": "Telling", "reference_date": "2026-10-15",
            "starts_at": "2026-10-15T20:00:00+02:00", "ends_at": "2026-10-16T20:00:00+02:00",
            "status": "locked"},
        "generated_at": "2026-10-17T10:00:00Z", "disclosure": "public", "tables": [],
        "quality": {}, "rates": rates
    }))
    .unwrap()
}

#[test]
fn rates_show_persons_per_1000_and_hide_what_the_municipality_table_hides() {
    let r = report_with_rates(serde_json::json!([
        {"municipality": "GM0935", "persons": 123, "population": 122_000, "per_1000": 1.00819},
        {"municipality": "GM0981", "persons": null, "suppressed": "primary", "population": 9_900, "per_1000": null},
        {"municipality": "GM0994", "persons": null, "suppressed": "secondary", "population": 16_000, "per_1000": null}
    ]));
    let html = report(&r, Lang::Nl);
    let section =
        &html[html.find("report-rates").unwrap()..html.find("report-quality").unwrap_or(html.len())];
    assert!(section.contains("<th scope=\"row\">Maastricht</th><td class=\"num\">123</td><td class=\"num\">122.000</td><td class=\"num\">1,01</td>"), "{section}");
    assert!(section.contains("<th scope=\"row\">Vaals</th><td class=\"num\">&lt;5</td><td class=\"num\">9.900</td><td class=\"num\">x</td>"), "{section}");
    assert!(
        section.contains("<th scope=\"row\">Valkenburg aan de Geul</th><td class=\"num\">x</td>"),
        "secondary: {section}"
    );
    let none = report(&report_with_rates(serde_json::json!([])), Lang::En);
    assert!(none.contains("No population figures were entered"));
}

#[test]
fn quality_shows_hidden_shares_and_organisations_as_x() {
    let r = report_from(&serde_json::json!({
            "count": {"id": Uuid::nil(), "name": "Telling", "reference_date": "2026-10-15",
                "starts_at": "2026-10-15T20:00:00+02:00", "ends_at": "2026-10-16T20:00:00+02:00",
                "status": "locked"},
            "generated_at": "2026-10-17T10:00:00Z", "disclosure": "public", "tables": [],
            "persons_total": null,
            "quality": {
                "unknown_share": {"gender": null, "income": 0.25},
                "records_per_organisation": [
                    {"organisation": "Straatteam", "organisation_type": "outreach", "records": null, "suppressed": "primary"},
                    {"organisation": "Nachtteam", "organisation_type": "outreach", "records": null, "suppressed": "secondary"},
                    {"organisation": "Politie", "organisation_type": "police", "records": 30}],
                "records_per_organisation_type": [
                    {"organisation_type": "outreach", "records": 23}, {"organisation_type": "police", "records": 30}]}
        }))
        .expect("a report");
    assert_eq!(r.quality.unknown_share["gender"], None);
    let html = report(&r, Lang::Nl);
    let quality = &html[html.find("report-quality-unknown").expect("shares")..];
    assert!(
        quality.contains("<tr data-key=\"gender\"><th scope=\"row\">Geslacht</th><td class=\"num\">x</td>"),
        "{quality}"
    );
    assert!(
        quality.contains(
            "<th scope=\"row\">Straatteam</th><td>straat- en veldwerk</td><td class=\"num\">&lt;5</td>"
        ),
        "{quality}"
    );
    assert!(
        quality
            .contains("<th scope=\"row\">Nachtteam</th><td>straat- en veldwerk</td><td class=\"num\">x</td>"),
        "{quality}"
    );
}

#[test]
fn hidden_headline_figures_read_as_the_report_says_why() {
    let r = report_from(&serde_json::json!({
        "count": {"id": Uuid::nil(), "name": "Telling", "reference_date": "2026-10-15",
            "starts_at": "2026-10-15T20:00:00+02:00", "ends_at": "2026-10-16T20:00:00+02:00",
            "status": "locked"},
        "generated_at": "2026-10-17T10:00:00Z", "disclosure": "public", "tables": [], "quality": {},
        "records_counted": 30, "records_void": 0, "records_training": null, "records_total": null,
        "headline_suppressed": {"records_training": "primary", "records_total": "secondary"}
    }))
    .expect("a report");
    let html = report(&r, Lang::Nl);
    let row = |key: &str| {
        let start = html.find(&format!("<tr data-key=\"{key}\">")).expect(key);
        html[start..start + html[start..].find("</tr>").expect("a row end")].to_string()
    };
    assert!(row("records_total").ends_with("<td class=\"num\">x</td>"), "{}", row("records_total"));
    assert!(row("records_training").ends_with("<td class=\"num\">&lt;5</td>"), "{}", row("records_training"));
    assert!(row("records_counted").ends_with("<td class=\"num\">30</td>"), "{}", row("records_counted"));
    // The table says why a figure reads `x` or `<5`.
    let why = &html[html.find("quality-hidden-why").expect("the reason under the table")..];
    assert!(why.contains("x: verborgen omdat"), "{why}");
}

#[test]
fn the_quality_section_shows_records_per_organisation_and_way_of_entry_with_hidden_cells() {
    let r = report_from(&serde_json::json!({
        "count": {"id": Uuid::nil(), "name": "Telling", "reference_date": "2026-10-15",
            "starts_at": "2026-10-15T20:00:00+02:00", "ends_at": "2026-10-16T20:00:00+02:00",
            "status": "locked"},
        "generated_at": "2026-10-17T10:00:00Z", "disclosure": "public", "tables": [],
        "quality": {"records_per_organisation_entry": [
            {"organisation": "Leger des Heils", "organisation_type": "shelter", "entry": "field", "records": 12},
            {"organisation": "Leger des Heils", "organisation_type": "shelter", "entry": "sheet", "records": 40},
            {"organisation": "Wijkteam", "organisation_type": "municipality", "entry": "desk", "records": null, "suppressed": "primary"}
        ]}
    }))
    .unwrap();
    let html = report(&r, Lang::Nl);
    let section = &html[html.find("report-quality-entries").unwrap()..];
    let section = &section[..section.find("</table>").unwrap()];
    assert!(section.contains("Records per organisatie en invoer"), "{section}");
    assert!(
        section.contains("<th scope=\"row\">Leger des Heils</th><td class=\"num\">12</td><td class=\"num\">0</td><td class=\"num\">40</td>"),
        "{section}"
    );
    assert!(
        section.contains("<th scope=\"row\">Wijkteam</th><td class=\"num\">0</td><td class=\"num\">&lt;5</td><td class=\"num\">0</td>"),
        "{section}"
    );
}
