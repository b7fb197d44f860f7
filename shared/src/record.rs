//! The record: one person as seen by one counter (domain.md §3), its wire form (api.md
//! "Sync") and its field-level validation, shared by the field app and the server.

use crate::ethos::LivingSituation;
use crate::municipality;
use crate::profile::Profile;
use chrono::{DateTime, FixedOffset};
#[cfg(feature = "sync-text")]
use members::TextObject;
use members::{Member, Object};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
#[cfg(feature = "sync-text")]
use serde_json::value::RawValue;
use serde_json::Value;
use uuid::Uuid;

mod encoding;
pub mod fields;
mod members;
pub mod questions;

/// A CBS code of a municipality in `gemeenten.csv`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MunicipalityCode(String);

impl MunicipalityCode {
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn in_region(&self) -> bool {
        municipality::by_code(&self.0).is_some_and(|g| g.in_region)
    }
}

impl TryFrom<String> for MunicipalityCode {
    type Error = String;
    fn try_from(code: String) -> Result<Self, String> {
        match municipality::by_code(&code) {
            Some(_) => Ok(MunicipalityCode(code)),
            None => Err(format!("{code} is not a CBS municipality code")),
        }
    }
}

impl From<MunicipalityCode> for String {
    fn from(code: MunicipalityCode) -> String {
        code.0
    }
}

/// A municipality of the region: where a person was counted.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RegionCode(MunicipalityCode);

impl RegionCode {
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl TryFrom<String> for RegionCode {
    type Error = String;
    fn try_from(code: String) -> Result<Self, String> {
        let code = MunicipalityCode::try_from(code)?;
        if code.in_region() {
            Ok(RegionCode(code))
        } else {
            Err(format!("{} is not in the region", code.as_str()))
        }
    }
}

impl From<RegionCode> for String {
    fn from(code: RegionCode) -> String {
        code.0.into()
    }
}

/// Municipality of origin ("herkomstgemeente"). Unknown extra members are ignored, as everywhere
/// in a record (api.md).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Origin {
    Municipality { code: MunicipalityCode },
    Abroad,
    Unknown,
}

/// The pseudonymous duplicate key: 64 lowercase hex characters (HMAC-SHA256, domain.md §4).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DedupKey(String);

impl DedupKey {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for DedupKey {
    type Error = String;
    fn try_from(key: String) -> Result<Self, String> {
        let hex = key.len() == 64 && key.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        if hex {
            Ok(DedupKey(key))
        } else {
            Err("a duplicate key is 64 lowercase hex characters".into())
        }
    }
}

/// Lets maps keyed by `DedupKey` be searched with a `&str`.
impl std::borrow::Borrow<str> for DedupKey {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl From<DedupKey> for String {
    fn from(key: DedupKey) -> String {
        key.0
    }
}

/// A record in its wire form. Field order here is the order of the canonical JSON.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub id: Uuid,
    pub revision: u32,
    pub observed_at: DateTime<FixedOffset>,
    pub municipality: RegionCode,
    pub living_situation: LivingSituation,
    pub origin: Origin,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub dedup_key: Option<DedupKey>,
    pub profile: Profile,
    #[serde(default)]
    pub training: bool,
    /// How the record was made; left out of the JSON when `field`, so a record of the guided
    /// flow has the same canonical JSON (and content hash) as before this member existed.
    #[serde(default, skip_serializing_if = "Entry::is_field")]
    pub entry: Entry,
}

value_set!(
    /// How a record was made (api.md "Sync"): on a phone, at a desk, or read from a spreadsheet.
    Entry {
        Field = "field", "veldapp", "field app";
        Desk = "desk", "bureau-invoer", "desk entry";
        Sheet = "sheet", "spreadsheet", "spreadsheet";
    }
);

// The value_set! macro cannot mark a default variant, so this stays written out.
#[allow(clippy::derivable_impls)]
impl Default for Entry {
    /// Absent means `field`.
    fn default() -> Self {
        Entry::Field
    }
}

impl Entry {
    pub fn is_field(&self) -> bool {
        *self == Entry::Field
    }
}

impl Record {
    /// The canonical JSON of the content: two records are "identical" (a resend) when these
    /// strings are equal, whatever key order or spacing the phone sent.
    pub fn canonical_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Why a field of a record is not accepted. The wire codes of api.md.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldErrorCode {
    InvalidValue,
    Missing,
    OutsideWindow,
    InFuture,
    CountLocked,
    ContentDiffers,
    StaleRevision,
    OtherDevice,
}

impl FieldErrorCode {
    /// An explanation a counter understands, for the field app.
    pub fn message(self, lang: crate::Lang) -> &'static str {
        use crate::Lang::*;
        use FieldErrorCode::*;
        match (self, lang) {
            (InvalidValue, Nl) => "ongeldige waarde",
            (InvalidValue, En) => "invalid value",
            (Missing, Nl) => "ontbreekt",
            (Missing, En) => "missing",
            (OutsideWindow, Nl) => "tijdstip valt buiten de teltijd",
            (OutsideWindow, En) => "time lies outside the count window",
            (InFuture, Nl) => "tijdstip ligt in de toekomst (klopt de klok van de telefoon?)",
            (InFuture, En) => "time lies in the future (is the phone's clock right?)",
            (CountLocked, Nl) => "de telling is gesloten",
            (CountLocked, En) => "the count is closed",
            (ContentDiffers, Nl) => "een andere versie met hetzelfde nummer is al ontvangen",
            (ContentDiffers, En) => "another version with the same number was already received",
            (StaleRevision, Nl) => "de server heeft al een nieuwere versie",
            (StaleRevision, En) => "the server already holds a newer version",
            (OtherDevice, Nl) => "dit record hoort bij een ander toestel",
            (OtherDevice, En) => "this record belongs to another device",
        }
    }
}

/// One problem with one field: `{"field":"profile.gender","code":"invalid_value"}`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub code: FieldErrorCode,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: FieldErrorCode) -> Self {
        FieldError { field: field.into(), code }
    }
}

/// The fields of the profile, in wire order (from the field table, [`fields::FIELDS`]).
pub const PROFILE_FIELDS: [&str; fields::PROFILE_FIELD_COUNT] = fields::profile_names();

/// Parses and validates one record from JSON, reporting every bad field (not just the first).
/// Unknown extra fields are ignored. Time rules that need the count are in `count`.
pub fn parse_record(value: &Value) -> Result<Record, Vec<FieldError>> {
    match value.as_object() {
        Some(obj) => parse_members(obj),
        None => Err(vec![FieldError::new("record", FieldErrorCode::InvalidValue)]),
    }
}

#[cfg(feature = "sync-text")]
/// [`parse_record`] of a record's JSON text, with its id (if readable) on failure; the same
/// answers, without building a value tree first (see `record/members.rs`).
pub fn parse_record_text(raw: &RawValue) -> Result<Record, (Option<Uuid>, Vec<FieldError>)> {
    match TextObject::of_text(raw) {
        Some(obj) => parse_members(&obj).map_err(|errors| (id_of(&obj), errors)),
        None => Err((None, vec![FieldError::new("record", FieldErrorCode::InvalidValue)])),
    }
}

fn parse_members(obj: &impl Object) -> Result<Record, Vec<FieldError>> {
    let mut errors = Vec::new();
    let id = field::<Uuid>(obj, "id", &mut errors);
    let revision = field::<u32>(obj, "revision", &mut errors);
    if revision == Some(0) {
        errors.push(FieldError::new("revision", FieldErrorCode::InvalidValue));
    }
    let observed_at = field::<DateTime<FixedOffset>>(obj, "observed_at", &mut errors);
    let municipality = field::<RegionCode>(obj, "municipality", &mut errors);
    let living_situation = field::<LivingSituation>(obj, "living_situation", &mut errors);
    let origin = field::<Origin>(obj, "origin", &mut errors);
    let dedup_key = field::<Option<DedupKey>>(obj, "dedup_key", &mut errors);
    let training = match obj.get("training") {
        None => Some(false),
        Some(m) if m.is_null() => Some(false),
        Some(m) => {
            let training = m.parse::<bool>();
            if training.is_none() {
                errors.push(FieldError::new("training", FieldErrorCode::InvalidValue));
            }
            training
        }
    };
    let entry = match obj.get("entry") {
        None => Some(Entry::Field),
        Some(m) if m.is_null() => Some(Entry::Field),
        Some(m) => {
            let entry = m.parse::<String>().and_then(|code| Entry::from_code(&code));
            if entry.is_none() {
                errors.push(FieldError::new("entry", FieldErrorCode::InvalidValue));
            }
            entry
        }
    };
    let profile = match obj.get("profile") {
        None => {
            errors.push(FieldError::new("profile", FieldErrorCode::Missing));
            None
        }
        Some(m) if m.is_null() => {
            errors.push(FieldError::new("profile", FieldErrorCode::Missing));
            None
        }
        Some(m) if m.is_object() => {
            let profile = m.parse::<Profile>();
            if profile.is_none() {
                profile_errors(m.to_value(), &mut errors);
            }
            profile
        }
        Some(_) => {
            errors.push(FieldError::new("profile", FieldErrorCode::InvalidValue));
            None
        }
    };
    match (
        id,
        revision,
        observed_at,
        municipality,
        living_situation,
        origin,
        dedup_key,
        profile,
        training,
        entry,
    ) {
        (
            Some(id),
            Some(revision),
            Some(observed_at),
            Some(municipality),
            Some(living_situation),
            Some(origin),
            Some(dedup_key),
            Some(profile),
            Some(training),
            Some(entry),
        ) if errors.is_empty() => Ok(Record {
            id,
            revision,
            observed_at,
            municipality,
            living_situation,
            origin,
            dedup_key,
            profile,
            training,
            entry,
        }),
        _ => Err(errors),
    }
}

/// The record id, if the value carries a valid one: lets a rejection name its record.
pub fn record_id(value: &Value) -> Option<Uuid> {
    value.as_object().and_then(id_of)
}

fn id_of(obj: &impl Object) -> Option<Uuid> {
    obj.get("id")?.parse::<String>()?.parse().ok()
}

/// Says which fields of a profile that did not parse are wrong: each one alone in an otherwise
/// unknown profile.
fn profile_errors(p: Option<Value>, errors: &mut Vec<FieldError>) {
    let (Some(Value::Object(given)), Ok(Value::Object(unknown))) =
        (p, serde_json::to_value(Profile::unknown()))
    else {
        errors.push(FieldError::new("profile", FieldErrorCode::InvalidValue));
        return;
    };
    let before = errors.len();
    for name in PROFILE_FIELDS {
        let code = match given.get(name) {
            None | Some(Value::Null) => FieldErrorCode::Missing,
            Some(value) => {
                let mut one = unknown.clone();
                one.insert(name.to_string(), value.clone());
                match Profile::deserialize(&Value::Object(one)) {
                    Ok(_) => continue,
                    Err(_) => FieldErrorCode::InvalidValue,
                }
            }
        };
        errors.push(FieldError::new(format!("profile.{name}"), code));
    }
    if errors.len() == before {
        errors.push(FieldError::new("profile", FieldErrorCode::InvalidValue));
    }
}

/// Reads one field: absent → `missing`; present but not a `T` → `invalid_value`.
/// `null` is only accepted where `T` accepts it (the duplicate key).
fn field<T: DeserializeOwned>(obj: &impl Object, key: &str, errors: &mut Vec<FieldError>) -> Option<T> {
    let Some(raw) = obj.get(key) else {
        errors.push(FieldError::new(key, FieldErrorCode::Missing));
        return None;
    };
    match raw.parse::<T>() {
        Some(v) => Some(v),
        None if raw.is_null() => {
            errors.push(FieldError::new(key, FieldErrorCode::Missing));
            None
        }
        None => {
            errors.push(FieldError::new(key, FieldErrorCode::InvalidValue));
            None
        }
    }
}

#[cfg(test)]
mod tests;
