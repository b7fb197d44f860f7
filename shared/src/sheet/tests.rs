use super::columns::{answers, column_of_header, ColumnKey, COLUMNS};
use super::text::{decode, read_csv};
use super::*;
use crate::ethos::LivingSituation;
use crate::profile::*;
use crate::record::Origin;

fn t(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).expect("a time")
}

fn ctx<'a>(desk_secret: &'a str) -> SheetContext<'a> {
    SheetContext {
        desk_secret,
        dedup_secret: "test-secret",
        starts_at: t("2026-10-15T20:00:00+02:00"),
        ends_at: t("2026-10-16T20:00:00+02:00"),
        reference_date: chrono::NaiveDate::from_ymd_opt(2026, 10, 15).expect("a date"),
        training: false,
        now: t("2026-10-20T12:00:00Z").with_timezone(&Utc),
    }
}

fn header() -> Vec<String> {
    COLUMNS.iter().map(|c| c.nl.to_string()).collect()
}

/// A row in the template's column order, from (column, value) pairs; other cells empty.
fn row(cells: &[(ColumnKey, &str)]) -> Vec<String> {
    COLUMNS
        .iter()
        .map(|c| cells.iter().find(|(k, _)| *k == c.key).map_or(String::new(), |(_, v)| v.to_string()))
        .collect()
}

fn person(first: &str, family: &str, birth: &str) -> Vec<String> {
    use ColumnKey::*;
    row(&[
        (FirstName, first),
        (FamilyName, family),
        (BirthDate, birth),
        (Gender, "vrouw"),
        (Municipality, "Maastricht"),
        (LivingSituation, "1.1 buiten, openbare ruimte"),
        (Origin, "Heerlen"),
        (CareNeeds, "verslaving, psychische problemen"),
    ])
}

fn sheet(rows: Vec<Vec<String>>) -> Vec<Vec<String>> {
    let mut table = vec![header()];
    table.extend(rows);
    table
}

#[test]
fn every_answer_of_every_value_set_is_offered_and_reads_back_as_itself() {
    fn check<T: Copy + PartialEq + std::fmt::Debug>(
        key: ColumnKey,
        all: &[T],
        label: impl Fn(T) -> &'static str,
    ) {
        let offered = answers(key);
        for v in all {
            assert!(offered.iter().any(|a| a == label(*v)), "{key:?}: {v:?} offered");
        }
    }
    let nl = Lang::Nl;
    check(ColumnKey::Gender, Gender::ALL, |v| v.label(nl));
    check(ColumnKey::Age, AgeBand::ALL, |v| v.label(nl));
    check(ColumnKey::Answer("household"), Household::ALL, |v| v.label(nl));
    check(ColumnKey::Answer("duration"), Duration::ALL, |v| v.label(nl));
    check(ColumnKey::Answer("residence_status"), ResidenceStatus::ALL, |v| v.label(nl));
    check(ColumnKey::Answer("income"), Income::ALL, |v| v.label(nl));
    check(ColumnKey::Answer("previous_facility"), PreviousFacility::ALL, |v| v.label(nl));
    check(ColumnKey::Answer("housing_need"), HousingNeed::ALL, |v| v.label(nl));
    check(ColumnKey::CareNeeds, CareNeed::ALL, |v| v.label(nl));
    assert_eq!(answers(ColumnKey::LivingSituation).len(), LivingSituation::ALL.len());
    assert_eq!(answers(ColumnKey::Municipality).len(), 6);
    assert_eq!(answers(ColumnKey::Children).len(), 22);
    assert_eq!(answers(ColumnKey::Origin).len(), 2 + crate::municipality::all().len());
    // Every offered answer is accepted by the reader.
    for c in COLUMNS.iter().filter(|c| c.field.is_some()) {
        for a in answers(c.key) {
            let mut cells = person("Jan", "Jansen", "");
            let i = COLUMNS.iter().position(|x| x.key == c.key).expect("column");
            cells[i] = a.clone();
            let out = read_sheet(&sheet(vec![cells]), &ctx("desk"));
            assert_eq!(out.problems, vec![], "{:?} = {a}", c.key);
        }
    }
}

#[test]
fn headers_are_found_in_dutch_english_short_or_as_field_names() {
    assert_eq!(column_of_header("Voornaam (roepnaam)"), Some(ColumnKey::FirstName));
    assert_eq!(column_of_header(" voornaam "), Some(ColumnKey::FirstName));
    assert_eq!(column_of_header("Woonsituatie"), Some(ColumnKey::LivingSituation));
    assert_eq!(column_of_header("Family name"), Some(ColumnKey::FamilyName));
    assert_eq!(column_of_header("care_needs"), Some(ColumnKey::CareNeeds));
    assert_eq!(column_of_header("Opmerking"), None);
    let headers: Vec<&str> = COLUMNS.iter().map(|c| c.nl).collect();
    for h in ["Voornaam (roepnaam)", "Achternaam", "Geboortedatum", "Gemeente geteld", "Woonsituatie (ETHOS)"]
    {
        assert!(headers.contains(&h), "{h}");
    }
    for h in ["Herkomstgemeente", "Leeftijd"] {
        assert!(headers.contains(&h), "{h}");
    }
}

#[test]
fn a_good_row_becomes_a_record_of_the_reference_night_without_names() {
    let out = read_sheet(&sheet(vec![person("Zoë", "de Vries", "31-12-1999")]), &ctx("desk"));
    assert_eq!(out.problems, vec![]);
    let r = &out.records[0].record;
    assert_eq!(out.records[0].row, 2);
    assert_eq!(r.observed_at, t("2026-10-15T20:00:00+02:00"));
    assert_eq!(r.entry, crate::record::Entry::Sheet);
    assert_eq!(r.living_situation, LivingSituation::PublicSpace);
    assert_eq!(r.profile.age_band, AgeBand::From23To26);
    assert_eq!(r.profile.gender, Gender::Woman);
    assert_eq!(r.profile.care_needs, CareNeeds::Needs(vec![CareNeed::Psychiatric, CareNeed::Addiction]));
    assert!(matches!(&r.origin, Origin::Municipality { code } if code.as_str() == "GM0917"));
    assert_eq!(
        r.dedup_key.as_ref().map(|k| k.as_str()),
        Some("0cc5aad21a15807b55e0406b1fcca38edfde030dd7ddc7458181cbed0aa6ab3c")
    );
    let json = r.canonical_json();
    for secret in ["Zo", "Vries", "1999", "VR"] {
        assert!(!json.contains(secret), "{secret} in {json}");
    }
}

/// The column of each problem, by row.
fn problems_of(rows: Vec<Vec<String>>) -> Vec<(usize, Option<ColumnKey>)> {
    read_sheet(&sheet(rows), &ctx("desk")).problems.iter().map(|p| (p.row, p.column)).collect()
}

#[test]
fn each_kind_of_problem_is_reported_with_its_row_and_column() {
    use ColumnKey::*;
    let with = |key: ColumnKey, value: &str| {
        let mut r = person("Anna", "Bakker", "01-02-1980");
        let i = COLUMNS.iter().position(|c| c.key == key).expect("column");
        r[i] = value.to_string();
        r
    };
    let cases: Vec<(Vec<String>, ColumnKey)> = vec![
        (with(FirstName, "A."), FirstName),
        (with(FirstName, "J.P."), FirstName),
        (with(BirthDate, "31-02-1980"), BirthDate),
        (with(BirthDate, "gisteren"), BirthDate),
        (with(BirthDate, "01-01-2027"), BirthDate),
        (with(Age, "50-64 jaar"), Age),
        (with(Gender, "meneer"), Gender),
        (with(Municipality, ""), Municipality),
        (with(Municipality, "Heerlen"), Municipality),
        (with(LivingSituation, ""), LivingSituation),
        (with(LivingSituation, "1.2"), LivingSituation),
        (with(Origin, "Atlantis"), Origin),
        (with(Children, "21"), Children),
        (with(CareNeeds, "geen, verslaving"), CareNeeds),
        (with(Answer("duration"), "lang"), Answer("duration")),
        (with(Answer("housing_need"), "villa"), Answer("housing_need")),
    ];
    for (i, (cells, key)) in cases.into_iter().enumerate() {
        let mut rows = vec![person("Piet", "Post", "")];
        rows.push(cells);
        assert_eq!(problems_of(rows), vec![(3, Some(key))], "case {i}: {key:?}");
    }
    let out = read_sheet(&sheet(vec![with(Age, "50-64 jaar")]), &ctx("desk"));
    assert_eq!(
        out.problems[0].text(Lang::Nl),
        "rij 2, kolom Leeftijd: past niet bij de geboortedatum (laat leeg als de geboortedatum bekend is)"
    );
    assert!(out.problems[0].text(Lang::En).starts_with("row 2, column Age: does not match"));
}

#[test]
fn all_problems_of_a_row_are_reported_at_once_and_good_rows_still_read() {
    use ColumnKey::*;
    let bad = row(&[(FirstName, "K."), (Municipality, "Parijs"), (Children, "veel")]);
    let out = read_sheet(&sheet(vec![person("Jan", "Jansen", "1-1-1970"), vec![], bad]), &ctx("desk"));
    let cols: Vec<(usize, Option<ColumnKey>)> = out.problems.iter().map(|p| (p.row, p.column)).collect();
    assert_eq!(
        cols,
        vec![(4, Some(FirstName)), (4, Some(Municipality)), (4, Some(LivingSituation)), (4, Some(Children))]
    );
    assert_eq!(out.records.len(), 1);
    assert_eq!(out.rows, 2, "the empty row is skipped but keeps its number");
}

#[test]
fn a_missing_required_column_or_a_count_not_begun_is_a_problem_of_the_file() {
    let table = vec![vec!["Voornaam".to_string(), "Gemeente geteld".to_string()]];
    let out = read_sheet(&table, &ctx("desk"));
    assert_eq!(out.problems.len(), 1);
    assert_eq!(out.problems[0].row, 0);
    assert!(out.problems[0].nl.contains("Woonsituatie (ETHOS)"));
    let mut early = ctx("desk");
    early.now = t("2026-10-01T12:00:00Z").with_timezone(&Utc);
    let out = read_sheet(&sheet(vec![person("Jan", "Jansen", "")]), &early);
    assert_eq!(out.records.len(), 0);
    assert_eq!(out.problems[0].row, 0);
}

#[test]
fn the_same_person_twice_in_one_file_is_a_problem_on_the_second_row() {
    let rows = vec![person("Jan", "Jansen", "1-1-1970"), person("JAN", "jansen", "1970-01-01")];
    assert_eq!(problems_of(rows), vec![(3, Some(ColumnKey::FirstName))]);
}

fn ids(desk: &str, rows: Vec<Vec<String>>) -> Vec<(String, uuid::Uuid)> {
    let table = sheet(rows);
    let out = read_sheet(&table, &ctx(desk));
    assert_eq!(out.problems, vec![]);
    out.records.iter().map(|r| (table[r.row - 1][1].clone() + &table[r.row - 1][0], r.record.id)).collect()
}

#[test]
fn row_ids_stay_under_sorting_and_appending_and_differ_across_desks() {
    use ColumnKey::*;
    let anon = |nr: &str, ls: &str| row(&[(Nr, nr), (Municipality, "Vaals"), (LivingSituation, ls)]);
    let rows = vec![
        person("Jan", "Jansen", "1-1-1970"),
        person("Ödön", "El-Amrani", "03-02-2001"),
        anon("7", "2.1"),
        anon("", "3.1"),
    ];
    let mut a = ids("desk-1", rows.clone());
    let mut sorted_and_more = rows.clone();
    sorted_and_more.reverse();
    sorted_and_more.push(person("Li", "O'Neill", "04-07-1975"));
    sorted_and_more.push(anon("8", "2.1"));
    let mut b = ids("desk-1", sorted_and_more);
    assert_eq!(b.len(), 6);
    b.retain(|x| a.iter().any(|y| y.0 == x.0));
    a.sort();
    b.sort();
    assert_eq!(a, b, "every row keeps its id");
    let other: Vec<uuid::Uuid> = ids("desk-2", rows).into_iter().map(|x| x.1).collect();
    assert!(a.iter().all(|x| !other.contains(&x.1)), "another desk's secret gives other ids");
}

#[test]
fn a_changed_answer_keeps_the_person_row_id_and_ignores_name_spelling() {
    let before = read_sheet(&sheet(vec![person("Jan", "van der Berg", "17-05-1980")]), &ctx("d"));
    let mut changed = person("jan", "Van der  Berg", "1980-05-17");
    changed[COLUMNS.iter().position(|c| c.key == ColumnKey::LivingSituation).expect("col")] = "2.1".into();
    let after = read_sheet(&sheet(vec![changed]), &ctx("d"));
    assert_eq!(before.records[0].record.id, after.records[0].record.id);
    assert_ne!(before.records[0].record.canonical_json(), after.records[0].record.canonical_json());
}

#[test]
fn a_windows_1252_semicolon_csv_with_zoe_and_odon_gives_the_keys_of_the_vectors() {
    let text =
        "Nr.;Voornaam (roepnaam);Achternaam;Geboortedatum;Geslacht;Gemeente geteld;Woonsituatie (ETHOS)\r\n\
                1;Zoë;de Vries;31-12-1999;vrouw;Maastricht;1.1\r\n\
                2;Ödön;El-Amrani;03-02-2001;anders;Vaals;2.1\r\n";
    // Windows-1252: ë = 0xEB, Ö = 0xD6, ö = 0xF6.
    let bytes: Vec<u8> = text
        .chars()
        .map(|c| match c {
            'ë' => 0xEB,
            'Ö' => 0xD6,
            'ö' => 0xF6,
            c => c as u8,
        })
        .collect();
    assert!(std::str::from_utf8(&bytes).is_err(), "not UTF-8");
    assert!(decode(&bytes).1, "read as Windows-1252");
    let out = read_sheet(&read_csv(&bytes).expect("csv"), &ctx("desk"));
    assert_eq!(out.problems, vec![]);
    let keys: Vec<&str> =
        out.records.iter().filter_map(|r| r.record.dedup_key.as_ref()).map(|k| k.as_str()).collect();
    assert_eq!(
        keys,
        vec![
            "0cc5aad21a15807b55e0406b1fcca38edfde030dd7ddc7458181cbed0aa6ab3c",
            "d886fada7ea73cc634878de5e92154637c96f3ab3d427010a2f8c39cb3deec72",
        ]
    );
}

#[test]
fn utf8_with_bom_and_comma_csv_read_alike() {
    let text = "Voornaam,Achternaam,Geboortedatum,Geslacht,Gemeente geteld,Woonsituatie\n\
                Zoë,de Vries,31-12-1999,vrouw,Maastricht,\"1.1 buiten, openbare ruimte\"\n";
    let mut bytes = vec![0xEF, 0xBB, 0xBF];
    bytes.extend(text.as_bytes());
    let (decoded, cp1252) = decode(&bytes);
    assert!(!cp1252);
    assert!(decoded.starts_with("Voornaam"));
    let out = read_sheet(&read_csv(&bytes).expect("csv"), &ctx("desk"));
    assert_eq!(out.problems, vec![]);
    assert_eq!(out.records[0].record.living_situation, LivingSituation::PublicSpace);
}

#[test]
fn the_csv_template_is_semicolon_separated_with_a_bom_and_reads_back_as_the_columns() {
    let csv = template::csv_template();
    assert!(csv.starts_with('\u{FEFF}'));
    let table = read_csv(csv.as_bytes()).expect("csv");
    let keys: Vec<Option<ColumnKey>> = table[0].iter().map(|h| column_of_header(h)).collect();
    assert_eq!(keys, COLUMNS.iter().map(|c| Some(c.key)).collect::<Vec<_>>());
}
