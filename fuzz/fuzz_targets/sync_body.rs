//! Arbitrary bytes as the body of `POST /api/v1/sync`, through the same steps as the server:
//! JSON, the `records` list, `parse_batch`. Nothing may panic, and every answer must hold up:
//! - each element gets exactly one result, in order;
//! - an accepted record's canonical JSON parses back to the same record with the same canonical
//!   JSON (so a resend is recognised as `unchanged`), and the record names the id it came with;
//! - a rejected element has at least one field error and names the id `record_id` reads.
#![no_main]

use ethos_shared::record::{parse_record, record_id};
use ethos_shared::sync::parse_batch;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Ok(body) = serde_json::from_slice::<Value>(data) else { return };
    // The server reads `records` from an object; a bare list or record is fuzzed the same way,
    // so inputs that are not (yet) a full sync body still reach the record parser.
    let records: Vec<Value> = match &body {
        Value::Object(o) => match o.get("records") {
            Some(Value::Array(list)) => list.clone(),
            _ => vec![body.clone()],
        },
        Value::Array(list) => list.clone(),
        other => vec![other.clone()],
    };
    let parsed = parse_batch(&records);
    assert_eq!(parsed.len(), records.len(), "one result per element");
    for (value, item) in records.iter().zip(&parsed) {
        match item {
            Ok(record) => {
                assert_eq!(record_id(value), Some(record.id), "an accepted record keeps its id");
                let canonical = record.canonical_json();
                let again: Value = serde_json::from_str(&canonical).expect("canonical JSON is JSON");
                let reparsed = parse_record(&again).expect("canonical JSON of a record is a valid record");
                assert_eq!(&reparsed, record, "canonical JSON round-trips");
                assert_eq!(reparsed.canonical_json(), canonical, "canonical JSON is a fixed point");
            }
            Err((id, errors)) => {
                assert!(!errors.is_empty(), "a rejection says why: {value}");
                assert_eq!(*id, record_id(value), "a rejection names the id it could read");
            }
        }
    }
});
