//! Realistic generated count data for benchmarks, seeded so every run sends the same records.

use chrono::{DateTime, Duration, FixedOffset};
use ethos_shared::ethos::LivingSituation;
use ethos_shared::profile::Duration as Duration_;
use ethos_shared::profile::{
    AgeBand, CareNeed, CareNeeds, Children, Gender, Household, HousingNeed, Income, PreviousFacility,
    Profile, ResidenceStatus,
};
use ethos_shared::record::{DedupKey, Origin, Record};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

/// Picks from `(weight, value)` pairs.
fn weighted<T: Copy>(rng: &mut StdRng, items: &[(u32, T)]) -> T {
    let total: u32 = items.iter().map(|(w, _)| w).sum();
    let mut pick = rng.gen_range(0..total);
    for (w, v) in items {
        if pick < *w {
            return *v;
        }
        pick -= w;
    }
    items[items.len() - 1].1
}

/// A value of a set, `unknown` about one time in ten (as in the field).
fn answer<T: Copy>(rng: &mut StdRng, all: &[T], unknown: T) -> T {
    if rng.gen_bool(0.1) {
        unknown
    } else {
        *all.choose(rng).unwrap_or(&unknown)
    }
}

/// `n` records of a count whose window starts at `starts_at` and lasts 24 hours: about one
/// record in five is a second sighting of an earlier person (same key), one in seven has no
/// key, Maastricht has most records, the living situations roughly follow the Dutch counts.
pub fn records(n: usize, seed: u64, starts_at: DateTime<FixedOffset>) -> Vec<Record> {
    let mut rng = StdRng::seed_from_u64(seed);
    let region = ["GM0935", "GM1903", "GM1729", "GM0938", "GM0981", "GM0994"];
    let weights = [70, 8, 5, 6, 4, 7];
    let situations: Vec<(u32, LivingSituation)> = LivingSituation::ALL
        .iter()
        .map(|s| {
            let w = match s.code() {
                "1.1" => 24,
                "2.1" => 20,
                "3.1" | "3.2" | "3.3" => 10,
                "8.1" => 40,
                "6.1" | "6.2" | "6.3" => 4,
                "9.1" | "11.2" => 6,
                _ => 2,
            };
            (w, *s)
        })
        .collect();
    let municipalities: Vec<(u32, &str)> = weights.iter().copied().zip(region.iter().copied()).collect();
    let all_gemeenten = ethos_shared::municipality::all();
    let mut keys: Vec<DedupKey> = Vec::new();
    (0..n)
        .map(|i| {
            let dedup_key = if rng.gen_bool(1.0 / 7.0) {
                None
            } else if !keys.is_empty() && rng.gen_bool(0.2) {
                keys.choose(&mut rng).cloned()
            } else {
                let bytes: [u8; 32] = rng.gen();
                let key = DedupKey::try_from(bytes.iter().map(|b| format!("{b:02x}")).collect::<String>())
                    .expect("64 hex characters");
                keys.push(key.clone());
                Some(key)
            };
            let origin = match rng.gen_range(0..10) {
                0..=5 => Origin::Municipality {
                    code: weighted(&mut rng, &municipalities).to_string().try_into().expect("region code"),
                },
                6 => Origin::Municipality {
                    code: all_gemeenten
                        .choose(&mut rng)
                        .map(|g| g.code.clone())
                        .unwrap_or_default()
                        .try_into()
                        .expect("code"),
                },
                7 => Origin::Abroad,
                _ => Origin::Unknown,
            };
            let children = if rng.gen_bool(0.1) {
                Children::Unknown
            } else {
                Children::Count(weighted(&mut rng, &[(85, 0), (8, 1), (5, 2), (2, 3)]))
            };
            Record {
                id: Uuid::from_u128(rng.gen::<u128>() & !(0xF << 76) | (0x7 << 76)),
                revision: 1,
                observed_at: starts_at + Duration::seconds(rng.gen_range(0..24 * 3600) + i as i64 % 7),
                municipality: weighted(&mut rng, &municipalities)
                    .to_string()
                    .try_into()
                    .expect("region code"),
                living_situation: weighted(&mut rng, &situations),
                origin,
                dedup_key,
                profile: Profile {
                    age_band: answer(&mut rng, AgeBand::ALL, AgeBand::Unknown),
                    gender: weighted(
                        &mut rng,
                        &[(70, Gender::Man), (25, Gender::Woman), (2, Gender::Other), (3, Gender::Unknown)],
                    ),
                    household: answer(&mut rng, Household::ALL, Household::Unknown),
                    children,
                    duration: answer(&mut rng, Duration_::ALL, Duration_::Unknown),
                    residence_status: answer(&mut rng, ResidenceStatus::ALL, ResidenceStatus::Unknown),
                    income: answer(&mut rng, Income::ALL, Income::Unknown),
                    care_needs: match rng.gen_range(0..6) {
                        0 => CareNeeds::None,
                        1 => CareNeeds::Unknown,
                        2 => CareNeeds::Needs(vec![CareNeed::Psychiatric, CareNeed::Addiction]),
                        3 => CareNeeds::Needs(vec![CareNeed::Addiction]),
                        4 => CareNeeds::Needs(vec![CareNeed::Psychiatric]),
                        _ => CareNeeds::Needs(vec![CareNeed::Physical]),
                    },
                    previous_facility: answer(&mut rng, PreviousFacility::ALL, PreviousFacility::Unknown),
                    housing_need: answer(&mut rng, HousingNeed::ALL, HousingNeed::Unknown),
                },
                training: false,
                entry: ethos_shared::record::Entry::Field,
            }
        })
        .collect()
}
