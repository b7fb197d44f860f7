//! The people of the test's spreadsheet, its twelve mistakes, the file written as Excel would,
//! and the template read back.

use calamine::{Data, Reader, Xlsx};
use chrono::{Datelike, NaiveDate};
use ethos_shared::profile::{AgeBand, Gender};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use serde_json::{json, Value};
use std::io::{Cursor, Read};
use std::path::Path;

/// The template's headers, as a desk worker sees them (written out here, not taken from the code).
pub const HEADERS: [&str; 17] = [
    "Nr.",
    "Voornaam (roepnaam)",
    "Achternaam",
    "Geboortedatum",
    "Geslacht",
    "Leeftijd",
    "Gemeente geteld",
    "Woonsituatie (ETHOS)",
    "Herkomstgemeente",
    "Huishouden",
    "Minderjarige kinderen",
    "Duur dakloosheid",
    "Verblijfsstatus",
    "Inkomen",
    "Zorgbehoefte",
    "Voorafgaande voorziening",
    "Toekomstperspectief",
];

const FIRST: [&str; 20] = [
    "Wilhelmina",
    "Zoë",
    "Ödön",
    "Gerardus",
    "Bartholomeus",
    "Cornelia",
    "Hendrika",
    "Theodorus",
    "Josephina",
    "Maximiliaan",
    "Petronella",
    "Adriana",
    "Leendert",
    "Geertruida",
    "Reinier",
    "Anneliese",
    "Fredericus",
    "Ludovica",
    "Sebastiaan",
    "Margaretha",
];
const FAMILY: [&str; 10] = [
    "van der Zwanenburg",
    "El-Amrani",
    "Vermeulenhof",
    "de Kleinjan",
    "Schoonderwoerd",
    "Oudshoorn",
    "Brinkhorst",
    "Timmerfeld",
    "Wagemakers",
    "Quaedvlieg",
];
const GENDERS: [(&str, &str); 3] = [("man", "man"), ("vrouw", "woman"), ("anders", "other")];
const TOWNS: [(&str, &str); 6] = [
    ("Maastricht", "GM0935"),
    ("Eijsden-Margraten", "GM1903"),
    ("Gulpen-Wittem", "GM1729"),
    ("Meerssen", "GM0938"),
    ("Vaals", "GM0981"),
    ("Valkenburg aan de Geul", "GM0994"),
];
const SITUATIONS: [(&str, &str); 4] =
    [("1.1 buiten, openbare ruimte", "1.1"), ("2.1", "2.1"), ("nachtopvang", "2.1"), ("8.1", "8.1")];
const CARE: [(&str, &[&str]); 4] = [
    ("verslaving", &["addiction"]),
    ("psychische problemen, verslaving", &["psychiatric", "addiction"]),
    ("geen", &["none"]),
    ("", &["unknown"]),
];

/// One person of the file: the cells as intended, and what the server must then hold.
#[derive(Clone)]
pub struct Person {
    pub cells: Vec<String>,
    pub first: String,
    pub family: String,
    pub birth: NaiveDate,
    pub gender: Gender,
    pub expect: Value,
}

pub fn person(i: usize) -> Person {
    let first = FIRST[i % 20].to_string();
    let family = FAMILY[(i / 20) % 10].to_string();
    // Unique for 5,000 people (37 and 5,000 have no common divisor): 1940 to 1995.
    let birth = NaiveDate::from_ymd_opt(1940, 1, 1).expect("a date")
        + chrono::Duration::days((i as i64 * 37 % 5000) * 4);
    let (g_cell, g_code) = GENDERS[i % 3];
    let (town, town_code) = TOWNS[i % 6];
    let (situation, ls_code) = SITUATIONS[i % 4];
    let (origin, origin_json) = match i % 4 {
        0 => ("Heerlen", json!({"kind": "municipality", "code": "GM0917"})),
        1 => ("buitenland", json!({"kind": "abroad"})),
        2 => ("Hoensbroek", json!({"kind": "municipality", "code": "GM0917"})),
        _ => ("", json!({"kind": "unknown"})),
    };
    let (care, care_codes) = CARE[i % 4];
    let children = i % 3;
    let mut cells = vec![String::new(); HEADERS.len()];
    let values = [
        (0, (i + 1).to_string()),
        (1, first.clone()),
        (2, family.clone()),
        (3, birth.format("%d-%m-%Y").to_string()),
        (4, g_cell.to_string()),
        (6, town.to_string()),
        (7, situation.to_string()),
        (8, origin.to_string()),
        (10, children.to_string()),
        (14, care.to_string()),
        (16, "Housing First".to_string()),
    ];
    for (col, v) in values {
        cells[col] = v;
    }
    let gender = Gender::from_code(g_code).expect("a gender");
    let expect = json!({"municipality": town_code, "living_situation": ls_code, "origin": origin_json,
        "profile": {"gender": g_code, "children": children, "care_needs": care_codes,
                    "housing_need": "housing_first", "household": "unknown", "income": "unknown"}});
    Person { cells, first, family, birth, gender, expect }
}

/// The twelve mistakes: (index of the person, column, what the file says instead).
pub fn mistakes(people: &[Person]) -> Vec<(usize, usize, String)> {
    let under_age = |i: usize| -> String {
        assert_ne!(AgeBand::on_date(people[i].birth, chrono::Utc::now().date_naive()), AgeBand::Under18);
        "0-17 jaar".into()
    };
    vec![
        (5, 1, format!("{}.", &people[5].first[..1])),
        (17, 3, "31-02-1980".into()),
        (30, 3, "gisteren".into()),
        (44, 4, "meneer".into()),
        (58, 6, String::new()),
        (71, 6, "Heerlen".into()),
        (89, 7, "1.2".into()),
        (103, 8, "Atlantis".into()),
        (120, 10, "21".into()),
        (142, 14, "geen, verslaving".into()),
        (167, 5, under_age(167)),
        (191, 11, "lang".into()),
    ]
}

/// Writes the people as the template's sheet "Personen": even rows' birth dates as Excel dates.
pub fn write_xlsx(path: &Path, rows: &[Vec<String>]) {
    let mut wb = Workbook::new();
    let date = Format::new().set_num_format("dd-mm-yyyy");
    let ws = wb.add_worksheet();
    ws.set_name("Personen").expect("a name");
    for (c, h) in HEADERS.iter().enumerate() {
        ws.write_string(0, c as u16, *h).expect("a header");
    }
    for (r, cells) in rows.iter().enumerate() {
        let row = r as u32 + 1;
        for (c, v) in cells.iter().enumerate() {
            let as_date = NaiveDate::parse_from_str(v, "%d-%m-%Y").ok().filter(|_| c == 3 && r % 2 == 0);
            match as_date {
                Some(d) => {
                    let excel = ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)
                        .expect("an Excel date");
                    ws.write_datetime_with_format(row, c as u16, &excel, &date).expect("a date cell");
                }
                None if v.is_empty() => {}
                None => {
                    ws.write_string(row, c as u16, v).expect("a cell");
                }
            }
        }
    }
    wb.save(path).expect("the file is written");
}

/// Checks the template: the sheets, the headers, the lists, and a drop-down on every answer column.
pub fn check_template(bytes: &[u8]) {
    let mut book = Xlsx::new(Cursor::new(bytes.to_vec())).expect("an xlsx");
    assert_eq!(book.sheet_names(), vec!["Personen", "Lijsten", "Toelichting"]);
    let people = book.worksheet_range("Personen").expect("Personen");
    let header: Vec<String> = people.rows().next().expect("a header").iter().map(|c| c.to_string()).collect();
    assert_eq!(header, HEADERS.to_vec());
    assert_eq!(people.height(), 1, "no people in the template");
    let lists = book.worksheet_range("Lijsten").expect("Lijsten");
    let column = |h: &str| -> Vec<String> {
        let i = HEADERS.iter().position(|x| *x == h).expect("a header");
        lists
            .rows()
            .skip(1)
            .filter_map(|r| r.get(i))
            .filter(|c| **c != Data::Empty)
            .map(|c| c.to_string())
            .collect()
    };
    assert_eq!(column("Geslacht"), vec!["man", "vrouw", "anders", "onbekend"]);
    assert_eq!(column("Woonsituatie (ETHOS)").len(), 24);
    assert!(column("Woonsituatie (ETHOS)").contains(&"1.1 buiten, openbare ruimte".to_string()));
    assert_eq!(column("Gemeente geteld").len(), 6);
    assert!(column("Herkomstgemeente").contains(&"Heerlen".to_string()));
    assert_eq!(column("Minderjarige kinderen").len(), 22);
    let notes = book.worksheet_range("Toelichting").expect("Toelichting");
    let text: String =
        notes.rows().map(|r| r.iter().map(|c| c.to_string()).collect::<String>() + "\n").collect();
    assert!(text.contains("geen initialen") && text.contains("verlaten uw computer nooit"), "{text}");
    // The drop-downs: a list validation on the 13 answer columns, each over its list.
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes.to_vec())).expect("a zip");
    let mut xml = String::new();
    zip.by_name("xl/worksheets/sheet1.xml").expect("sheet1").read_to_string(&mut xml).expect("xml");
    assert_eq!(xml.matches("<dataValidation type=\"list\"").count(), 13, "{xml}");
    for (col, letter) in [(4, "E"), (7, "H"), (8, "I"), (14, "O")] {
        assert!(xml.contains(&format!("Lijsten!${letter}$2")), "{} has its drop-down", HEADERS[col]);
    }
}
