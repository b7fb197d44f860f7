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

/// [`parse_record`] of the value, checked to answer as [`parse_record_text`] does for its
/// text (compact and pretty): the sync reads records from text, everything else from values.
fn parse(v: &Value) -> Result<Record, Vec<FieldError>> {
    let from_value = parse_record(v);
    #[cfg(feature = "sync-text")]
    for text in [serde_json::to_string(v).unwrap(), serde_json::to_string_pretty(v).unwrap()] {
        let raw: Box<RawValue> = serde_json::from_str(&text).unwrap();
        let from_text = parse_record_text(&raw);
        assert_eq!(from_text.as_ref().map_err(|(_, e)| e), from_value.as_ref(), "{text}");
        if let Err((id, _)) = from_text {
            assert_eq!(id, record_id(v), "{text}");
        }
    }
    from_value
}

fn errors_of(v: Value) -> Vec<(String, FieldErrorCode)> {
    parse(&v).unwrap_err().into_iter().map(|e| (e.field, e.code)).collect()
}

#[test]
fn the_example_record_of_the_contract_is_valid_and_round_trips() {
    let r = parse(&valid()).unwrap();
    assert_eq!(r.living_situation, LivingSituation::PublicSpace);
    let again = parse(&serde_json::to_value(&r).unwrap()).unwrap();
    assert_eq!(again, r);
}

#[test]
fn training_may_be_left_out_and_means_false() {
    let mut v = valid();
    v.as_object_mut().unwrap().remove("training");
    assert!(!parse(&v).unwrap().training);
}

#[test]
fn unknown_extra_fields_are_ignored() {
    let mut v = valid();
    v["note"] = json!("free text is not stored");
    assert!(parse(&v).is_ok());
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
    assert_eq!(parse(&v).unwrap().dedup_key, None);
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
    assert_eq!(parse(&v).unwrap().profile, Profile::unknown());
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
        assert_eq!(parse(&v).is_ok(), ok, "{origin}");
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
    let a = parse(&valid()).unwrap();
    let text = serde_json::to_string_pretty(&valid()).unwrap();
    let b = parse(&serde_json::from_str(&text).unwrap()).unwrap();
    assert_eq!(a.canonical_json(), b.canonical_json());
}

#[test]
fn entry_may_be_left_out_and_means_field() {
    let r = parse(&valid()).unwrap();
    assert_eq!(r.entry, Entry::Field);
    let mut v = valid();
    v["entry"] = json!("field");
    assert_eq!(parse(&v).unwrap(), r);
}

#[test]
fn entry_desk_and_sheet_are_read_and_anything_else_is_invalid() {
    for (code, entry) in [("desk", Entry::Desk), ("sheet", Entry::Sheet)] {
        let mut v = valid();
        v["entry"] = json!(code);
        let r = parse(&v).unwrap();
        assert_eq!(r.entry, entry);
        assert_eq!(parse(&serde_json::to_value(&r).unwrap()).unwrap(), r, "{code}");
    }
    for bad in [json!("phone"), json!("Desk"), json!(1), json!(["desk"])] {
        let mut v = valid();
        v["entry"] = bad.clone();
        assert_eq!(errors_of(v), vec![("entry".to_string(), FieldErrorCode::InvalidValue)], "{bad}");
    }
}

#[test]
fn a_field_record_keeps_the_canonical_json_it_had_before_entry_existed() {
    let r = parse(&valid()).unwrap();
    let json = r.canonical_json();
    assert!(!json.contains("entry"), "{json}");
    assert!(json.ends_with(r#""training":false}"#), "{json}");
    let mut desk = r.clone();
    desk.entry = Entry::Desk;
    assert_ne!(desk.canonical_json(), json);
    assert!(desk.canonical_json().ends_with(r#""training":false,"entry":"desk"}"#));
}

#[test]
fn a_record_read_from_text_answers_as_one_read_from_a_value_for_every_odd_member() {
    let odd = [
        json!(null),
        json!(true),
        json!(0),
        json!(-1),
        json!(1.0),
        json!(4294967296u64),
        json!(""),
        json!("unknown"),
        json!("null"),
        json!([]),
        json!({}),
        json!({"kind": "abroad"}),
        json!(["unknown"]),
    ];
    let mut keys: Vec<String> = valid().as_object().unwrap().keys().cloned().collect();
    keys.push("entry".into());
    for key in &keys {
        for value in &odd {
            let mut v = valid();
            v[key.as_str()] = value.clone();
            let _ = parse(&v);
        }
    }
    for key in PROFILE_FIELDS {
        for value in &odd {
            let mut v = valid();
            v["profile"][key] = value.clone();
            let _ = parse(&v);
        }
    }
    for not_a_record in [json!(null), json!(1), json!("x"), json!([valid()])] {
        let _ = parse(&not_a_record);
    }
}

#[cfg(feature = "sync-text")]
#[test]
fn a_member_given_twice_counts_with_its_last_value_in_text_as_in_a_value() {
    let text = serde_json::to_string(&valid()).unwrap();
    let twice = text.replacen('{', r#"{"living_situation":"9.9","#, 1);
    let raw: Box<RawValue> = serde_json::from_str(&twice).unwrap();
    let value: Value = serde_json::from_str(&twice).unwrap();
    assert_eq!(parse_record_text(&raw).unwrap(), parse_record(&value).unwrap());
    let twice = text.replacen(r#""gender":"man""#, r#""gender":"other","gender":"man""#, 1);
    let raw: Box<RawValue> = serde_json::from_str(&twice).unwrap();
    assert_eq!(parse_record_text(&raw).unwrap(), parse_record(&valid()).unwrap(), "inside the profile");
    let twice = text.replacen(r#""kind":"municipality""#, r#""kind":"abroad","kind":"municipality""#, 1);
    let raw: Box<RawValue> = serde_json::from_str(&twice).unwrap();
    assert_eq!(parse_record_text(&raw).unwrap(), parse_record(&valid()).unwrap(), "inside the origin");
    let twice = text.replacen(r#""training":false"#, r#""training":false,"training":"yes""#, 1);
    let raw: Box<RawValue> = serde_json::from_str(&twice).unwrap();
    let errors = vec![FieldError::new("training", FieldErrorCode::InvalidValue)];
    assert_eq!(parse_record_text(&raw).unwrap_err().1, errors);
}

#[cfg(feature = "sync-text")]
#[test]
fn escaped_member_names_and_values_are_read_from_text() {
    let text =
        serde_json::to_string(&valid()).unwrap().replace(r#""gender":"man""#, r#""gend\u0065r":"m\u0061n""#);
    let raw: Box<RawValue> = serde_json::from_str(&text).unwrap();
    assert_eq!(parse_record_text(&raw).unwrap(), parse_record(&valid()).unwrap());
}
