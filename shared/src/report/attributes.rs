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
//! the encoding (the test `the_encoding_is_pinned` says so): stored values would then have to be
//! rewritten from the record columns.

use crate::counting::{Countable, CountedRecord, KeyBytes, Moment};
use crate::ethos::LivingSituation;
use crate::municipality::{self, Gemeente};
use crate::profile::*;
use crate::record::{Origin, Record};
use std::sync::OnceLock;
use uuid::Uuid;

/// A municipality of `gemeenten.csv`, by its CBS number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Place(u16);

/// CBS codes are `GM` and four digits.
const PLACES: u64 = 10_000;

impl Place {
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
}

/// The radix of each digit, least significant first (the order of `Attributes::digits`).
const RADICES: [u64; 13] = [
    LivingSituation::ALL.len() as u64,
    Children::MAX as u64 + 2, // 0..=MAX, unknown
    PLACES,                   // municipality
    PLACES + 2,               // origin: a CBS number, abroad, unknown
    AgeBand::ALL.len() as u64,
    Gender::ALL.len() as u64,
    Household::ALL.len() as u64,
    Duration::ALL.len() as u64,
    ResidenceStatus::ALL.len() as u64,
    Income::ALL.len() as u64,
    (1 << CareNeed::ALL.len()) + 1, // none (0), the non-empty sets, unknown
    PreviousFacility::ALL.len() as u64,
    HousingNeed::ALL.len() as u64,
];

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
        let p = &record.profile;
        if p.children.counted() > u32::from(Children::MAX) {
            return None;
        }
        Some(Attributes {
            municipality: Place::of(record.municipality.as_str())?,
            living_situation: record.living_situation,
            origin: match &record.origin {
                Origin::Municipality { code } => OriginPlace::Municipality(Place::of(code.as_str())?),
                Origin::Abroad => OriginPlace::Abroad,
                Origin::Unknown => OriginPlace::Unknown,
            },
            age_band: p.age_band,
            gender: p.gender,
            household: p.household,
            children: p.children,
            duration: p.duration,
            residence_status: p.residence_status,
            income: p.income,
            care_needs: CareNeedSet::of(&p.care_needs),
            previous_facility: p.previous_facility,
            housing_need: p.housing_need,
        })
    }

    fn digits(&self) -> [u64; 13] {
        [
            self.living_situation as u64,
            match self.children {
                Children::Count(n) => u64::from(n.min(Children::MAX)),
                Children::Unknown => u64::from(Children::MAX) + 1,
            },
            u64::from(self.municipality.0),
            match self.origin {
                OriginPlace::Municipality(place) => u64::from(place.0),
                OriginPlace::Abroad => PLACES,
                OriginPlace::Unknown => PLACES + 1,
            },
            self.age_band as u64,
            self.gender as u64,
            self.household as u64,
            self.duration as u64,
            self.residence_status as u64,
            self.income as u64,
            match self.care_needs {
                CareNeedSet::None => 0,
                CareNeedSet::Needs(bits) => u64::from(bits),
                CareNeedSet::Unknown => 1 << CareNeed::ALL.len(),
            },
            self.previous_facility as u64,
            self.housing_need as u64,
        ]
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
        let mut d = [0usize; 13];
        for (digit, radix) in d.iter_mut().zip(RADICES) {
            *digit = (rest % radix) as usize;
            rest /= radix;
        }
        fn pick<T: Copy>(all: &[T], digit: usize) -> Option<T> {
            all.get(digit).copied()
        }
        let place = |digit: usize| Some(Place(u16::try_from(digit).ok()?)).filter(|p| p.gemeente().is_some());
        let municipality = place(d[2]).filter(|p| p.in_region())?;
        let max_children = usize::from(Children::MAX);
        Some(Attributes {
            municipality,
            living_situation: pick(LivingSituation::ALL, d[0])?,
            children: match d[1] {
                n if n <= max_children => Children::Count(n as u8),
                _ => Children::Unknown,
            },
            origin: match d[3] as u64 {
                PLACES => OriginPlace::Abroad,
                n if n == PLACES + 1 => OriginPlace::Unknown,
                _ => OriginPlace::Municipality(place(d[3])?),
            },
            age_band: pick(AgeBand::ALL, d[4])?,
            gender: pick(Gender::ALL, d[5])?,
            household: pick(Household::ALL, d[6])?,
            duration: pick(Duration::ALL, d[7])?,
            residence_status: pick(ResidenceStatus::ALL, d[8])?,
            income: pick(Income::ALL, d[9])?,
            care_needs: match d[10] {
                0 => CareNeedSet::None,
                n if n == 1 << CareNeed::ALL.len() => CareNeedSet::Unknown,
                n => CareNeedSet::Needs(n as u8),
            },
            previous_facility: pick(PreviousFacility::ALL, d[11])?,
            housing_need: pick(HousingNeed::ALL, d[12])?,
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
mod tests {
    use super::*;
    use crate::record::MunicipalityCode;

    fn record(municipality: &str, origin: Origin, profile: Profile) -> Record {
        Record {
            id: Uuid::from_u128(1),
            revision: 1,
            observed_at: chrono::DateTime::parse_from_rfc3339("2026-10-15T22:00:00+02:00").expect("a time"),
            municipality: municipality.to_string().try_into().expect("a region code"),
            living_situation: LivingSituation::PublicSpace,
            origin,
            dedup_key: None,
            profile,
            training: false,
            entry: crate::record::Entry::Field,
        }
    }

    fn from_code(code: &str) -> Origin {
        Origin::Municipality { code: MunicipalityCode::try_from(code.to_string()).expect("a code") }
    }

    /// Round trip, and the attributes say what the record says.
    fn check(r: &Record) {
        let a = Attributes::of(r).expect("attributes");
        assert_eq!(Attributes::unpack(a.pack()), Some(a), "{r:?}");
        assert!(a.pack() >= 0);
        let g = a.municipality.gemeente().expect("a municipality");
        assert_eq!(g.code, r.municipality.as_str());
        let origin = match a.origin {
            OriginPlace::Municipality(p) => from_code(&p.gemeente().expect("a municipality").code),
            OriginPlace::Abroad => Origin::Abroad,
            OriginPlace::Unknown => Origin::Unknown,
        };
        assert_eq!(origin, r.origin);
        let p = Profile {
            age_band: a.age_band,
            gender: a.gender,
            household: a.household,
            children: a.children,
            duration: a.duration,
            residence_status: a.residence_status,
            income: a.income,
            care_needs: a.care_needs.to_care_needs(),
            previous_facility: a.previous_facility,
            housing_need: a.housing_need,
        };
        assert_eq!(p, r.profile);
        assert_eq!(a.living_situation, r.living_situation);
    }

    fn all_care_needs() -> Vec<CareNeeds> {
        let mut all = vec![CareNeeds::None, CareNeeds::Unknown];
        for bits in 1u8..16 {
            let codes: Vec<&str> = CareNeed::ALL
                .iter()
                .enumerate()
                .filter(|(i, _)| bits & 1 << i != 0)
                .map(|(_, n)| n.code())
                .collect();
            all.push(CareNeeds::from_codes(&codes).expect("needs"));
        }
        all
    }

    #[test]
    fn every_value_of_every_field_round_trips() {
        let base = record("GM0935", Origin::Unknown, Profile::unknown());
        for s in LivingSituation::ALL {
            check(&Record { living_situation: *s, ..base.clone() });
        }
        for g in municipality::region() {
            check(&record(&g.code, Origin::Abroad, Profile::unknown()));
        }
        for g in municipality::all() {
            check(&record("GM0994", from_code(&g.code), Profile::unknown()));
        }
        let with = |f: &dyn Fn(&mut Profile)| {
            let mut p = Profile::unknown();
            f(&mut p);
            check(&record("GM1903", Origin::Abroad, p));
        };
        for v in AgeBand::ALL {
            with(&|p| p.age_band = *v);
        }
        for v in Gender::ALL {
            with(&|p| p.gender = *v);
        }
        for v in Household::ALL {
            with(&|p| p.household = *v);
        }
        for n in 0..=Children::MAX {
            with(&|p| p.children = Children::Count(n));
        }
        for v in Duration::ALL {
            with(&|p| p.duration = *v);
        }
        for v in ResidenceStatus::ALL {
            with(&|p| p.residence_status = *v);
        }
        for v in Income::ALL {
            with(&|p| p.income = *v);
        }
        for v in all_care_needs() {
            with(&|p| p.care_needs = v.clone());
        }
        for v in PreviousFacility::ALL {
            with(&|p| p.previous_facility = *v);
        }
        for v in HousingNeed::ALL {
            with(&|p| p.housing_need = *v);
        }
    }

    #[test]
    fn the_largest_values_of_every_field_round_trip() {
        let last = |all: &[LivingSituation]| all[all.len() - 1];
        // `unknown` is the last value of every field.
        let p = Profile::unknown();
        let r =
            Record { living_situation: last(LivingSituation::ALL), ..record("GM1903", Origin::Unknown, p) };
        check(&r);
        let a = Attributes::of(&r).expect("attributes");
        assert!(a.pack() < VALUES as i64);
        assert_eq!(Attributes::unpack(VALUES as i64 - 1), None, "GM9999 is not a place");
    }

    #[test]
    fn the_encoding_is_pinned() {
        // Stored values must keep their meaning: a change here needs the stored values rewritten.
        let p = Profile {
            age_band: AgeBand::From23To26,
            gender: Gender::Woman,
            household: Household::WithChildren,
            children: Children::Count(2),
            duration: Duration::OneToTwoYears,
            residence_status: ResidenceStatus::Eu,
            income: Income::Benefit,
            care_needs: CareNeeds::from_codes(&["addiction", "physical"]).expect("needs"),
            previous_facility: PreviousFacility::Detention,
            housing_need: HousingNeed::HousingFirst,
        };
        let r = Record {
            living_situation: LivingSituation::FamilyOrFriends,
            ..record("GM0935", from_code("GM0363"), p)
        };
        let a = Attributes::of(&r).expect("attributes");
        let digits = [13, 2, 935, 363, 2, 1, 2, 4, 1, 2, 0b1010, 3, 2];
        let expected = digits.iter().zip(RADICES).rev().fold(0u64, |acc, (d, r)| acc * r + d);
        assert_eq!(a.pack(), expected as i64);
        assert_eq!(RADICES, [24, 22, 10_000, 10_002, 9, 4, 5, 8, 5, 5, 17, 10, 6]);
        assert_eq!(a.pack(), 763_252_172_227_213_741);
    }

    #[test]
    fn values_that_pack_does_not_make_are_refused() {
        let r = record("GM0935", Origin::Abroad, Profile::unknown());
        let good = Attributes::of(&r).expect("attributes").pack();
        assert!(Attributes::unpack(good).is_some());
        assert_eq!(Attributes::unpack(-1), None);
        assert_eq!(Attributes::unpack(VALUES as i64), None);
        assert_eq!(Attributes::unpack(i64::MAX), None);
        // Counted in Groningen (GM0014): in the list, not in the region.
        let groningen = good - 24 * 22 * (935 - 14);
        assert_eq!(Attributes::unpack(groningen), None);
        // Counted in GM0001, which is no municipality.
        assert_eq!(Attributes::unpack(good - 24 * 22 * 934), None);
        // Origin GM0001.
        assert_eq!(Attributes::unpack(good - 24 * 22 * 10_000 * (10_000 - 1)), None);
    }

    #[test]
    fn places_are_the_codes_of_the_list() {
        assert_eq!(Place::of("GM0935").map(Place::number), Some(935));
        assert!(Place::of("GM0935").is_some_and(Place::in_region));
        assert!(Place::of("GM0014").is_some_and(|p| !p.in_region()));
        for bad in ["GM9999", "GM935", "gm0935", "GM09351", "0935", "", "GM+935"] {
            assert_eq!(Place::of(bad), None, "{bad}");
        }
        for g in municipality::all() {
            let place = Place::of(&g.code).expect("every code of the list is GM and four digits");
            assert_eq!(place.gemeente(), Some(g));
        }
    }

    #[test]
    fn a_report_record_counts_like_the_record_it_comes_from() {
        let owned = CountedRecord {
            id: Uuid::from_u128(7),
            observed_at: chrono::DateTime::parse_from_rfc3339("2026-10-15T22:00:00.5+02:00").expect("a time"),
            dedup_key: Some(
                crate::record::DedupKey::try_from(
                    "f8108182fceecee89eba6a4c24ef082b45665411e020779334f04f10cc5c167a".to_string(),
                )
                .expect("a key"),
            ),
            training: true,
            void: true,
            municipality: "GM0938".to_string().try_into().expect("a region code"),
            living_situation: LivingSituation::NightShelter,
            origin: Origin::Abroad,
            profile: Profile { children: Children::Count(3), ..Profile::unknown() },
            organisation: 4,
        };
        let slim = ReportRecord::from_counted(&owned).expect("a report record");
        assert_eq!(slim.id(), owned.id());
        assert_eq!(slim.observed_at(), owned.observed_at());
        assert_eq!(slim.dedup_key(), owned.dedup_key());
        assert_eq!((slim.is_training(), slim.is_void()), (true, true));
        assert_eq!(slim.living_situation(), LivingSituation::NightShelter);
        assert_eq!(slim.children(), Children::Count(3));
        assert_eq!(slim.organisation, 4);
    }
}
