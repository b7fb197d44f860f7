//! Every count of the report's tables, from one pass over the persons: per dimension, persons
//! by conceptual category and value in one flat array (the one-dimensional tables are its
//! sums), care needs, municipality × origin, children per count group and unknown answers.
//! Over many persons the two halves are counted on two cores and added up.

use super::attributes::{self, Attributes, ReportRecord};
use super::dims::{care_need_indices, origin_index, region_codes, region_index, Dim};
use crate::counting::PersonHead;
use crate::ethos::{ConceptualCategory, CountGroup};

/// Below this many persons a second thread costs more than it saves.
const TWO_HALVES_FROM: usize = 1 << 16;

#[derive(Debug, PartialEq)]
pub(super) struct Tally {
    /// Per dimension (from `offsets`), persons by category × value.
    pub(super) by_category: Vec<u64>,
    pub(super) care_one: Vec<u64>,
    pub(super) care_cross: Vec<Vec<u64>>,
    pub(super) muni_origin: Vec<Vec<u64>>,
    pub(super) group_children: Vec<u64>,
    /// Persons with `unknown` per profile field the attributes carry, in `unknown_fields` order.
    pub(super) unknown: [u64; attributes::UNKNOWN_FIELD_COUNT],
}

/// Where each dimension's counts begin in [`Tally::by_category`].
pub(super) fn offsets(dims: &[Dim]) -> Vec<usize> {
    let categories = ConceptualCategory::ALL.len();
    dims.iter()
        .scan(0, |next, d| {
            let at = *next;
            *next += categories * d.codes.len();
            Some(at)
        })
        .collect()
}

impl Tally {
    /// The counts of `people`, whose primary records are in `records`.
    pub(super) fn of(
        records: &[ReportRecord],
        people: &[PersonHead],
        dims: &[Dim],
        offsets: &[usize],
        care: &Dim,
    ) -> Tally {
        if people.len() < TWO_HALVES_FROM {
            return Tally::of_part(records, people, dims, offsets, care);
        }
        Tally::of_halves(records, people, dims, offsets, care)
    }

    /// As [`Tally::of`], the two halves of `people` counted at the same time.
    fn of_halves(
        records: &[ReportRecord],
        people: &[PersonHead],
        dims: &[Dim],
        offsets: &[usize],
        care: &Dim,
    ) -> Tally {
        let (front, back) = people.split_at(people.len() / 2);
        let (a, b) = crate::parallel::join(
            || Tally::of_part(records, front, dims, offsets, care),
            || Tally::of_part(records, back, dims, offsets, care),
        );
        a.plus(&b)
    }

    fn of_part(
        records: &[ReportRecord],
        people: &[PersonHead],
        dims: &[Dim],
        offsets: &[usize],
        care: &Dim,
    ) -> Tally {
        let categories = ConceptualCategory::ALL.len();
        let mut t = Tally {
            by_category: vec![0; dims.iter().map(|d| categories * d.codes.len()).sum()],
            care_one: vec![0; care.codes.len()],
            care_cross: vec![vec![0; care.codes.len()]; categories],
            muni_origin: vec![vec![0; 9]; region_codes().len()],
            group_children: vec![0; CountGroup::ALL.len()],
            unknown: [0; attributes::UNKNOWN_FIELD_COUNT],
        };
        for p in people {
            t.add(&records[p.primary].attributes, dims, offsets);
        }
        t
    }

    fn add(&mut self, r: &Attributes, dims: &[Dim], offsets: &[usize]) {
        let cat = r.living_situation.conceptual_category() as usize;
        for (d, &offset) in dims.iter().zip(offsets) {
            self.by_category[offset + cat * d.codes.len() + (d.of)(r)] += 1;
        }
        for v in care_need_indices(r) {
            self.care_one[v] += 1;
            self.care_cross[cat][v] += 1;
        }
        self.muni_origin[region_index(r.municipality)][origin_index(r)] += 1;
        self.group_children[r.living_situation.count_group() as usize] += u64::from(r.children.counted());
        for (u, f) in self.unknown.iter_mut().zip(r.unknowns()) {
            *u += u64::from(f);
        }
    }

    /// Both tallies added up.
    fn plus(mut self, other: &Tally) -> Tally {
        fn add(a: &mut [u64], b: &[u64]) {
            for (a, b) in a.iter_mut().zip(b) {
                *a += b;
            }
        }
        add(&mut self.by_category, &other.by_category);
        add(&mut self.care_one, &other.care_one);
        for (a, b) in self.care_cross.iter_mut().zip(&other.care_cross) {
            add(a, b);
        }
        for (a, b) in self.muni_origin.iter_mut().zip(&other.muni_origin) {
            add(a, b);
        }
        add(&mut self.group_children, &other.group_children);
        add(&mut self.unknown, &other.unknown);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::super::dims::{care_need_dim, dims};
    use super::*;
    use crate::counting::{person_heads, CountedRecord, KeyDecisions};
    use crate::ethos::LivingSituation;
    use crate::profile::{AgeBand, Children, Gender, Profile};
    use crate::record::Origin;

    /// Counted in two halves and added up, every count is the one of a single pass, over
    /// persons with different categories, places, profiles and unknown answers.
    #[test]
    fn two_halves_added_up_are_one_pass() {
        let region = region_codes();
        let records: Vec<ReportRecord> = (0..997u128)
            .map(|n| {
                let i = n as usize;
                let mut profile = Profile::unknown();
                profile.age_band = AgeBand::ALL[i % AgeBand::ALL.len()];
                profile.gender = Gender::ALL[i / 3 % Gender::ALL.len()];
                profile.children =
                    if n % 4 == 0 { Children::Unknown } else { Children::Count((n % 3) as u8) };
                let record = CountedRecord {
                    id: uuid::Uuid::from_u128(n),
                    observed_at: chrono::DateTime::parse_from_rfc3339("2026-10-15T22:00:00+02:00")
                        .expect("a time"),
                    dedup_key: None,
                    training: false,
                    void: false,
                    municipality: region[i % region.len()].to_string().try_into().expect("a region code"),
                    living_situation: LivingSituation::ALL[i % LivingSituation::ALL.len()],
                    origin: if n % 5 == 0 { Origin::Abroad } else { Origin::Unknown },
                    profile,
                    organisation: 0,
                };
                ReportRecord::from_counted(&record).expect("a report record")
            })
            .collect();
        let people = person_heads(&records, &KeyDecisions::default());
        let (dims, care) = (dims(), care_need_dim());
        let offsets = offsets(&dims);
        let one = Tally::of_part(&records, &people, &dims, &offsets, &care);
        let halves = Tally::of_halves(&records, &people, &dims, &offsets, &care);
        assert_eq!(halves, one);
        assert_eq!(one.by_category.iter().sum::<u64>(), (dims.len() * people.len()) as u64);
        assert!(one.unknown.iter().all(|&n| n > 0) && one.group_children.iter().any(|&n| n > 0));
    }
}
