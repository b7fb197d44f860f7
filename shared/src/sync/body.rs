//! A sync body as the server reads it (api.md "Sync"): the body's shape first, then each record
//! on its own, so one bad record is rejected alone.
//!
//! A well-formed body is read straight from its text: each record stays a slice of the body
//! until it is parsed (`record::parse_record_text`), with no `serde_json::Value` tree of 500
//! records in between. Anything else (not an object, a member given twice, `records` not a
//! list) goes the way of [`sync_request`], which names what is wrong; both ways give the same
//! answers (the tests below).

use super::{parse_one, sync_request, Parsed};
use crate::api::SyncRequest;
use crate::record::{parse_record_text, FieldError};
use serde::de::{MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;
use serde_json::Value;
use std::fmt;

/// A sync body whose records are still to be parsed one by one.
#[derive(Debug)]
pub enum SyncBody<'a> {
    Text(SyncRequest<&'a RawValue>),
    Value(SyncRequest<Value>),
}

/// Why a sync body cannot be read at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyError {
    /// Not JSON; the parser's message.
    NotJson(String),
    /// JSON, but not a sync body: `records` missing or not a list.
    Shape(FieldError),
}

/// Reads a sync body from its bytes (see the module text).
pub fn read_sync_body(bytes: &[u8]) -> Result<SyncBody<'_>, BodyError> {
    match split_sync_body(bytes)? {
        SyncBody::Text(_) if !decodes_as_text(bytes) => read_by_value(bytes),
        body => Ok(body),
    }
}

/// [`read_sync_body`] but for its decoding pass over the whole body: a body read from its text
/// is the answer only where [`decodes_as_text`] says so afterwards (the server runs that pass
/// while it stores the body's records, and stores none of them where it fails); anything else
/// is already the answer.
pub fn split_sync_body(bytes: &[u8]) -> Result<SyncBody<'_>, BodyError> {
    // Only an object: serde would also read a struct from a JSON list.
    if bytes.trim_ascii_start().starts_with(b"{") {
        if let Ok(body) = serde_json::from_slice::<SyncRequest<&RawValue>>(bytes) {
            return Ok(SyncBody::Text(body));
        }
    }
    read_by_value(bytes)
}

/// Whether a body that [`split_sync_body`] read from its text reads so: only JSON that a value
/// tree takes (capturing raw members skips over what only decoding refuses: a lone UTF-16
/// surrogate escape, a number out of range, bad UTF-8 in a skipped member), and no member named
/// as serde_json's raw-value marker, which a value tree reads in its own way. Where not, only
/// [`read_sync_body`] answers (by a value tree).
pub fn decodes_as_text(bytes: &[u8]) -> bool {
    serde_json::from_slice::<Decodes>(bytes).is_ok()
}

fn read_by_value(bytes: &[u8]) -> Result<SyncBody<'_>, BodyError> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| BodyError::NotJson(e.to_string()))?;
    sync_request(value).map(SyncBody::Value).map_err(BodyError::Shape)
}

/// Any JSON that a `serde_json::Value` can be read from, read as a value would be (every
/// string decoded, every number parsed) but kept nowhere.
struct Decodes;

impl<'de> Deserialize<'de> for Decodes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Decodes, D::Error> {
        d.deserialize_any(Decodes)
    }
}

impl<'de> Visitor<'de> for Decodes {
    type Value = Decodes;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("JSON")
    }
    fn visit_bool<E>(self, _: bool) -> Result<Decodes, E> {
        Ok(Decodes)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Decodes, E> {
        Ok(Decodes)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Decodes, E> {
        Ok(Decodes)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Decodes, E> {
        Ok(Decodes)
    }
    fn visit_str<E>(self, _: &str) -> Result<Decodes, E> {
        Ok(Decodes)
    }
    fn visit_unit<E>(self) -> Result<Decodes, E> {
        Ok(Decodes)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Decodes, A::Error> {
        while seq.next_element::<Decodes>()?.is_some() {}
        Ok(Decodes)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Decodes, A::Error> {
        while map.next_key::<Name>()?.is_some() {
            map.next_value::<Decodes>()?;
        }
        Ok(Decodes)
    }
}

/// A member name, refused when it is serde_json's raw-value marker: an object with that member
/// becomes, in a value tree, the JSON text of its string (so the body goes that way).
struct Name;

/// The marker's name in serde_json (`serde_json::raw::TOKEN`, not public).
const RAW_VALUE_MARKER: &str = "$serde_json::private::RawValue";

impl<'de> Deserialize<'de> for Name {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Name, D::Error> {
        d.deserialize_str(Name)
    }
}

impl<'de> Visitor<'de> for Name {
    type Value = Name;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a member name")
    }
    fn visit_str<E: serde::de::Error>(self, name: &str) -> Result<Name, E> {
        if name == RAW_VALUE_MARKER {
            Err(E::custom("serde_json's raw-value marker"))
        } else {
            Ok(Name)
        }
    }
}

impl SyncBody<'_> {
    /// How many records the body holds.
    pub fn len(&self) -> usize {
        match self {
            SyncBody::Text(body) => body.records.len(),
            SyncBody::Value(body) => body.records.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// What the phone said it still holds unconfirmed (read leniently).
    pub fn unsynced(&self) -> Option<u32> {
        match self {
            SyncBody::Text(body) => body.unsynced,
            SyncBody::Value(body) => body.unsynced,
        }
    }

    /// Each record parsed on its own, in order.
    pub fn parse(&self) -> Vec<Parsed> {
        self.parsed().collect()
    }

    /// [`SyncBody::parse`], each record parsed only as it is taken (the server parses the next
    /// records while it stores the ones before).
    pub fn parsed(&self) -> Box<dyn Iterator<Item = Parsed> + Send + '_> {
        match self {
            SyncBody::Text(body) => Box::new(body.records.iter().map(|r| parse_record_text(r))),
            SyncBody::Value(body) => Box::new(body.records.iter().map(parse_one)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::FieldErrorCode;
    use crate::sync::parse_batch;
    use serde_json::json;

    /// What the body reads as, by the value way alone: the answer the server always gave.
    fn by_value(text: &str) -> Result<(Vec<Parsed>, Option<u32>), BodyError> {
        let value: Value = serde_json::from_str(text).map_err(|e| BodyError::NotJson(e.to_string()))?;
        let body = sync_request(value).map_err(BodyError::Shape)?;
        Ok((parse_batch(&body.records), body.unsynced))
    }

    fn read(text: &str) -> Result<(Vec<Parsed>, Option<u32>), BodyError> {
        read_sync_body(text.as_bytes()).map(|body| (body.parse(), body.unsynced()))
    }

    fn record() -> Value {
        json!({"id":"0192f0c4-1111-7000-8000-000000000001","revision":1,
            "observed_at":"2026-10-15T22:40:00+02:00","municipality":"GM0935","living_situation":"1.1",
            "origin":{"kind":"abroad"},"dedup_key":null,
            "profile":{"age_band":"23-26","gender":"man","household":"alone","children":0,
                "duration":"1-3m","residence_status":"dutch","income":"benefit",
                "care_needs":["addiction"],"previous_facility":"none","housing_need":"housing_first"}})
    }

    #[test]
    fn a_well_formed_body_is_read_from_its_text() {
        let text = json!({"records": [record(), {"id": "x"}, 7], "unsynced": 3}).to_string();
        assert!(matches!(read_sync_body(text.as_bytes()), Ok(SyncBody::Text(_))));
        let (parsed, unsynced) = read(&text).unwrap();
        assert_eq!(unsynced, Some(3));
        assert!(parsed[0].is_ok());
        assert!(
            matches!(&parsed[1], Err((None, errors)) if errors[0] == FieldError::new("id", FieldErrorCode::InvalidValue))
        );
        assert!(matches!(&parsed[2], Err((None, _))));
        assert_eq!(read(&text), by_value(&text));
    }

    #[test]
    fn every_body_reads_as_it_did_through_a_value() {
        let r = record().to_string();
        let bodies = [
            format!(r#"{{"records":[{r}]}}"#),
            format!(r#"  {{ "records" : [ {r} , {r} ] , "unsynced" : 2 }} "#),
            format!(r#"{{"records":[{r}],"unsynced":-1,"extra":{{"a":1}}}}"#),
            format!(r#"{{"records":[{r}],"records":[]}}"#),
            format!(r#"{{"records":[{r}],"unsynced":"3"}}"#),
            format!(r#"[[{r}]]"#),
            format!(r#"[[{r}], 2]"#),
            r#"{"records":{}}"#.to_string(),
            r#"{"records":null}"#.to_string(),
            r#"{"records":[]}"#.to_string(),
            r#"{}"#.to_string(),
            r#"[]"#.to_string(),
            r#"null"#.to_string(),
            r#"{"records":[1,"x",null,[],{}]}"#.to_string(),
            r#"{"records":[1,]}"#.to_string(),
            r#"{"records":[]} trailing"#.to_string(),
            r#"{"records":[{"id":"\ud800x"}]}"#.to_string(),
            r#"{"records":[{"\udc00":1}]}"#.to_string(),
            r#"{"records":[{"revision":1e400}]}"#.to_string(),
            r#"{"records":[{"revision":-0}]}"#.to_string(),
            r#"{"records":[],"x":"\ud800"}"#.to_string(),
            r#"{"records":[],"x":1e999}"#.to_string(),
            r#"{"records":[{"$serde_json::private::RawValue":"x"}]}"#.to_string(),
            format!(r#"{{"records":[{{"$serde_json::private::RawValue":{}}}]}}"#, Value::String(r.clone())),
            r#"{"$serde_json::private::RawValue":"{\"records\":[]}","records":[1]}"#.to_string(),
            r#"{"records":[{"training":{"$serde_json::private::RawValue":"null"}}]}"#.to_string(),
            String::new(),
        ];
        for body in bodies {
            assert_eq!(read(&body), by_value(&body), "{body}");
            // Split first and checked after, as the server does: the text way's answer where
            // the check passes, the value way's where it fails or the split took that way.
            let answer = match split_sync_body(body.as_bytes()) {
                Ok(split @ SyncBody::Text(_)) if decodes_as_text(body.as_bytes()) => {
                    Ok((split.parse(), split.unsynced()))
                }
                Ok(SyncBody::Text(_)) => read(&body),
                split => split.map(|b| (b.parse(), b.unsynced())),
            };
            assert_eq!(answer, by_value(&body), "{body}");
        }
        // Bytes that are no UTF-8, in a member nothing reads.
        let bytes = b"{\"records\":[],\"x\":\"\xff\"}";
        assert!(matches!(read_sync_body(bytes), Err(BodyError::NotJson(_))));
    }
}
