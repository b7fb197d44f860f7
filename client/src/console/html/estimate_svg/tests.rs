use super::super::label::{text_width, DEMO_ORGANISATIONS};
use super::*;

/// The names beside the UpSet chart's dots: every demo organisation, with up to thousands
/// of persons, stands whole within the name column.
#[test]
fn the_demo_organisations_fit_the_upset_name_column_whole() {
    for name in DEMO_ORGANISATIONS {
        for persons in [7, 1_234] {
            let lines = upset_label(name, persons, Lang::Nl);
            assert!(lines.len() <= 2 && !lines.concat().contains('…'), "cut: {lines:?}");
            assert!(lines.last().is_some_and(|l| l.ends_with(&format!("({})", num(persons, Lang::Nl)))));
            for line in &lines {
                assert!(text_width(line, LABEL_PX) <= UPSET_ROOM, "{line:?} is too wide");
            }
        }
    }
}

#[test]
fn a_name_too_long_for_two_lines_is_cut_before_its_number() {
    let name = "Stichting voor maatschappelijke opvang, beschermd wonen en begeleiding Zuid-Limburg";
    let lines = upset_label(name, 12, Lang::Nl);
    assert_eq!(lines.len(), 2);
    assert!(lines[1].ends_with("… (12)"), "{lines:?}");
    let svg = upset_svg(
        &[name.to_string(), "b".into(), "c".into(), "d".into()],
        &[History { sources: vec!["1".into(), "2".into()], persons: 3 }],
        &["1".into(), "2".into(), "3".into(), "4".into()],
        Lang::Nl,
    );
    assert!(svg.contains(&format!("<title>{name} (3)</title>")), "the whole name: {svg}");
}
