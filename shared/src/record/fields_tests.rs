use super::*;
use crate::record::{parse_record, FieldErrorCode};
use std::collections::HashMap;

fn record(entry: &str) -> Record {
    parse_record(&serde_json::json!({"id":"0192f0c4-1111-7000-8000-000000000001","revision":3,
        "observed_at":"2026-10-15T22:40:00+02:00","municipality":"GM0935","living_situation":"1.1",
        "origin":{"kind":"municipality","code":"GM0938"},
        "dedup_key":"f8108182fceecee89eba6a4c24ef082b45665411e020779334f04f10cc5c167a",
        "profile":{"age_band":"23-26","gender":"man","household":"alone","children":2,
            "duration":"1-3m","residence_status":"dutch","income":"benefit",
            "care_needs":["addiction","psychiatric"],"previous_facility":"none","housing_need":"housing_first"},
        "training":true,"entry":entry}))
    .unwrap()
}

/// The columns of a record as a table row keyed by column name.
fn row(r: &Record) -> HashMap<&'static str, SqlValue<'static>> {
    FIELDS.iter().map(|f| f.sql).zip(sql_values(r)).collect()
}

fn read(row: &HashMap<&'static str, SqlValue<'static>>) -> Result<Record, Vec<crate::record::FieldError>> {
    record_from_sql(|f| row.get(f.sql).cloned().ok_or(())).unwrap()
}

#[test]
fn a_record_comes_back_from_its_columns_read_by_name() {
    for entry in ["field", "desk", "sheet"] {
        let r = record(entry);
        assert_eq!(read(&row(&r)).unwrap(), r, "{entry}");
    }
    let mut r = record("field");
    r.dedup_key = None;
    r.origin = Origin::Abroad;
    r.profile = crate::profile::Profile::unknown();
    assert_eq!(read(&row(&r)).unwrap(), r);
}

#[test]
fn each_field_has_its_own_sql_column_named_as_pinned_here() {
    // The storage reads and writes by these names: a field pointed at another field's column
    // (or two columns swapped) fails here, and in the storage's own column test.
    let pinned = [
        ("id", "id"),
        ("revision", "revision"),
        ("observed_at", "observed_at"),
        ("municipality", "municipality"),
        ("living_situation", "living_situation"),
        ("origin", "origin"),
        ("dedup_key", "dedup_key"),
        ("profile.age_band", "age_band"),
        ("profile.gender", "gender"),
        ("profile.household", "household"),
        ("profile.children", "children"),
        ("profile.duration", "duration"),
        ("profile.residence_status", "residence_status"),
        ("profile.income", "income"),
        ("profile.care_needs", "care_needs"),
        ("profile.previous_facility", "previous_facility"),
        ("profile.housing_need", "housing_need"),
        ("training", "sent_training"),
        ("entry", "entry"),
    ];
    let table: Vec<(&str, &str)> = FIELDS.iter().map(|f| (f.key, f.sql)).collect();
    assert_eq!(table, pinned);
}

#[test]
fn a_value_in_the_wrong_column_is_refused_not_read_as_another_field() {
    let r = record("desk");
    let mut swapped = row(&r);
    let gender = swapped.remove("gender").unwrap();
    let age = swapped.remove("age_band").unwrap();
    swapped.insert("gender", age);
    swapped.insert("age_band", gender);
    let errors = read(&swapped).unwrap_err();
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["profile.age_band", "profile.gender"]);
    assert!(errors.iter().all(|e| e.code == FieldErrorCode::InvalidValue));
}

#[test]
fn the_wire_order_of_the_table_is_the_order_of_the_canonical_json() {
    let r = record("desk");
    let json = r.canonical_json();
    let mut last = 0;
    for f in FIELDS {
        let key = f.profile_name().unwrap_or(f.key);
        let at = json.find(&format!("\"{key}\":")).unwrap_or_else(|| panic!("{key} in {json}"));
        assert!(at >= last, "{key} out of order in {json}");
        last = at;
    }
}

#[test]
fn the_profile_fields_are_the_profile_rows_of_the_table_and_of_the_profile() {
    let names: Vec<&str> = profile_fields().filter_map(|f| f.profile_name()).collect();
    assert_eq!(names, crate::record::PROFILE_FIELDS);
    let unknown = serde_json::to_value(crate::profile::Profile::unknown()).unwrap();
    // serde_json keeps keys sorted, or in insertion order where another crate of the build
    // turns on its `preserve_order`: compare them as sets.
    let mut keys: Vec<&str> = unknown.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
}

#[test]
fn every_code_of_a_value_set_is_accepted_in_its_field() {
    for f in FIELDS {
        for code in (f.values)() {
            let mut r = row(&record("field"));
            r.insert(f.sql, SqlValue::Text(Cow::Borrowed(code)));
            assert!(read(&r).is_ok(), "{} = {code}", f.key);
        }
    }
    assert_eq!((field("entry").unwrap().values)(), ["field", "desk", "sheet"]);
}

#[test]
fn the_csv_columns_are_those_of_records_csv_with_entry_after_training() {
    let header: Vec<&str> = csv_header().collect();
    assert_eq!(
        header,
        [
            "id",
            "revision",
            "observed_at",
            "municipality",
            "living_situation",
            "conceptual_category",
            "origin_kind",
            "origin_code",
            "dedup_key",
            "age_band",
            "gender",
            "household",
            "children",
            "duration",
            "residence_status",
            "income",
            "care_needs",
            "previous_facility",
            "housing_need",
            "training",
            "entry",
        ]
    );
    let cells = csv_cells(&record("sheet"));
    assert_eq!(cells.len(), header.len());
    assert_eq!(cells[5], "roofless");
    assert_eq!((cells[6].as_str(), cells[7].as_str()), ("municipality", "GM0938"));
    assert_eq!(cells[16], "psychiatric|addiction");
    assert_eq!(cells[19..], ["true", "sheet"]);
}
