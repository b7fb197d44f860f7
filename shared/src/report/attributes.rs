//! The report's view of a record, packed: every attribute the report tables use in one integer
//! (stored with the record at sync time), and [`ReportRecord`], the fixed-size row the report
//! counts. Reading one integer per record instead of sixteen text columns, and keeping no
//! string or vector per record, is what lets the report run over a million records in well
//! under two seconds.
//!
//! The integer is a mixed-radix number: each field is one digit, its value's position in the
//! field's list (`ALL`, the order of the specification) and its radix the number of values.
//! Municipalities are digits by their CBS number (`GM0935` is 935), so the value does not
//! depend on the order or the contents of `gemeenten.csv`. Changing a list of values changes
//! the encoding (the test `the_encoding_is_pinned` says so): such a change raises
//! [`PACKING_VERSION`], and the server rewrites the stored values of an older version from the
//! record columns (each row keeps the version it was packed with; the report reads a row of
//! another version from its columns until then).
//!
//! The digits come from the record's field table (`record::fields::FIELDS`): each field with
//! `ReportEncoding::Digit` gives its place, its radix, how a record's value becomes its digit
//! and which digit is `unknown`. [`Attributes`] is the typed view the report tables read; its
//! members follow the digits (a digit without its member does not compile, see `digits`).
//!
//! Version 2 added `entry` as the most significant digit: a record made in the field app packs
//! as in version 1.

use crate::counting::{Countable, CountedRecord, KeyBytes, Moment};
use crate::ethos::LivingSituation;
use crate::municipality::{self, Gemeente};
use crate::profile::*;
use crate::record::fields::{Digit, ReportEncoding, FIELDS};
use crate::record::{Entry, Record};
use std::sync::OnceLock;
use uuid::Uuid;

/// A municipality of `gemeenten.csv`, by its CBS number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Place(u16);

/// CBS codes are `GM` and four digits.
const PLACES: u64 = Place::NUMBERS;

impl Place {
    /// How many CBS numbers there are room for: codes are `GM` and four digits.
    pub const NUMBERS: u64 = 10_000;

    /// The place of a code of the list; `None` for a code that is not in it.
    pub fn of(code: &str) -> Option<Place> {
        let digits =
            code.strip_prefix("GM").filter(|d| d.len() == 4 && d.bytes().all(|b| b.is_ascii_digit()))?;
        let place = Place(digits.parse().ok()?);
        place.gemeente().map(|_| place)
    }

    /// The CBS number: 935 for `GM0935`.
    pub fn number(self) -> u16 {
        self.0
    }

    /// The municipality. Always there for a place made by [`Place::of`] or
    /// [`Attributes::unpack`].
    pub fn gemeente(self) -> Option<&'static Gemeente> {
        static BY_NUMBER: OnceLock<Vec<Option<&'static Gemeente>>> = OnceLock::new();
        let table = BY_NUMBER.get_or_init(|| {
            let mut table = vec![None; PLACES as usize];
            for g in municipality::all() {
                let number = g.code.strip_prefix("GM").and_then(|d| d.parse::<usize>().ok());
                if let Some(slot) = number.and_then(|n| table.get_mut(n)) {
                    *slot = Some(g);
                }
            }
            table
        });
        table.get(usize::from(self.0)).copied().flatten()
    }

    /// Whether the place is one of the six municipalities of the region.
    pub fn in_region(self) -> bool {
        self.gemeente().is_some_and(|g| g.in_region)
    }
}

/// Municipality of origin, as [`Origin`] without the string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OriginPlace {
    Municipality(Place),
    Abroad,
    Unknown,
}

/// Care needs, as [`CareNeeds`] without the vector: `none`, `unknown`, or a non-empty set of
/// needs as bits (bit `i` is `CareNeed::ALL[i]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CareNeedSet {
    None,
    Unknown,
    Needs(u8),
}

impl CareNeedSet {
    pub fn of(needs: &CareNeeds) -> Self {
        match needs {
            CareNeeds::None => CareNeedSet::None,
            CareNeeds::Unknown => CareNeedSet::Unknown,
            CareNeeds::Needs(needs) => {
                CareNeedSet::Needs(needs.iter().fold(0, |bits, n| bits | 1 << *n as u8))
            }
        }
    }

    /// Its digit in the packed attributes: none 0, the needs as bits, unknown above them.
    pub fn digit(self) -> u64 {
        match self {
            CareNeedSet::None => 0,
            CareNeedSet::Needs(bits) => u64::from(bits),
            CareNeedSet::Unknown => 1 << CareNeed::ALL.len(),
        }
    }

    /// The wire value.
    pub fn to_care_needs(self) -> CareNeeds {
        match self {
            CareNeedSet::None => CareNeeds::None,
            CareNeedSet::Unknown => CareNeeds::Unknown,
            CareNeedSet::Needs(bits) => CareNeeds::Needs(
                CareNeed::ALL
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| bits & 1 << i != 0)
                    .map(|(_, n)| *n)
                    .collect(),
            ),
        }
    }
}

/// Every attribute of a record that the report tables use. [`Attributes::pack`] makes the
/// integer the store keeps; [`Attributes::unpack`] reads it back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Attributes {
    /// Where the person was counted: a municipality of the region.
    pub municipality: Place,
    pub living_situation: LivingSituation,
    pub origin: OriginPlace,
    pub age_band: AgeBand,
    pub gender: Gender,
    pub household: Household,
    pub children: Children,
    pub duration: Duration,
    pub residence_status: ResidenceStatus,
    pub income: Income,
    pub care_needs: CareNeedSet,
    pub previous_facility: PreviousFacility,
    pub housing_need: HousingNeed,
    pub entry: Entry,
}

/// The name of the projection: the column that holds it, `…_version` the column of its version.
pub const PACKED_COLUMN: &str = "report_attributes";
/// The version of the encoding that [`Attributes::pack`] makes. Raise it with any change of the
/// digits or of a list of values.
pub const PACKING_VERSION: i64 = 2;

/// How many digits the packing has: the fields of `FIELDS` with a digit.
const DIGIT_COUNT: usize = {
    let (mut n, mut i) = (0, 0);
    while i < FIELDS.len() {
        if let ReportEncoding::Digit(_) = FIELDS[i].report {
            n += 1;
        }
        i += 1;
    }
    n
};

/// The digits by place, least significant first, from `FIELDS`. Two fields at one place, or a
/// place left empty, do not compile.
const DIGITS: [Digit; DIGIT_COUNT] = {
    const EMPTY: Digit = Digit { place: usize::MAX, radix: 1, of: |_| None, unknown: None };
    let mut digits = [EMPTY; DIGIT_COUNT];
    let mut i = 0;
    while i < FIELDS.len() {
        if let ReportEncoding::Digit(d) = FIELDS[i].report {
            assert!(d.place < DIGIT_COUNT, "a digit's place is beyond the digits");
            assert!(digits[d.place].place == usize::MAX, "two digits at one place");
            digits[d.place] = d;
        }
        i += 1;
    }
    digits
};

/// The radix of each digit, least significant first.
const RADICES: [u64; DIGIT_COUNT] = {
    let mut radices = [0; DIGIT_COUNT];
    let mut i = 0;
    while i < DIGIT_COUNT {
        radices[i] = DIGITS[i].radix;
        i += 1;
    }
    radices
};

/// The place of the digit of the field with wire key `key`; a key without a digit does not compile.
const fn place(key: &str) -> usize {
    let mut i = 0;
    while i < FIELDS.len() {
        if let ReportEncoding::Digit(d) = FIELDS[i].report {
            if same(FIELDS[i].key, key) {
                return d.place;
            }
        }
        i += 1;
    }
    panic!("no digit for this field")
}

const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

const LIVING_SITUATION: usize = place("living_situation");
const CHILDREN: usize = place("profile.children");
const MUNICIPALITY: usize = place("municipality");
const ORIGIN: usize = place("origin");
const AGE_BAND: usize = place("profile.age_band");
const GENDER: usize = place("profile.gender");
const HOUSEHOLD: usize = place("profile.household");
const DURATION: usize = place("profile.duration");
const RESIDENCE_STATUS: usize = place("profile.residence_status");
const INCOME: usize = place("profile.income");
const CARE_NEEDS: usize = place("profile.care_needs");
const PREVIOUS_FACILITY: usize = place("profile.previous_facility");
const HOUSING_NEED: usize = place("profile.housing_need");
const ENTRY: usize = place("entry");

/// How many profile fields the attributes carry with an `unknown`: those of [`UNKNOWN_FIELDS`].
pub const UNKNOWN_FIELD_COUNT: usize = {
    let (mut n, mut i) = (0, 0);
    while i < FIELDS.len() {
        if let ReportEncoding::Digit(Digit { unknown: Some(_), .. }) = FIELDS[i].report {
            if is_profile(FIELDS[i].key) {
                n += 1;
            }
        }
        i += 1;
    }
    n
};

const fn is_profile(key: &str) -> bool {
    let (key, prefix) = (key.as_bytes(), b"profile.");
    if key.len() <= prefix.len() {
        return false;
    }
    let mut i = 0;
    while i < prefix.len() {
        if key[i] != prefix[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// The profile fields whose `unknown` the attributes carry, in the order of `FIELDS`, with the
/// place and the `unknown` digit: the report's unknown shares are theirs. A profile field
/// without a digit is not in the report.
const UNKNOWN_DIGITS: [(usize, u64); UNKNOWN_FIELD_COUNT] = {
    let mut out = [(0, 0); UNKNOWN_FIELD_COUNT];
    let (mut n, mut i) = (0, 0);
    while i < FIELDS.len() {
        if let ReportEncoding::Digit(Digit { place, unknown: Some(unknown), .. }) = FIELDS[i].report {
            if is_profile(FIELDS[i].key) {
                out[n] = (place, unknown);
                n += 1;
            }
        }
        i += 1;
    }
    out
};

/// The names of the profile fields of [`UNKNOWN_DIGITS`] (their keys without `profile.`).
pub fn unknown_fields() -> impl Iterator<Item = &'static str> {
    FIELDS.iter().filter_map(|f| match f.report {
        ReportEncoding::Digit(Digit { unknown: Some(_), .. }) => f.profile_name(),
        _ => None,
    })
}

/// A record's packed attributes, from the digits of `FIELDS`; `None` where a digit is (a
/// municipality not in the list, more children than a record may have).
pub fn pack_record(record: &Record) -> Option<i64> {
    let mut packed = 0u64;
    for d in DIGITS.iter().rev() {
        packed = packed * d.radix + (d.of)(record)?.min(d.radix - 1);
    }
    Some(packed as i64)
}

/// The number of distinct packed values; every one of them is a non-negative `i64`.
const VALUES: u64 = {
    let mut product: u64 = 1;
    let mut i = 0;
    while i < RADICES.len() {
        product = match product.checked_mul(RADICES[i]) {
            Some(p) => p,
            None => panic!("the packed attributes do not fit 64 bits"),
        };
        i += 1;
    }
    product
};
const _: () = assert!(VALUES <= i64::MAX as u64, "the packed attributes do not fit an SQLite INTEGER");

impl Attributes {
    /// The attributes of a record; `None` only if its municipality codes are not in the list or
    /// it has more than `Children::MAX` children (a valid record never does).
    pub fn of(record: &Record) -> Option<Self> {
        Attributes::unpack(pack_record(record)?)
    }

    /// Per profile field of [`unknown_fields`], whether its answer is `unknown`.
    pub fn unknowns(&self) -> [bool; UNKNOWN_FIELD_COUNT] {
        let digits = self.digits();
        UNKNOWN_DIGITS.map(|(place, unknown)| digits[place] == unknown)
    }

    /// The digits, by place. Typed by the number of digits of `FIELDS`: a digit added there
    /// and not here does not compile.
    fn digits(&self) -> [u64; DIGIT_COUNT] {
        let mut d = [0; DIGIT_COUNT];
        d[LIVING_SITUATION] = self.living_situation as u64;
        d[CHILDREN] = match self.children {
            Children::Count(n) => u64::from(n.min(Children::MAX)),
            Children::Unknown => u64::from(Children::MAX) + 1,
        };
        d[MUNICIPALITY] = u64::from(self.municipality.0);
        d[ORIGIN] = match self.origin {
            OriginPlace::Municipality(place) => u64::from(place.0),
            OriginPlace::Abroad => PLACES,
            OriginPlace::Unknown => PLACES + 1,
        };
        d[AGE_BAND] = self.age_band as u64;
        d[GENDER] = self.gender as u64;
        d[HOUSEHOLD] = self.household as u64;
        d[DURATION] = self.duration as u64;
        d[RESIDENCE_STATUS] = self.residence_status as u64;
        d[INCOME] = self.income as u64;
        d[CARE_NEEDS] = self.care_needs.digit();
        d[PREVIOUS_FACILITY] = self.previous_facility as u64;
        d[HOUSING_NEED] = self.housing_need as u64;
        d[ENTRY] = self.entry as u64;
        d
    }

    /// The attributes as one non-negative integer (see the module docs). A number of children
    /// above `Children::MAX`, which no valid record has, packs as the maximum.
    pub fn pack(&self) -> i64 {
        let packed =
            self.digits().iter().zip(RADICES).rev().fold(0u64, |acc, (digit, radix)| acc * radix + digit);
        packed as i64
    }

    /// The attributes of a packed value; `None` for a value that [`Attributes::pack`] does not
    /// make, or whose municipality is no longer in the list or the region.
    pub fn unpack(packed: i64) -> Option<Self> {
        let mut rest = u64::try_from(packed).ok().filter(|v| *v < VALUES)?;
        let mut d = [0usize; DIGIT_COUNT];
        for (digit, radix) in d.iter_mut().zip(RADICES) {
            *digit = (rest % radix) as usize;
            rest /= radix;
        }
        fn pick<T: Copy>(all: &[T], digit: usize) -> Option<T> {
            all.get(digit).copied()
        }
        let place = |digit: usize| Some(Place(u16::try_from(digit).ok()?)).filter(|p| p.gemeente().is_some());
        let municipality = place(d[MUNICIPALITY]).filter(|p| p.in_region())?;
        let max_children = usize::from(Children::MAX);
        Some(Attributes {
            municipality,
            living_situation: pick(LivingSituation::ALL, d[LIVING_SITUATION])?,
            children: match d[CHILDREN] {
                n if n <= max_children => Children::Count(n as u8),
                _ => Children::Unknown,
            },
            origin: match d[ORIGIN] as u64 {
                PLACES => OriginPlace::Abroad,
                n if n == PLACES + 1 => OriginPlace::Unknown,
                _ => OriginPlace::Municipality(place(d[ORIGIN])?),
            },
            age_band: pick(AgeBand::ALL, d[AGE_BAND])?,
            gender: pick(Gender::ALL, d[GENDER])?,
            household: pick(Household::ALL, d[HOUSEHOLD])?,
            duration: pick(Duration::ALL, d[DURATION])?,
            residence_status: pick(ResidenceStatus::ALL, d[RESIDENCE_STATUS])?,
            income: pick(Income::ALL, d[INCOME])?,
            care_needs: match d[CARE_NEEDS] {
                0 => CareNeedSet::None,
                n if n == 1 << CareNeed::ALL.len() => CareNeedSet::Unknown,
                n => CareNeedSet::Needs(n as u8),
            },
            previous_facility: pick(PreviousFacility::ALL, d[PREVIOUS_FACILITY])?,
            housing_need: pick(HousingNeed::ALL, d[HOUSING_NEED])?,
            entry: pick(Entry::ALL, d[ENTRY])?,
        })
    }
}

/// A record as the report reads it: what the counting rules look at, the attributes of the
/// report tables and the organisation it came in through. Fixed-size and `Copy`: a million of
/// them take no allocation each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportRecord {
    pub id: Uuid,
    pub observed_at: Moment,
    pub dedup_key: Option<KeyBytes>,
    /// The effective flag (also training when the count was in training at first storage).
    pub training: bool,
    pub void: bool,
    pub attributes: Attributes,
    /// Index of the organisation (team code) the record came in through, in a list the caller
    /// keeps: the report's data-quality table counts records per organisation.
    pub organisation: u32,
}

impl ReportRecord {
    /// The report's view of an owned record; `None` only where [`Attributes::of`] is.
    pub fn from_counted(r: &CountedRecord) -> Option<Self> {
        let record = Record {
            id: r.id,
            revision: 1,
            observed_at: r.observed_at,
            municipality: r.municipality.clone(),
            living_situation: r.living_situation,
            origin: r.origin.clone(),
            dedup_key: r.dedup_key.clone(),
            profile: r.profile.clone(),
            training: r.training,
            entry: crate::record::Entry::Field,
        };
        Some(ReportRecord {
            id: r.id,
            observed_at: r.observed_at.into(),
            dedup_key: r.dedup_key.as_ref().map(KeyBytes::from),
            training: r.training,
            void: r.void,
            attributes: Attributes::of(&record)?,
            organisation: r.organisation,
        })
    }
}

impl Countable for ReportRecord {
    fn id(&self) -> Uuid {
        self.id
    }
    fn observed_at(&self) -> Moment {
        self.observed_at
    }
    fn dedup_key(&self) -> Option<KeyBytes> {
        self.dedup_key
    }
    fn is_training(&self) -> bool {
        self.training
    }
    fn is_void(&self) -> bool {
        self.void
    }
    fn living_situation(&self) -> LivingSituation {
        self.attributes.living_situation
    }
    fn children(&self) -> Children {
        self.attributes.children
    }
}

#[cfg(test)]
#[path = "attributes_tests.rs"]
mod tests;
