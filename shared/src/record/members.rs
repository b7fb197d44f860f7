//! Where [`super::parse_record`] reads a record's members from: a parsed JSON object, or the
//! raw JSON text of each member. The server reads a sync body's records from its text
//! ([`super::parse_record_text`]): building a `serde_json::Value` tree of 500 records and
//! taking it apart again cost more than half of a sync's work before the write. Both sources
//! answer the same, member by member (held together by the tests of `record/tests.rs`).

use serde::de::{DeserializeOwned, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::fmt;

/// A JSON object whose members are read one by one.
pub(super) enum Object<'a> {
    Value(&'a Map<String, Value>),
    Text(TextObject<'a>),
}

/// One member of an [`Object`].
#[derive(Clone, Copy)]
pub(super) enum Member<'a> {
    Value(&'a Value),
    Text(&'a RawValue),
}

impl<'a> Object<'a> {
    /// The object of a JSON text, or `None` when the text is not an object.
    pub fn of_text(raw: &'a RawValue) -> Option<Object<'a>> {
        serde_json::from_str::<TextObject<'a>>(raw.get()).ok().map(Object::Text)
    }

    pub fn get(&self, key: &str) -> Option<Member<'a>> {
        match self {
            Object::Value(map) => map.get(key).map(Member::Value),
            Object::Text(object) => object.get(key).map(Member::Text),
        }
    }
}

impl Member<'_> {
    pub fn is_null(&self) -> bool {
        match self {
            Member::Value(v) => v.is_null(),
            Member::Text(raw) => raw.get().trim() == "null",
        }
    }

    pub fn is_object(&self) -> bool {
        match self {
            Member::Value(v) => v.is_object(),
            Member::Text(raw) => raw.get().trim_start().starts_with('{'),
        }
    }

    /// The member as a `T`, as `T::deserialize` reads it from either source.
    pub fn parse<T: DeserializeOwned>(&self) -> Option<T> {
        match self {
            Member::Value(v) => T::deserialize(*v).ok(),
            Member::Text(raw) => serde_json::from_str(raw.get()).ok(),
        }
    }

    /// The member as a value tree: for the rare slow path that says which part is wrong.
    pub fn to_value(self) -> Option<Value> {
        match self {
            Member::Value(v) => Some(v.clone()),
            Member::Text(raw) => serde_json::from_str(raw.get()).ok(),
        }
    }
}

/// An object's members as raw JSON text, in the order given. A key given twice means its last
/// value, as in `serde_json::Value`.
pub(super) struct TextObject<'a>(Vec<(Cow<'a, str>, &'a RawValue)>);

impl<'a> TextObject<'a> {
    fn get(&self, key: &str) -> Option<&'a RawValue> {
        self.0.iter().rev().find(|(k, _)| k == key).map(|(_, v)| *v)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for TextObject<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Members<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for Members<'a> {
            type Value = TextObject<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<TextObject<'a>, M::Error> {
                let mut members = Vec::with_capacity(map.size_hint().unwrap_or(12));
                while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
                    members.push((key, map.next_value::<&'de RawValue>()?));
                }
                Ok(TextObject(members))
            }
        }
        d.deserialize_map(Members(std::marker::PhantomData))
    }
}

/// A member's name, borrowed from the text unless it holds escapes (serde's own `Cow<str>`
/// always copies).
struct Key<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Key<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Name<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for Name<'a> {
            type Value = Key<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a member name")
            }
            fn visit_borrowed_str<E>(self, name: &'de str) -> Result<Key<'a>, E> {
                Ok(Key(Cow::Borrowed(name)))
            }
            fn visit_str<E>(self, name: &str) -> Result<Key<'a>, E> {
                Ok(Key(Cow::Owned(name.to_owned())))
            }
        }
        d.deserialize_str(Name(std::marker::PhantomData))
    }
}
