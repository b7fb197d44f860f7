//! Where [`super::parse_record`] reads a record's members from: a parsed JSON object, or the
//! raw JSON text of each member. The server reads a sync body's records from its text
//! ([`super::parse_record_text`]): building a `serde_json::Value` tree of 500 records and
//! taking it apart again cost more than half of a sync's work before the write. Both sources
//! answer the same, member by member (held together by the tests of `record/tests.rs` and the
//! fuzz target `sync_body`, which reads every input both ways).

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
#[cfg(feature = "sync-text")]
pub(super) use text::TextObject;

/// A JSON object whose members are read one by one. Generic rather than an enum, so a program
/// that only reads values (the phone) does not carry the text reader (the server).
pub(super) trait Object {
    type Member<'m>: Member
    where
        Self: 'm;
    fn get(&self, key: &str) -> Option<Self::Member<'_>>;
}

/// One member of an [`Object`].
pub(super) trait Member {
    fn is_null(&self) -> bool;
    fn is_object(&self) -> bool;
    /// The member as a `T`, as `T::deserialize` reads it from either source.
    fn parse<T: DeserializeOwned>(&self) -> Option<T>;
    /// The member as a value tree: for the rare slow path that says which part is wrong.
    fn to_value(&self) -> Option<Value>;
}

impl Object for Map<String, Value> {
    type Member<'m> = &'m Value;
    fn get(&self, key: &str) -> Option<&Value> {
        Map::get(self, key)
    }
}

impl Member for &Value {
    fn is_null(&self) -> bool {
        Value::is_null(self)
    }
    fn is_object(&self) -> bool {
        Value::is_object(self)
    }
    fn parse<T: DeserializeOwned>(&self) -> Option<T> {
        T::deserialize(*self).ok()
    }
    fn to_value(&self) -> Option<Value> {
        Some((*self).clone())
    }
}

/// The text reader (feature `sync-text`).
#[cfg(feature = "sync-text")]
mod text {
    use super::{Member, Object};
    use serde::de::{DeserializeOwned, MapAccess, Visitor};
    use serde::{Deserialize, Deserializer};
    use serde_json::value::RawValue;
    use serde_json::Value;
    use std::borrow::Cow;
    use std::fmt;

    impl Member for &RawValue {
        fn is_null(&self) -> bool {
            self.get().trim() == "null"
        }
        fn is_object(&self) -> bool {
            self.get().trim_start().starts_with('{')
        }
        /// Straight from the text; where that fails, through a value, which reads what the
        /// text way refuses but a value takes (a member given twice inside the profile or
        /// the origin: its last value), so both sources answer the same.
        fn parse<T: DeserializeOwned>(&self) -> Option<T> {
            serde_json::from_str(self.get()).ok().or_else(|| T::deserialize(&self.to_value()?).ok())
        }
        fn to_value(&self) -> Option<Value> {
            serde_json::from_str(self.get()).ok()
        }
    }

    impl<'a> TextObject<'a> {
        /// The object of a JSON text, or `None` when the text is not an object.
        pub fn of_text(raw: &'a RawValue) -> Option<TextObject<'a>> {
            serde_json::from_str(raw.get()).ok()
        }
    }

    impl<'a> Object for TextObject<'a> {
        type Member<'m>
            = &'a RawValue
        where
            Self: 'm;
        fn get(&self, key: &str) -> Option<&'a RawValue> {
            self.0.iter().rev().find(|(k, _)| k == key).map(|(_, v)| *v)
        }
    }

    /// An object's members as raw JSON text, in the order given. A key given twice means its last
    /// value, as in `serde_json::Value`.
    pub(in crate::record) struct TextObject<'a>(Vec<(Cow<'a, str>, &'a RawValue)>);

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
}
