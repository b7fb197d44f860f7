//! The record: one person as seen by one counter (domain.md §3), its wire form (api.md
//! "Sync") and its field-level validation, shared by the field app and the server.

use crate::ethos::LivingSituation;
use crate::municipality;
use crate::profile::Profile;
use chrono::{DateTime, FixedOffset};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

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

/// The fields of the profile, in wire order.
pub const PROFILE_FIELDS: [&str; 10] = [
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
];

/// Parses and validates one record from JSON, reporting every bad field (not just the first).
/// Unknown extra fields are ignored. Time rules that need the count are in `count`.
pub fn parse_record(value: &Value) -> Result<Record, Vec<FieldError>> {
    let Some(obj) = value.as_object() else {
        return Err(vec![FieldError::new("record", FieldErrorCode::InvalidValue)]);
    };
    let mut errors = Vec::new();
    let id = field::<Uuid>(obj, "id", "id", &mut errors);
    let revision = field::<u32>(obj, "revision", "revision", &mut errors);
    if revision == Some(0) {
        errors.push(FieldError::new("revision", FieldErrorCode::InvalidValue));
    }
    let observed_at = field::<DateTime<FixedOffset>>(obj, "observed_at", "observed_at", &mut errors);
    let municipality = field::<RegionCode>(obj, "municipality", "municipality", &mut errors);
    let living_situation = field::<LivingSituation>(obj, "living_situation", "living_situation", &mut errors);
    let origin = field::<Origin>(obj, "origin", "origin", &mut errors);
    let dedup_key = field::<Option<DedupKey>>(obj, "dedup_key", "dedup_key", &mut errors);
    let training = match obj.get("training") {
        None | Some(Value::Null) => Some(false),
        Some(Value::Bool(b)) => Some(*b),
        Some(_) => {
            errors.push(FieldError::new("training", FieldErrorCode::InvalidValue));
            None
        }
    };
    let profile = match obj.get("profile") {
        None | Some(Value::Null) => {
            errors.push(FieldError::new("profile", FieldErrorCode::Missing));
            None
        }
        Some(Value::Object(p)) => parse_profile(p, &mut errors),
        Some(_) => {
            errors.push(FieldError::new("profile", FieldErrorCode::InvalidValue));
            None
        }
    };
    match (id, revision, observed_at, municipality, living_situation, origin, dedup_key, profile, training) {
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
        }),
        _ => Err(errors),
    }
}

/// The record id, if the value carries a valid one: lets a rejection name its record.
pub fn record_id(value: &Value) -> Option<Uuid> {
    value.get("id")?.as_str()?.parse().ok()
}

fn parse_profile(p: &Map<String, Value>, errors: &mut Vec<FieldError>) -> Option<Profile> {
    let before = errors.len();
    let f = |name: &str| format!("profile.{name}");
    let age_band = field(p, "age_band", &f("age_band"), errors);
    let gender = field(p, "gender", &f("gender"), errors);
    let household = field(p, "household", &f("household"), errors);
    let children = field(p, "children", &f("children"), errors);
    let duration = field(p, "duration", &f("duration"), errors);
    let residence_status = field(p, "residence_status", &f("residence_status"), errors);
    let income = field(p, "income", &f("income"), errors);
    let care_needs = field(p, "care_needs", &f("care_needs"), errors);
    let previous_facility = field(p, "previous_facility", &f("previous_facility"), errors);
    let housing_need = field(p, "housing_need", &f("housing_need"), errors);
    if errors.len() > before {
        return None;
    }
    Some(Profile {
        age_band: age_band?,
        gender: gender?,
        household: household?,
        children: children?,
        duration: duration?,
        residence_status: residence_status?,
        income: income?,
        care_needs: care_needs?,
        previous_facility: previous_facility?,
        housing_need: housing_need?,
    })
}

/// Reads one field: absent → `missing`; present but not a `T` → `invalid_value`.
/// `null` is only accepted where `T` accepts it (the duplicate key).
fn field<T: DeserializeOwned>(
    obj: &Map<String, Value>,
    key: &str,
    name: &str,
    errors: &mut Vec<FieldError>,
) -> Option<T> {
    let Some(raw) = obj.get(key) else {
        errors.push(FieldError::new(name, FieldErrorCode::Missing));
        return None;
    };
    match T::deserialize(raw) {
        Ok(v) => Some(v),
        Err(_) if raw.is_null() => {
            errors.push(FieldError::new(name, FieldErrorCode::Missing));
            None
        }
        Err(_) => {
            errors.push(FieldError::new(name, FieldErrorCode::InvalidValue));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn valid() -> Value {
        json!({"id":"0192f0c4-1111-7000-8000-000000000001","revision":1,
            "observed_at":"2026-10-15T22:40:00+02:00","municipality":"GM0935","living_situation":"1.1",
            "origin":{"kind":"municipality","code":"GM0938"},
            "dedup_key":"f8108182fceecee89eba6a4c24ef082b45665411e020779334f04f10cc5c167a",
            "profile":{"age_band":"23-26","gender":"man","household":"alone","children":0,
                "duration":"1-3m","residence_status":"dutch","income":"benefit",
                "care_needs":["addiction"],"previous_facility":"none","housing_need":"housing_first"},
            "training":false})
    }

    fn errors_of(v: Value) -> Vec<(String, FieldErrorCode)> {
        parse_record(&v).unwrap_err().into_iter().map(|e| (e.field, e.code)).collect()
    }

    #[test]
    fn the_example_record_of_the_contract_is_valid_and_round_trips() {
        let r = parse_record(&valid()).unwrap();
        assert_eq!(r.living_situation, LivingSituation::PublicSpace);
        let again = parse_record(&serde_json::to_value(&r).unwrap()).unwrap();
        assert_eq!(again, r);
    }

    #[test]
    fn training_may_be_left_out_and_means_false() {
        let mut v = valid();
        v.as_object_mut().unwrap().remove("training");
        assert!(!parse_record(&v).unwrap().training);
    }

    #[test]
    fn unknown_extra_fields_are_ignored() {
        let mut v = valid();
        v["note"] = json!("free text is not stored");
        assert!(parse_record(&v).is_ok());
    }

    #[test]
    fn every_missing_field_is_reported_by_name() {
        for key in [
            "id",
            "revision",
            "observed_at",
            "municipality",
            "living_situation",
            "origin",
            "dedup_key",
            "profile",
        ] {
            let mut v = valid();
            v.as_object_mut().unwrap().remove(key);
            assert_eq!(errors_of(v), vec![(key.to_string(), FieldErrorCode::Missing)], "{key}");
        }
        for key in PROFILE_FIELDS {
            let mut v = valid();
            v["profile"].as_object_mut().unwrap().remove(key);
            assert_eq!(errors_of(v), vec![(format!("profile.{key}"), FieldErrorCode::Missing)], "{key}");
        }
    }

    #[test]
    fn the_duplicate_key_may_be_null_but_required_fields_may_not() {
        let mut v = valid();
        v["dedup_key"] = Value::Null;
        assert_eq!(parse_record(&v).unwrap().dedup_key, None);
        let mut v = valid();
        v["living_situation"] = Value::Null;
        assert_eq!(errors_of(v), vec![("living_situation".into(), FieldErrorCode::Missing)]);
    }

    #[test]
    fn bad_values_are_invalid_value_and_all_are_reported_at_once() {
        let mut v = valid();
        v["living_situation"] = json!("1.2");
        v["municipality"] = json!("GM0014");
        v["profile"]["gender"] = json!("male");
        v["profile"]["care_needs"] = json!(["none", "addiction"]);
        let errs = errors_of(v);
        assert_eq!(
            errs,
            vec![
                ("municipality".into(), FieldErrorCode::InvalidValue),
                ("living_situation".into(), FieldErrorCode::InvalidValue),
                ("profile.gender".into(), FieldErrorCode::InvalidValue),
                ("profile.care_needs".into(), FieldErrorCode::InvalidValue),
            ]
        );
    }

    #[test]
    fn required_fields_do_not_accept_unknown() {
        let mut v = valid();
        v["municipality"] = json!("unknown");
        v["living_situation"] = json!("unknown");
        assert_eq!(errors_of(v).len(), 2);
    }

    #[test]
    fn every_profile_field_accepts_unknown() {
        let mut v = valid();
        for key in PROFILE_FIELDS {
            v["profile"][key] = if key == "care_needs" { json!(["unknown"]) } else { json!("unknown") };
        }
        assert_eq!(parse_record(&v).unwrap().profile, Profile::unknown());
    }

    #[test]
    fn origin_is_a_dutch_municipality_abroad_or_unknown() {
        for (origin, ok) in [
            (json!({"kind":"abroad"}), true),
            (json!({"kind":"unknown"}), true),
            (json!({"kind":"municipality","code":"GM0518"}), true),
            (json!({"kind":"municipality","code":"GM9999"}), false),
            (json!({"kind":"municipality"}), false),
            (json!({"kind":"mars"}), false),
            (json!("abroad"), false),
        ] {
            let mut v = valid();
            v["origin"] = origin.clone();
            assert_eq!(parse_record(&v).is_ok(), ok, "{origin}");
        }
    }

    #[test]
    fn ids_revisions_times_and_keys_are_checked_for_form() {
        let cases = [
            ("id", json!("not-a-uuid")),
            ("id", json!(7)),
            ("revision", json!(0)),
            ("revision", json!(-1)),
            ("revision", json!(1.5)),
            ("revision", json!("1")),
            ("observed_at", json!("2026-10-15 22:40")),
            ("observed_at", json!("2026-10-15T22:40:00")),
            ("dedup_key", json!("F8108182FCEECEE89EBA6A4C24EF082B45665411E020779334F04F10CC5C167A")),
            ("dedup_key", json!("abc")),
            ("training", json!("yes")),
        ];
        for (key, bad) in cases {
            let mut v = valid();
            v[key] = bad.clone();
            assert_eq!(errors_of(v), vec![(key.to_string(), FieldErrorCode::InvalidValue)], "{key}={bad}");
        }
    }

    #[test]
    fn a_non_object_is_one_invalid_record_and_its_id_is_unknown() {
        assert_eq!(errors_of(json!([1, 2])), vec![("record".into(), FieldErrorCode::InvalidValue)]);
        assert_eq!(record_id(&json!("x")), None);
        assert!(record_id(&valid()).is_some());
    }

    #[test]
    fn canonical_json_ignores_key_order_and_spacing() {
        let a = parse_record(&valid()).unwrap();
        let text = serde_json::to_string_pretty(&valid()).unwrap();
        let b = parse_record(&serde_json::from_str(&text).unwrap()).unwrap();
        assert_eq!(a.canonical_json(), b.canonical_json());
    }
}
