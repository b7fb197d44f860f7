//! The record's fields described once: per field its wire key, its value set, its columns in
//! `records.csv`, its SQL column and how the report's packed attributes carry it. The storage
//! column lists, the reading of a stored row (by column name, back through [`super::parse_record`]),
//! the records CSV and [`super::PROFILE_FIELDS`] all come from [`FIELDS`].
//!
//! A new profile field is one row here (with its member of `Profile` and its value set in
//! `profile`), a migration adding its column, and its question in the field app.

use super::{Entry, Origin, Record};
use crate::ethos::LivingSituation;
use crate::profile::{
    AgeBand, Children, Duration, Gender, Household, HousingNeed, Income, PreviousFacility, ResidenceStatus,
};
use serde_json::{Map, Value};
use std::borrow::Cow;

/// A value as its SQL column keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SqlValue<'a> {
    Text(Cow<'a, str>),
    Int(i64),
    Null,
}

/// The type of a field's SQL column: what the storage reads it as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SqlType {
    /// `TEXT NOT NULL`.
    Text,
    /// `TEXT`, `NULL` for no value.
    OptionalText,
    /// `INTEGER NOT NULL` (also the flags, 0 or 1).
    Int,
}

/// How the report's packed attributes (`report::Attributes`) carry a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportEncoding {
    /// Not in the packed attributes.
    None,
    /// One digit of the packed integer, named as in the packing.
    Digit(&'static str),
}

/// One field of the record.
#[derive(Clone, Copy)]
pub struct Field {
    /// The wire key; `profile.` and the name for a field of the profile.
    pub key: &'static str,
    /// The codes of its value set, in the order of the specification; empty where the field has
    /// none (ids, times, numbers).
    pub values: fn() -> Vec<&'static str>,
    /// Its columns in `records.csv`, in order.
    pub csv: &'static [&'static str],
    /// Its column in the `records` table.
    pub sql: &'static str,
    pub sql_type: SqlType,
    pub report: ReportEncoding,
    /// The value of its SQL column.
    pub to_sql: fn(&Record) -> SqlValue<'static>,
    /// The wire JSON of a value of its SQL column (validated afterwards, with the whole record).
    pub from_sql: fn(SqlValue<'_>) -> Value,
    /// Its cells in `records.csv`, one per column of [`Field::csv`].
    pub to_csv: fn(&Record) -> Vec<String>,
}

impl Field {
    /// The name in the profile, for a profile field.
    pub fn profile_name(&self) -> Option<&'static str> {
        self.key.strip_prefix("profile.")
    }
}

fn no_values() -> Vec<&'static str> {
    Vec::new()
}

fn text(v: SqlValue<'_>) -> Value {
    match v {
        SqlValue::Text(t) => Value::String(t.into_owned()),
        SqlValue::Int(n) => Value::from(n),
        SqlValue::Null => Value::Null,
    }
}

fn int(v: SqlValue<'_>) -> Value {
    match v {
        SqlValue::Int(n) => Value::from(n),
        other => text(other),
    }
}

fn flag(v: SqlValue<'_>) -> Value {
    match v {
        SqlValue::Int(n) => Value::Bool(n != 0),
        other => text(other),
    }
}

fn owned(s: String) -> SqlValue<'static> {
    SqlValue::Text(Cow::Owned(s))
}

/// A field whose value is one code of a value set: the same text in the wire, SQL and CSV.
macro_rules! code_field {
    ($key:literal, $name:literal, $set:ty, $get:expr, $report:expr) => {
        Field {
            key: $key,
            values: || <$set>::ALL.iter().map(|v| v.code()).collect(),
            csv: &[$name],
            sql: $name,
            sql_type: SqlType::Text,
            report: $report,
            to_sql: |r| SqlValue::Text(Cow::Borrowed(($get)(r).code())),
            from_sql: text,
            to_csv: |r| vec![($get)(r).code().to_string()],
        }
    };
}

fn origin_code(r: &Record) -> String {
    match &r.origin {
        Origin::Municipality { code } => code.as_str().to_string(),
        Origin::Abroad => "abroad".into(),
        Origin::Unknown => "unknown".into(),
    }
}

fn children_text(r: &Record) -> String {
    match r.profile.children {
        Children::Count(n) => n.to_string(),
        Children::Unknown => "unknown".into(),
    }
}

/// Every field of the record, in wire order (the order of the canonical JSON and of the CSV).
pub const FIELDS: &[Field] = &[
    Field {
        key: "id",
        values: no_values,
        csv: &["id"],
        sql: "id",
        sql_type: SqlType::Text,
        report: ReportEncoding::None,
        to_sql: |r| owned(r.id.to_string()),
        from_sql: text,
        to_csv: |r| vec![r.id.to_string()],
    },
    Field {
        key: "revision",
        values: no_values,
        csv: &["revision"],
        sql: "revision",
        sql_type: SqlType::Int,
        report: ReportEncoding::None,
        to_sql: |r| SqlValue::Int(i64::from(r.revision)),
        from_sql: int,
        to_csv: |r| vec![r.revision.to_string()],
    },
    Field {
        key: "observed_at",
        values: no_values,
        csv: &["observed_at"],
        sql: "observed_at",
        sql_type: SqlType::Text,
        report: ReportEncoding::None,
        to_sql: |r| owned(r.observed_at.to_rfc3339()),
        from_sql: text,
        to_csv: |r| vec![r.observed_at.to_rfc3339()],
    },
    Field {
        key: "municipality",
        values: no_values,
        csv: &["municipality"],
        sql: "municipality",
        sql_type: SqlType::Text,
        report: ReportEncoding::Digit("municipality"),
        to_sql: |r| owned(r.municipality.as_str().to_string()),
        from_sql: text,
        to_csv: |r| vec![r.municipality.as_str().to_string()],
    },
    Field {
        key: "living_situation",
        values: || LivingSituation::ALL.iter().map(|v| v.code()).collect(),
        csv: &["living_situation", "conceptual_category"],
        sql: "living_situation",
        sql_type: SqlType::Text,
        report: ReportEncoding::Digit("living_situation"),
        to_sql: |r| SqlValue::Text(Cow::Borrowed(r.living_situation.code())),
        from_sql: text,
        to_csv: |r| {
            vec![r.living_situation.code().into(), r.living_situation.conceptual_category().code().into()]
        },
    },
    Field {
        key: "origin",
        values: no_values,
        csv: &["origin_kind", "origin_code"],
        sql: "origin",
        sql_type: SqlType::Text,
        report: ReportEncoding::Digit("origin"),
        to_sql: |r| owned(origin_code(r)),
        from_sql: |v| match text(v) {
            Value::String(s) if s == "abroad" || s == "unknown" => serde_json::json!({ "kind": s }),
            Value::String(code) => serde_json::json!({ "kind": "municipality", "code": code }),
            other => other,
        },
        to_csv: |r| match &r.origin {
            Origin::Municipality { code } => vec!["municipality".into(), code.as_str().to_string()],
            Origin::Abroad => vec!["abroad".into(), String::new()],
            Origin::Unknown => vec!["unknown".into(), String::new()],
        },
    },
    Field {
        key: "dedup_key",
        values: no_values,
        csv: &["dedup_key"],
        sql: "dedup_key",
        sql_type: SqlType::OptionalText,
        report: ReportEncoding::None,
        to_sql: |r| match &r.dedup_key {
            Some(k) => owned(k.as_str().to_string()),
            None => SqlValue::Null,
        },
        from_sql: text,
        to_csv: |r| vec![r.dedup_key.as_ref().map(|k| k.as_str().to_string()).unwrap_or_default()],
    },
    code_field!(
        "profile.age_band",
        "age_band",
        AgeBand,
        |r: &Record| r.profile.age_band,
        ReportEncoding::Digit("age_band")
    ),
    code_field!(
        "profile.gender",
        "gender",
        Gender,
        |r: &Record| r.profile.gender,
        ReportEncoding::Digit("gender")
    ),
    code_field!(
        "profile.household",
        "household",
        Household,
        |r: &Record| r.profile.household,
        ReportEncoding::Digit("household")
    ),
    Field {
        key: "profile.children",
        values: no_values,
        csv: &["children"],
        sql: "children",
        sql_type: SqlType::Text,
        report: ReportEncoding::Digit("children"),
        to_sql: |r| owned(children_text(r)),
        from_sql: |v| match text(v) {
            Value::String(s) => s.parse::<u64>().map(Value::from).unwrap_or(Value::String(s)),
            other => other,
        },
        to_csv: |r| vec![children_text(r)],
    },
    code_field!(
        "profile.duration",
        "duration",
        Duration,
        |r: &Record| r.profile.duration,
        ReportEncoding::Digit("duration")
    ),
    code_field!(
        "profile.residence_status",
        "residence_status",
        ResidenceStatus,
        |r: &Record| r.profile.residence_status,
        ReportEncoding::Digit("residence_status")
    ),
    code_field!(
        "profile.income",
        "income",
        Income,
        |r: &Record| r.profile.income,
        ReportEncoding::Digit("income")
    ),
    Field {
        key: "profile.care_needs",
        values: || {
            let mut codes: Vec<&str> = crate::profile::CareNeed::ALL.iter().map(|v| v.code()).collect();
            codes.extend(["none", "unknown"]);
            codes
        },
        csv: &["care_needs"],
        sql: "care_needs",
        sql_type: SqlType::Text,
        report: ReportEncoding::Digit("care_needs"),
        to_sql: |r| owned(r.profile.care_needs.codes().join("|")),
        from_sql: |v| match text(v) {
            Value::String(s) => Value::Array(s.split('|').map(|c| Value::String(c.into())).collect()),
            other => other,
        },
        to_csv: |r| vec![r.profile.care_needs.codes().join("|")],
    },
    code_field!(
        "profile.previous_facility",
        "previous_facility",
        PreviousFacility,
        |r: &Record| r.profile.previous_facility,
        ReportEncoding::Digit("previous_facility")
    ),
    code_field!(
        "profile.housing_need",
        "housing_need",
        HousingNeed,
        |r: &Record| r.profile.housing_need,
        ReportEncoding::Digit("housing_need")
    ),
    Field {
        key: "training",
        values: no_values,
        csv: &["training"],
        sql: "sent_training",
        sql_type: SqlType::Int,
        report: ReportEncoding::None,
        to_sql: |r| SqlValue::Int(i64::from(r.training)),
        from_sql: flag,
        to_csv: |r| vec![r.training.to_string()],
    },
    code_field!("entry", "entry", Entry, |r: &Record| r.entry, ReportEncoding::Digit("entry")),
];

const PROFILE_PREFIX: &[u8] = b"profile.";

const fn is_profile_key(key: &str) -> bool {
    let key = key.as_bytes();
    if key.len() <= PROFILE_PREFIX.len() {
        return false;
    }
    let mut i = 0;
    while i < PROFILE_PREFIX.len() {
        if key[i] != PROFILE_PREFIX[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// How many of [`FIELDS`] are fields of the profile.
pub const PROFILE_FIELD_COUNT: usize = {
    let (mut n, mut i) = (0, 0);
    while i < FIELDS.len() {
        if is_profile_key(FIELDS[i].key) {
            n += 1;
        }
        i += 1;
    }
    n
};

/// The names of the profile fields of [`FIELDS`] (their keys without `profile.`), in order.
pub const fn profile_names() -> [&'static str; PROFILE_FIELD_COUNT] {
    let mut names = [""; PROFILE_FIELD_COUNT];
    let (mut n, mut i) = (0, 0);
    while i < FIELDS.len() {
        let key = FIELDS[i].key;
        if is_profile_key(key) {
            names[n] = match std::str::from_utf8(key.as_bytes().split_at(PROFILE_PREFIX.len()).1) {
                Ok(name) => name,
                Err(_) => panic!("a field key is not UTF-8"),
            };
            n += 1;
        }
        i += 1;
    }
    names
}

/// The fields of the profile, in wire order.
pub fn profile_fields() -> impl Iterator<Item = &'static Field> {
    FIELDS.iter().filter(|f| f.profile_name().is_some())
}

/// The field with this wire key.
pub fn field(key: &str) -> Option<&'static Field> {
    FIELDS.iter().find(|f| f.key == key)
}

/// The SQL columns of the record's fields, in the order of [`FIELDS`], joined by `, ` with each
/// prefixed by `prefix` (a table alias and a dot, or nothing).
pub fn sql_columns(prefix: &str) -> String {
    FIELDS.iter().map(|f| format!("{prefix}{}", f.sql)).collect::<Vec<_>>().join(", ")
}

/// The values of a record's SQL columns, in the order of [`FIELDS`].
pub fn sql_values(record: &Record) -> Vec<SqlValue<'static>> {
    FIELDS.iter().map(|f| (f.to_sql)(record)).collect()
}

/// The record of a stored row: `column` gives the value of a field's SQL column (by its name,
/// [`Field::sql`]); the result is validated as a record from a phone is. The outer error is the
/// storage's, the inner one says which stored values are not valid.
pub fn record_from_sql<'a, E>(
    mut column: impl FnMut(&Field) -> Result<SqlValue<'a>, E>,
) -> Result<Result<Record, Vec<super::FieldError>>, E> {
    let mut record = Map::new();
    let mut profile = Map::new();
    for f in FIELDS {
        let value = (f.from_sql)(column(f)?);
        match f.profile_name() {
            Some(name) => profile.insert(name.to_string(), value),
            None => record.insert(f.key.to_string(), value),
        };
    }
    record.insert("profile".into(), Value::Object(profile));
    Ok(super::parse_record(&Value::Object(record)))
}

/// The CSV header of the record's fields.
pub fn csv_header() -> impl Iterator<Item = &'static str> {
    FIELDS.iter().flat_map(|f| f.csv.iter().copied())
}

/// The CSV cells of a record's fields, in the order of [`csv_header`] (not yet guarded against
/// formulas: see `csv_cell`).
pub fn csv_cells(record: &Record) -> Vec<String> {
    FIELDS.iter().flat_map(|f| (f.to_csv)(record)).collect()
}

#[cfg(test)]
#[path = "fields_tests.rs"]
mod tests;
