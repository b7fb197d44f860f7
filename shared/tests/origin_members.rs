//! Unknown extra members inside `origin` are ignored, as everywhere else in a record (api.md:
//! "unknown extra fields are ignored"); the record is the same as without them.

use ethos_shared::record::parse_record;
use serde_json::{json, Value};

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

#[test]
fn unknown_extra_members_inside_origin_are_ignored_as_everywhere_else() {
    for (with_extra, plain) in [
        (
            json!({"kind":"municipality","code":"GM0935","source":"kaart"}),
            json!({"kind":"municipality","code":"GM0935"}),
        ),
        (json!({"kind":"abroad","country":"BE"}), json!({"kind":"abroad"})),
        (json!({"kind":"unknown","note":null}), json!({"kind":"unknown"})),
    ] {
        let (mut v, mut w) = (valid(), valid());
        v["origin"] = with_extra.clone();
        w["origin"] = plain;
        assert!(parse_record(&v).is_ok(), "{with_extra}");
        assert_eq!(parse_record(&v), parse_record(&w), "{with_extra}");
    }
}

#[test]
fn an_origin_still_needs_a_known_kind_and_a_region_code_for_a_municipality() {
    for origin in [json!({"kind":"mars","code":"GM0935"}), json!({"kind":"municipality","cbs":"GM0935"})] {
        let mut v = valid();
        v["origin"] = origin.clone();
        assert!(parse_record(&v).is_err(), "{origin}");
    }
}
