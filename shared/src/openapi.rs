//! The OpenAPI schemas of the wire types whose serde form is written by hand (feature
//! `openapi`, enabled by the server only: the browser bundles do not carry it). The other wire
//! types derive `utoipa::ToSchema` beside their serde derives, and every `value_set!` is a
//! string with its codes.

use crate::profile::{CareNeed, CareNeeds, Children};
use crate::record::{DedupKey, MunicipalityCode, RegionCode};
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, OneOfBuilder, Schema, Type};
use utoipa::openapi::RefOr;
use utoipa::{PartialSchema, ToSchema};

/// A string that is one of `codes`.
pub fn code_set(codes: &[&'static str]) -> RefOr<Schema> {
    ObjectBuilder::new().schema_type(Type::String).enum_values(Some(codes.iter().copied())).into()
}

fn pattern(pattern: &str, description: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(pattern))
        .description(Some(description))
        .into()
}

impl PartialSchema for MunicipalityCode {
    fn schema() -> RefOr<Schema> {
        pattern("^GM[0-9]{4}$", "A CBS municipality code of gemeenten.csv, e.g. GM0935.")
    }
}
impl ToSchema for MunicipalityCode {}

impl PartialSchema for RegionCode {
    fn schema() -> RefOr<Schema> {
        let codes: Vec<&'static str> = crate::municipality::region().map(|g| g.code.as_str()).collect();
        code_set(&codes)
    }
}
impl ToSchema for RegionCode {}

impl PartialSchema for DedupKey {
    fn schema() -> RefOr<Schema> {
        pattern("^[0-9a-f]{64}$", "The duplicate key: 64 lowercase hex characters (HMAC-SHA256).")
    }
}
impl ToSchema for DedupKey {}

impl PartialSchema for Children {
    fn schema() -> RefOr<Schema> {
        let count =
            ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(0)).maximum(Some(Children::MAX));
        OneOfBuilder::new()
            .item(count)
            .item(code_set(&["unknown"]))
            .description(Some("Minor children staying with the person: 0–20 or \"unknown\"."))
            .into()
    }
}
impl ToSchema for Children {}

impl PartialSchema for CareNeeds {
    fn schema() -> RefOr<Schema> {
        let alone = |code| ArrayBuilder::new().items(code_set(&[code])).min_items(Some(1)).max_items(Some(1));
        OneOfBuilder::new()
            .item(ArrayBuilder::new().items(CareNeed::schema()).min_items(Some(1)))
            .item(alone("none"))
            .item(alone("unknown"))
            .description(Some("A non-empty list of needs, or `[\"none\"]`, or `[\"unknown\"]`."))
            .into()
    }
}
impl ToSchema for CareNeeds {}
