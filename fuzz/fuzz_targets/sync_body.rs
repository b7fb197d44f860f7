//! Arbitrary bytes as the body of `POST /api/v1/sync`, through the same steps as the server:
//! `split_sync_body` and `decodes_as_text` (else `read_sync_body`), then each record. Nothing
//! may panic, and every answer must hold up:
//! - the server's reading from the body's text answers exactly as reading through a
//!   `serde_json::Value` tree does (the body's shape, every record's result, `unsynced`), and
//!   so does each record alone (`parse_record_text` against `parse_record`);
//! - each element gets exactly one result, in order;
//! - an accepted record's canonical JSON parses back to the same record with the same canonical
//!   JSON (so a resend is recognised as `unchanged`), and the record names the id it came with;
//! - a rejected element has at least one field error and names the id `record_id` reads.
#![no_main]

use ethos_shared::record::{parse_record, parse_record_text, record_id};
use ethos_shared::sync::{
    decodes_as_text, parse_batch, read_sync_body, split_sync_body, sync_request, BodyError, SyncBody,
};
use libfuzzer_sys::fuzz_target;
use serde_json::value::RawValue;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    // As the server reads it: split first, the decoding pass after the records (a body read
    // from its text that fails that pass is read again by `read_sync_body`).
    let server = match split_sync_body(data) {
        Ok(body @ SyncBody::Text(_)) if decodes_as_text(data) => Ok((body.parse(), body.unsynced())),
        Ok(SyncBody::Text(_)) => read_sync_body(data).map(|body| (body.parse(), body.unsynced())),
        split => split.map(|body| (body.parse(), body.unsynced())),
    };
    let by_value = serde_json::from_slice::<Value>(data)
        .map_err(|e| BodyError::NotJson(e.to_string()))
        .and_then(|v| sync_request(v).map_err(BodyError::Shape))
        .map(|body| (parse_batch(&body.records), body.unsynced));
    assert_eq!(server, by_value, "the text reader answers as the value reader");

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
        let text: Box<RawValue> = serde_json::from_str(&value.to_string()).expect("a value is JSON");
        assert_eq!(&parse_record_text(&text), item, "a record read from its text: {value}");
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
