//! The types of a row of the record's field table ([`super::fields::FIELDS`]): how a field's
//! SQL column keeps it and how the report's packed attributes carry it.

use super::Record;
use std::borrow::Cow;

/// A value as its SQL column keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SqlValue<'a> {
    Text(Cow<'a, str>),
    Int(i64),
    Null,
}

/// The type of a field's SQL column: what the storage reads it as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SqlType {
    /// `TEXT NOT NULL`.
    Text,
    /// `TEXT`, `NULL` for no value.
    OptionalText,
    /// `INTEGER NOT NULL` (also the flags, 0 or 1).
    Int,
}

/// How the report's packed attributes (`report::Attributes`) carry a field.
#[derive(Clone, Copy)]
pub enum ReportEncoding {
    /// Not in the packed attributes.
    None,
    /// One digit of the packed integer.
    Digit(Digit),
}

/// A field's digit in the report's packed attributes, a mixed-radix integer (see
/// `report::attributes`). The packing comes from these: the digits in the order of `place`.
#[derive(Clone, Copy)]
pub struct Digit {
    /// Its place in the packed integer, 0 the least significant. Stored values keep their
    /// meaning only while every place and radix stays (else `PACKING_VERSION` goes up).
    pub place: usize,
    /// How many values it takes.
    pub radix: u64,
    /// A record's digit; `None` for a value the packing cannot hold (a municipality not in the
    /// list, more children than a record may have).
    pub of: fn(&Record) -> Option<u64>,
    /// The digit of `unknown`, for the report's unknown shares; `None` for a field without it.
    pub unknown: Option<u64>,
}
