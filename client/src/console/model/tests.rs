use super::*;
use ethos_shared::count::OrganisationType;
use ethos_shared::disclosure::Suppression;
use ethos_shared::report::Row;
use ethos_shared::report::Table;
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
    assert_eq!(parse_whole_number("122.000", En), None, "a Dutch separator in English is a decimal point");
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
        Route::Count(id, Some(Tab::Summary)),
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
    assert!(Tab::Summary.allowed(Role::Analyst), "the summary is the report's");
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

#[test]
fn origin_tables_outside_the_region_read_with_dutch_names() {
    assert_eq!(value_label("origin_municipality", "GM0917", Lang::Nl), "Heerlen");
    assert_eq!(value_label("origin_province", "Limburg", Lang::En), "Limburg");
    assert_eq!(dim_label("origin_municipality", Lang::Nl), "Herkomstgemeente buiten de regio");
    assert_eq!(dim_label("origin_municipality", Lang::En), "Municipality of origin outside the region");
    // What neither list knows stays its code.
    assert_eq!(value_label("origin_municipality", "GM9999", Lang::Nl), "GM9999");
}
