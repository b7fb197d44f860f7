//! The record's fields described once: per field its wire key, its value set, its columns in
//! `records.csv`, its SQL column and how the report's packed attributes carry it. The storage
//! column lists, the reading of a stored row (by column name, back through [`super::parse_record`]),
//! the records CSV and [`super::PROFILE_FIELDS`] all come from [`FIELDS`].
//!
//! A profile field's row also says how the apps ask it ([`Question`]): its name, its
//! spreadsheet header, its answers and how to read and set them. The field flow's choices,
//! the review screen, the desk's form and spreadsheet, "rest onbekend" and the benchmark's
//! generator iterate over these rows instead of naming the fields.
//!
//! A new profile field is one row here (with its member of `Profile` and its value set in
//! `profile`), a migration adding its column, and its step in the field flow.

use super::questions::Question;
use super::{Entry, Origin, Record};
use crate::ethos::LivingSituation;
use crate::profile::{
    AgeBand, CareNeed, Children, Duration, Gender, Household, HousingNeed, Income, PreviousFacility,
    ResidenceStatus,
};
use crate::report::{CareNeedSet, Place};

/// Room for every CBS number (see `Place`).
const PLACES: u64 = Place::NUMBERS;
use serde_json::{Map, Value};
use std::borrow::Cow;

pub use super::encoding::{Digit, ReportEncoding, SqlType, SqlValue};
pub use super::questions::{profile_names, PROFILE_FIELD_COUNT};

/// The digit of a field whose value is one code of a value set: its position in `ALL`, the
/// order of the specification, and `unknown` the last one.
macro_rules! code_digit {
    ($place:literal, $set:ty, $get:expr) => {
        ReportEncoding::Digit(Digit {
            place: $place,
            radix: <$set>::ALL.len() as u64,
            of: |r| Some(($get)(r) as u64),
            unknown: Some(<$set>::ALL.len() as u64 - 1),
        })
    };
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
    /// How the apps ask it: every profile field has one, no other field.
    pub question: Option<Question>,
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
            question: None,
        }
    };
}

/// A profile field whose value is one code of a value set: its key is `profile.` and the
/// member's name, which is also its CSV and SQL column.
macro_rules! profile_field {
    ($member:ident, $set:ty, $report:expr, name: $name:expr, header: $header:expr) => {
        Field {
            key: concat!("profile.", stringify!($member)),
            values: || <$set>::ALL.iter().map(|v| v.code()).collect(),
            csv: &[stringify!($member)],
            sql: stringify!($member),
            sql_type: SqlType::Text,
            report: $report,
            to_sql: |r| SqlValue::Text(Cow::Borrowed(r.profile.$member.code())),
            from_sql: text,
            to_csv: |r| vec![r.profile.$member.code().to_string()],
            question: Some(Question {
                name: $name,
                header: $header,
                choices: |lang| <$set>::ALL.iter().map(|v| (v.code(), v.label(lang))).collect(),
                code: |p| p.$member.code().to_string(),
                shown: |p, lang| p.$member.label(lang).to_string(),
                set: |p, code| <$set>::from_code(code).map(|v| p.$member = v).is_some(),
            }),
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
        question: None,
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
        question: None,
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
        question: None,
    },
    Field {
        key: "municipality",
        values: no_values,
        csv: &["municipality"],
        sql: "municipality",
        sql_type: SqlType::Text,
        report: ReportEncoding::Digit(Digit {
            place: 2,
            radix: PLACES,
            of: |r| Place::of(r.municipality.as_str()).map(|p| u64::from(p.number())),
            unknown: None,
        }),
        to_sql: |r| owned(r.municipality.as_str().to_string()),
        from_sql: text,
        to_csv: |r| vec![r.municipality.as_str().to_string()],
        question: None,
    },
    Field {
        key: "living_situation",
        values: || LivingSituation::ALL.iter().map(|v| v.code()).collect(),
        csv: &["living_situation", "conceptual_category"],
        sql: "living_situation",
        sql_type: SqlType::Text,
        report: ReportEncoding::Digit(Digit {
            place: 0,
            radix: LivingSituation::ALL.len() as u64,
            of: |r| Some(r.living_situation as u64),
            unknown: None,
        }),
        to_sql: |r| SqlValue::Text(Cow::Borrowed(r.living_situation.code())),
        from_sql: text,
        to_csv: |r| {
            vec![r.living_situation.code().into(), r.living_situation.conceptual_category().code().into()]
        },
        question: None,
    },
    Field {
        key: "origin",
        values: no_values,
        csv: &["origin_kind", "origin_code"],
        sql: "origin",
        sql_type: SqlType::Text,
        // A CBS number, then abroad and unknown.
        report: ReportEncoding::Digit(Digit {
            place: 3,
            radix: PLACES + 2,
            of: |r| match &r.origin {
                Origin::Municipality { code } => Place::of(code.as_str()).map(|p| u64::from(p.number())),
                Origin::Abroad => Some(PLACES),
                Origin::Unknown => Some(PLACES + 1),
            },
            unknown: Some(PLACES + 1),
        }),
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
        question: None,
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
        question: None,
    },
    profile_field!(
        age_band,
        AgeBand,
        code_digit!(4, AgeBand, |r: &Record| r.profile.age_band),
        name: ("Leeftijd", "Age"),
        header: ("Leeftijd", "Age")
    ),
    profile_field!(
        gender,
        Gender,
        code_digit!(5, Gender, |r: &Record| r.profile.gender),
        name: ("Geslacht", "Gender"),
        header: ("Geslacht", "Gender")
    ),
    profile_field!(
        household,
        Household,
        code_digit!(6, Household, |r: &Record| r.profile.household),
        name: ("Huishouden", "Household"),
        header: ("Huishouden", "Household")
    ),
    Field {
        key: "profile.children",
        values: no_values,
        csv: &["children"],
        sql: "children",
        sql_type: SqlType::Text,
        // 0 to MAX, then unknown.
        report: ReportEncoding::Digit(Digit {
            place: 1,
            radix: Children::MAX as u64 + 2,
            of: |r| match r.profile.children {
                Children::Count(n) if n <= Children::MAX => Some(u64::from(n)),
                Children::Count(_) => None,
                Children::Unknown => Some(u64::from(Children::MAX) + 1),
            },
            unknown: Some(Children::MAX as u64 + 1),
        }),
        to_sql: |r| owned(children_text(r)),
        from_sql: |v| match text(v) {
            Value::String(s) => s.parse::<u64>().map(Value::from).unwrap_or(Value::String(s)),
            other => other,
        },
        to_csv: |r| vec![children_text(r)],
        question: Some(super::questions::CHILDREN),
    },
    profile_field!(
        duration,
        Duration,
        code_digit!(7, Duration, |r: &Record| r.profile.duration),
        name: ("Duur dakloosheid", "Duration of homelessness"),
        header: ("Duur dakloosheid", "Duration of homelessness")
    ),
    profile_field!(
        residence_status,
        ResidenceStatus,
        code_digit!(8, ResidenceStatus, |r: &Record| r.profile.residence_status),
        name: ("Verblijfsstatus", "Residence status"),
        header: ("Verblijfsstatus", "Residence status")
    ),
    profile_field!(
        income,
        Income,
        code_digit!(9, Income, |r: &Record| r.profile.income),
        name: ("Inkomen", "Income"),
        header: ("Inkomen", "Income")
    ),
    Field {
        key: "profile.care_needs",
        values: || {
            let mut codes: Vec<&str> = CareNeed::ALL.iter().map(|v| v.code()).collect();
            codes.extend(["none", "unknown"]);
            codes
        },
        csv: &["care_needs"],
        sql: "care_needs",
        sql_type: SqlType::Text,
        // None (0), the non-empty sets of needs as bits (bit `i` is `CareNeed::ALL[i]`), unknown.
        report: ReportEncoding::Digit(Digit {
            place: 10,
            radix: (1 << CareNeed::ALL.len()) + 1,
            of: |r| Some(CareNeedSet::of(&r.profile.care_needs).digit()),
            unknown: Some(1 << CareNeed::ALL.len()),
        }),
        to_sql: |r| owned(r.profile.care_needs.codes().join("|")),
        from_sql: |v| match text(v) {
            Value::String(s) => Value::Array(s.split('|').map(|c| Value::String(c.into())).collect()),
            other => other,
        },
        to_csv: |r| vec![r.profile.care_needs.codes().join("|")],
        question: Some(super::questions::CARE_NEEDS),
    },
    profile_field!(
        previous_facility,
        PreviousFacility,
        code_digit!(11, PreviousFacility, |r: &Record| r.profile.previous_facility),
        name: ("Voorafgaande voorziening", "Previous facility"),
        header: ("Voorafgaande voorziening", "Previous facility")
    ),
    profile_field!(
        housing_need,
        HousingNeed,
        code_digit!(12, HousingNeed, |r: &Record| r.profile.housing_need),
        name: ("Woonbehoefte", "Housing need"),
        header: ("Toekomstperspectief", "Housing need")
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
        question: None,
    },
    code_field!("entry", "entry", Entry, |r: &Record| r.entry, {
        // No `unknown`: every record says how it was made.
        ReportEncoding::Digit(Digit {
            place: 13,
            radix: Entry::ALL.len() as u64,
            of: |r| Some(r.entry as u64),
            unknown: None,
        })
    }),
];

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
